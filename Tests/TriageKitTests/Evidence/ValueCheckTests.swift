import Foundation
import Testing
@testable import TriageKit

/// The checks values get where they are read, and what the readers do with a value that fails.
struct ValueCheckTests {
    @Test func numbers() {
        #expect(ValueCheck.port("0") == 0)
        #expect(ValueCheck.port("65535") == 65535)
        #expect(ValueCheck.port("65536") == nil)
        #expect(ValueCheck.port("-1") == nil)
        #expect(ValueCheck.port("80a") == nil)
        #expect(ValueCheck.protocolNumber("255") == 255)
        #expect(ValueCheck.protocolNumber("256") == nil)
        #expect(ValueCheck.priority("65535") == 65535)
        #expect(ValueCheck.priority("70000") == nil)
        #expect(ValueCheck.isFirewallProtocol("TCP"))
        #expect(ValueCheck.isFirewallProtocol("ipip"))
        #expect(ValueCheck.isFirewallProtocol("47"))
        #expect(!ValueCheck.isFirewallProtocol("999"))
        #expect(!ValueCheck.isFirewallProtocol("-6"))
        #expect(!ValueCheck.isFirewallProtocol("tcp;id"))
    }

    @Test func ranges() {
        #expect(ValueCheck.cidrProblem("10.0.0.0/8") == nil)
        #expect(ValueCheck.cidrProblem("10.0.0.1") == nil)
        #expect(ValueCheck.cidrProblem("2600:2d00::/64") == nil)
        #expect(ValueCheck.cidrProblem("10.0.0.0/33")?.contains("0–32") == true)
        #expect(ValueCheck.cidrProblem("2600::/129")?.contains("0–128") == true)
        #expect(ValueCheck.cidrProblem("10.0.0.5/24")?.contains("host bits") == true)
        #expect(ValueCheck.cidrProblem("10.0.0.0/-1") != nil)
        #expect(ValueCheck.cidrProblem("10.0.0.256/32") != nil)
        #expect(ValueCheck.cidrProblem("10.0.0.0/8/8") != nil)
    }

    @Test func names() {
        #expect(ValueCheck.isResourceName("kubeflow-vpc"))
        #expect(ValueCheck.isResourceName(String(repeating: "a", count: 63)))
        #expect(!ValueCheck.isResourceName(String(repeating: "a", count: 64)))
        #expect(!ValueCheck.isResourceName("Kubeflow"))
        #expect(!ValueCheck.isResourceName("1vpc"))
        #expect(!ValueCheck.isResourceName("vpc-"))
        #expect(!ValueCheck.isResourceName("vpc$(touch X)"))
        #expect(!ValueCheck.isResourceName(""))
        #expect(ValueCheck.isClusterName(String(repeating: "c", count: 40)))
        #expect(!ValueCheck.isClusterName(String(repeating: "c", count: 41)))
        #expect(ValueCheck.isProject("kf-prod-4412"))
        #expect(ValueCheck.isProject("123456789012"))
        #expect(ValueCheck.isProject("example.com:my-project"))
        #expect(!ValueCheck.isProject("short"))
        #expect(!ValueCheck.isProject("kf-prod'; id #"))
        #expect(!ValueCheck.isProject(":my-project"))
    }

    @Test func shownValuesAreEscapedAndCapped() {
        #expect(ValueCheck.shown("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"")
        #expect(ValueCheck.shown("x\u{202E}y\u{1B}") == "\"x\\u202ey\\x1b\"")
        let long = ValueCheck.shown(String(repeating: "z", count: 500))
        #expect(long.hasSuffix("…\""))
        #expect(long.count == 83)
    }

