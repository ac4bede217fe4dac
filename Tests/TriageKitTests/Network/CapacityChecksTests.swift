import Foundation
import Testing
@testable import TriageKit

/// Capacity checks from gcloud's own output: `container clusters describe` (YAML), `compute routers
/// list` / `routers get-status` / `networks subnets list` and `container operations list` (JSON),
/// rendered by the real gcloud against tools/fakegcp/server.py serving the `mixed` scenario with
/// the changes each fixture names (Fixtures/capacity/README.md).
struct CapacityChecksTests {
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/TriageKitTests/Fixtures/capacity")
    static let rules: [Rule] = (try? RuleLoader.builtIn()) ?? []

    /// The capacity checks on `cluster` alone (no network config).
    static func capacity(of cluster: ClusterInfo) -> [Observation] {
        CapacityChecks.run(config: ConfigSnapshot(), cluster: cluster, network: ClusterNetwork(config: ConfigSnapshot(), topology: Topology()))
    }

    /// The sample cluster with only its default pool, on a /18 pod range at 10% use.
    static func defaultPoolOnA18(maxNodesPerZone: Int) throws -> ClusterInfo {
        var cluster = try #require(try collector(["cluster.yaml"]).clusters.first)
        cluster.clusterCIDR = CIDR("10.20.0.0/18")
        cluster.capacity.defaultPodRangeUtilization = 0.1
        cluster.capacity.nodePools = cluster.capacity.nodePools.filter { $0.name == "default-pool" }.map { pool in
            var pool = pool
            pool.podRange = CIDR("10.20.0.0/18")
            pool.podRangeUtilization = 0.1
            pool.maxNodesPerZone = maxNodesPerZone
            return pool
        }
        return cluster
    }

