import Foundation
import Testing

/// SampleLogs scenarios read as whole folders (README.md skipped), mixing every kind of evidence:
/// the findings must be those in expected.json, and evidence about one cause must be one finding.
@Suite("Folder scenarios")
struct FolderScenarioTests {
    static let names = ["bundle", "stuck-provisioning", "legacy-network"]

    /// The evidence of a scenario: its `inputs/` folder when it has one (read as a folder), else
    /// every file beside its README.md and expected.json, which are not evidence.
    static func inputs(_ name: String) throws -> [String] {
        let directory = CLI.sampleLogs.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("inputs").path) {
            return ["SampleLogs/\(name)/inputs"]
        }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0 != "README.md" && $0 != "expected.json" }.sorted().map { "SampleLogs/\(name)/\($0)" }
    }

    static func run(_ name: String) throws -> (RunResult, JSONReport) {
        let result = try CLI.triage(try inputs(name) + ["--format", "json", "--now", "2026-11-22T10:30:00Z"])
        return (result, try JSONReport(result))
    }

    @Test("the findings of each folder", arguments: names)
    func expectedFindings(name: String) throws {
        let data = try Data(contentsOf: CLI.sampleLogs.appendingPathComponent(name).appendingPathComponent("expected.json"))
        let expected = try (JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []).map(ExpectedFinding.init(json:))
        #expect(!expected.isEmpty)
        let (result, report) = try Self.run(name)
        #expect(result.status == RuleFiles.expectedStatus(expected), "\(result)")
        let differences = ExpectedFinding.differences(actual: report.brief, expected: expected)
        #expect(differences.isEmpty, "\(name): \(differences.joined(separator: "; "))")
        #expect((report.summary["errors"] as? [Any])?.isEmpty == true, "\(result)")
        #expect(report.summaryInt("unrecognised_records") == 0, "\(result)")
    }

    @Test func oneCauseFromThreeKindsOfEvidenceIsOneConfirmedFinding() throws {
        let (_, report) = try Self.run("bundle")
        let webhook = try #require(report.findings.first { $0["rule"] as? String == "master-to-webhook-port-blocked" })
        #expect(webhook["confidence"] as? String == "confirmed")
        #expect(webhook["cause"] as? String == "control-plane-ingress:tcp:8443")
        let kinds = (webhook["evidence_by_source"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(Set(kinds) == ["firewall log", "firewall rules", "kubectl apply"])
        #expect(Set(webhook["merged_rules"] as? [String] ?? []) == ["control-plane-ingress-denied", "webhook-call-failed"])
        // No other finding is about the same cause.
        let causes = report.findings.filter { $0["rule"] as? String != "health-check-blocked" }.compactMap { $0["cause"] as? String }
        #expect(causes.count == Set(causes).count, "\(causes)")
        // Everything was given, so nothing more is asked for.
        #expect((webhook["surer_with"] as? [String])?.isEmpty == true)
    }

    /// One rule split by port (health checks on 10256, 30443 and 8080): each port's finding takes
    /// the flow check about its own port, so each is confirmed and proposes only its own port's fix.
    @Test func checksJoinTheFindingAboutTheirOwnPort() throws {
        let (_, report) = try Self.run("bundle")
        let health = report.findings.filter { $0["rule"] as? String == "health-check-blocked" }
        #expect(health.count == 3)
        for finding in health {
            let port = try #require(finding["port"] as? Int)
            #expect(finding["confidence"] as? String == "confirmed", "port \(port)")
            let remedy = finding["remedy"] as? [String: Any] ?? [:]
            let creates = (remedy["commands"] as? [String] ?? []).filter { $0.contains("firewall-rules create") }
            #expect(creates.count == 1 && creates[0].contains("--rules=tcp:\(port)"), "port \(port): \(creates)")
        }
    }

    @Test func withoutTheConfigTheFindingSaysWhatWouldSettleIt() throws {
        let result = try CLI.triage(["SampleLogs/bundle/inputs/firewall-log.json", "SampleLogs/bundle/inputs/cluster.yaml", "--format", "json"])
        let report = try JSONReport(result)
        let webhook = try #require(report.findings.first { $0["rule"] as? String == "master-to-webhook-port-blocked" })
        #expect(webhook["confidence"] as? String != "confirmed")
        let hints = webhook["surer_with"] as? [String] ?? []
        #expect(hints.contains { $0.hasPrefix("gcloud compute firewall-rules list") }, "\(hints)")
        #expect(hints.contains { $0.hasPrefix("kubectl get events") }, "\(hints)")
    }
}
