import Foundation

/// What the config given says about a cluster's Cloud NAT, for a rule's `when:` where the step
/// to print differs (a read-only listing of routers when they were not given, rather than a guessed
/// router name): each fact is "present", "missing" (its listing was read in full and it is not
/// there) or "unknown" (the listing was not given, or read only in part). Whether a step's
/// resource exists already (a zone, a record, a route, Private Google Access, a router, a NAT) is
/// the fix plan's to decide (`FixReconciler`), for every rule at once.
///
/// - `exists.nat`: a Cloud NAT gateway on the network in the nodes' region; `nat.router` its router
public enum ConfigState {
    public static let fields = ["exists.nat", "nat.router"]

    static func facts(config: ConfigSnapshot, network: ClusterNetwork) -> [String: String] {
        var facts: [String: String] = [:]
        let listed = config.listed.contains(.routers) || config.listed.contains(.nats)
        let nat = config.nats(in: network.region, network: network.network).first
        facts["exists.nat"] = nat != nil ? "present" : listed ? "missing" : "unknown"
        facts["nat.router"] = nat?.router
        return facts
    }
}
