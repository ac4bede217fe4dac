import Testing
@testable import TriageKit

/// The register-wide line-feed search against the obvious byte loop, on random bytes drawn
/// mostly from the neighbours of 0x0A (0x09, 0x0B, 0x8A, 0x00, 0xFF) where a bit trick would slip.
struct ByteSearchTests {
    static func randomBytes(_ count: Int, _ random: inout SplitMix64) -> [UInt8] {
        let tricky: [UInt8] = [0x0A, 0x09, 0x0B, 0x8A, 0x00, 0xFF, 0x80, 0x7F, 0x20, 0x2D]
        return (0..<count).map { _ in
            random.next() % 3 == 0 ? UInt8(truncatingIfNeeded: random.next()) : tricky[Int(random.next() % UInt64(tricky.count))]
        }
    }

    @Test func newlineAgreesWithAByteLoop() {
        var random = SplitMix64(seed: 7)
        for length in 0..<90 {
            for _ in 0..<40 {
                let bytes = Self.randomBytes(length, &random)
                bytes.withUnsafeBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    for from in 0...length {
                        let expected = bytes[from...].firstIndex(of: 0x0A)
                        #expect(ByteSearch.newline(in: base, from: from, to: length) == expected, "\(bytes) from \(from)")
                    }
                }
            }
        }
    }
}
