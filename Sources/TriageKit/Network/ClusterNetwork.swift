import Foundation

/// The cluster's side of the network as the checks need it, from the best source available:
/// the topology (flags, cluster descriptions) first, then what GKE's own firewall rules and the
/// subnets say. Each value says where it came from so a check never guesses silently.
public struct ClusterNetwork: Sendable {
    public var network: String?
    public var nodeTag: String?
    public var nodeTagSource: String
    public var nodeServiceAccount: String?
    /// Tags the user put on node pools, which rules may target as well as GKE's own tag.
    public var userNodeTags: [String]
    public var masterCIDR: CIDR?
    public var nodeCIDRs: [CIDR]
    public var podCIDRs: [CIDR]
    /// The subnets the nodes live in (with their region and secondary ranges when known).
    public var nodeSubnets: [Subnetwork]
    public var region: String?
    public var project: String?

    public init(config: ConfigSnapshot, topology: Topology, nodeServiceAccount: String? = nil) {
        let cluster = topology.clusters.first
        // GKE creates gke-<cluster>-<hash>-master (source: the master range, target: the node
        // tag), -vms (source: the node subnet) and -all (source: the pod ranges).
        let gke = config.firewallRules.filter { $0.name.hasPrefix("gke-") }
        let masterRule = gke.first { $0.name.hasSuffix("-master") && !($0.targetTags ?? []).isEmpty }
        network = topology.network ?? cluster?.network.map(ConfigValue.lastSegment) ?? masterRule?.network
            ?? (config.networks.count == 1 ? config.networks[0].name : nil)
            ?? Self.mostCommon(config.firewallRules.compactMap(\.network))
        // A tag GKE's own rule targets beats one derived from the cluster id (an
        // undocumented pattern).
        if let best = topology.bestNodeTag, best.confidence == .known {
            nodeTag = best.tag
            nodeTagSource = "known"
        } else if let rule = masterRule, let tag = rule.targetTags?.first {
            nodeTag = tag
            nodeTagSource = "target tag of \(rule.name)"
        } else if let best = topology.bestNodeTag {
            nodeTag = best.tag
            nodeTagSource = "derived from the cluster id"
        } else {
            nodeTag = nil
            nodeTagSource = "unknown"
        }
        self.nodeServiceAccount = nodeServiceAccount ?? Self.nodeServiceAccount(of: cluster, rules: config.firewallRules)
        userNodeTags = cluster?.userNodeTags ?? []
        masterCIDR = topology.masterCIDR ?? masterRule?.sourceRanges?.first
        project = topology.project ?? cluster?.project
        region = cluster?.location.map { location in
            // A zonal cluster's location is a zone (us-central1-b); its region drops the suffix.
            let parts = location.split(separator: "-")
            return parts.count == 3 && parts[2].count == 1 ? parts.dropLast().joined(separator: "-") : location
        }
        let network = network
        let region = region
        let inNetwork = config.subnetworks.filter { network == nil || $0.network == nil || $0.network == network }
        var subnets: [Subnetwork] = []
        if let name = cluster?.subnetwork.map(ConfigValue.lastSegment) {
            subnets = inNetwork.filter { $0.name == name && (region == nil || $0.region == nil || $0.region == region) }
        }
        if subnets.isEmpty, !topology.nodeCIDRs.isEmpty {
            subnets = inNetwork.filter { s in topology.nodeCIDRs.contains { s.primary.contains($0) || $0.contains(s.primary) } }
        }
        if subnets.isEmpty, inNetwork.count == 1 { subnets = inNetwork }
        nodeSubnets = subnets
        var nodes = topology.nodeCIDRs
        for subnet in subnets where !nodes.contains(subnet.primary) { nodes.append(subnet.primary) }
        if nodes.isEmpty, let vms = gke.first(where: { $0.name.hasSuffix("-vms") })?.sourceRanges {
            nodes = vms
        }
        nodeCIDRs = nodes
        var pods = topology.podCIDRs
        if pods.isEmpty, let all = gke.first(where: { $0.name.hasSuffix("-all") })?.sourceRanges { pods = all }
        podCIDRs = pods
        if region == nil { self.region = subnets.first?.region }
    }

    /// The tags every check puts on node and pod VMs: GKE's own and the node pools' (a rule
    /// targeting a tag only some pools carry is taken as reaching all of them).
    public var vmTags: [String] { (nodeTag.map { [$0] } ?? []) + userNodeTags.filter { $0 != nodeTag } }

    /// The node pools' service account. "default" is PROJECT_NUMBER-compute@developer.gserviceaccount.com;
    /// the number is not in the cluster description, so it is taken from a firewall rule that
    /// names such an account, else left unknown (rules by service account then say undetermined).
    static func nodeServiceAccount(of cluster: ClusterInfo?, rules: [FirewallRule]) -> String? {
        guard let account = cluster?.nodeServiceAccounts.first else { return nil }
        guard account == "default" else { return account }
        let named = rules.flatMap { ($0.targetServiceAccounts ?? []) + ($0.sourceServiceAccounts ?? []) }
        return named.first { $0.hasSuffix("-compute@developer.gserviceaccount.com") }
    }

    private static func mostCommon(_ values: [String]) -> String? {
        Dictionary(grouping: values, by: { $0 }).max { $0.value.count < $1.value.count }?.key
    }

    /// The node subnet's secondary ranges that hold pods.
    public func podSecondaryRanges(of subnet: Subnetwork) -> [Subnetwork.SecondaryRange] {
        (subnet.secondaryRanges ?? []).filter { range in podCIDRs.contains { range.cidr.contains($0) || $0.contains(range.cidr) } }
    }
}
