import Foundation
import Testing

/// SampleLogs scenarios made only of kubectl, helm, kfctl and pasted text (no firewall log): every
/// file in the folder is one input, and the findings must be those in expected.json.
@Suite("Text scenarios")
struct TextScenarioTests {
    static let names = ["webhook-timeout-kubectl", "jwks-fetch-failed", "vpc-sc-denied", "kcc-references-not-ready"]

    @Test("the findings of each text-only scenario", arguments: names)
    func expectedFindings(name: String) throws {
        let directory = CLI.sampleLogs.appendingPathComponent(name)
        let inputs = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0 != "README.md" && $0 != "expected.json" }.sorted()
            .map { "SampleLogs/\(name)/\($0)" }
        #expect(!inputs.isEmpty)
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        let expected = try (JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []).map(ExpectedFinding.init(json:))
        #expect(!expected.isEmpty)
        let result = try CLI.triage(inputs + ["--format", "json"])
        #expect(result.status == RuleFiles.expectedStatus(expected), "\(result)")
        let report = try JSONReport(result)
        let differences = ExpectedFinding.differences(actual: report.brief, expected: expected)
        #expect(differences.isEmpty, "\(name): \(differences.joined(separator: "; "))")
        #expect((report.summary["errors"] as? [Any])?.isEmpty == true)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("README.md").path))
    }
}
