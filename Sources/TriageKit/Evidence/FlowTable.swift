import Foundation

/// All logged connections that share a source, destination, port, protocol, verdict and firewall
/// rule, counted together. Rules run once per group, not once per log line; and roles learned late
/// in the input (a GKE VM name, a GKE rule's range) still apply to records read early.
public struct FlowGroup: Sendable {
    public var count: Int
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    /// Distinct real addresses seen at each end (up to `FlowTable.sampleLimit`), and whether
    /// there were more. An end folded into a range holds many addresses.
    public var sources: [IPAddress]
    public var destinations: [IPAddress]
    public var moreSources: Bool
    public var moreDestinations: Bool
    /// The group's first record, every field decoded.
    public var event: FirewallEvent
    /// The end was counted per address class or range past the table's exact bound and saw more
    /// addresses than its sample keeps: distinct counts are estimated from the sketches (or,
    /// without them, lower bounds).
    public var sampledSources = false
    public var sampledDestinations = false
    /// Every distinct address at an end whose sample is full (`moreSources`), sketched; nil
    /// when the sample holds them all, or when the group came counted from elsewhere.
    var sourceSketch: HyperLogLog? = nil
    var destinationSketch: HyperLogLog? = nil
    public var examples: [FirewallEvent] { [event] }
}

struct FlowKey: Equatable {
    var src: IPAddress
    var dst: IPAddress
    var port: Int32
    var networkProtocol: Int16
    var flags: UInt8  // bit 0 denied, bit 1 egress
    var reference: Int32
    var vmName: Int32
    var network: Int32
}

/// The first record of a group, kept compactly: strings as interned ids, the rest as numbers.
/// Decoded into a `FirewallEvent` once, at the end.
struct CompactRecord {
    var key: FlowKey
    /// The VM name's interned id: the key's, unless the key counts the VM's end per class.
    var vmName: Int32
    var source: IPAddress
    var destination: IPAddress
    var srcPort: Int32
    var destPort: Int32
    var timestamp: Int64?
    var receiveTimestamp: Int64?
    var insertID: String?
    var disposition: Int32
    var location: RecordLocation?
    /// Where the record stands in the reading order (see `FlowTable.nextPosition`).
    var position: Int64

    /// The fields kept as interned ids (-1 when absent), in `FlowTable.stringIDs`: one flat array
    /// for every group, `stringFields.count` ids each, not an array (a heap block) per group.
    static let stringFields: [Field] = [
        .instanceProject, .instanceRegion, .instanceZone, .vpcProject, .vpcSubnetwork,
        .remoteInstanceProject, .remoteInstanceVM, .remoteInstanceRegion, .remoteInstanceZone,
        .remoteVPCProject, .remoteVPCName, .remoteVPCSubnetwork,
        .remoteContinent, .remoteCountry, .remoteRegion, .remoteCity,
        .logName, .resourceType, .resourceLocation, .resourceProject, .resourceSubnetworkID, .resourceSubnetworkName,
    ]
}

/// Distinct addresses at one end of a group, bounded. The first is kept inline: most records
/// repeat it, and comparing it then needs no trip to a separate array.
struct AddressSample {
    var first: IPAddress
    var rest: [IPAddress] = []
    /// Where each of `rest` was first seen (record positions; `first`'s is its group's), so
    /// samples of groups folded together merge in reading order.
    var restPositions: [Int64] = []
    var more = false
    /// Once the sample is full, every distinct address seen at the end (those in the sample
    /// too), for a distinct count past the sample.
    var sketch: HyperLogLog?

    init(_ first: IPAddress) { self.first = first }

    var addresses: [IPAddress] { [first] + rest }

    @inline(__always)
    mutating func add(_ address: IPAddress, at position: Int64) {
        if more {
            sketch?.insert(address)
            return
        }
        if first == address { return }
        if rest.contains(address) { return }
        if rest.count + 1 < FlowTable.sampleLimit {
            rest.append(address)
            restPositions.append(position)
        } else {
            more = true
            var sketch = HyperLogLog(addresses)
            sketch.insert(address)
            self.sketch = sketch
        }
    }

    /// After another sample's addresses were added here (and its `more` taken over): its
    /// sketch joins this one's, so the sketch covers every address both saw. No sketch when
    /// a full sample came without one (a group counted elsewhere).
    mutating func joinSketch(of other: AddressSample) {
        guard more else { return }
        var joined = sketch ?? HyperLogLog(addresses)
        if other.more {
            guard let theirs = other.sketch else {
                sketch = nil
                return
            }
            joined.formUnion(theirs)
        }
        sketch = joined
    }

    /// The first distinct addresses of two samples together, in reading order: each sample
    /// holds its own first distinct addresses, so it holds every one of theirs that is among
    /// the first of both.
    static func merged(_ a: AddressSample, from aFirst: Int64, _ b: AddressSample, from bFirst: Int64) -> AddressSample {
        var entries = [(a.first, aFirst)] + zip(a.rest, a.restPositions) + [(b.first, bFirst)] + zip(b.rest, b.restPositions)
        entries.sort { $0.1 < $1.1 }
        var sample = AddressSample(entries[0].0)
        for (address, position) in entries.dropFirst() { sample.add(address, at: position) }
        if a.more || b.more { sample.more = true }
        sample.joinSketch(of: a)
        sample.joinSketch(of: b)
        return sample
    }
}

/// What a group accumulates per record, kept densely by group number.
struct GroupCounters {
    /// Bit 0: the source sample is full; bit 1: the destination sample is full; bit 2: a record
    /// named a remote VM (see `FlowTable.setAside`); bit 3: set aside.
    var samplesFull: UInt8 = 0
    var count = 1
    var firstSeen: Int64
    var lastSeen: Int64
}

/// Folds addresses into the stable ranges they fall in, testing IPv4 addresses against a short
/// list of masks (no hashing, no cache to miss in); IPv6 asks the topology.
struct AddressFolder {
    private struct V4Range {
        var network: UInt32
        var mask: UInt32
        /// The folded key, or nil when an address here is kept as it is.
        var folded: IPAddress?
    }

