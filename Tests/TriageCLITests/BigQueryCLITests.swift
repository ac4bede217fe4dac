import Foundation
import Testing

/// `triage --bigquery` end to end: the rows of the grouping query (made here by DuckDB from a
/// sample's firewall log, the shape `triage sql` asks BigQuery for) served by the fake jobs API
/// (tools/fakegcp/server.py) in BigQuery's REST encoding, in pages, after a dry run, give the
/// findings that `--flow-groups` gives for the same rows.
@Suite(.serialized) struct BigQueryCLITests {
    /// A BigQuery TableSchema that describes every row given (RECORD and REPEATED where the
    /// JSON nests), as the fake needs to encode them.
    static func schema(_ rows: [[String: Any]]) -> [[String: Any]] {
        var fields: [String: [String: Any]] = [:]
        var order: [String] = []
        func kind(of value: Any) -> (type: String, fields: [[String: Any]]?)? {
            switch value {
            case let object as [String: Any]: return ("RECORD", schema([object]))
            // JSONSerialization's true and false are NSNumbers whose type says Boolean.
            case let number as NSNumber: return String(describing: type(of: number)).contains("Boolean") ? ("BOOLEAN", nil) : ("INTEGER", nil)
            case is String: return ("STRING", nil)
            default: return nil
            }
        }
        for row in rows {
            for (name, value) in row {
                var field: [String: Any]
                if let items = value as? [Any] {
                    let objects = items.compactMap { $0 as? [String: Any] }
                    if !objects.isEmpty {
                        field = ["name": name, "type": "RECORD", "mode": "REPEATED", "fields": schema(objects)]
                    } else if let first = items.first, let kind = kind(of: first) {
                        field = ["name": name, "type": kind.type, "mode": "REPEATED"]
                    } else {
                        field = ["name": name, "type": "STRING", "mode": "REPEATED"]
                    }
                } else if let kind = kind(of: value) {
                    field = ["name": name, "type": kind.type, "mode": "NULLABLE"]
                    if let nested = kind.fields { field["fields"] = nested }
                } else {
                    continue
                }
                if let known = fields[name], let knownFields = known["fields"] as? [[String: Any]], let newFields = field["fields"] as? [[String: Any]] {
                    // Records merge: every row's fields.
                    var merged = knownFields
                    for candidate in newFields where !merged.contains(where: { $0["name"] as? String == candidate["name"] as? String }) {
                        merged.append(candidate)
                    }
                    field["fields"] = merged
                }
                if fields[name] == nil { order.append(name) }
                fields[name] = field
            }
        }
        return order.compactMap { fields[$0] }
    }

    @Test("the fake jobs API's pages give the findings --flow-groups gives", .enabled(if: !FlowGroupSQLTests.duckDBMissing, "python3 lacks duckdb (pip install duckdb)"))
    func bigQueryRowsJoinTheAnalysis() throws {
        let sample = "SampleLogs/webhook-port-blocked/firewall-denied.json"
        let topology = ["--cluster", "SampleLogs/webhook-port-blocked/cluster.yaml"]
        try CLI.withTemporaryDirectory { scratch in
            let query = scratch.appendingPathComponent("query.sql"), rows = scratch.appendingPathComponent("rows.ndjson")
            let sql = try CLI.triage(["sql", "--dialect", "duckdb"] + topology)
            try sql.stdout.write(to: query)
            let loaded = try CLI.run(FlowGroupSQLTests.python, ["python3", FlowGroupSQLTests.script, "--query", query.path, "--rows", rows.path, sample])
            #expect(loaded.status == 0, "\(loaded)")
            let objects = try Data(contentsOf: rows).split(separator: 0x0A).map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            }
            #expect(objects.count >= 2)
            let table = "kf-prod-4412.firewall_logs.compute_googleapis_com_firewall"
            let server = try FakeGCPServer()
            try server.write("bigquery/query.json", [
                "schema": ["fields": Self.schema(objects)], "rows": objects, "page_size": 1, "running_polls": 1,
                "dry_run_bytes": 123_456, "tables": [table],
            ] as [String: Any])
            let (arguments, environment) = try LiveCLITests.live(server, in: scratch)
            // The token file and the environment of --live, with --bigquery instead of --live.
            let bigQuery = ["--bigquery", table] + arguments.filter { $0 != "--live" } + topology + ["--format", "json", "--fail-on", "none"]
            let result = try CLI.run(CLI.binary, bigQuery, environment: environment, timeout: 60)
            #expect(result.status == 0, "\(result)")
            #expect(result.err.contains("dry run: the query scans"), "\(result.err)")
            let fromRows = try CLI.run(CLI.binary, ["--flow-groups", rows.path, "--format", "json", "--fail-on", "none"] + topology)
            let findings = LiveCLITests.findings(result)
            #expect(!findings.isEmpty)
            #expect(findings == LiveCLITests.findings(fromRows), "\(result.out)\n---\n\(fromRows.out)")
            // One dry run, then the job, then its pages.
            let calls = server.requests(pathPrefix: "/bigquery/")
            #expect(calls.count >= 2 + objects.count, "\(calls.count) calls for \(objects.count) rows")
        }
    }

    @Test("--bigquery -v traces its requests as bigquery ones, not live ones")
    func bigQueryTraceIsNamedForBigQuery() throws {
        try CLI.withTemporaryDirectory { scratch in
            let table = "kf-prod-4412.firewall_logs.compute_googleapis_com_firewall"
            let server = try FakeGCPServer()
            try server.write("bigquery/query.json", [
                "schema": ["fields": [["name": "src_ip", "type": "STRING", "mode": "NULLABLE"]]], "rows": [] as [Any],
                "dry_run_bytes": 1_000, "tables": [table],
            ] as [String: Any])
            let (arguments, environment) = try LiveCLITests.live(server, in: scratch)
            let run = ["--bigquery", table, "-v", "--fail-on", "none"] + arguments.filter { $0 != "--live" }
            let result = try CLI.run(CLI.binary, run, environment: environment, timeout: 60)
            // No rows: said as such, and no evidence is exit 2, never "no problems".
            #expect(result.status == 2, "\(result)")
            #expect(result.err.contains("no evidence read: the query returned no rows"), "\(result.err)")
            #expect(result.err.contains("read 1 input"), "\(result.err)")
            #expect(result.out.contains("No findings: no evidence was read"), "\(result.out)")
            #expect(result.err.contains("bigquery: → POST http://127.0.0.1:\(server.port)/bigquery/v2/projects/"), "\(result.err)")
            #expect(!result.err.contains("live: →"), "\(result.err)")
        }
    }
}
