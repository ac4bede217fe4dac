import Foundation
import Testing
@testable import TriageKit

/// The picture of the denied flows, as Mermaid in the Markdown report and as DOT: built from the
/// findings' typed facts, and safe whatever a rule name from a log holds.
struct FlowGraphTests {
    /// Rule names as tools/hostile-names.py writes them, and the syntax of both drawings.
    static let hostile = [
        "$(touch x)", "a'$(touch X)'b", "x\"$(touch X)\"`touch X`; touch X | touch X\n#", "end\"]; evil[\"x",
        "a]-->b", "-->|\"x\"| role_pod", "<img src=x onerror=alert(1)>", "#quot; &amp; %%{init: {}}%%", "back\\slash\\\"",
        "```\n# heading", "\u{1B}[2J\u{202E}rtl", "x\n}\ndigraph evil {",
    ]

    /// The plain analysis with its first finding denied by `name` over a range named `range`.
    static func analysis(ruleName name: String, range: String = "172.16.0.0/28") throws -> Analysis {
        var analysis = try ReportFixtures.plainAnalysis()
        analysis.findings[0].deniedBy = [Finding.DenyingRule(reference: "network:n/firewall:\(name)", name: name, priority: 1)]
        for index in analysis.findings[0].sources.indices { analysis.findings[0].sources[index].range = range }
        return analysis
    }

    /// The distinct flows the findings hold: (from role, to role, protocol:port, rules).
    static func flows(_ findings: [Finding]) -> Set<String> {
        var flows: Set<String> = []
        for f in findings {
            guard let p = f.protocolName, let port = f.port else { continue }
            for s in Set(f.sources.map(\.role)) {
                for d in Set(f.destinations.map(\.role)) {
                    flows.insert("\(s)|\(d)|\(p):\(port)|\(f.deniedBy.map(\.name))")
                }
            }
        }
        return flows
    }

    @Test func oneRedEdgePerDeniedFlowFromTheTypedFacts() throws {
        let analysis = try ReportFixtures.plainAnalysis()
        let mermaid = FlowGraph(analysis.findings).mermaid()
        let edges = mermaid.split(separator: "\n").filter { $0.contains(" -->|") }
        #expect(edges.count == Self.flows(analysis.findings).count)
        #expect(edges.count == 2, "\(mermaid)")
        #expect(edges.contains("    role_control_plane -->|\"tcp:8443 denied by deny-all-ingress, deny-b\"| role_pod"), "\(mermaid)")
        #expect(mermaid.contains("    role_control_plane[\"control plane 172.16.0.0/28\"]\n"))
        #expect(mermaid.contains("    linkStyle 0,1 stroke:red,"))
        let dot = FlowGraph(analysis.findings).dot()
        #expect(dot.split(separator: "\n").filter { $0.contains(" -> ") }.count == edges.count)
        #expect(dot.contains("\"role_control_plane\" -> \"role_pod\" [label=\"tcp:8443\\ndenied by deny-all-ingress, deny-b\"];"), "\(dot)")
        #expect(dot.hasPrefix("digraph triage {\n") && dot.hasSuffix("}\n"))
    }

    @Test func findingsThatAreNoFlowDrawNothing() throws {
        var analysis = try ReportFixtures.plainAnalysis()
        for index in analysis.findings.indices { analysis.findings[index].port = nil }
        let graph = FlowGraph(analysis.findings)
        #expect(graph.edges.isEmpty && graph.boxes.isEmpty)
        #expect(!Renderer.render(analysis, as: .markdown, options: RenderOptions()).contains("```mermaid"))
    }

    @Test func markdownHoldsTheMermaidBlock() throws {
        let analysis = try ReportFixtures.plainAnalysis()
        let markdown = Renderer.render(analysis, as: .markdown, options: RenderOptions())
        #expect(markdown.contains("```mermaid\n" + FlowGraph(analysis.findings).mermaid() + "```\n"))
    }

