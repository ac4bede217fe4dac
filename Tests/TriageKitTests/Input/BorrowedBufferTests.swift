import Foundation
import Testing
@testable import TriageKit

/// Inflated input is scanned in the read-ahead thread's buffers, with the unfinished record
/// carried into the room in front of the next one; records longer than that room are gathered
/// in the reader's own buffer. Either way the records must be those of the plain file.
struct BorrowedBufferTests {
    static func read(_ path: String) throws -> RecordingSink {
        let sink = RecordingSink(fields: [.insertId, .srcIP, .instanceVM], decodeValues: false)
        try InputReader(name: path, source: try FileDescriptorSource(path: path)).run(into: sink)
        return sink
    }

    @Test func recordsAcrossBuffersAndLongerThanTheRoomReadAsPlain() throws {
        let directory = try TemporaryDirectory()
        var text = GzipTests.lines(0..<12_000)
        // A record longer than the room in front of a buffer, then more ordinary ones.
        let long = String(repeating: "x", count: 700_000)
        text += #"{"insertId":"long","jsonPayload":{"connection":{"src_ip":"10.9.9.9","dest_ip":"10.1.0.1"},"instance":{"vm_name":"\#(long)"}}}"# + "\n"
        text += GzipTests.lines(12_000..<16_000, prefix: "after")
        try directory.write("big.json", Array(text.utf8))
        try shell("gzip -k big.json", in: directory.url)
        let plain = try Self.read(directory.path("big.json"))
        let inflated = try Self.read(directory.path("big.json.gz"))
        #expect(inflated.problems.isEmpty)
        #expect(inflated.records.count == 16_001)
        #expect(inflated.strings(.insertId) == plain.strings(.insertId))
        #expect(inflated.strings(.instanceVM) == plain.strings(.instanceVM))
        #expect(inflated.records.map(\.location.line) == plain.records.map(\.location.line))
        #expect(inflated.strings(.instanceVM).contains(long))
    }
}