    static func collector(_ names: [String]) throws -> EvidenceCollector {
        let collector = EvidenceCollector()
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(name)))
            collector.read(InputReader(name: name, source: MemorySource(bytes)))
        }
        return collector
    }

    static func analyse(_ names: [String]) throws -> Analysis {
        Engine.analyse(try collector(names), topology: Topology(), rules: rules)
    }

    static func capacity(_ names: [String]) throws -> [Observation] {
        let c = try collector(names)
        var topology = Topology()
        for cluster in c.clusters { topology.addCluster(cluster) }
        return NetworkChecks.observations(for: c, topology: topology).filter {
            ["pod-range-capacity", "node-subnet-capacity", "nat-capacity"].contains($0.facts["config"] ?? "")
        }
    }

    // MARK: reading

    @Test func theClusterDescriptionGivesNodeCountsBlocksAndUtilization() throws {
        let cluster = try #require(try Self.collector(["cluster-pods-high.yaml"]).clusters.first)
        let capacity = cluster.capacity
        #expect(capacity.currentNodeCount == 20)
        #expect(capacity.vpcNative == true)
        #expect(capacity.defaultPodRangeUtilization == 0.93)
        #expect(capacity.defaultPodRangeName == "kf-pods")
        let pool = try #require(capacity.nodePools.first { $0.name == "default-pool" })
        #expect(pool.podBlockPrefix == 24)
        #expect(pool.maxPodsPerNode == 110)
        #expect(pool.autoscaling && pool.maxNodesPerZone == 4 && pool.zones == 3)
        #expect(pool.podRange == CIDR("10.20.0.0/14"))
        #expect(pool.podRangeUtilization == 0.93)
    }

    @Test func routerStatusIsReadAsItsOwnKind() throws {
        let c = try Self.collector(["routers-list.json", "router-status.json"])
        #expect(c.config.listed.contains(.routerStatus))
        let nat = try #require(c.config.nats.first)
        #expect(nat.ports.allocation == "MANUAL_ONLY")
        #expect(nat.ports.natIPs == ["kf-nat-ip-1"])
        #expect(nat.ports.minPortsPerVM == 4096)
        let status = try #require(c.config.status(of: nat))
        #expect(status.minExtraNatIpsNeeded == 1)
        #expect(status.vmEndpointsWithNatMappings == 15)
        #expect(status.network == "kubeflow-vpc")
    }

    @Test func minPortsDefaultIs64StaticAnd32Dynamic() {
        #expect(CloudNAT.Ports().effectiveMinPortsPerVM == 64)
        var dynamic = CloudNAT.Ports()
        dynamic.dynamicPortAllocation = true
        #expect(dynamic.effectiveMinPortsPerVM == 32)
    }

    // MARK: pod range

    @Test func aPodRangeAboveEightyPercentIsReportedWithItsNumbers() throws {
        let found = try Self.capacity(["cluster-pods-high.yaml"])
        let pods = try #require(found.first { $0.facts["config"] == "pod-range-capacity" })
        #expect(pods.facts["state"] == "high")
        #expect(pods.facts["range"] == "10.20.0.0/14")
        #expect(pods.facts["range.name"] == "kf-pods")
        #expect(pods.facts["utilization"] == "93")
        #expect(pods.facts["utilization.source"] == "reported")
        // A /14 holds 2^18 addresses: 1024 blocks of /24.
        #expect(pods.facts["nodes.fit"] == "1024")
        #expect(pods.facts["node_block"] == "/24")
        #expect(pods.facts["fix.prefix"] == "14")
        #expect(pods.facts["fix.range_name"] == "kf-pods-2")
        let analysis = try Self.analyse(["cluster-pods-high.yaml"])
        let finding = try #require(analysis.findings.first { $0.rule == "pod-range-nearly-full" })
        #expect(finding.remedy.commands.contains { $0.contains("--additional-pod-ipv4-ranges=kf-pods-2") })
        #expect(finding.remedy.commands.contains { $0.contains("--add-secondary-ranges='kf-pods-2=<UNUSED_CIDR>'") && $0.contains("--region=us-central1") })
    }

    @Test func theSameClusterWellUnderEightyPercentSaysNothing() throws {
        // cluster.yaml: the same cluster as GKE reports it, 0.29 % of the default range used.
        #expect(try Self.capacity(["cluster.yaml"]).filter { $0.facts["config"] == "pod-range-capacity" }.isEmpty)
    }

    @Test func nodesThatFitFollowTheBlockAndTheRoutesBasedServicesBlock() throws {
        var routes = try #require(try Self.collector(["cluster.yaml"]).clusters.first)
        routes.capacity.vpcNative = false
        routes.capacity.defaultPodRangeUtilization = nil
        routes.capacity.nodePools = [.init(name: "default-pool", autoscaling: false, zones: 1)]
        routes.capacity.currentNodeCount = 15
        routes.clusterCIDR = CIDR("10.96.0.0/19")
        routes.servicesCIDR = CIDR("10.96.16.0/20")
        let found = Self.capacity(of: routes)
        let pods = try #require(found.first)
        // (8192 − 4096) / 256 = 16 nodes; 15 × 256 of 4096 is 93 %.
        #expect(pods.facts["range.kind"] == "routes")
        #expect(pods.facts["nodes.fit"] == "16")
        #expect(pods.facts["utilization"] == "93")
        #expect(pods.facts["utilization.source"] == "estimated")
        #expect(pods.facts["state"] == "high")
        routes.capacity.currentNodeCount = 16
        let full = Self.capacity(of: routes)
        #expect(full.first?.facts["state"] == "full")
    }

    @Test func theAutoscalersMaximumBeyondTheRangeIsReported() throws {
        // 30 nodes per zone × 3 zones at /24 need 90 blocks; a /18 has 64.
        let cluster = try Self.defaultPoolOnA18(maxNodesPerZone: 30)
        let found = Self.capacity(of: cluster)
        let pods = try #require(found.first)
        #expect(pods.facts["state"] == "max-unreachable")
        #expect(pods.facts["nodes.max"] == "90")
        #expect(pods.facts["nodes.fit"] == "64")
        // Shortfall 26 blocks (6656 addresses) < the range's 16384: a new range as large, /18.
        #expect(pods.facts["fix.prefix"] == "18")
    }

    @Test func autopilotAndAutoProvisionedMaximaAreGKEsNotAShortfall() throws {
        var cluster = try Self.defaultPoolOnA18(maxNodesPerZone: 1000)
        cluster.capacity.nodePools[0].autoprovisioned = true
        #expect(Self.capacity(of: cluster).isEmpty)
        cluster.capacity.nodePools[0].autoprovisioned = false
        cluster.capacity.autopilot = true
        #expect(Self.capacity(of: cluster).isEmpty)
        cluster.capacity.autopilot = false
        #expect(Self.capacity(of: cluster).first?.facts["state"] == "max-unreachable")
    }

    // MARK: node subnet

    @Test func ipSpaceExhaustedNamingTheNodeSubnetIsNodeSubnetExhaustion() throws {
        let analysis = try Self.analyse(["operations-list.json", "cluster.yaml", "subnets-list-small.json"])
        #expect(!analysis.findings.contains { $0.rule == "pod-range-exhausted" || $0.mergedRules.contains("pod-range-exhausted") })
        let finding = try #require(analysis.findings.first { $0.rule == "node-subnet-exhausted" })
        #expect(finding.facts["subnet"] == "kubeflow-subnet")
        // 24 nodes today; the pools' maxima (4 per zone in 3 zones, 3 in 2) are 18: twice today's 24
        // is 48, which a /26 holds (60 usable), a /27 (28) does not.
        #expect(finding.remedy.commands.contains {
            $0.contains("expand-ip-range kubeflow-subnet") && $0.contains("--region=us-central1") && $0.contains("--prefix-length=26")
        })
        #expect(finding.mergedRules.contains("node-subnet-nearly-full"), "the subnet's own numbers agree")
    }

    @Test func ipSpaceExhaustedNamingAnotherSubnetworkStaysAPodRange() throws {
        // The same operation without the cluster: nothing says the subnetwork is the nodes'.
        let analysis = try Self.analyse(["operations-list.json"])
        #expect(analysis.findings.contains { $0.rule == "pod-range-exhausted" })
        #expect(!analysis.findings.contains { $0.rule == "node-subnet-exhausted" })
        // A secondary range (GKE names it SUBNET-RANGE) is a pod range, cluster or not.
        let cluster = try #require(try Self.collector(["cluster.yaml"]).clusters.first)
        let message = "[IP_SPACE_EXHAUSTED]: Instance 'gke-x' creation failed: IP space of 'projects/kf-prod-4412/regions/us-central1/subnetworks/kubeflow-subnet-kf-gpu-pods' is exhausted."
        let observation = Observation(kind: "operation", facts: GKEFailureCause.classify(message), source: "test")
        let kept = CapacityChecks.reclassified([observation], config: ConfigSnapshot(), clusters: [cluster])
        #expect(kept.first?.facts["cause"] == "pod-range-exhausted")
    }

    @Test func aNodeSubnetNearlyFullGivesTheExpansion() throws {
        let found = try Self.capacity(["cluster.yaml", "subnets-list-small.json"])
        let subnet = try #require(found.first { $0.facts["config"] == "node-subnet-capacity" })
        // A /27 keeps 28 addresses for VMs: 24 nodes is 85 %, above the 80 % line.
        #expect(subnet.facts["state"] == "high")
        #expect(subnet.facts["subnet.usable"] == "28")
        #expect(subnet.facts["nodes.now"] == "24")
        // default-pool 4 per zone in 3 zones, gpu-pool 3 per zone in 2.
        #expect(subnet.facts["nodes.max"] == "18")
        #expect(subnet.facts["utilization"] == "85")
        #expect(subnet.facts["fix.prefix"] == "26")
        #expect(subnet.facts["fix.range"] == "10.10.0.0/26")
    }

    // MARK: Cloud NAT

    @Test func manualNATWithTooFewAddressesNamesTheChange() throws {
        let found = try Self.capacity(["cluster.yaml", "routers-list.json", "router-status.json"])
        let nat = try #require(found.first { $0.facts["config"] == "nat-capacity" })
        // 64512 / 4096 = 15 VMs per address; 24 nodes need 2 addresses.
        #expect(nat.facts["vms.fit"] == "15")
        #expect(nat.facts["nodes.now"] == "24")
        #expect(nat.facts["status.extra_ips"] == "1")
        #expect(nat.facts["extra_ips"] == "1")
        #expect(nat.facts["fix.new_addresses"] == "kf-nat-ip-2")
        #expect(nat.facts["fix.ip_pool"] == "kf-nat-ip-1,kf-nat-ip-2")
        // 64512 / 24 = 2688 ports each: 2048 is the largest power of two under it.
        #expect(nat.facts["fix.min_ports"] == "2048")
        let analysis = try Self.analyse(["cluster.yaml", "routers-list.json", "router-status.json"])
        let finding = try #require(analysis.findings.first { $0.rule == "nat-ips-insufficient" })
        #expect(finding.remedy.commands.contains {
            $0.contains("gcloud compute routers nats update kf-nat --router=kf-router --region=us-central1")
                && $0.contains("--nat-external-ip-pool=kf-nat-ip-1,kf-nat-ip-2")
        })
    }

    @Test func theRouterStatusAloneSaysWhenAddressesAreMissing() throws {
        // Without a node count only the status can tell; it asks for 1 more.
        let c = try Self.collector(["routers-list.json", "router-status.json", "cluster.yaml"])
        var cluster = try #require(c.clusters.first)
        cluster.capacity.currentNodeCount = nil
        let found = CapacityChecks.run(config: c.config, cluster: cluster, network: ClusterNetwork(config: c.config, topology: Topology()))
        let nat = try #require(found.first { $0.facts["config"] == "nat-capacity" })
        #expect(nat.facts["extra_ips"] == "1")
        #expect(nat.facts["nodes.now"] == "unknown")
        // Without the status and with nodes that fit, nothing is said.
        cluster.capacity.currentNodeCount = 15
        let routersOnly = try Self.collector(["routers-list.json"])
        #expect(CapacityChecks.run(
            config: routersOnly.config, cluster: cluster, network: ClusterNetwork(config: routersOnly.config, topology: Topology())
        ).filter { $0.facts["config"] == "nat-capacity" }.isEmpty)
    }
}