    private let v4Ranges: [V4Range]
    private let stableRange: (IPAddress) -> CIDR?

    init(topology: Topology) {
        v4Ranges = topology.stableV4Ranges.map { range, folds in
            let length = range.prefixLength
            let mask: UInt32 = length == 0 ? 0 : ~0 << UInt32(32 - length)
            return V4Range(
                network: range.network.v4Value & mask, mask: mask,
                folded: folds ? AddressFolder.key(for: range) : nil)
        }
        stableRange = { topology.stableRange($0) }
    }

    /// The start of a stable range, with a marker bit so it never equals a real address.
    static func key(for range: CIDR) -> IPAddress {
        IPAddress(high: range.network.high | (1 << 62), low: range.network.low ^ UInt64(range.prefixLength))
    }

    @inline(__always)
    func fold(_ address: IPAddress) -> IPAddress {
        guard address.isV4 else { return stableRange(address).map(Self.key(for:)) ?? address }
        let value = address.v4Value
        return v4Ranges.withUnsafeBufferPointer { ranges in
            for range in ranges where value & range.mask == range.network { return range.folded ?? address }
            return address
        }
    }
}

final class FlowTable {
    static let sampleLimit = 8
    private var records: [CompactRecord] = []
    /// Each group's interned string fields, `CompactRecord.stringFields.count` ids per group,
    /// in group order.
    private var stringIDs: [Int32] = []
    private static let stringStride = CompactRecord.stringFields.count
    private var sources: [AddressSample] = []
    private var destinations: [AddressSample] = []
    private let folder: AddressFolder?
    private var index: GroupIndex
    /// Each group's counters, by group number.
    private var counters: [GroupCounters] = []
    private var strings = ByteInterner()
    /// Per field, the id the previous record's value had: consecutive records mostly repeat the
    /// rule and network, and a compare is cheaper than hashing and probing.
    private let lastIDs: UnsafeMutablePointer<Int32>
    /// Rule details depend only on the rule, so they are decoded once per reference.
    private var rules: [Int32: FirewallEvent.RuleDetails] = [:]
    /// Distinct exact flows kept before the table folds (see `foldAll`).
    let capacity: Int
    /// Groups a folded table keeps; records of a flow past that are skipped.
    let foldedCapacity: Int
    /// Past `capacity` distinct flows every group is keyed by the far end's address class, not
    /// its address: no record is dropped for want of room, and memory stays bounded.
    private(set) var folded = false
    private var classes: AddressClasses?
    /// Per group (folded tables only), a bit per /20 block its far end's class addresses fall in.
    private var signatures: [UInt64] = []
    /// VM-side addresses counted per class, with their VM names, for role inference.
    private var vmSides = ObservedVMSides()
    /// Per interned id of a VM name: 1 when it is a GKE VM's (`gke-…`), 0 when not, -1 unknown.
    private var gkeVMNames: [Int8] = []
    private let topology: Topology?
    /// The stable ranges known while reading: a range known only when analysing was learned late.
    private let scanTimeRanges: Set<CIDR>
    /// The next record's place in the reading order. A table merged in later shifts its own by
    /// this table's, so positions say which of two records came first.
    private var nextPosition: Int64 = 0

    /// With a topology, addresses in its stable ranges are counted per range, not per address.
    init(capacity: Int, foldedCapacity: Int = 200_000, topology: Topology? = nil) {
        self.capacity = capacity
        self.foldedCapacity = max(capacity, foldedCapacity)
        self.topology = topology
        // The index grows as groups arrive; a small table (a part of a file, a fuzz input) need
        // not start with room for a thousand.
        index = GroupIndex(capacity: min(capacity, 1024))
        self.folder = topology.map(AddressFolder.init(topology:))
        scanTimeRanges = Set((topology?.stableV4Ranges ?? []).map(\.cidr))
        lastIDs = .allocate(capacity: Field.count)
        lastIDs.initialize(repeating: -1, count: Field.count)
    }

    deinit { lastIDs.deallocate() }

    /// The address a group is keyed by: its stable range's key, or the address itself.
    @inline(__always)
    private func fold(_ address: IPAddress) -> IPAddress {
        folder?.fold(address) ?? address
    }

    var groupCount: Int { records.count }

    enum AddResult: Equatable {
        case added, newGroup, full, badConnection
        /// Skipped: a value the flow is made of (verdict, protocol, port) cannot be right.
        case rejected(RejectedValue)
    }

    /// Values that failed their check in records that were still counted (a timestamp, a rule
    /// priority, a name): each made unknown. The collector reports and clears them after each add.
    var rejections: [(value: RejectedValue, location: RecordLocation)] = []

    /// Per name field and interned id, whether the value failed its check (names are checked once
    /// per distinct value, when a group first shows it, and made unknown when decoded).
    private var nameVerdicts: [Int64: Bool] = [:]

    static let noTime = Int64.min

    @inline(__always)
    private func intern(_ record: RecordFields, _ field: Field) -> Int32 {
        guard let bytes = record.bytes(field) else { return -1 }
        let slot = record.slot(field)
        if slot.flags.contains(.escaped) || slot.flags.contains(.yamlScalar) {
            // Rare: escaped or wrapped text is interned decoded, so formats agree.
            var text = record.string(field) ?? ""
            return text.withUTF8 { strings.intern($0) }
        }
        let last = lastIDs[field.rawValue]
        if last >= 0 && strings.matches(last, bytes) { return last }
        let id = strings.intern(bytes)
        lastIDs[field.rawValue] = id
        return id
    }

    /// Keys a flow's far end (the end that is not the logging VM's) by its address class, in a
    /// folded table; returns the address's signature bit, or 0 when the end stays exact. The
    /// VM's own end stays exact: a GKE VM's address is learned from it (`forEachObservedVM`).
    @inline(__always)
    private func foldFarEnd(_ key: inout FlowKey, src: IPAddress, dst: IPAddress) -> UInt64 {
        let egress = key.flags & 2 != 0
        let address = egress ? dst : src
        // An end already folded into a stable range stays so.
        guard (egress ? key.dst : key.src) == address else { return 0 }
        let classKey = classes!.key(address)
        guard classKey != address else { return 0 }
        if egress { key.dst = classKey } else { key.src = classKey }
        return classes!.note(address)
    }

