/// Longest-prefix match over a set of CIDRs: one hash map per prefix length, probed from the
/// longest length down. Lookups cost one probe per distinct length in the table.
public struct PrefixTable<Value: Sendable>: Sendable {
    // Keyed by the length in 128-bit space (IPv4 lengths are offset by 96).
    private var maps: [Int: [IPAddress: Value]] = [:]
    private var lengths: [Int] = []

    public init() {}

    public var isEmpty: Bool { lengths.isEmpty }

    /// Inserts or replaces the value for `cidr`.
    public mutating func insert(_ cidr: CIDR, _ value: Value) {
        let length = cidr.isV4 ? cidr.prefixLength + 96 : cidr.prefixLength
        if maps[length] == nil {
            maps[length] = [:]
            lengths.append(length)
            lengths.sort(by: >)
        }
        maps[length]![cidr.network] = value
    }

    /// Every range with its value, longest prefixes first (the order `longestMatch` tries them).
    public var entriesLongestFirst: [(cidr: CIDR, value: Value)] {
        lengths.flatMap { length in
            (maps[length] ?? [:]).map { (CIDR(network: $0.key, prefixLength: $0.key.isV4 ? length - 96 : length), $0.value) }
        }
    }

    public func longestMatch(_ address: IPAddress) -> (cidr: CIDR, value: Value)? {
        for length in lengths {
            if address.isV4 && length < 96 { continue }
            let key = address.masked(to: address.isV4 ? length - 96 : length)
            if let value = maps[length]?[key] {
                let prefix = address.isV4 ? length - 96 : length
                return (CIDR(network: key, prefixLength: prefix), value)
            }
        }
        return nil
    }
}
