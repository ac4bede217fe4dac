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

/// Open addressing with linear probing from a key's hash to its group's number, for the
/// per-record lookups (Swift's Dictionary hashes with SipHash on every call). A slot is 8 bytes:
/// the hash's high half beside the group number + 1 (0 is an empty slot). The keys and counters
/// live once, in the flow table's dense per-group arrays, so a group costs the index 16 to 32
/// bytes (the table is kept at most half full) rather than a copy of its key and counters.
/// A probe compares a key only when the stored hash half agrees. Insert and find; no removal.
struct GroupIndex {
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// The high half of a hash: where the key's probe starts, and what its slot holds.
    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt64 { hash >> 32 }

    /// The group whose key hashed to `hash` and for which `isKey` holds, if any.
    @inline(__always)
    func find(hash: UInt64, isKey: (Int) -> Bool) -> Int? {
        let tag = Self.tag(hash)
        return slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: tag) & mask
            while true {
                let stored = slots[slot]
                if stored == 0 { return nil }
                if stored >> 32 == tag {
                    let group = Int(stored & 0xFFFF_FFFF) - 1
                    if isKey(group) { return group }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Adds a group whose key `find` did not find.
    mutating func insert(hash: UInt64, group: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        place(Self.tag(hash) << 32 | UInt64(group + 1))
        count += 1
    }

    private mutating func place(_ entry: UInt64) {
        var slot = Int(truncatingIfNeeded: entry >> 32) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for entry in old where entry != 0 { place(entry) }
    }
}
