import Foundation
import Testing
@testable import TriageKit

/// NetworkChecks on the `mixed` scenario's config as gcloud printed it (broken in known ways,
/// see tools/scenarios/mixed/scenario.json), on that config with the fixes applied, and on
/// variations of its resources.
struct NetworkChecksTests {
    static let fixtures = ConfigSnapshotTests.fixtures
    static let cluster = "SampleLogs/mixed/cluster.yaml"
    static let allConfig = [
        "firewall-rules-list.json", "routes-list.json", "subnets-list.json", "routers-list.json",
        "dns-managed-zones-list.json", "dns-record-sets-list-googleapis.json", "networks-list.json",
    ]

    static func collector(_ names: [String]) throws -> EvidenceCollector {
        let collector = EvidenceCollector()
        for name in names {
            let url = name.contains("/") ? repositoryRoot.appendingPathComponent(name) : fixtures.appendingPathComponent(name)
            collector.read(InputReader(name: name, source: MemorySource(try [UInt8](Data(contentsOf: url)))))
        }
        return collector
    }

    static func topology(_ collector: EvidenceCollector) -> Topology {
        var topology = Topology()
        for cluster in collector.clusters { topology.addCluster(cluster) }
        return topology
    }

    /// The fixture's resources as dictionaries, to change before reading them.
    static func resources(_ name: String) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent(name))) as! [[String: Any]]
    }

    static func config(replacing name: String, with items: [[String: Any]], in names: [String] = allConfig) throws -> ConfigSnapshot {
        var config = ConfigSnapshot()
        for file in names where file != name {
            for item in try resources(file) { _ = config.read(document: item, location: nil) }
        }
        for item in items { _ = config.read(document: item, location: nil) }
        return config
    }

    static func run(_ config: ConfigSnapshot, webhookPorts: [Int] = [8443]) throws -> [Observation] {
        let topology = Self.topology(try collector([cluster]))
        return NetworkChecks.run(config: config, topology: topology, webhookPorts: webhookPorts)
    }

    static func ids(_ observations: [Observation]) -> Set<String> {
        Set(observations.map { "\($0.facts["check"] ?? $0.facts["config"]!):\($0.facts["dst.port"] ?? $0.facts["domain"] ?? "")" })
    }

    @Test func brokenConfigFailsExactlyTheFlowsItBreaks() throws {
        let c = try Self.collector([Self.cluster] + Self.allConfig)
        // 8443 and 10256 as the scenario's firewall log shows them.
        let found = NetworkChecks.run(
            config: c.config, topology: Self.topology(c), webhookPorts: [8443], servingPorts: [10256...10256])
        #expect(Self.ids(found) == [
            "control-plane-to-pods:8443", "nodes-to-control-plane:443", "health-checks-to-nodes:10256",
            "private-dns-zone-missing:gcr.io", "private-dns-zone-missing:pkg.dev", "allow-rule-shadowed:tcp:443,tcp:22",
        ])
        let github = try #require(found.first { $0.facts["config"] == "allow-rule-shadowed" })
        #expect(github.facts["shadowed"] == "allow-egress-github" && github.facts["denied_by"] == "deny-all-egress")
        #expect(github.facts["fix.priority"] == "999" && github.facts["dst.range"] == "140.82.112.0/20")
        let webhook = try #require(found.first { $0.facts["check"] == "control-plane-to-pods" })
        #expect(webhook.facts["denied_by"] == "deny-all-ingress" && webhook.facts["denied_by.priority"] == "65534")
        #expect(webhook.facts["src.range"] == "172.16.0.0/28" && webhook.facts["dst.range"] == "10.20.0.0/14")
        #expect(webhook.facts["loser"] == "gke-kf-private-3f9a6c2e-master" && webhook.facts["loser.reason"] == "ports")
        #expect(webhook.facts["node_tag"] == "gke-kf-private-3f9a6c2e-node")
        #expect(webhook.facts["fix.priority"] == "65533" && webhook.facts["fix.verified"] == "yes")
        let egress = try #require(found.first { $0.facts["check"] == "nodes-to-control-plane" })
        #expect(egress.facts["denied_by"] == "deny-all-egress" && egress.facts["fix.priority"] == "999")
        #expect(egress.facts["direction"] == "EGRESS")
        // Both health-check ranges fail.
        #expect(Set(found.filter { $0.facts["check"] == "health-checks-to-nodes" }.map { $0.facts["src.range"]! })
            == ["35.191.0.0/16", "130.211.0.0/22"])
    }

    @Test func theProposedFixesMakeEveryCheckPass() throws {
        let c = try Self.collector([Self.cluster] + Self.allConfig)
        var config = c.config
        let found = NetworkChecks.run(
            config: config, topology: Self.topology(c), webhookPorts: [8443], servingPorts: [10256...10256])
        for (index, observation) in found.enumerated() where observation.kind == "check" {
            let f = observation.facts
            let ingress = f["direction"] == "INGRESS"
            config.insert(FirewallRule(
                name: "fix-\(index)", network: f["network"], direction: ingress ? .ingress : .egress,
                priority: Int(f["fix.priority"]!)!, action: .allow,
                permissions: [ProtocolPorts("\(f["protocol"]!):\(f["dst.port"]!)")!],
                sourceRanges: ingress ? [CIDR(f["src.range"]!)!] : [], destinationRanges: ingress ? [] : [CIDR(f["dst.range"]!)!],
                targetTags: [f["node_tag"]!]))
        }
        for observation in found where observation.facts["config"] == "private-dns-zone-missing" {
            let f = observation.facts
            config.insert(ManagedZone(name: f["zone_suggestion"]!, dnsName: f["dns_name"]!, visibility: "private", networks: [f["network"]!]))
            config.insert(RecordSet(name: f["dns_name"]!, type: "A", ttl: 300, rrdatas: f["vip.addresses"]!.components(separatedBy: ",")))
            config.insert(RecordSet(name: "*." + f["dns_name"]!, type: "CNAME", ttl: 300, rrdatas: [f["dns_name"]!]))
        }
        for observation in found where observation.facts["config"] == "allow-rule-shadowed" {
            var rule = try #require(config.firewallRules.first { $0.name == observation.facts["shadowed"] })
            rule.priority = Int(observation.facts["fix.priority"]!)!
            config.insert(rule)
        }
        #expect(NetworkChecks.run(
            config: config, topology: Self.topology(c), webhookPorts: [8443], servingPorts: [10256...10256]).isEmpty)
    }

    @Test func firewallTableAloneCannotTell() throws {
        // The subnet table gives the node range; the firewall table hides ranges and tags.
        let c = try Self.collector([Self.cluster, "firewall-rules-list.txt", "subnets-list.txt"])
        let found = NetworkChecks.run(config: c.config, topology: Self.topology(c), webhookPorts: [8443])
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.facts["verdict"] == "undetermined" && $0.facts["denied_by"] == nil })
        #expect(found.allSatisfy { $0.quote?.contains("gcloud compute firewall-rules list --format=json") == true })
        let kubelet = try #require(found.first { $0.facts["check"] == "control-plane-to-nodes" && $0.facts["dst.port"] == "10250" })
        #expect(kubelet.facts["unknown.rules"]?.contains("gke-kf-private-3f9a6c2e-master") == true)
    }

    @Test func vipRouteMissingOrBeatenWhenTheDefaultRouteIsNotTheInternetGateway() throws {
        var routes = try Self.resources("routes-list.json")
        let defaultIndex = routes.firstIndex { $0["destRange"] as? String == "0.0.0.0/0" }!
        routes[defaultIndex].removeValue(forKey: "nextHopGateway")
        routes[defaultIndex]["nextHopIp"] = "10.10.0.250"
        // The route to the VIP is still there: fine.
        #expect(try Self.run(Self.config(replacing: "routes-list.json", with: routes)).filter { $0.facts["config"] == "vip-route" }.isEmpty)
        let withoutVIP = routes.filter { $0["name"] as? String != "restricted-googleapis" }
        let missing = try Self.run(Self.config(replacing: "routes-list.json", with: withoutVIP)).filter { $0.facts["config"] == "vip-route" }
        #expect(missing.count == 1)
        #expect(missing.first?.facts["vip"] == "restricted" && missing.first?.facts["problem"] == "not-internet-gateway")
        #expect(missing.first?.facts["route.next_hop"] == "10.10.0.250" && missing.first?.facts["route.next_hop.kind"] == "ip")
        let noDefault = withoutVIP.filter { $0["destRange"] as? String != "0.0.0.0/0" }
        let none = try Self.run(Self.config(replacing: "routes-list.json", with: noDefault)).filter { $0.facts["config"] == "vip-route" }
        #expect(none.first?.facts["problem"] == "missing" && none.first?.facts["default_route"] == "none")
    }

    @Test func natMustCoverTheNodeSubnetAndPodRanges() throws {
        var routers = try Self.resources("routers-list.json")
        var nats = routers[0]["nats"] as! [[String: Any]]
        nats[0]["sourceSubnetworkIpRangesToNat"] = "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES"
        routers[0]["nats"] = nats
        let primaryOnly = try Self.run(Self.config(replacing: "routers-list.json", with: routers))
            .filter { $0.facts["config"] == "nat-not-covering" }
        // The pod ranges (default and GPU pool), not the services range.
        #expect(Set(primaryOnly.map { $0.facts["range.name"]! }) == ["kf-pods", "kf-gpu-pods"])
        #expect(primaryOnly.allSatisfy { $0.facts["range.role"] == "pod" && $0.facts["nat"] == "kf-nat" })
        nats[0]["sourceSubnetworkIpRangesToNat"] = "LIST_OF_SUBNETWORKS"
        nats[0]["subnetworks"] = [[
            "name": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/regions/us-central1/subnetworks/kubeflow-subnet",
            "sourceIpRangesToNat": ["PRIMARY_IP_RANGE", "LIST_OF_SECONDARY_IP_RANGES"], "secondaryIpRangeNames": ["kf-pods"],
        ]]
        routers[0]["nats"] = nats
        let listed = try Self.run(Self.config(replacing: "routers-list.json", with: routers)).filter { $0.facts["config"] == "nat-not-covering" }
        #expect(listed.map { $0.facts["range.name"]! } == ["kf-gpu-pods"])
        routers[0]["region"] = "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/regions/europe-west1"
        let elsewhere = try Self.run(Self.config(replacing: "routers-list.json", with: routers))
        #expect(elsewhere.contains { $0.facts["config"] == "nat-missing" && $0.facts["region"] == "us-central1" })
    }

    @Test func healthCheckPortsOpenToOneRangeMustBeOpenToBoth() throws {
        var rules = try Self.resources("firewall-rules-list.json")
        rules.append([
            "kind": "compute#firewall", "name": "allow-health-checks", "direction": "INGRESS", "priority": 1000,
            "network": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/networks/kubeflow-vpc",
            "allowed": [["IPProtocol": "tcp", "ports": ["10256", "30000-32767"]]], "sourceRanges": ["130.211.0.0/22"],
            "targetTags": ["gke-kf-private-3f9a6c2e-node"],
        ])
        let found = try Self.run(Self.config(replacing: "firewall-rules-list.json", with: rules))
            .filter { $0.facts["check"] == "health-checks-to-nodes" }
        #expect(Set(found.map { "\($0.facts["src.range"]!) \($0.facts["dst.port"]!)" }) == ["35.191.0.0/16 10256", "35.191.0.0/16 30000-32767"])
        #expect(found.allSatisfy { $0.facts["loser"] == "allow-health-checks" && $0.facts["loser.reason"] == "source-ranges" })
    }

    @Test func privateGoogleAccessOffAndLegacyNetwork() throws {
        var subnets = try Self.resources("subnets-list.json")
        subnets[0].removeValue(forKey: "privateIpGoogleAccess")  // the API omits false
        let off = try Self.run(Self.config(replacing: "subnets-list.json", with: subnets))
        #expect(off.contains { $0.facts["config"] == "private-google-access-off" && $0.facts["subnet"] == "kubeflow-subnet" })
        var networks = try Self.resources("networks-list.json")
        networks[0]["IPv4Range"] = "10.240.0.0/16"
        let legacy = try Self.run(Self.config(replacing: "networks-list.json", with: networks))
        #expect(legacy.contains { $0.facts["config"] == "legacy-network" && $0.facts["range"] == "10.240.0.0/16" })
    }

    @Test func dnsRecordsThatDoNotReachTheVIP() throws {
        var config = try Self.config(replacing: "", with: [])
        config.insert(ManagedZone(name: "gcr-io", dnsName: "gcr.io.", visibility: "private", networks: ["kubeflow-vpc"]))
        // A zone that answers with a public address sends pulls out of the private path.
        config.insert(RecordSet(name: "gcr.io.", type: "A", ttl: 300, rrdatas: ["74.125.20.82"], zone: "gcr-io"))
        let found = try Self.run(config).filter { $0.facts["config"] == "private-dns-zone-wrong" }
        #expect(found.first?.facts["domain"] == "gcr.io" && found.first?.facts["resolves_to"] == "74.125.20.82")
        #expect(NetworkChecks.resolve("storage.googleapis.com.", config.recordSets).map(\.description)
            == ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"])
    }

    @Test func missingZonesMatterOnlyWhenTheVIPPathIsChosen() throws {
        // No zone uses a VIP, the default route is the internet gateway and egress is open:
        // Google's default domains work through Private Google Access.
        var config = ConfigSnapshot()
        for file in ["routes-list.json", "subnets-list.json"] {
            for item in try Self.resources(file) { _ = config.read(document: item, location: nil) }
        }
        _ = config.read(document: ["kind": "dns#managedZonesListResponse", "managedZones": [[String: Any]]()], location: nil)
        #expect(try Self.run(config).isEmpty)
        var lockedDown = config
        for item in try Self.resources("firewall-rules-list.json") { _ = lockedDown.read(document: item, location: nil) }
        let missing = try Self.run(lockedDown).filter { $0.facts["config"] == "private-dns-zone-missing" }
        #expect(missing.count == 3 && missing.allSatisfy { $0.facts["needed_because"] == "egress-denied" })
    }

    @Test func nothingIsSaidAboutWhatWasNotGiven() throws {
        let c = try Self.collector([Self.cluster, "routes-list.json"])
        #expect(NetworkChecks.run(config: c.config, topology: Self.topology(c), webhookPorts: [8443]).isEmpty)
        #expect(NetworkChecks.run(config: ConfigSnapshot(), topology: Self.topology(c)).isEmpty)
    }
}