    @Test func clusterDescriptionRejectsEachBadValue() throws {
        let cluster = try ClusterInfo(dictionary: [
            "name": "kf", "location": "us central1", "network": "vpc$(id)", "id": "xyz",
            "clusterIpv4Cidr": "10.20.0.0/14",
            "privateClusterConfig": ["masterIpv4CidrBlock": "10.0.0.0/33", "privateEndpoint": "172.16.0.300"],
            "nodePools": [["name": "p", "config": ["tags": ["good-tag", "bad tag"], "serviceAccount": "a b@c"]]],
        ], source: "c.yaml:1")
        #expect(cluster.masterCIDR == nil)
        #expect(cluster.hasRejectedMasterRange)
        #expect(cluster.privateEndpoint == nil)
        #expect(cluster.location == nil)
        #expect(cluster.network == nil)
        #expect(cluster.id == nil)
        #expect(cluster.userNodeTags == ["good-tag"])
        #expect(cluster.nodeServiceAccounts.isEmpty)
        #expect(Set(cluster.rejected.map(\.field)) == [
            "location", "network", "id", "privateClusterConfig.masterIpv4CidrBlock", "privateClusterConfig.privateEndpoint",
            "nodePools.config.tags", "nodeConfig.serviceAccount",
        ])
        #expect(throws: TriageError.self) { try ClusterInfo(dictionary: ["name": "Bad Name", "clusterIpv4Cidr": "10.0.0.0/8"], source: "x") }
    }

    /// A rejected master range: the endpoint is known as the control plane, but no range stands in.
    @Test func invalidMasterRangeLeavesTheRangeUnknown() throws {
        let cluster = try ClusterInfo(dictionary: [
            "name": "kf", "privateClusterConfig": ["masterIpv4CidrBlock": "10.0.0.0/33", "privateEndpoint": "172.16.0.2"],
        ], source: "c.yaml:1")
        var topology = Topology()
        topology.addCluster(cluster)
        #expect(topology.masterCIDR == nil)
        #expect(topology.classify(IPAddress("172.16.0.2")!).role == .controlPlane)
    }

    @Test func firewallRuleValuesAreCheckedAndMakeTheRulePartial() {
        var rejected: [RejectedValue] = []
        let rule = FirewallRule(resource: [
            "name": "allow-x", "priority": 70000, "sourceRanges": ["10.0.0.0/8", "10.0.0.0/33"],
            "allowed": [["IPProtocol": "tcp", "ports": ["443"]], ["IPProtocol": "999"], ["IPProtocol": "udp", "ports": ["70000"]]],
        ], location: nil, rejected: &rejected)
        #expect(rule?.isPartial == true)
        #expect(rule?.sourceRanges == [CIDR("10.0.0.0/8")!])
        #expect(rule?.permissionsText == "tcp:443")
        #expect(rejected.map(\.field) == ["priority", "IPProtocol", "ports", "sourceRanges"])
        var again: [RejectedValue] = []
        #expect(FirewallRule(resource: ["name": "x;y", "allowed": [["IPProtocol": "all"]]], location: nil, rejected: &again) == nil)
        #expect(again.map(\.field) == ["name"])
        // Good values read as before, not partial.
        var none: [RejectedValue] = []
        let good = FirewallRule(resource: [
            "name": "allow-y", "priority": 900, "sourceRanges": ["35.191.0.0/16"], "allowed": [["IPProtocol": "6", "ports": ["80-90"]]],
        ], location: nil, rejected: &none)
        #expect(none.isEmpty)
        #expect(good?.isPartial == false)
        #expect(good?.permissionsText == "tcp:80-90")
    }

    @Test func routesAndSubnetworks() {
        var rejected: [RejectedValue] = []
        #expect(Route(resource: ["name": "r", "destRange": "0.0.0.0/40", "nextHopGateway": "x/default-internet-gateway"],
                      location: nil, rejected: &rejected) == nil)
        let route = Route(resource: ["name": "r", "destRange": "0.0.0.0/0", "priority": -1, "nextHopIp": "10.0.0.999"],
                          location: nil, rejected: &rejected)
        #expect(route?.isPartial == true)
        #expect(route?.nextHop == .unknown(""))
        #expect(Subnetwork(resource: ["name": "s", "ipCidrRange": "10.0.0.1/24", "region": "r"], location: nil, rejected: &rejected) == nil)
        let subnet = Subnetwork(resource: [
            "name": "s", "ipCidrRange": "10.0.0.0/24", "region": "us-central1",
            "secondaryIpRanges": [["rangeName": "pods", "ipCidrRange": "10.4.0.0/14"], ["rangeName": "svc", "ipCidrRange": "10.8.0.0/99"]],
        ], location: nil, rejected: &rejected)
        #expect(subnet?.secondaryRanges?.map(\.name) == ["pods"])
        #expect(subnet?.isPartial == true)
        #expect(rejected.map(\.field) == ["destRange", "priority", "nextHopIp", "ipCidrRange", "secondaryIpRanges.ipCidrRange"])
    }

    /// An operation's times and the names in its link are checked; what fails is left out and
    /// reported by the collector with the document's place.
    @Test func gkeOperationValues() throws {
        let document: [String: Any] = [
            "name": "operation-1", "operationType": "CREATE_CLUSTER", "status": "DONE",
            "targetLink": "https://container.googleapis.com/v1/projects/kf-prod-4412/locations/us-central1/clusters/kf$(id)",
            "startTime": "2026-11-22T09:00:00Z", "endTime": "not a time", "location": "us-central1",
        ]
        var rejected: [RejectedValue] = []
        let place = RecordLocation(input: "ops.json", line: 3, byteOffset: 0)
        let observation = try #require(GKEOperations.observations(from: document, location: place, rejected: &rejected)?.first)
        #expect(observation.facts["cluster"] == nil)
        #expect(observation.facts["target"] == nil)
        #expect(observation.facts["end_time"] == nil)
        #expect(observation.facts["duration_minutes"] == nil)
        #expect(observation.facts["link_project"] == "kf-prod-4412")
        #expect(observation.facts["start_time"] == "2026-11-22T09:00:00Z")
        #expect(rejected.map(\.field) == ["endTime", "targetLink (cluster)"])

        let collector = EvidenceCollector()
        var problems: [InputProblem] = []
        collector.onProblem = { problems.append($0) }
        #expect(collector.addDocument(document, location: place))
        #expect(problems.map(\.description) == [
            "ops.json:3: GKE operation: endTime \"not a time\" is not an RFC 3339 timestamp; not used",
            "ops.json:3: GKE operation: targetLink (cluster) \"kf$(id)\" \(ValueCheck.clusterNameReason); not used",
        ])
        #expect(collector.account.invalidValues == ["invalid endTime": 1, "invalid targetLink (cluster)": 1])
    }
}
