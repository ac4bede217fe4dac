import Foundation
import Testing
@testable import TriageKit

struct ClusterInfoTests {
    static let sampleCluster = repositoryRoot.appendingPathComponent("SampleLogs/webhook-port-blocked/cluster.yaml").path

    /// The values below are read off SampleLogs/webhook-port-blocked/cluster.yaml by eye.
    private func checkSample(_ cluster: ClusterInfo) {
        #expect(cluster.name == "kf-private")
        #expect(cluster.id == "3f9a6c2e81d04b7fa1c9e5d2b7a04c6e18f2d9b3a7c5e1f04d8b2a6c9e3f7a15")
        #expect(cluster.location == "us-central1")
        #expect(cluster.project == "kf-prod-4412")
        #expect(cluster.network == "kubeflow-vpc")
        #expect(cluster.subnetwork == "kubeflow-subnet")
        #expect(cluster.masterCIDR?.description == "172.16.0.0/28")
        #expect(cluster.privateEndpoint?.description == "172.16.0.2")
        #expect(cluster.clusterCIDR?.description == "10.20.0.0/14")
        #expect(cluster.servicesCIDR?.description == "10.24.0.0/20")
        // default-pool repeats the cluster default range, so it is listed once.
        #expect(cluster.podRanges.map(\.pool) == ["cluster default", "gpu-pool"])
        #expect(cluster.podRanges.map(\.cidr.description) == ["10.20.0.0/14", "10.32.0.0/16"])
        #expect(cluster.userNodeTags.isEmpty)
        #expect(cluster.status == "RUNNING")
        #expect(cluster.derivedNodeTag == "gke-kf-private-3f9a6c2e-node")
    }

    @Test func readsGcloudYAML() throws {
        let cluster = try Pipeline.readCluster(Self.sampleCluster)
        checkSample(cluster)
        #expect(cluster.source.hasPrefix(Self.sampleCluster + ":"))
    }

    /// The same facts as `gcloud container clusters describe --format=json` would print them.
    @Test func readsTheSameClusterAsJSONAndGzip() throws {
        let directory = try TemporaryDirectory()
        let description: [String: Any] = [
            "name": "kf-private",
            "id": "3f9a6c2e81d04b7fa1c9e5d2b7a04c6e18f2d9b3a7c5e1f04d8b2a6c9e3f7a15",
            "location": "us-central1", "zone": "us-central1", "network": "kubeflow-vpc", "subnetwork": "kubeflow-subnet",
            "selfLink": "https://container.googleapis.com/v1/projects/kf-prod-4412/locations/us-central1/clusters/kf-private",
            "status": "RUNNING", "currentMasterVersion": "1.31.6-gke.1020000",
            "clusterIpv4Cidr": "10.20.0.0/14", "servicesIpv4Cidr": "10.24.0.0/20",
            "privateClusterConfig": [
                "enablePrivateEndpoint": true, "masterIpv4CidrBlock": "172.16.0.0/28", "privateEndpoint": "172.16.0.2",
            ],
            "nodePools": [
                ["name": "default-pool", "networkConfig": ["podIpv4CidrBlock": "10.20.0.0/14"], "config": ["diskSizeGb": 100]],
                ["name": "gpu-pool", "networkConfig": ["podIpv4CidrBlock": "10.32.0.0/16"]],
            ],
        ]
        let json = try JSONSerialization.data(withJSONObject: description, options: [.prettyPrinted, .sortedKeys])
        let jsonPath = try directory.write("cluster.json", Array(json))
        checkSample(try Pipeline.readCluster(jsonPath))
        try shell("gzip -c cluster.json > cluster.json.gz", in: directory.url)
        checkSample(try Pipeline.readCluster(directory.path("cluster.json.gz")))
        // One compact line is NDJSON; still a cluster.
        let compact = try JSONSerialization.data(withJSONObject: description)
        checkSample(try Pipeline.readCluster(try directory.write("cluster.ndjson", Array(compact) + [0x0A])))
    }

