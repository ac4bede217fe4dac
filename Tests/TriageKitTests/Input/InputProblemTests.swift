import Foundation
import Testing
@testable import TriageKit

/// Broken inputs: each problem is reported where it is, and everything around it still arrives.
struct InputProblemTests {
    static func entry(_ id: String, port: Int = 443) -> String {
        #"{"insertId":"\#(id)","jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","dest_port":\#(port)},"disposition":"DENIED"}}"#
    }

    @Test func malformedNDJSONLineInTheMiddle() throws {
        let bad = #"{"insertId":"bad","jsonPayload":{"disposition":DENIED}}"#
        let text = [Self.entry("a"), Self.entry("b"), bad, Self.entry("c"), "not json at all", Self.entry("d") + " trailing",
                    Self.entry("e")].joined(separator: "\n") + "\n"
        let (sink, error, reader) = readAll(text, name: "logs.ndjson")
        #expect(error == nil)
        #expect(reader.format == .ndjson)
        #expect(sink.strings(.insertId) == ["a", "b", "c", "e"])
        #expect(sink.records.map(\.location.line) == [1, 2, 4, 7])
        #expect(sink.problems.map(\.line) == [3, 5, 6])
        #expect(sink.problems.allSatisfy { $0.category == "malformed JSON" && $0.input == "logs.ndjson" })
        #expect(sink.problems.allSatisfy { $0.byteOffset == nil })
        let column = try #require(byteOffset(of: "DENIED", in: bad)) + 1
        #expect(sink.problems[0].reason.contains("column \(column)"), "\(sink.problems[0].reason)")
        #expect(sink.problems[0].description.hasPrefix("logs.ndjson:3: "))
        #expect(sink.problems[1].reason == "not a JSON object")
        #expect(sink.problems[2].reason == "unexpected text after the JSON object")
    }

    @Test func controlCharacterInsideAStringIsMalformed() throws {
        let text = Self.entry("a") + "\n" + "{\"insertId\":\"tab\there\"}\n" + Self.entry("b") + "\n"
        let (sink, _, _) = readAll(text)
        #expect(sink.strings(.insertId) == ["a", "b"])
        #expect(sink.problems.map(\.line) == [2])
    }

