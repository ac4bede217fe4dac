import Foundation
import Yams

/// The boundary between readers and analysis: takes every framed record, decides what kind of
/// evidence it is, and keeps it in the form the engine needs (flow groups, cluster facts), while
/// keeping the run's account. New evidence kinds add a branch here, not a new reader.
public final class EvidenceCollector: RecordSink {
    public private(set) var account = RunAccount()
    public private(set) var clusters: [ClusterInfo] = []
    /// Evidence other than firewall log records, in the order it was read; identical messages
    /// are one observation with a count (see `ObservationTally`).
    public var observations: [Observation] { tally.observations }
    private var tally = ObservationTally()
    /// How many observations were read, each copy counted.
    public var observationCount: Int { tally.total }
    /// Sets of observations handed over so far (see `Observation.ReadingOrder`).
    private var batches = 0
    /// Network config found among the inputs.
    public var config = ConfigSnapshot()
    private var textInputs: [String: TextDispatcher] = [:]
    private let flows: FlowTable
    /// Called with each problem as it happens (the CLI prints them to stderr).
    public var onProblem: ((InputProblem) -> Void)?
    private var problemsPerInput: [String: Int] = [:]

    /// `topology` is what is known before reading: addresses in its stable ranges are counted
    /// per range rather than per address, which keeps memory flat. Past `maximumFlowGroups`
    /// distinct flows, flows are counted per address class of their far end (see
    /// `AddressClasses`), up to `maximumFoldedGroups` groups.
    public init(
        topology: Topology? = nil, maximumFlowGroups: Int = EvidenceCollector.exactFlowGroups,
        maximumFoldedGroups: Int = EvidenceCollector.foldedFlowGroups, patterns: MessagePatterns = .current
    ) {
        self.topology = topology
        self.patterns = patterns
        flows = FlowTable(capacity: maximumFlowGroups, foldedCapacity: maximumFoldedGroups, topology: topology)
    }

    /// Distinct flows kept exactly (each address its own group) before the table folds:
    /// measured to keep a 1 GB high-cardinality export's read within its memory goal.
    public static let exactFlowGroups = 25_000
    /// Groups a folded table keeps before records are skipped.
    public static let foldedFlowGroups = 200_000

    /// A collector for another part of the same input, bounded as this one is.
    func sibling() -> EvidenceCollector {
        EvidenceCollector(topology: topology, maximumFlowGroups: flows.capacity, maximumFoldedGroups: flows.foldedCapacity, patterns: patterns)
    }

    let topology: Topology?
    /// The message recognisers written in the rules (the built-in ones, or with `--rules` those too).
    public let patterns: MessagePatterns

    /// The flow groups, decoded (for tests and small inputs; the engine walks them one by one).
    public func flowGroups() -> [FlowGroup] {
        var all: [FlowGroup] = []
        forEachFlowGroup { all.append($0) }
        return all
    }

    /// Each flow group, decoded one at a time, in the order the groups were first seen.
    /// Groups whose logged disposition `disposition` turns down are passed over undecoded.
    /// With the run's whole `topology`, groups folded past the exact bound whose class it
    /// reaches into are set aside first, their records counted as skipped (see `FlowTable.setAside`).
    public func forEachFlowGroup(
        disposition keep: (String?) -> Bool = { _ in true }, topology: Topology? = nil, _ body: (FlowGroup) -> Void
    ) {
        if let topology {
            let aside = flows.setAside(for: topology)
            if aside.denied + aside.allowed > 0 {
                account.deniedRecords -= aside.denied
                account.allowedRecords -= aside.allowed
                account.skipped[Self.learnedTooLate, default: 0] += aside.denied + aside.allowed
            }
        }
        flows.forEachGroup(disposition: keep, body)
    }

