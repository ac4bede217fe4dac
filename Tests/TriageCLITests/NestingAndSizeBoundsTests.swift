import Foundation
import Testing

/// Issue 11, item 6: documents nested a hundred thousand levels deep, alias chains that nest
/// deeper still once composed, and alias bombs in `--rules` files end in a problem line naming
/// file:line, not a crash or a hang. Run as a subprocess: a stack overflow kills the process.
@Suite("Nesting and size bounds")
struct NestingAndSizeBoundsTests {
    struct Deep: CustomTestStringConvertible, Sendable {
        var name: String
        var file: String
        var text: String
        /// The line the problem names.
        var line: Int
        var testDescription: String { name }
    }

    static let levels = 100_000

    /// An anchor nested 200 deep, and each next anchor holding the last 200 deeper again.
    static func aliasChain(depth: Int, anchors: Int) -> String {
        var lines = ["a0: &a0 " + String(repeating: "[", count: depth) + "x" + String(repeating: "]", count: depth)]
        for i in 1..<anchors {
            lines.append("a\(i): &a\(i) " + String(repeating: "[", count: depth) + "*a\(i - 1)" + String(repeating: "]", count: depth))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let clusterHead = "name: deep\nnetwork: vpc\nprivateClusterConfig:\n  masterIpv4CidrBlock: 172.16.0.0/28\n"

    static let cases: [Deep] = [
        Deep(name: "YAML flow", file: "flow.yaml",
             text: "a: " + String(repeating: "[", count: levels) + "x" + String(repeating: "]", count: levels) + "\n", line: 1),
        Deep(name: "YAML block", file: "block.yaml", text: "a:\n" + String(repeating: "- ", count: levels) + "x\n", line: 2),
        Deep(name: "JSON", file: "deep.json",
             text: "{\"a\": " + String(repeating: "[", count: levels) + String(repeating: "]", count: levels) + "}\n", line: 1),
        Deep(name: "YAML aliases nesting 200 × 200", file: "chain200.yaml", text: aliasChain(depth: 200, anchors: 200), line: 2),
        Deep(name: "YAML aliases nesting 30 × 200", file: "chain30.yaml", text: aliasChain(depth: 30, anchors: 200), line: 2),
    ]

    @Test("Deep nesting as an input is a problem naming file:line", arguments: cases)
    func deepInput(deep: Deep) throws {
        try CLI.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent(deep.file)
            try CLI.write(deep.text, to: file)
            let result = try CLI.triage([file.path, "--format", "json"])
            #expect(result.status == 2, "\(result)")
            #expect(result.err.contains("\(deep.file):\(deep.line): "), "\(result)")
            #expect(result.err.contains("nest"), "\(result)")
        }
    }

    @Test("Deep nesting in a --cluster description is a clear error", arguments: cases)
    func deepCluster(deep: Deep) throws {
        try CLI.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent(deep.file)
            // The description is a cluster's, with the deep value inside it.
            let text: String
            if deep.file.hasSuffix(".json") {
                text = "{\"name\": \"deep\", \"network\": \"vpc\", \"privateClusterConfig\": {\"masterIpv4CidrBlock\": \"172.16.0.0/28\"}, "
                    + String(deep.text.dropFirst())
            } else {
                text = Self.clusterHead + deep.text
            }
            try CLI.write(text, to: file)
            let result = try CLI.triage(["--cluster", file.path, Scenario.mixed.json.path])
            #expect(result.status == 2, "\(result)")
            #expect(result.err.contains("not a usable cluster description: line "), "\(result)")
            #expect(result.err.contains("nest"), "\(result)")
        }
    }

    static let bombRule: String = {
        var lines = ["id: bomb-rule", #"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j", "k"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*" + previous, count: 9).joined(separator: ",") + "]")
            previous = name
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test("An alias bomb in a --rules directory is refused naming file and line")
    func aliasBombRule() throws {
        try CLI.withTemporaryDirectory { directory in
            try CLI.write(Self.bombRule, to: directory.appendingPathComponent("bomb-rule.yaml"))
            for arguments in [["rules", "check", directory.path], [Scenario.mixed.json.path, "--rules", directory.path]] {
                let result = try CLI.triage(arguments)
                #expect(result.status == 2, "\(result)")
                #expect(result.err.contains("bomb-rule.yaml:3:"), "\(result)")
                #expect(result.err.contains("YAML aliases expand to more than"), "\(result)")
            }
        }
    }
}
