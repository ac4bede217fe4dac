import Foundation
import Testing
@testable import TriageKit

/// A stand-in for the query model (the real one is `triage sql`'s): a fixed query, and the
/// pages of rows as they arrive.
final class RecordingFlowQuery: FlowQuery, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [[QueryRow]] = []
    private(set) var table: String?

    var pages: [[QueryRow]] { lock.withLock { received } }

    func bigQuerySQL(table: String) -> String {
        lock.withLock { self.table = table }
        return "SELECT disposition, COUNT(*) AS count FROM \(table) GROUP BY disposition"
    }

    func ingest(_ rows: [QueryRow], into collector: EvidenceCollector) {
        lock.withLock { received.append(rows) }
    }

    var input: String { "bigquery:test" }
}

let bigQueryTable = BigQueryTable(project: "kf-logs-1234", dataset: "firewall_logs")
let bigQueryPath = "/bigquery/v2/projects/\(liveProject)/queries"

struct BigQueryRun {
    var result: BigQueryResult
    var query: RecordingFlowQuery
    var collector: EvidenceCollector
    var estimates: [Int64]

    var failureText: String { result.failures.map(\.description).joined(separator: "\n") }
}

/// One `--bigquery` run against the fake, with quick retries and polls; jobs run in `liveProject`.
func bigQueryRun(_ server: FakeGCPServer, token: String = "good-token", configure: (inout BigQueryOptions) -> Void = { _ in }) throws -> BigQueryRun {
    let home = try TestHome(token: token)
    var options = BigQueryOptions(table: bigQueryTable, jobProject: liveProject)
    options.gcloudCommand = nil
    options.retry = .quickForTests
    options.timeouts = .shortForTests
    options.accessTokenFile = home.tokenFile
    options.maximumWait = 20
    configure(&options)
    let session = BigQuerySession(options: options, environment: server.environment(home: home.url), redactor: Redactor())
    nonisolated(unsafe) var estimates: [Int64] = []
    session.onEstimate = { bytes, _ in estimates.append(bytes) }
    let query = RecordingFlowQuery()
    let collector = EvidenceCollector()
    let result = session.run(query, into: collector)
    return BigQueryRun(result: result, query: query, collector: collector, estimates: estimates)
}

/// The fake's `bigquery/query.json`: a flow-group schema with nested and repeated columns.
func bigQueryFixture(rows: Int, _ extra: [String: Any] = [:]) -> [String: Any] {
    let schema: [String: Any] = [
        "fields": [
            ["name": "disposition", "type": "STRING", "mode": "NULLABLE"],
            ["name": "count", "type": "INTEGER", "mode": "NULLABLE"],
            ["name": "first_seen", "type": "TIMESTAMP", "mode": "NULLABLE"],
            ["name": "src_samples", "type": "STRING", "mode": "REPEATED"],
            [
                "name": "rule", "type": "RECORD", "mode": "NULLABLE",
                "fields": [["name": "reference", "type": "STRING"], ["name": "priority", "type": "INTEGER"]],
            ],
            ["name": "ports", "type": "RECORD", "mode": "REPEATED", "fields": [["name": "port", "type": "INTEGER"]]],
        ]
    ]
    var fixture: [String: Any] = [
        "schema": schema, "dry_run_bytes": 1_500_000_000,
        "tables": ["\(bigQueryTable.qualifiedName)"],
        "rows": (0..<rows).map(fixtureRow),
    ]
    fixture.merge(extra) { $1 }
    return fixture
}

/// The fixture's row `i`, as plain JSON.
func fixtureRow(_ i: Int) -> [String: Any] {
    let rule: Any = i == 0 ? NSNull() : ["reference": "network:kf-vpc/firewall:deny-\(i)", "priority": 1000] as [String: Any]
    let ports: [[String: Any]] = [["port": 443], ["port": 10250 + i]]
    let count: Int = 1000 + i
    let firstSeen: Int = 1_795_000_000_000_000 + i
    let samples: [String] = ["10.8.0.\(i)", "10.8.1.\(i)"]
    return ["disposition": i % 2 == 0 ? "DENIED" : "ALLOWED", "count": count, "first_seen": firstSeen, "src_samples": samples, "rule": rule, "ports": ports]
}

