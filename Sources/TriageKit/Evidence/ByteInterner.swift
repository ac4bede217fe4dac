import Foundation

/// Maps byte strings to small integers without building a String per lookup: the hot path sees
/// the same rule references, VM names and network names millions of times.
final class ByteInterner {
    /// Every interned string's bytes, end to end; `starts[id]..<starts[id + 1]` is one string.
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    /// Open addressing: each slot holds a hash beside its id, so a lookup reads one slot and then
    /// compares bytes only on a full hash match.
    private var table: [(hash: UInt64, id: Int32)]
    private var mask: Int

    init() {
        table = Array(repeating: (0, -1), count: 256)
        mask = 255
    }

    var count: Int { starts.count - 1 }

    /// String `id`'s bytes, for re-interning them in another interner.
    func withBytes<R>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        arena.withUnsafeBufferPointer { arena in
            let start = starts[Int(id)]
            return body(UnsafeBufferPointer(rebasing: arena[start..<starts[Int(id) + 1]]))
        }
    }

    func string(_ id: Int32) -> String {
        String(decoding: arena[starts[Int(id)]..<starts[Int(id) + 1]], as: UTF8.self)
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // Eight bytes at a time, then the tail; good enough spread for short names.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return h }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 31)
    }

    /// Whether string `id` is exactly `bytes`.
    @inline(__always)
    func matches(_ id: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        starts.withUnsafeBufferPointer { starts in
            let start = starts[Int(id)]
            guard starts[Int(id) + 1] - start == bytes.count else { return false }
            return bytes.count == 0
                || arena.withUnsafeBufferPointer { bytesEqual($0.baseAddress! + start, bytes.baseAddress!, bytes.count) }
        }
    }

    func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        let found: Int32? = table.withUnsafeBufferPointer { table -> Int32? in
            arena.withUnsafeBufferPointer { arena -> Int32? in
                starts.withUnsafeBufferPointer { starts -> Int32? in
                    while true {
                        let entry = table[slot]
                        if entry.id < 0 { return nil }
                        if entry.hash == h {
                            let start = starts[Int(entry.id)]
                            if starts[Int(entry.id) + 1] - start == bytes.count
                                && (bytes.count == 0 || bytesEqual(arena.baseAddress! + start, bytes.baseAddress!, bytes.count))
                            {
                                return entry.id
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        if let found { return found }
        let id = Int32(count)
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        table[slot] = (h, id)
        if count * 2 > table.count { grow() }
        return id
    }

    private func grow() {
        let old = table
        table = Array(repeating: (0, -1), count: old.count * 2)
        mask = table.count - 1
        for entry in old where entry.id >= 0 {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while table[slot].id >= 0 { slot = (slot + 1) & mask }
            table[slot] = entry
        }
    }
}
