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
/// (SipHash on every call) showed in profiles. Insert and find only; no removal.
struct FastTable<Key: FastHashable, Value> {
    private var keys: [Key?]
    private var values: [Value?]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: nil, count: size)
        values = Array(repeating: nil, count: size)
        mask = size - 1
    }

    @inline(__always)
    func find(_ key: Key) -> Value? {
        var slot = Int(truncatingIfNeeded: key.fastHash) & mask
        while let stored = keys[slot] {
            if stored == key { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    mutating func insert(_ key: Key, _ value: Value) {
        if (count + 1) * 2 > keys.count { grow() }
        var slot = Int(truncatingIfNeeded: key.fastHash) & mask
        while let stored = keys[slot] {
            if stored == key {
                values[slot] = value
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = value
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: nil, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for (key, value) in zip(oldKeys, oldValues) {
            if let key, let value { insert(key, value) }
        }
    }
}
