import Foundation

/// Whether a cluster's address ranges and its Cloud NAT have room for its nodes, from the cluster
/// description (`gcloud container clusters describe`), the subnets and the NAT config and status.
/// Produces `kind: "config"` observations only for what is full or about to be:
///
/// - pod-range-capacity: a pod range (VPC-native: a secondary range; routes-based: `clusterIpv4Cidr`
///   less the services block inside it) that is full, above 80 % used, or too small for the
///   autoscaler's maximum. Facts `state` (full | high | max-unreachable), `cluster`, `location`,
///   `project`, `network`, `region`, `subnet`, `range`, `range.name`, `range.kind` (vpc-native | routes),
///   `range.addresses` (addresses pods can take), `node_block` (each node's block, "/24"),
///   `nodes.fit` (nodes whose blocks fit), `utilization` (percent), `utilization.source`
///   (reported: GKE's `podIpv4RangeUtilization`/`defaultPodIpv4RangeUtilization`; estimated:
///   `currentNodeCount` × block), `nodes.now`, `nodes.max` (the node pools' autoscaling maxima,
///   fixed pools at their size), `pools`, `threshold` (80), `fix.prefix` (the prefix length of a new
///   pod range: the shortfall at the maximum, at least the current range's size), `fix.range_name`.
/// - node-subnet-capacity: the cluster's node subnet (its primary range less the 4 addresses
///   every subnet reserves) against `currentNodeCount` and the pools' maxima. Facts `state`, `cluster`,
///   `location`, `project`, `network`, `region`, `subnet`, `subnet.range`, `subnet.usable`, `nodes.now`,
///   `nodes.max`, `utilization`, `threshold`, `fix.prefix` (the prefix `expand-ip-range` needs for the
///   maximum, or twice today's nodes), `fix.range` (the expanded range).
/// - nat-capacity: a MANUAL_ONLY Cloud NAT gateway serving the cluster's region whose addresses
///   cannot give every node its minimum ports (`natIps` × 64,512 ports < `minPortsPerVm` × nodes), or
///   whose router status says `minExtraNatIpsNeeded` > 0. Facts `nat`, `router`, `region`, `network`,
///   `project`, `cluster`, `nat.ips`, `min_ports` (per VM), `min_ports.source` (set | default),
///   `dynamic_ports` (yes | no), `vms.fit`, `nodes.now`, `nodes.max`, `status.extra_ips` (from the
///   router status, "not read" without it), `extra_ips` (the larger of the status's and the
///   computed), `fix.new_addresses` (comma-separated names for the new addresses), `fix.ip_pool`
///   (the gateway's addresses with them), `fix.min_ports` (the largest power of two ≥ 32 the
///   present addresses can give every node, "none" when under 32).
///
/// `reclassified(_:config:clusters:)` turns GKE's "IP space of '…/subnetworks/S' is exhausted" into
/// node subnet exhaustion when S is the cluster's own node subnet, not a pod range.
public enum CapacityChecks {
    /// Above this share used, a range is reported: Network Analyzer's "High GKE Pod ranges
    /// allocation" insight fires above 80 %
    /// (https://cloud.google.com/network-intelligence-center/docs/network-analyzer/insights/kubernetes-engine/gke-ip-utilization).
    static let highUtilization = 0.8
    /// Addresses Google Cloud reserves in every subnet's primary range: network, gateway,
    /// second-to-last and broadcast (https://cloud.google.com/vpc/docs/subnets#unusable-ip-addresses-in-every-subnet).
    static let reservedPerSubnet = 4

    public static func run(config: ConfigSnapshot, cluster: ClusterInfo, network: ClusterNetwork) -> [Observation] {
        podRangeChecks(config: config, cluster: cluster, network: network)
            + nodeSubnetChecks(config: config, cluster: cluster, network: network)
            + natChecks(config: config, cluster: cluster, network: network)
    }

    // MARK: shared

    /// The facts every capacity observation carries about its cluster.
    static func base(_ cluster: ClusterInfo, _ network: ClusterNetwork) -> [String: String] {
        var facts: [String: String] = ["cluster": cluster.name]
        facts["location"] = cluster.location
        facts["project"] = cluster.project ?? network.project
        facts["network"] = cluster.network.map(ConfigValue.lastSegment) ?? network.network
        facts["region"] = region(of: cluster) ?? network.region
        facts["subnet"] = cluster.subnetwork.map(ConfigValue.lastSegment)
        return facts
    }