    /// Keys a flow's VM-side end by class in a folded table, when the VM is a GKE VM and its
    /// IPv4 address falls in no stable range: role inference makes every such address an
    /// inferred node (`Engine.infer`; only a range known ahead of that can say otherwise, see
    /// `setAside`), so the class has one role. The VM's name leaves the key too (no rule groups
    /// by it; the group keeps its first record's); the address and name are noted for role
    /// inference. The end stays exact otherwise.
    /// An end already counted per stable range drops the VM's name from the key as well.
    @inline(__always)
    private func foldVMSide(_ key: inout FlowKey, src: IPAddress, dst: IPAddress, vmName: Int32, position: Int64) {
        guard vmName >= 0 else { return }
        let egress = key.flags & 2 != 0
        let address = egress ? src : dst
        if (egress ? key.src : key.dst) != address {
            key.vmName = -2
            return
        }
        guard address.isV4, isGKEVMName(vmName) else { return }
        if egress { key.src = AddressClasses.vmSideKey(address) } else { key.dst = AddressClasses.vmSideKey(address) }
        key.vmName = -2
        vmSides.note(address, name: vmName, at: position)
    }

    /// Whether a group's VM-side end is counted per class.
    private func vmSideIsClass(_ key: FlowKey) -> Bool { AddressClasses.isVMSideKey(key.flags & 2 != 0 ? key.src : key.dst) }

    @inline(__always)
    private func isGKEVMName(_ id: Int32) -> Bool {
        let i = Int(id)
        if i < gkeVMNames.count, gkeVMNames[i] >= 0 { return gkeVMNames[i] == 1 }
        if i >= gkeVMNames.count { gkeVMNames += Array(repeating: -1, count: i + 1 - gkeVMNames.count) }
        let isGKE = strings.withBytes(id) { bytes in bytes.starts(with: "gke-".utf8) }
        gkeVMNames[i] = isGKE ? 1 : 0
        return isGKE
    }

    /// Adds one record. `locate` is called only when the record starts a new group.
    @inline(__always)
    func add(_ record: RecordFields, locate: () -> RecordLocation) -> AddResult {
        guard let srcBytes = record.bytes(.srcIP), let dstBytes = record.bytes(.destIP),
            let src = IPAddress.parse(srcBytes), let dst = IPAddress.parse(dstBytes)
        else { return .badConnection }
        if let rejected = Self.rejectedFlowValue(record) { return .rejected(rejected) }
        let position = nextPosition
        nextPosition += 1
        var flags: UInt8 = 0
        if record.equals(.disposition, "DENIED") { flags |= 1 }
        if record.equals(.ruleDirection, "EGRESS") { flags |= 2 }
        var key = FlowKey(
            src: fold(src), dst: fold(dst), port: Int32(truncatingIfNeeded: record.integer(.destPort) ?? -1),
            networkProtocol: Int16(truncatingIfNeeded: record.integer(.networkProtocol) ?? -1), flags: flags,
            reference: intern(record, .ruleReference), vmName: intern(record, .instanceVM),
            network: intern(record, .vpcName))
        var time = Self.noTime
        if let bytes = record.bytes(.timestamp) {
            if let parsed = Timestamp.parse(bytes) {
                time = parsed
            } else if let parsed = Self.timestamp(record, .timestamp, locate: locate, rejections: &rejections) {
                time = parsed
            }
        }
        let namesRemoteVM: UInt8 = record.has(.remoteInstanceVM) ? 4 : 0
        let vmName = key.vmName
        var signature = folded ? foldFarEnd(&key, src: src, dst: dst) : 0
        if folded { foldVMSide(&key, src: src, dst: dst, vmName: vmName, position: position) }
        var hash = key.fastHash
        var found = index.find(hash: hash, isKey: { records[$0].key == key })
        if found == nil && !folded && records.count >= capacity {
            foldAll()
            signature = foldFarEnd(&key, src: src, dst: dst)
            foldVMSide(&key, src: src, dst: dst, vmName: vmName, position: position)
            hash = key.fastHash
            found = index.find(hash: hash, isKey: { records[$0].key == key })
        }
        if let group = found {
            var full: UInt8 = 0
            counters.withUnsafeMutableBufferPointer { counters in
                counters[group].count += 1
                if time != Self.noTime {
                    if time < counters[group].firstSeen || counters[group].firstSeen == Self.noTime { counters[group].firstSeen = time }
                    if time > counters[group].lastSeen { counters[group].lastSeen = time }
                }
                full = counters[group].samplesFull
            }
            // Samples are touched only while they can still change.
            var nowFull = full | namesRemoteVM
            if key.src != src {
                if full & 1 == 0 {
                    sources[group].add(src, at: position)
                    if sources[group].more { nowFull |= 1 }
                } else {
                    sources[group].sketch?.insert(src)
                }
            }
            if key.dst != dst {
                if full & 2 == 0 {
                    destinations[group].add(dst, at: position)
                    if destinations[group].more { nowFull |= 2 }
                } else {
                    destinations[group].sketch?.insert(dst)
                }
            }
            if nowFull != full { counters[group].samplesFull = nowFull }
            if signature != 0 { signatures[group] |= signature }
            lastGroup = group
            return .added
        }
        guard records.count < (folded ? foldedCapacity : capacity) else { return .full }
        if key.reference >= 0 && rules[key.reference] == nil {
            var rejected: [RejectedValue] = []
            rules[key.reference] = Self.ruleDetails(record, rejected: &rejected)
            if !rejected.isEmpty {
                let place = locate()
                rejections += rejected.map { ($0, place) }
            }
        }
        if !folded && records.count == Self.reserveAt { reserveExactRoom() }
        let base = stringIDs.count
        for field in CompactRecord.stringFields { stringIDs.append(intern(record, field)) }
        checkNames(key: key, base: base, locate: locate)
        index.insert(hash: hash, group: records.count)
        counters.append(GroupCounters(samplesFull: namesRemoteVM, firstSeen: time, lastSeen: time))
        if folded { signatures.append(signature) }
        sources.append(AddressSample(src))
        destinations.append(AddressSample(dst))
        records.append(CompactRecord(
            key: key, vmName: vmName, source: src, destination: dst, srcPort: Int32(truncatingIfNeeded: record.integer(.srcPort) ?? -1),
            destPort: key.port, timestamp: time == Self.noTime ? nil : time,
            receiveTimestamp: record.has(.receiveTimestamp)
                ? Self.timestamp(record, .receiveTimestamp, locate: locate, rejections: &rejections) : nil,
            insertID: record.string(.insertId), disposition: intern(record, .disposition), location: locate(),
            position: position))
        lastGroup = records.count - 1
        return .newGroup
    }

