import Foundation
import Testing
@testable import TriageKit

struct TopologyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let address: String
        let role: Role
        let range: String?
        var testDescription: String { "\(address) is \(role.rawValue)" }
        init(_ address: String, _ role: Role, _ range: String? = nil) {
            self.address = address
            self.role = role
            self.range = range
        }
    }

    /// Ranges as given with --master-cidr, --node-cidr, --pod-cidr and --service-cidr.
    static func flagTopology() throws -> Topology {
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        options.nodeCIDRs = ["10.10.0.0/20"]
        options.podCIDRs = ["10.20.0.0/14,10.32.0.0/16"]
        options.serviceCIDRs = ["10.24.0.0/20"]
        return try Pipeline.topology(from: options)
    }

    static let cases: [Case] = [
        Case("172.16.0.2", .controlPlane, "172.16.0.0/28"),
        Case("172.16.0.15", .controlPlane, "172.16.0.0/28"),
        Case("172.16.0.16", .privateOther, "172.16.0.0/12"),
        Case("10.10.0.5", .node, "10.10.0.0/20"),
        Case("10.20.1.14", .pod, "10.20.0.0/14"),
        Case("10.32.7.1", .pod, "10.32.0.0/16"),
        Case("10.24.0.10", .service, "10.24.0.0/20"),
        Case("35.191.10.20", .healthCheck, "35.191.0.0/16"),
        Case("130.211.2.3", .healthCheck, "130.211.0.0/22"),
        Case("209.85.152.9", .healthCheck, "209.85.152.0/22"),
        Case("209.85.204.1", .healthCheck, "209.85.204.0/22"),
        Case("130.211.4.1", .googlePublic, "130.211.0.0/16"),  // beside the health-check /22
        Case("209.85.156.1", .googlePublic, "209.85.128.0/17"),
        Case("35.235.240.7", .iap, "35.235.240.0/20"),
        Case("199.36.153.4", .restrictedVIP, "199.36.153.4/30"),
        Case("199.36.153.7", .restrictedVIP, "199.36.153.4/30"),
        Case("199.36.153.8", .privateVIP, "199.36.153.8/30"),
        Case("199.36.153.11", .privateVIP, "199.36.153.8/30"),
        Case("199.36.153.12", .internet),
        Case("199.36.153.3", .internet),
        Case("169.254.169.254", .metadata, "169.254.169.254/32"),
        Case("169.254.169.253", .privateOther, "169.254.0.0/16"),
        Case("142.250.72.14", .googlePublic, "142.250.0.0/15"),
        Case("8.8.8.8", .googlePublic, "8.8.8.0/24"),
        Case("140.82.112.3", .internet),
        Case("1.1.1.1", .internet),
        Case("192.168.1.1", .privateOther, "192.168.0.0/16"),
        Case("100.64.0.1", .privateOther, "100.64.0.0/10"),
        Case("10.99.0.1", .privateOther, "10.0.0.0/8"),
        Case("2600:2d00:1:b029::10", .healthCheck, "2600:2d00:1:b029::/64"),
        Case("2600:2d00:1:7::1", .iap, "2600:2d00:1:7::/64"),
        Case("2600:2d00:2:1000::4", .restrictedVIP, "2600:2d00:2:1000::/64"),
        Case("2600:2d00:2:2000::4", .privateVIP, "2600:2d00:2:2000::/64"),
        Case("fd20:ce::254", .metadata, "fd20:ce::254/128"),
        Case("2607:f8b0:4004:c1b::64", .googlePublic, "2607:f8b0::/32"),
        Case("2606:4700::1111", .internet),
        Case("fd12::1", .privateOther, "fc00::/7"),
        Case("fe80::1", .privateOther, "fe80::/10"),
        Case("::1", .privateOther, "::1/128"),
    ]

    @Test(arguments: cases)
    func classifiesEveryRole(_ c: Case) throws {
        let topology = try Self.flagTopology()
        let assignment = topology.classify(try ip(c.address))
        #expect(assignment.role == c.role)
        #expect(assignment.range?.description == c.range)
        #expect(assignment.confidence == .known)
        #expect(!assignment.reason.isEmpty)
    }

    @Test func everyRoleIsReachable() throws {
        var topology = try Self.flagTopology()
        topology.addObservedNode(try ip("10.99.0.7"), vmName: "gke-x-pool-1")
        var seen = Set(Self.cases.map(\.role))
        seen.insert(topology.classify(try ip("10.99.0.7")).role)
        #expect(seen == Set(Role.allCases))
    }

    @Test func flagsGiveTheirReason() throws {
        let topology = try Self.flagTopology()
        #expect(topology.classify(try ip("172.16.0.2")).reason.contains("--master-cidr"))
        #expect(topology.classify(try ip("10.10.0.5")).reason.contains("--node-cidr"))
        #expect(topology.masterCIDR == CIDR("172.16.0.0/28"))
        #expect(topology.podCIDRs == [CIDR("10.20.0.0/14")!, CIDR("10.32.0.0/16")!])
    }

    @Test func badFlagIsAUsageError() {
        var options = TopologyOptions()
        options.podCIDRs = ["10.20.0.0/14,10.300.0.0/16"]
        #expect(throws: TriageError.usage("--pod-cidr: '10.300.0.0/16' is not an address range like 172.16.0.0/28")) {
            try Pipeline.topology(from: options)
        }
    }

    @Test func rolesFromAClusterDescription() throws {
        let cluster = try ClusterInfo(dictionary: [
            "name": "c1",
            "privateClusterConfig": ["masterIpv4CidrBlock": "172.16.8.0/28", "privateEndpoint": "172.16.8.2"],
            "clusterIpv4Cidr": "10.40.0.0/14",
            "servicesIpv4Cidr": "10.44.0.0/20",
            "nodePools": [
                ["name": "default-pool", "networkConfig": ["podIpv4CidrBlock": "10.40.0.0/14"]],
                ["name": "gpu-pool", "networkConfig": ["podIpv4CidrBlock": "10.50.0.0/16"]],
                ["name": "spot-pool", "networkConfig": ["podIpv4CidrBlock": "10.51.0.0/16"]],
            ],
        ], source: "c1.yaml")
        var topology = Topology()
        topology.addCluster(cluster)
        func check(_ text: String, _ role: Role, _ range: String, mentions: String) throws {
            let assignment = topology.classify(try ip(text))
            #expect(assignment.role == role, "\(text)")
            #expect(assignment.range?.description == range, "\(text)")
            #expect(assignment.confidence == .known, "\(text)")
            #expect(assignment.reason.contains(mentions), "\(text): \(assignment.reason)")
        }
        try check("172.16.8.2", .controlPlane, "172.16.8.0/28", mentions: "masterIpv4CidrBlock of cluster c1")
        try check("10.41.0.1", .pod, "10.40.0.0/14", mentions: "cluster default")
        try check("10.50.3.3", .pod, "10.50.0.0/16", mentions: "gpu-pool")
        try check("10.51.3.3", .pod, "10.51.0.0/16", mentions: "spot-pool")
        try check("10.44.0.1", .service, "10.44.0.0/20", mentions: "servicesIpv4Cidr")
        #expect(topology.clusterName == "c1")
        // Adding the same cluster twice changes nothing.
        topology.addCluster(cluster)
        #expect(topology.clusters.count == 1)
        #expect(topology.podCIDRs.count == 3)
    }

    @Test func privateEndpointWithoutMasterRangeIsAHostRoute() throws {
        let cluster = try ClusterInfo(dictionary: [
            "name": "psc", "privateClusterConfig": ["privateEndpoint": "10.128.0.9"],
        ], source: "psc.json")
        var topology = Topology()
        topology.addCluster(cluster)
        let endpoint = topology.classify(try ip("10.128.0.9"))
        #expect(endpoint.role == .controlPlane)
        #expect(endpoint.range?.description == "10.128.0.9/32")
        #expect(topology.classify(try ip("10.128.0.10")).role == .privateOther)
    }

    @Test func observedGKEVMIsAnInferredNode() throws {
        var topology = Topology()
        let vm = try ip("10.10.0.7")
        topology.addObservedNode(vm, vmName: "gke-kf-private-default-pool-5b7e0d41-m2pq")
        let assignment = topology.classify(vm)
        #expect(assignment.role == .node)
        #expect(assignment.confidence == .inferred)
        #expect(assignment.range == nil)
        #expect(assignment.reason.contains("gke-kf-private-default-pool-5b7e0d41-m2pq"))
        #expect(topology.classify(try ip("10.10.0.8")).role == .privateOther)
    }

    @Test func inferredRangeIsMarkedInferred() throws {
        var topology = Topology()
        topology.addRange(try cidr("172.16.0.0/28"), role: .controlPlane, reason: "source range of gke-x-master", confidence: .inferred)
        let assignment = topology.classify(try ip("172.16.0.2"))
        #expect(assignment.role == .controlPlane)
        #expect(assignment.confidence == .inferred)
        #expect(topology.inferences.count == 1)
        #expect(topology.masterCIDRs.map(\.confidence) == [.inferred])
        // A known master range goes first once it is added.
        topology.addRange(try cidr("172.16.4.0/28"), role: .controlPlane, reason: "flag")
        #expect(topology.masterCIDR == CIDR("172.16.4.0/28"))
        #expect(topology.masterCIDRs.map(\.confidence) == [.known, .inferred])
    }

    @Test func knownRangesWinOverInferredOnes() throws {
        var topology = Topology()
        topology.addRange(try cidr("10.20.0.0/14"), role: .pod, reason: "flag")
        topology.addObservedNode(try ip("10.20.1.14"), vmName: "gke-a-b-c")
        let pod = topology.classify(try ip("10.20.1.14"))
        #expect(pod.role == .pod)
        #expect(pod.confidence == .known)

        // Even a longer inferred prefix loses to a known one.
        topology.addRange(try cidr("10.0.0.0/8"), role: .node, reason: "flag")
        topology.addRange(try cidr("10.1.0.0/28"), role: .controlPlane, reason: "logs", confidence: .inferred)
        let node = topology.classify(try ip("10.1.0.2"))
        #expect(node.role == .node)
        #expect(node.confidence == .known)

        // Fixed Google ranges beat an inferred VM address too.
        topology.addObservedNode(try ip("35.191.0.1"), vmName: "gke-odd")
        #expect(topology.classify(try ip("35.191.0.1")).role == .healthCheck)
    }

    @Test func privateReasonSaysWhetherRangesWereGiven() throws {
        let bare = Topology().classify(try ip("10.1.1.1"))
        #expect(bare.reason.contains("no cluster ranges given"))
        let withRanges = try Self.flagTopology().classify(try ip("10.99.1.1"))
        #expect(withRanges.reason.contains("outside the cluster's known ranges"))
    }

    @Test func bestNodeTagPrefersFlagThenLogsThenDerived() throws {
        var topology = Topology()
        #expect(topology.bestNodeTag == nil)
        var cluster = ClusterInfo(name: "kf", source: "x")
        cluster.id = "3f9a6c2e81d04b7f"
        cluster.masterCIDR = CIDR("172.16.0.0/28")
        topology.addCluster(cluster)
        #expect(topology.bestNodeTag?.tag == "gke-kf-3f9a6c2e-node")
        #expect(topology.bestNodeTag?.confidence == .inferred)
        topology.addObservedNodeTag("gke-kf-11111111-node")
        #expect(topology.bestNodeTag?.tag == "gke-kf-11111111-node")
        #expect(topology.bestNodeTag?.confidence == .known)
        topology.nodeTag = "my-nodes"
        #expect(topology.bestNodeTag?.tag == "my-nodes")
        #expect(topology.bestNodeTag?.confidence == .known)
    }

    @Test func rolesSortInDeclarationOrder() {
        #expect(Role.controlPlane < Role.node)
        #expect(Role.internet < Role.privateOther)
        #expect(Role.allCases.sorted() == Role.allCases)
        #expect(Confidence.inferred < Confidence.known)
    }
}
