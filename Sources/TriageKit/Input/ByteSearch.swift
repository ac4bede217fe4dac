import Foundation

/// The line-feed search for short lines, eight bytes at a time in a register. gcloud's YAML has
/// lines of 10–40 bytes, where a call to memchr per line costs more than the search itself.
enum ByteSearch {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080
    static let lineFeeds: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

    /// The next line feed at or after `from` and before `end`, or nil. The first 32 bytes are
    /// searched inline; a longer line goes on to memchr.
    @inline(__always)
    static func newline(in base: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int? {
        var p = from
        let limit = min(end, from + 32)
        while p + 8 <= limit {
            let word = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self) ^ lineFeeds
            // The lowest flagged byte is exactly the first zero byte (borrows only run upwards).
            let zeroes = (word &- ones) & ~word & highBits
            if zeroes != 0 { return p + zeroes.trailingZeroBitCount / 8 }
            p += 8
        }
        guard p < end else { return nil }
        guard let found = memchr(base + p, 0x0A, end - p) else { return nil }
        return UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
    }
}
