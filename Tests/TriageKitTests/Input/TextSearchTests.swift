import Foundation
import Testing
@testable import TriageKit

/// `includes` (memchr + memcmp on UTF-8) against Foundation's `contains`, which it replaced on the
/// text paths: the same answer on random ASCII, on needles at the edges, and on non-ASCII text.
struct TextSearchTests {
    @Test func agreesWithFoundationOnRandomText() {
        var random = SplitMix64(seed: 11)
        let alphabet = Array("ab:/ \"x")
        for _ in 0..<3000 {
            let hay = String((0..<Int(random.next() % 24)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let needle = String((0..<Int(1 + random.next() % 4)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            #expect(hay.includes(needle) == hay.contains(needle), "\(hay) / \(needle)")
            let slice = hay.dropFirst(min(2, hay.count))
            #expect(slice.includes(needle) == slice.contains(needle), "\(slice) / \(needle)")
        }
    }

    @Test func edgesAndUnicode() {
        #expect("dial tcp 10.0.0.1:443".includes("dial tcp"))
        #expect("x i/o timeout".includes("timeout"))
        #expect(!"i/o timeou".includes("timeout"))
        #expect("".includes(""))
        #expect(!"".includes("a"))
        #expect("Zürich → gcr.io: no such host".includes("no such host"))
        #expect(!"Zürich".includes("Zu"))
        // A Substring that is a slice in the middle of its base (contiguous UTF-8, offset start).
        let line = "│ Error: googleapi: Error 403"
        #expect(line.dropFirst(2).includes("Error 403"))
        #expect(!line.dropLast(4).includes("Error 403"))
    }

    /// A small input gets a small first buffer (it is read whole all the same); a source that
    /// cannot say its length gets the megabyte.
    @Test func firstBufferFitsASmallInput() throws {
        #expect(InputReader.firstCapacity(for: MemorySource([UInt8](repeating: 0x20, count: 10))) == 4096)
        #expect(InputReader.firstCapacity(for: MemorySource([UInt8](repeating: 0x20, count: 5000))) == 8192)
        #expect(InputReader.firstCapacity(for: MemorySource([UInt8](repeating: 0x20, count: 3 << 20))) == InputReader.initialCapacity)
        final class Unknown: ByteSource {
            func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int { 0 }
        }
        #expect(InputReader.firstCapacity(for: Unknown()) == InputReader.initialCapacity)
        // 20 KiB of records through a 4 KiB-sized start: the buffer grows and nothing is lost.
        let line = #"{"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","dest_port":443,"protocol":6},"disposition":"DENIED"}}"#
        let text = String(repeating: line + "\n", count: 160)
        let collector = EvidenceCollector()
        let reader = InputReader(name: "small", source: MemorySource(text), format: nil)
        collector.read(reader)
        #expect(collector.account.records == 160)
        #expect(collector.account.deniedRecords == 160)
    }
}