    /// The group the last record added went to.
    private var lastGroup = 0

    /// Groups a table holds before it makes room for its whole exact bound at once.
    private static let reserveAt = 1_024

    /// Makes room for the exact bound's groups in one allocation per array, instead of doubling:
    /// pages not yet written take no memory, while doubling past the bound would hold the old
    /// and the new copy at once (the peak of a read that folds) and leave up to half unused.
    private func reserveExactRoom() {
        let room = min(capacity, 1 << 16)
        records.reserveCapacity(room)
        stringIDs.reserveCapacity(room * Self.stringStride)
        sources.reserveCapacity(room)
        destinations.reserveCapacity(room)
        counters.reserveCapacity(room)
    }

    /// Adds a whole group counted elsewhere (a SQL engine's aggregation row, issue 17): `record`
    /// is its first record (it keys the group as any record would), `count` how many records it
    /// stands for, with their time span and further addresses seen at each end. Those addresses
    /// must fall in the same stable range or address class as the record's own at that end (the
    /// group's key); where an end is kept exact, they are not kept.
    func addGroup(
        _ record: RecordFields, count: Int, firstSeen: Int64?, lastSeen: Int64?, sources: [IPAddress], destinations: [IPAddress],
        locate: () -> RecordLocation
    ) -> AddResult {
        let result = add(record, locate: locate)
        guard result == .added || result == .newGroup else { return result }
        let group = lastGroup
        counters[group].count += Saturating(Swift.max(count, 1) - 1)
        if let firstSeen, counters[group].firstSeen == Self.noTime || firstSeen < counters[group].firstSeen {
            counters[group].firstSeen = firstSeen
        }
        if let lastSeen, lastSeen > counters[group].lastSeen { counters[group].lastSeen = lastSeen }
        let key = records[group].key
        let egress = key.flags & 2 != 0
        for (addresses, isSource) in [(sources, true), (destinations, false)] {
            let exact = isSource ? key.src == records[group].source : key.dst == records[group].destination
            guard !exact else { continue }
            for address in addresses {
                let position = nextPosition
                nextPosition += 1
                if isSource { self.sources[group].add(address, at: position) } else { self.destinations[group].add(address, at: position) }
                if folded && isSource != egress, address.isV4, classes!.key(address) != address {
                    signatures[group] |= classes!.note(address)
                }
            }
        }
        counters[group].samplesFull = counters[group].samplesFull & ~3
            | (self.sources[group].more ? 1 : 0) | (self.destinations[group].more ? 2 : 0)
        return result
    }

    /// The first value a flow is made of that cannot be right, if any. Such a record is skipped
    /// whole: its verdict, protocol or ports key the group, and a fix built on one would be wrong.
    /// Absent ports and protocol stay unknown (ICMP has no ports); an absent verdict does not.
    @inline(__always)
    static func rejectedFlowValue(_ record: RecordFields) -> RejectedValue? {
        if !record.equals(.disposition, "DENIED") && !record.equals(.disposition, "ALLOWED") {
            guard record.has(.disposition) else {
                return RejectedValue(field: Field.disposition.sourcePath, value: nil, reason: "is missing (ALLOWED or DENIED)")
            }
            let value = shownText(record, .disposition)
            // Firewall policy logs document INTERCEPTED: sent to an inspection endpoint, no verdict yet.
            let reason = value == "INTERCEPTED"
                ? "is an interception for inspection, not an ALLOWED or DENIED verdict"
                : "is not ALLOWED or DENIED (the documented verdicts)"
            return RejectedValue(field: Field.disposition.sourcePath, value: value, reason: reason)
        }
        if record.has(.networkProtocol), (record.integer(.networkProtocol) ?? Int.max) > ValueCheck.protocolNumbers.upperBound {
            return RejectedValue(
                field: Field.networkProtocol.sourcePath, value: shownText(record, .networkProtocol), reason: ValueCheck.protocolReason)
        }
        if let bad = rejectedPort(record, .destPort) ?? rejectedPort(record, .srcPort) { return bad }
        return nil
    }

    @inline(__always)
    private static func rejectedPort(_ record: RecordFields, _ port: Field) -> RejectedValue? {
        guard record.has(port), (record.integer(port) ?? Int.max) > ValueCheck.ports.upperBound else { return nil }
        return RejectedValue(field: port.sourcePath, value: shownText(record, port), reason: ValueCheck.portReason)
    }