/// What the checks take from the cluster description besides ranges: the nodes' service account
/// and the node pools' own tags, which firewall rules may target instead of GKE's tag; and
/// health checks to NEG pods.
struct NetworkChecksClusterIdentityTests {
    typealias Base = NetworkChecksTests

    static func fixedConfig(adding rule: [String: Any]) throws -> ConfigSnapshot {
        // The mixed scenario's rules with its control-plane webhook gap as the only ingress problem.
        try Base.config(replacing: "none", with: [rule])
    }

    static func allow8443(target key: String, _ values: [String]) -> [String: Any] {
        [
            "kind": "compute#firewall", "name": "allow-master-webhooks", "priority": 900, "direction": "INGRESS",
            "network": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/networks/kubeflow-vpc",
            "sourceRanges": ["172.16.0.0/28"], "allowed": [["IPProtocol": "tcp", "ports": ["8443"]]],
            "disabled": false, key: values,
        ]
    }

    @Test func theNodesServiceAccountComesFromTheClusterDescription() throws {
        let c = try Base.collector([Base.cluster])
        #expect(c.clusters.first?.nodeServiceAccounts == ["kf-gke-nodes@kf-prod-4412.iam.gserviceaccount.com"])
        let byAccount = try Self.fixedConfig(adding: Self.allow8443(
            target: "targetServiceAccounts", ["kf-gke-nodes@kf-prod-4412.iam.gserviceaccount.com"]))
        let found = NetworkChecks.run(config: byAccount, topology: Base.topology(c), webhookPorts: [8443])
        #expect(!Base.ids(found).contains("control-plane-to-pods:8443"))
        // Another account's rule does not reach the nodes.
        let other = try Self.fixedConfig(adding: Self.allow8443(
            target: "targetServiceAccounts", ["someone-else@kf-prod-4412.iam.gserviceaccount.com"]))
        #expect(Base.ids(NetworkChecks.run(config: other, topology: Base.topology(c), webhookPorts: [8443]))
            .contains("control-plane-to-pods:8443"))
    }

    @Test func theDefaultAccountIsResolvedFromTheRulesThatNameIt() {
        var cluster = ClusterInfo(name: "kf-private", source: "test")
        cluster.nodeServiceAccounts = ["default"]
        var rule = FirewallRule(name: "allow-by-sa", direction: .ingress, priority: 900, action: .allow)
        rule.targetServiceAccounts = ["123456789012-compute@developer.gserviceaccount.com"]
        #expect(ClusterNetwork.nodeServiceAccount(of: cluster, rules: [rule]) == "123456789012-compute@developer.gserviceaccount.com")
        #expect(ClusterNetwork.nodeServiceAccount(of: cluster, rules: []) == nil)
    }

    @Test func rulesTargetingANodePoolTagReachTheNodes() throws {
        var topology = Base.topology(try Base.collector([Base.cluster]))
        var cluster = try #require(topology.clusters.first)
        cluster.userNodeTags = ["kubeflow-nodes"]
        topology = Topology()
        topology.addCluster(cluster)
        let config = try Self.fixedConfig(adding: Self.allow8443(target: "targetTags", ["kubeflow-nodes"]))
        #expect(!Base.ids(NetworkChecks.run(config: config, topology: topology, webhookPorts: [8443]))
            .contains("control-plane-to-pods:8443"))
    }

    @Test func healthChecksToNEGPodsAreCheckedAgainstThePodRange() throws {
        let c = try Base.collector([Base.cluster] + Base.allConfig)
        let found = NetworkChecks.run(
            config: c.config, topology: Base.topology(c), webhookPorts: [], podServingPorts: [8080...8080])
        let check = try #require(found.first { $0.facts["check"] == "health-checks-to-pods" })
        #expect(check.facts["dst.role"] == "pod" && check.facts["dst.range"] == "10.20.0.0/14")
        #expect(check.facts["dst.port"] == "8080" && check.facts["denied_by"] == "deny-all-ingress")
        #expect(!found.contains { $0.facts["check"] == "health-checks-to-nodes" && $0.facts["dst.port"] == "8080" })
    }
}
