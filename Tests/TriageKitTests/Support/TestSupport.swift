import Foundation
import Testing
@testable import TriageKit

/// Conveniences over the library's seeded generator, so property tests see the same cases every run.
extension SplitMix64 {
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

/// A sink that copies out everything a record holds while the reader's buffer is still valid.
final class RecordingSink: RecordSink {
    struct Record {
        var format: InputFormat
        var location: RecordLocation
        /// `string(_:)` of every present field (nil for raw blocks).
        var strings: [Field: String]
        /// `integer(_:)` of every present field that has one.
        var integers: [Field: Int]
        /// `value(_:)` of every present field, as canonical JSON text.
        var values: [Field: String]
        var present: Set<Field>
    }

    private(set) var records: [Record] = []
    private(set) var problems: [InputProblem] = []
    /// Only these fields are copied out (all by default); `value(_:)` decodes, which is slow.
    let fields: [Field]
    let decodeValues: Bool

    init(fields: [Field] = Field.allCases, decodeValues: Bool = true) {
        self.fields = fields
        self.decodeValues = decodeValues
    }

    func consume(_ record: RecordFields, format: InputFormat, locate: () -> RecordLocation) {
        var strings: [Field: String] = [:]
        var integers: [Field: Int] = [:]
        var values: [Field: String] = [:]
        var present = Set<Field>()
        for field in fields where record.has(field) {
            present.insert(field)
            if let text = record.string(field) { strings[field] = text }
            if let number = record.integer(field) { integers[field] = number }
            if decodeValues { values[field] = canonicalJSON(record.value(field)) }
        }
        records.append(Record(
            format: format, location: locate(), strings: strings, integers: integers, values: values, present: present))
    }

    func problem(_ problem: InputProblem) { problems.append(problem) }

    func strings(_ field: Field) -> [String?] { records.map { $0.strings[field] } }
}

/// Foundation values as sorted-key JSON text, so values decoded by different routes compare equal.
func canonicalJSON(_ value: Any?) -> String {
    guard let value, !(value is NSNull) else { return "null" }
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else {
        return "<not JSON: \(value)>"
    }
    return String(decoding: data, as: UTF8.self)
}

/// Reads bytes through a fresh `InputReader` into a fresh sink; returns the error that stopped it, if any.
@discardableResult
func readAll(
    _ bytes: [UInt8], name: String = "test-input", sink: RecordingSink = RecordingSink()
) -> (sink: RecordingSink, error: TriageError?, reader: InputReader) {
    let reader = InputReader(name: name, source: MemorySource(bytes))
    do {
        try reader.run(into: sink)
        return (sink, nil, reader)
    } catch {
        return (sink, error, reader)
    }
}

func readAll(
    _ text: String, name: String = "test-input", sink: RecordingSink = RecordingSink()
) -> (sink: RecordingSink, error: TriageError?, reader: InputReader) {
    readAll(Array(text.utf8), name: name, sink: sink)
}

/// Reads bytes into an `EvidenceCollector`.
func collect(_ bytes: [UInt8], name: String = "test-input", maximumFlowGroups: Int = 200_000) -> EvidenceCollector {
    let collector = EvidenceCollector(maximumFlowGroups: maximumFlowGroups)
    collector.read(InputReader(name: name, source: MemorySource(bytes)))
    return collector
}

func collect(_ text: String, name: String = "test-input") -> EvidenceCollector {
    collect(Array(text.utf8), name: name)
}

/// The repository root, found from this file's path.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        url.deleteLastPathComponent()
    }
    fatalError("Package.swift not found above \(#filePath)")
}()

/// A directory of its own per test, removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("triage-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))) }
}

/// Runs a shell command line with /bin/sh in `directory`; returns its standard output.
@discardableResult
func shell(_ command: String, in directory: URL? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    if let directory { process.currentDirectoryURL = directory }
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ShellFailure(command: command, status: process.terminationStatus)
    }
    return String(decoding: data, as: UTF8.self)
}

struct ShellFailure: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    var description: String { "`\(command)` exited with \(status)" }
}