    static func region(of cluster: ClusterInfo) -> String? {
        cluster.location.map(GCPLocation.region(of:))
    }

    /// The cluster's own node subnet: by the name its description gives, else the network's.
    static func nodeSubnet(config: ConfigSnapshot, cluster: ClusterInfo, network: ClusterNetwork) -> Subnetwork? {
        let region = region(of: cluster)
        if let name = cluster.subnetwork.map(ConfigValue.lastSegment) {
            return config.subnetworks.first { $0.name == name && (region == nil || $0.region == nil || $0.region == region) }
        }
        return network.nodeSubnets.count == 1 ? network.nodeSubnets[0] : nil
    }

    /// Each node's pod block: `podIpv4CidrSize`, else the smallest block holding twice the
    /// maximum pods (GKE's rule: 110 pods → /24, 32 → /26, 8 → /28;
    /// https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr).
    static func blockPrefix(_ pool: ClusterInfo.Capacity.NodePool?, _ capacity: ClusterInfo.Capacity) -> Int {
        if let prefix = pool?.podBlockPrefix { return prefix }
        let pods = max(pool?.maxPodsPerNode ?? capacity.defaultMaxPodsPerNode ?? 110, 1)
        var size = 1
        var bits = 0
        while size < 2 * pods && bits < 32 {
            size <<= 1
            bits += 1
        }
        return 32 - bits
    }

    /// The most nodes a pool may have: the autoscaler's total maximum, its per-zone maximum times
    /// the zones, or a fixed pool's size (`initialNodeCount` per zone); nil when not said, and for
    /// Autopilot and auto-provisioned pools, whose maxima GKE sets (1000 and the like), not the user.
    static func maxNodes(_ pool: ClusterInfo.Capacity.NodePool, _ capacity: ClusterInfo.Capacity) -> Int? {
        if capacity.autopilot || pool.autoprovisioned { return nil }
        let zones = pool.zones ?? capacity.zones ?? 1
        if pool.autoscaling { return pool.totalMaxNodes ?? pool.maxNodesPerZone.map { $0.saturatingMultiplied(by: zones) } }
        return pool.initialNodeCount.map { $0.saturatingMultiplied(by: zones) }
    }

    /// The most nodes the cluster may have, when every pool says; nil unless some pool autoscales.
    static func clusterMaxNodes(_ capacity: ClusterInfo.Capacity) -> Int? {
        guard capacity.nodePools.contains(where: \.autoscaling) else { return nil }
        let maxima = capacity.nodePools.map { maxNodes($0, capacity) }
        guard !maxima.contains(where: { $0 == nil }) else { return nil }
        return maxima.reduce(0) { $0.saturatingAdding($1!) }
    }

    /// The prefix length of the smallest block of at least `addresses` addresses.
    static func prefix(holding addresses: Int) -> Int {
        var bits = 0
        while (1 << bits) < addresses && bits < 32 { bits += 1 }
        return 32 - bits
    }

    static func percent(_ fraction: Double) -> String { String(Int((fraction * 100).rounded(.down))) }

    static func addresses(_ cidr: CIDR) -> Int { 1 << (32 - cidr.prefixLength) }

    // MARK: pod ranges

