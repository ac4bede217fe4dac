import Foundation
import Testing
@testable import TriageKit

/// Every rule's own samples, in every input format, with every rule loaded: trigger samples must
/// give exactly the findings they list, pass samples none but the fallback's.
struct RuleSampleTests {
    static let rules: [Rule] = (try? RuleLoader.builtIn()) ?? []

    struct Case: CustomTestStringConvertible, Sendable {
        let rule: String
        let kind: String
        let index: Int
        let format: FormatWriter.Kind
        var testDescription: String { "\(rule) \(kind)[\(index)] as \(format.rawValue)" }
    }

    static let cases: [Case] = rules.flatMap { rule in
        FormatWriter.Kind.allCases.flatMap { format in
            rule.samples.trigger.indices.map { Case(rule: rule.id, kind: "trigger", index: $0, format: format) }
                + rule.samples.pass.indices.map { Case(rule: rule.id, kind: "pass", index: $0, format: format) }
        }
    }

    @Test func rulesLoad() throws {
        let rules = try RuleLoader.builtIn()
        #expect(rules.count >= 10)
        #expect(Set(rules.map(\.id)).count == rules.count)
    }

    @Test func everyRuleHasTriggerAndPassSamples() {
        for rule in Self.rules {
            #expect(!rule.samples.trigger.isEmpty, "\(rule.id) has no trigger sample")
            #expect(!rule.samples.pass.isEmpty, "\(rule.id) has no pass sample")
        }
    }

    @Test(arguments: cases)
    func sample(_ testCase: Case) throws {
        let rule = try #require(Self.rules.first { $0.id == testCase.rule })
        let sample = testCase.kind == "trigger" ? rule.samples.trigger[testCase.index] : rule.samples.pass[testCase.index]
        let analysis = try SampleRunner.run(sample, format: testCase.format, rules: Self.rules)
        let findings = testCase.kind == "pass" ? SampleRunner.claimed(analysis.findings, rules: Self.rules) : analysis.findings
        let failures = SampleRunner.compare(findings, sample.expect, defaultRule: rule.id)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(analysis.account.skippedTotal == 0, "records skipped: \(analysis.account.skipped)")
        // Every log entry given as `input:` is read as a record; `files:` add their own records
        // (one per config resource), so the count only holds for samples without files.
        if sample.files.isEmpty {
            let entries = try SampleRunner.entries(sample)
            #expect(analysis.account.records == entries.count)
        }
    }

    /// The same sample must give the same findings, field for field, in every format.
    @Test(arguments: rules.map(\.id))
    func formatsAgree(_ id: String) throws {
        let rule = try #require(Self.rules.first { $0.id == id })
        for sample in rule.samples.trigger {
            var rendered: [String] = []
            for format in FormatWriter.Kind.allCases {
                let analysis = try SampleRunner.run(sample, format: format, rules: Self.rules)
                rendered.append(
                    analysis.findings.map { "\($0.id) \($0.count) \($0.message) \($0.remedy.commands)" }.joined(separator: "\n"))
            }
            #expect(Set(rendered).count == 1, "formats disagree for \(id) '\(sample.name)'")
        }
    }

    /// The binary's embedded copy of Rules/ must be the files themselves.
    @Test func embeddedRulesMatchTheRuleFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var onDisk: [String: String] = [:]
        let rulesDirectory = root.appendingPathComponent("Rules")
        let enumerator = FileManager.default.enumerator(atPath: rulesDirectory.path)
        while let next = enumerator?.nextObject() as? String {
            guard next.hasSuffix(".yaml") else { continue }
            onDisk["Rules/" + next] = try String(contentsOf: rulesDirectory.appendingPathComponent(next), encoding: .utf8)
        }
        let embedded = Dictionary(uniqueKeysWithValues: EmbeddedRules.files.map { ($0.path, $0.text) })
        #expect(embedded == onDisk, "Sources/TriageKit/Rules/EmbeddedRules.swift is stale: run make")
    }
}