/// The row the fixture's row `i` must decode to.
func expectedRow(_ i: Int) -> QueryRow {
    QueryRow([
        "disposition": .string(i % 2 == 0 ? "DENIED" : "ALLOWED"), "count": .string("\(1000 + i)"),
        "first_seen": .string("\(1_795_000_000_000_000 + i)"),
        "src_samples": .array([.string("10.8.0.\(i)"), .string("10.8.1.\(i)")]),
        "rule": i == 0 ? .null : .record(["reference": .string("network:kf-vpc/firewall:deny-\(i)"), "priority": .string("1000")]),
        "ports": .array([.record(["port": .string("443")]), .record(["port": .string("\(10250 + i)")])]),
    ])
}

/// A BigQuery error answer, shaped as the API sends it.
func bigQueryErrorBody(status: Int, reason: String, message: String) -> [String: Any] {
    [
        "error": [
            "code": status, "message": message, "status": status == 404 ? "NOT_FOUND" : status == 400 ? "INVALID_ARGUMENT" : "PERMISSION_DENIED",
            "errors": [["message": message, "domain": "global", "reason": reason]],
        ]
    ]
}

/// `--bigquery` end to end through the real libcurl client against tools/fakegcp/server.py.
@Suite(.serialized) struct BigQueryFetchTests {
    @Test func aQueryThatReturnsNoRowsIsNamedNotTakenForNoInput() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 0, [:]))
        let run = try bigQueryRun(server) { _ in }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.collector.account.inputs == 1)
        let lines = run.collector.finishReading()
        #expect(lines == ["bigquery:test: no evidence read: the query returned no rows (no firewall log entries in the table for the window)"], "\(lines)")
    }

    @Test func dryRunThenPagesThroughEveryRowDecodingNestedValues() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 7, ["page_size": 3, "location": "EU"]))
        let run = try bigQueryRun(server) { $0.location = "EU" }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.estimates == [1_500_000_000])
        #expect(run.result.estimatedBytes == 1_500_000_000)
        #expect(run.result.processedBytes == 1_500_000_000)
        #expect(run.query.table == "`kf-logs-1234.firewall_logs.compute_googleapis_com_firewall`")
        #expect(run.query.pages.map(\.count) == [3, 3, 1])
        #expect(run.query.pages.flatMap { $0 } == (0..<7).map(expectedRow))
        #expect((run.result.rows, run.result.pages, run.result.polls) == (7, 3, 0))
        #expect(run.collector.account.inputErrors.isEmpty)
        // Three pages, one query: one input.
        #expect(run.collector.account.inputs == 1)

        let posts = server.requests(pathPrefix: bigQueryPath).filter { $0["method"] as? String == "POST" }
        #expect(posts.count == 2)
        let dry = posts[0]["body"] as? [String: Any] ?? [:]
        let real = posts[1]["body"] as? [String: Any] ?? [:]
        #expect(dry["dryRun"] as? Bool == true)
        #expect(real["dryRun"] as? Bool == false)
        for body in [dry, real] {
            #expect(body["useLegacySql"] as? Bool == false)
            #expect(body["maximumBytesBilled"] as? String == "10000000000", "an int64 is a JSON string in the REST API")
            #expect(body["location"] as? String == "EU")
            #expect((body["query"] as? String)?.contains(bigQueryTable.sqlIdentifier) == true)
        }
        #expect((real["formatOptions"] as? [String: Any])?["useInt64Timestamp"] as? Bool == true)
        #expect((real["requestId"] as? String)?.isEmpty == false)
        #expect(real["requestId"] as? String != dry["requestId"] as? String)
        let gets = server.requests(pathPrefix: bigQueryPath + "/").filter { $0["method"] as? String == "GET" }
        #expect(gets.count == 2)
        let queries = gets.compactMap { $0["query"] as? [String: [String]] }
        #expect(queries.map { $0["pageToken"] ?? [] } == [["3"], ["6"]])
        #expect(queries.allSatisfy { $0["location"] == ["EU"] && $0["formatOptions.useInt64Timestamp"] == ["true"] })
        #expect(gets.allSatisfy { ($0["headers"] as? [String: String])?["authorization"] == "REDACTED" }, "every call carries the token")
    }

    @Test func aRunningJobIsPolledUntilItCompletes() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 2, ["running_polls": 3, "location": "europe-west1"]))
        let run = try bigQueryRun(server)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.polls == 3)
        #expect(run.query.pages.flatMap { $0 } == [expectedRow(0), expectedRow(1)])
        let gets = server.requests(pathPrefix: bigQueryPath + "/job_fake1")
        #expect(gets.count == 3)
        // The job's location comes from its reference: getQueryResults needs it.
        #expect(gets.allSatisfy { ($0["query"] as? [String: [String]])?["location"] == ["europe-west1"] })
        #expect(run.result.jobID == "job_fake1")
    }

    @Test func aJobStillRunningPastTheWaitIsReportedWithItsID() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 2, ["running_polls": 1000]))
        let run = try bigQueryRun(server) { $0.maximumWait = 0.5 }
        #expect(run.failureText.contains("job_fake1 was still running"), "\(run.failureText)")
        #expect(run.failureText.contains("bq show -j"))
        #expect(run.query.pages.isEmpty)
        #expect(run.collector.account.inputErrors.count == 1, "a source not read never reads as nothing wrong")
    }

    @Test func aUsedUpQuotaSaysWhichAndIsNotRetried() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 1, [
            "error": ["reason": "quotaExceeded", "message": "Quota exceeded: Your project exceeded quota for free query bytes scanned."]
        ]))
        let run = try bigQueryRun(server)
        #expect(run.failureText.contains("a BigQuery quota of project \(liveProject) is used up"), "\(run.failureText)")
        #expect(run.failureText.contains("free query bytes scanned"))
        #expect(run.failureText.contains("iam-admin/quotas"))
        #expect(server.requests(pathPrefix: bigQueryPath).count == 1)
        #expect(run.query.pages.isEmpty)
    }

    @Test func theRateLimitIsRetriedWithBackoff() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 1, [
            "error": ["reason": "rateLimitExceeded", "message": "Exceeded rate limits: too many api requests per user per method", "times": 2]
        ]))
        let run = try bigQueryRun(server)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.query.pages.flatMap { $0 } == [expectedRow(0)])
        #expect(server.requests(pathPrefix: bigQueryPath).count == 4, "two refused, the dry run, the query")
    }

    @Test func accessDeniedNamesBothRolesWithTheCommands() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 1, [
            "error": ["reason": "accessDenied", "message": "Access Denied: Project \(liveProject): User does not have bigquery.jobs.create permission in project \(liveProject)."]
        ]))
        let run = try bigQueryRun(server)
        #expect(run.failureText.contains("access denied (HTTP 403: Access Denied"), "\(run.failureText)")
        #expect(run.failureText.contains("gcloud projects add-iam-policy-binding \(liveProject) --member=user:YOU@EXAMPLE.COM --role=roles/bigquery.jobUser"))
        #expect(run.failureText.contains("gcloud projects add-iam-policy-binding kf-logs-1234 --member=user:YOU@EXAMPLE.COM --role=roles/bigquery.dataViewer"))
    }

    @Test func aMissingTableOrAWrongLocationSaysWhatToCheck() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 1, ["tables": ["kf-logs-1234.firewall_logs.compute_googleapis_com_firewall_20261122"]]))
        let run = try bigQueryRun(server)
        #expect(run.failureText.contains("not found (HTTP 404: Not found: Table kf-logs-1234:firewall_logs.compute_googleapis_com_firewall"), "\(run.failureText)")
        #expect(run.failureText.contains("kf-logs-1234.firewall_logs.compute_googleapis_com_firewall_*"))
        #expect(run.failureText.contains("--bigquery-location"))
        // Date shards, by their wildcard, are found.
        let shards = try bigQueryRun(server) { $0.table.table = "compute_googleapis_com_firewall_*" }
        #expect(shards.result.failures.isEmpty, "\(shards.failureText)")

        try server.write("bigquery/query.json", bigQueryFixture(rows: 1, ["location": "EU"]))
        let elsewhere = try bigQueryRun(server) { $0.location = "US" }
        #expect(elsewhere.failureText.contains("was not found in location US"), "\(elsewhere.failureText)")
    }

    @Test func aQueryOverMaxBytesIsRefusedBeforeItRuns() throws {
        let server = try FakeGCPServer()
        try server.write("bigquery/query.json", bigQueryFixture(rows: 1, ["dry_run_bytes": 12_345_678_901]))
        let run = try bigQueryRun(server)
        #expect(run.result.refused)
        #expect(run.estimates == [12_345_678_901], "the estimate is shown before the refusal")
        #expect(run.failureText.contains("would scan 12.3 GB of kf-logs-1234.firewall_logs.compute_googleapis_com_firewall, more than --max-bytes 10 GB; it was not run"), "\(run.failureText)")
        #expect(run.failureText.contains("--max-bytes=13GB"))
        let posts = server.requests(pathPrefix: bigQueryPath)
        #expect(posts.count == 1 && (posts.first?["body"] as? [String: Any])?["dryRun"] as? Bool == true, "only the dry run was sent")
        #expect(run.query.pages.isEmpty)

        // The suggested limit is enough.
        let raised = try bigQueryRun(server) { $0.maximumBytes = try! ByteCount.parse("13GB") }
        #expect(raised.result.failures.isEmpty && !raised.result.refused, "\(raised.failureText)")
        #expect(raised.query.pages.count == 1)
    }

    @Test func bigQuerysOwnByteLimitIsExplainedToo() throws {
        // The dry run passes but BigQuery refuses the job (its estimate grew, say).
        let server = try FakeGCPServer(files: [
            "errors.json": [
                "POST \(bigQueryPath)": [
                    ["pass": true],
                    ["status": 400, "body": bigQueryErrorBody(status: 400, reason: "bytesBilledLimitExceeded", message: "Query exceeded limit for bytes billed: 10000000000. 10485760000 or higher required.")],
                ]
            ]
        ])
        try server.write("bigquery/query.json", bigQueryFixture(rows: 1))
        let run = try bigQueryRun(server)
        #expect(run.failureText.contains("would bill more than --max-bytes 10 GB and was not run"), "\(run.failureText)")
        #expect(run.failureText.contains("10485760000 or higher required"))
        #expect(run.failureText.contains("raise the limit with --max-bytes"))
        #expect(!run.result.refused, "the dry run allowed it")
    }

    @Test func aTokenEchoedByTheServerIsNeverPrinted() throws {
        let token = "ya29.bq-secret-Zq8Hx2Vb7Nc4Mk1Lp9Rw3"
        let server = try FakeGCPServer(files: [
            "errors.json": ["POST \(bigQueryPath)": [["status": 403, "echo": "all"], ["status": 400, "echo": "token", "shape": "text"]]]
        ])
        for _ in 0..<2 {
            let run = try bigQueryRun(server, token: token)
            #expect(!run.failureText.isEmpty)
            #expect(!run.failureText.contains(token), "\(run.failureText)")
            #expect(!run.failureText.contains("bq-secret"), "not even a part of it")
        }
    }
}

