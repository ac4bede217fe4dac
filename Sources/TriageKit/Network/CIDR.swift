import Foundation

/// A network prefix such as 172.16.0.0/28 or 2600:2d00:2:1000::/64.
public struct CIDR: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let network: IPAddress
    public let prefixLength: Int

    public init(network: IPAddress, prefixLength: Int) {
        self.network = network.masked(to: prefixLength)
        self.prefixLength = prefixLength
    }

    /// Accepts "a.b.c.d/n", "v6/n", or a bare address (a host prefix).
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.isV4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parsed >= 0, parsed <= maximum else { return nil }
            length = parsed
        }
        self.init(network: address, prefixLength: length)
    }

    public var isV4: Bool { network.isV4 }
    public var maximumLength: Int { isV4 ? 32 : 128 }

    public func contains(_ address: IPAddress) -> Bool {
        address.isV4 == isV4 && address.masked(to: prefixLength) == network
    }

    public func contains(_ other: CIDR) -> Bool {
        other.prefixLength >= prefixLength && contains(other.network)
    }

    public var description: String { "\(network)/\(prefixLength)" }

    /// Every address of a small IPv4 range (at most 256), for record data like the VIP's four.
    public var hostAddresses: [IPAddress] {
        guard isV4, prefixLength >= 24 else { return [] }
        let count = UInt32(1) << UInt32(32 - prefixLength)
        return (0..<count).map { IPAddress(v4: network.v4Value + $0) }
    }

    public static func < (lhs: CIDR, rhs: CIDR) -> Bool {
        lhs.network != rhs.network ? lhs.network < rhs.network : lhs.prefixLength < rhs.prefixLength
    }
}