    static func podRangeChecks(config: ConfigSnapshot, cluster: ClusterInfo, network: ClusterNetwork) -> [Observation] {
        let capacity = cluster.capacity
        let routes = capacity.vpcNative == false
        // The ranges pods take addresses from, with the pools that use each.
        var ranges: [(cidr: CIDR, name: String?, pools: [ClusterInfo.Capacity.NodePool], isDefault: Bool)] = []
        if let cidr = cluster.clusterCIDR, cidr.isV4 {
            ranges.append((cidr, capacity.defaultPodRangeName, [], true))
        }
        for pool in capacity.nodePools {
            if let own = pool.podRange, let i = ranges.firstIndex(where: { $0.cidr == own }) {
                ranges[i].pools.append(pool)
            } else if let own = pool.podRange {
                ranges.append((own, pool.podRangeName, [pool], false))
            } else if let i = ranges.firstIndex(where: \.isDefault) {
                ranges[i].pools.append(pool)
            }
        }
        var out: [Observation] = []
        for range in ranges {
            var room = addresses(range.cidr)
            // Routes-based: the services block is carved out of the same range (its last /20 by default).
            if routes, let services = cluster.servicesCIDR, range.cidr.contains(services) { room -= addresses(services) }
            guard room > 0 else { continue }
            let block = 1 << (32 - blockPrefix(range.pools.first, capacity))
            let everyPool = range.pools.count == capacity.nodePools.count
            // GKE's own figure first; else nodes × block when all nodes draw from this range alike.
            var utilization: Double?
            var source = "unknown"
            let reported = (range.isDefault ? [capacity.defaultPodRangeUtilization] : []) + range.pools.map(\.podRangeUtilization)
            if let value = reported.compactMap({ $0 }).max() {
                utilization = value
                source = "reported"
            } else if everyPool, let nodes = capacity.currentNodeCount,
                Set(range.pools.map { blockPrefix($0, capacity) }).count <= 1
            {
                utilization = Double(nodes.saturatingMultiplied(by: block)) / Double(room)
                source = "estimated"
            }
            var needed: Int?
            if range.pools.contains(where: \.autoscaling) {
                let maxima = range.pools.map { pool in maxNodes(pool, capacity).map { $0.saturatingMultiplied(by: 1 << (32 - blockPrefix(pool, capacity))) } }
                if !maxima.contains(where: { $0 == nil }) { needed = maxima.reduce(0) { $0.saturatingAdding($1!) } }
            }
            let state: String
            if let utilization, (1 - utilization) * Double(room) < Double(block) {
                state = "full"
            } else if let needed, needed > room {
                state = "max-unreachable"
            } else if let utilization, utilization > highUtilization {
                state = "high"
            } else {
                continue
            }
            var facts = base(cluster, network)
            facts["config"] = "pod-range-capacity"
            facts["state"] = state
            facts["range"] = range.cidr.description
            facts["range.name"] = range.name ?? (range.isDefault ? "cluster default" : "node pool range")
            facts["range.kind"] = routes ? "routes" : "vpc-native"
            facts["range.addresses"] = String(room)
            facts["node_block"] = "/\(32 - Int(log2(Double(block))))"
            facts["nodes.fit"] = String(room / block)
            facts["utilization"] = utilization.map(percent) ?? "unknown"
            facts["utilization.source"] = source
            facts["threshold"] = percent(highUtilization)
            facts["pools"] = range.pools.isEmpty ? "none listed" : range.pools.map(\.name).joined(separator: ",")
            if everyPool, let nodes = capacity.currentNodeCount { facts["nodes.now"] = String(nodes) }
            if needed != nil { facts["nodes.max"] = String(range.pools.compactMap { maxNodes($0, capacity) }.reduce(0, +)) }
            // A new range at least as large as the shortfall at the maximum, and as the range
            // today (so the cluster can double): GKE takes node blocks from it for new pools.
            let shortfall = max((needed ?? 0) - room, 0)
            facts["fix.prefix"] = String(prefix(holding: max(shortfall, addresses(range.cidr))))
            facts["fix.range_name"] = newRangeName(range.name ?? "\(cluster.name)-pods")
            let how = utilization.map { "\(percent($0)) % used (\(source))" } ?? "use unknown"
            out.append(Observation(
                kind: "config", facts: facts, source: "cluster description",
                quote: "pod range \(range.cidr) of \(cluster.name): \(how), room for \(room / block) nodes at \(facts["node_block"]!) each"
                    + (needed.map { ", the node pools' maximum needs \($0) addresses of \(room)" } ?? "")))
        }
        return out
    }

    /// `NAME-2` (or one more than a trailing number), kept a valid resource name.
    static func newRangeName(_ name: String) -> String {
        var stem = name
        var next = 2
        if let dash = name.lastIndex(of: "-"), let number = Int(name[name.index(after: dash)...]) {
            stem = String(name[..<dash])
            next = number + 1
        }
        let suffix = "-\(next)"
        let candidate = String(stem.prefix(63 - suffix.count)) + suffix
        return ValueCheck.isResourceName(candidate) ? candidate : "pods\(suffix)"
    }

