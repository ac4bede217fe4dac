import Foundation

/// Maps byte strings to small integers without building a String per lookup: the hot path sees
/// the same rule references, VM names and network names millions of times.
final class ByteInterner {
    private var keys: [[UInt8]] = []
    private var hashes: [UInt64] = []
    private var table: [Int32]
    private var mask: Int

    init() {
        table = Array(repeating: -1, count: 256)
        mask = 255
    }

    var count: Int { keys.count }

    func string(_ id: Int32) -> String { String(decoding: keys[Int(id)], as: UTF8.self) }

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

    func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = table[slot]
            if id < 0 { break }
            if hashes[Int(id)] == h {
                let matches = keys[Int(id)].withUnsafeBufferPointer { stored in
                    stored.count == bytes.count && (bytes.count == 0 || bytesEqual(stored.baseAddress!, bytes.baseAddress!, bytes.count))
                }
                if matches { return id }
            }
            slot = (slot + 1) & mask
        }
        let id = Int32(keys.count)
        keys.append(Array(bytes))
        hashes.append(h)
        table[slot] = id
        if keys.count * 2 > table.count { grow() }
        return id
    }

    private func grow() {
        table = Array(repeating: -1, count: table.count * 2)
        mask = table.count - 1
        for (id, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(id)
        }
    }
}
