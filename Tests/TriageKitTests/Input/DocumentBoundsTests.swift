import Foundation
import Testing
@testable import TriageKit

/// Issue 11, item 6: a YAML document too large to hand to Yams is not decoded but still
/// searched as text, a line at a time; nesting is measured on the text before any decoder.
@Suite("Document bounds")
struct DocumentBoundsTests {
    static let webhookError = #"Error from server (InternalError): Internal error occurred: failed calling webhook "validation.gatekeeper.sh": Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": context deadline exceeded"#

    @Test func aDocumentOverTheBoundIsNamedAndSearchedAsText() throws {
        let big = String(repeating: "x", count: YAMLDocument.maximumDocumentBytes + 1)
        let text = "---\napiVersion: v1\nkind: ConfigMap\ndata:\n  big: \(big)\n  error: \(Self.webhookError)\n"
        let collector = EvidenceCollector()
        var problems: [InputProblem] = []
        collector.onProblem = { problems.append($0) }
        collector.read(InputReader(name: "big.yaml", source: MemorySource(Array(text.utf8))))
        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.input == "big.yaml")
        #expect(problem.line == 1)
        #expect(problem.reason.contains("a YAML document of \(text.utf8.count) bytes, over the 8 MiB bound"), "\(problem.reason)")
        // The error line inside it is still found, and the document is not counted as skipped.
        #expect(collector.observations.count == 1)
        #expect(collector.observations.first?.facts["webhook"] == "validation.gatekeeper.sh")
        #expect(collector.observations.first?.location?.line == 6)
        #expect(collector.account.skipped.isEmpty)
    }

    @Test func aDocumentUnderTheBoundIsDecoded() throws {
        let text = "name: c\nnote: " + String(repeating: "x", count: 1 << 20) + "\n"
        let document = try #require(try YAMLDocument.load(text) as? [String: Any])
        #expect((document["note"] as? String)?.count == 1 << 20)
    }

    @Test(arguments: [
        ("a: " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300), 1),
        ("a:\n" + String(repeating: "- ", count: 300) + "x", 2),
        ((0..<300).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x", YAMLDocument.maximumDepth + 1),
        ("a: &x " + String(repeating: "{b: ", count: 300) + "c" + String(repeating: "}", count: 300), 1),
    ])
    func nestingPastTheBoundIsRefusedWithItsLine(text: String, line: Int) throws {
        #expect(throws: YAMLDocument.Refused.self) { try YAMLDocument.load(text) }
        do {
            _ = try YAMLDocument.load(text)
        } catch {
            #expect(error.line == line)
            #expect(error.category == "YAML nested too deep")
        }
    }

    @Test func nestingThatIsOnlyTextIsNotCounted() throws {
        // Brackets in quotes, comments, plain scalars and block scalars open nothing.
        let brackets = String(repeating: "[", count: 300)
        let text = "a: \"\(brackets)\"\nb: '\(brackets)'\nc: x \(brackets)\nd: y # \(brackets)\ne: |\n  \(brackets)\n  *z }: q\nf: [1, [2]]\n"
        let document = try #require(try YAMLDocument.load(text) as? [String: Any])
        #expect(document["a"] as? String == brackets)
        #expect((document["e"] as? String)?.hasPrefix(brackets) == true)
        #expect(YAMLDocument.Shape(of: text).depth == 3)
    }

    @Test func anAliasBombInARuleSampleFileIsRefusedNamingItsLine() throws {
        var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j", "k"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*" + previous, count: 9).joined(separator: ",") + "]")
            previous = name
        }
        let file = Rule.File(name: "cluster.yaml", text: lines.joined(separator: "\n") + "\n")
        let sample = Rule.Sample(name: "bomb", topology: [:], input: "", files: [file], expect: [], line: 7)
        do {
            _ = try SampleRunner.rewrite(file, as: .ndjson, sample: sample)
            Issue.record("the bomb was expanded")
        } catch {
            guard case .badRuleFile(let name, let line, _, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(name == "bomb")
            #expect(line == 7)
            #expect(reason.hasPrefix("cluster.yaml line 2: YAML aliases expand to more than"), "\(reason)")
        }
    }

    @Test func jsonNestingIsMeasuredOutsideStrings() {
        let deep = Array(("{\"a\": \"[[[[\", \"b\":\n" + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}").utf8)
        #expect(deep.withUnsafeBufferPointer { JSONNesting.lineTooDeep($0) } == 2)
        let shallow = Array(("{\"a\": \"" + String(repeating: "[", count: 300) + "\"}").utf8)
        #expect(shallow.withUnsafeBufferPointer { JSONNesting.lineTooDeep($0) } == nil)
    }
}
