import Foundation

/// A distinct-count sketch (Flajolet et al.'s HyperLogLog, with linear counting for small
/// counts): 256 one-byte registers whatever the count, a standard error of 1.04/√256 ≈ 6.5%.
/// Two sketches' union is their registers' maximum, so the order addresses arrive in (or the
/// half of a file they were read in) never changes the estimate.
struct HyperLogLog: Equatable, Sendable {
    static let precision = 8
    static let registerCount = 1 << precision
    /// The relative standard error of an estimate.
    static let standardError = 1.04 / Double(registerCount).squareRoot()

    private(set) var registers: [UInt8]

    init() { registers = Array(repeating: 0, count: Self.registerCount) }

    init<S: Sequence>(_ addresses: S) where S.Element == IPAddress {
        self.init()
        for address in addresses { insert(address) }
    }

    @inline(__always)
    mutating func insert(_ address: IPAddress) { insert(hash: address.fastHash) }

    /// The first `precision` bits choose a register; it keeps the longest run of leading zeros
    /// (plus one) seen in the remaining bits.
    @inline(__always)
    mutating func insert(hash: UInt64) {
        let register = Int(hash >> UInt64(64 - Self.precision))
        let rest = hash << UInt64(Self.precision)
        let rank = UInt8(min(rest.leadingZeroBitCount, 64 - Self.precision) + 1)
        registers.withUnsafeMutableBufferPointer { registers in
            if rank > registers[register] { registers[register] = rank }
        }
    }

    mutating func formUnion(_ other: HyperLogLog) {
        for i in registers.indices where other.registers[i] > registers[i] { registers[i] = other.registers[i] }
    }

    /// The estimated number of distinct addresses inserted.
    var estimate: Int {
        let m = Double(Self.registerCount)
        var sum = 0.0
        var zeros = 0
        for register in registers {
            sum += 1 / Double(UInt64(1) << UInt64(register))
            if register == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        // Small counts: linear counting over the empty registers is the better estimate.
        if raw <= 2.5 * m && zeros > 0 { return Int((m * log(m / Double(zeros))).rounded()) }
        return Int(raw.rounded())
    }
}
