import Foundation
import Testing
import Yams
@testable import TriageKit

/// Every command a rule prints, filled with hostile values, parses in bash and hands each value
/// to its program as exactly the argument intended; nothing else runs.
@Suite(.serialized)
struct CommandQuotingPropertyTests {
    /// The template with each placeholder renamed `f0`, `f1`, … (modifiers kept), so each
    /// occurrence can take its own value, and the languages each occurrence's value goes through.
    static func occurrences(_ template: Template) -> (template: Template, languages: [[Quote.Language]]) {
        var source = ""
        var languages: [[Quote.Language]] = []
        for part in template.parts {
            switch part {
            case .text(let text): source += text
            case .field(_, let modifiers):
                source += "{" + (["f\(languages.count)"] + modifiers).joined(separator: "|") + "}"
                languages.append(modifiers.compactMap(Quote.Language.init(rawValue:)))
            }
        }
        return (Template(source), languages)
    }

    /// A value that every encoding leaves alone and that is not part of another token.
    static func token(_ index: Int) -> String { "qv\(index)z" }

    static func index(_ name: String) -> Int { Int(name.dropFirst())! }

    static func commandTemplates() throws -> [(rule: String, template: Template)] {
        try RuleLoader.builtIn().flatMap { rule in
            (rule.remedy.commands + rule.remedy.kpt).map { (rule.id, $0.text) }
        }
    }

