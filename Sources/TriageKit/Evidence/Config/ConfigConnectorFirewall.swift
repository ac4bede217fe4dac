import Foundation

/// Config Connector's `ComputeFirewall` (compute.cnrm.cloud.google.com), as `kubectl get
/// computefirewall -o yaml|json` prints it: Kubeflow blueprints declare their firewall rules so,
/// and triage's own Config Connector remedies are checked by reading them back through here.
extension FirewallRule {
    public static let configConnectorKind = "ComputeFirewall"

    public init?(configConnector d: [String: Any], location: RecordLocation?) {
        guard d["kind"] as? String == Self.configConnectorKind,
            (d["apiVersion"] as? String)?.hasPrefix("compute.cnrm.cloud.google.com/") == true,
            let spec = d["spec"] as? [String: Any]
        else { return nil }
        let metadata = d["metadata"] as? [String: Any] ?? [:]
        guard let name = spec["resourceID"] as? String ?? metadata["name"] as? String else { return nil }
        let allow = spec["allow"] as? [[String: Any]]
        let deny = spec["deny"] as? [[String: Any]]
        guard allow != nil || deny != nil else { return nil }
        func permissions(_ list: [[String: Any]]?) -> [ProtocolPorts] {
            // Read like the Compute resource's entries: a protocol or port that fails its check
            // drops the entry (dropping only the port would widen it to every port).
            var rejected: [RejectedValue] = []
            return (list ?? []).compactMap { item in
                ProtocolPorts(resource: ["IPProtocol": item["protocol"] as Any, "ports": item["ports"] as Any], rejected: &rejected)
            }
        }
        // networkRef names a ComputeNetwork object (its resourceID is usually its name) or an
        // external URL/name.
        let networkRef = spec["networkRef"] as? [String: Any] ?? [:]
        let network = (networkRef["external"] as? String ?? networkRef["name"] as? String).map(ConfigValue.lastSegment)
        func accounts(_ value: Any?) -> [String] {
            (value as? [[String: Any]] ?? []).compactMap { ref in
                (ref["external"] as? String).map(ConfigValue.lastSegment) ?? ref["name"] as? String
            }
        }
        let isDeny = deny?.isEmpty == false
        let logConfig = spec["logConfig"] as? [String: Any]
        self.init(
            name: name, network: network,
            direction: Direction(rawValue: (spec["direction"] as? String ?? "INGRESS").uppercased()) ?? .ingress,
            priority: ConfigValue.int(spec["priority"]) ?? 1000, action: isDeny ? .deny : .allow,
            permissions: permissions(isDeny ? deny : allow),
            sourceRanges: ConfigValue.strings(spec["sourceRanges"]).compactMap(CIDR.init),
            destinationRanges: ConfigValue.strings(spec["destinationRanges"]).compactMap(CIDR.init),
            sourceTags: ConfigValue.strings(spec["sourceTags"]), targetTags: ConfigValue.strings(spec["targetTags"]),
            sourceServiceAccounts: accounts(spec["sourceServiceAccounts"]),
            targetServiceAccounts: accounts(spec["targetServiceAccounts"]),
            disabled: ConfigValue.bool(spec["disabled"]) ?? false,
            logging: logConfig != nil || ConfigValue.bool(spec["enableLogging"]) == true, location: location)
    }
}