/// The parts of `--bigquery` that need no server.
@Suite struct BigQueryPiecesTests {
    @Test func tableNamesAreCheckedAndQuotedForSQL() throws {
        let table = try BigQueryTable(parsing: "kf-logs-1234.firewall_logs")
        #expect(table == bigQueryTable)
        #expect(table.sqlIdentifier == "`kf-logs-1234.firewall_logs.compute_googleapis_com_firewall`")
        #expect(try BigQueryTable(parsing: "kf-logs-1234.firewall_logs.compute_googleapis_com_firewall_*").table == "compute_googleapis_com_firewall_*")
        let scoped = try BigQueryTable(parsing: "example.com:kf-logs.firewall_logs.t1")
        #expect((scoped.project, scoped.dataset, scoped.table) == ("example.com:kf-logs", "firewall_logs", "t1"))
        for bad in [
            "kf-logs-1234", "kf-logs-1234.", "kf-logs-1234.firewall_logs.t.u", "Kf-Logs.firewall_logs", "kf-logs-1234.fire-wall",
            "kf-logs-1234.firewall_logs.t`; DROP TABLE x; --", "kf-logs-1234.firewall_logs.*t", "kf-logs-1234.d.t\\n",
        ] {
            #expect(throws: TriageError.self, "\(bad)") { try BigQueryTable(parsing: bad) }
        }
    }

