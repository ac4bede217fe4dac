import Foundation

/// The vocabulary rules use to talk about a group of logged connections: every name a rule's
/// `match`, `group_by` or template may use is listed in `FlowFacts.fields`.
public struct FlowFacts: Sendable {
    public let group: FlowGroup
    public let source: RoleAssignment
    public let destination: RoleAssignment
    public let topology: Topology

    public var event: FirewallEvent { group.event }

    public static let fields: [String: @Sendable (FlowFacts) -> String?] = flowFields.merging(
        ConfigState.fields.map { name in (name, { @Sendable (facts: FlowFacts) in facts.configFact(name) }) }) { a, _ in a }

    private static let flowFields: [String: @Sendable (FlowFacts) -> String?] = [
        "disposition": { disposition($0.event.disposition) },
        "direction": { ($0.event.ruleDetails.direction ?? ($0.event.isIngress ? "INGRESS" : "EGRESS")).uppercased() },
        "protocol": { FirewallEvent.protocolName($0.event.connection.protocolNumber) },
        "action": { $0.event.ruleDetails.action },
        "src.ip": { $0.event.connection.srcIP.description },
        "src.role": { $0.source.role.rawValue },
        "src.range": { $0.source.range?.description },
        "src.confidence": { $0.source.confidence.rawValue },
        "src.port": { $0.event.connection.srcPort.map(String.init) },
        "dst.ip": { $0.event.connection.destIP.description },
        "dst.role": { $0.destination.role.rawValue },
        "dst.range": { $0.destination.range?.description },
        "dst.confidence": { $0.destination.confidence.rawValue },
        "dst.port": { $0.event.connection.destPort.map(String.init) },
        "port.listeners": { $0.event.connection.destPort.map(WellKnownPorts.describe) },
        "denied_by": { $0.event.ruleDetails.ruleName },
        "denied_by.reference": { $0.event.ruleDetails.reference },
        "denied_by.priority": { $0.event.ruleDetails.priority.map(String.init) },
        "rule.target_tags": { $0.event.ruleDetails.targetTag.joined(separator: ",") },
        "rule.source_ranges": { $0.event.ruleDetails.sourceRange.joined(separator: ",") },
        "rule.destination_ranges": { $0.event.ruleDetails.destinationRange.joined(separator: ",") },
        "network": { $0.network },
        "project": { $0.project },
        "subnetwork": { $0.event.vpc?.subnetworkName },
        "instance": { $0.event.instance?.vmName },
        "zone": { $0.event.instance?.zone },
        "region": { $0.event.instance?.region },
        "remote_location": { $0.event.remoteLocation?.summary },
        "remote_location.country": { $0.event.remoteLocation?.country },
        "remote_instance": { $0.event.remoteInstance?.vmName },
        "master_cidr": { $0.vmCluster?.masterCIDR?.description ?? $0.topology.masterCIDR?.description },
        "node_tag": { $0.vmCluster?.nodeTag ?? $0.topology.bestNodeTag?.tag },
        "pod_cidrs": { facts in
            let pods = facts.vmCluster?.podCIDRs ?? facts.topology.podCIDRs
            return pods.isEmpty ? nil : pods.map(\.description).joined(separator: ",")
        },
        "cluster": { $0.vmCluster?.clusterName ?? $0.topology.clusterName },
        "fix.priority": { $0.fixPriority.map(String.init) },
    ]

    /// Names only templates may use: they describe a whole finding, not one flow.
    public static let findingFields: Set<String> = [
        "count", "first_seen", "last_seen", "sources", "destinations", "src.ranges", "dst.ranges", "src.roles",
        "dst.roles", "dst.ports", "denied_by.list", "examples",
    ]

    public func value(_ field: String) -> String? { Self.fields[field]?(self) }

    /// The `disposition` fact for a logged disposition.
    static func disposition(_ logged: String?) -> String { (logged ?? "").uppercased() }

    /// Whether any of `rules` could match a group with this logged disposition, judged by their
    /// `disposition` tests alone: the engine decodes no group that none of them could match.
    static func anyRuleAccepts(disposition logged: String?, _ rules: [Rule]) -> Bool {
        let value = disposition(logged)
        let index = fieldIndex["disposition"]
        return rules.contains { rule in rule.matches { $0.allSatisfy { $0.fieldIndex != index || $0.evaluate(value) } } }
    }

    /// Every field name, in a fixed order: predicates keep an index into it, so the engine
    /// looks a value up by position, not by hashing its name, once per flow group.
    public static let fieldNames: [String] = fields.keys.sorted()
    static let fieldIndex: [String: Int] = Dictionary(uniqueKeysWithValues: fieldNames.enumerated().map { ($1, $0) })
    static let accessors: [@Sendable (FlowFacts) -> String?] = fieldNames.map { fields[$0]! }

    /// Field values for one group, each computed the first time it is asked for.
    struct Values {
        let facts: FlowFacts
        private var cache: [String??] = Array(repeating: nil, count: FlowFacts.fieldNames.count)

        init(_ facts: FlowFacts) { self.facts = facts }

        mutating func value(_ index: Int) -> String? {
            if let hit = cache[index] { return hit }
            let computed = FlowFacts.accessors[index](facts)
            cache[index] = .some(computed)
            return computed
        }

        mutating func matches(_ predicates: [FieldPredicate]) -> Bool {
            for predicate in predicates where !predicate.evaluate(value(predicate.fieldIndex)) { return false }
            return true
        }
    }

    public var network: String? {
        if let explicit = topology.network { return explicit }
        return event.vpc?.vpcName ?? event.ruleDetails.networkName ?? (vmCluster?.cluster ?? topology.soleCluster)?.network
    }

    public var project: String? {
        topology.project ?? event.vpc?.projectID ?? event.instance?.projectID ?? (vmCluster?.cluster ?? topology.soleCluster)?.project
            ?? event.resourceLabels["project_id"]
    }

    /// What the config says exists for the VM's cluster (else the run's one cluster network).
    func configFact(_ name: String) -> String? {
        let network = vmCluster ?? (topology.clusterNetworks.count == 1 ? topology.clusterNetworks[0] : nil)
        return network?.configFacts[name]
    }

    /// The cluster of the VM the firewall judged (the destination of ingress, the source of
    /// egress), by the range its address is in; else of the other end. Nil when neither
    /// address is in a described cluster's range.
    public var vmCluster: ClusterNetwork? {
        guard topology.clusterNetworks.contains(where: { $0.cluster != nil }) else { return nil }
        let ingress = event.isIngress
        let vmSide = ingress ? destination : source
        let otherSide = ingress ? source : destination
        for assignment in [vmSide, otherSide] {
            if let name = assignment.cluster, let network = topology.clusterNetworks.first(where: { $0.clusterName == name }) {
                return network
            }
        }
        return nil
    }

    /// An allow rule must have a strictly lower priority number than the deny it has to beat
    /// (deny wins ties). 1000 is the default when that is enough.
    public var fixPriority: Int? {
        guard let denying = event.ruleDetails.priority else { return 1000 }
        if denying == 0 { return nil }
        return min(1000, denying - 1)
    }
}
