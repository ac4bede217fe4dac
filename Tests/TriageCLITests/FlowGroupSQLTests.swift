import Foundation
import Testing

/// Issue 17's proof without a cloud: every SampleLogs firewall log (and generated bench data)
/// loaded into DuckDB in a Cloud Logging sink's shape, `triage sql --dialect duckdb`'s query run
/// there, and its rows fed back with `--flow-groups`, give the findings the streaming reader gives
/// on the same entries.
///
/// SQL has no input order, so the query takes a group's first record by time, then insertId;
/// the streaming run reads the same entries in that order, so both choose the same record. Only
/// the places differ (`rows.ndjson:3` against `sorted.ndjson:17`), and are left out of the
/// comparison.
@Suite("triage sql: DuckDB's flow groups give the streaming findings", .serialized)
struct FlowGroupSQLTests {
    static let python = URL(fileURLWithPath: "/usr/bin/env")
    static let script = CLI.packageRoot.appendingPathComponent("tools/duckdb-flow-groups.py").path

    /// CI installs duckdb (.ci/run); without it the comparison cannot run, and says so.
    static let duckDBMissing: Bool = {
        let check = try? CLI.run(python, ["python3", "-c", "import duckdb"])
        return check?.status != 0
    }()

    /// Every firewall log among the samples (JSON and NDJSON), with its folder's cluster
    /// description when there is one.
    static let firewallLogs: [String] = {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: CLI.sampleLogs.path) else { return [] }
        var found: [String] = []
        for case let path as String in walker where path.hasSuffix(".json") || path.hasSuffix(".ndjson") {
            guard !path.hasSuffix("expected.json"),
                let text = try? String(contentsOf: CLI.sampleLogs.appendingPathComponent(path), encoding: .utf8),
                text.contains("compute.googleapis.com%2Ffirewall"), text.contains("\"connection\"")
            else { continue }
            found.append("SampleLogs/" + path)
        }
        return found.sorted()
    }()

    static func cluster(for file: String) -> [String] {
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("cluster.yaml").path
        return FileManager.default.fileExists(atPath: CLI.packageRoot.appendingPathComponent(folder).path) ? ["--cluster", folder] : []
    }

    /// The findings and the account, without places (which name the input read).
    static func comparable(_ output: Data) throws -> [String] {
        var lines: [String] = []
        for line in output.split(separator: 0x0A) {
            guard var object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            if var evidence = object["evidence"] as? [[String: Any]] {
                for index in evidence.indices { evidence[index]["location"] = nil }
                object["evidence"] = evidence
            }
            if var bySource = object["evidence_by_source"] as? [[String: Any]] {
                for index in bySource.indices { bySource[index]["locations"] = nil }
                object["evidence_by_source"] = bySource
            }
            for key in ["bytes", "inputs", "input_errors", "inputs_without_evidence"] { object[key] = nil }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        return lines
    }

    /// Runs both ways on `files` and returns (streaming, from SQL) comparable outputs, plus the rows.
    static func bothWays(
        _ files: [String], topology: [String], logAnalytics: Bool = false, timeout: TimeInterval = 60
    ) throws -> (streaming: [String], sql: [String], rows: Int, pastBound: Int) {
        try CLI.withTemporaryDirectory { scratch in try bothWays(files, topology: topology, logAnalytics: logAnalytics, timeout: timeout, in: scratch) }
    }

    private static func bothWays(
        _ files: [String], topology: [String], logAnalytics: Bool, timeout: TimeInterval, in scratch: URL
    ) throws -> (streaming: [String], sql: [String], rows: Int, pastBound: Int) {
        let query = scratch.appendingPathComponent("query.sql")
        let rows = scratch.appendingPathComponent("rows.ndjson")
        let sorted = scratch.appendingPathComponent("sorted.ndjson")
        let sql = try CLI.triage(["sql", "--dialect", "duckdb"] + (logAnalytics ? ["--log-analytics"] : []) + topology)
        #expect(sql.status == 0, "\(sql)")
        try sql.stdout.write(to: query)
        let loaded = try CLI.run(
            python, ["python3", script, "--query", query.path, "--rows", rows.path, "--sorted", sorted.path]
                + (logAnalytics ? ["--log-analytics"] : []) + files, timeout: timeout)
        #expect(loaded.status == 0, "\(loaded)")
        let common = ["--format", "json", "--fail-on", "none"] + topology
        let streaming = try CLI.run(CLI.binary, [sorted.path] + common, timeout: timeout)
        let fromSQL = try CLI.run(CLI.binary, ["--flow-groups", rows.path] + common, timeout: timeout)
        #expect(streaming.status == 0 && fromSQL.status == 0, "\(streaming)\n\(fromSQL)")
        // Rows whose address sample went past what the flow table keeps (9 of a bound of 8).
        var rowCount = 0, pastBound = 0
        for line in try Data(contentsOf: rows).split(separator: 0x0A) {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            rowCount += 1
            if [row["src_sample"], row["dest_sample"]].contains(where: { ($0 as? [Any])?.count == 9 }) { pastBound += 1 }
        }
        return (try comparable(streaming.stdout), try comparable(fromSQL.stdout), rowCount, pastBound)
    }

    @Test("every sample firewall log, with and without its cluster", .enabled(if: !duckDBMissing, "python3 lacks duckdb (pip install duckdb)"))
    func samples() throws {
        #expect(Self.firewallLogs.count >= 12, "\(Self.firewallLogs)")
        for file in Self.firewallLogs {
            for topology in Set([Self.cluster(for: file), []]) {
                let result = try Self.bothWays([file], topology: topology)
                #expect(result.rows > 0, "\(file): no rows")
                #expect(result.streaming.count > 1, "\(file): no findings to compare")
                #expect(result.sql == result.streaming, "\(file) \(topology): findings differ")
            }
        }
    }

    @Test("a Log Analytics view (JSON payload) gives the same", .enabled(if: !duckDBMissing, "python3 lacks duckdb (pip install duckdb)"))
    func logAnalytics() throws {
        let file = "SampleLogs/mixed/firewall-all.json"
        let result = try Self.bothWays([file], topology: Self.cluster(for: file), logAnalytics: true)
        #expect(result.streaming.count > 1)
        #expect(result.sql == result.streaming)
    }

    @Test("generated high-cardinality data: groups past the sample bound, folded ranges", .enabled(if: !duckDBMissing, "python3 lacks duckdb (pip install duckdb)"))
    func generated() throws {
        let bench = CLI.binary.deletingLastPathComponent().appendingPathComponent("triage-bench")
        try #require(FileManager.default.isExecutableFile(atPath: bench.path), "triage-bench not built next to triage")
        try CLI.withTemporaryDirectory { scratch in try generated(bench: bench, in: scratch) }
    }

    private func generated(bench: URL, in scratch: URL) throws {
        let made = try CLI.run(
            bench, ["--generate-only", "--size-mb", "2", "--cardinality", "high", "--internet-sources", "300", "--internet-destinations", "400",
                "--vms", "2", "--unranged-pods", "200", "--directory", scratch.path], timeout: 120)
        #expect(made.status == 0, "\(made)")
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasSuffix(".ndjson") }
        let file = try #require(files.first).description
        let path = scratch.appendingPathComponent(file).path
        let topology = ["--cluster", scratch.appendingPathComponent("cluster.json").path]
        let result = try Self.bothWays([path], topology: topology, timeout: 120)
        #expect(result.sql == result.streaming)
        // The data reaches what a small sample cannot: groups with more addresses than kept.
        #expect(result.pastBound > 0, "no group past the sample bound in \(result.rows) rows")
    }
}