    @Test(arguments: hostile)
    func hostileNamesStayInsideTheirMermaidLabel(name: String) throws {
        let analysis = try Self.analysis(ruleName: name, range: name)
        let mermaid = FlowGraph(analysis.findings).mermaid()
        let lines = mermaid.split(separator: "\n", omittingEmptySubsequences: false)
        // Nothing added a line: the header, two boxes per flow's roles, the edges, the style, the end.
        let graph = FlowGraph(analysis.findings)
        #expect(lines.count == 1 + graph.boxes.count + graph.edges.count + 1 + 1, "\(mermaid)")
        #expect(mermaid.unicodeScalars.filter(ReportFixtures.isControl).isEmpty)
        for line in lines where line.contains(" -->|") || line.hasSuffix("\"]") {
            // Exactly the label's own two quotes; no `<`/`>` but the arrow's; no backtick to
            // close the fence; `#` only as the start of an entity code.
            #expect(line.filter { $0 == "\"" }.count == 2, "\(line)")
            #expect(!line.contains("`") && !line.contains("%"), "\(line)")
            let outsideArrow = line.replacingOccurrences(of: " -->|", with: "")
            #expect(!outsideArrow.contains("<") && !outsideArrow.contains(">"), "\(line)")
            #expect(line.matches(of: /#(?![0-9]+;)/).isEmpty, "\(line)")
        }
        let edge = try #require(lines.first { $0.hasPrefix("    role_control_plane -->|\"") })
        #expect(edge.hasSuffix("\"| role_pod"), "\(edge)")
        // The name is there, written as entity codes, and reads back as the name made one line.
        let label = edge.dropFirst("    role_control_plane -->|\"".count).dropLast("\"| role_pod".count)
        let decoded = label.replacing(/#([0-9]+);/) { String(UnicodeScalar(UInt32($0.1)!)!) }
        #expect(decoded == "tcp:8443 denied by " + TerminalText.sanitize(name, limit: TerminalText.Limit.name), "\(label)")
    }

    @Test(arguments: hostile)
    func hostileNamesStayInsideTheirDOTString(name: String) throws {
        let analysis = try Self.analysis(ruleName: name, range: name)
        let dot = FlowGraph(analysis.findings).dot()
        #expect(dot.unicodeScalars.filter(ReportFixtures.isControl).isEmpty)
        let edge = try #require(dot.split(separator: "\n").first { $0.hasPrefix("    \"role_control_plane\" -> \"role_pod\" [label=\"") })
        // Read the string back as DOT does: `\"` is a quote, `\\` a backslash; the string ends at
        // the first unescaped quote, which must be the one before `];`.
        var rest = edge.dropFirst("    \"role_control_plane\" -> \"role_pod\" [label=\"".count)
        var value = ""
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == "\\", let next = rest.first {
                value.append(next == "n" ? "\n" : next)
                rest = rest.dropFirst()
            } else if c == "\"" {
                break
            } else {
                value.append(c)
            }
        }
        #expect(rest == "];", "\(edge)")
        #expect(value == "tcp:8443\ndenied by " + TerminalText.sanitize(name, limit: TerminalText.Limit.name), "\(value)")
    }

    /// Graphviz itself reads the DOT with every hostile name in it, and draws each edge.
    @Test func graphvizParsesHostileDOT() throws {
        let dotProgram = ["/usr/bin/dot", "/usr/local/bin/dot"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(dotProgram != nil, "graphviz is not installed (apt-get install -y graphviz)")
        for name in Self.hostile {
            let analysis = try Self.analysis(ruleName: name, range: name)
            let graph = FlowGraph(analysis.findings)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: dotProgram!)
            process.arguments = ["-Tsvg"]
            let input = Pipe()
            let output = Pipe()
            let errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(Data(graph.dot().utf8))
            try input.fileHandleForWriting.close()
            let svg = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(name.debugDescription): \(stderr)")
            #expect(stderr.isEmpty, "\(name.debugDescription): \(stderr)")
            #expect(svg.components(separatedBy: "class=\"edge\"").count - 1 == graph.edges.count, "\(name.debugDescription)")
            #expect(svg.components(separatedBy: "class=\"node\"").count - 1 == graph.boxes.count, "\(name.debugDescription)")
        }
    }
}