    @Test func maxBytesTakesSuffixesAndPrintsDecimalUnits() throws {
        #expect(try ByteCount.parse("500MB") == 500_000_000)
        #expect(try ByteCount.parse("2GB") == 2_000_000_000)
        #expect(try ByteCount.parse("1.5tb") == 1_500_000_000_000)
        #expect(try ByteCount.parse("10GiB") == 10_737_418_240)
        #expect(try ByteCount.parse("123456") == 123_456)
        for bad in ["", "GB", "-1GB", "0", "ten", "1e30", "5 PB"] {
            #expect(throws: TriageError.self, "\(bad)") { try ByteCount.parse(bad) }
        }
        #expect(ByteCount.format(ByteCount.defaultMaximum) == "10 GB")
        #expect(ByteCount.format(1_500_000_000) == "1.5 GB")
        #expect(ByteCount.format(999) == "999 B")
        #expect(BigQuerySession.roundedUp(12_345_678_901) == 13_000_000_000)
        #expect(BigQuerySession.roundedUp(13_000_000_000) == 13_000_000_000)
        #expect(BigQuerySession.roundedUp(1_234_567) == 1_300_000)
    }

    @Test func theBigQueryEndpointFollowsGcloudsOverride() {
        #expect(Endpoints(environment: [:]).bigquery == "https://bigquery.googleapis.com/bigquery/v2/")
        #expect(Endpoints(environment: ["CLOUDSDK_API_ENDPOINT_OVERRIDES_BIGQUERY": "http://127.0.0.1:9/"]).bigquery == "http://127.0.0.1:9/bigquery/v2/")
    }

    @Test func rowsThatDoNotFitTheSchemaAreRefused() throws {
        let schema = try #require(BigQuerySchema(["fields": [["name": "a", "type": "STRING"], ["name": "b", "type": "RECORD", "fields": [["name": "c", "type": "INT64"]]]]]))
        #expect(schema.decode([["f": [["v": "x"], ["v": ["f": [["v": "1"]]]]]]]) == [QueryRow(["a": .string("x"), "b": .record(["c": .string("1")])])])
        #expect(schema.decode([["f": [["v": "x"]]]]) == nil, "a cell short")
        #expect(schema.decode([["f": [["v": 1], ["v": NSNull()]]]]) == nil, "a scalar that is not a string")
        #expect(schema.decode([["f": [["v": "x"], ["v": "not a record"]]]]) == nil)
    }
}
