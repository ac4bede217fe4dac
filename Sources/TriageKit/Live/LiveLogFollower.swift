import Foundation

/// `--follow --live`: after the first run (whose window ends at `after`), each look asks Cloud
/// Logging only for the denied firewall entries newer than what was read. The window starts
/// a little before the newest entry seen, because entries can reach Logging out of order (a
/// late one would otherwise be missed); entries already read in that overlap are recognised by
/// their insertId and left out, so no record counts twice. The network config and the GKE
/// operations read at the start are not fetched again.
public final class LiveLogFollower: Follower {
    private let session: LiveSession
    /// The first run read entries up to here (inclusive); looks read only after it.
    private let after: Date
    private var newest: Date?
    /// insertIds read by the looks, with their timestamps, kept while they are in the overlap.
    private var seen: [String: Date] = [:]
    private var looks = 0

    /// How far before the newest entry seen each look reaches back for late entries.
    public static let overlap: TimeInterval = 120

    public init(session: LiveSession, after: Date) {
        self.session = session
        self.after = after
    }

    public var what: String { "the denied firewall log entries of project \(session.options.project)" }

    public func stop() { session.cancellation.cancel() }

    /// The Logging filter of the next look: after the first run's window, from the overlap
    /// before the newest entry seen.
    var filter: String {
        guard let newest, newest.addingTimeInterval(-Self.overlap) > after else {
            return TimeWindow(from: after).firewallFilter(project: session.options.project, fromExcluded: true)
        }
        return TimeWindow(from: newest.addingTimeInterval(-Self.overlap)).firewallFilter(project: session.options.project)
    }

    public func poll(into collector: EvidenceCollector) -> (read: Bool, notes: [String]) {
        looks += 1
        let filter = self.filter
        var token: String?
        var page = 0
        var read = false
        repeat {
            page += 1
            let object: [String: Any]
            do throws(FetchFailure) {
                (_, object) = try session.client.json(session.logEntriesRequest(filter: filter, orderBy: "timestamp asc", token: token))
            } catch {
                if case .transport(.cancelled) = error { return (read, []) }
                // Nothing is lost: the window moves on only past what was read, so the next look asks again.
                let failure = session.redactor.redact(session.failure(error, .logEntries, url: session.logEntriesURL))
                return (read, ["\(failure.description) (asked again at the next look)"])
            }
            let fresh = take(object["entries"] as? [[String: Any]] ?? [])
            if !fresh.isEmpty, let bytes = try? JSONSerialization.data(withJSONObject: fresh, options: [.sortedKeys]) {
                let name = "live:logging entries look \(looks)" + (page > 1 ? " page \(page)" : "")
                // The first run counted the log among its inputs: the looks read more of it, as a followed file grows.
                if let error = collector.read(InputReader(name: name, source: MemorySource(Array(bytes))), countingInput: false) {
                    return (true, [error.description])
                }
                read = true
            }
            token = (object["nextPageToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil && !session.cancellation.isCancelled
        return (read, [])
    }

    /// The entries not read before; moves the window on and forgets what fell out of the overlap.
    func take(_ entries: [[String: Any]]) -> [[String: Any]] {
        var fresh: [[String: Any]] = []
        for entry in entries {
            let time = (entry["timestamp"] as? String).flatMap(LiveSession.parseTimestamp)
            if let id = entry["insertId"] as? String {
                guard seen[id] == nil else { continue }
                seen[id] = time ?? after
            }
            if let time, time > (newest ?? .distantPast) { newest = time }
            fresh.append(entry)
        }
        if let newest {
            let horizon = newest.addingTimeInterval(-Self.overlap)
            seen = seen.filter { $0.value >= horizon }
        }
        return fresh
    }
}