    /// A field's text for a problem line: decoded when it is a string, as spelled otherwise.
    static func shownText(_ record: RecordFields, _ field: Field) -> String {
        record.string(field) ?? record.bytes(field).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// A timestamp field read the slow way (quoted or escaped in the source), or nil with the
    /// value recorded as rejected when it is no RFC 3339 time.
    static func timestamp(
        _ record: RecordFields, _ field: Field, locate: () -> RecordLocation,
        rejections: inout [(value: RejectedValue, location: RecordLocation)]
    ) -> Int64? {
        if let bytes = record.bytes(field), let parsed = Timestamp.parse(bytes) { return parsed }
        let text = shownText(record, field)
        if let parsed = Timestamp.parse(text) { return parsed }
        rejections.append((RejectedValue(field: field.sourcePath, value: text, reason: ValueCheck.timestampReason), locate()))
        return nil
    }

    /// What a name field holds, and so which check it gets.
    enum NameKind: Sendable {
        case resource, project

        func isValid(_ text: String) -> Bool {
            self == .resource ? ValueCheck.isResourceName(text) : ValueCheck.isProject(text)
        }

        var reason: String { self == .resource ? ValueCheck.resourceNameReason : ValueCheck.projectReason }
    }

    /// The kind of name each checked field holds, for `checkNames`.
    /// Only names that rules put into commands are checked (network, subnetwork, region,
    /// projects; the rule reference is checked with the rule's details). VM names, zones and the
    /// remote end's names are only shown, escaped by the report, so they stay as logged.
    private static let nameFields: [(Field, NameKind)] = [
        (.vpcName, .resource),
        (.vpcSubnetwork, .resource),
        (.resourceSubnetworkName, .resource),
        (.instanceRegion, .resource),
        (.instanceProject, .project),
        (.vpcProject, .project),
        (.resourceProject, .project),
    ]

    private static let nameKinds: [Int: NameKind] = Dictionary(uniqueKeysWithValues: nameFields.map { ($0.0.rawValue, $0.1) })

    /// Checks the names a new group holds (once per distinct value and field); a failed one is
    /// recorded as rejected here and comes out unknown when the group is decoded.
    private func checkNames(key: FlowKey, base: Int, locate: () -> RecordLocation) {
        for (field, kind) in Self.nameFields {
            let id = field == .vpcName ? key.network : CompactRecord.stringFields.firstIndex(of: field).map { stringIDs[base + $0] } ?? -1
            guard id >= 0 else { continue }
            let cacheKey = Int64(field.rawValue) << 32 | Int64(id)
            if nameVerdicts[cacheKey] != nil { continue }
            let text = strings.string(id)
            let bad = !kind.isValid(text)
            nameVerdicts[cacheKey] = bad
            if bad { rejections.append((RejectedValue(field: field.sourcePath, value: text, reason: kind.reason), locate())) }
        }
    }

    /// Whether a name field's value failed its check (computed here for ids merged in from
    /// another table, which reported them itself).
    private func isRejectedName(_ field: Field, _ id: Int32) -> Bool {
        guard id >= 0, let kind = Self.nameKinds[field.rawValue] else { return false }
        let cacheKey = Int64(field.rawValue) << 32 | Int64(id)
        if let known = nameVerdicts[cacheKey] { return known }
        let bad = !kind.isValid(strings.string(id))
        nameVerdicts[cacheKey] = bad
        return bad
    }

    /// A firewall rule's reference: `network:NET/firewall:NAME` for VPC rules (both names
    /// checked), or a policy rule's reference, which may hold only name-like characters.
    static func isRuleReference(_ text: String) -> Bool {
        let marker = "/firewall:"
        if text.hasPrefix("network:"), let range = text.range(of: marker) {
            let network = String(text[text.index(text.startIndex, offsetBy: 8)..<range.lowerBound])
            return ValueCheck.isResourceName(network) && ValueCheck.isResourceName(String(text[range.upperBound...]))
        }
        return !text.isEmpty && text.utf8.count <= 300 && text.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A || byte == 0x2F
        }
    }

    static let ruleReferenceReason = "is not a firewall rule reference (network:NETWORK/firewall:RULE, or a policy rule's)"

    /// The rule details of a record; a reference or priority that fails its check is left out
    /// (unknown) and added to `rejected`.
    static func ruleDetails(_ record: RecordFields, rejected: inout [RejectedValue]) -> FirewallEvent.RuleDetails {
        let details = record.value(.ruleDetails) as? [String: Any] ?? [:]
        func strings(_ key: String) -> [String] { (details[key] as? [Any] ?? []).map { "\($0)" } }
        var reference = record.string(.ruleReference)
        if let text = reference, !isRuleReference(text) {
            rejected.append(RejectedValue(field: Field.ruleReference.sourcePath, value: text, reason: ruleReferenceReason))
            reference = nil
        }
        var priority: Int?
        if record.has(.rulePriority) {
            priority = record.integer(.rulePriority).flatMap { ValueCheck.priorities.contains($0) ? $0 : nil }
            if priority == nil {
                rejected.append(RejectedValue(
                    field: Field.rulePriority.sourcePath, value: shownText(record, .rulePriority), reason: ValueCheck.priorityReason))
            }
        }
        return FirewallEvent.RuleDetails(
            reference: reference, priority: priority,
            action: record.string(.ruleAction), direction: record.string(.ruleDirection),
            ipPortInfo: (details["ip_port_info"] as? [[String: Any]] ?? []).map {
                FirewallEvent.PortInfo(ipProtocol: "\($0["ip_protocol"] ?? "")", portRanges: ($0["port_range"] as? [Any] ?? []).map { "\($0)" })
            },
            sourceRange: strings("source_range"), destinationRange: strings("destination_range"),
            sourceTag: strings("source_tag"), targetTag: strings("target_tag"),
            sourceServiceAccount: strings("source_service_account"), targetServiceAccount: strings("target_service_account"),
            sourceRegionCode: strings("source_region_code"), destinationRegionCode: strings("destination_region_code"),
            sourceFQDN: strings("source_fqdn"), destinationFQDN: strings("destination_fqdn"))
    }

    /// The address at the VM's end of each group's first record, with the VM's name (and the same
    /// for the remote VM), for role inference.
    func forEachObservedVM(_ body: (IPAddress, String) -> Void) {
        let remotePosition = CompactRecord.stringFields.firstIndex(of: .remoteInstanceVM)!
        var names: [Int32: String] = [:]
        func name(_ id: Int32) -> String {
            if let known = names[id] { return known }
            let text = strings.string(id)
            names[id] = text
            return text
        }
        guard folded else {
            for (i, r) in records.enumerated() {
                let egress = r.key.flags & 2 != 0
                if r.vmName >= 0 { body(egress ? r.source : r.destination, name(r.vmName)) }
                let remote = stringIDs[i * Self.stringStride + remotePosition]
                if remote >= 0 { body(egress ? r.destination : r.source, name(remote)) }
            }
            return
        }
        // Groups whose VM-side end is a class hold one of its addresses; the rest are in
        // `vmSides`. Together, in reading order (a record's VM before its remote VM), as an
        // exact table would give them: the first name an address is seen with is its own.
        var sightings: [(position: Int64, remote: Bool, address: IPAddress, name: Int32)] = vmSides.entries.map {
            ($0.position, false, $0.address, $0.name)
        }
        for (i, r) in records.enumerated() {
            let egress = r.key.flags & 2 != 0
            if r.vmName >= 0 && !vmSideIsClass(r.key) { sightings.append((r.position, false, egress ? r.source : r.destination, r.vmName)) }
            let remote = stringIDs[i * Self.stringStride + remotePosition]
            if remote >= 0 { sightings.append((r.position, true, egress ? r.destination : r.source, remote)) }
        }
        sightings.sort { $0.position != $1.position ? $0.position < $1.position : !$0.remote && $1.remote }
        for sighting in sightings { body(sighting.address, name(sighting.name)) }
    }

