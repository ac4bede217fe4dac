import Foundation
import Testing
@testable import TriageKit

/// A source that hands its bytes out as a pipe does: a given first read, then at most `chunk`
/// bytes a read.
final class PipeLikeSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private var reads = 0
    private let first: Int
    private let chunk: Int

    init(_ bytes: [UInt8], first: Int, chunk: Int = 64 << 10) {
        self.bytes = bytes
        self.first = first
        self.chunk = chunk
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        let limit = reads == 0 ? first : chunk
        reads += 1
        let n = min(buffer.count, bytes.count - position, limit)
        if n > 0 {
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            position += n
        }
        return n
    }
}

/// Inputs a hostile or unlucky user gives (issue 11): nothing lost, everything accounted,
/// resources bounded.
@Suite("Hostile inputs")
struct HostileInputTests {
    static var entries: [[String: Any]] { (0..<4).map { LogEntries.firewall(insertId: "entry-\($0)") } }

    // MARK: blank-led inputs

    @Test func pipeWhoseFirstReadIsABlankLineIsRead() throws {
        let bytes = Array(("\n" + LogEntries.ndjson(Self.entries)).utf8)
        let sink = RecordingSink()
        let reader = InputReader(name: "<stdin>", source: PipeLikeSource(bytes, first: 1))
        try reader.run(into: sink)
        #expect(reader.format == .ndjson)
        #expect(sink.strings(.insertId) == Self.entries.map { $0["insertId"] as? String })
        #expect(sink.records.map(\.location.line) == [2, 3, 4, 5])
    }

    @Test func fileStartingWithAMebibyteOfBlankLinesIsRead() throws {
        let blank = 1 << 20
        let bytes = Array(String(repeating: "\n", count: blank).utf8) + Array(LogEntries.ndjson(Self.entries).utf8)
        let (sink, error, reader) = readAll(bytes)
        #expect(error == nil)
        #expect(reader.format == .ndjson)
        #expect(sink.records.count == Self.entries.count)
        #expect(sink.records.first?.location.line == blank + 1)
    }

    // MARK: no evidence

