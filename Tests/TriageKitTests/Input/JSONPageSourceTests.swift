import Foundation
import Testing
@testable import TriageKit

/// Reads a source to the end in small reads, as InputReader would (odd sizes cross every boundary).
private func drain(_ source: ByteSource, readSize: Int = 7) throws -> String {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: readSize)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { return String(decoding: out, as: UTF8.self) }
        out += buffer[0..<n]
    }
}

/// A source that hands out its bytes a few at a time.
private final class TrickleSource: ByteSource {
    private let inner: MemorySource
    init(_ text: String) { inner = MemorySource(text) }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(3)))
    }
}

@Suite struct JSONPageSourceTests {
    @Test func passesTheArrayThroughAndKeepsTheToken() throws {
        let page = """
            {
              "nextPageToken": "EAE4\\u003d-x",
              "entries": [
                {"insertId": "a", "text": "brackets ] } [ { and \\"quotes\\""},
                {"insertId": "b"}
              ],
              "skipped": {"nested": [1, {"entries": [9]}], "n": 3}
            }
            """
        let source = JSONPageSource(upstream: TrickleSource(page), name: "page", arrayKey: "entries")
        let text = try drain(source)
        #expect(source.values["nextPageToken"] == "EAE4=-x")
        #expect(source.sawArray)
        let array = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
        #expect(array?.map { $0["insertId"] as? String } == ["a", "b"])
        // Lines outside the array are kept as newlines, so record lines match the page's.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let pageLines = page.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == pageLines.count)
        #expect(lines[3] == pageLines[3])
    }

    @Test func feedsTheReaderRecordByRecordWithTrueLineNumbers() throws {
        let entries = (0..<3).map { LogEntries.firewall(insertId: "id-\($0)") }
        let body = try JSONSerialization.data(withJSONObject: ["entries": entries, "nextPageToken": "next-1"], options: [.prettyPrinted, .sortedKeys])
        let source = JSONPageSource(upstream: MemorySource(Array(body)), name: "page", arrayKey: "entries")
        let collector = EvidenceCollector()
        #expect(collector.read(InputReader(name: "page", source: source, format: .jsonStream)) == nil)
        #expect(collector.account.firewallRecords == 3)
        #expect(source.values["nextPageToken"] == "next-1")
        let firstLine = collector.flowGroups().first?.event.location?.line
        // The first record opens at the first '{' after the array's '['.
        let open = body.firstIndex(of: UInt8(ascii: "["))!
        let firstRecord = body[open...].firstIndex(of: UInt8(ascii: "{"))!
        #expect(firstLine == body[..<firstRecord].filter { $0 == 0x0A }.count + 1)
    }

    @Test func anEmptyPageIsNoRecordsAndNoToken() throws {
        let source = JSONPageSource(upstream: MemorySource("{}\n"), name: "page", arrayKey: "entries")
        #expect(try drain(source).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(source.values.isEmpty)
        #expect(!source.sawArray)
    }

    @Test func aCutOrBrokenPageIsAnError() {
        for broken in ["{\"entries\": [{\"a\": 1}", "[1, 2]", "{\"entries\": [] } trailing", "{\"entries\" [] }"] {
            let source = JSONPageSource(upstream: MemorySource(broken), name: "page", arrayKey: "entries")
            #expect(throws: TriageError.self, "\(broken)") { _ = try drain(source) }
        }
    }

    @Test func skipsTheEntriesAnEarlierAnswerDeliveredAndKeepsLineNumbers() throws {
        let entries: [[String: Any]] = (0..<5).map { ["insertId": "id-\($0)", "text": "a ] } , [ { \"quoted\" \\"] }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["entries": entries, "nextPageToken": "t-2"], options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        for skip in 0...6 {
            let source = JSONPageSource(upstream: TrickleSource(body), name: "page", arrayKey: "entries", skip: skip)
            let text = try drain(source)
            let array = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
            #expect(array?.map { $0["insertId"] as? String } == entries.dropFirst(skip).map { $0["insertId"] as? String }, "skip \(skip)")
            #expect(source.skippedElements == min(skip, entries.count))
            #expect(source.values["nextPageToken"] == "t-2")
            #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == body.split(separator: "\n", omittingEmptySubsequences: false).count)
        }
    }

    @Test func aPageThatStopsShortSaysSo() {
        let source = JSONPageSource(upstream: MemorySource("{\"entries\": [{\"a\": 1}, {\"b\""), name: "page", arrayKey: "entries")
        #expect(throws: TriageError.self) { _ = try drain(source) }
        #expect(source.endedEarly)
        let malformed = JSONPageSource(upstream: MemorySource("[1, 2]"), name: "page", arrayKey: "entries")
        #expect(throws: TriageError.self) { _ = try drain(malformed) }
        #expect(!malformed.endedEarly, "not a page at all is no reason to ask again")
    }
}
