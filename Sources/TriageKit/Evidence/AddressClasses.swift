/// Past the flow table's exact bound, the far end of a flow (not the logging VM's end) is counted
/// per class when it is a public IPv4 address: every address outside Google's ranges is one
/// class ("internet"), each of Google's ranges is one. What rules see of such an address (its
/// role, its range, its reason) is the same for every address in the class, as long as nothing
/// learned later in the input (a cluster's range, a GKE rule's range, a GKE VM's address) covers
/// one of them; `touched(by:)` tells which groups that could be, so they are set apart rather
/// than counted wrongly.
struct AddressClasses {
    /// The key of the internet class: never a real address nor a range's key (see
    /// `AddressFolder.key(for:)`, whose keys have bit 62 set and the range's own high half).
    static let internetKey = IPAddress(high: 0x7FFF_FFFF_FFFF_FFFF, low: 0xFFFF_FFFF_FFFF_FFFF)

    /// The high half of a VM-side class key (see `vmSideKey(_:)`): no real address, range key
    /// or `internetKey` has it.
    private static let vmSideMarker: UInt64 = 0x7FFF_FFFF_FFFF_FFFE

    /// The key of the class a GKE VM's own address outside every stable range is counted in
    /// past the exact bound (see `FlowTable.foldVMSide`): one class per /20 block, so a range
    /// learned late (a node subnet from the config) that covers whole blocks re-classifies the
    /// class as a whole.
    static func vmSideKey(_ address: IPAddress) -> IPAddress {
        IPAddress(high: vmSideMarker, low: UInt64(address.v4Value >> 12))
    }

    static func isVMSideKey(_ key: IPAddress) -> Bool { key.high == vmSideMarker }

    /// The /20 blocks that `ranges` cover only in part: a VM-side class there would hold
    /// addresses of two roles. A range of /20 or wider covers its blocks whole.
    static func blocksCoveredInPart(by ranges: [CIDR]) -> Set<UInt64> {
        Set(ranges.filter { $0.isV4 && $0.prefixLength > 20 }.map { UInt64($0.network.v4Value >> 12) })
    }

    private let topology: Topology
    /// Each address's class key, direct-mapped: an address found in its slot is a hit, another
    /// one replaces it (classification is pure, so a lost entry costs only the time to classify
    /// again). No `Hasher` per lookup, as a Dictionary has; the addresses worth caching
    /// (scanners, busy hosts) come back soon. Small: a large cache cost each half of a read
    /// megabytes.
    private var cachedAddresses: [IPAddress]
    private var cachedKeys: [IPAddress]
    private static let cacheSlots = 1 << 12
    /// Which /20 blocks hold an address that was folded into a class (2^20 bits).
    private var blocks: [UInt64]

    init(topology: Topology?) {
        self.topology = topology ?? Topology()
        blocks = Array(repeating: 0, count: (1 << 20) / 64)
        // An IPv6 address never reaches the cache, so the all-zero one marks an empty slot.
        cachedAddresses = Array(repeating: IPAddress(high: 0, low: 0), count: Self.cacheSlots)
        cachedKeys = cachedAddresses
    }

    /// The class key for an address, or the address itself when it is kept exact (private
    /// space, the metadata server, IPv6, anything the topology already names).
    @inline(__always)
    mutating func key(_ address: IPAddress) -> IPAddress {
        guard address.isV4 else { return address }
        let slot = Int(truncatingIfNeeded: (address.low &* 0x9E37_79B9_7F4A_7C15) >> 52) & (Self.cacheSlots - 1)
        if cachedAddresses[slot] == address { return cachedKeys[slot] }
        let assignment = topology.classify(address)
        let key: IPAddress
        switch assignment.role {
        case .internet where assignment.range == nil: key = Self.internetKey
        case .googlePublic where assignment.confidence == .known: key = assignment.range.map(AddressFolder.key(for:)) ?? address
        default: key = address
        }
        cachedAddresses[slot] = address
        cachedKeys[slot] = key
        return key
    }

    /// Notes an address folded into a class; returns its bit in a group's signature.
    @inline(__always)
    mutating func note(_ address: IPAddress) -> UInt64 {
        let block = Int(address.v4Value >> 12)
        blocks[block >> 6] |= 1 << UInt64(block & 63)
        return Self.signatureBit(block)
    }

    @inline(__always)
    static func signatureBit(_ block: Int) -> UInt64 { 1 << (mix(UInt64(block)) & 63) }

    /// Takes in another table's folded blocks (the later half of a file).
    mutating func absorb(_ other: AddressClasses) {
        for i in blocks.indices { blocks[i] |= other.blocks[i] }
    }

    /// The signature bits of the folded blocks that any of `ranges` covers: a group whose
    /// signature shares none of them holds no folded address in those ranges. Zero when no
    /// folded address lies in any of them.
    func touched(by ranges: [CIDR]) -> UInt64 {
        var bits: UInt64 = 0
        for range in ranges where range.isV4 {
            let length = range.prefixLength
            let first = Int(range.network.v4Value >> 12)
            let count = length >= 20 ? 1 : 1 << (20 - length)
            for block in first..<(first + count) where blocks[block >> 6] & (1 << UInt64(block & 63)) != 0 {
                bits |= Self.signatureBit(block)
            }
        }
        return bits
    }
}
