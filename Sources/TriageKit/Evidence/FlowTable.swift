import Foundation

/// All logged connections that share a source, destination, port, protocol, verdict and firewall
/// rule, counted together. Rules run once per group, not once per log line; this is what keeps
/// memory flat (it grows with distinct flows, not with records) and lets roles learned late in the
/// input still apply to records read early.
public struct FlowGroup: Sendable {
    public var count: Int
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    /// The first few records of the group, decoded in full.
    public var examples: [FirewallEvent]
    public var event: FirewallEvent { examples[0] }
}

struct FlowKey: Hashable {
    var src: IPAddress
    var dst: IPAddress
    var port: Int32
    var networkProtocol: Int16
    var flags: UInt8  // bit 0 denied, bit 1 egress
    var reference: Int32
    var vmName: Int32
    var network: Int32
}

final class FlowTable {
    static let examplesPerGroup = 3

    private(set) var groups: [FlowGroup] = []
    private var index: [FlowKey: Int] = [:]
    private let strings = ByteInterner()
    let capacity: Int
    private(set) var overflow = 0

    init(capacity: Int) { self.capacity = capacity }

    enum AddResult { case added, newGroup, full, badConnection }

    /// Adds one record. `locate` is called only when the record is kept as an example.
    @inline(__always)
    func add(_ record: RecordFields, locate: () -> RecordLocation) -> AddResult {
        guard let srcBytes = record.bytes(.srcIP), let dstBytes = record.bytes(.destIP),
            let src = IPAddress.parse(srcBytes), let dst = IPAddress.parse(dstBytes)
        else { return .badConnection }
        var flags: UInt8 = 0
        if record.equals(.disposition, "DENIED") { flags |= 1 }
        if record.equals(.ruleDirection, "EGRESS") { flags |= 2 }
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        let key = FlowKey(
            src: src, dst: dst, port: Int32(truncatingIfNeeded: record.integer(.destPort) ?? -1),
            networkProtocol: Int16(truncatingIfNeeded: record.integer(.networkProtocol) ?? -1), flags: flags,
            reference: strings.intern(record.bytes(.ruleReference) ?? empty),
            vmName: strings.intern(record.bytes(.instanceVM) ?? empty),
            network: strings.intern(record.bytes(.vpcName) ?? empty))
        let time = record.bytes(.timestamp).flatMap(Timestamp.parse)
        if let existing = index[key] {
            update(&groups[existing], time: time)
            if groups[existing].examples.count < Self.examplesPerGroup,
                let event = FirewallEvent(record: record, location: locate())
            {
                groups[existing].examples.append(event)
            }
            return .added
        }
        guard groups.count < capacity else {
            overflow += 1
            return .full
        }
        guard let event = FirewallEvent(record: record, location: locate()) else { return .badConnection }
        index[key] = groups.count
        groups.append(FlowGroup(count: 1, firstSeen: time, lastSeen: time, examples: [event]))
        return .newGroup
    }

    @inline(__always)
    private func update(_ group: inout FlowGroup, time: Int64?) {
        group.count += 1
        if let time {
            if group.firstSeen.map({ time < $0 }) ?? true { group.firstSeen = time }
            if group.lastSeen.map({ time > $0 }) ?? true { group.lastSeen = time }
        }
    }
}
