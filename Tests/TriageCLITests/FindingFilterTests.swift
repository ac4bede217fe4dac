import Foundation
import Testing

/// `--rule` and `--severity` choose the findings shown; `--fail-on` judges those. `--since`,
/// `--from` and `--to` on files keep the records and events of that time, by their own timestamps.
@Suite("Finding filters")
struct FindingFilterTests {
    static let bundle = "SampleLogs/bundle/inputs"
    static let now = ["--now", "2026-11-22T10:30:00Z"]

    /// The findings of a run as JSON objects (the JSON Lines without the summary).
    static func findings(_ arguments: [String]) throws -> (objects: [[String: Any]], result: RunResult) {
        let result = try CLI.triage([bundle, "--format", "json"] + now + arguments)
        let objects = result.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["type"] as? String == "finding" }
        return (objects, result)
    }

    @Test func ruleShowsThatRulesFindingsAndTheFindingsItWasMergedInto() throws {
        let all = try Self.findings([]).objects
        let (shown, result) = try Self.findings(["--rule", "health-check-blocked"])
        let expected = all.filter {
            $0["rule"] as? String == "health-check-blocked" || ($0["merged_rules"] as? [String] ?? []).contains("health-check-blocked")
        }
        #expect(!expected.isEmpty && expected.count < all.count)
        #expect(shown.count == expected.count, "\(result)")
        #expect(result.err.contains("showing \(expected.count) of \(all.count) findings"), "\(result.err)")
    }

    @Test func severityShowsFindingsAtLeastThatSevere() throws {
        let all = try Self.findings([]).objects
        for (level, allowed) in [("error", ["error"]), ("warning", ["error", "warning"]), ("info", ["error", "warning", "info"])] {
            let shown = try Self.findings(["--severity", level]).objects
            #expect(shown.count == all.filter { allowed.contains($0["severity"] as? String ?? "") }.count, "\(level)")
            #expect(shown.allSatisfy { allowed.contains($0["severity"] as? String ?? "") }, "\(level)")
        }
    }

    @Test func failOnJudgesTheFindingsShown() throws {
        #expect(try CLI.triage([Self.bundle, "--quiet"] + Self.now).status == 1)
        // Only a warning is shown: the default --fail-on error does not fire.
        let warning = try CLI.triage([Self.bundle, "--quiet", "--rule", "internet-egress-blocked"] + Self.now)
        #expect(warning.status == 0, "\(warning)")
        #expect(try CLI.triage([Self.bundle, "--quiet", "--rule", "internet-egress-blocked", "--fail-on", "warning"] + Self.now).status == 1)
    }

    @Test func anUnknownRuleIsAUsageErrorWithASuggestion() throws {
        let result = try CLI.triage([Self.bundle, "--rule", "helth-check-blocked"] + Self.now)
        #expect(result.status == 64)
        #expect(result.err.contains("did you mean 'health-check-blocked'?"), "\(result.err)")
        let severity = try CLI.triage([Self.bundle, "--severity", "eror"] + Self.now)
        #expect(severity.status == 64)
        #expect(severity.err.contains("did you mean 'error'?"), "\(severity.err)")
    }

    /// The demo's firewall log spans 09:12–09:40; its operation (state, not an event) stays whatever the window.
    @Test func aTimeWindowOnFilesKeepsWhatHappenedInIt() throws {
        let all = try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now)
        func deniedRecords(_ result: RunResult) -> Int? {
            let summary = result.out.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.first { $0["type"] as? String == "summary" }
            return summary?["denied_records"] as? Int
        }
        let everything = try #require(deniedRecords(all))
        let late = try CLI.triage([Self.bundle, "--format", "json", "--from", "2026-11-22T09:30:00Z"] + Self.now)
        let lateDenied = try #require(deniedRecords(late))
        #expect(lateDenied > 0 && lateDenied < everything, "\(late.err)")
        #expect(late.err.contains("skipped (outside --since/--from/--to: \(everything - lateDenied))"), "\(late.err)")
        // --since counts back from --now: 60 minutes before 10:30 is the 09:30 above, 80 minutes
        // (09:10) is before the first record.
        let hour = try CLI.triage([Self.bundle, "--format", "json", "--since", "60m"] + Self.now)
        #expect(deniedRecords(hour) == lateDenied)
        let longer = try CLI.triage([Self.bundle, "--format", "json", "--since", "80m"] + Self.now)
        #expect(deniedRecords(longer) == everything)
        // Nothing in the window is no error: the inputs were read, the window holds no firewall record.
        let empty = try CLI.triage([Self.bundle, "--format", "json", "--since", "1m"] + Self.now)
        #expect(empty.status != 2, "\(empty.err)")
        #expect(deniedRecords(empty) == 0)
        #expect(empty.out.contains("operation-running-too-long"), "the operation is state, kept whatever the window")
        let stray = try CLI.triage([Self.bundle, "--to", "2026-11-22T09:30:00Z"] + Self.now)
        #expect(stray.status == 64 && stray.err.contains("--to needs --from"), "\(stray.err)")
    }
}
