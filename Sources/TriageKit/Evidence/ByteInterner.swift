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
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = table[slot]
            if id < 0 { break }
            if hashes[Int(id)] == h {
                let matches = keys[Int(id)].withUnsafeBufferPointer { stored in
                    stored.count == bytes.count && (bytes.count == 0 || memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
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
