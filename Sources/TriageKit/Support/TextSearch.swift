import Foundation

/// Substring tests on UTF-8 bytes with memmem. On Linux, Foundation's `contains` on a String goes
/// through NSString (a UTF-16 copy, locale-aware comparison), which dominated the time spent on
/// pasted text lines that match nothing; the needles here are literal text.
extension StringProtocol {
    /// Whether `needle` occurs in the text, byte for byte.
    func includes(_ needle: String) -> Bool {
        if needle.isEmpty { return true }
        if let found = utf8.withContiguousStorageIfAvailable({ TextSearch.find(needle, in: UnsafeRawBufferPointer($0)) }) {
            return found
        }
        var copy = String(self)
        return copy.withUTF8 { TextSearch.find(needle, in: UnsafeRawBufferPointer($0)) }
    }

    /// Whether any of `needles` occurs in the text.
    func includesAny(_ needles: [String]) -> Bool {
        needles.contains { includes($0) }
    }
}

enum TextSearch {
    static func find(_ needle: String, in haystack: UnsafeRawBufferPointer) -> Bool {
        var needle = needle
        return needle.withUTF8 { pattern in
            guard pattern.count <= haystack.count, let start = haystack.baseAddress else { return false }
            return search(UnsafeRawBufferPointer(pattern), in: UnsafeRawBufferPointer(start: start, count: haystack.count))
        }
    }

    /// Whether the bytes of `needle` occur in `haystack`.
    static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        return needle.withUnsafeBufferPointer { pattern in
            search(UnsafeRawBufferPointer(pattern), in: UnsafeRawBufferPointer(haystack))
        }
    }

    /// memchr for the first byte, memcmp for the rest (glibc's memmem is not exported to Swift).
    private static func search(_ pattern: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Bool {
        let count = pattern.count
        guard count > 0 else { return true }
        guard count <= haystack.count, let base = haystack.baseAddress, let needle = pattern.baseAddress else { return false }
        let first = Int32(pattern[0])
        var offset = 0
        let last = haystack.count - count
        while offset <= last {
            guard let hit = memchr(base + offset, first, last - offset + 1) else { return false }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, needle, count) == 0 { return true }
            offset = at + 1
        }
        return false
    }
}
