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
    /// Messages outside described objects, and those inside them, each kept once per distinct
    /// message with a count (see `ObservationTally`).
    private var free = ObservationTally()
    private var described = ObservationTally()
    /// What the Config Connector walk needs of the objects described so far.
    private var walk = ConfigConnectorWalk.Index()
    /// Services described so far (their ports only), for webhook errors that name just the Service.
    private var services: [DescribedService] = []
    /// Nodes described whose conditions all hold.
    private var healthyNodes = 0
    static let healthyNodeSource = "kubectl describe node (conditions all hold)"
    /// A paste of more Services than this is a dump, not the webhook's own: the rest are not kept.
    static let maximumServices = 256
    /// Observations taken so far: with its line, this is each one's place in reading order.
    private var arrivals = 0
    private var describing: DescribeObject?
    /// A quote longer than this is cut (with an ellipsis): it is evidence, not the whole line.
    static let maximumQuote = 2 << 10
    private var eventsTable: (columns: ColumnLayout, header: Int)?

    /// The rules' data recognisers, tried after the Swift ones.
    let patterns: MessagePatterns

    public init(input: String, patterns: MessagePatterns = .current) {
        self.input = input
        self.patterns = patterns
    }

    /// gcloud's YAML folds a long quoted message over lines: they are read as one.
    private var continuation = QuotedContinuation(limit: InputReader.maximumTextLine)

    public func line(_ raw: String, number: Int) {
        for (text, number) in continuation.take(TerminalEscapes.strip(raw), number: number) { read(text, number: number) }
    }

    private func read(_ text: String, number: Int) {
        if unexplainedHead != nil {
            if eventsTable == nil, describing == nil, !DescribeObject.startsObject(text), !KubectlTextParser.isEventsHeader(text),
                take(text, number: number)
            {
                return
            }
            resolveHeldError()
        }
        if eventsTable != nil {
            if takeEventsRow(text, number: number) { return }
            eventsTable = nil
        }
        // `kubectl describe`'s Events section pasted alone reads as the events of an object unnamed.
        if DescribeObject.startsObject(text) || (describing == nil && text.hasPrefix("Events:") && TextLine.trimmingBlanks(text) == "Events:") {
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
        if services.count < Self.maximumServices, let service = DescribedService(object) { services.append(service) }
        let item = ConfigConnectorWalk.Described(object: object, found: DescribeEvidence.messages(in: object, patterns: patterns))
        walk.add(item)
        // A node whose conditions were read and all hold was read: it is evidence that says nothing wrong.
        if object.hasNodeConditions, item.found.isEmpty { healthyNodes = healthyNodes.saturatingAdding(1) }
        for found in item.found {
            var made = observation(found.facts, line: found.line, source: "kubectl describe", quote: found.quote,
                                   time: found.time, phase: 1)
            if let operation = Self.relayedOperation(found.facts, text: found.text, patterns: patterns) {
                made.facts = operation
                made.kind = "operation"
                free.add(made)
                continue
            }
            described.add(made)
            relay(found.text, besides: [found.facts], line: found.line, source: "kubectl describe", time: found.time, phase: 1)
        }
    }

    public func finish(into collector: EvidenceCollector) -> Int {
        for (text, number) in continuation.finish() { read(text, number: number) }
        resolveHeldError()
        endObject()
        // A waiting resource's message names its chain's root only now that every object is read;
        // identical messages wait on the same reference, so they resolve alike.
        var all = free.observations
        for var observation in described.observations {
            for (fact, value) in walk.rootFacts(for: observation.facts) ?? [:] { observation.facts[fact] = value }
            all.append(observation)
        }
        if !services.isEmpty {
            for index in all.indices { DescribedService.resolvePort(&all[index].facts, from: services) }
        }
        // An error line beside a message triage explains is most often that failure's own header
        // (`Error: UPGRADE FAILED:`, `ERROR: (gcloud.…) Operation [`): the fallback is for text
        // in which nothing was explained.
        if all.contains(where: { $0.facts["message"] != UnexplainedError.messageClass }) {
            all.removeAll { $0.facts["message"] == UnexplainedError.messageClass }
        }
        // A header that ends in a colon with nothing after it (terraform 0.11's `Error: Error
        // applying plan:`) beside errors that say more is their header, not an error of its own.
        // So is the exit a wrapper reports after the error it ran into (make's `*** [target] Error
        // 1`, the Actions runner's `Process completed with exit code 1.`, Cloud Build's `build step N
        // … failed: step exited with non-zero status: 1`): alone, it is still the error there is.
        func isBareHeader(_ observation: Observation) -> Bool {
            guard observation.facts["message"] == UnexplainedError.messageClass, let error = observation.facts["error"] else { return false }
            return error.hasSuffix(":") || UnexplainedError.isWrapperExit(error)
        }
        if all.contains(where: { $0.facts["message"] == UnexplainedError.messageClass && !isBareHeader($0) }) {
            all.removeAll(where: isBareHeader)
        }
        // In reading order: by line, messages outside objects before those inside, then arrival.
        all.sort { ($0.places.first?.order ?? .init()) < ($1.places.first?.order ?? .init()) }
        collector.add(all)
        if healthyNodes > 0 { collector.countConfig(Self.healthyNodeSource, healthyNodes) }
        let count = all.reduce(healthyNodes) { $0.saturatingAdding($1.multiplicity) }
        healthyNodes = 0
        free = ObservationTally()
        described = ObservationTally()
        walk = ConfigConnectorWalk.Index()
        services = []
        return count
    }

    // MARK: - Lines outside describe output

    private func freeLine(_ text: String, number: Int, holding: Bool = true) {
        let trimmed = TextLine.trimmingBlanks(text)
        guard !trimmed.isEmpty, !source.notePrompt(trimmed) else { return }
        let recognised = MessageRecognizer.recognize(trimmed, patterns: patterns)
        // A message that ends in a colon without saying how it failed: the rest may be below it.
        if holding, !replaying, trimmed.hasSuffix(":") {
            if recognised.isEmpty, UnexplainedError.operationFacts(trimmed, patterns: patterns) == nil,
                UnexplainedError.isErrorLine(trimmed)
            {
                unexplainedHead = HeldError(text: trimmed, line: number, recognised: false)
                return
            }
            if !recognised.isEmpty, !Self.saysHowItFailed(recognised) {
                unexplainedHead = HeldError(text: trimmed, line: number, recognised: true)
                return
            }
        }
        // A long error line that a terminal or a CI log cut at a fixed width (prow's, in
        // kubeflow/testing#476): the lines after it of the same width, and the shorter one that
        // ends it, may be its rest, joined as they were cut.
        if holding, !replaying, recognised.isEmpty, text.utf8.count >= Self.minimumWrapWidth,
            UnexplainedError.operationFacts(trimmed, patterns: patterns) == nil, UnexplainedError.isErrorLine(trimmed)
        {
            unexplainedHead = HeldError(text: trimmed, line: number, recognised: false, wrapWidth: text.utf8.count)
            return
        }
        guard !recognised.isEmpty else { return quotedWithHead ? () : unexplained(trimmed, number: number) }
        let from = source.source(of: trimmed)
        for var facts in recognised {
            facts["occurrences"] = "1"
            free.add(observation(facts, line: number, source: from, quote: trimmed, time: ErrorText.leadingTime(trimmed)))
        }
        relay(trimmed, besides: recognised, line: number, source: from, time: ErrorText.leadingTime(trimmed))
    }

    // MARK: - An error whose cause is on the lines below it

    /// An error line that ends with a colon and that nothing explains, with the lines after it
    /// held so far: its cause is often below it, wrapped by hand or printed on the next line
    /// (`Error: Error waiting for creating GKE cluster: Retry budget exhausted (80 attempts):` /
    /// `Secondary range "…" does not exist in network …`, terraform-google-kubernetes-engine#681).
    private struct HeldError {
        var text: String
        var line: Int
        var lines: [(String, Int)] = []
        /// How many of the held lines the longest join that something explains takes.
        var explained: Int?
        /// The error line alone is a message a recogniser knows, only not how it failed.
        var recognised: Bool
        /// The width the line was cut at, when it may have been cut (`minimumWrapWidth` or more).
        var wrapWidth: Int? = nil
    }
    /// Narrower lines are not taken for cut ones: terminals and CI consoles cut at 80 and wider.
    static let minimumWrapWidth = 80
    /// Lines joined to a cut line at most.
    static let maximumWrappedLines = 8
    private var unexplainedHead: HeldError?
    /// Lines joined to such an error at most; a blank line ends it sooner.
    static let maximumFollowingLines = 3

    /// Holds `text` after the held error when it can go on it; false (and nothing held) when it
    /// cannot. The join is read once it can take no more lines: a message broken over four lines
    /// (kubeflow/katib#1160) is read whole, its last line's `connect failed (Connection refused)` too.
    private func take(_ text: String, number: Int) -> Bool {
        guard var held = unexplainedHead else { return false }
        if let width = held.wrapWidth { return takeCut(text, number: number, width: width, held: &held) }
        let trimmed = TextLine.trimmingBlanks(text)
        // A line shaped as an error of its own starts a new one; after a message that knows no
        // failure yet, the line that says how it failed is shaped so (`connect failed (Connection refused)`).
        guard !trimmed.isEmpty,
            held.recognised || !UnexplainedError.isErrorLine(trimmed) || held.lines.isEmpty && !trimmed.hasPrefix("Error")
        else {
            return false
        }
        let lines = held.lines + [(text, number)]
        let joined = Self.join(held.text, lines)
        guard joined.utf8.count <= InputReader.maximumTextLine else { return false }
        let recognised = MessageRecognizer.recognize(joined, patterns: patterns)
        // Whole: a message that says how it failed, or a GKE failure's cause. A message that does
        // not say yet is taken as far as it goes, and lines are joined on while one may say it.
        let whole = Self.saysHowItFailed(recognised)
            || !held.recognised && recognised.isEmpty && UnexplainedError.operationFacts(joined, patterns: patterns) != nil
        let partly = !whole && !held.recognised && !recognised.isEmpty
        held.lines = lines
        if whole || partly { held.explained = lines.count }
        held.recognised = held.recognised || partly
        unexplainedHead = held
        if whole || lines.count >= Self.maximumFollowingLines { resolveHeldError() }
        return true
    }

    /// `take` for a line that may have been cut at `width`: a piece as wide follows on, a narrower
    /// one ends it; the pieces join with nothing between them, as they were cut. Read once a join
    /// explains it or the pieces end; nothing explained, every line is read as its own.
    private func takeCut(_ text: String, number: Int, width: Int, held: inout HeldError) -> Bool {
        let length = text.utf8.count
        guard length > 0, length <= width, held.lines.last.map({ $0.0.utf8.count == width }) ?? true else { return false }
        let lines = held.lines + [(text, number)]
        let joined = Self.joined(held, lines)
        guard joined.utf8.count <= InputReader.maximumTextLine else { return false }
        held.lines = lines
        let recognised = MessageRecognizer.recognize(joined, patterns: patterns)
        let explained = Self.saysHowItFailed(recognised) || UnexplainedError.operationFacts(joined, patterns: patterns) != nil
        if explained || !recognised.isEmpty { held.explained = lines.count }
        unexplainedHead = held
        if explained || length < width || lines.count >= Self.maximumWrappedLines { resolveHeldError() }
        return true
    }

    /// Whether a recognised message knows how the call failed (a timeout, a refusal, …).
    private static func saysHowItFailed(_ recognised: [[String: String]]) -> Bool {
        recognised.contains { ($0["failure"] ?? "unknown") != "unknown" }
    }

    private static func join(_ head: String, _ lines: some Collection<(String, Int)>) -> String {
        ([head] + lines.map { TextLine.trimmingBlanks($0.0) }).joined(separator: " ")
    }

    /// The held error with `lines`: a line cut at a fixed width joins its pieces as they were cut,
    /// any other with a space between trimmed lines.
    private static func joined(_ held: HeldError, _ lines: some Collection<(String, Int)>) -> String {
        held.wrapWidth == nil ? join(held.text, lines) : held.text + lines.map(\.0).joined()
    }

    /// Reads a held error: with the lines the longest explained join took, as one line at the
    /// error's own line; the rest (all of them when nothing explained a join) as they were.
    private func resolveHeldError() {
        guard let held = unexplainedHead else { return }
        unexplainedHead = nil
        let taken = held.explained ?? 0
        if taken > 0 {
            freeLine(Self.joined(held, held.lines.prefix(taken)), number: held.line, holding: false)
        } else if held.recognised {
            freeLine(held.text, number: held.line, holding: false)
        } else if held.wrapWidth == nil, !held.lines.isEmpty {
            // Nothing explains it: the error is quoted with the lines that say what it was
            // (`Error: INSTALLATION FAILED: 1 error occurred:` / `* admission webhook … denied the
            // request …`), not as its bare header; those lines are not quoted again on their own.
            unexplained(Self.join(held.text, held.lines), number: held.line)
            quotedWithHead = true
        } else {
            unexplained(held.text, number: held.line)
        }
        // Read as lines of their own: none of them starts another hold, so they stay in order.
        replaying = true
        for (text, number) in held.lines.dropFirst(taken) { read(text, number: number) }
        replaying = false
        quotedWithHead = false
    }
    private var replaying = false
    private var quotedWithHead = false

    /// A recognised message that wraps a GKE failure a rule explains is that operation too,
    /// unless its recogniser already named that cause (`legacy-network` is a message class too).
    private func relay(_ text: String, besides recognised: [[String: String]], line: Int, source: String, time: Int64?, phase: Int = 0) {
        guard let facts = UnexplainedError.explainedRelay(text, patterns: patterns), let cause = facts["cause"],
            !recognised.contains(where: { $0["cause"] == cause || $0["message"] == cause })
        else { return }
        var relayed = observation(facts, line: line, source: source, quote: text, time: time, phase: phase)
        relayed.kind = "operation"
        if phase == 0 { free.add(relayed) } else { described.add(relayed) }
    }

    /// A line no recogniser knows: a relayed GKE operation failure, or an error line for the
    /// fallback rule; any other line is not evidence.
    private func unexplained(_ line: String, number: Int) {
        // A client that stopped waiting first: terraform words it as an error of waiting, which
        // the failed-operation reader would take for GKE's own failure.
        if let facts = ClientWaitTimeout.facts(line) ?? UnexplainedError.operationFacts(line) ?? UnexplainedError.relayedFailedOperation(line) {
            // Placed in reading order like every other observation; operations are never tallied.
            var relayed = observation(facts, line: number, source: source.source(of: line), quote: line,
                                      time: ErrorText.leadingTime(line))
            relayed.kind = "operation"
            free.add(relayed)
        } else if let pool = ClusterState.nodePool(inText: line) {
            // Terraform's word on a pool it found failed, with no cause triage knows.
            var state = observation(pool, line: number, source: source.source(of: line), quote: line, time: ErrorText.leadingTime(line))
            state.kind = "cluster"
            free.add(state)
        } else if var facts = UnexplainedError.facts(line) {
            facts["occurrences"] = "1"
            free.add(observation(facts, line: number, source: source.source(of: line), quote: line,
                                 time: ErrorText.leadingTime(line)))
        }
    }

    // MARK: - kubectl get events

    /// `LAST SEEN  TYPE  REASON  OBJECT  MESSAGE`, with `NAMESPACE` first under `-A`, and the
    /// `-o wide` and pre-1.14 layouts.
    static func isEventsHeader(_ text: String) -> Bool {
        guard text.hasPrefix("LAST SEEN") || text.hasPrefix("NAMESPACE") else { return false }
        return text.includes("REASON") && text.includes("MESSAGE") && text.includes("LAST SEEN")
    }

    private func takeEventsRow(_ text: String, number: Int) -> Bool {
        guard let table = eventsTable else { return false }
        if text.trimmingCharacters(in: [" "]).isEmpty { return false }
        guard let cells = table.columns.cells(text) else { return false }
        var named: [String: String] = [:]
        for (column, cell) in zip(table.columns.columns, cells) { named[column.name] = cell }
        guard let row = EventRow(cells: named) else { return false }
        var recognised = MessageRecognizer.recognize(row.message, patterns: patterns)
        if recognised.isEmpty, let unknown = UnexplainedError.warningEvent(row) {
            if let operation = Self.relayedOperation(unknown, text: row.message, patterns: patterns) {
                var made = observation(operation, line: number, source: "kubectl get events", quote: DescribeEvidence.collapse(text), time: nil)
                made.kind = "operation"
                free.add(made)
                return true
            }
            recognised = [unknown]
        }
        for var facts in recognised {
            facts["occurrences"] = String(row.occurrences)
            if let reason = row.reason { facts["event.reason"] = reason }
            if let type = row.type { facts["event.type"] = type }
            if let kind = row.objectKind { facts["object.kind"] = kind }
            if let name = row.objectName { facts["object.name"] = name }
            if let namespace = row.namespace { facts["object.namespace"] = namespace }
            free.add(observation(facts, line: number, source: "kubectl get events", quote: DescribeEvidence.collapse(text),
                                 time: nil))
        }
        return true
    }

    /// The GKE failure an unknown Warning event relays (a cluster autoscaler's `Node scale up in
    /// zones … failed: GCE quota exceeded`), as operation facts, or nil.
    private static func relayedOperation(_ facts: [String: String], text: String, patterns: MessagePatterns) -> [String: String]? {
        guard facts["message"] == UnexplainedError.messageClass else { return nil }
        return UnexplainedError.operationFacts(text, patterns: patterns)
    }

    /// `phase`: 0 outside described objects, 1 inside, which is how the two sort on one line.
    private func observation(_ facts: [String: String], line: Int, source: String, quote: String, time: Int64?, phase: Int = 0)
        -> Observation
    {
        var observation = Observation(
            kind: "message", facts: facts, location: RecordLocation(input: input, line: line, byteOffset: 0),
            source: source, quote: TextLine.capped(quote, limit: Self.maximumQuote), time: time)
        observation.places = [Observation.Place(
            order: Observation.ReadingOrder(line: line, phase: phase, index: arrivals), location: observation.location!,
            quote: observation.quote, time: time)]
        arrivals += 1
        return observation
    }
}
