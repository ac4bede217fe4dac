import Foundation

/// kubectl describe / get events / apply output, helm and kfctl errors, and single pasted lines.
/// Each recognised message occurrence becomes one `message` observation (an event seen 12 times
/// is one observation with `occurrences: 12`). Each described object is read into its messages
/// when it ends and only those (with its kind and name) are kept until the text ends, so Config
/// Connector references can be followed across every object in the paste while memory grows
/// with the evidence, not with the lines.
public final class KubectlTextParser: TextEvidenceParser {
    let input: String
    private var source = TextSource()
    private var observations: [Observation] = []
    private var described: [ConfigConnectorWalk.Described] = []
    private var describing: DescribeObject?
    /// A quote longer than this is cut (with an ellipsis): it is evidence, not the whole line.
    static let maximumQuote = 2 << 10
    private var eventsTable: (columns: ColumnLayout, header: Int)?

    public init(input: String) { self.input = input }

    public func line(_ raw: String, number: Int) {
        let text = TerminalEscapes.strip(raw)
        if eventsTable != nil {
            if takeEventsRow(text, number: number) { return }
            eventsTable = nil
        }
        if DescribeObject.startsObject(text) {
            endObject()
            let object = DescribeObject(firstLine: number)
            _ = object.take(text, number: number)
            describing = object
            return
        }
        if let object = describing {
            if object.take(text, number: number) { return }
            endObject()
        }
        if KubectlTextParser.isEventsHeader(text) {
            eventsTable = (ColumnLayout(header: text), number)
            return
        }
        freeLine(text, number: number)
    }

    /// Reads the object being described into its messages and lets its lines go; its kind, name
    /// and messages stay for the Config Connector walk.
    private func endObject() {
        guard let object = describing else { return }
        describing = nil
        described.append(ConfigConnectorWalk.Described(object: object, found: DescribeEvidence.messages(in: object)))
    }

    public func finish(into collector: EvidenceCollector) -> Int {
        endObject()
        ConfigConnectorWalk.resolve(&described)
        var all = observations
        for item in described {
            for found in item.found {
                all.append(observation(found.facts, line: found.line, source: "kubectl describe", quote: found.quote,
                                       time: found.time))
            }
        }
        // An error line beside a message triage explains is most often that failure's own header
        // (`Error: UPGRADE FAILED:`, `ERROR: (gcloud.…) Operation [`): the fallback is for text
        // in which nothing was explained.
        if all.contains(where: { $0.facts["message"] != UnexplainedError.messageClass }) {
            all.removeAll { $0.facts["message"] == UnexplainedError.messageClass }
        }
        all.sort { ($0.location?.line ?? 0) < ($1.location?.line ?? 0) }
        for observation in all { collector.add(observation) }
        observations = []
        described = []
        return all.count
    }

    // MARK: - Lines outside describe output

    private func freeLine(_ text: String, number: Int) {
        let trimmed = text.trimmingCharacters(in: [" ", "\t"])
        guard !trimmed.isEmpty, !source.notePrompt(trimmed) else { return }
        let recognised = MessageRecognizer.recognize(trimmed)
        guard !recognised.isEmpty else { return unexplained(trimmed, number: number) }
        let from = source.source(of: trimmed)
        for var facts in recognised {
            facts["occurrences"] = "1"
            observations.append(observation(facts, line: number, source: from, quote: trimmed,
                                            time: ErrorText.leadingTime(trimmed)))
        }
    }

    /// A line no recogniser knows: a relayed GKE operation failure, or an error line for the
    /// fallback rule; any other line is not evidence.
    private func unexplained(_ line: String, number: Int) {
        if let facts = UnexplainedError.operationFacts(line) {
            observations.append(Observation(
                kind: "operation", facts: facts, location: RecordLocation(input: input, line: number, byteOffset: 0),
                source: source.source(of: line), quote: TextLine.capped(line, limit: Self.maximumQuote),
                time: ErrorText.leadingTime(line)))
        } else if var facts = UnexplainedError.facts(line) {
            facts["occurrences"] = "1"
            observations.append(observation(facts, line: number, source: source.source(of: line), quote: line,
                                            time: ErrorText.leadingTime(line)))
        }
    }

    // MARK: - kubectl get events

    /// `LAST SEEN  TYPE  REASON  OBJECT  MESSAGE`, with `NAMESPACE` first under `-A`, and the
    /// `-o wide` and pre-1.14 layouts.
    static func isEventsHeader(_ text: String) -> Bool {
        guard text.hasPrefix("LAST SEEN") || text.hasPrefix("NAMESPACE") else { return false }
        return text.contains("REASON") && text.contains("MESSAGE") && text.contains("LAST SEEN")
    }

    private func takeEventsRow(_ text: String, number: Int) -> Bool {
        guard let table = eventsTable else { return false }
        if text.trimmingCharacters(in: [" "]).isEmpty { return false }
        guard let cells = table.columns.cells(text) else { return false }
        var named: [String: String] = [:]
        for (column, cell) in zip(table.columns.columns, cells) { named[column.name] = cell }
        guard let row = EventRow(cells: named) else { return false }
        for var facts in MessageRecognizer.recognize(row.message) {
            facts["occurrences"] = String(row.occurrences)
            if let reason = row.reason { facts["event.reason"] = reason }
            if let type = row.type { facts["event.type"] = type }
            if let kind = row.objectKind { facts["object.kind"] = kind }
            if let name = row.objectName { facts["object.name"] = name }
            if let namespace = row.namespace { facts["object.namespace"] = namespace }
            observations.append(observation(facts, line: number, source: "kubectl get events",
                                            quote: DescribeEvidence.collapse(text), time: nil))
        }
        return true
    }

    private func observation(_ facts: [String: String], line: Int, source: String, quote: String, time: Int64?)
        -> Observation
    {
        Observation(kind: "message", facts: facts, location: RecordLocation(input: input, line: line, byteOffset: 0),
                    source: source, quote: TextLine.capped(quote, limit: Self.maximumQuote), time: time)
    }
}