/// Both dialects come from one query model; each must be valid SQL of its engine, as sqlglot
/// reads them (BigQuery cannot be run here).
@Suite("triage sql: both dialects parse")
struct FlowGroupSQLParseTests {
    static let sqlglotMissing: Bool = {
        let check = try? CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import sqlglot"])
        return check?.status != 0
    }()

    static let parse = """
        import sys, sqlglot
        from sqlglot.errors import ErrorLevel
        dialect = sys.argv[1]
        tree = sqlglot.parse_one(sys.stdin.read(), read=dialect, error_level=ErrorLevel.RAISE)
        text = tree.sql(dialect=dialect)
        for needed in sys.argv[2:]:
            assert needed.lower() in text.lower(), f"{needed} lost in {text}"
        print(type(tree).__name__)
        """

    @Test(
        "bigquery and duckdb, sink table and Log Analytics, with a window",
        .enabled(if: !sqlglotMissing, "python3 lacks sqlglot (pip install sqlglot)"),
        arguments: ["bigquery", "duckdb"], [false, true])
    func parses(dialect: String, logAnalytics: Bool) throws {
        let table = dialect == "bigquery" ? "my-project.logs.compute_googleapis_com_firewall_*" : "firewall_logs"
        let sql = try CLI.triage(
            ["sql", "--dialect", dialect, "--table", table, "--cluster", CLI.mixedCluster, "--since", "2026-11-22T00:00:00Z",
                "--until", "2026-11-23T00:00:00Z"] + (logAnalytics ? ["--log-analytics"] : []))
        #expect(sql.status == 0, "\(sql)")
        var needed = ["count", "first_record", "src_sample"]
        if dialect == "bigquery" { needed += ["NET.IP_TRUNC", "APPROX_COUNT_DISTINCT", "UNIX_MICROS"] }
        let check = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", Self.parse, dialect] + needed, stdin: sql.stdout)
        #expect(check.status == 0, "\(check)")
        #expect(check.out.hasPrefix("Select"), "\(check)")
    }
}