    @Test func runWithOnlyMalformedOrEmptyInputsSaysSoPerInput() throws {
        let collector = EvidenceCollector()
        collector.read(InputReader(name: "bad.ndjson", source: MemorySource("{\"a\": \n{bad\n")))
        collector.read(InputReader(name: "empty.json", source: MemorySource("")))
        collector.read(InputReader(name: "blank.json", source: MemorySource("\n\n  \n")))
        let lines = collector.finishReading()
        #expect(lines == [
            "bad.ndjson: no evidence read: every record was skipped (malformed JSON: 2)",
            "empty.json: no evidence read: empty",
            "blank.json: no evidence read: only blank lines",
        ])
        #expect(collector.account.inputErrors.suffix(3) == lines[...])
    }

    @Test func oneInputWithEvidenceIsEnough() throws {
        let collector = EvidenceCollector()
        collector.read(InputReader(name: "empty.json", source: MemorySource("")))
        collector.read(InputReader(name: "log.ndjson", source: MemorySource(LogEntries.ndjson(Self.entries))))
        #expect(collector.finishReading().isEmpty)
        #expect(collector.account.inputErrors.isEmpty)
    }

    // MARK: oversized records

    enum Layout: String, CaseIterable {
        case ndjson, jsonArray, concatenatedJSON, yaml
    }

    static func bytes(_ entries: [[String: Any]], as layout: Layout) -> [UInt8] {
        switch layout {
        case .ndjson: return FormatWriter.write(entries, as: .ndjson)
        case .jsonArray: return FormatWriter.write(entries, as: .jsonArray)
        case .concatenatedJSON: return Array(entries.map { FormatWriter.json($0, indent: 0) + "\n" }.joined().utf8)
        case .yaml: return FormatWriter.write(entries, as: .yaml)
        }
    }

    @Test("a record over the limit is skipped with file:line; the records after it are read",
          arguments: Layout.allCases, [false, true])
    func oversizedRecordIsSkipped(layout: Layout, gzip: Bool) throws {
        var big = LogEntries.firewall(insertId: "big")
        big["textPayload"] = String(repeating: "x", count: 3 << 20)
        let entries = [Self.entries[0], big, Self.entries[1], Self.entries[2]]
        var bytes = Self.bytes(entries, as: layout)
        let bigLine = try #require(Self.line(of: "\"big\"", in: bytes, layout: layout))
        if gzip { bytes = FormatWriter.gzip(bytes) }
        let sink = RecordingSink(fields: [.insertId], decodeValues: false)
        let reader = InputReader(name: "big", source: MemorySource(bytes), maximumRecord: 1 << 20)
        try reader.run(into: sink)
        #expect(sink.strings(.insertId) == ["entry-0", "entry-1", "entry-2"])
        try #require(sink.problems.count == 1, "\(sink.problems)")
        let problem = sink.problems[0]
        #expect(problem.category == "record too large")
        #expect(problem.reason.contains("skipped; reading goes on at the next record"))
        // The line the record starts on (a YAML document starts at its `---` line).
        #expect(problem.line == bigLine, "\(problem)")
        // Lines after the skipped record are still numbered right.
        let afterLine = try #require(Self.line(of: "\"entry-1\"", in: Self.bytes(entries, as: layout), layout: layout))
        #expect(sink.records[1].location.line == afterLine)
    }

    /// The line a record starts on: the line holding `needle`, moved back to where its record opens.
    static func line(of needle: String, in bytes: [UInt8], layout: Layout) -> Int? {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let key = layout == .yaml ? needle.replacingOccurrences(of: "\"", with: "") : needle
        guard var index = lines.firstIndex(where: { $0.contains("insertId") && $0.contains(key) }) else { return nil }
        if layout == .ndjson { return index + 1 }
        let opener = layout == .yaml ? "---" : "{"
        while index > 0 && !lines[index].trimmingCharacters(in: .whitespaces).hasPrefix(opener) { index -= 1 }
        return index + 1
    }

    // MARK: text

    @Test func invalidUTF8InPastedTextIsReplacedNotFatal() throws {
        let line = #"Error from server (InternalError): error when creating "x.yaml": Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": dial tcp 10.20.1.14:8443: i/o timeout"#
        let bytes: [UInt8] = Array("caf".utf8) + [0xE9, 0xFF, 0x0A] + Array(line.utf8) + [0x0A]
        let collector = EvidenceCollector()
        let error = collector.read(InputReader(name: "paste.txt", source: MemorySource(bytes)))
        #expect(error == nil)
        #expect(collector.observations.count == 1)
        #expect(collector.account.textLines == 2)
    }

    @Test func aLineLongerThanTheBoundIsCutAndNamed() throws {
        final class TextSink: RecordSink {
            var lines: [(String, Int)] = []
            var problems: [InputProblem] = []
            func consume(_ record: RecordFields, format: InputFormat, locate: () -> RecordLocation) {}
            func problem(_ problem: InputProblem) { problems.append(problem) }
            func text(_ line: String, number: Int, input: String) { lines.append((line, number)) }
        }
        let long = "Error: " + String(repeating: "é", count: 300 << 10)
        let text = "first line\n" + long + "\nlast line\n"
        let sink = TextSink()
        let reader = InputReader(name: "long.txt", source: PipeLikeSource(Array(text.utf8), first: 1 << 10))
        try reader.run(into: sink)
        #expect(sink.lines.map(\.1) == [1, 2, 3])
        #expect(sink.lines.map(\.0.utf8.count)[1] <= InputReader.maximumTextLine)
        #expect(sink.lines[1].0.hasPrefix("Error: éé") && !sink.lines[1].0.contains("\u{FFFD}"), "cut on a character boundary")
        #expect(sink.lines[2].0 == "last line")
        #expect(sink.problems.map(\.line) == [2])
        #expect(sink.problems.first?.category == "text line cut")
    }

    @Test func aLongLineFromAPipeIsScannedInLinearTime() throws {
        // 8 MiB in one NDJSON line, arriving 64 KiB a read: each refill carries the unfinished
        // line over to be scanned again, so the bytes carried over measure the time taken.
        var entry = LogEntries.firewall(insertId: "long")
        entry["textPayload"] = String(repeating: "y", count: 8 << 20)
        let bytes = Array(LogEntries.ndjson([entry] + Self.entries).utf8)
        let sink = RecordingSink(fields: [.insertId], decodeValues: false)
        let reader = InputReader(name: "<stdin>", source: PipeLikeSource(bytes, first: 64 << 10))
        try reader.run(into: sink)
        #expect(sink.records.count == 5)
        // Before: about n²/(2·64 KiB), 512 MiB for this line; linear is a small multiple of n.
        #expect(reader.bytesCarriedOver <= 4 * Int64(bytes.count), "\(reader.bytesCarriedOver) for \(bytes.count)")
    }

    @Test func quotesOfEndlessLinesAreCapped() throws {
        // A recognised message inside an unknown YAML document, with a huge value after it.
        let value = "failed calling webhook \"x\": Post \"https://a.b.svc:443/\": context deadline exceeded " + String(repeating: "z", count: 1 << 20)
        let collector = collect("kind: Something\nmessage: " + value + "\n")
        let quotes = collector.observations.map(\.quote)
        try #require(!quotes.isEmpty)
        let sizes = quotes.map { $0?.utf8.count ?? 0 }
        #expect(sizes.allSatisfy { $0 <= KubectlTextParser.maximumQuote + 3 }, "\(sizes)")
        #expect(quotes[0]?.hasSuffix("…") == true)
    }

    // MARK: YAML aliases

    static let bomb: String = {
        var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j", "k"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*" + previous, count: 9).joined(separator: ",") + "]")
            previous = name
        }
        lines.append("privateClusterConfig: {masterIpv4CidrBlock: 172.16.0.0/28}")
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func aliasBombIsRefusedWithItsLine() throws {
        #expect(throws: YAMLDocument.Refused.self) { try YAMLDocument.load(Self.bomb) }
        do {
            _ = try YAMLDocument.load(Self.bomb)
        } catch {
            #expect(error.line == 2)
            #expect(error.reason.contains("aliases expand to more than"))
        }
    }

    @Test func aliasBombAsClusterFileIsAClearError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("bomb.yaml")
        try directory.write("bomb.yaml", Array(Self.bomb.utf8))
        do {
            _ = try Pipeline.readCluster(path)
            Issue.record("the bomb was accepted")
        } catch {
            guard case .badCluster(let input, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(input == path)
            #expect(reason.hasPrefix("line 2: YAML aliases expand to more than"), "\(reason)")
        }
    }

    @Test func aliasBombAsAnInputIsSkippedWithAProblem() throws {
        let collector = collect("---\n" + Self.bomb, name: "bomb.yaml")
        #expect(collector.account.skipped["YAML aliases refused"] == 1)
        #expect(collector.clusters.isEmpty)
    }

    @Test func tooManyAliasesAndAliasKeysAreRefused() throws {
        let many = "a: &a x\nb: [" + Array(repeating: "*a", count: YAMLDocument.maximumAliases + 1).joined(separator: ", ") + "]\n"
        #expect(throws: YAMLDocument.Refused(line: 2, reason: "more than \(YAMLDocument.maximumAliases) YAML aliases; refused")) {
            try YAMLDocument.load(many)
        }
        #expect(throws: YAMLDocument.Refused.self) { try YAMLDocument.load("a: &a [1, 2]\n*a : x\n") }
        #expect(throws: YAMLDocument.Refused.self) { try YAMLDocument.load("a: &a [1, 2]\n? *a\n: x\n") }
    }

    @Test func aFewHarmlessAliasesStillLoad() throws {
        let document = try YAMLDocument.load("base: &base {network: kubeflow-vpc}\nfirst: *base\nsecond: *base\nplain: a*b\n")
        let mapping = try #require(document as? [String: Any])
        #expect((mapping["second"] as? [String: Any])?["network"] as? String == "kubeflow-vpc")
        #expect(mapping["plain"] as? String == "a*b")
    }

    // MARK: a file that shrinks while read

    @Test func fileTruncatedWhileReadInHalvesIsAProblemNotACrash() throws {
        let directory = try TemporaryDirectory()
        let line = Array(LogEntries.ndjson([LogEntries.firewall(insertId: "rotated")]).utf8)
        let count = (33 << 20) / line.count + 1  // at least 32 MiB: read in halves, as before through a mapping
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * line.count)
        for _ in 0..<count { bytes += line }
        let path = directory.path("rotating.ndjson")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let kept = count / 4
        let collector = EvidenceCollector()
        let errors = Pipeline.$halvesOpened.withValue({ @Sendable opened in
            // Log rotation cuts the file under the open readers.
            #expect(truncate(opened, off_t(kept * line.count)) == 0)
        }) {
            Pipeline.collect([InputSpec(path: path, displayName: path)], into: collector)
        }
        try #require(!errors.isEmpty, "the shrink went unnoticed")
        #expect(errors.allSatisfy { $0.description.contains("the file changed while it was read") }, "\(errors)")
        #expect(collector.account.firewallRecords == kept, "the records before the cut still count")
        #expect(collector.account.inputs == 1)
    }

    // MARK: folders

    @Test func walkedFolderNamesWhatCannotBeRead() throws {
        let directory = try TemporaryDirectory()
        let root = directory.path("logs")
        try FileManager.default.createDirectory(atPath: root + "/locked", withIntermediateDirectories: true)
        try directory.write("logs/good.json", Array(LogEntries.ndjson(Self.entries).utf8))
        try directory.write("logs/locked/hidden.json", Array(LogEntries.ndjson(Self.entries).utf8))
        #expect(mkfifo(root + "/pipe", 0o644) == 0)
        #expect(symlink(root, root + "/back-up") == 0)  // a folder that leads back to itself
        #expect(symlink(root + "/self", root + "/self") == 0)  // a link that is its own target
        // As root, chmod 000 does not stop opendir: the seam fails it the way the kernel would.
        let specs = try Pipeline.expand([root]) { path in
            if path.hasSuffix("/locked") {
                errno = EACCES
                return nil
            }
            return opendir(path)
        }
        #expect(specs.map(\.displayName) == ["back-up", "good.json", "locked", "pipe", "self"].map { root + "/" + $0 })
        #expect(specs.map(\.unreadable) == [
            "symlink loop (leads back to a folder above it)", nil, "permission denied", "not a regular file (a FIFO)",
            "symlink loop (too many levels of symbolic links)",
        ])
        let collector = EvidenceCollector()
        let errors = Pipeline.collect(specs, into: collector)
        #expect(errors.count == 4)
        #expect(collector.account.firewallRecords == Self.entries.count, "the good file is still read")
        #expect(collector.account.skipped["input not readable (permission denied)"] == 1)
        #expect(collector.account.skipped["input not readable (not a regular file (a FIFO))"] == 1)
        #expect(collector.account.skipped["input not readable (symlink loop (too many levels of symbolic links))"] == 1)
        #expect(collector.account.inputErrors.contains("cannot open \(root)/locked: permission denied"))
    }

    @Test func aSymlinkLoopNamedOnTheCommandLineIsSaidSo() throws {
        let directory = try TemporaryDirectory()
        let loop = directory.path("loop")
        #expect(symlink(loop, loop) == 0)
        #expect(throws: TriageError.cannotOpen(path: loop, reason: "symlink loop (too many levels of symbolic links)")) {
            try Pipeline.expand([loop])
        }
    }
}