    // MARK: node subnet

    static func nodeSubnetChecks(config: ConfigSnapshot, cluster: ClusterInfo, network: ClusterNetwork) -> [Observation] {
        guard let subnet = nodeSubnet(config: config, cluster: cluster, network: network), subnet.primary.isV4 else { return [] }
        let usable = addresses(subnet.primary) - reservedPerSubnet
        guard usable > 0 else { return [] }
        let now = cluster.capacity.currentNodeCount
        let most = clusterMaxNodes(cluster.capacity)
        let state: String
        if let now, now >= usable {
            state = "full"
        } else if let most, most > usable {
            state = "max-unreachable"
        } else if let now, Double(now) > highUtilization * Double(usable) {
            state = "high"
        } else {
            return []
        }
        var facts = base(cluster, network)
        facts["config"] = "node-subnet-capacity"
        facts["state"] = state
        facts["subnet"] = subnet.name
        facts["region"] = subnet.region ?? facts["region"]
        facts["subnet.range"] = subnet.primary.description
        facts["subnet.usable"] = String(usable)
        facts["nodes.now"] = now.map(String.init) ?? "unknown"
        facts["nodes.max"] = most.map(String.init) ?? "unknown"
        facts["utilization"] = now.map { percent(Double($0) / Double(usable)) } ?? "unknown"
        facts["threshold"] = percent(highUtilization)
        addExpansion(&facts, subnet: subnet, nodes: max(most ?? 0, 2 * (now ?? 0)))
        return [Observation(
            kind: "config", facts: facts, location: subnet.location, source: "subnetworks",
            quote: "subnet \(subnet.name) (\(subnet.primary)) has \(usable) usable addresses; nodes now \(facts["nodes.now"]!), at most \(facts["nodes.max"]!)")]
    }

    /// `fix.prefix` and `fix.range`: the longest prefix shorter than today's whose range holds
    /// `nodes` nodes besides the reserved addresses (at least one bit shorter: expand-ip-range
    /// only widens). The expanded range keeps the subnet's start.
    static func addExpansion(_ facts: inout [String: String], subnet: Subnetwork, nodes: Int) {
        var prefix = subnet.primary.prefixLength - 1
        while prefix > 8 && (1 << (32 - prefix)) - reservedPerSubnet < nodes { prefix -= 1 }
        facts["fix.prefix"] = String(prefix)
        facts["fix.range"] = CIDR(network: subnet.primary.network, prefixLength: prefix).description
    }

    // MARK: Cloud NAT