    /// Adds a flow group counted elsewhere (issue 17: a SQL engine's aggregation row): `record`
    /// is its first firewall record, `count` the records it stands for, with their time span and
    /// further addresses at each end (see `FlowTable.addGroup`). Counted in the account as that
    /// many firewall records; checked and reported as one record would be.
    public func addFlowGroup(
        _ record: RecordFields, count: Int, firstSeen: Int64?, lastSeen: Int64?, sources: [IPAddress] = [],
        destinations: [IPAddress] = [], locate: () -> RecordLocation
    ) {
        let added = flows.addGroup(
            record, count: count, firstSeen: firstSeen, lastSeen: lastSeen, sources: sources, destinations: destinations,
            locate: locate)
        account.records += 1
        countFlow(added, record: record, records: max(count, 1), locate: locate)
    }

    /// The skip reason for folded records whose address class a role learned later reaches.
    static let learnedTooLate =
        "counted per address class past the exact flow bound, then a range or VM address learned later in the input fell in the class (give the ranges with --cluster or the CIDR flags)"

    /// Each flow group's first connection (source, destination, port), without decoding it.
    func forEachConnection(_ body: (IPAddress, IPAddress, Int?) -> Void) {
        flows.forEachConnection(body)
    }

    /// For role inference: VM-side addresses with their VM names.
    func forEachObservedVM(_ body: (IPAddress, String) -> Void) {
        flows.forEachObservedVM(body)
    }

    /// For role inference: each firewall rule seen, with where it was first named.
    func forEachRule(_ body: (FirewallEvent.RuleDetails, RecordLocation?) -> Void) {
        flows.forEachRule(body)
    }

    /// Takes over what another collector read. `lineOffset` and `byteOffset` turn its locations,
    /// which count from the start of its part of a file, into whole-file ones.
    func absorb(_ other: EvidenceCollector, lineOffset: Int, byteOffset: Int64) {
        clusters += other.clusters
        // The second half's network config (a large listing read in halves) joins the first's.
        config.absorb(other.config, lineOffset: lineOffset)
        for var observation in other.observations {
            observation.location?.line += lineOffset
            for index in observation.places.indices {
                observation.places[index].location.line += lineOffset
                observation.places[index].order.batch += batches
            }
            tally.add(observation)
        }
        batches += other.batches
        let o = other.account
        account.bytes += o.bytes
        account.records += o.records
        account.firewallRecords += o.firewallRecords
        account.deniedRecords += o.deniedRecords
        account.allowedRecords += o.allowedRecords
        account.clusterDescriptions += o.clusterDescriptions
        account.unrecognisedRecords += o.unrecognisedRecords
        account.evidence.merge(o.evidence, uniquingKeysWith: +)
        account.textLines += o.textLines
        account.otherLogEntries.merge(o.otherLogEntries, uniquingKeysWith: +)
        account.skipped.merge(o.skipped, uniquingKeysWith: +)
        account.invalidValues.merge(o.invalidValues, uniquingKeysWith: +)
        // A value reported once per distinct value by both (two halves of a file) counts once.
        for (reason, category) in other.perValueReports {
            guard perValueReports[reason] != nil else {
                perValueReports[reason] = category
                continue
            }
            duplicateReports.insert(reason)
            account.invalidValues[category, default: 1] -= 1
            if account.invalidValues[category] == 0 { account.invalidValues[category] = nil }
        }
        account.inputErrors += o.inputErrors
        account.inputsWithoutEvidence += o.inputsWithoutEvidence
        let merged = flows.merge(other.flows, lineOffset: lineOffset, byteOffset: byteOffset)
        deniedFlowGroupsSeen += merged.newDeniedGroups
        // Records whose group found no room here are skipped, as they would have been when read.
        let dropped = merged.droppedDenied + merged.droppedAllowed
        if dropped > 0 {
            account.deniedRecords -= merged.droppedDenied
            account.allowedRecords -= merged.droppedAllowed
            account.skipped[flowTableFull, default: 0] += dropped
        }
    }

    /// Distinct denied flows seen so far (a flow table group each): a cheap running count for
    /// progress while reading, before any rule has run.
    public private(set) var deniedFlowGroupsSeen = 0

