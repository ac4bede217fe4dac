import Foundation

/// The progress line of a live run, kept on stderr while the APIs are read: sources read (of the
/// nine lists: clusters, operations, firewalls, routes, networks, subnetworks, routers, DNS, logs), pages,
/// firewall log entries, and a running count of what the findings will be made of: distinct
/// denied flows (flow groups) and other recognised evidence (GKE operations, cluster states).
/// Those are not findings yet (the rules run once everything is read), so the line says
/// "so far … denied flows", never "findings". It holds numbers and fixed words only,
/// never text from a log or an API answer.
public final class LiveProgress {
    /// Erases the line the cursor is on (carriage return, erase to end of line).
    public static let erase = "\r\u{1B}[K"
    /// Redraws at most this often, except when a source finishes.
    public static let interval = 0.1

    public let width: Int
    private var lastDrawn: Double?
    private var lastSourcesDone = -1
    /// Whether a line is on the screen now.
    public private(set) var showing = false

    public init(width: Int) { self.width = max(20, width) }

    /// The line for these counts, at most `width - 1` columns (so the terminal never wraps it,
    /// which would defeat the erase).
    public static func line(_ counts: LiveCounts, width: Int) -> String {
        // Short enough for 80 columns; the most telling counts last, where a narrow terminal cuts.
        var text = "live: \(counts.sourcesDone)/\(counts.sourcesTotal) sources, \(counts.pages) \(plural(counts.pages, "page")), "
            + "\(counts.firewallRecords) log \(plural(counts.firewallRecords, "entry", "entries")); "
            + "so far \(counts.deniedFlows) denied \(plural(counts.deniedFlows, "flow")), "
            + "\(counts.observations) \(plural(counts.observations, "observation"))"
        text = TerminalText.sanitize(text)
        let limit = max(1, width - 1)
        if text.count > limit { text = String(text.prefix(limit - 1)) + "…" }
        return text
    }

    private static func plural(_ count: Int, _ one: String, _ many: String? = nil) -> String {
        count == 1 ? one : many ?? one + "s"
    }

    /// What to write to stderr for these counts at monotonic time `now`, or nil when the line
    /// was drawn less than `interval` ago and no source has finished since.
    public func update(_ counts: LiveCounts, now: Double) -> String? {
        if let lastDrawn, now - lastDrawn < Self.interval, counts.sourcesDone == lastSourcesDone { return nil }
        lastDrawn = now
        lastSourcesDone = counts.sourcesDone
        showing = true
        return Self.erase + Self.line(counts, width: width)
    }

    /// What erases the line before anything else is printed (empty when none is showing).
    public func finish() -> String {
        defer { showing = false }
        return showing ? Self.erase : ""
    }
}