    static func natChecks(config: ConfigSnapshot, cluster: ClusterInfo, network: ClusterNetwork) -> [Observation] {
        guard config.listed.contains(.routers) || config.listed.contains(.nats) else { return [] }
        let region = nodeSubnet(config: config, cluster: cluster, network: network)?.region ?? region(of: cluster) ?? network.region
        let clusterNetwork = cluster.network.map(ConfigValue.lastSegment) ?? network.network
        var out: [Observation] = []
        for nat in config.nats {
            let router = nat.router.flatMap { name in config.routers.first { $0.name == name && $0.region == nat.region } }
            guard nat.region == nil || region == nil || nat.region == region,
                router?.network == nil || clusterNetwork == nil || router?.network == clusterNetwork
            else { continue }
            let ports = nat.ports
            // Automatic allocation adds addresses itself; the status's count means nothing then.
            guard ports.allocation == "MANUAL_ONLY" else { continue }
            let status = config.status(of: nat)
            let addresses = ports.natIPs.isEmpty ? (status?.userAllocatedNatIps.count ?? 0) : ports.natIPs.count
            let minPorts = ports.effectiveMinPortsPerVM
            let perAddress = CloudNAT.Ports.portsPerAddress / minPorts
            let fit = addresses * perAddress
            let nodes = cluster.capacity.currentNodeCount
            let computedExtra = nodes.map { max(($0 + perAddress - 1) / perAddress - addresses, 0) } ?? 0
            let statusExtra = status?.minExtraNatIpsNeeded ?? 0
            let extra = max(computedExtra, statusExtra)
            guard extra > 0 else { continue }
            var facts = base(cluster, network)
            facts["config"] = "nat-capacity"
            facts["nat"] = nat.name
            facts["router"] = nat.router
            facts["region"] = nat.region ?? region
            facts["network"] = router?.network ?? clusterNetwork
            facts["nat.ips"] = String(addresses)
            facts["min_ports"] = String(minPorts)
            facts["min_ports.source"] = ports.minPortsPerVM == nil ? "default" : "set"
            facts["dynamic_ports"] = ports.dynamicPortAllocation ? "yes" : "no"
            facts["vms.fit"] = String(fit)
            facts["nodes.now"] = nodes.map(String.init) ?? "unknown"
            facts["nodes.max"] = clusterMaxNodes(cluster.capacity).map(String.init) ?? "unknown"
            facts["status.extra_ips"] = status?.minExtraNatIpsNeeded.map(String.init) ?? "not read"
            facts["extra_ips"] = String(extra)
            var names = ports.natIPs
            var added: [String] = []
            var n = names.count + 1
            while added.count < extra {
                let candidate = String(nat.name.prefix(50)) + "-ip-\(n)"
                n += 1
                if names.contains(candidate) { continue }
                added.append(candidate)
            }
            names += added
            facts["fix.new_addresses"] = added.joined(separator: ",")
            facts["fix.ip_pool"] = names.joined(separator: ",")
            if let nodes, nodes > 0, addresses > 0 {
                // The largest power of two each node can have from the addresses there are
                // (dynamic allocation needs a power of two of at least 32).
                let share = addresses * CloudNAT.Ports.portsPerAddress / nodes
                var power = 32
                while power * 2 <= share { power *= 2 }
                facts["fix.min_ports"] = share >= 32 && power < minPorts ? String(power) : "none"
            } else {
                facts["fix.min_ports"] = "none"
            }
            out.append(Observation(
                kind: "config", facts: facts, location: router?.location, source: "Cloud NAT gateways",
                quote: "Cloud NAT \(nat.name): \(addresses) address(es) × \(CloudNAT.Ports.portsPerAddress) ports / \(minPorts) per VM = \(fit) VMs"
                    + "; nodes \(facts["nodes.now"]!); router status: \(facts["status.extra_ips"]!) extra IPs needed"))
        }
        return out
    }

    // MARK: node subnet exhaustion named by GKE

    /// GKE's IP_SPACE_EXHAUSTED names the subnetwork whose space ran out. When that is the
    /// cluster's own node subnetwork, its primary range (the nodes' addresses) is full, not a pod
    /// range: the observation's cause becomes `node-subnet-exhausted`, with the subnet, its region,
    /// and `fix.prefix`/`fix.range` when the subnet was read.
    public static func reclassified(_ observations: [Observation], config: ConfigSnapshot, clusters: [ClusterInfo]) -> [Observation] {
        observations.map { observation in
            guard observation.facts["cause"] == "pod-range-exhausted", let path = observation.facts["subnetwork"] else { return observation }
            let parts = path.split(separator: "/").map(String.init)
            let name = parts.last ?? path
            let region = parts.firstIndex(of: "regions").flatMap { $0 + 1 < parts.count ? parts[$0 + 1] : nil }
            guard let cluster = clusters.first(where: { $0.subnetwork.map(ConfigValue.lastSegment) == name }) else { return observation }
            var changed = observation
            changed.facts["cause"] = "node-subnet-exhausted"
            changed.facts["subnet"] = name
            changed.facts["region"] = region ?? Self.region(of: cluster)
            changed.facts["cluster"] = cluster.name
            changed.facts["location"] = cluster.location
            if let project = cluster.project { changed.facts["project"] = project }
            if let subnet = config.subnetworks.first(where: { $0.name == name && (region == nil || $0.region == nil || $0.region == region) }),
                subnet.primary.isV4
            {
                changed.facts["subnet.range"] = subnet.primary.description
                let now = cluster.capacity.currentNodeCount ?? 0
                addExpansion(&changed.facts, subnet: subnet, nodes: max(clusterMaxNodes(cluster.capacity) ?? 0, 2 * now))
            }
            return changed
        }
    }
}
