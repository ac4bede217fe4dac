import Foundation

/// The fields the scanners extract from one record. Only these are ever looked at on the hot path;
/// everything else in a record is skipped without being decoded.
public enum Field: Int, CaseIterable, Sendable {
    case insertId, logName, timestamp, receiveTimestamp, severity
    case resource, resourceType, textPayload, protoPayload
    case jsonPayload, payloadType
    case srcIP, srcPort, destIP, destPort, networkProtocol
    case disposition
    case ruleDetails, ruleReference, rulePriority, ruleAction, ruleDirection
    case instanceProject, instanceVM, instanceRegion, instanceZone
    case vpcProject, vpcName, vpcSubnetwork
    case remoteInstanceProject, remoteInstanceVM, remoteInstanceRegion, remoteInstanceZone
    case remoteVPCProject, remoteVPCName, remoteVPCSubnetwork
    case remoteContinent, remoteCountry, remoteRegion, remoteCity
    case resourceLocation, resourceProject, resourceSubnetworkID, resourceSubnetworkName
    case loadBalancerDetails
    // Markers of records that are not LogEntries (a cluster description, a Compute resource).
    case kind, clusterMarker, apiName, selfLink

    public static let count = Field.allCases.count

    /// The field's key path in a LogEntry, as problem lines name it ("jsonPayload.connection.protocol").
    public var sourcePath: String { Field.sourcePaths[rawValue] }

    private static let sourcePaths: [String] = Field.allCases.map { field in
        FieldSchema.logEntryPaths.first { $0.1 == field }.map { $0.0.joined(separator: ".") } ?? "\(field)"
    }
}

/// Where a field's value sits in the scan buffer, and how it is spelled there.
public struct Slot: Sendable {
    public var offset: Int = 0
    /// -1 when the field is absent from the record.
    public var count: Int = -1
    public var flags: SlotFlags = []
}

public struct SlotFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// A JSON string whose bytes hold backslash escapes.
    public static let escaped = SlotFlags(rawValue: 1 << 0)
    /// Was a string in the source (as opposed to a number or literal).
    public static let string = SlotFlags(rawValue: 1 << 1)
    /// A whole JSON value (object or array), decoded lazily.
    public static let rawJSON = SlotFlags(rawValue: 1 << 2)
    /// A block of gcloud YAML lines (a mapping or a sequence), decoded lazily.
    public static let rawYAML = SlotFlags(rawValue: 1 << 3)
    /// A YAML scalar that needs unquoting or folding ('…' with '', "…" with escapes, wrapped lines).
    public static let yamlScalar = SlotFlags(rawValue: 1 << 4)
}

/// The slots of one record, pointing into the reader's buffer. Valid only until the reader moves on.
public struct RecordFields {
    public var base: UnsafePointer<UInt8>
    public private(set) var slots: UnsafeMutablePointer<Slot>
    /// The record's own bytes in the buffer.
    public var recordOffset = 0
    public var recordCount = 0
    public var isYAML = false

    init() {
        slots = .allocate(capacity: Field.count)
        slots.initialize(repeating: Slot(), count: Field.count)
        base = UnsafePointer(slots.withMemoryRebound(to: UInt8.self, capacity: 1) { $0 })
    }

    func deallocate() { slots.deallocate() }

    @inline(__always)
    mutating func reset(base: UnsafePointer<UInt8>) {
        self.base = base
        for i in 0..<Field.count { slots[i].count = -1 }
    }

    @inline(__always)
    func set(_ field: Field, offset: Int, count: Int, flags: SlotFlags) {
        slots[field.rawValue] = Slot(offset: offset, count: count, flags: flags)
    }

    @inline(__always)
    public func has(_ field: Field) -> Bool { slots[field.rawValue].count >= 0 }

    @inline(__always)
    public func slot(_ field: Field) -> Slot { slots[field.rawValue] }

