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

    /// The cluster these values are for (nil: none was described; the values then come from
    /// flags and GKE's rules).
    public var cluster: ClusterInfo?
    /// Whether the nodes have internal addresses only; nil when not known.
    public var privateNodes: Bool?
    /// Something says a GKE cluster is here: a description, GKE's own rules, or ranges given by
    /// flag. Checks that only make sense for a cluster (routes and DNS to Google's VIPs, NAT)
    /// need it.
    public var hasCluster: Bool
    /// The cluster's location (zone or region).
    public var location: String?
    /// What the config says already exists for this cluster (`ConfigState`), for remedies.
    public var configFacts: [String: String] = [:]

    /// One network per cluster the run is about (the one `--cluster` names, else every one
    /// described), or a single one without a cluster when none is.
    public static func all(config: ConfigSnapshot, topology: Topology, nodeServiceAccount: String? = nil) -> [ClusterNetwork] {
        let clusters = topology.activeClusters
        guard !clusters.isEmpty else { return [ClusterNetwork(config: config, topology: topology, nodeServiceAccount: nodeServiceAccount)] }
        return clusters.map { ClusterNetwork(config: config, topology: topology, cluster: $0, nodeServiceAccount: nodeServiceAccount) }
    }

    /// The network of the run's sole cluster (or of none): flags, inferences and every GKE rule count.
    public init(config: ConfigSnapshot, topology: Topology, nodeServiceAccount: String? = nil) {
        self.init(config: config, topology: topology, cluster: topology.soleCluster, nodeServiceAccount: nodeServiceAccount)
    }

    /// `cluster`'s network. When the run has several clusters, only the cluster's own values
    /// and its own GKE rules (gke-NAME-HASH-…) count: a range given by flag or a tag seen in a
    /// log may be another cluster's.
    public init(config: ConfigSnapshot, topology: Topology, cluster: ClusterInfo?, nodeServiceAccount: String? = nil) {
        let shared = topology.activeClusters.count <= 1
        self.cluster = cluster
        privateNodes = cluster?.privateNodes
        location = cluster?.location
        // GKE creates gke-<cluster>-<hash>-master (source: the master range, target: the node
        // tag), -vms (source: the node subnet) and -all (source: the pod ranges).
        let gke = config.firewallRules.filter { rule in
            guard rule.name.hasPrefix("gke-") else { return false }
            return cluster == nil || shared && topology.clusters.count <= 1 || Self.isGKEName(rule.name, of: cluster!)
        }
        let masterRule = gke.first { $0.name.hasSuffix("-master") && !($0.targetTags ?? []).isEmpty }
        network = (shared ? topology.network : nil) ?? cluster?.network.map(ConfigValue.lastSegment) ?? masterRule?.network
            ?? (config.networks.count == 1 ? config.networks[0].name : nil)
            ?? (shared ? Self.mostCommon(config.firewallRules.compactMap(\.network)) : nil)
        // A tag GKE's own rule targets beats one derived from the cluster id (an
        // undocumented pattern).
        let ownObserved = cluster.flatMap { c in topology.observedNodeTags.first { Self.isGKETag($0, of: c) } }
        if shared, let best = topology.bestNodeTag, best.confidence == .known {
            nodeTag = best.tag
            nodeTagSource = "known"
        } else if !shared, let tag = ownObserved {
            nodeTag = tag
            nodeTagSource = "known"
        } else if let rule = masterRule, let tag = rule.targetTags?.first {
            nodeTag = tag
            nodeTagSource = "target tag of \(rule.name)"
        } else if let derived = shared ? topology.bestNodeTag?.tag : cluster?.derivedNodeTag {
            nodeTag = derived
            nodeTagSource = "derived from the cluster id"
        } else {
            nodeTag = nil
            nodeTagSource = "unknown"
        }
        self.nodeServiceAccount = nodeServiceAccount ?? Self.nodeServiceAccount(of: cluster, rules: config.firewallRules)
        userNodeTags = cluster?.userNodeTags ?? []
        masterCIDR = (shared ? topology.masterCIDR : cluster?.masterCIDR) ?? masterRule?.sourceRanges?.first
        project = topology.project ?? cluster?.project
        region = cluster?.location.map { location in
            // A zonal cluster's location is a zone (us-central1-b); its region drops the suffix.
            let parts = location.split(separator: "-")
            return parts.count == 3 && parts[2].count == 1 ? parts.dropLast().joined(separator: "-") : location
        }
        let network = network
        let region = region
        let givenNodes = shared ? topology.nodeCIDRs : []
        let inNetwork = config.subnetworks.filter { network == nil || $0.network == nil || $0.network == network }
        var subnets: [Subnetwork] = []
        if let name = cluster?.subnetwork.map(ConfigValue.lastSegment) {
            subnets = inNetwork.filter { $0.name == name && (region == nil || $0.region == nil || $0.region == region) }
        }
        if subnets.isEmpty, !givenNodes.isEmpty {
            subnets = inNetwork.filter { s in givenNodes.contains { s.primary.contains($0) || $0.contains(s.primary) } }
        }
        if subnets.isEmpty, inNetwork.count == 1, shared { subnets = inNetwork }
        nodeSubnets = subnets
        var nodes = givenNodes
        for subnet in subnets where !nodes.contains(subnet.primary) { nodes.append(subnet.primary) }
        if nodes.isEmpty, let vms = gke.first(where: { $0.name.hasSuffix("-vms") })?.sourceRanges {
            nodes = vms
        }
        nodeCIDRs = nodes
        var pods = shared ? topology.podCIDRs : (cluster?.podRanges.map(\.cidr) ?? [])
        if pods.isEmpty, let all = gke.first(where: { $0.name.hasSuffix("-all") })?.sourceRanges { pods = all }
        podCIDRs = pods
        if region == nil { self.region = subnets.first?.region }
        hasCluster = cluster != nil || masterRule != nil || !givenNodes.isEmpty || !topology.podCIDRs.isEmpty
            || topology.masterCIDR != nil
    }

    /// GKE names a cluster's firewall rules gke-NAME-HASH-SUFFIX, HASH the first 8 hex digits of
    /// the cluster id; a long NAME is cut short to fit 63 characters, so a shorter NAME that is
    /// a prefix of the cluster's counts when the hash is the cluster's own.
    static func isGKEName(_ name: String, of cluster: ClusterInfo) -> Bool {
        guard name.hasPrefix("gke-") else { return false }
        let rest = name.dropFirst(4)
        if let id = cluster.id, id.count >= 8 {
            guard let range = rest.range(of: "-\(id.prefix(8))-") else { return false }
            let namePart = rest[..<range.lowerBound]
            return !namePart.isEmpty && cluster.name.hasPrefix(namePart)
        }
        // Without the id the name must be whole, followed by an 8-hex-digit hash.
        guard rest.hasPrefix(cluster.name + "-") else { return false }
        let after = rest.dropFirst(cluster.name.count + 1)
        let hash = after.prefix { $0 != "-" }
        return hash.count == 8 && hash.allSatisfy(\.isHexDigit) && after.count > 9
    }

    /// A node tag GKE gave this cluster's nodes (gke-NAME-HASH-node).
    public static func isGKETag(_ tag: String, of cluster: ClusterInfo) -> Bool {
        tag.hasSuffix("-node") && isGKEName(tag, of: cluster)
    }

    /// The cluster's name, for findings that name it.
    public var clusterName: String? { cluster?.name }

    /// Puts this cluster's values on a check's facts, where the check did not set its own:
    /// a finding then names its cluster and its fix uses that cluster's ranges and tag.
    func label(_ facts: inout [String: String]) {
        func set(_ name: String, _ value: String?) { if facts[name] == nil, let value { facts[name] = value } }
        set("cluster", clusterName)
        set("location", location)
        set("node_tag", nodeTag)
        set("network", network)
        set("project", project)
        set("master_cidr", masterCIDR?.description)
        set("pod_cidrs", podCIDRs.isEmpty ? nil : podCIDRs.map(\.description).joined(separator: ","))
        for (name, value) in configFacts { set(name, value) }
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