/// Microseconds since 1970 worked out by Foundation's calendar, as an oracle for `Timestamp`.
func utcMicros(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, micros: Int = 0) -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let date = calendar.date(from: DateComponents(
        year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    return Int64(date.timeIntervalSince1970.rounded()) * 1_000_000 + Int64(micros)
}

/// The 1-based line that byte `offset` of `text` sits on, counted here rather than by the reader.
func lineNumber(ofByte offset: Int, in text: String) -> Int {
    var text = text
    return text.withUTF8 { bytes in bytes[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 } }
}

/// The UTF-8 offset of the first occurrence of `needle` in `text`.
func byteOffset(of needle: String, in text: String) -> Int? {
    Data(text.utf8).range(of: Data(needle.utf8)).map(\.lowerBound)
}

/// Builders for firewall LogEntries as Foundation values, the shape Cloud Logging exports.
enum LogEntries {
    static let firewallLog = "projects/kf-prod-4412/logs/compute.googleapis.com%2Ffirewall"

    static func firewall(
        insertId: String = "id-1",
        src: String = "172.16.0.2", srcPort: Any = 40000,
        dst: String = "10.20.1.14", dstPort: Any? = 8443,
        protocolNumber: Any = 6,
        disposition: String = "DENIED",
        reference: String? = "network:kubeflow-vpc/firewall:deny-all-ingress",
        priority: Int? = 65534,
        direction: String = "INGRESS",
        action: String? = nil,
        sourceRanges: [String] = ["0.0.0.0/0"],
        targetTags: [String]? = nil,
        vmName: String? = "gke-kf-private-default-pool-5b7e0d41-m2pq",
        network: String? = "kubeflow-vpc",
        timestamp: String? = "2026-11-22T09:14:03.412Z",
        logName: String? = firewallLog
    ) -> [String: Any] {
        var connection: [String: Any] = ["src_ip": src, "src_port": srcPort, "dest_ip": dst, "protocol": protocolNumber]
        if let dstPort { connection["dest_port"] = dstPort }
        var details: [String: Any] = [
            "action": action ?? (disposition == "DENIED" ? "DENY" : "ALLOW"), "direction": direction,
            "ip_port_info": [["ip_protocol": "ALL"]], "source_range": sourceRanges,
        ]
        if let reference { details["reference"] = reference }
        if let priority { details["priority"] = priority }
        if let targetTags { details["target_tag"] = targetTags }
        var payload: [String: Any] = ["connection": connection, "disposition": disposition, "rule_details": details]
        if let vmName {
            payload["instance"] = [
                "project_id": "kf-prod-4412", "region": "us-central1", "vm_name": vmName, "zone": "us-central1-b",
            ]
        }
        if let network {
            payload["vpc"] = ["project_id": "kf-prod-4412", "subnetwork_name": "kubeflow-subnet", "vpc_name": network]
        }
        var entry: [String: Any] = [
            "insertId": insertId, "jsonPayload": payload,
            "resource": ["labels": ["project_id": "kf-prod-4412", "location": "us-central1-b"], "type": "gce_subnetwork"],
        ]
        if let logName { entry["logName"] = logName }
        if let timestamp {
            entry["timestamp"] = timestamp
            entry["receiveTimestamp"] = timestamp
        }
        return entry
    }

    /// One compact JSON line per entry (keys sorted, as `jq -c -S` writes them).
    static func ndjson(_ entries: [[String: Any]]) -> String {
        entries.map { entry in
            let data = try! JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        }.joined()
    }
}

/// A rule file written in tests, with defaults for everything a test does not care about.
enum RuleText {
    static func make(
        id: String, severity: String = "error", match: String = "  disposition: DENIED",
        fallback: Bool = false, groupBy: String = "[dst.port]",
        message: String = "{count} connections to {dst.port} were denied by {denied_by}",
        why: String = "because the rule denies them",
        notes: String = "",
        commands: String = "    - gcloud compute firewall-rules create allow-{dst.port} --priority={fix.priority}"
    ) -> String {
        """
        id: \(id)
        severity: \(severity)
        title: Connections of the test kind get through
        evidence: firewall
        \(fallback ? "fallback: true\n" : "")match:
        \(match)
        group_by: \(groupBy)
        message: >-
          \(message)
        remedy:
          why: \(why)
        \(notes)  commands:
        \(commands)
        references:
          - https://cloud.google.com/firewall/docs/firewall-rules-logging
        samples:
          trigger:
            - name: a trigger sample
              input: |
                {}
              expect:
                - {count: 1}
          pass:
            - name: a pass sample
              input: |
                {}

        """
    }

    static func rule(_ text: String, id: String) throws -> Rule {
        try RuleLoader.parse(text, file: "Rules/firewall/\(id).yaml")
    }
}

/// Runs the engine over NDJSON text with the given flags.
func analyse(_ text: String, rules: [Rule], options: TopologyOptions = TopologyOptions()) throws -> Analysis {
    let collector = collect(text)
    return Engine.analyse(collector, topology: try Pipeline.topology(from: options), rules: rules)
}

struct Unparsable: Error, CustomStringConvertible {
    let text: String
    var description: String { "'\(text)' did not parse" }
}

/// An address the test itself spells; throws (failing the test) when it does not parse.
func ip(_ text: String) throws -> IPAddress {
    guard let address = IPAddress(text) else { throw Unparsable(text: text) }
    return address
}

func cidr(_ text: String) throws -> CIDR {
    guard let range = CIDR(text) else { throw Unparsable(text: text) }
    return range
}

/// Hands out bytes in short reads of seeded random length, as a pipe does: every refill of the
/// reader then lands at a different place inside a record.
final class ChunkedSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private var random: SplitMix64
    private let largest: Int

    init(_ bytes: [UInt8], seed: UInt64, largest: Int = 700) {
        self.bytes = bytes
        random = SplitMix64(seed: seed)
        self.largest = largest
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        let n = min(buffer.count, bytes.count - position, random.int(1...largest))
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}
