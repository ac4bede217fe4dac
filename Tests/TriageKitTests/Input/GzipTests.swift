import Foundation
import Testing
@testable import TriageKit

/// Real gzip files made by /usr/bin/gzip, read through `InputReader`.
struct GzipTests {
    static func lines(_ range: Range<Int>, prefix: String = "rec") -> String {
        range.map { i in
            #"{"insertId":"\#(prefix)-\#(i)","jsonPayload":{"connection":{"src_ip":"10.0.\#(i / 256 % 256).\#(i % 256)","dest_ip":"10.1.0.1","dest_port":\#(1000 + i % 50)},"disposition":"DENIED","instance":{"vm_name":"vm-\#(i)-\#(String(repeating: "p", count: i % 37))"}}}"#
                + "\n"
        }.joined()
    }

    private func read(_ path: String) throws -> (sink: RecordingSink, error: TriageError?) {
        let sink = RecordingSink()
        let reader = InputReader(name: path, source: try FileDescriptorSource(path: path))
        do {
            try reader.run(into: sink)
            return (sink, nil)
        } catch {
            return (sink, error)
        }
    }

    @Test func singleMember() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", Array(Self.lines(0..<500).utf8))
        try shell("gzip -k a.json", in: directory.url)
        let (sink, error) = try read(directory.path("a.json.gz"))
        #expect(error == nil)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == (0..<500).map { "rec-\($0)" })
        #expect(sink.records.map(\.location.line) == Array(1...500))
        #expect(sink.records.allSatisfy { $0.format == .ndjson })
    }

    @Test func gzipOfEachFormat() throws {
        let directory = try TemporaryDirectory()
        let entries = (0..<20).map { LogEntries.firewall(insertId: "e\($0)", srcPort: 30000 + $0) }
        for kind in [FormatWriter.Kind.ndjson, .jsonArray, .yaml] {
            let name = "x.\(kind.rawValue)"
            try directory.write(name, FormatWriter.write(entries, as: kind))
            try shell("gzip -9 -k \(name)", in: directory.url)
            let (sink, error) = try read(directory.path(name + ".gz"))
            #expect(error == nil, "\(kind)")
            #expect(sink.strings(.insertId) == (0..<20).map { "e\($0)" }, "\(kind)")
            #expect(sink.records.map { $0.integers[.srcPort] } == (0..<20).map { 30000 + $0 }, "\(kind)")
        }
    }

    @Test func twoMembersConcatenated() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", Array(Self.lines(0..<300, prefix: "a").utf8))
        try directory.write("b.json", Array(Self.lines(0..<200, prefix: "b").utf8))
        try shell("gzip -k a.json && gzip -k b.json && cat a.json.gz b.json.gz > ab.json.gz", in: directory.url)
        let (sink, error) = try read(directory.path("ab.json.gz"))
        #expect(error == nil)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == (0..<300).map { "a-\($0)" } + (0..<200).map { "b-\($0)" })
        #expect(sink.records.last?.location.line == 500)
    }

    @Test func gzipOfGzip() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", Array(Self.lines(0..<100).utf8))
        try shell("gzip -c a.json > a.json.gz && gzip -c a.json.gz > a.json.gz.gz", in: directory.url)
        let (sink, error) = try read(directory.path("a.json.gz.gz"))
        #expect(error == nil)
        #expect(sink.strings(.insertId) == (0..<100).map { "rec-\($0)" })
    }

    /// A cut gzip stops the input with `.truncatedGzip`, after every whole record before the cut
    /// was handed on.
    @Test func truncatedGzip() throws {
        let directory = try TemporaryDirectory()
        let count = 20_000
        try directory.write("big.json", Array(Self.lines(0..<count).utf8))
        try shell("gzip -k big.json", in: directory.url)
        let size = try directory.read("big.json.gz").count
        try shell("head -c \(size / 2) big.json.gz > cut.json.gz", in: directory.url)
        let (sink, error) = try read(directory.path("cut.json.gz"))
        guard case .truncatedGzip(let input, let afterBytes) = error else {
            Issue.record("expected truncatedGzip, got \(String(describing: error))")
            return
        }
        #expect(input == directory.path("cut.json.gz"))
        #expect(afterBytes > 0)
        let delivered = sink.strings(.insertId)
        #expect(delivered.count > 1000)
        #expect(delivered.count < count)
        // A prefix of the original, in order, every record intact.
        #expect(delivered == (0..<delivered.count).map { "rec-\($0)" })
        #expect(sink.records.map { $0.strings[.instanceVM] } == (0..<delivered.count).map {
            "vm-\($0)-\(String(repeating: "p", count: $0 % 37))"
        })
        // Everything delivered came before the point where the data stopped.
        let original = Array(Self.lines(0..<count).utf8)
        let endOfDelivered = Self.lines(0..<delivered.count).utf8.count
        #expect(Int64(endOfDelivered) <= afterBytes)
        #expect(afterBytes <= Int64(original.count))
    }

    @Test func truncatedGzipThroughTheCollector() throws {
        let directory = try TemporaryDirectory()
        try directory.write("big.json", Array(Self.lines(0..<5000).utf8))
        try shell("gzip -k big.json", in: directory.url)
        let size = try directory.read("big.json.gz").count
        try shell("head -c \(size - 20) big.json.gz > cut.json.gz", in: directory.url)
        let collector = EvidenceCollector()
        let error = collector.read(InputReader(name: "cut.json.gz", source: try FileDescriptorSource(path: directory.path("cut.json.gz"))))
        guard case .truncatedGzip = error else {
            Issue.record("expected truncatedGzip, got \(String(describing: error))")
            return
        }
        #expect(collector.account.skipped["truncated gzip"] == 1)
        #expect(collector.account.inputErrors.count == 1)
        #expect(collector.account.firewallRecords > 0)
        #expect(collector.account.firewallRecords < 5000)
    }

    @Test func headerOnlyIsTruncated() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", Array(Self.lines(0..<10).utf8))
        try shell("gzip -k a.json && head -c 10 a.json.gz > head.gz", in: directory.url)
        let (sink, error) = try read(directory.path("head.gz"))
        guard case .truncatedGzip = error else {
            Issue.record("expected truncatedGzip, got \(String(describing: error))")
            return
        }
        #expect(sink.records.isEmpty)
    }

    @Test func corruptGzip() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", Array(Self.lines(0..<200).utf8))
        try shell("gzip -k a.json", in: directory.url)
        var bytes = try directory.read("a.json.gz")
        for i in 20..<60 { bytes[i] ^= 0xFF }
        let path = try directory.write("bad.gz", bytes)
        let (_, error) = try read(path)
        guard case .corruptGzip(let input, _) = error else {
            Issue.record("expected corruptGzip, got \(String(describing: error))")
            return
        }
        #expect(input == path)
    }

    @Test func gzipFromMemoryMatchesFormatWriter() throws {
        let entries = (0..<50).map { LogEntries.firewall(insertId: "m\($0)") }
        let (sink, error, _) = readAll(FormatWriter.write(entries, as: .gzip))
        #expect(error == nil)
        #expect(sink.strings(.insertId) == (0..<50).map { "m\($0)" })
    }
}
