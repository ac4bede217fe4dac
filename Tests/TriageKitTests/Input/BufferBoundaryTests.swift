import Foundation
import Testing
@testable import TriageKit

/// The reader works in a 1 MiB buffer; records that straddle its refills must arrive whole.
struct BufferBoundaryTests {
    static let mebibyte = 1 << 20

    /// Copies out only what `check` compares.
    static func sink() -> RecordingSink {
        RecordingSink(fields: [.insertId, .instanceVM, .textPayload, .destPort, .srcIP, .destIP, .severity], decodeValues: false)
    }

    /// Entries whose sizes vary, so boundaries fall at every kind of place inside them.
    static func entries(count: Int, seed: UInt64) -> [[String: Any]] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { i in
            var entry = LogEntries.firewall(
                insertId: "b-\(i)", srcPort: 1024 + i % 60000, dstPort: random.int(1...65535),
                vmName: "vm-\(i)-" + String(repeating: "é", count: random.int(0...120)))
            // A few big records among many small ones.
            let size = random.chance(0.3) ? random.int(2000...12000) : random.int(0...300)
            entry["textPayload"] = String(repeating: "z", count: size) + "\\\"end"
            return entry
        }
    }

    private func check(_ sink: RecordingSink, _ entries: [[String: Any]], _ label: String) {
        #expect(sink.problems.isEmpty, "\(label): \(sink.problems.prefix(3))")
        #expect(sink.records.count == entries.count, "\(label)")
        for (record, entry) in zip(sink.records, entries) {
            let payload = entry["jsonPayload"] as! [String: Any]
            let instance = payload["instance"] as! [String: Any]
            let connection = payload["connection"] as! [String: Any]
            guard record.strings[.insertId] == entry["insertId"] as? String,
                record.strings[.instanceVM] == instance["vm_name"] as? String,
                record.strings[.textPayload] == entry["textPayload"] as? String,
                record.integers[.destPort] == connection["dest_port"] as? Int
            else {
                Issue.record("\(label): \(String(describing: record.strings[.insertId])) differs from \(entry["insertId"]!)")
                return
            }
        }
    }

    @Test func ndjsonAcrossRefills() throws {
        let entries = Self.entries(count: 900, seed: 1)
        let text = LogEntries.ndjson(entries)
        try #require(text.utf8.count > 2 * Self.mebibyte)
        let (sink, error, _) = readAll(text, sink: Self.sink())
        #expect(error == nil)
        check(sink, entries, "ndjson")
        #expect(sink.records.map(\.location.line) == Array(1...entries.count))
    }

    @Test func jsonArrayAcrossRefills() throws {
        let entries = Self.entries(count: 800, seed: 2)
        let bytes = FormatWriter.write(entries, as: .jsonArray)
        try #require(bytes.count > 2 * Self.mebibyte)
        let (sink, error, _) = readAll(bytes, sink: Self.sink())
        #expect(error == nil)
        check(sink, entries, "json array")
        // Every record's line and byte offset point at its opening brace ("  {" in gcloud's layout).
        var starts: [Int] = []
        var lines: [Int] = []
        bytes.withUnsafeBufferPointer { p in
            var line = 1
            var lineStart = 0
            for index in 0..<p.count {
                if p[index] == 0x0A {
                    line += 1
                    lineStart = index + 1
                } else if p[index] == 0x7B && index == lineStart + 2 {
                    starts.append(index)
                    lines.append(line)
                }
            }
        }
        #expect(sink.records.map(\.location.byteOffset) == starts.map(Int64.init))
        #expect(sink.records.map(\.location.line) == lines)
    }

    @Test func yamlAcrossRefills() throws {
        let entries = Self.entries(count: 700, seed: 3)
        let bytes = FormatWriter.write(entries, as: .yaml)
        try #require(bytes.count > 2 * Self.mebibyte)
        let (sink, error, _) = readAll(bytes, sink: Self.sink())
        #expect(error == nil)
        check(sink, entries, "yaml")
    }

    /// A YAML document whose line ends exactly where the first buffer ends: the scanner must not
    /// take the buffer's end for the document's end.
    @Test func yamlDocumentSplitExactlyAtANewline() throws {
        let head = "---\ninsertId: padding\ntextPayload: "
        // Fill up to one byte before the boundary, so the boundary falls right after a newline
        // inside the second document.
        var text = head + String(repeating: "x", count: Self.mebibyte - head.utf8.count - 200) + "\n"
        text += "---\ninsertId: straddling\njsonPayload:\n  connection:\n"
        let pad = Self.mebibyte - text.utf8.count - 1
        try #require(pad > 10)
        text += "    src_ip: 10.0.0." + "1" + String(repeating: " ", count: pad - "    src_ip: 10.0.0.1".utf8.count) + "\n"
        try #require(text.utf8.count == Self.mebibyte)
        text += "    dest_ip: 10.0.0.2\n    dest_port: 8443\n  disposition: DENIED\nseverity: WARNING\n"
        text += "---\ninsertId: after\n"
        let (sink, error, _) = readAll(text, sink: Self.sink())
        #expect(error == nil)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == ["padding", "straddling", "after"])
        let straddling = try #require(sink.records.first { $0.strings[.insertId] == "straddling" })
        #expect(straddling.strings[.srcIP] == "10.0.0.1")
        #expect(straddling.strings[.destIP] == "10.0.0.2")
        #expect(straddling.integers[.destPort] == 8443)
        #expect(straddling.strings[.severity] == "WARNING")
    }

    /// Line numbers and offsets stay right after several refills.
    @Test func problemsAfterTheFirstBufferHaveTheRightLine() throws {
        let entries = Self.entries(count: 900, seed: 4)
        var lines = LogEntries.ndjson(entries).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let broken = [600, 750, 899]
        for index in broken { lines[index] = String(lines[index].dropLast(5)) + "!oops" }
        let text = lines.joined(separator: "\n")
        try #require(byteOffset(of: "!oops", in: text)! > Self.mebibyte)
        let (sink, error, _) = readAll(text, sink: Self.sink())
        #expect(error == nil)
        #expect(sink.problems.map(\.line) == broken.map { $0 + 1 })
        #expect(sink.records.count == entries.count - broken.count)
        #expect(sink.records.last?.location.line == 899)
    }

    @Test func jsonArrayProblemAfterTheFirstBuffer() throws {
        let entries = Self.entries(count: 800, seed: 5)
        var text = FormatWriter.jsonArray(entries)
        let target = try #require(text.range(of: "\"insertId\": \"b-700\""))
        text.replaceSubrange(target, with: "\"insertId\": b-700")
        let bad = try #require(byteOffset(of: "\"insertId\": b-700", in: text)) + "\"insertId\": ".utf8.count
        try #require(bad > 2 * Self.mebibyte)
        let (sink, error, _) = readAll(text, sink: Self.sink())
        #expect(error == nil)
        #expect(sink.records.count == entries.count - 1)
        #expect(!sink.strings(.insertId).contains("b-700"))
        #expect(sink.strings(.insertId).contains("b-701"))
        try #require(sink.problems.count == 1)
        #expect(sink.problems[0].byteOffset == Int64(bad))
        #expect(sink.problems[0].line == lineNumber(ofByte: bad, in: text))
    }

    /// Short reads of random length put a refill at thousands of different places.
    @Test(arguments: [FormatWriter.Kind.ndjson, .jsonArray, .yaml, .gzip])
    func shortReadsInEveryFormat(kind: FormatWriter.Kind) throws {
        let entries = Self.entries(count: 150, seed: 6)
        let bytes = FormatWriter.write(entries, as: kind)
        for seed in UInt64(1)...3 {
            let sink = Self.sink()
            let reader = InputReader(name: "pipe", source: ChunkedSource(bytes, seed: seed))
            try reader.run(into: sink)
            check(sink, entries, "\(kind.rawValue) seed \(seed)")
        }
    }

    @Test func shortReadsKeepLineNumbers() throws {
        let entries = Self.entries(count: 150, seed: 7)
        let bytes = FormatWriter.write(entries, as: .jsonArray)
        let whole = readAll(bytes, sink: Self.sink()).sink
        let sink = Self.sink()
        try InputReader(name: "pipe", source: ChunkedSource(bytes, seed: 9, largest: 50)).run(into: sink)
        #expect(sink.records.map(\.location.line) == whole.records.map(\.location.line))
        #expect(sink.records.map(\.location.byteOffset) == whole.records.map(\.location.byteOffset))
    }
}
