import Foundation
import Testing

/// Every SampleLogs scenario, in every input encoding, against its expected.json.
@Suite("Scenarios")
struct ScenarioTests {
    @Test("the scenario folders are the ones the tests were written for, each with expected.json")
    func scenarioFolders() throws {
        let names = Set(Scenario.all.map(\.name))
        let known: Set = [
            "webhook-port-blocked", "master-to-kubelet-blocked", "node-egress-to-master-blocked", "health-checks-blocked",
            "gcr-public-ip-blocked", "restricted-vip-blocked", "github-egress-blocked", "pod-to-pod-blocked",
            "iap-ssh-blocked", "mixed",
        ]
        #expect(known.isSubset(of: names), "missing scenario folders: \(known.subtracting(names).sorted())")
        for scenario in Scenario.all {
            let expected = try scenario.expected()
            #expect(!expected.isEmpty, "\(scenario.name): expected.json lists no findings")
            // The expected findings account for every denied entry: each one belongs to exactly one.
            #expect(expected.map(\.count).reduce(0, +) == (try scenario.entryCount()), "\(scenario.name)")
            for finding in expected {
                #expect(RuleFiles.severity(of: finding.rule) != nil, "\(scenario.name): no rule file for \(finding.rule)")
            }
        }
    }

    @Test("--format json gives the expected findings and exit status", arguments: Scenario.all, LogFormat.allCases)
    func expectedFindings(scenario: Scenario, format: LogFormat) throws {
        try CLI.withTemporaryDirectory { directory in
            let input = try format.file(for: scenario, in: directory)
            let result = try CLI.triage([input.path, "--cluster", scenario.cluster, "--format", "json"])
            let expected = try scenario.expected()
            #expect(result.status == RuleFiles.expectedStatus(expected), "\(result)")
            let report = try JSONReport(result)
            let differences = ExpectedFinding.differences(actual: report.brief, expected: expected)
            #expect(differences.isEmpty, "\(scenario.name) as \(format.rawValue): \(differences.joined(separator: "; "))")

            let entries = try scenario.entryCount()
            #expect(report.summaryInt("records") == entries)
            #expect(report.summaryInt("firewall_records") == entries)
            #expect(report.summaryInt("denied_records") == entries)
            #expect(report.summaryInt("allowed_records") == 0)
            #expect(report.summaryInt("skipped_total") == 0)
            #expect(report.summaryInt("matched_records") == entries)
            #expect(report.summaryInt("findings") == expected.count)
            #expect((report.summary["errors"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("every encoding of a scenario gives identical findings", arguments: Scenario.all)
    func identicalAcrossFormats(scenario: Scenario) throws {
        try CLI.withTemporaryDirectory { directory in
            var reference: (format: LogFormat, findings: [String])?
            for format in LogFormat.allCases {
                let input = try format.file(for: scenario, in: directory)
                let result = try CLI.triage([input.path, "--cluster", scenario.cluster, "--format", "json", "--quiet"])
                let findings = try JSONReport(result).canonicalFindings()
                guard let reference else {
                    reference = (format, findings)
                    continue
                }
                #expect(findings == reference.findings, "\(scenario.name): \(format.rawValue) differs from \(reference.format.rawValue)")
            }
        }
    }

    @Test("--fail-on sets the exit status from the worst finding", arguments: Scenario.all, ["error", "warning", "info"])
    func failOn(scenario: Scenario, level: String) throws {
        let result = try CLI.triage([scenario.json.path, "--cluster", scenario.cluster, "--fail-on", level, "--quiet"])
        #expect(result.status == RuleFiles.expectedStatus(try scenario.expected(), failOn: level), "\(result)")
    }

    @Test("warnings alone exit 0 by default and 1 with --fail-on warning")
    func warningsOnly() throws {
        // github-egress-blocked yields only internet-egress-blocked, a warning.
        let scenario = Scenario(name: "github-egress-blocked")
        #expect(try scenario.expected().allSatisfy { RuleFiles.severity(of: $0.rule) == "warning" })
        let byDefault = try CLI.triage([scenario.json.path, "--cluster", scenario.cluster])
        #expect(byDefault.status == 0, "\(byDefault)")
        #expect(byDefault.out.contains("WARNING internet-egress-blocked"))
        let strict = try CLI.triage([scenario.json.path, "--cluster", scenario.cluster, "--fail-on", "warning"])
        #expect(strict.status == 1, "\(strict)")
        #expect(strict.out == byDefault.out)
    }

    @Test("firewall-all.json (ALLOWED entries too) gives the same findings as the DENIED export")
    func allowedEntriesAddNothing() throws {
        let all = CLI.sampleLogs.appendingPathComponent("mixed/firewall-all.json")
        let entries = try CLI.jsonArray(all)
        let allowed = entries.filter { ($0["jsonPayload"] as? [String: Any])?["disposition"] as? String == "ALLOWED" }.count
        let result = try CLI.triage([all.path, "--cluster", CLI.mixedCluster, "--format", "json"])
        #expect(result.status == 1, "\(result)")
        let report = try JSONReport(result)
        let differences = ExpectedFinding.differences(actual: report.brief, expected: try Scenario.mixed.expected())
        #expect(differences.isEmpty, "\(differences)")
        #expect(report.summaryInt("records") == entries.count)
        #expect(report.summaryInt("allowed_records") == allowed)
        #expect(report.summaryInt("denied_records") == entries.count - allowed)
    }

    @Test("text output names each expected rule with its count", arguments: Scenario.all)
    func textOutput(scenario: Scenario) throws {
        let result = try CLI.triage([scenario.yaml.path, "--cluster", scenario.cluster])
        let expected = try scenario.expected()
        #expect(result.status == RuleFiles.expectedStatus(expected), "\(result)")
        for finding in expected {
            let label = RuleFiles.severity(of: finding.rule)?.uppercased() ?? "?"
            let connections = "\(finding.count) connection\(finding.count == 1 ? "" : "s") denied"
            #expect(
                result.out.split(separator: "\n").contains { $0.hasPrefix("\(label) \(finding.rule) (\(connections)") },
                "\(scenario.name): no headline for \(finding)\n\(result)")
        }
    }
}
