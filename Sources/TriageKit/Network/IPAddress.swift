/// An IPv4 or IPv6 address held as 128 bits; IPv4 is stored v4-mapped (::ffff:a.b.c.d) so one
/// prefix table serves both families.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    static let v4MappedMarker: UInt64 = 0x0000_FFFF_0000_0000

    public func hash(into hasher: inout Hasher) {
        hasher.combine((high &* 0x9E37_79B9_7F4A_7C15) ^ low)
    }

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(v4 value: UInt32) {
        self.high = 0
        self.low = Self.v4MappedMarker | UInt64(value)
    }

    public var isV4: Bool { high == 0 && (low & 0xFFFF_FFFF_0000_0000) == Self.v4MappedMarker }
    public var v4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ IPAddress.parse($0) }) else { return nil }
        self = parsed
    }

    /// Parses an address from raw bytes without building a String (the hot path).
    @inlinable
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        if let v4 = parseV4(bytes) { return IPAddress(v4: v4) }
        return parseV6(bytes)
    }

    @inlinable
    public static func parseV4(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in bytes {
            if byte >= 0x30 && byte <= 0x39 {
                octet = octet &* 10 &+ UInt32(byte &- 0x30)
                digits += 1
                if digits > 3 || octet > 255 { return nil }
            } else if byte == 0x2E {
                if digits == 0 || dots == 3 { return nil }
                value = value << 8 | octet
                octet = 0
                digits = 0
                dots += 1
            } else {
                return nil
            }
        }
        if dots != 3 || digits == 0 { return nil }
        return value << 8 | octet
    }

    public static func parseV6(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        // Split on "::" into a head and tail of 16-bit groups; the tail may end in dotted IPv4.
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        let count = bytes.count
        if count < 2 { return nil }
        if bytes[0] == 0x3A {
            guard bytes[1] == 0x3A else { return nil }
            sawDoubleColon = true
            index = 2
        }
        while index < count {
            // Read one group, or a trailing dotted IPv4.
            var end = index
            var isDotted = false
            while end < count && bytes[end] != 0x3A {
                if bytes[end] == 0x2E { isDotted = true }
                end += 1
            }
            if isDotted {
                guard end == count,
                    let v4 = parseV4(UnsafeBufferPointer(rebasing: bytes[index..<end]))
                else { return nil }
                let pair = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if sawDoubleColon { tail += pair } else { groups += pair }
                index = end
                break
            }
            guard end > index, end - index <= 4 else { return nil }
            var group: UInt16 = 0
            for position in index..<end {
                guard let nibble = hexValue(bytes[position]) else { return nil }
                group = group << 4 | UInt16(nibble)
            }
            if sawDoubleColon { tail.append(group) } else { groups.append(group) }
            index = end
            if index < count {
                // At a colon: either a separator or "::".
                index += 1
                if index < count && bytes[index] == 0x3A {
                    guard !sawDoubleColon else { return nil }
                    sawDoubleColon = true
                    index += 1
                } else if index == count {
                    return nil
                }
            }
        }
        let total = groups.count + tail.count
        if sawDoubleColon { guard total <= 7 else { return nil } } else { guard total == 8 else { return nil } }
        let all = groups + Array(repeating: 0, count: 8 - total) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<4 { high = high << 16 | UInt64(all[i]) }
        for i in 4..<8 { low = low << 16 | UInt64(all[i]) }
        return IPAddress(high: high, low: low)
    }

    @usableFromInline
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }

    public var description: String {
        if isV4 {
            let v = v4Value
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var groups: [UInt16] = []
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift))) }
        // RFC 5952: compress the longest run (length >= 2) of zero groups.
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        if bestLength < 2 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// The address with only the first `prefixLength` bits kept (IPv4 prefix lengths count from
    /// the start of the IPv4 part).
    public func masked(to prefixLength: Int) -> IPAddress {
        let bits = isV4 ? prefixLength + 96 : prefixLength
        if bits >= 128 { return self }
        if bits <= 0 { return IPAddress(high: 0, low: 0) }
        if bits <= 64 {
            let mask: UInt64 = bits == 64 ? ~0 : ~(~0 >> UInt64(bits))
            return IPAddress(high: high & mask, low: 0)
        }
        let mask: UInt64 = ~(~0 >> UInt64(bits - 64))
        return IPAddress(high: high, low: low & mask)
    }
}
