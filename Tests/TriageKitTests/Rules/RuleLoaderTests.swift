import Foundation
import Testing
@testable import TriageKit

/// Every mistake in a rule file names the file, the line and the field.
struct RuleLoaderTests {
    static let file = "Rules/firewall/test-rule.yaml"

    static let valid = """
        id: test-rule
        severity: error
        title: Test rule
        evidence: firewall
        match:
          disposition: DENIED
          dst.role: [node, pod]
          dst.port: {range: [8000, 9000]}
          src.role: {not: [internet]}
          instance: {matches: '^gke-'}
          denied_by: {exists: true}
        group_by: [dst.port, network]
        message: >-
          {count} connections to {dst.port}
          were denied.
        remedy:
          why: because {denied_by} denies them
          notes:
            - when: {dst.port: 8443}
              text: a note for {dst.port}
            - always shown
          commands:
            - echo {dst.port}
        references:
          - https://example.com/doc
        samples:
          trigger:
            - name: t1
              topology:
                master_cidr: 172.16.0.0/28
              input: |
                {}
              expect:
                - {count: 1, dst.port: 8443}
          pass:
            - name: p1
              input: |
                {}

        """

    /// The 1-based line of the first line of `text` that contains `marker`, found here.
    static func line(of marker: String, in text: String) -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.contains(marker) } ?? -100) + 1
    }

    /// The fixture with one change; when `old` is missing the result has no marker line, so the
    /// test using it fails rather than passing on an unchanged fixture.
    static func replacing(_ old: String, with new: String, in text: String = valid) -> String {
        guard text.contains(old) else { return "fixture does not contain: \(old)" }
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test func validRuleLoads() throws {
        let rule = try RuleLoader.parse(Self.valid, file: Self.file)
        #expect(rule.id == "test-rule")
        #expect(rule.severity == .error)
        #expect(rule.title == "Test rule")
        #expect(rule.evidence == "firewall")
        #expect(rule.match.map(\.field) == ["denied_by", "disposition", "dst.port", "dst.role", "instance", "src.role"])
        #expect(rule.groupBy == ["dst.port", "network"])
        #expect(rule.message.fields == ["count", "dst.port"])
        #expect(rule.remedy.notes.count == 2)
        #expect(rule.remedy.notes[0].when.map(\.field) == ["dst.port"])
        #expect(rule.remedy.notes[1].when.isEmpty)
        #expect(rule.remedy.commands.map(\.text.source) == ["echo {dst.port}"])
        #expect(rule.references == ["https://example.com/doc"])
        #expect(rule.samples.trigger.map(\.name) == ["t1"])
        #expect(rule.samples.trigger[0].topology == ["master_cidr": ["172.16.0.0/28"]])
        #expect(rule.samples.trigger[0].expect == [["count": "1", "dst.port": "8443"]])
        #expect(rule.samples.trigger[0].line == Self.line(of: "- name: t1", in: Self.valid))
        #expect(rule.samples.pass.map(\.name) == ["p1"])
        #expect(!rule.fallback)
        #expect(rule.file == Self.file)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let file: String
        /// Text on the line the error must point at.
        let marker: String
        let field: String
        let reason: String
        var testDescription: String { name }

        init(_ name: String, _ text: String, file: String = RuleLoaderTests.file, marker: String, field: String, reason: String) {
            self.name = name
            self.text = text
            self.file = file
            self.marker = marker
            self.field = field
            self.reason = reason
        }
    }

    static let broken: [Broken] = [
        Broken("bad YAML syntax", replacing("title: Test rule", with: "title: a: b"),
               marker: "title: a: b", field: "(syntax)", reason: "not valid YAML"),
        Broken("unknown top-level key", replacing("evidence: firewall", with: "evidence: firewall\ncolour: blue"),
               marker: "colour: blue", field: "colour", reason: "unknown field"),
        Broken("id not matching the file name", valid, file: "Rules/firewall/other-name.yaml",
               marker: "id: test-rule", field: "id", reason: "'test-rule' must match the file name 'other-name'"),
        Broken("id not lower-case words", replacing("id: test-rule", with: "id: Test_Rule"), file: "Rules/firewall/Test_Rule.yaml",
               marker: "id: Test_Rule", field: "id", reason: "must be lower-case words joined by '-'"),
        Broken("unknown severity", replacing("severity: error", with: "severity: fatal"),
               marker: "severity: fatal", field: "severity", reason: "'fatal' is not one of error, warning, info"),
        Broken("unknown evidence", replacing("evidence: firewall", with: "evidence: vpc-flows"),
               marker: "evidence: vpc-flows", field: "evidence", reason: "not a known evidence kind"),
        Broken("unknown match field", replacing("  disposition: DENIED", with: "  disposition: DENIED\n  dst.colour: red"),
               marker: "dst.colour: red", field: "match.dst.colour", reason: "unknown field"),
        Broken("unknown role value", replacing("dst.role: [node, pod]", with: "dst.role: [node, potato]"),
               marker: "dst.role: [node, potato]", field: "match.dst.role", reason: "'potato' is not a role"),
        Broken("unknown role in not", replacing("src.role: {not: [internet]}", with: "src.role: {not: [intranet]}"),
               marker: "src.role: {not: [intranet]}", field: "match.src.role", reason: "'intranet' is not a role"),
        Broken("range upside down", replacing("{range: [8000, 9000]}", with: "{range: [9000, 8000]}"),
               marker: "dst.port: {range: [9000, 8000]}", field: "match.dst.port", reason: "range takes [low, high]"),
        Broken("range of words", replacing("{range: [8000, 9000]}", with: "{range: [low, high]}"),
               marker: "dst.port: {range: [low, high]}", field: "match.dst.port", reason: "range takes [low, high]"),
        Broken("range of one", replacing("{range: [8000, 9000]}", with: "{range: [8000]}"),
               marker: "dst.port: {range: [8000]}", field: "match.dst.port", reason: "range takes [low, high]"),
        Broken("unknown test", replacing("{range: [8000, 9000]}", with: "{between: [1, 2]}"),
               marker: "dst.port: {between: [1, 2]}", field: "match.dst.port", reason: "unknown test 'between'"),
        Broken("bad regular expression", replacing("{matches: '^gke-'}", with: "{matches: '(['}"),
               marker: "instance: {matches: '(['}", field: "match.instance", reason: "matches takes a valid regular expression"),
        Broken("exists not a bool", replacing("{exists: true}", with: "{exists: maybe}"),
               marker: "denied_by: {exists: maybe}", field: "match.denied_by", reason: "exists takes true or false"),
        Broken("unknown group_by field", replacing("group_by: [dst.port, network]", with: "group_by: [dst.port, colour]"),
               marker: "group_by:", field: "group_by", reason: "unknown field 'colour'"),
        Broken("unknown placeholder in the message", replacing("{count} connections to {dst.port}", with: "{count} connections to {dst.colour}"),
               marker: "message: >-", field: "message", reason: "unknown placeholder {dst.colour}"),
        Broken("unknown placeholder in a command", replacing("- echo {dst.port}", with: "- echo {nope}"),
               marker: "- echo {nope}", field: "remedy.commands", reason: "unknown placeholder {nope}"),
        Broken("unknown placeholder in a note", replacing("text: a note for {dst.port}", with: "text: a note for {nope}"),
               marker: "text: a note for {nope}", field: "remedy.notes.text", reason: "unknown placeholder {nope}"),
        Broken("unknown remedy key", replacing("  why: because", with: "  fix: x\n  why: because"),
               marker: "fix: x", field: "remedy.fix", reason: "unknown field"),
        Broken("no commands", replacing("  commands:\n    - echo {dst.port}\n", with: ""),
               marker: "why: because", field: "remedy.commands", reason: "a rule needs at least one command"),
        Broken("reference not https", replacing("https://example.com/doc", with: "http://example.com/doc"),
               marker: "http://example.com/doc", field: "references", reason: "is not an https URL"),
        Broken("fallback not a bool", replacing("evidence: firewall", with: "evidence: firewall\nfallback: sometimes"),
               marker: "fallback: sometimes", field: "fallback", reason: "must be true or false"),
        Broken("missing samples", String(valid[..<valid.range(of: "samples:")!.lowerBound]),
               marker: "id: test-rule", field: "samples", reason: "missing"),
        Broken("missing title", replacing("title: Test rule\n", with: ""),
               marker: "id: test-rule", field: "title", reason: "missing"),
        Broken("empty title", replacing("title: Test rule", with: "title: ''"),
               marker: "title: ''", field: "title", reason: "must be non-empty text"),
        Broken("a pass sample with expectations",
               replacing("    - name: p1\n      input: |\n        {}\n",
                         with: "    - name: p1\n      input: |\n        {}\n      expect:\n        - {count: 1}\n"),
               marker: "- name: p1", field: "samples.pass", reason: "sample 'p1' is a pass sample and must expect nothing"),
        Broken("a trigger sample without expectations", replacing("      expect:\n        - {count: 1, dst.port: 8443}\n", with: ""),
               marker: "- name: t1", field: "samples.trigger", reason: "sample 't1' must list the findings it expects"),
        Broken("no pass samples", replacing("  pass:\n    - name: p1\n      input: |\n        {}\n", with: "  pass: []\n"),
               marker: "pass: []", field: "samples.pass", reason: "needs at least one sample"),
        Broken("unknown sample key", replacing("    - name: p1\n", with: "    - name: p1\n      colour: red\n"),
               marker: "colour: red", field: "samples.pass.colour", reason: "unknown field"),
        Broken("unknown topology key", replacing("master_cidr: 172.16.0.0/28", with: "master_range: 172.16.0.0/28"),
               marker: "master_range:", field: "samples.trigger.topology.master_range", reason: "unknown"),
        Broken("unknown expectation field", replacing("{count: 1, dst.port: 8443}", with: "{count: 1, colour: red}"),
               marker: "{count: 1, colour: red}", field: "samples.trigger.expect.colour", reason: "unknown field"),
        // Yams finds these while parsing; the line is the key's first use.
        Broken("key given twice", replacing("severity: error", with: "severity: error\nseverity: info"),
               marker: "severity: error", field: "(syntax)", reason: "keys given twice: severity"),
        Broken("nested key given twice", replacing("  why: because", with: "  why: first\n  why: because"),
               marker: "why: first", field: "(syntax)", reason: "keys given twice: why"),
        Broken("a manifest that is not Config Connector",
               replacing("  commands:\n    - echo {dst.port}", with: "  commands:\n    - echo {dst.port}\n  config_connector:\n    - |\n      apiVersion: v1\n      kind: ConfigMap\n      spec: {}"),
               marker: "    - |", field: "remedy.config_connector", reason: "Config Connector resource"),
        Broken("a manifest that is not YAML",
               replacing("  commands:\n    - echo {dst.port}", with: "  commands:\n    - echo {dst.port}\n  config_connector:\n    - \"apiVersion: [\""),
               marker: "    - \"apiVersion", field: "remedy.config_connector", reason: "Config Connector resource"),
        Broken("unknown remedy field", replacing("  commands:\n    - echo {dst.port}", with: "  commands:\n    - echo {dst.port}\n  terraform: []"),
               marker: "  terraform:", field: "remedy.terraform", reason: "known: why, notes, commands, config_connector, kpt"),
        Broken("a --filter value without |filter", replacing("    - echo {dst.port}", with: "    - gcloud compute routes list --filter=\"network~{network}\""),
               marker: "    - gcloud compute route", field: "remedy.commands", reason: "write {network|regex|filter}"),
        Broken("a = filter value without |filter", replacing("    - echo {dst.port}", with: "    - gcloud compute networks subnets list --filter=\"region={network}\""),
               marker: "    - gcloud compute netwo", field: "remedy.commands", reason: "write {network|filter}"),
        Broken("a filter value inside the filter's own quotes", replacing("    - echo {dst.port}", with: "    - gcloud compute routes list --filter='name=\"{network|filter}\"'"),
               marker: "    - gcloud compute route", field: "remedy.commands", reason: "sits inside quotes of a --filter expression"),
        Broken("an unknown modifier", replacing("    - echo {dst.port}", with: "    - echo {dst.port|shell}"),
               marker: "    - echo {dst.port|shell", field: "remedy.commands", reason: "unknown modifier 'shell'"),
        Broken("a logging query value outside a string", replacing("    - echo {dst.port}", with: "    - gcloud logging read 'logName={project|logfilter}'"),
               marker: "    - gcloud logging read ", field: "remedy.commands", reason: "inside a \"…\" string"),
        Broken("a logging query value without |logfilter", replacing("    - echo {dst.port}", with: "    - gcloud logging read 'logName=\"projects/{project}/logs\"'"),
               marker: "    - gcloud logging read ", field: "remedy.commands", reason: "write \"{project|logfilter}\""),
        Broken("a grep pattern value without |regex", replacing("    - echo {dst.port}", with: "    - kubectl get pods | grep {dst.port}"),
               marker: "    - kubectl get pods | g", field: "remedy.commands", reason: "write {dst.port|regex}"),
        Broken("a modifier outside any pattern", replacing("    - echo {dst.port}", with: "    - echo {dst.port|regex}"),
               marker: "    - echo {dst.port|regex", field: "remedy.commands", reason: "write {dst.port} without modifiers"),
        Broken("an unquoted <PLACEHOLDER>", replacing("    - echo {dst.port}", with: "    - echo {dst.port} <ROUTER>"),
               marker: "    - echo {dst.port} <ROU", field: "remedy.commands", reason: "unquoted it is a redirection"),
        Broken("an unclosed quote", replacing("    - echo {dst.port}", with: "    - echo '{dst.port}"),
               marker: "    - echo '{dst.port}", field: "remedy.commands", reason: "is never closed"),
        Broken("backquotes", replacing("    - echo {dst.port}", with: "    - echo `{dst.port}`"),
               marker: "    - echo `{dst.port}`", field: "remedy.commands", reason: "backquotes are not allowed"),
        Broken("a NAT on a router no command creates", replacing("    - echo {dst.port}", with: "    - gcloud compute routers nats create nat --router={network}-router --region=r\n    - echo {dst.port}"),
               marker: "    - gcloud compute routers nats", field: "remedy.commands", reason: "which no command creates"),
        Broken("a NAT on a router another command names", replacing("    - echo {dst.port}", with: "    - gcloud compute routers create other-router --network={network} --region=r\n    - gcloud compute routers nats create nat --router={network}-router --region=r\n    - echo {dst.port}"),
               marker: "    - gcloud compute routers create", field: "remedy.commands", reason: "router '{network}-router', which no command creates"),
        Broken("match_any with one alternative", replacing("group_by: [dst.port, network]", with: "match_any:\n  - {direction: INGRESS}\ngroup_by: [dst.port, network]"),
               marker: "  - {direction: INGRESS}", field: "match_any", reason: "two or more"),
        Broken("match_any naming an unknown field", replacing("group_by: [dst.port, network]", with: "match_any:\n  - {direction: INGRESS}\n  - {colour: blue}\ngroup_by: [dst.port, network]"),
               marker: "  - {colour: blue}", field: "match_any[1].colour", reason: "unknown field"),
        Broken("a modifier in prose", replacing("  why: because", with: "  why: because {dst.port|regex}"),
               marker: "  why: because", field: "remedy.why", reason: "modifiers are only for commands"),
    ]

    @Test(arguments: broken)
    func namesFileLineAndField(_ c: Broken) throws {
        let expectedLine = Self.line(of: c.marker, in: c.text)
        try #require(expectedLine > 0, "marker '\(c.marker)' is not in the fixture")
        do {
            _ = try RuleLoader.parse(c.text, file: c.file)
            Issue.record("\(c.name): parsed without error")
        } catch {
            guard case .badRuleFile(let file, let line, let field, let reason) = error else {
                Issue.record("\(c.name): unexpected error \(error)")
                return
            }
            #expect(file == c.file)
            #expect(line == expectedLine, "\(c.name): \(error)")
            #expect(field == c.field, "\(c.name): \(error)")
            #expect(reason.contains(c.reason), "\(c.name): \(reason)")
            #expect(!reason.contains("references:"), "\(c.name): the reason quotes the file")
            #expect(error.description.hasPrefix("\(c.file):\(expectedLine): rule field '\(c.field)': "))
        }
    }

    @Test func emptyFile() {
        #expect(throws: TriageError.badRuleFile(file: Self.file, line: nil, field: "(file)", reason: "the file is empty")) {
            try RuleLoader.parse("", file: Self.file)
        }
    }

    @Test func notAMapping() {
        do {
            _ = try RuleLoader.parse("- just\n- a list\n", file: Self.file)
            Issue.record("parsed")
        } catch {
            guard case .badRuleFile(_, let line, let field, let reason) = error else { return }
            #expect(line == 1)
            #expect(field == "(top level)")
            #expect(reason == "must be a mapping")
        }
    }

    /// The binary loads its built-in rules without re-checking their manifests (and on both
    /// cores); the same files must pass every check, and the two loads must agree.
    @Test func builtInRulesPassEveryCheckAndLoadTheSameInParallel() throws {
        let checked = try RuleLoader.load(path: repositoryRoot.appendingPathComponent("Rules").path).sorted { $0.id < $1.id }
        let builtIn = try RuleLoader.builtIn()
        #expect(builtIn.count == checked.count)
        #expect(builtIn.map(\.id) == checked.map(\.id))
        #expect(builtIn.map(\.source) == checked.map(\.source))
        #expect(try RuleLoader.startBuiltIn().wait().map(\.id) == checked.map(\.id))
    }

    @Test func loadsADirectoryAndRejectsDuplicateIds() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("firewall"), withIntermediateDirectories: true)
        let text = Self.valid
        try directory.write("firewall/test-rule.yaml", Array(text.utf8))
        try directory.write("firewall/second.yml", Array(text.replacingOccurrences(of: "id: test-rule", with: "id: second").utf8))
        try directory.write("firewall/README.md", Array("not a rule".utf8))
        let rules = try RuleLoader.load(path: directory.url.path)
        #expect(rules.map(\.id) == ["second", "test-rule"])
        let again = try RuleLoader.load(path: directory.path("firewall/test-rule.yaml"))
        #expect(throws: TriageError.duplicateRule(id: "test-rule", files: [rules[1].file, again[0].file])) {
            try RuleLoader.merge([rules, again])
        }
        #expect(throws: TriageError.cannotOpen(path: directory.path("none"), reason: "no such file or directory")) {
            try RuleLoader.load(path: directory.path("none"))
        }
    }

    @Test func builtInRulesLoadAndHaveUniqueIds() throws {
        let rules = try RuleLoader.builtIn()
        #expect(!rules.isEmpty)
        #expect(Set(rules.map(\.id)).count == rules.count)
        #expect(rules.map(\.id) == rules.map(\.id).sorted())
        #expect(rules.filter(\.fallback).map(\.id)
            == ["error-unexplained", "log-error-unexplained", "operation-failed-unexplained", "unclassified-denied"])
    }

    /// `match_any`: `match` and at least one alternative must hold.
    @Test func matchAnyNeedsOneAlternative() throws {
        let text = Self.replacing("group_by: [dst.port, network]", with: """
            match_any:
              - {direction: INGRESS, dst.port: 8443}
              - {direction: EGRESS}
            group_by: [dst.port, network]
            """)
        let rule = try RuleLoader.parse(text, file: Self.file)
        #expect(rule.matchAny.count == 2)
        func holds(_ facts: [String: String]) -> Bool {
            rule.matches { $0.allSatisfy { $0.evaluate(facts[$0.field]) } }
        }
        let base = ["disposition": "DENIED", "dst.role": "node", "src.role": "node", "instance": "gke-x", "denied_by": "deny-all"]
        #expect(holds(base.merging(["direction": "INGRESS", "dst.port": "8443"]) { $1 }))
        #expect(holds(base.merging(["direction": "EGRESS", "dst.port": "8500"]) { $1 }))
        #expect(!holds(base.merging(["direction": "INGRESS", "dst.port": "8500"]) { $1 }))
        #expect(!holds(base.merging(["direction": "EGRESS", "dst.port": "8500", "disposition": "ALLOWED"]) { $1 }))
        #expect(RuleExplanation.text(rule).contains("and one of:"))
    }
}