    @Test func malformedElementInAJSONArray() throws {
        let entries = (0..<3).map { LogEntries.firewall(insertId: "entry-\($0)") }
        var text = FormatWriter.jsonArray(entries)
        // Break the middle element only: an unquoted value.
        let target = try #require(text.range(of: "\"insertId\": \"entry-1\""))
        let disposition = try #require(text.range(of: "\"disposition\": \"DENIED\"", range: target.upperBound..<text.endIndex))
        text.replaceSubrange(disposition, with: "\"disposition\": DENIED")
        let badByte = try #require(byteOffset(of: "\"disposition\": DENIED", in: text)) + "\"disposition\": ".utf8.count

        let (sink, error, reader) = readAll(text, name: "logs.json")
        #expect(error == nil)
        #expect(reader.format == .jsonStream)
        #expect(sink.strings(.insertId) == ["entry-0", "entry-2"])
        try #require(sink.problems.count == 1)
        let problem = sink.problems[0]
        #expect(problem.category == "malformed JSON")
        #expect(problem.line == lineNumber(ofByte: badByte, in: text))
        #expect(problem.byteOffset == Int64(badByte))
        let recordStart = lineNumber(ofByte: try #require(byteOffset(of: "{\n    \"insertId\": \"entry-1\"", in: text)), in: text)
        #expect(problem.reason.contains("record starting at line \(recordStart) skipped"), "\(problem.reason)")
        #expect(problem.description.hasPrefix("logs.json:\(problem.line!) (byte \(badByte)): "))
    }

    @Test func strayValueInAStream() throws {
        let text = "{\n  \"insertId\": \"x\"\n}\n42\n{\n  \"insertId\": \"y\"\n}\n"
        let (sink, _, _) = readAll(text)
        #expect(sink.strings(.insertId) == ["x", "y"])
        #expect(sink.problems.map(\.line) == [4])
        #expect(sink.problems.first?.reason == "expected a JSON object")
    }

    @Test func truncatedLastRecordInAnArray() throws {
        let full = FormatWriter.jsonArray((0..<3).map { LogEntries.firewall(insertId: "entry-\($0)") })
        let cut = try #require(byteOffset(of: "\"insertId\": \"entry-2\"", in: full)) + 30
        let text = String(decoding: Array(full.utf8)[..<cut], as: UTF8.self)
        let (sink, error, _) = readAll(text)
        #expect(error == nil)
        #expect(sink.strings(.insertId) == ["entry-0", "entry-1"])
        try #require(sink.problems.count == 1)
        #expect(sink.problems[0].category == "truncated input")
        #expect(sink.problems[0].reason == "the input ends inside this record")
        let start = try #require(byteOffset(of: "{\n    \"insertId\": \"entry-2\"", in: full))
        #expect(sink.problems[0].line == lineNumber(ofByte: start, in: full))
    }

    @Test func arrayThatNeverCloses() throws {
        let text = "[\n  " + Self.entry("a") + ",\n  " + Self.entry("b") + "\n"
        let (sink, error, _) = readAll(text)
        #expect(error == nil)
        #expect(sink.strings(.insertId) == ["a", "b"])
        #expect(sink.problems.map(\.reason) == ["the JSON array is not closed"])
        #expect(sink.problems.map(\.category) == ["truncated input"])
    }

    @Test func truncatedLastNDJSONLine() throws {
        let text = Self.entry("a") + "\n" + Self.entry("b") + "\n" + String(Self.entry("c").prefix(40))
        let (sink, error, _) = readAll(text)
        #expect(error == nil)
        #expect(sink.strings(.insertId) == ["a", "b"])
        #expect(sink.problems.map(\.line) == [3])
        #expect(sink.problems.first?.reason == "the line ends before the JSON object closes")
    }

    @Test(arguments: ["", " ", "\n\n\n", " \t\r\n", "\u{FEFF}"])
    func emptyInput(text: String) throws {
        let (sink, error, reader) = readAll(text)
        #expect(error == nil)
        #expect(sink.records.isEmpty)
        #expect(sink.problems.isEmpty)
        #expect(reader.format == nil)
    }

    @Test(arguments: [
        ("hello world\nthis is not a log\n", "hello world"),
        ("<html><body>", "<html><body>"),
        ("key = value\n", "key = value"),
        ("\u{1B}[31mred", "\\x1b[31mred"),
    ])
    func unknownFormat(text: String, shown: String) throws {
        // The reader hands text on line by line; the collector finds nothing in it and says so.
        let (sink, error, reader) = readAll(text, name: "mystery.bin")
        #expect(error == nil)
        #expect(reader.format == .text)
        #expect(sink.records.isEmpty)
        let collector = EvidenceCollector()
        let collected = collector.read(InputReader(name: "mystery.bin", source: MemorySource(text)))
        #expect(collected == .unknownFormat(input: "mystery.bin", firstBytes: shown))
        #expect(collector.account.textLines == text.split(separator: "\n").count)
    }

    @Test func binaryIsAnUnknownFormat() throws {
        let (_, error, _) = readAll([0x00, 0x01, 0x02, 0xFF, 0x7B], name: "bin")
        guard case .unknownFormat(let input, _) = error else {
            Issue.record("expected unknownFormat, got \(String(describing: error))")
            return
        }
        #expect(input == "bin")
    }

    @Test func recordLargerThanTheBuffer() throws {
        // One 3 MiB string value: the buffer has to grow twice.
        let big = String(repeating: "x", count: 3 << 20)
        let text = Self.entry("before") + "\n" + #"{"insertId":"big","textPayload":"\#(big)"}"# + "\n" + Self.entry("after") + "\n"
        let (sink, error, _) = readAll(text)
        #expect(error == nil)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == ["before", "big", "after"])
        #expect(sink.records[1].strings[.textPayload]?.count == big.count)
        #expect(sink.records.map(\.location.line) == [1, 2, 3])
    }
}
