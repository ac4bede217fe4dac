import Foundation
import Testing
@testable import TriageKit

/// One screen first: the text report opens with a summary, each finding is compact unless
/// --details (or -v) asks for all of it, --brief fits the demo on one screen, every line fits
/// COLUMNS; and the picture of the denied flows, as Mermaid in Markdown and as DOT.
@Suite("One screen first")
struct ScreenTests {
    static let bundle = "SampleLogs/bundle/inputs"
    static let now = ["--now", "2026-11-22T10:30:00Z"]

    /// Every SampleLogs folder, as its inputs.
    static let scenarios: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: CLI.sampleLogs.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: CLI.sampleLogs.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }()

    static func triage(_ arguments: [String], columns: Int = 80) throws -> RunResult {
        var environment = CLI.environment
        environment["COLUMNS"] = String(columns)
        return try CLI.run(CLI.binary, arguments, environment: environment)
    }

    /// Lines wider than `width` that could have been broken: after the indent, a field's label
    /// (or a comment's `# `) and a continued command's ` \`, more than one word (a quoted shell word is one word).
    static func breakableWideLines(_ text: String, width: Int) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            guard line.count > width else { return false }
            var rest = Substring(line.drop { $0 == " " })
            // `# ` opens a manifest's comment line (--details), like a label.
            for label in ["Should be: ", "Denied by: ", "Seen: ", "From: ", "To: ", "Note: ", "Where: ", "Evidence: ", "# "] where rest.hasPrefix(label) {
                rest = rest.dropFirst(label.count)
            }
            if rest.hasSuffix(" \\") { rest = rest.dropLast(2) }
            // The renderer's own word splitting: a quoted shell word is one word.
            return TextRenderer.shellWords(String(rest)).count > 1
        }
    }

    /// Commands as printed: continued lines (` \`) joined back into one.
    static func commands(_ text: String) -> String {
        text.replacing(#/ \\\n +/#, with: " ")
    }

    @Test("every line fits COLUMNS in each scenario, at 80 and 60 columns, brief, compact and detailed", arguments: scenarios, [80, 60])
    func linesFit(scenario: String, columns: Int) throws {
        for detail in [["--brief"], [], ["--details"]] {
            let result = try Self.triage(try FolderScenarioTests.inputs(scenario) + Self.now + detail, columns: columns)
            #expect(result.status <= 1, "\(result)")
            #expect(!result.out.isEmpty)
            let wide = Self.breakableWideLines(result.out, width: columns)
            #expect(wide.isEmpty, "\(scenario) \(detail) at \(columns): \(wide)")
        }
    }

    @Test("the demo: the summary first, a compact default with the first Fix on the first screen, all of it with --details or -v")
    func demoLayout() throws {
        let json = try JSONReport(try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now)).findings
        let compact = try Self.triage([Self.bundle, "--quiet"] + Self.now)
        let details = try Self.triage([Self.bundle, "--quiet", "--details"] + Self.now)
        let verbose = try Self.triage([Self.bundle, "--quiet", "-v"] + Self.now)
        #expect(compact.status == 1 && details.status == 1, "\(compact)")
        #expect(verbose.out == details.out, "-v implies --details")
        let lines = compact.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let errors = json.filter { $0["severity"] as? String == "error" }.count
        let warnings = json.filter { $0["severity"] as? String == "warning" }.count
        // The cluster the description given names.
        let description = try String(contentsOf: CLI.packageRoot.appendingPathComponent(Self.bundle + "/cluster.yaml"), encoding: .utf8)
        let cluster = try #require(description.split(separator: "\n").first { $0.hasPrefix("name: ") }?.dropFirst("name: ".count))
        #expect(lines[0] == "\(json.count) findings: \(errors) errors, \(warnings) warnings in cluster \(cluster).", "\(lines[0])")
        #expect(lines[1] == "Top causes:")
        #expect(lines[2].hasPrefix("  ERROR ") && lines[2].contains(json[0]["rule"] as? String ?? "?"), "\(lines[2])")
        // The plan on the first screen: what it changes, by kind.
        let planLine = try #require(lines.firstIndex { $0.hasPrefix("Fix plan (below): ") }, "\(lines.prefix(24))")
        #expect(planLine < 12 && lines[planLine].hasSuffix(" firewall rules."), "\(lines.prefix(14))")
        // The first fix on the first screen of an 80x24 terminal: where it is in the plan.
        let fix = try #require(lines.firstIndex { $0.hasPrefix("  Fix: plan step") })
        #expect(fix < 24, "first Fix on line \(fix + 1)")
        #expect(lines.count * 2 < details.out.split(separator: "\n").count, "the default is less than half of --details")
        // Every finding's every fix command is still in the default (its changes in the plan,
        // once); its docs only with --details.
        for finding in json {
            let remedy = finding["remedy"] as? [String: Any] ?? [:]
            for command in remedy["checks"] as? [String] ?? [] {
                #expect(Self.commands(compact.out).contains(command), "\(command)")
            }
            for number in remedy["plan_steps"] as? [Int] ?? [] {
                #expect(compact.out.contains("\n  \(number). for "), "step \(number)")
            }
            for reference in remedy["references"] as? [String] ?? [] {
                #expect(details.out.contains("    \(reference)\n"), "\(reference)")
            }
        }
        // The plan's manifests, after the plan, only with --details.
        #expect(!compact.out.contains("  Docs:") && !compact.out.contains("  Examples:") && !compact.out.contains("Config Connector manifests ("))
        #expect(details.out.contains("  Docs:") && details.out.contains("  Examples:") && details.out.contains("Config Connector manifests ("))
        #expect(details.out.contains("     kind: ComputeFirewall\n"))
    }

    @Test("--brief: the summary, one line per finding with its plan steps, then the plan, on one screen")
    func brief() throws {
        let json = try JSONReport(try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now)).findings
        let result = try Self.triage([Self.bundle, "--brief", "--quiet"] + Self.now)
        #expect(result.status == 1, "\(result)")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("\(json.count) findings: "))
        let heads = lines.filter { $0.hasPrefix("ERROR ") || $0.hasPrefix("WARNING ") || $0.hasPrefix("INFO ") }
        #expect(heads.count == json.count, "\(heads)")
        for (head, finding) in zip(heads, json) {
            #expect(head.hasPrefix("\((finding["severity"] as? String ?? "").uppercased()) \(finding["rule"] as? String ?? "?") ["), "\(head)")
        }
        // Each finding names its plan steps (or that it needs a check), and every step of the plan
        // is printed once, whole, after the findings.
        let output = try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now).out
        let plan = output.split(separator: "\n").compactMap { line -> [[String: Any]]? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["type"] as? String == "plan" ? object?["steps"] as? [[String: Any]] : nil
        }.first ?? []
        #expect(!plan.isEmpty)
        for (head, finding) in zip(heads, json) {
            let steps = (finding["remedy"] as? [String: Any])?["plan_steps"] as? [Int] ?? []
            #expect(head.contains(steps.isEmpty ? "[check]" : "[step"), "\(head)")
            for number in steps { #expect(plan.contains { $0["step"] as? Int == number }, "step \(number) of \(head)") }
        }
        let joined = Self.commands(result.out)
        for step in plan {
            let command = step["command"] as? String ?? "?"
            #expect(joined.contains(command), "\(command)")
            #expect(joined.components(separatedBy: command).count == 2, "printed once: \(command)")
        }
        // One screen: a 50-line terminal holds it all.
        #expect(lines.count <= 50, "\(lines.count) lines")
    }

    /// The demo's node-to-master-egress-blocked has no plan step: allow-egress-gke-master already
    /// allows the flow. The finding says so where its Fix would be, once, with and without --details.
    @Test("an error whose traffic the rules given already allow says why it has no step, once")
    func alreadyAllowedSaysWhyThereIsNoStep() throws {
        for extra in [[], ["--details"]] {
            let text = try Self.triage([Self.bundle, "--quiet"] + Self.now + extra).out
            let start = try #require(text.range(of: "ERROR node-to-master-egress-blocked"))
            let block = text[start.lowerBound...].components(separatedBy: "\n\n")[0]
            #expect(!block.contains("  Fix: "), "\(block)")
            #expect(block.components(separatedBy: "  No change: Checked against the 11 firewall rules given").count == 2, "\(block)")
            #expect(!block.contains("Note: Checked against"), "\(block)")
            #expect(block.contains("(allow-egress-gke-master,"), "\(block)")
        }
    }

    @Test("--brief and --details together are a usage error")
    func briefAndDetails() throws {
        let result = try CLI.triage([Self.bundle, "--brief", "--details"])
        #expect(result.status == 64, "\(result)")
        #expect(result.err.contains("--brief") && result.err.contains("--details"), "\(result)")
    }

    @Test("--brief and --details change only the text: the JSON is the same")
    func jsonUnchanged() throws {
        let plain = try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now)
        for flag in ["--brief", "--details"] {
            #expect(try CLI.triage([Self.bundle, "--format", "json", "--quiet", flag] + Self.now).out == plain.out)
        }
    }

    /// The denied flows the JSON holds: (src role, dst role, protocol:port, denying rules).
    static func deniedFlows(_ findings: [[String: Any]]) -> Set<String> {
        var flows: Set<String> = []
        for finding in findings {
            guard let protocolName = finding["protocol"] as? String, let port = finding["port"] as? Int else { continue }
            let sources = Set((finding["src"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String })
            let destinations = Set((finding["dst"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String })
            let rules = (finding["denied_by"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            for s in sources { for d in destinations { flows.insert("\(s) \(d) \(protocolName):\(port) \(rules)") } }
        }
        return flows
    }

    @Test("Markdown holds a Mermaid flowchart with one red edge per denied flow", arguments: ["bundle", "mixed", "health-checks-blocked"])
    func mermaid(scenario: String) throws {
        let inputs = try FolderScenarioTests.inputs(scenario)
        let findings = try JSONReport(try CLI.triage(inputs + ["--format", "json", "--quiet"] + Self.now)).findings
        let markdown = try CLI.triage(inputs + ["--format", "markdown", "--quiet"] + Self.now).out
        let block = try #require(markdown.components(separatedBy: "```mermaid\n").dropFirst().first?.components(separatedBy: "\n```\n").first)
        let lines = block.split(separator: "\n").map(String.init)
        #expect(lines.first == "flowchart LR")
        let edges = lines.filter { $0.contains(" -->|\"") }
        let flows = Self.deniedFlows(findings)
        #expect(!flows.isEmpty)
        #expect(edges.count == flows.count, "\(edges) vs \(flows)")
        // Each edge says its port and its rule.
        for flow in flows {
            let parts = flow.split(separator: " ", maxSplits: 3)
            #expect(edges.contains { $0.contains("\"\(parts[2]) denied") }, "\(flow)")
        }
        let style = try #require(lines.last)
        #expect(style.hasPrefix("    linkStyle \((0..<edges.count).map(String.init).joined(separator: ",")) stroke:red"), "\(style)")
    }

    @Test("--format dot draws the same graph, and Graphviz reads it")
    func dot() throws {
        let findings = try JSONReport(try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now)).findings
        let result = try CLI.triage([Self.bundle, "--format", "dot", "--quiet"] + Self.now)
        #expect(result.status == 1, "\(result)")
        let edges = result.out.split(separator: "\n").filter { $0.contains("\" -> \"") }
        #expect(edges.count == Self.deniedFlows(findings).count)
        let dotProgram = ["/usr/bin/dot", "/usr/local/bin/dot"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(dotProgram != nil, "graphviz is not installed (apt-get install -y graphviz)")
        let svg = try CLI.shell(#""$TRIAGE" SampleLogs/bundle/inputs --format dot --quiet --now 2026-11-22T10:30:00Z | dot -Tsvg"#)
        #expect(svg.status == 0 && svg.err.isEmpty, "\(svg)")
        #expect(svg.out.components(separatedBy: "class=\"edge\"").count - 1 == edges.count)
    }
}
