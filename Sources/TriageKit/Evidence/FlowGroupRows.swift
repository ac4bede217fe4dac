import Foundation

/// What a flow group holds beyond its first record, as a query result row gives it.
public struct FlowGroupAggregate: Sendable, Equatable {
    /// Distinct addresses at one end in the order first seen, and whether there were more than
    /// the flow table keeps (a row's sample column holds one more than that to say so).
    public struct Sample: Sendable, Equatable {
        public var addresses: [IPAddress]
        public var more: Bool
    }

    public var count: Int
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    public var sources: Sample
    public var destinations: Sample
}

/// A result row of `FlowGroupQuery`, read back: the group's figures and its first record
/// rebuilt as a LogEntry, so it goes through the same field scanner and checks as a record read
/// from a file.
struct FlowGroupRow {
    typealias Column = FlowGroupQuery.Column
    typealias RecordField = FlowGroupQuery.RecordField

    var aggregate: FlowGroupAggregate
    var logEntry: [String: Any]

    /// Nil with the reason when the row is no flow group.
    static func make(_ row: QueryRow) -> (row: FlowGroupRow?, problem: String?) {
        guard let countText = row[Column.count].string, let count = Int(countText), count > 0 else {
            return (nil, "no positive '\(Column.count)' column")
        }
        guard case .record(let first) = row[Column.firstRecord] else { return (nil, "no '\(Column.firstRecord)' record column") }
        var entry: [String: Any] = [:]
        for (name, value) in first {
            guard let json = jsonValue(value, embedsJSON: name == RecordField.jsonPayload) else { continue }
            entry[name] = json
        }
        // Times come as microseconds; the LogEntry spells them in RFC 3339.
        for name in [RecordField.timestamp, RecordField.receiveTimestamp] {
            entry[name] = first[name]?.string.flatMap { Int64($0) }.map(Timestamp.format)
        }
        guard entry[RecordField.jsonPayload] is [String: Any] else { return (nil, "no '\(Column.firstRecord).\(RecordField.jsonPayload)'") }
        func sample(_ column: String) -> FlowGroupAggregate.Sample {
            guard case .array(let values) = row[column] else { return .init(addresses: [], more: false) }
            let parsed = values.compactMap { $0.string.flatMap { IPAddress($0) } }
            return .init(addresses: Array(parsed.prefix(FlowTable.sampleLimit)), more: parsed.count > FlowTable.sampleLimit)
        }
        let aggregate = FlowGroupAggregate(
            count: count, firstSeen: row[Column.firstSeen].string.flatMap { Int64($0) },
            lastSeen: row[Column.lastSeen].string.flatMap { Int64($0) },
            sources: sample(Column.sourceSample), destinations: sample(Column.destinationSample))
        return (FlowGroupRow(aggregate: aggregate, logEntry: entry), nil)
    }

    /// A value as JSON for the rebuilt LogEntry; NULLs are left out, as absent fields are.
    /// A JSON column (Log Analytics' `json_payload`, `resource.labels`) comes as its text.
    private static func jsonValue(_ value: QueryValue, embedsJSON: Bool = false) -> Any? {
        switch value {
        case .null: return nil
        case .string(let text):
            if embedsJSON || text.hasPrefix("{"), let data = text.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data), object is [String: Any]
            {
                return object
            }
            return text
        case .array(let values): return values.compactMap { jsonValue($0) }
        case .record(let fields):
            var object: [String: Any] = [:]
            for (name, field) in fields {
                if let json = jsonValue(field, embedsJSON: name == "labels") { object[name] = json }
            }
            return object
        }
    }
}

/// Hands each rebuilt record to the collector with its row's figures.
private final class FlowGroupRowSink: RecordSink {
    let collector: EvidenceCollector
    let aggregates: [FlowGroupAggregate]
    var next = 0

    init(collector: EvidenceCollector, aggregates: [FlowGroupAggregate]) {
        self.collector = collector
        self.aggregates = aggregates
    }

    func consume(_ record: RecordFields, format: InputFormat, locate: () -> RecordLocation) {
        guard next < aggregates.count else { return }
        collector.addFirewallGroup(record, aggregates[next], locate: locate)
        next += 1
    }

    func problem(_ problem: InputProblem) { collector.problem(problem) }
}

extension EvidenceCollector {
    /// Adds the rows of `triage sql`'s query (from BigQuery, DuckDB or a file of them) to the
    /// evidence, each as a whole flow group with its count, first and last time and address
    /// samples, so the analysis finds what it finds from the raw entries. `input` names the rows
    /// in problem lines and evidence (`input:N` is row N). A row that is no flow group is
    /// reported and skipped. `bytes`: the rows' size as read, for the account. `countingInput:
    /// false` adds a later page of a result already counted (`--bigquery` counts its query once).
    public func addFlowGroups(_ rows: [QueryRow], input: String, bytes: Int = 0, countingInput: Bool = true) {
        if countingInput { countInput() }
        countBytes(bytes)
        var lines = Data()
        var aggregates: [FlowGroupAggregate] = []
        for (index, row) in rows.enumerated() {
            let made = FlowGroupRow.make(row)
            guard let group = made.row,
                let line = try? JSONSerialization.data(withJSONObject: group.logEntry, options: [.sortedKeys, .withoutEscapingSlashes])
            else {
                problem(InputProblem(
                    input: input, line: index + 1, byteOffset: nil,
                    reason: "query result row skipped: \(made.problem ?? "not a flow group")", category: "query result row that is no flow group"))
                // A blank line keeps the row numbers of the rest.
                lines.append(0x0A)
                continue
            }
            lines.append(line)
            lines.append(0x0A)
            aggregates.append(group.aggregate)
        }
        guard !aggregates.isEmpty else {
            noteWithoutEvidence(input, reason: "no flow group rows (the query found no firewall log entries)")
            return
        }
        let reader = InputReader(name: input, source: MemorySource([UInt8](lines)), format: .ndjson)
        let sink = FlowGroupRowSink(collector: self, aggregates: aggregates)
        do throws(TriageError) {
            try reader.run(into: sink)
        } catch {
            // Lines written just above: a failure here is a fault in triage, still said.
            problem(InputProblem(input: input, line: nil, byteOffset: nil, reason: error.description, category: "unreadable input"))
        }
    }
}