    /// The field's bytes as spelled in the source (quotes removed for strings).
    @inline(__always)
    public func bytes(_ field: Field) -> UnsafeBufferPointer<UInt8>? {
        let slot = slots[field.rawValue]
        guard slot.count >= 0 else { return nil }
        return UnsafeBufferPointer(start: base + slot.offset, count: slot.count)
    }

    /// Whether the field's source bytes are exactly `literal` (no decoding, so only for plain values).
    @inline(__always)
    public func equals(_ field: Field, _ literal: StaticString) -> Bool {
        let slot = slots[field.rawValue]
        guard slot.count == literal.utf8CodeUnitCount else { return false }
        return memcmp(base + slot.offset, literal.utf8Start, slot.count) == 0
    }

    @inline(__always)
    public func hasSuffix(_ field: Field, _ literal: StaticString) -> Bool {
        let slot = slots[field.rawValue]
        let n = literal.utf8CodeUnitCount
        guard slot.count >= n else { return false }
        return memcmp(base + slot.offset + slot.count - n, literal.utf8Start, n) == 0
    }

    /// A non-negative integer held as a number or a numeric string.
    @inline(__always)
    public func integer(_ field: Field) -> Int? {
        let slot = slots[field.rawValue]
        guard slot.count > 0, slot.count <= 18 else { return nil }
        var value = 0
        var p = base + slot.offset
        let end = p + slot.count
        while p < end {
            let d = p.pointee &- 0x30
            guard d < 10 else { return nil }
            value = value &* 10 &+ Int(d)
            p += 1
        }
        return value
    }

    /// The decoded text of a scalar field.
    public func string(_ field: Field) -> String? {
        let slot = slots[field.rawValue]
        guard slot.count >= 0 else { return nil }
        let buffer = UnsafeBufferPointer(start: base + slot.offset, count: slot.count)
        if slot.flags.contains(.escaped) { return JSONStringDecoder.decode(buffer) }
        if slot.flags.contains(.yamlScalar) { return YAMLScalarDecoder.decode(buffer) }
        if slot.flags.contains(.rawJSON) || slot.flags.contains(.rawYAML) { return nil }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// A lazily decoded structured value (dictionary, array, string or number), for fields kept raw.
    public func value(_ field: Field) -> Any? {
        let slot = slots[field.rawValue]
        guard slot.count >= 0 else { return nil }
        let buffer = UnsafeBufferPointer(start: base + slot.offset, count: slot.count)
        if slot.flags.contains(.rawJSON) {
            return try? JSONSerialization.jsonObject(with: Data(buffer), options: [.fragmentsAllowed])
        }
        if slot.flags.contains(.rawYAML) { return YAMLBlockDecoder.decode(buffer) }
        if slot.flags.contains(.string) || slot.flags.contains(.yamlScalar) || slot.flags.contains(.escaped) {
            return string(field)
        }
        let text = String(decoding: buffer, as: UTF8.self)
        if let number = Int(text) { return number }
        if let number = Double(text) { return number }
        if text == "true" { return true }
        if text == "false" { return false }
        if text == "null" { return nil }
        return text
    }

    /// The whole record's bytes, for readers that decode a rare record kind in full.
    public var recordBytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + recordOffset, count: recordCount)
    }
}

