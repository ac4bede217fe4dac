import Foundation
import Testing

/// A project with four clusters (SampleLogs/multi-cluster, rendered by the real gcloud from
/// tools/scenarios/multi-cluster): each cluster is checked with its own ranges and node tag, no
/// pair of pod ranges of two clusters is a fault, and public clusters get no NAT, DNS or
/// Private Google Access findings. Before per-cluster checks the same inputs gave 7 findings,
/// 40 of their pairs pod ranges of different clusters, and missed ml-batch's real one.
@Suite(.serialized) struct MultiClusterTests {
    static let folder = "SampleLogs/multi-cluster"
    static let clusters = ["ap-analytics", "kf-private", "legacy-routes", "ml-batch"]

    static func findings(_ arguments: [String]) throws -> (result: RunResult, findings: [[String: Any]]) {
        let result = try CLI.triage(arguments + ["--format", "json"])
        let objects = result.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return (result, objects.filter { $0["type"] as? String == "finding" })
    }

    /// Every check finding names a cluster, and every range in it belongs to that cluster.
    static func expectOwnRanges(_ findings: [[String: Any]], _ context: String) throws {
        let ranges: [String: [String]] = [
            "kf-private": ["10.10.0.0/20", "10.20.0.0/14", "10.32.0.0/16", "172.16.0.0/28"],
            "ml-batch": ["10.40.0.0/20", "10.48.0.0/14", "172.16.0.16/28"],
            "ap-analytics": ["10.60.0.0/20", "10.64.0.0/14"],
            "legacy-routes": ["10.30.0.0/20", "10.100.0.0/14"],
        ]
        for finding in findings {
            let cluster = try #require(finding["cluster"] as? String, "a finding without its cluster: \(finding) \(context)")
            let own = try #require(ranges[cluster])
            let facts = finding["facts"] as? [String: String] ?? [:]
            for name in ["src.range", "dst.range"] {
                guard let range = facts[name], !["35.191.0.0/16", "130.211.0.0/22", "35.235.240.0/20"].contains(range) else { continue }
                #expect(own.contains(range), "\(cluster)'s finding names another cluster's range \(range): \(finding) \(context)")
            }
        }
    }

    @Test func eachClusterIsCheckedAlone() throws {
        let (result, findings) = try Self.findings([Self.folder])
        #expect(result.status == 1, "\(result)")
        try Self.expectOwnRanges(findings, "\(result.err)")
        // ml-batch's deny on tcp:1-1000 from its own pods is the only fault: its pods cannot reach
        // its pods (or its nodes) on those ports. No other cluster has a finding.
        for finding in findings {
            #expect(finding["cluster"] as? String == "ml-batch", "\(finding)")
            #expect(["pod-to-pod-denied", "pods-to-nodes-denied"].contains(finding["rule"] as? String ?? ""), "\(finding)")
            let facts = finding["facts"] as? [String: String] ?? [:]
            #expect(facts["denied_by"] == "deny-batch-low-ports", "\(finding)")
        }
        let podToPod = findings.filter { $0["rule"] as? String == "pod-to-pod-denied" }
        #expect(podToPod.count == 1, "\(findings)")
        #expect(podToPod.first.flatMap { ($0["facts"] as? [String: String])?["dst.port"] } == "1-1000", "\(podToPod)")
        // No NAT, DNS, PGA or IAP finding for the public Autopilot cluster in a network without NAT.
        #expect(!findings.contains { ["nat-missing", "private-dns-zone-missing", "iap-ingress-denied"].contains($0["rule"] as? String ?? "") })
        #expect(result.err.contains("4 cluster") || result.err.contains("8 cluster"), "\(result.err)")
    }

    @Test func clusterSelectsOneAmongSeveral() throws {
        let (result, findings) = try Self.findings([Self.folder, "--cluster", "kf-private"])
        #expect(result.status == 0, "kf-private is healthy: \(result)")
        #expect(findings.isEmpty, "\(findings)")
        let unknown = try CLI.triage([Self.folder, "--cluster", "ml-btach"])
        #expect(unknown.status == 64, "\(unknown)")
        #expect(unknown.err.contains("--cluster ml-btach: no such cluster among those described (ap-analytics, kf-private, legacy-routes, ml-batch)"), "\(unknown)")
        let two = try CLI.triage([Self.folder, "--cluster", "kf-private", "--cluster", "ml-batch"])
        #expect(two.status == 64 && two.err.contains("one cluster at a time"), "\(two)")
    }

