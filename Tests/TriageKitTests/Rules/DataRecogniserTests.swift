import Foundation
import Testing
@testable import TriageKit

/// Recognisers written as data in a rule (`recognise:`): the prefilter words taken from the
/// pattern, the loader's errors, every built-in recogniser's samples, and a new failure class
/// added as one rule file.
struct DataRecogniserTests {
    @Test(arguments: [
        ("No SSH tunnels currently open", ["no ssh tunnels currently open"]),
        ("(?i)legacy network", ["legacy network"]),
        (#"(?i)servicemanagement\.googleapis\.com|servicecontrol\.googleapis\.com|cloudendpoint"#,
         ["cloudendpoint", "servicecontrol.googleapis.com", "servicemanagement.googleapis.com"]),
        (#"the server could not find the requested resource \((?:post|get) (?<r>[a-z]+)\)"#,
         ["the server could not find the requested resource ("]),
        // An optional character and a class end a run; the longest run is the word.
        (#"colou?r code [0-9]+ exceeded quota"#, [" exceeded quota"]),
        // Both runs are required; the longer is the word.
        (#"error: x\d+ happened"#, [" happened"]),
    ] as [(String, [String])])
    func keywordsComeFromThePattern(pattern: String, words: [String]) {
        #expect(PatternKeywords.required(in: pattern) == words)
    }

    @Test func aPatternWithoutLiteralTextNeedsKeywords() {
        #expect(PatternKeywords.required(in: #"(?<a>\w+)|[0-9]+"#) == nil)
        #expect(PatternKeywords.required(in: "ab|cdef") == nil)
    }

    /// A rule file for a class no built-in rule knows (`Fixtures/rules/probe-failed.yaml`, which
    /// the CLI test uses too).
    static let probeRule: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/rules/probe-failed.yaml")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The probe rule with its `recognise:` block replaced.
    static func rule(_ recognise: String) -> String {
        let start = probeRule.range(of: "recognise:\n")!.lowerBound
        let end = probeRule.range(of: "match:\n")!.lowerBound
        return probeRule.replacingCharacters(in: start..<end, with: recognise + "\n")
    }

    static let probe: String = {
        let start = probeRule.range(of: "recognise:\n")!.lowerBound
        let end = probeRule.range(of: "match:\n")!.lowerBound
        return String(probeRule[start..<end]).trimmingCharacters(in: .newlines)
    }()

    /// A failure class no Swift code knows, added as one rule file: its recogniser, rule and
    /// samples pass `rules check` with all the built-in rules loaded.
    @Test func aNewClassIsOneRuleFile() throws {
        let rule = try RuleLoader.parse(Self.rule(Self.probe), file: "Rules/kubectl/probe-failed.yaml")
        #expect(rule.recognisers.count == 1)
        #expect(rule.recognisers[0].keywords == ["probe failed"])
        let all = try RuleLoader.builtIn() + [rule]
        #expect(SampleRunner.check(rule, allRules: all) == [])
        // Without the rule's recognisers the same text is no probe failure.
        let builtIn = MessagePatterns.builtIn
        #expect(MessageRecognizer.recognize("Liveness probe failed: HTTP probe failed with statuscode: 500", patterns: builtIn).first?["message"] != "probe-failed")
        let withRule = MessagePatterns(rules: all)
        let facts = MessageRecognizer.recognize("Liveness probe failed: HTTP probe failed with statuscode: 500", patterns: withRule).first
        #expect(facts?["message"] == "probe-failed" && facts?["probe"] == "Liveness")
    }

    /// A sample whose facts are wrong is reported with the fact and what was found.
    @Test func aWrongSampleIsReported() throws {
        let wrong = Self.probe.replacingOccurrences(of: "probe: Readiness,", with: "probe: Startup,")
            .replacingOccurrences(of: "'Readiness probe passed'", with: "'Startup probe failed: x'")
        let rule = try RuleLoader.parse(Self.rule(wrong), file: "Rules/kubectl/probe-failed.yaml")
        let failures = SampleRunner.checkRecognisers(rule, allRules: try RuleLoader.builtIn() + [rule])
        #expect(failures.contains { $0.contains("probe is 'Readiness', expected 'Startup'") }, "\(failures)")
        #expect(failures.contains { $0.contains("should not match") }, "\(failures)")
    }

    @Test(arguments: [
        ("pattern: '(?<probe>unclosed'", "recognise[0].pattern", "not a valid regular expression"),
        ("pattern: '(?<probe>\\w+)'", "recognise[0].pattern", "no literal word"),
        ("pattern: 'probe failed'\n    facts: {message: probe-failed, probe: \"{kind}\"}", "recognise[0].facts", "{kind} names no capture"),
        ("pattern: 'probe failed'\n    derive: [weather]", "recognise[0].derive", "'weather' is not one of"),
        ("pattern: 'probe failed'\n    in: [kubelet]", "recognise[0].in", "'kubelet' is not one of text, log"),
        ("pattern: 'probe failed'\n    colour: blue", "recognise[0].colour", "unknown field"),
    ] as [(String, String, String)])
    func brokenRecognisersNameTheField(change: String, field: String, reason: String) throws {
        var text = Self.rule(Self.probe)
        text = text.replacingOccurrences(of: "pattern: '(?<probe>Readiness|Liveness|Startup) probe failed'", with: change)
        // The change replaces the line it names (the base's facts or derive go); the base's
        // keywords always go, so a pattern without literal text has none to fall back on.
        text = text.replacingOccurrences(of: "    keywords: [probe failed]\n", with: "")
        if change.contains("\n    facts:") { text = text.replacingOccurrences(of: "    facts: {message: probe-failed}\n", with: "") }
        if change.contains("\n    derive:") { text = text.replacingOccurrences(of: "    derive: [failure, dial]\n", with: "") }
        do {
            _ = try RuleLoader.parse(text, file: "Rules/kubectl/probe-failed.yaml")
            Issue.record("parsed: \(change)")
        } catch {
            guard case .badRuleFile(_, let line, let badField, let badReason) = error else { Issue.record("\(error)"); return }
            #expect(line != nil)
            #expect(badField == field, "\(error)")
            #expect(badReason.contains(reason), "\(error)")
        }
    }

    @Test func recognisersBelongToMessageRulesAndCarrySamples() throws {
        let config = Self.rule(Self.probe).replacingOccurrences(of: "evidence: message", with: "evidence: config")
        #expect(throws: TriageError.self) { try RuleLoader.parse(config, file: "Rules/kubectl/probe-failed.yaml") }
        // An `operation` recogniser sets `cause`; a text one `message`.
        let operationWithMessage = Self.rule(Self.probe.replacingOccurrences(of: "    derive: [failure, dial]", with: "    derive: [failure, dial]\n    in: [operation]"))
        #expect(throws: TriageError.self) { try RuleLoader.parse(operationWithMessage, file: "Rules/kubectl/probe-failed.yaml") }
        let unsampled = Self.rule("""
            recognise:
              - pattern: 'probe failed'
                facts: {message: probe-failed}
            """)
        #expect(throws: TriageError.self) { try RuleLoader.parse(unsampled, file: "Rules/kubectl/probe-failed.yaml") }
    }

    /// Every built-in recogniser's samples hold, through the whole chain of recognisers.
    @Test func everyBuiltInRecogniserSampleHolds() throws {
        let rules = try RuleLoader.builtIn()
        let withRecognisers = rules.filter { !$0.recognisers.isEmpty }
        #expect(withRecognisers.count >= 5)
        for rule in withRecognisers {
            #expect(SampleRunner.checkRecognisers(rule, allRules: rules) == [], "\(rule.id)")
        }
    }

    /// A recogniser limited to log entries does not read pasted text, and the other way round.
    @Test func scopesKeepRecognisersWhereTheyApply() throws {
        let logOnly = Self.probe.replacingOccurrences(of: "    derive: [failure, dial]", with: "    derive: [failure, dial]\n    in: [log]")
        let rule = try RuleLoader.parse(Self.rule(logOnly), file: "Rules/kubectl/probe-failed.yaml")
        let patterns = MessagePatterns(rules: [rule])
        let text = "Liveness probe failed: HTTP probe failed with statuscode: 500"
        #expect(MessageRecognizer.recognize(text, patterns: patterns, scope: .text).first?["message"] != "probe-failed")
        #expect(MessageRecognizer.recognize(text, patterns: patterns, scope: .log).first?["message"] == "probe-failed")
    }

    /// GKE's own errors go through the rules' `in: [operation]` recognisers first: the org-policy,
    /// legacy-network and deleted-service-account causes are data in their rule files.
    @Test func operationRecognisersClassifyGKEErrors() {
        let peering = GKEFailureCause.classify("Constraint constraints/compute.restrictVpcPeering violated for project 481516234200. Peering the network projects/p/global/networks/n is not allowed.")
        #expect(peering["cause"] == "vpc-peering-blocked-by-org-policy")
        #expect(peering["project_number"] == "481516234200" && peering["peer_network"] == "projects/p/global/networks/n")
        // A capture used by a fact's template is not a fact of its own.
        #expect(peering["projectnumber"] == nil && peering["peernetwork"] == nil)
        #expect(GKEFailureCause.classify("Gaia id not found for email 1-compute@developer.gserviceaccount.com.")["service_account"]
            == "1-compute@developer.gserviceaccount.com")
        // The classifiers that reason still run after them.
        #expect(GKEFailureCause.classify("Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1.")["cause"] == "quota-exceeded")
        // Without the rules' recognisers, the data classes are unknown.
        #expect(GKEFailureCause.classify("IP aliases cannot be used with a legacy network.", patterns: MessagePatterns([])).isEmpty)
    }
}
