import Foundation
import TriageKit

/// What `--bigquery` needs from the command line, checked before anything is read.
struct BigQueryPlan {
    var options: BigQueryOptions
    /// The window the query reads (`--since`, `--from`/`--to`; 24 hours by default, as `--live`).
    var window: TimeWindow

    /// Nil without `--bigquery`. The job runs in `--project` when given, else in the table's project.
    static func make(network: NetworkOptions, live: LiveOptionGroup) throws(TriageError) -> BigQueryPlan? {
        guard let name = live.bigquery else { return nil }
        var options = BigQueryOptions(table: try BigQueryTable(parsing: name), jobProject: network.project)
        if let location = live.bigqueryLocation {
            guard BigQueryOptions.isLocation(location) else {
                throw .usage("--bigquery-location: '\(TerminalText.sanitize(location, limit: TerminalText.Limit.name))' is not a location like US, EU or europe-west1")
            }
            options.location = location
        }
        if let maxBytes = live.maxBytes { options.maximumBytes = try ByteCount.parse(maxBytes) }
        options.accessTokenFile = live.accessTokenFile
        return BigQueryPlan(options: options, window: try live.window())
    }
}

/// Runs a `--bigquery` session for the CLI: the dry run's estimate on stderr, Ctrl-C stops it.
enum BigQueryRunner {
    /// The query model behind `--bigquery`: the aggregation of `triage sql` (issue 17 item 1),
    /// for the topology and the window, its SQL written once here so a table name the query model
    /// cannot quote is a usage error before anything is sent.
    static func flowQuery(topology: Topology, window: TimeWindow, table: BigQueryTable) throws(TriageError) -> FlowQuery {
        var query = FlowGroupQuery(topology: topology, dialect: .bigquery, table: table.qualifiedName)
        query.from = Int64(window.from.timeIntervalSince1970 * 1_000_000)
        query.to = window.to.map { Int64($0.timeIntervalSince1970 * 1_000_000) }
        return SinkFlowQuery(sql: try query.sql(), input: "bigquery:" + table.qualifiedName)
    }

    static func run(_ session: BigQuerySession, _ query: FlowQuery, into collector: EvidenceCollector, quiet: Bool) -> BigQueryResult {
        let options = session.options
        if !quiet {
            session.onEstimate = { bytes, credentials in
                Console.diagnostic(
                    "bigquery: dry run: the query scans \(ByteCount.format(bytes)) of \(options.table.qualifiedName) (--max-bytes \(ByteCount.format(options.maximumBytes)));"
                        + " the job runs in project \(options.jobProject) with credentials from \(credentials)")
            }
        }
        let result = LiveRunner.interruptible(session.cancellation) { session.run(query, into: collector) }
        if !quiet {
            for failure in result.failures { Console.diagnostic(failure.description) }
        }
        return result
    }

    /// The closing line: the job, what it read and billed, and what is missing from the findings.
    static func summarise(_ result: BigQueryResult) {
        var line = "bigquery: \(result.requests) request\(result.requests == 1 ? "" : "s")"
        if let job = result.jobID { line += ", job \(job)" }
        line += ", \(result.rows) flow group\(result.rows == 1 ? "" : "s") in \(result.pages) page\(result.pages == 1 ? "" : "s")"
        if let bytes = result.processedBytes { line += ", \(ByteCount.format(bytes)) processed" + (result.cacheHit ? " (from cache, not billed)" : "") }
        if result.polls > 0 { line += ", waited for the job \(result.polls) time\(result.polls == 1 ? "" : "s")" }
        Console.diagnostic(line + ".")
        LiveRunner.reportMissing(result.failures, interrupted: result.interrupted)
    }
}

/// The query `triage sql --dialect bigquery` prints, and its rows added as flow groups.
struct SinkFlowQuery: FlowQuery {
    let sql: String
    /// How rows are named in problem lines (`bigquery:P.D.T:ROW`).
    let input: String

    /// The table is in the SQL already, quoted by the query model.
    func bigQuerySQL(table: String) -> String { sql }

    func ingest(_ rows: [QueryRow], into collector: EvidenceCollector) {
        collector.addFlowGroups(rows, input: input, countingInput: false)
    }
}
