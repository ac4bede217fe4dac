import Foundation
import Testing

/// The network-config scenarios (no firewall logs): gcloud's JSON listings give the findings in
/// expected.json; gcloud's tables alone give no error, only "cannot tell" notes for firewall checks.
@Suite("Config scenarios")
struct ConfigScenarioTests {
    static let names = ["gcr-pull-dns-routes", "egress-priority-nat", "health-checks-config", "vip-route-shadowed"]

    static func files(_ name: String, extension wanted: String) throws -> [String] {
        let directory = CLI.sampleLogs.appendingPathComponent(name)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .filter { $0.hasSuffix("." + wanted) }.map { directory.appendingPathComponent($0).path }
    }

    static func expected(_ name: String) throws -> [ExpectedFinding] {
        let url = CLI.sampleLogs.appendingPathComponent(name).appendingPathComponent("expected.json")
        let array = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
        return try array.map(ExpectedFinding.init(json:))
    }

    @Test("the JSON listings give expected.json", arguments: names)
    func jsonListings(name: String) throws {
        let inputs = try Self.files(name, extension: "json").filter { !$0.hasSuffix("expected.json") }
        let result = try CLI.triage(inputs + ["SampleLogs/\(name)/cluster.yaml", "--format", "json"])
        let expected = try Self.expected(name)
        #expect(result.status == RuleFiles.expectedStatus(expected), "\(result)")
        let differences = ExpectedFinding.differences(actual: try JSONReport(result).brief, expected: expected)
        #expect(differences.isEmpty, "\(name): \(differences.joined(separator: "; "))")
    }

    @Test("tables alone cannot tell firewall verdicts and say so", arguments: names)
    func tablesAlone(name: String) throws {
        let inputs = try Self.files(name, extension: "txt")
        let result = try CLI.triage(inputs + ["SampleLogs/\(name)/cluster.yaml", "--format", "json"])
        let brief = try JSONReport(result).brief
        let firewallRules: Set = ["control-plane-ingress-denied", "health-check-ingress-denied", "pod-to-pod-denied",
                                  "iap-ingress-denied", "node-egress-to-control-plane-denied", "google-vip-egress-denied",
                                  "allow-rule-shadowed"]
        #expect(brief.allSatisfy { !firewallRules.contains($0.rule) }, "\(brief)")
        #expect(brief.contains { $0.rule == "required-flow-undetermined" })
    }

    /// Routes and DNS zones alone, with nothing that says a GKE cluster is there (no description,
    /// no GKE firewall rules, no range flags): a VIP route or a private zone is nobody's need, so
    /// nothing is reported. The same listings with the cluster's description still give both.
    @Test func routesAndZonesWithoutAClusterSayNothing() throws {
        let inputs = ["routes.json", "dns-managed-zones.json", "dns-record-sets-googleapis.json"].map { "SampleLogs/gcr-pull-dns-routes/\($0)" }
        let alone = try JSONReport(try CLI.triage(inputs + ["--format", "json"])).brief
        #expect(alone.isEmpty, "\(alone)")
        let withCluster = try JSONReport(try CLI.triage(inputs + ["SampleLogs/gcr-pull-dns-routes/cluster.yaml", "--format", "json"])).brief
        #expect(withCluster.contains { $0.rule == "restricted-vip-route-missing" }, "\(withCluster)")
    }

    /// With the VM instances listed (`gcloud compute instances list --format=json`), a route's
    /// next-hop instance that is not among them is named as gone; without the listing, the
    /// finding asks for it instead.
    @Test func aNextHopInstanceThatIsGoneIsNamed() throws {
        try CLI.withTemporaryDirectory { directory in
            // The shape gcloud prints (compute#instance; only name, zone and status matter here).
            let instances: [[String: Any]] = [[
                "kind": "compute#instance", "name": "gke-kf-private-default-pool-3f1c9a2b-x7k2", "status": "RUNNING",
                "zone": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/zones/us-central1-a",
            ]]
            let listing = directory.appendingPathComponent("instances.json")
            try JSONSerialization.data(withJSONObject: instances).write(to: listing)
            let inputs = try Self.files("vip-route-shadowed", extension: "json").filter { !$0.hasSuffix("expected.json") }
                + ["SampleLogs/vip-route-shadowed/cluster.yaml"]
            func notes(_ extra: [String]) throws -> [String] {
                let report = try JSONReport(try CLI.triage(inputs + extra + ["--format", "json"]))
                let finding = try #require(report.findings.first { $0["rule"] as? String == "vip-route-shadowed" })
                return (finding["remedy"] as? [String: Any])?["notes"] as? [String] ?? []
            }
            let gone = try notes([listing.path])
            #expect(gone.contains { $0.contains("api-proxy-1 is not among the VM instances listed: it no longer exists") }, "\(gone)")
            let unknown = try notes([])
            #expect(unknown.contains { $0.contains("Check that the instance api-proxy-1 still exists") }, "\(unknown)")
        }
    }
}
