import Foundation

/// What `triage --live` reads, and how.
public struct LiveOptions: Sendable {
    public var project: String
    /// Only this cluster (by name); nil reads every cluster in the project (or the location).
    public var clusterName: String?
    /// A region or zone; nil means every location ("-").
    public var location: String?
    public var window: TimeWindow
    public var accessTokenFile: String?
    public var timeouts: HTTPTimeouts = .api
    public var retry: RetryPolicy = .standard
    /// Entries per Logging page (the API's maximum is 1000, gcloud's choice too).
    public var logPageSize = 1000
    /// The command used as the last credentials source; nil skips it (tests).
    public var gcloudCommand: String? = "gcloud"

    public init(project: String, window: TimeWindow) {
        self.project = project
        self.window = window
    }
}

/// The time range of log entries to read. The Logging API has no default window, so one is
/// always sent.
public struct TimeWindow: Sendable, Equatable {
    public var from: Date
    public var to: Date?

    public init(from: Date, to: Date? = nil) {
        self.from = from
        self.to = to
    }

    /// `24h`, `90m`, `7d`, `30s` before `now`.
    public static func since(_ text: String, now: Date = Date()) throws(TriageError) -> TimeWindow {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()), value > 0 else {
            throw .usage("--since: '\(text)' is not a duration like 24h, 90m or 7d")
        }
        return TimeWindow(from: now.addingTimeInterval(-value * scale))
    }

    /// `--from T --to T`, RFC 3339.
    public static func between(_ from: String, _ to: String?) throws(TriageError) -> TimeWindow {
        guard let start = parse(from) else { throw .usage("--from: '\(from)' is not a time like 2026-11-22T09:00:00Z") }
        var end: Date?
        if let to {
            guard let parsed = parse(to) else { throw .usage("--to: '\(to)' is not a time like 2026-11-22T10:00:00Z") }
            guard parsed > start else { throw .usage("--to must be later than --from") }
            end = parsed
        }
        return TimeWindow(from: start, to: end)
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// The Logging filter for denied firewall connections in this window; `fromExcluded` leaves
    /// out entries at `from` itself (a window that starts where the one before ended).
    public func firewallFilter(project: String, fromExcluded: Bool = false) -> String {
        var filter = "logName=\"projects/\(project)/logs/compute.googleapis.com%2Ffirewall\" AND jsonPayload.disposition=\"DENIED\" AND timestamp\(fromExcluded ? ">" : ">=")\"\(Self.format(from))\""
        if let to { filter += " AND timestamp<=\"\(Self.format(to))\"" }
        return filter
    }
}