@Suite("triage sql and --flow-groups on the command line")
struct FlowGroupSQLCommandTests {
    @Test("the window: --since a duration from --now, or a time, and --until")
    func window() throws {
        let since = try CLI.triage(["sql", "--dialect", "duckdb", "--now", "2026-11-22T10:00:00Z", "--since", "1h"])
        #expect(since.status == 0, "\(since)")
        #expect(since.out.contains("timestamp >= make_timestamp(1795338000000000)"), "\(since.out)")
        let between = try CLI.triage(["sql", "--since", "2026-11-22T09:00:00Z", "--until", "2026-11-22T10:00:00Z"])
        #expect(between.out.contains("timestamp >= TIMESTAMP_MICROS(1795338000000000)") && between.out.contains("timestamp <= TIMESTAMP_MICROS(1795341600000000)"), "\(between.out)")
        for bad in [["--since", "yesterday"], ["--until", "soon"], ["--since", "2026-11-22T10:00:00Z", "--until", "2026-11-22T09:00:00Z"], ["--table", "a;b"]] {
            let result = try CLI.triage(["sql"] + bad)
            #expect(result.status == 64 && result.out.isEmpty, "\(bad): \(result)")
        }
    }

    @Test("--flow-groups: a missing or malformed file is an input error, no rows is no evidence")
    func flowGroupsInputs() throws {
        let missing = try CLI.triage(["--flow-groups", "/nonexistent/rows.json"])
        #expect(missing.status == 2, "\(missing)")
        try CLI.withTemporaryDirectory { directory in
            let bad = directory.appendingPathComponent("rows.json")
            try Data("{\"count\": 1}\nnot json\n".utf8).write(to: bad)
            let malformed = try CLI.triage(["--flow-groups", bad.path])
            #expect(malformed.status == 2 && malformed.err.contains("line 2"), "\(malformed)")
            let empty = directory.appendingPathComponent("empty.json")
            try Data("[]".utf8).write(to: empty)
            // No rows is no evidence, not an all-clear (as an empty log file is).
            let none = try CLI.triage(["--flow-groups", empty.path, "--fail-on", "none"])
            #expect(none.status == 2 && none.err.contains("no flow group rows"), "\(none)")
        }
    }
}