    /// Each group's first connection (source, destination, destination port), read straight
    /// from the compact records: for callers that need no other field.
    func forEachConnection(_ body: (IPAddress, IPAddress, Int?) -> Void) {
        for r in records { body(r.source, r.destination, r.destPort >= 0 ? Int(r.destPort) : nil) }
    }

    /// Each firewall rule seen, with the location of a record that named it.
    func forEachRule(_ body: (FirewallEvent.RuleDetails, RecordLocation?) -> Void) {
        var seen = Set<Int32>()
        for r in records where r.key.reference >= 0 && seen.insert(r.key.reference).inserted {
            if let details = rules[r.key.reference] { body(details, r.location) }
        }
    }

    /// What merging another table changed: groups it started, and records that found no room.
    struct MergeResult {
        var newGroups = 0
        var newDeniedGroups = 0
        var droppedDenied = 0
        var droppedAllowed = 0
    }

    /// Folds the table: every group is keyed again by its far end's address class (see
    /// `foldFarEnd`), groups that meet become one that keeps the earliest first record, and
    /// their samples merge in reading order. Groups stay in order of their first record.
    /// The same records give the same folded groups whenever the fold happens.
    func foldAll() {
        guard !folded else { return }
        folded = true
        classes = AddressClasses(topology: topology)
        var oldRecords: [CompactRecord] = []
        var oldCounters: [GroupCounters] = []
        var oldSources: [AddressSample] = []
        var oldDestinations: [AddressSample] = []
        var oldStringIDs: [Int32] = []
        swap(&oldRecords, &records)
        swap(&oldCounters, &counters)
        swap(&oldSources, &sources)
        swap(&oldDestinations, &destinations)
        swap(&oldStringIDs, &stringIDs)
        index = GroupIndex(capacity: min(foldedCapacity, 1024))
        signatures = []
        for i in oldRecords.indices {
            var record = oldRecords[i]
            let signature = foldFarEnd(&record.key, src: record.source, dst: record.destination)
            foldVMSide(&record.key, src: record.source, dst: record.destination, vmName: record.vmName, position: record.position)
            let hash = record.key.fastHash
            let theirs = oldCounters[i]
            let key = record.key
            if let group = index.find(hash: hash, isKey: { records[$0].key == key }) {
                combine(theirs, into: group)
                let first = records[group].position
                sources[group] = .merged(sources[group], from: first, oldSources[i], from: record.position)
                destinations[group] = .merged(destinations[group], from: first, oldDestinations[i], from: record.position)
                counters[group].samplesFull = counters[group].samplesFull & ~3
                    | (sources[group].more ? 1 : 0) | (destinations[group].more ? 2 : 0)
                signatures[group] |= signature
                continue
            }
            index.insert(hash: hash, group: records.count)
            counters.append(theirs)
            signatures.append(signature)
            sources.append(oldSources[i])
            destinations.append(oldDestinations[i])
            let base = i * Self.stringStride
            stringIDs.append(contentsOf: oldStringIDs[base..<(base + Self.stringStride)])
            records.append(record)
        }
    }

    /// Adds another group's counts, times and flags to a group's.
    private func combine(_ theirs: GroupCounters, into group: Int) {
        counters[group].count += Saturating(theirs.count)
        if theirs.firstSeen != Self.noTime
            && (counters[group].firstSeen == Self.noTime || theirs.firstSeen < counters[group].firstSeen)
        {
            counters[group].firstSeen = theirs.firstSeen
        }
        if theirs.lastSeen > counters[group].lastSeen { counters[group].lastSeen = theirs.lastSeen }
        counters[group].samplesFull |= theirs.samplesFull & 4
    }