    @Test func minimalDictionary() throws {
        let cluster = try ClusterInfo(dictionary: [
            "name": "tiny", "zone": "europe-west1-b",
            "selfLink": "https://container.googleapis.com/v1/projects/proj-7/zones/europe-west1-b/clusters/tiny",
            "ipAllocationPolicy": ["clusterIpv4CidrBlock": "10.4.0.0/14", "servicesIpv4CidrBlock": "10.8.0.0/20"],
            "nodePools": [
                ["name": "a", "config": ["tags": ["web", "gpu"]]],
                ["name": "b", "config": ["tags": ["gpu", "batch"]]],
            ],
        ], source: "tiny.json")
        #expect(cluster.location == "europe-west1-b")
        #expect(cluster.project == "proj-7")
        #expect(cluster.clusterCIDR?.description == "10.4.0.0/14")
        #expect(cluster.servicesCIDR?.description == "10.8.0.0/20")
        #expect(cluster.masterCIDR == nil)
        #expect(cluster.userNodeTags == ["web", "gpu", "batch"])
        #expect(cluster.derivedNodeTag == nil)  // no id
    }

    @Test func topLevelRangesWinOverTheAllocationPolicy() throws {
        let cluster = try ClusterInfo(dictionary: [
            "name": "c", "clusterIpv4Cidr": "10.4.0.0/14",
            "ipAllocationPolicy": ["clusterIpv4CidrBlock": "10.99.0.0/14"],
        ], source: "c")
        #expect(cluster.clusterCIDR?.description == "10.4.0.0/14")
    }

    @Test func shortIdGivesNoDerivedTag() throws {
        var cluster = ClusterInfo(name: "c", source: "x")
        cluster.id = "1234567"
        #expect(cluster.derivedNodeTag == nil)
        cluster.id = "12345678"
        #expect(cluster.derivedNodeTag == "gke-c-12345678-node")
    }

    @Test(arguments: [
        ([String: String](), "no 'name' field"),
        (["name": "only-a-name"], "it names no control-plane or pod range"),
        // The range that failed its check is named, so the reason is not a mystery.
        (["name": "bad-ranges", "clusterIpv4Cidr": "not a range"],
         "it names no usable control-plane or pod range: clusterIpv4Cidr \"not a range\" is not an IP range (a.b.c.d/n or an IPv6 prefix)"),
    ])
    func rejectsUnusableDescriptions(dictionary: [String: String], reason: String) {
        #expect(throws: TriageError.badCluster(input: "in.yaml", reason: reason)) {
            try ClusterInfo(dictionary: dictionary, source: "in.yaml")
        }
    }

    @Test func badMasterRangeIsIgnoredNotTrusted() throws {
        let cluster = try ClusterInfo(dictionary: [
            "name": "c", "privateClusterConfig": ["masterIpv4CidrBlock": "172.16.0.0/33"], "clusterIpv4Cidr": "10.0.0.0/14",
        ], source: "c")
        #expect(cluster.masterCIDR == nil)
    }

    @Test func readClusterErrors() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: TriageError.cannotOpen(path: directory.path("missing.yaml"), reason: "No such file or directory")) {
            try Pipeline.readCluster(directory.path("missing.yaml"))
        }
        let logs = try directory.write("logs.json", Array(LogEntries.ndjson([LogEntries.firewall()]).utf8))
        #expect(throws: TriageError.badCluster(input: logs, reason: "no cluster description found in it")) {
            try Pipeline.readCluster(logs)
        }
        let nonsense = try directory.write("nonsense.txt", Array("this is not a cluster\n".utf8))
        #expect(throws: TriageError.unknownFormat(input: nonsense, firstBytes: "this is not a cluster")) {
            try Pipeline.readCluster(nonsense)
        }
    }
}