    /// One cluster's own tag and ranges go into its checks: a deny on another cluster's tag
    /// does not touch it, and a deny on its own tag is found, named with that cluster.
    @Test func aDenyOnOneClustersTagIsThatClustersFinding() throws {
        try CLI.withTemporaryDirectory { directory in
            let folder = URL(fileURLWithPath: Self.folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".yaml") || name.hasSuffix(".json") {
                try FileManager.default.copyItem(at: folder.appendingPathComponent(name), to: directory.appendingPathComponent(name))
            }
            // kf-private's GKE -master rule taken away: its control plane cannot reach its nodes.
            let rulesURL = directory.appendingPathComponent("firewall-rules.json")
            var rules = try JSONSerialization.jsonObject(with: Data(contentsOf: rulesURL)) as! [[String: Any]]
            rules.removeAll { $0["name"] as? String == "gke-kf-private-3f9a6c2e-master" }
            try JSONSerialization.data(withJSONObject: rules).write(to: rulesURL)
            let (result, findings) = try Self.findings([directory.path])
            try Self.expectOwnRanges(findings, "\(result.err)")
            let controlPlane = findings.filter { $0["rule"] as? String == "control-plane-ingress-denied" }
            // One finding per port (443, 10250), both kf-private's.
            #expect(controlPlane.count == 2 && controlPlane.allSatisfy { $0["cluster"] as? String == "kf-private" }, "\(findings)")
            let finding = try #require(controlPlane.first)
            let commands = (finding["remedy"] as? [String: Any])?["commands"] as? [String] ?? []
            #expect(commands.contains { $0.contains("--target-tags=gke-kf-private-3f9a6c2e-node") && $0.contains("--source-ranges=172.16.0.0/28") }, "\(commands)")
            // Text names the cluster on the finding.
            let text = try CLI.triage([directory.path, "--brief"])
            #expect(text.out.contains("[kf-private]"), "\(text.out)")
        }
    }

    /// The same project read live from the fake API gives the same findings as the files.
    @Test func liveReadsTheSameProject() throws {
        let server = try FakeGCPServer(scenario: "multi-cluster")
        try CLI.withTemporaryDirectory { directory in
            let (arguments, environment) = try LiveCLITests.live(server, in: directory, ["--format", "json"])
            let live = try CLI.run(CLI.binary, arguments, environment: environment, timeout: 120)
            let (files, _) = try Self.findings([Self.folder])
            #expect(LiveCLITests.findings(live) == LiveCLITests.findings(files), "\(live)")
        }
    }

    /// A listing of which one region failed (403) is not a listing of nothing: the routers read
    /// from the other region are used, and no NAT is said to be missing where none could be read.
    /// (ap-analytics is made private here, so its region would need a NAT.)
    @Test func aRegionThatFailedIsNoDataNotNone() throws {
        let clustersURL = FakeGCPServer.packageRoot.appendingPathComponent("tools/scenarios/multi-cluster/container/clusters.json")
        var clusters = try JSONSerialization.jsonObject(with: Data(contentsOf: clustersURL)) as! [[String: Any]]
        for index in clusters.indices where clusters[index]["name"] as? String == "ap-analytics" {
            clusters[index]["privateClusterConfig"] = [
                "enablePrivateNodes": true, "enablePrivateEndpoint": true, "masterIpv4CidrBlock": "172.16.0.32/28",
                "privateEndpoint": "172.16.0.34",
            ]
            var network = clusters[index]["networkConfig"] as! [String: Any]
            network["defaultEnablePrivateNodes"] = true
            clusters[index]["networkConfig"] = network
        }
        let denied: [String: Any] = [
            "status": 403,
            "body": ["error": ["code": 403, "status": "PERMISSION_DENIED", "message": "Required 'compute.routers.list' permission for 'projects/kf-prod-4412'"]],
        ]
        let server = try FakeGCPServer(scenario: "multi-cluster", files: [
            "container/clusters.json": clusters,
            "errors.json": ["GET /compute/v1/projects/kf-prod-4412/regions/europe-west1/routers": [denied]],
        ])
        try CLI.withTemporaryDirectory { directory in
            let (arguments, environment) = try LiveCLITests.live(server, in: directory, ["--format", "json"])
            let live = try CLI.run(CLI.binary, arguments, environment: environment, timeout: 120)
            #expect(live.status == 2, "a source gave no data: \(live)")
            #expect(live.err.contains("no data from Cloud Routers and NAT"), "\(live.err)")
            let rules = LiveCLITests.findings(live).map { $0.split(separator: " ").first.map(String.init) ?? "" }
            #expect(!rules.contains("nat-missing"), "\(rules)")
            #expect(live.err.contains("read in part, so no data on what they lack: Cloud NAT gateways, Cloud Routers"), "\(live.err)")
            // The region that was read still counts: us-central1's routers were read before europe-west1 failed.
            let requests = server.requests(pathPrefix: "/compute/v1/projects/kf-prod-4412/regions/us-central1/routers")
            #expect(!requests.isEmpty)
        }
    }
}
