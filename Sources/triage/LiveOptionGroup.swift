import ArgumentParser
import Foundation
import TriageKit

/// The flags of `--live`: where to read from and which time window.
struct LiveOptionGroup: ParsableArguments {
    @Flag(help: "Read the project straight from the Google Cloud APIs (clusters, network config, operations, denied firewall logs). Needs --project.")
    var live = false

    @Option(help: ArgumentHelp("With --live: the cluster's region or zone (default: every location).", valueName: "location"))
    var location: String?

    @Option(help: ArgumentHelp("How far back to read, like 24h, 90m or 7d: with --live, the logs fetched (default 24h); on files, the records and events kept, by their own timestamps, counted back from --now or the clock.", valueName: "duration"))
    var since: String?

    @Option(help: ArgumentHelp("Read from this time (RFC 3339, like 2026-11-22T09:00:00Z): with --live, the logs fetched; on files, the records and events kept by their own timestamps.", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Read up to this time (RFC 3339; needs --from).", valueName: "time"))
    var to: String?

    @Option(name: .customLong("access-token-file"), help: ArgumentHelp("With --live: a file holding an OAuth access token (first in the credentials order).", valueName: "file"), completion: .file())
    var accessTokenFile: String?

    @Option(help: ArgumentHelp("Run the aggregation in BigQuery over a log sink's table (PROJECT.DATASET, the partitioned table compute_googleapis_com_firewall; or PROJECT.DATASET.TABLE, with a trailing * for date shards) and analyse its rows. A dry run first; see --max-bytes.", valueName: "project.dataset[.table]"))
    var bigquery: String?

    @Option(name: .customLong("bigquery-location"), help: ArgumentHelp("With --bigquery: the dataset's location (US, EU, europe-west1, ...; default: BigQuery works it out).", valueName: "location"))
    var bigqueryLocation: String?

    @Option(name: .customLong("max-bytes"), help: ArgumentHelp("With --bigquery: refuse to run a query that would scan more than this (500MB, 10GB, 1TB; default 10GB); also the job's maximumBytesBilled.", valueName: "size"))
    var maxBytes: String?

    /// Draws the progress line even when stderr is not a terminal (for tests; not in --help).
    @Flag(name: .customLong("force-progress"), help: .hidden)
    var forceProgress = false

    /// Usage errors in the combination of flags.
    func validateCombination() throws(TriageError) {
        if since != nil && (from != nil || to != nil) { throw .usage("give either --since or --from/--to, not both") }
        if bigquery == nil {
            let stray = [("--bigquery-location", bigqueryLocation), ("--max-bytes", maxBytes)].filter { $0.1 != nil }.map(\.0)
            if !stray.isEmpty { throw .usage("\(stray.joined(separator: ", ")) only apply with --bigquery") }
        }
        if !live {
            let stray = [("--location", location), ("--access-token-file", bigquery == nil ? accessTokenFile : nil)].filter { $0.1 != nil }.map(\.0)
            if !stray.isEmpty { throw .usage("\(stray.joined(separator: ", ")) only apply with --live") }
            if to != nil && from == nil { throw .usage("--to needs --from") }
            return
        }
        if to != nil && from == nil { throw .usage("--to needs --from") }
    }

    /// The window for files: nil unless --since or --from was given.
    func fileWindow(now: Date) throws(TriageError) -> (from: Int64?, to: Int64?)? {
        guard since != nil || from != nil else { return nil }
        let window = try self.window(now: now)
        func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
        return (micros(window.from), window.to.map(micros))
    }

    func window(now: Date = Date()) throws(TriageError) -> TimeWindow {
        if let from { return try TimeWindow.between(from, to) }
        return try TimeWindow.since(since ?? "24h", now: now)
    }
}
