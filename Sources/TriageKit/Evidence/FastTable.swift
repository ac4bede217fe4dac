/// Keys with a cheap hash for `FastTable`.
protocol FastHashable: Equatable {
    var fastHash: UInt64 { get }
}

@inline(__always)
func mix(_ x: UInt64) -> UInt64 {
    var z = x &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 32)) &* 0xD6E8_FEB8_6659_FD93
    return z ^ (z >> 32)
}

extension IPAddress: FastHashable {
    @inline(__always) var fastHash: UInt64 { mix(high ^ mix(low)) }
}

extension FlowKey: FastHashable {
    @inline(__always) var fastHash: UInt64 {
        var h = src.fastHash ^ mix(dst.low ^ (dst.high << 1))
        h ^= mix(UInt64(UInt32(bitPattern: port)) << 32 | UInt64(UInt16(bitPattern: networkProtocol)) << 8 | UInt64(flags))
        h ^= mix(UInt64(UInt32(bitPattern: reference)) << 40 ^ UInt64(UInt32(bitPattern: vmName)) << 20 ^ UInt64(UInt32(bitPattern: network)))
        return h
    }
}

/// Open addressing with linear probing, for the per-record lookups where Swift's Dictionary
/// (SipHash on every call) showed in profiles. Insert, find and update in place; no removal.
/// Each key sits beside its value, so a lookup touches one cache line, not two.
struct FastTable<Key: FastHashable, Value> {
    private struct Entry {
        var key: Key
        var value: Value
    }

    private var entries: [Entry?]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = Array(repeating: nil, count: size)
        mask = size - 1
    }

    /// Where `key` is stored, for `update(at:)`; nil when absent.
    @inline(__always)
    func position(of key: Key) -> Int? {
        entries.withUnsafeBufferPointer { entries in
            var slot = Int(truncatingIfNeeded: key.fastHash) & mask
            while let stored = entries[slot] {
                if stored.key == key { return slot }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    @inline(__always)
    func find(_ key: Key) -> Value? {
        position(of: key).flatMap { entries[$0]?.value }
    }

    /// Changes the value at a position `position(of:)` returned, in place.
    @inline(__always)
    mutating func update(at position: Int, _ body: (inout Value) -> Void) {
        entries.withUnsafeMutableBufferPointer { entries in
            body(&entries[position]!.value)
        }
    }

    mutating func insert(_ key: Key, _ value: Value) {
        if (count + 1) * 2 > entries.count { grow() }
        var slot = Int(truncatingIfNeeded: key.fastHash) & mask
        while let stored = entries[slot] {
            if stored.key == key {
                entries[slot]!.value = value
                return
            }
            slot = (slot + 1) & mask
        }
        entries[slot] = Entry(key: key, value: value)
        count += 1
    }

    /// Every key and value, in table order.
    func forEach(_ body: (Key, Value) -> Void) {
        for case let entry? in entries { body(entry.key, entry.value) }
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: nil, count: old.count * 2)
        mask = entries.count - 1
        count = 0
        for case let entry? in old { insert(entry.key, entry.value) }
    }
}
