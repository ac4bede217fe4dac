import Foundation

/// Everything known about the network, from the best source available: flags, then cluster
/// descriptions, then Google's fixed ranges, then what the logs themselves imply.
public struct Topology: Sendable {
    private struct Entry: Sendable {
        var role: Role
        var confidence: Confidence
        var reason: String
        /// The cluster whose description gave the range; nil for flags and inferences.
        var cluster: String? = nil
    }

    private var known = PrefixTable<Entry>()
    private var special = PrefixTable<Entry>()
    private var inferredHosts = AddressMap<Entry>()
    private var inferred = PrefixTable<Entry>()
    private var google = PrefixTable<Entry>()
    private var nonPublic = PrefixTable<Entry>()

    public private(set) var clusters: [ClusterInfo] = []
    /// `--cluster NAME` among several clusters: checks and fixes are about that one alone.
    public var selectedCluster: String?
    /// Each cluster's side of the network (one entry without a cluster when none is known),
    /// worked out once the config is read; findings take their cluster's values from it.
    public var clusterNetworks: [ClusterNetwork] = []
    /// Explicit values from flags; they win over anything found in inputs.
    public var project: String?
    public var network: String?
    public var nodeTag: String?
    /// The time to judge durations against ("running for 70 minutes"), µs since the epoch; the
    /// clock when nil. Fixed in samples and tests so results do not depend on the day.
    public var now: Int64?
    /// Facts worked out from logs, for the account printed at the end.
    /// Ranges whose role was inferred (a master range from GKE's rule, …), in the order learned.
    private var rangeInferences: [String] = []
    /// GKE VMs whose addresses were taken for nodes, with how many addresses each (the first 20 VMs named).
    private var observedVMs: [(name: String, addresses: Int)] = []
    /// Every GKE VM name seen (a cluster's nodes: bounded by its size, not by the log's).
    private var observedVMNames: Set<String> = []

    /// Every inference made, for `--verbose` and the JSON summary: ranges whose role was inferred,
    /// addresses taken for nodes because a GKE VM logged them, and where the node tag came from.
    public var inferences: [String] {
        var lines = rangeInferences
        for vm in observedVMs {
            lines.append("\(vm.addresses) address\(vm.addresses == 1 ? "" : "es") seen on GKE VM \(vm.name): nodes (or pods on them) where no given range says otherwise")
        }
        if observedVMNames.count > observedVMs.count {
            lines.append("and addresses on \(observedVMNames.count - observedVMs.count) more GKE VMs")
        }
        if nodeTag == nil, let tag = observedNodeTags.first {
            lines.append("node tag \(tag): the target tag of GKE's own firewall rule (give --node-tag to choose another)")
        } else if nodeTag == nil, let cluster = clusters.first(where: { $0.derivedNodeTag != nil }), let tag = cluster.derivedNodeTag {
            lines.append("node tag \(tag): made from cluster \(cluster.name)'s id as GKE names it, not documented (give --node-tag or the firewall rules to be sure)")
        }
        return lines
    }
    /// Control-plane, pod and node ranges, each with the cluster it belongs to (nil: a flag or
    /// an inference, which belongs to whichever cluster the run is about).
    private var owned: [(cidr: CIDR, role: Role, confidence: Confidence, cluster: String?)] = []

    /// The clusters the run is about: the one `--cluster` names, else all of them.
    public var activeClusters: [ClusterInfo] {
        guard let selectedCluster else { return clusters }
        return clusters.filter { $0.name == selectedCluster }
    }

    /// The one cluster the run is about, when there is one: values not tied to an address
    /// (the node tag, pod ranges for a fix) come from it. With several, such a value would be
    /// another cluster's as often as not, so it stays unknown.
    public var soleCluster: ClusterInfo? { activeClusters.count == 1 ? activeClusters[0] : nil }

    /// Ranges of `role` that belong to the run's cluster: flags and inferences always, a
    /// description's only when it is the sole cluster (or there is none).
    private func ranges(_ role: Role) -> [(cidr: CIDR, confidence: Confidence)] {
        let sole = activeClusters.count <= 1
        let active = Set(activeClusters.map(\.name))
        return owned.filter { $0.role == role && ($0.cluster == nil || (sole && active.contains($0.cluster!))) }
            .map { ($0.cidr, $0.confidence) }
    }