    /// Takes over another table's groups (the later half of a file read in parallel), as if its
    /// records had been added here after this table's own: a group both saw becomes one group
    /// that keeps this table's first record, with counts, times and address samples combined
    /// (the samples come out exactly as one sequential read keeps them); groups new here are
    /// appended in the other table's order. Its locations are shifted by the offsets given.
    /// When the two together hold more distinct flows than the exact bound, both are folded
    /// first, as one read would have folded. The other table is left empty when this one was
    /// and took it over whole.
    func merge(_ other: FlowTable, lineOffset: Int, byteOffset: Int64) -> MergeResult {
        var result = MergeResult()
        if records.isEmpty && !folded && lineOffset == 0 && byteOffset == 0 && other.capacity <= capacity
            && other.foldedCapacity <= foldedCapacity
        {
            takeOver(other)
            result.newGroups = records.count
            result.newDeniedGroups = records.reduce(0) { $0 + Int($1.key.flags & 1) }
            return result
        }
        var translated = [Int32](repeating: -1, count: other.strings.count)
        func translate(_ id: Int32) -> Int32 {
            guard id >= 0 else { return id }
            if translated[Int(id)] < 0 { translated[Int(id)] = other.strings.withBytes(id) { strings.intern($0) } }
            return translated[Int(id)]
        }
        func translatedKey(_ key: FlowKey) -> FlowKey {
            var key = key
            key.reference = translate(key.reference)
            key.vmName = translate(key.vmName)
            key.network = translate(key.network)
            return key
        }
        if !folded && !other.folded {
            // Would the two together hold more distinct flows than the bound allows?
            var newKeys = 0
            for record in other.records {
                let key = translatedKey(record.key)
                if index.find(hash: key.fastHash, isKey: { records[$0].key == key }) == nil { newKeys += 1 }
            }
            if records.count + newKeys > capacity { foldAll() }
        }
        if folded || other.folded {
            foldAll()
            other.foldAll()
            classes!.absorb(other.classes!)
        }
        let positionOffset = nextPosition
        nextPosition += other.nextPosition
        if folded { vmSides.absorb(other.vmSides, translate: translate, positionOffset: positionOffset) }
        /// A sample's addresses with where each was first seen, in this table's positions.
        func shifted(_ sample: AddressSample, from first: Int64) -> [(IPAddress, Int64)] {
            [(sample.first, first)] + zip(sample.rest, sample.restPositions.map { $0 + positionOffset })
        }
        for i in other.records.indices {
            let theirs = other.counters[i]
            var record = other.records[i]
            let otherReference = record.key.reference
            record.key = translatedKey(record.key)
            record.position += positionOffset
            let key = record.key
            let hash = key.fastHash
            if let group = index.find(hash: hash, isKey: { records[$0].key == key }) {
                combine(theirs, into: group)
                // The other half's first distinct addresses hold every one a sequential read
                // would still have room for; if it saw more than it kept, so would that read.
                for (address, position) in shifted(other.sources[i], from: record.position) { sources[group].add(address, at: position) }
                if other.sources[i].more { sources[group].more = true }
                sources[group].joinSketch(of: other.sources[i])
                for (address, position) in shifted(other.destinations[i], from: record.position) {
                    destinations[group].add(address, at: position)
                }
                if other.destinations[i].more { destinations[group].more = true }
                destinations[group].joinSketch(of: other.destinations[i])
                let full: UInt8 = (sources[group].more ? 1 : 0) | (destinations[group].more ? 2 : 0)
                counters[group].samplesFull = counters[group].samplesFull & ~3 | full
                if folded { signatures[group] |= other.signatures[i] }
                continue
            }
            let denied = record.key.flags & 1 != 0
            guard records.count < (folded ? foldedCapacity : capacity) else {
                if denied { result.droppedDenied += theirs.count } else { result.droppedAllowed += theirs.count }
                continue
            }
            if record.key.reference >= 0 && rules[record.key.reference] == nil, let details = other.rules[otherReference] {
                rules[record.key.reference] = details
            }
            record.disposition = translate(record.disposition)
            record.vmName = translate(record.vmName)
            let base = i * Self.stringStride
            for position in base..<(base + Self.stringStride) { stringIDs.append(translate(other.stringIDs[position])) }
            if var location = record.location {
                location.line += lineOffset
                location.byteOffset += byteOffset
                record.location = location
            }
            index.insert(hash: hash, group: records.count)
            counters.append(theirs)
            if folded { signatures.append(other.signatures[i]) }
            var sourceSample = other.sources[i]
            sourceSample.restPositions = sourceSample.restPositions.map { $0 + positionOffset }
            var destinationSample = other.destinations[i]
            destinationSample.restPositions = destinationSample.restPositions.map { $0 + positionOffset }
            sources.append(sourceSample)
            destinations.append(destinationSample)
            records.append(record)
            result.newGroups += 1
            if denied { result.newDeniedGroups += 1 }
        }
        return result
    }

    /// Moves another table's groups into this empty one without copying them: merging the first
    /// half of a file into the whole would otherwise keep a third table's worth of memory (both
    /// halves and the copy) until the read ends. Equal to merging with no offsets, since nothing
    /// here can collide or overflow. The other table gets this one's empty storage, so that
    /// growing this one later copies nothing it still shares.
    private func takeOver(_ other: FlowTable) {
        swap(&records, &other.records)
        swap(&stringIDs, &other.stringIDs)
        swap(&sources, &other.sources)
        swap(&destinations, &other.destinations)
        swap(&index, &other.index)
        swap(&counters, &other.counters)
        swap(&strings, &other.strings)
        swap(&rules, &other.rules)
        swap(&nameVerdicts, &other.nameVerdicts)
        swap(&folded, &other.folded)
        swap(&classes, &other.classes)
        swap(&signatures, &other.signatures)
        swap(&vmSides, &other.vmSides)
        swap(&gkeVMNames, &other.gkeVMNames)
        // No group here holds a position: the other table's stand as they are.
        swap(&nextPosition, &other.nextPosition)
        // The ids remembered per field now belong to the other table's interner.
        lastIDs.update(from: other.lastIDs, count: Field.count)
        other.lastIDs.update(repeating: -1, count: Field.count)
    }

    /// Sets aside, once a run's topology is complete, the folded groups whose counts could be
    /// wrong: their far end's class holds an address that a range or host learned later in the
    /// input (or named as a remote VM, from which roles are learned) covers, so its records
    /// would not all have the role the class has. Returns the records of the groups set aside
    /// now, denied and allowed (groups set aside before are not counted again).
    func setAside(for topology: Topology) -> (denied: Int, allowed: Int) {
        guard folded, let classes else { return (0, 0) }
        let touched = classes.touched(by: topology.rangesAheadOfPublic)
        // A VM-side class holds inferred nodes, or as a whole the addresses of a range known
        // ahead of them that was learned late (a node subnet in the config); a late range that
        // covers its /20 block only in part would split it.
        let lateRanges = topology.stableV4Ranges.map(\.cidr).filter { !scanTimeRanges.contains($0) }
        let splitBlocks = AddressClasses.blocksCoveredInPart(by: lateRanges)
        var result = (denied: 0, allowed: 0)
        for i in records.indices where counters[i].samplesFull & 8 == 0 {
            let farEnd = signatures[i] != 0 && (signatures[i] & touched != 0 || counters[i].samplesFull & 4 != 0)
            let key = records[i].key
            let vmSide = vmSideIsClass(key) && splitBlocks.contains((key.flags & 2 != 0 ? key.src : key.dst).low)
            guard farEnd || vmSide else { continue }
            counters[i].samplesFull |= 8
            if records[i].key.flags & 1 != 0 { result.denied += counters[i].count } else { result.allowed += counters[i].count }
        }
        return result
    }

