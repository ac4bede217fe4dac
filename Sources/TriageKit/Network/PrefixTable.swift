/// Longest-prefix match over a set of CIDRs: one hash map per prefix length, probed from the
/// longest length down. Lookups cost one probe per distinct length in the table.
public struct PrefixTable<Value: Sendable>: Sendable {
    /// Prefix lengths in use (in 128-bit space: IPv4 lengths are offset by 96), longest first,
    /// the order `longestMatch` tries them.
    private var lengths: [Int] = []
    /// Every range in one open-addressing table keyed by (network, length): one probe per
    /// length, with no `Hasher` (SipHash) per probe as a Dictionary has, and no per-length
    /// collection copied (retained and released) per probe. On a high-cardinality read the
    /// topology's lookups were a fifth of the time with Dictionaries.
    private var networks: [IPAddress] = []
    /// `empty` marks a free slot, so a probe compares bytes, never copies a value.
    private var networkLengths: [UInt8] = []
    private static var empty: UInt8 { 255 }
    private var values: [Value?] = []
    private var count = 0

    public init() {}

    public var isEmpty: Bool { lengths.isEmpty }

    @inline(__always)
    private static func slot(_ key: IPAddress, _ length: Int, mask: Int) -> Int {
        let h = (key.high &* 0x9E37_79B9_7F4A_7C15) ^ (key.low &* 0xC2B2_AE3D_27D4_EB4F) ^ (UInt64(length) &* 0xFF51_AFD7_ED55_8CCD)
        return Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
    }

    /// Inserts or replaces the value for `cidr`.
    public mutating func insert(_ cidr: CIDR, _ value: Value) {
        let length = cidr.isV4 ? cidr.prefixLength + 96 : cidr.prefixLength
        if !lengths.contains(length) {
            lengths.append(length)
            lengths.sort(by: >)
        }
        if (count + 1) * 2 > networks.count { grow() }
        place(cidr.network, length, value)
    }

    private mutating func place(_ network: IPAddress, _ length: Int, _ value: Value) {
        let mask = networks.count - 1
        var i = Self.slot(network, length, mask: mask)
        while networkLengths[i] != Self.empty {
            if networks[i] == network && Int(networkLengths[i]) == length {
                values[i] = value
                return
            }
            i = (i + 1) & mask
        }
        networks[i] = network
        networkLengths[i] = UInt8(length)
        values[i] = value
        count += 1
    }

    private mutating func grow() {
        let old = stored
        let capacity = max(16, networks.count * 2)
        networks = Array(repeating: IPAddress(high: 0, low: 0), count: capacity)
        networkLengths = Array(repeating: Self.empty, count: capacity)
        values = Array(repeating: nil, count: capacity)
        count = 0
        for (network, length, value) in old { place(network, length, value) }
    }

    private var stored: [(IPAddress, Int, Value)] {
        networks.indices.compactMap { i in values[i].map { (networks[i], Int(networkLengths[i]), $0) } }
    }

    /// Every range with its value, longest prefixes first (the order `longestMatch` tries them).
    public var entriesLongestFirst: [(cidr: CIDR, value: Value)] {
        let all = stored
        return lengths.flatMap { length in
            all.filter { $0.1 == length }.map { (CIDR(network: $0.0, prefixLength: $0.0.isV4 ? length - 96 : length), $0.2) }
        }
    }

    public func longestMatch(_ address: IPAddress) -> (cidr: CIDR, value: Value)? {
        guard count > 0 else { return nil }
        let mask = networks.count - 1
        for length in lengths {
            if address.isV4 && length < 96 { continue }
            let prefix = address.isV4 ? length - 96 : length
            let key = address.masked(to: prefix)
            var i = Self.slot(key, length, mask: mask)
            while networkLengths[i] != Self.empty {
                if Int(networkLengths[i]) == length && networks[i] == key { return (CIDR(network: key, prefixLength: prefix), values[i]!) }
                i = (i + 1) & mask
            }
        }
        return nil
    }
}