    /// The argv the stubs saw with each token replaced by what its value should arrive as.
    static func expected(_ calls: [[String]], replacing tokens: [(token: String, arrives: String)]) -> [[String]] {
        calls.map { call in
            call.map { argument in tokens.reduce(argument) { $0.replacingOccurrences(of: $1.token, with: $1.arrives) } }
        }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test func everyRuleCommandDeliversHostileValuesVerbatim() throws {
        let templates = try Self.commandTemplates()
        #expect(templates.count > 90)
        let prepared = templates.map { Self.occurrences($0.template) }
        let shell = try StubShell()

        // The intended argv: each value a unique safe token.
        let safeCommands = prepared.map { p in p.template.render({ Self.token(Self.index($0)) }, quoting: .shell) }
        let safeSyntax = try shell.syntaxProblem(safeCommands)
        #expect(safeSyntax == nil)
        let safe = try shell.outcomes(safeCommands)
        for (index, outcome) in safe.enumerated() {
            #expect(!outcome.calls.isEmpty && outcome.stderr.isEmpty, "\(templates[index].rule): \(safeCommands[index]): \(outcome.stderr)")
        }

        var random = SplitMix64(seed: 0x5EED_0011)
        var cases: [(template: Int, values: [String?], command: String)] = []
        for iteration in 0..<6 {
            for (index, p) in prepared.enumerated() {
                // One round leaves every value unknown: the visible gaps must paste safely too.
                let values: [String?] = p.languages.map { _ in iteration == 0 ? nil : HostileValues.value(&random) }
                let command = p.template.render({ values[Self.index($0)] }, quoting: .shell)
                cases.append((index, values, command))
            }
        }
        let syntax = try shell.syntaxProblem(cases.map(\.command))
        #expect(syntax == nil)
        let outcomes = try shell.outcomes(cases.map(\.command))
        var failures = 0
        for (item, outcome) in zip(cases, outcomes) {
            let languages = prepared[item.template].languages
            let tokens = item.values.indices.map { k in
                (Self.token(k), item.values[k].map { Quote.encode($0, languages[k]) } ?? Template.gap("f\(k)"))
            }
            let wanted = Self.expected(safe[item.template].calls, replacing: tokens)
            let ok = outcome.calls == wanted && outcome.files == safe[item.template].files
            if !ok && failures < 5 {
                failures += 1
                Issue.record("\(templates[item.template].rule): \(item.command)\n got \(outcome.calls)\nwant \(wanted)\nfiles \(outcome.files) \(outcome.stderr)")
            }
        }
        #expect(failures == 0)
    }

    // The Config Connector manifests are the plan's, derived from its steps: PlanFormsTests
    // reads hostile values back from them (and from the Terraform form).

    // MARK: - Commands built in Swift

    /// Runs commands through the stubs and checks each program got `arguments` exactly.
    static func checkDelivered(_ commands: [(ShellCommand, [[String]])], in shell: StubShell) throws {
        let texts = commands.map(\.0.rendered)
        let syntax = try shell.syntaxProblem(texts)
        #expect(syntax == nil)
        for ((command, wanted), outcome) in zip(commands, try shell.outcomes(texts)) {
            let sorted = wanted.sorted { $0.lexicographicallyPrecedes($1) }
            #expect(outcome.calls == sorted, "\(command.rendered)")
            #expect(command.arguments.sorted { $0.lexicographicallyPrecedes($1) } == sorted)
            #expect(!outcome.files.contains("X"), "\(command.rendered)")
        }
    }

    @Test func swiftBuiltCommandsDeliverHostileValuesVerbatim() throws {
        let shell = try StubShell()
        var random = SplitMix64(seed: 0x5EED_0013)
        var commands: [(ShellCommand, [[String]])] = []
        for _ in 0..<40 {
            let project = HostileValues.value(&random)
            let value = HostileValues.value(&random)
            func logEscaped(_ text: String) -> String {
                text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            }
            commands.append((FindingBuilder.describeCommand(rule: value, project: project),
                [["gcloud", "compute", "firewall-rules", "describe", value, "--project=" + project]]))
            commands.append((FindingBuilder.deniedLogCommand(project: project, destIP: value, destPort: 8443), [[
                "gcloud", "logging", "read",
                "logName=\"projects/\(logEscaped(project))/logs/compute.googleapis.com%2Ffirewall\" AND jsonPayload.disposition=\"DENIED\" "
                    + "AND jsonPayload.connection.dest_ip=\"\(logEscaped(value))\" AND jsonPayload.connection.dest_port=8443",
                "--project=" + project, "--freshness=1h", "--limit=5",
            ]]))
            commands.append((FindingBuilder.nodeTagCommand(cluster: value), [[
                "gcloud", "compute", "firewall-rules", "list", "--filter",
                "name~gke-" + Quote.filterOperand(Quote.regexLiteral(value)) + "-[0-9a-z]*-master", "--format", "value(targetTags)",
            ]]))
            commands.append((FindingMerger.surerCommand(for: "firewall", project: project)!, [[
                "gcloud", "logging", "read", "logName:\"compute.googleapis.com%2Ffirewall\" AND jsonPayload.disposition=\"DENIED\"",
                "--project=" + project, "--freshness=1d", "--format=json",
            ]]))
            commands.append((FindingMerger.surerCommand(for: "config", project: project)!, [
                ["gcloud", "compute", "routes", "list", "--project=" + project, "--format=json"],
                ["gcloud", "dns", "record-sets", "list", "--zone=ZONE", "--project=" + project, "--format=json"],
            ]))
            for kind in ["check", "message", "operation", "cluster"] {
                let command = FindingMerger.surerCommand(for: kind, project: project)!
                commands.append((command, command.arguments))
            }
            var facts = ["namespace": project, "service": value, "service_port": "443"]
            WebhookPort.infer(into: &facts, name: nil, text: "")
            let confirm = ShellCommand("kubectl get endpoints -n").adding(.value(project, [])).adding(.value(value, []))
                .adding(literal: "-o").adding(literal: "jsonpath={.subsets[*].ports[*].port}")
            #expect(facts["confirm"] == confirm.rendered)
            commands.append((confirm, [["kubectl", "get", "endpoints", "-n", project, value, "-o", "jsonpath={.subsets[*].ports[*].port}"]]))
        }
        try Self.checkDelivered(commands, in: shell)
    }

    /// gcloud's filter lexer (resource_lex.Lexer.Token, for one operand), to check that an
    /// encoded operand reads back as the value.
    static func gcloudOperand(_ text: String) -> String? {
        var token = ""
        var quote: Character?
        let chars = Array(text)
        var index = 0
        while index < chars.count {
            let c = chars[index]
            if c == "\\", index + 1 < chars.count {
                let next = chars[index + 1]
                if next != "\\" && next != quote && (quote != nil || (next != "\"" && next != "'")) { token.append("\\") }
                token.append(next)
                index += 2
                continue
            }
            if let q = quote, c == q { quote = nil }
            else if quote == nil && (c == "\"" || c == "'") { quote = c }
            else if quote == nil && (c.isWhitespace || c == "(" || c == ")") { return nil }  // the operand would end here
            else { token.append(c) }
            index += 1
        }
        return quote == nil ? token : nil
    }

    @Test func filterOperandsReadBackAsTheValue() {
        var random = SplitMix64(seed: 0x5EED_0014)
        for _ in 0..<2000 {
            let value = HostileValues.value(&random)
            #expect(Self.gcloudOperand(Quote.filterOperand(value)) == value, "\(value)")
        }
    }

    @Test func regexLiteralsMatchOnlyTheValue() throws {
        var random = SplitMix64(seed: 0x5EED_0015)
        for _ in 0..<500 {
            let value = HostileValues.value(&random)
            let pattern = try NSRegularExpression(pattern: "^" + Quote.regexLiteral(value) + "$")
            let whole = NSRange(value.startIndex..., in: value)
            #expect(pattern.firstMatch(in: value, range: whole) != nil, "\(value)")
            let other = value + "x"
            #expect(pattern.firstMatch(in: other, range: NSRange(other.startIndex..., in: other)) == nil)
        }
    }
}