    /// Each group in turn, decoded one at a time so they are never all in memory at once.
    /// `disposition` sees each group's logged disposition first (as logged, nil when absent);
    /// groups it turns down are never decoded.
    func forEachGroup(disposition keep: (String?) -> Bool = { _ in true }, _ body: (FlowGroup) -> Void) {
        var kept: [Int32: Bool] = [:]
        for i in records.indices where counters[i].samplesFull & 8 == 0 {
            let id = records[i].disposition
            if let known = kept[id] {
                if !known { continue }
            } else {
                let verdict = keep(id >= 0 ? strings.string(id) : nil)
                kept[id] = verdict
                if !verdict { continue }
            }
            body(group(i, counters[i]))
        }
    }

    private func group(_ i: Int, _ counters: GroupCounters) -> FlowGroup {
        do {
            let r = records[i]
            func text(_ id: Int32) -> String? { id >= 0 ? strings.string(id) : nil }
            /// A name that failed its check is unknown.
            func name(_ f: Field, _ id: Int32) -> String? { isRejectedName(f, id) ? nil : text(id) }
            func field(_ f: Field) -> String? {
                guard let position = CompactRecord.stringFields.firstIndex(of: f) else { return nil }
                return name(f, stringIDs[i * Self.stringStride + position])
            }
            var details = r.key.reference >= 0 ? rules[r.key.reference] ?? FirewallEvent.RuleDetails() : FirewallEvent.RuleDetails()
            if details.direction == nil { details.direction = r.key.flags & 2 != 0 ? "EGRESS" : nil }
            var labels: [String: String] = [:]
            labels["location"] = field(.resourceLocation)
            labels["project_id"] = field(.resourceProject)
            labels["subnetwork_id"] = field(.resourceSubnetworkID)
            labels["subnetwork_name"] = field(.resourceSubnetworkName)
            func instance(_ project: Field, _ vm: String?, _ region: Field, _ zone: Field) -> FirewallEvent.InstanceDetails? {
                let value = FirewallEvent.InstanceDetails(projectID: field(project), vmName: vm, region: field(region), zone: field(zone))
                return value.projectID == nil && value.vmName == nil && value.region == nil && value.zone == nil ? nil : value
            }
            func vpc(_ project: String?, _ name: String?, _ subnetwork: String?) -> FirewallEvent.VPCDetails? {
                project == nil && name == nil && subnetwork == nil ? nil
                    : FirewallEvent.VPCDetails(projectID: project, vpcName: name, subnetworkName: subnetwork)
            }
            let geo = FirewallEvent.GeographicDetails(
                continent: field(.remoteContinent), country: field(.remoteCountry), region: field(.remoteRegion), city: field(.remoteCity))
            let event = FirewallEvent(
                connection: FirewallEvent.Connection(
                    srcIP: r.source, srcPort: r.srcPort >= 0 ? Int(r.srcPort) : nil, destIP: r.destination,
                    destPort: r.destPort >= 0 ? Int(r.destPort) : nil,
                    protocolNumber: r.key.networkProtocol >= 0 ? Int(r.key.networkProtocol) : nil),
                disposition: text(r.disposition) ?? "",
                ruleDetails: details,
                instance: instance(.instanceProject, text(r.vmName), .instanceRegion, .instanceZone),
                vpc: vpc(field(.vpcProject), name(.vpcName, r.key.network), field(.vpcSubnetwork)),
                remoteInstance: instance(.remoteInstanceProject, field(.remoteInstanceVM), .remoteInstanceRegion, .remoteInstanceZone),
                remoteVPC: vpc(field(.remoteVPCProject), field(.remoteVPCName), field(.remoteVPCSubnetwork)),
                remoteLocation: geo.isEmpty ? nil : geo,
                timestampMicros: r.timestamp, receiveTimestampMicros: r.receiveTimestamp,
                insertID: r.insertID, logName: field(.logName), resourceType: field(.resourceType),
                resourceLabels: labels, location: r.location)
            return FlowGroup(
                count: counters.count, firstSeen: counters.firstSeen == Self.noTime ? nil : counters.firstSeen,
                lastSeen: counters.lastSeen == Self.noTime ? nil : counters.lastSeen,
                sources: sources[i].addresses, destinations: destinations[i].addresses,
                moreSources: sources[i].more, moreDestinations: destinations[i].more, event: event,
                // Past the bound an end counted per class or range whose sample is full holds
                // a sample of many groups' addresses (no longer split by VM): its count is estimated.
                sampledSources: folded && r.key.src != r.source && sources[i].more,
                sampledDestinations: folded && r.key.dst != r.destination && destinations[i].more,
                sourceSketch: sources[i].sketch, destinationSketch: destinations[i].sketch)
        }
    }
}

extension FlowTable {
    /// Adds a whole flow group (a row of `triage sql`'s query): its first record, then the
    /// group's count, times and address samples in place of that one record's. A group that
    /// meets one already here (the query grouped finer, e.g. IPv6 ends it does not fold) is
    /// combined with it as `merge` combines two halves.
    func addGroup(_ record: RecordFields, _ aggregate: FlowGroupAggregate, locate: () -> RecordLocation) -> AddResult {
        let result = addGroup(
            record, count: aggregate.count, firstSeen: aggregate.firstSeen, lastSeen: aggregate.lastSeen,
            sources: aggregate.sources.addresses, destinations: aggregate.destinations.addresses, locate: locate)
        guard result == .added || result == .newGroup else { return result }
        // The row kept fewer addresses than it saw: the group says there were more.
        // Its addresses past those are unknown, so no sketch counts them.
        if aggregate.sources.more {
            sources[lastGroup].more = true
            sources[lastGroup].sketch = nil
        }
        if aggregate.destinations.more {
            destinations[lastGroup].more = true
            destinations[lastGroup].sketch = nil
        }
        counters[lastGroup].samplesFull |= (sources[lastGroup].more ? 1 : 0) | (destinations[lastGroup].more ? 2 : 0)
        return result
    }
}