    /// Reads one input into the collector; an input-stopping error is recorded and returned.
    /// `countingErrors: false` leaves the error out of the account, for a caller that may yet
    /// get the rest of the input another way (a live page asked for again after a cut).
    /// `countingInput: false` reads more of an input already counted (a later look of `--follow --live`).
    @discardableResult
    public func read(_ reader: InputReader, countingErrors: Bool = true, countingInput: Bool = true) -> TriageError? {
        if countingInput { account.inputs += 1 }
        let before = account
        defer {
            account.bytes += reader.bytesRead
            noteIfWithoutEvidence(reader, before: before)
        }
        do throws(TriageError) {
            // withValue rethrows untyped: the reader's typed error is carried out as a value.
            let failure: TriageError? = MessagePatterns.$current.withValue(patterns) {
                do throws(TriageError) {
                    try reader.run(into: self)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
            if reader.format == .text, let firstLine = textWithoutEvidence.removeValue(forKey: reader.name) {
                // Text that held nothing triage knows is an input it could not use.
                throw TriageError.unknownFormat(input: reader.name, firstBytes: TerminalText.sanitize(String(firstLine.prefix(40))))
            }
            return nil
        } catch {
            guard countingErrors else { return error }
            account.inputErrors.append(error.description)
            account.skipped[category(of: error), default: 0] += 1
            return error
        }
    }

    /// Remembers why an input gave no evidence, for a run that ends up with none at all.
    private func noteIfWithoutEvidence(_ reader: InputReader, before: RunAccount) {
        // Evidence passed over for the time window was read all the same: the input is not empty.
        let windowed = account.skipped[Self.outsideWindow, default: 0] > before.skipped[Self.outsideWindow, default: 0]
        guard account.evidenceRead == before.evidenceRead, !windowed else { return }
        let records = account.records - before.records
        let skipped = account.skipped.compactMap { reason, count -> String? in
            let added = count - before.skipped[reason, default: 0]
            return added > 0 ? "\(reason): \(added)" : nil
        }.sorted()
        let reason: String
        if account.inputErrors.count > before.inputErrors.count, let error = account.inputErrors.last {
            reason = "not read in full: \(error)"
        } else if reader.bytesRead == 0 {
            reason = "empty"
        } else if records == 0 && skipped.isEmpty {
            reason = reader.format == nil ? "only blank lines" : "nothing recognised in it"
        } else if !skipped.isEmpty {
            let kept = records == 0 ? "every record was skipped" : "\(records) record\(records == 1 ? "" : "s") without evidence, the rest skipped"
            reason = "\(kept) (\(skipped.joined(separator: ", ")))"
        } else {
            reason = "\(records) record\(records == 1 ? "" : "s"), none of them evidence (other logs or unrecognised)"
        }
        account.inputsWithoutEvidence.append(InputWithoutEvidence(input: reader.name, reason: reason))
    }

    /// Ends reading. A run in which nothing read was evidence cannot say "no problems": each
    /// input is named in the account's errors with why it gave none, and those lines are
    /// returned (empty when there was evidence).
    public func finishReading() -> [String] {
        guard account.evidenceRead == 0 else { return [] }
        var named = Set<String>()
        var lines: [String] = []
        for input in account.inputsWithoutEvidence where named.insert(input.input).inserted {
            lines.append("\(input.input): no evidence read: \(input.reason)")
        }
        if lines.isEmpty { lines.append("no evidence read: no input was given") }
        account.inputErrors += lines
        return lines
    }

    /// A file read in halves counts as one input.
    func countInput() { account.inputs += 1 }

    /// A query's result is one input however many pages it came in; one that returned no rows
    /// is named among the inputs without evidence, so the run says what was asked and found nothing.
    func countQueryResult(input: String, rows: Int) {
        countInput()
        if rows == 0 {
            account.inputsWithoutEvidence.append(
                InputWithoutEvidence(input: input, reason: "the query returned no rows (no firewall log entries in the table for the window)"))
        }
    }

    /// An input that could not even be opened still shows in the account.
    /// `input` names it among the inputs without evidence (live sources are named by their error).
    func countUnreadable(_ error: TriageError, input: String? = nil) {
        account.inputs += 1
        account.inputErrors.append(error.description)
        account.skipped[category(of: error), default: 0] += 1
        account.inputsWithoutEvidence.append(InputWithoutEvidence(input: input ?? "live", reason: error.sentence))
    }

    private func category(of error: TriageError) -> String {
        switch error {
        case .truncatedGzip: return "truncated gzip"
        case .corruptGzip: return "corrupt gzip"
        case .unknownFormat: return "unrecognised input format"
        case .recordTooLarge: return "record too large"
        case .cannotOpen(_, let reason): return "input not readable (\(reason))"
        case .noData: return "live source without data"
        default: return "unreadable input"
        }
    }

    public func consume(_ record: RecordFields, format: InputFormat, locate: () -> RecordLocation) {
        account.records += 1
        if record.has(.logName) {
            if record.hasSuffix(.logName, "compute.googleapis.com%2Ffirewall")
                || record.hasSuffix(.logName, "compute.googleapis.com/firewall")
            {
                addFirewall(record, locate: locate)
            } else {
                let name = record.string(.logName) ?? ""
                let logID = name.split(separator: "/").last.map { $0.removingPercentEncoding ?? String($0) } ?? name
                if account.otherLogEntries.count < 100 || account.otherLogEntries[logID] != nil {
                    account.otherLogEntries[logID, default: 0] += 1
                } else {
                    account.otherLogEntries["(other logs)", default: 0] += 1
                }
                addLogEntry(record, logID: logID, format: format, locate: locate)
            }
            return
        }
        if record.has(.srcIP) && record.has(.disposition) {
            // Exports that dropped the envelope (BigQuery, jq) still carry the payload.
            addFirewall(record, locate: locate)
            return
        }
        addDocument(record, format: format, locate: locate)
    }

    /// A LogEntry that is not a firewall record, read for the messages it carries. Only these
    /// entries are decoded whole; firewall records keep the field scanner's fast path.
    private func addLogEntry(_ record: RecordFields, logID: String, format: InputFormat, locate: () -> RecordLocation) {
        let bytes = record.recordBytes
        let decoded: Any? = format == .yaml
            ? (try? YAMLDocument.load(String(decoding: bytes, as: UTF8.self))) ?? nil
            : try? JSONSerialization.jsonObject(with: Data(bytes))
        guard let entry = decoded as? [String: Any] else { return }
        for observation in LogEntryMessages.observations(entry, logID: logID, location: locate(), patterns: patterns) { add(observation) }
    }

    /// A record that is not a LogEntry: a cluster description, a GKE operation, network config,
    /// or (failing those) a document whose text may still hold a recognisable error message.
    /// Such inputs are small, so they are decoded whole.
    private func addDocument(_ record: RecordFields, format: InputFormat, locate: () -> RecordLocation) {
        let place = locate()
        let bytes = record.recordBytes
        var decoded: Any?
        if format == .yaml {
            do {
                decoded = try YAMLDocument.load(bytes)
            } catch {
                // Only what is not read at all counts as skipped; a large document is still searched.
                problem(
                    InputProblem(
                        input: place.input, line: place.line + error.line - 1, byteOffset: nil, reason: error.reason,
                        category: error.category),
                    counted: !error.searchAsText)
                // An alias bomb or a nesting too deep is neither decoded nor searched as text; a
                // document too large to decode is still searched, a line at a time, below.
                guard error.searchAsText else { return }
            }
        } else if let line = JSONNesting.lineTooDeep(bytes) {
            problem(InputProblem(
                input: place.input, line: place.line + line - 1, byteOffset: nil,
                reason: "JSON nested more than \(YAMLDocument.maximumDepth) levels deep; refused", category: "JSON nested too deep"))
            return
        } else {
            decoded = try? JSONSerialization.jsonObject(with: Data(bytes))
        }
        if let document = decoded as? [String: Any] {
            if addDocument(document, location: place) { return }
        } else if record.has(.clusterMarker) {
            problem(InputProblem(
                input: place.input, line: place.line, byteOffset: nil,
                reason: "looks like a cluster description but could not be decoded", category: "bad cluster description"))
            return
        }
        // A Google API's error body (google.rpc.Status as JSON: `{"error": {"code", "message",
        // "details": [ErrorInfo …]}}`) is one error: read as one line, with the service and reason
        // its ErrorInfo names, which the message itself does not (a VPC-SC denial names no API).
        if let document = decoded, let line = Self.googleAPIError(document) {
            let text = TextDispatcher(input: place.input)
            text.line(line, number: place.line, collector: self)
            if text.finish(into: self) > 0 { return }
        }
        // Last chance: error text inside an unknown document (a Config Connector resource's
        // status, a kubectl -o yaml dump) or in text that only looked like YAML (helm's
        // `Error: INSTALLATION FAILED: …` is a YAML key) is read like any pasted text.
        // A message YAML folds over several lines (`message: >-`) or JSON escapes is read once, as
        // the one line it is, at the line it starts on; its pieces are not read again on their own.
        var folded: [(text: String, key: String, line: Int?)] = []
        if let document = decoded {
            let raw = String(decoding: bytes, as: UTF8.self)
            folded = Self.messages(in: document).filter { !raw.contains($0) }.map { ($0, Self.comparable($0), nil) }
        }
        let foldedKeys = folded.map(\.key)
        let text = TextDispatcher(input: place.input)
        var number = place.line
        if var cursor = bytes.baseAddress {
            let end = cursor + bytes.count
            while cursor <= end {
                let lineEnd = memchr(cursor, 0x0A, end - cursor).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
                // A line is read cut at the text readers' bound, however long the value in it.
                let cut = TextLine.cut(cursor, count: lineEnd - cursor, limit: InputReader.maximumTextLine)
                let line = TextLine.decode(cursor, count: cut)
                if !foldedKeys.isEmpty, let piece = Self.foldedPiece(line, of: foldedKeys) {
                    folded[piece].line = folded[piece].line ?? number
                } else {
                    text.line(line, number: number, collector: self)
                }
                number += 1
                cursor = lineEnd + 1
            }
        }
        var recognised = text.finish(into: self)
        if !folded.isEmpty {
            let whole = TextDispatcher(input: place.input)
            for message in folded { whole.line(message.text, number: message.line ?? place.line, collector: self) }
            recognised += whole.finish(into: self)
        }
        if recognised == 0 { account.unrecognisedRecords += 1 }
    }

    /// Which folded message `line` is a piece of (its value, without the key, quotes and YAML's
    /// or JSON's escapes), or nil; pieces shorter than 20 characters are too common to tell.
    static func foldedPiece(_ line: String, of keys: [String]) -> Int? {
        var value = Substring(TextLine.trimmingBlanks(line))
        if value.hasPrefix("- ") { value = value.dropFirst(2) }
        for key in ["\"message\": ", "message: ", "\"statusMessage\": ", "statusMessage: ", "\"detail\": ", "detail: "]
        where value.hasPrefix(key) {
            value = value.dropFirst(key.count)
        }
        let piece = comparable(String(value))
        guard piece.utf8.count >= 20 else { return nil }
        return keys.firstIndex { $0.contains(piece) }
    }

    /// Text reduced for comparing a folded scalar with its pieces: escapes, quotes, block
    /// indicators and blanks removed.
    static func comparable(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var escaped = false
        for scalar in text.unicodeScalars {
            if escaped {
                escaped = false
                if scalar == "n" || scalar == "t" || scalar == "\\" || scalar == "\"" || scalar == " " { continue }
            }
            if scalar == "\\" { escaped = true; continue }
            if scalar == "\"" || scalar == "'" || scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { continue }
            out.append(scalar)
        }
        var result = String(out)
        if result == ">-" || result == ">" || result == "|" || result == "|-" { result = "" }
        return result
    }

    /// A Google API error body as the one line a client prints for it: `googleapi: Error 403:
    /// MESSAGE, STATUS (reason R, service S)`; nil for any other document.
    static func googleAPIError(_ document: Any) -> String? {
        guard let error = (document as? [String: Any])?["error"] as? [String: Any],
            let message = error["message"] as? String, !message.isEmpty
        else { return nil }
        var line = "googleapi: Error \(error["code"].map { "\($0)" } ?? "?"): "
            + message.split(whereSeparator: \.isNewline).joined(separator: " ")
        if let status = error["status"] as? String { line += ", \(status)" }
        var about: [String] = []
        for detail in error["details"] as? [[String: Any]] ?? [] where (detail["@type"] as? String)?.hasSuffix("google.rpc.ErrorInfo") == true {
            if let reason = detail["reason"] as? String { about.append("reason \(reason)") }
            let metadata = detail["metadata"] as? [String: Any]
            if let service = metadata?["service"] as? String { about.append("service \(service)") }
            if let consumer = metadata?["consumer"] as? String { about.append("consumer \(consumer)") }
        }
        if !about.isEmpty { line += " (" + about.joined(separator: ", ") + ")" }
        return line
    }

    /// The `message`, `statusMessage` and `detail` strings anywhere in a decoded document
    /// (conditions, events, errors), flattened to one line each; at most 1,000.
    static func messages(in document: Any) -> [String] {
        var found: [String] = []
        func walk(_ value: Any) {
            guard found.count < 1_000 else { return }
            if let map = value as? [String: Any] {
                for (key, child) in map {
                    if ["message", "statusMessage", "detail"].contains(key), let text = child as? String {
                        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
                        if !line.isEmpty { found.append(line) }
                    } else {
                        walk(child)
                    }
                }
            } else if let list = value as? [Any] {
                for child in list { walk(child) }
            }
        }
        walk(document)
        return found
    }

    /// Takes a decoded document; false when it is none of the kinds triage reads.
    @discardableResult
    public func addDocument(_ document: [String: Any], location place: RecordLocation) -> Bool {
        if let list = document["clusters"] as? [[String: Any]], document.count <= 2 {
            for cluster in list { addDocument(cluster, location: place) }
            return true
        }
        if ClusterInfo.looksLikeCluster(document) {
            do {
                let cluster = try ClusterInfo(dictionary: document, source: place.description)
                for value in cluster.rejected {
                    invalidValue(value, at: place, in: "cluster \(cluster.name)", instead: Self.instead(of: value, cluster))
                }
                account.clusterDescriptions += 1
                clusters.append(cluster)
                for observation in ClusterState.observations(from: document, location: place) { add(observation) }
            } catch {
                problem(InputProblem(
                    input: place.input, line: place.line, byteOffset: nil, reason: error.sentence,
                    category: "bad cluster description"))
            }
            return true
        }
        if ClusterState.isUnnamedClusterTail(document) {
            for observation in ClusterState.observations(fromClusterTail: document, location: place) { add(observation) }
            return true
        }
        if ClusterState.looksLikeNodePool(document) {
            let observations = ClusterState.observations(fromNodePool: document, location: place)
            for observation in observations { add(observation) }
            // A running pool is read, and says nothing wrong: it still counts as read evidence.
            if observations.isEmpty { countConfig(ClusterState.nodePoolSource, 1) }
            return true
        }
        var rejected: [RejectedValue] = []
        if let operations = GKEOperations.observations(from: document, location: place, rejected: &rejected) {
            for value in rejected { invalidValue(value, at: place, in: "GKE operation") }
            for observation in operations { add(observation) }
            return true
        }
        let added = config.read(document: document, location: place)
        reportConfigRejections(at: place)
        guard let added else { return false }
        countConfig(added.source, added.count)
        return true
    }

    /// For a rejected control-plane range: what triage does instead, and the command that shows
    /// the real range (its values were checked when the description was read).
    private static func instead(of value: RejectedValue, _ cluster: ClusterInfo) -> String? {
        guard value.field == ClusterInfo.masterRangeField else { return nil }
        let location = cluster.location.map { " --location=\($0)" } ?? ""
        let project = cluster.project.map { " --project=\($0)" } ?? ""
        return "not used: the control-plane range is left unknown, not narrowed to the private endpoint; "
            + "gcloud container clusters describe \(cluster.name)\(location)\(project) "
            + "--format='value(privateClusterConfig.masterIpv4CidrBlock)' shows it"
    }

    /// Reports the values config readers rejected: a resource left out is a skip, a value left
    /// out of a resource still used is an invalid value.
    private func reportConfigRejections(at place: RecordLocation) {
        for rejection in config.takeRejections() {
            let at = rejection.location ?? place
            if rejection.skippedResource {
                problem(InputProblem(
                    input: at.input, line: at.line, byteOffset: nil,
                    reason: "\(rejection.resource) skipped: \(rejection.value.sentence)",
                    category: "config resource with an invalid \(rejection.value.field)"))
            } else {
                invalidValue(rejection.value, at: at, in: rejection.resource,
                             instead: "not used; the resource is read as partial (what it matches is unknown)")
            }
        }
    }

    /// Adds one piece of non-firewall evidence and counts it under its source.
    public func add(_ observation: Observation) { add([observation]) }

    /// Adds observations handed over together, in reading order (a text parser's, whose places
    /// carry their lines), each counted under its source as many times as it stands for.
    public func add(_ observations: [Observation]) {
        batches += 1
        for (index, var observation) in observations.enumerated() {
            // Messages are events; an operation, a cluster's state or config is what holds now.
            if observation.kind == "message", isOutsideWindow(observation.time) {
                account.skipped[Self.outsideWindow, default: 0] += observation.multiplicity
                continue
            }
            if observation.places.isEmpty, let location = observation.location {
                observation.places = [Observation.Place(
                    order: Observation.ReadingOrder(index: index), location: location, quote: observation.quote,
                    time: observation.time)]
            }
            for place in observation.places.indices { observation.places[place].order.batch = batches }
            tally.add(observation)
            account.evidence[observation.source, default: 0] += observation.multiplicity
        }
    }

    /// Counts config items under their source ("firewall rules", "routes", …).
    public func countConfig(_ source: String, _ count: Int = 1) {
        account.evidence[source, default: 0] += count
    }

    public func text(_ line: String, number: Int, input: String) {
        account.textLines += 1
        let dispatcher = textInputs[input] ?? TextDispatcher(input: input)
        textInputs[input] = dispatcher
        dispatcher.line(line, number: number, collector: self)
    }

    public func endOfText(input: String) {
        guard let dispatcher = textInputs.removeValue(forKey: input) else { return }
        if dispatcher.finish(into: self) == 0 { textWithoutEvidence[input] = dispatcher.firstLine ?? "" }
    }

    /// Text inputs in which nothing was recognised, with their first line.
    private var textWithoutEvidence: [String: String] = [:]

    /// The skip reason for records whose flow found the table full.
    private var flowTableFull: String { "flow table full (more than \(flows.foldedCapacity) flow groups, even counted per address class)" }

    /// `--since` / `--from` / `--to` on what is read (microseconds since 1970): firewall records
    /// and messages (log entries, events) stamped outside it are passed over and counted; those
    /// without a time stay, and so do operations, cluster state and config, which hold now.
    public var window: (from: Int64?, to: Int64?)?

    static let outsideWindow = "outside --since/--from/--to"

    func isOutsideWindow(_ time: Int64?) -> Bool {
        guard let window, let time else { return false }
        if let from = window.from, time < from { return true }
        if let to = window.to, time > to { return true }
        return false
    }

    /// `group`: the record is a whole flow group's first (a query result row), standing for its count.
    private func addFirewall(_ record: RecordFields, group: FlowGroupAggregate? = nil, locate: () -> RecordLocation) {
        if window != nil, let bytes = record.bytes(.timestamp), isOutsideWindow(Timestamp.parse(bytes)) {
            account.skipped[Self.outsideWindow, default: 0] += 1
            return
        }
        let added = group.map { flows.addGroup(record, $0, locate: locate) } ?? flows.add(record, locate: locate)
        countFlow(added, record: record, records: max(group?.count ?? 1, 1), locate: locate)
    }

    /// Accounts for a record (or a group of `records`) the flow table took or turned down.
    private func countFlow(_ added: FlowTable.AddResult, record: RecordFields, records: Int, locate: () -> RecordLocation) {
        switch added {
        case .added, .newGroup:
            account.firewallRecords += records
            if record.equals(.disposition, "DENIED") {
                account.deniedRecords += records
                if added == .newGroup { deniedFlowGroupsSeen += 1 }
            } else {
                account.allowedRecords += records
            }
        case .full:
            account.firewallRecords += records
            account.skipped[flowTableFull, default: 0] += records
        case .badConnection:
            problem(InputProblem(
                input: locate().input, line: locate().line, byteOffset: nil,
                reason: "firewall log record without a valid connection.src_ip/dest_ip; skipped",
                category: "firewall record without a connection"))
        case .rejected(let value):
            let place = locate()
            problem(InputProblem(
                input: place.input, line: place.line, byteOffset: nil,
                reason: "firewall log record skipped: \(value.sentence)",
                category: "firewall record with an invalid \(value.field)"))
        }
        if !flows.rejections.isEmpty {
            for (value, place) in flows.rejections {
                // Timestamps are checked per record; names and rule details once per distinct value.
                let perRecord = value.field == Field.timestamp.sourcePath || value.field == Field.receiveTimestamp.sourcePath
                invalidValue(value, at: place, in: "firewall log record", oncePerValue: !perRecord)
            }
            flows.rejections.removeAll(keepingCapacity: true)
        }
    }

    /// A value that failed its check in evidence that is still used: reported as a problem
    /// line, counted apart from skips, and not used (the fact stays unknown).
    /// `oncePerValue`: reported the first time this value is met, as names are.
    public func invalidValue(
        _ value: RejectedValue, at place: RecordLocation?, in what: String, instead: String? = nil, oncePerValue: Bool = false
    ) {
        let problem = InputProblem(
            input: place?.input ?? "(input)", line: place?.line, byteOffset: nil,
            reason: "\(what): \(value.sentence); \(instead ?? "not used")", category: "invalid \(value.field)")
        if oncePerValue {
            guard perValueReports[problem.reason] == nil else { return }
            perValueReports[problem.reason] = problem.category
        }
        account.invalidValues[problem.category, default: 0] += 1
        problemsPerInput[problem.input, default: 0] += 1
        onProblem?(problem)
    }

    /// Problems reported once per distinct value, by reason, with their category.
    private var perValueReports: [String: String] = [:]
    /// Such problems another collector reported again after this one had (see `absorb`).
    private var duplicateReports: Set<String> = []

    /// Whether a problem from an absorbed collector repeats one already reported here.
    func repeatsAReport(_ problem: InputProblem) -> Bool { duplicateReports.contains(problem.reason) }

    public func problem(_ problem: InputProblem) { self.problem(problem, counted: true) }

    /// `counted: false` for a problem already counted by the collector it came from.
    func problem(_ problem: InputProblem, counted: Bool) {
        if counted { account.skipped[problem.category, default: 0] += 1 }
        problemsPerInput[problem.input, default: 0] += 1
        onProblem?(problem)
    }

    /// Finishes the account once the engine has run.
    public func finish(matchedRecords: Int, matchedObservations: Int = 0) {
        account.flowGroups = flows.groupCount
        account.matchedRecords = matchedRecords
        account.matchedObservations = matchedObservations
    }
}

extension EvidenceCollector {
    /// One flow group from a query result row: its first record, standing for the whole group
    /// (see `addFlowGroups(_:input:)`).
    func addFirewallGroup(_ record: RecordFields, _ group: FlowGroupAggregate, locate: () -> RecordLocation) {
        account.records += max(group.count, 1)
        addFirewall(record, group: group, locate: locate)
    }

    /// Bytes read that no `InputReader` counted (a file of query result rows).
    func countBytes(_ bytes: Int) { account.bytes += Int64(bytes) }

    /// An input that held nothing to analyse, and why (a query result without rows).
    func noteWithoutEvidence(_ input: String, reason: String) {
        account.inputsWithoutEvidence.append(InputWithoutEvidence(input: input, reason: reason))
    }
}