    public var masterCIDRs: [(cidr: CIDR, confidence: Confidence)] {
        ranges(.controlPlane).enumerated().sorted { a, b in
            a.element.confidence != b.element.confidence ? a.element.confidence > b.element.confidence : a.offset < b.offset
        }.map(\.element)
    }
    public var podCIDRs: [CIDR] { ranges(.pod).map(\.cidr) }
    /// Node (subnet primary) ranges given by flag or known from a cluster's subnet.
    public var nodeCIDRs: [CIDR] { ranges(.node).map(\.cidr) }
    /// Node tags seen as targets of GKE's own rules in the logs.
    public private(set) var observedNodeTags: [String] = []

    public init() {
        for (text, role, reason) in WellKnownRanges.special {
            special.insert(CIDR(text)!, Entry(role: role, confidence: .known, reason: reason))
        }
        for text in WellKnownRanges.google {
            google.insert(
                CIDR(text)!,
                Entry(role: .googlePublic, confidence: .known,
                      reason: "in Google's published ranges (goog.json \(WellKnownRanges.googleSyncToken))"))
        }
        for text in WellKnownRanges.nonPublic {
            nonPublic.insert(CIDR(text)!, Entry(role: .privateOther, confidence: .known, reason: "private address space"))
        }
    }

    // MARK: adding facts

    public mutating func addRange(_ cidr: CIDR, role: Role, reason: String, confidence: Confidence = .known) {
        addRange(cidr, role: role, reason: reason, confidence: confidence, cluster: nil)
    }

    /// A range a cluster's description (or its subnet) gives; `cluster` names the owner.
    mutating func addRange(_ cidr: CIDR, role: Role, reason: String, confidence: Confidence, cluster: String?) {
        let entry = Entry(role: role, confidence: confidence, reason: reason, cluster: cluster)
        if confidence == .known { known.insert(cidr, entry) } else { inferred.insert(cidr, entry) }
        if [.controlPlane, .pod, .node].contains(role),
            !owned.contains(where: { $0.cidr == cidr && $0.role == role && $0.cluster == cluster })
        {
            owned.append((cidr, role, confidence, cluster))
        }
        if confidence == .inferred { rangeInferences.append("\(cidr) is \(role.phrase): \(reason)") }
    }

    public mutating func addCluster(_ cluster: ClusterInfo) {
        if clusters.contains(cluster) { return }
        clusters.append(cluster)
        let from = "cluster \(cluster.name) (\(cluster.source))"
        if let master = cluster.masterCIDR {
            addRange(master, role: .controlPlane, reason: "masterIpv4CidrBlock of \(from)", confidence: .known, cluster: cluster.name)
        }
        // The endpoint sits inside the master range when there is one; the range says more.
        // When the description's range was invalid, the endpoint is known as a control-plane
        // address but is no range: fixes keep the range unknown rather than narrow it to one address.
        if let endpoint = cluster.privateEndpoint, cluster.hasRejectedMasterRange {
            if inferredHosts[endpoint] == nil {
                inferredHosts[endpoint] = Entry(
                    role: .controlPlane, confidence: .known,
                    reason: "private endpoint of \(from), whose masterIpv4CidrBlock is invalid (range unknown)", cluster: cluster.name)
            }
        } else if let endpoint = cluster.privateEndpoint, !(cluster.masterCIDR?.contains(endpoint) ?? false) {
            let host = CIDR(network: endpoint, prefixLength: endpoint.isV4 ? 32 : 128)
            addRange(host, role: .controlPlane, reason: "private endpoint of \(from)", confidence: .known, cluster: cluster.name)
        }
        for (pool, cidr) in cluster.podRanges {
            addRange(cidr, role: .pod, reason: "pod range (\(pool)) of \(from)", confidence: .known, cluster: cluster.name)
        }
        if let services = cluster.servicesCIDR {
            addRange(services, role: .service, reason: "servicesIpv4Cidr of \(from)", confidence: .known, cluster: cluster.name)
        }
    }

    /// An address seen as a GKE VM in a log (`instance.vm_name` of `gke-…`). It may be the node's
    /// own address or a pod's alias address on that node.
    public mutating func addObservedNode(_ address: IPAddress, vmName: String) {
        guard inferredHosts[address] == nil else { return }
        inferredHosts[address] = Entry(
            role: .node, confidence: .inferred,
            reason: "seen on GKE VM \(vmName); without the cluster's pod ranges a pod on that VM looks the same")
        observedVMNames.insert(vmName)
        if let index = observedVMs.firstIndex(where: { $0.name == vmName }) {
            observedVMs[index].addresses += 1
        } else if observedVMs.count < 20 {
            observedVMs.append((vmName, 1))
        }
    }