/// Byte equality for short runs, inline: eight bytes at a time, then the tail. Keys and names are
/// short enough that a call to memcmp costs more than the comparison.
@inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    while i + 8 <= count {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

/// The key paths the scanners look for, as a trie that a scanner walks one key at a time. Keys
/// live in one flat byte block so a lookup is a length check and a memcmp, with no reference
/// counting on the hot path.
public final class FieldSchema: @unchecked Sendable {  // immutable after init
    public struct Node: Sendable {
        /// Children: indexes into the flat key tables.
        var firstChild: Int = 0
        var childCount: Int = 0
        /// The field this key fills (a scalar, or for a container the raw capture of the whole value).
        var field: Field?
        var hasChildren: Bool { childCount > 0 }
    }

    public let nodes: [Node]
    /// The longest path's length: how deeply a scanner can descend.
    public let depth: Int
    private let keyBytes: UnsafeMutablePointer<UInt8>
    private let keyOffsets: UnsafeMutablePointer<Int>
    private let keyLengths: UnsafeMutablePointer<Int>
    private let keyTargets: UnsafeMutablePointer<Int>
    /// Per node, 64 slots hashed from a key's length and first and last bytes: the one candidate
    /// key index, -1 for none, -2 when two keys share the slot (then the children are scanned).
    private let slots: UnsafeMutablePointer<Int32>
    static let slotsPerNode = 64

    @inline(__always)
    static func slot(_ key: UnsafePointer<UInt8>, _ count: Int) -> Int {
        guard count > 0 else { return 0 }
        return (count &* 7 &+ Int(key[0]) &+ Int(key[count - 1]) &* 3) & (slotsPerNode - 1)
    }

    public init(paths: [([String], Field)]) {
        // Build a nested trie first, then lay the children of each node out contiguously.
        final class Builder {
            var children: [(key: [UInt8], node: Builder)] = []
            var field: Field?
        }
        let root = Builder()
        for (path, field) in paths {
            var current = root
            for component in path {
                let key = Array(component.utf8)
                if let existing = current.children.first(where: { $0.key == key }) {
                    current = existing.node
                } else {
                    let next = Builder()
                    current.children.append((key, next))
                    current = next
                }
            }
            current.field = field
        }
        var nodes: [Node] = []
        var keys: [(bytes: [UInt8], target: Int)] = []
        var queue: [Builder] = [root]
        var position = 0
        nodes.append(Node(field: root.field))
        while position < queue.count {
            let builder = queue[position]
            nodes[position].firstChild = keys.count
            nodes[position].childCount = builder.children.count
            for (key, child) in builder.children {
                queue.append(child)
                nodes.append(Node(field: child.field))
                keys.append((key, queue.count - 1))
            }
            position += 1
        }
        self.nodes = nodes
        depth = paths.map(\.0.count).max() ?? 0
        let total = keys.reduce(0) { $0 + $1.bytes.count }
        keyBytes = .allocate(capacity: max(1, total))
        keyOffsets = .allocate(capacity: max(1, keys.count))
        keyLengths = .allocate(capacity: max(1, keys.count))
        keyTargets = .allocate(capacity: max(1, keys.count))
        var offset = 0
        for (index, key) in keys.enumerated() {
            for (i, byte) in key.bytes.enumerated() { keyBytes[offset + i] = byte }
            keyOffsets[index] = offset
            keyLengths[index] = key.bytes.count
            keyTargets[index] = key.target
            offset += key.bytes.count
        }
        slots = .allocate(capacity: nodes.count * Self.slotsPerNode)
        slots.initialize(repeating: -1, count: nodes.count * Self.slotsPerNode)
        for (nodeIndex, node) in nodes.enumerated() {
            for index in node.firstChild..<(node.firstChild + node.childCount) {
                let slot = nodeIndex * Self.slotsPerNode + Self.slot(keyBytes + keyOffsets[index], keyLengths[index])
                slots[slot] = slots[slot] == -1 ? Int32(index) : -2
            }
        }
    }

    /// The child of `node` named by the bytes at `key`, or -1.
    @inline(__always)
    func child(of node: Int, key: UnsafePointer<UInt8>, count: Int) -> Int {
        let candidate = Int(slots[node &* Self.slotsPerNode &+ Self.slot(key, count)])
        if candidate == -1 { return -1 }
        if candidate >= 0 {
            return keyLengths[candidate] == count && bytesEqual(keyBytes + keyOffsets[candidate], key, count)
                ? keyTargets[candidate] : -1
        }
        let info = nodes[node]
        var index = info.firstChild
        let end = index + info.childCount
        while index < end {
            if keyLengths[index] == count && bytesEqual(keyBytes + keyOffsets[index], key, count) {
                return keyTargets[index]
            }
            index += 1
        }
        return -1
    }

    /// The LogEntry fields triage reads, plus the keys that mark other record kinds.
    public static let logEntry = FieldSchema(paths: logEntryPaths)

    static let logEntryPaths: [([String], Field)] = [
        (["insertId"], .insertId),
        (["logName"], .logName),
        (["timestamp"], .timestamp),
        (["receiveTimestamp"], .receiveTimestamp),
        (["severity"], .severity),
        (["resource"], .resource),
        (["resource", "type"], .resourceType),
        (["textPayload"], .textPayload),
        (["protoPayload"], .protoPayload),
        (["jsonPayload"], .jsonPayload),
        (["jsonPayload", "@type"], .payloadType),
        (["jsonPayload", "connection", "src_ip"], .srcIP),
        (["jsonPayload", "connection", "src_port"], .srcPort),
        (["jsonPayload", "connection", "dest_ip"], .destIP),
        (["jsonPayload", "connection", "dest_port"], .destPort),
        (["jsonPayload", "connection", "protocol"], .networkProtocol),
        (["jsonPayload", "disposition"], .disposition),
        (["jsonPayload", "rule_details"], .ruleDetails),
        (["jsonPayload", "rule_details", "reference"], .ruleReference),
        (["jsonPayload", "rule_details", "priority"], .rulePriority),
        (["jsonPayload", "rule_details", "action"], .ruleAction),
        (["jsonPayload", "rule_details", "direction"], .ruleDirection),
        (["jsonPayload", "instance", "project_id"], .instanceProject),
        (["jsonPayload", "instance", "vm_name"], .instanceVM),
        (["jsonPayload", "instance", "region"], .instanceRegion),
        (["jsonPayload", "instance", "zone"], .instanceZone),
        (["jsonPayload", "vpc", "project_id"], .vpcProject),
        (["jsonPayload", "vpc", "vpc_name"], .vpcName),
        (["jsonPayload", "vpc", "subnetwork_name"], .vpcSubnetwork),
        (["jsonPayload", "remote_instance", "project_id"], .remoteInstanceProject),
        (["jsonPayload", "remote_instance", "vm_name"], .remoteInstanceVM),
        (["jsonPayload", "remote_instance", "region"], .remoteInstanceRegion),
        (["jsonPayload", "remote_instance", "zone"], .remoteInstanceZone),
        (["jsonPayload", "remote_vpc", "project_id"], .remoteVPCProject),
        (["jsonPayload", "remote_vpc", "vpc_name"], .remoteVPCName),
        (["jsonPayload", "remote_vpc", "subnetwork_name"], .remoteVPCSubnetwork),
        (["jsonPayload", "remote_location", "continent"], .remoteContinent),
        (["jsonPayload", "remote_location", "country"], .remoteCountry),
        (["jsonPayload", "remote_location", "region"], .remoteRegion),
        (["jsonPayload", "remote_location", "city"], .remoteCity),
        (["resource", "labels", "location"], .resourceLocation),
        (["resource", "labels", "project_id"], .resourceProject),
        (["resource", "labels", "subnetwork_id"], .resourceSubnetworkID),
        (["resource", "labels", "subnetwork_name"], .resourceSubnetworkName),
        (["jsonPayload", "load_balancer_details"], .loadBalancerDetails),
        (["kind"], .kind),
        (["privateClusterConfig"], .clusterMarker),
        (["clusterIpv4Cidr"], .clusterMarker),
        (["nodePools"], .clusterMarker),
        (["currentMasterVersion"], .clusterMarker),
        (["selfLink"], .selfLink),
        (["apiVersion"], .apiName),
    ]
}
