/// A hash map keyed by an address, with open addressing and a multiplicative hash. Swift's
/// Dictionary hashes every lookup with SipHash (a `Hasher` made and finalised per probe); the
/// topology looks an address up once per prefix length in each of its tables, and on a
/// high-cardinality read those lookups were a fifth of the time.
struct AddressMap<Value: Sendable>: Sendable {
    private var keys: [IPAddress] = []
    private var values: [Value?] = []
    private(set) var count = 0

    init() {}

    private static func slot(_ key: IPAddress, mask: Int) -> Int {
        let h = (key.high &* 0x9E37_79B9_7F4A_7C15) ^ (key.low &* 0xC2B2_AE3D_27D4_EB4F)
        return Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
    }

    subscript(key: IPAddress) -> Value? {
        get {
            guard !keys.isEmpty else { return nil }
            let mask = keys.count - 1
            var i = Self.slot(key, mask: mask)
            while let value = values[i] {
                if keys[i] == key { return value }
                i = (i + 1) & mask
            }
            return nil
        }
        set {
            // Only inserts and replacements: nothing here ever removes a range.
            guard let newValue else { preconditionFailure("AddressMap does not remove keys") }
            if (count + 1) * 2 > keys.count { grow() }
            let mask = keys.count - 1
            var i = Self.slot(key, mask: mask)
            while values[i] != nil {
                if keys[i] == key {
                    values[i] = newValue
                    return
                }
                i = (i + 1) & mask
            }
            keys[i] = key
            values[i] = newValue
            count += 1
        }
    }

    /// Every key with its value, in slot order (the same for the same keys on every run).
    var entries: [(key: IPAddress, value: Value)] {
        zip(keys, values).compactMap { key, value in value.map { (key, $0) } }
    }

    private mutating func grow() {
        let old = entries
        let capacity = max(8, keys.count * 2)
        keys = Array(repeating: IPAddress(high: 0, low: 0), count: capacity)
        values = Array(repeating: nil, count: capacity)
        count = 0
        for (key, value) in old { self[key] = value }
    }
}
