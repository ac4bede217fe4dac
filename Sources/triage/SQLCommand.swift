import ArgumentParser
import Foundation
import TriageKit

/// `triage sql`: prints the aggregation the rules need as SQL, for logs that already live in
/// BigQuery (a Cloud Logging sink, Log Analytics) or in DuckDB; its rows come back with
/// `--flow-groups` (or `--bigquery`).
struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Print the SQL that groups firewall log records as triage does, for BigQuery or DuckDB.",
        discussion: """
            One row per flow group: src_group, dest_group, dest_port, protocol, disposition, egress, rule_reference, vm_name, network, count, first_seen and last_seen (microseconds since 1970), src_sample and dest_sample (up to 9 addresses; a 9th means more), src_distinct and dest_distinct (approximate), and first_record (the group's earliest entry). Give the same topology flags as the analysis, so addresses fold into the same ranges; feed the rows back with --flow-groups.

              triage sql --cluster cluster.yaml --table my-project.logs.compute_googleapis_com_firewall_* --since 24h > groups.sql
              bq query --nouse_legacy_sql --format=json --max_rows=1000000 < groups.sql > groups.json
              triage --flow-groups groups.json --cluster cluster.yaml
            """)

    @Option(
        help: ArgumentHelp("bigquery (the default) or duckdb.", valueName: "dialect"),
        completion: Choice.completion(SQLDialect.self), transform: { try Choice.parse($0) })
    var dialect: SQLDialect = .bigquery

    @Option(help: ArgumentHelp("The table of log entries: a sink's table (PROJECT.DATASET.TABLE; a date-sharded one as compute_googleapis_com_firewall_*), or with --log-analytics the linked dataset's view (PROJECT.DATASET._AllLogs).", valueName: "name"))
    var table = "firewall_logs"

    @Flag(name: .customLong("log-analytics"), help: "Read a Log Analytics linked dataset's _AllLogs view (snake_case columns, json_payload JSON) instead of a sink's table.")
    var logAnalytics = false

    @Option(help: ArgumentHelp("Only records from this long ago (like 24h, 90m, 7d, counted back from --now or the clock) or from this time (RFC 3339).", valueName: "duration|time"))
    var since: String?

    @Option(help: ArgumentHelp("Only records up to this time (RFC 3339).", valueName: "time"))
    var until: String?

    @OptionGroup(title: "Topology (what triage knows about the cluster)") var network: NetworkOptions

    func run() throws {
        Console.ignoreBrokenPipe()
        do throws(TriageError) {
            let topology = try Pipeline.topology(from: network.topologyOptions) { Console.diagnostic($0.description) }
            var query = FlowGroupQuery(topology: topology, dialect: dialect, table: table, source: logAnalytics ? .logAnalytics : .sinkTable)
            let now = topology.now.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) } ?? Date()
            func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
            if let since {
                if let start = Timestamp.parse(since) {
                    query.from = start
                } else {
                    query.from = micros(try TimeWindow.since(since, now: now).from)
                }
            }
            if let until {
                guard let end = Timestamp.parse(until) else { throw .usage("--until: '\(until)' is not a time like 2026-11-22T10:00:00Z") }
                if let from = query.from, end <= from { throw .usage("--until must be later than --since") }
                query.to = end
            }
            Console.out(try query.sql())
        } catch {
            Console.diagnostic("\(error)")
            if case .usage = error { throw ExitCode(64) }
            throw ExitCode(2)
        }
    }
}
