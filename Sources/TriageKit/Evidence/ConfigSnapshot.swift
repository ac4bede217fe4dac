import Foundation

/// The network config read from the inputs: firewall rules, routes, subnetworks, routers with
/// NAT, DNS zones and record sets. Skeleton: holds nothing yet (the network-config issue fills it in).
public struct ConfigSnapshot: Sendable {
    public init() {}
    public var isEmpty: Bool { true }
    /// Takes a decoded document (an API resource, a list response, gcloud's JSON/YAML of one);
    /// false when it is not network config.
    public mutating func add(document: [String: Any], location: RecordLocation) -> Bool { false }
}