    public mutating func addObservedNodeTag(_ tag: String) {
        if !observedNodeTags.contains(tag) { observedNodeTags.append(tag) }
    }

    // MARK: questions

    public func classify(_ address: IPAddress) -> RoleAssignment {
        if let (cidr, entry) = known.longestMatch(address) {
            return RoleAssignment(role: entry.role, range: cidr, confidence: entry.confidence, reason: entry.reason, cluster: entry.cluster)
        }
        if let (cidr, entry) = special.longestMatch(address) {
            return RoleAssignment(role: entry.role, range: cidr, confidence: .known, reason: entry.reason)
        }
        if let entry = inferredHosts[address] {
            return RoleAssignment(role: entry.role, range: nil, confidence: .inferred, reason: entry.reason, cluster: entry.cluster)
        }
        if let (cidr, entry) = inferred.longestMatch(address) {
            return RoleAssignment(role: entry.role, range: cidr, confidence: .inferred, reason: entry.reason)
        }
        if let (cidr, entry) = google.longestMatch(address) {
            return RoleAssignment(role: .googlePublic, range: cidr, confidence: .known, reason: entry.reason)
        }
        if let (cidr, _) = nonPublic.longestMatch(address) {
            let why = clusters.isEmpty && masterCIDRs.isEmpty
                ? "private address space; no cluster ranges given (--cluster or --master-cidr/--pod-cidr/--node-cidr)"
                : "private address space outside the cluster's known ranges"
            return RoleAssignment(role: .privateOther, range: cidr, confidence: .known, reason: why)
        }
        return RoleAssignment(role: .internet, range: nil, confidence: .known, reason: "public address outside Google's ranges")
    }

    /// The best master range, known before inferred.
    public var masterCIDR: CIDR? { masterCIDRs.first?.cidr }

    /// The node tag to target in fixes, and whether it was inferred.
    public var bestNodeTag: (tag: String, confidence: Confidence)? {
        if let nodeTag { return (nodeTag, .known) }
        // Several clusters: each has its own tag, which findings take from their cluster's network.
        if activeClusters.count > 1 { return nil }
        if let sole = soleCluster, clusters.count > 1 {
            if let tag = observedNodeTags.first(where: { ClusterNetwork.isGKETag($0, of: sole) }) { return (tag, .known) }
            return sole.derivedNodeTag.map { ($0, .inferred) }
        }
        if let tag = observedNodeTags.first { return (tag, .known) }
        if let tag = clusters.lazy.compactMap(\.derivedNodeTag).first { return (tag, .inferred) }
        return nil
    }

    /// The cluster the run is about, when there is one.
    public var clusterName: String? { soleCluster?.name }

    /// The network of the cluster an address belongs to (by its range), for values a finding
    /// about that address needs: its cluster, node tag, pod ranges.
    public func clusterNetwork(of address: IPAddress) -> ClusterNetwork? {
        guard let name = classify(address).cluster else { return nil }
        return clusterNetworks.first { $0.cluster?.name == name }
    }

    /// The range an address can be folded into while reading: one whose role can no longer
    /// change (a known cluster or flag range, or one of Google's fixed ranges). Addresses outside
    /// them stay exact, because the logs may still tell what they are.
    /// The IPv4 ranges `stableRange` consults, in the order it consults them, each with whether
    /// an address that falls in it (and in no range before it) is folded into it. Lets the hot
    /// path test a handful of masks instead of probing hash maps.
    public var stableV4Ranges: [(cidr: CIDR, folds: Bool)] {
        known.entriesLongestFirst.filter { $0.cidr.isV4 }.map { ($0.cidr, true) }
            + special.entriesLongestFirst.filter { $0.cidr.isV4 }.map { ($0.cidr, $0.value.role != .metadata) }
    }

    /// Every range and host `classify` tries before Google's ranges and private space (given,
    /// described, learned from the logs): what can make a public address more than "internet".
    var rangesAheadOfPublic: [CIDR] {
        known.entriesLongestFirst.map(\.cidr) + inferred.entriesLongestFirst.map(\.cidr)
            + inferredHosts.entries.map(\.key).map { CIDR(network: $0, prefixLength: $0.isV4 ? 32 : 128) }
    }

    public func stableRange(_ address: IPAddress) -> CIDR? {
        if let (cidr, _) = known.longestMatch(address) { return cidr }
        if let (cidr, entry) = special.longestMatch(address), entry.role != .metadata { return cidr }
        return nil
    }
}
