import Foundation

/// What a `--bigquery` run did.
public struct BigQueryResult: Sendable {
    /// What went wrong; each also counts in the run's account as a source not read.
    public var failures: [TriageError] = []
    /// The dry run said the query scans more than `--max-bytes`: it was not run.
    public var refused = false
    public var interrupted = false
    /// Where the token came from.
    public var credentials: String?
    /// The dry run's figure, and the finished job's.
    public var estimatedBytes: Int64?
    public var processedBytes: Int64?
    public var cacheHit = false
    public var jobID: String?
    public var rows = 0
    public var pages = 0
    public var polls = 0
    public var requests = 0
}

/// `triage --bigquery`: the aggregation runs in BigQuery, where the sink's logs already are;
/// its rows (one per flow group) join the same collector as files and `--live` do. A dry run
/// comes first, and the query is not run when it would scan more than `--max-bytes`.
public final class BigQuerySession: @unchecked Sendable {
    public let options: BigQueryOptions
    public let cancellation = Cancellation()
    let environment: [String: String]
    let client: APIClient
    let jobs: BigQueryClient
    /// Called with the dry run's estimate before the query runs (or is refused).
    public var onEstimate: ((_ bytes: Int64, _ credentials: String) -> Void)?

    public init(
        options: BigQueryOptions, environment: [String: String], transport: HTTPTransport = CurlTransport(),
        trace: (@Sendable (String) -> Void)? = nil, redactor: Redactor = .shared
    ) {
        self.options = options
        self.environment = environment
        client = APIClient(
            transport: transport, cancellation: cancellation, retry: options.retry, timeouts: options.timeouts, trace: trace,
            redactor: redactor)
        jobs = BigQueryClient(client: client, options: options, base: Endpoints(environment: environment).bigquery)
    }

    public var redactor: Redactor { client.redactor }

    public func run(_ query: FlowQuery, into collector: EvidenceCollector) -> BigQueryResult {
        var result = BigQueryResult()
        do throws(TriageError) {
            try run(query, collector, &result)
        } catch {
            let error = redactor.redact(error)
            result.failures.append(error)
            collector.countUnreadable(error)
        }
        result.interrupted = cancellation.isCancelled
        result.requests = client.requestCount
        return result
    }

    private func run(_ query: FlowQuery, _ collector: EvidenceCollector, _ result: inout BigQueryResult) throws(TriageError) {
        let credentials = try Credentials.discover(
            accessTokenFile: options.accessTokenFile, environment: environment, client: client, gcloud: options.gcloudCommand,
            project: options.jobProject)
        client.credentials = credentials
        result.credentials = credentials.origin
        let sql = query.bigQuerySQL(table: options.table.sqlIdentifier)
        let estimate = try jobs.dryRun(sql)
        result.estimatedBytes = estimate
        onEstimate?(estimate, credentials.origin)
        guard estimate <= options.maximumBytes else {
            result.refused = true
            throw .noData(
                source: BigQueryClient.kind.what,
                reason: "the query would scan \(ByteCount.format(estimate)) of \(options.table.qualifiedName), more than --max-bytes \(ByteCount.format(options.maximumBytes)); it was not run",
                hint: "raise the limit with --max-bytes=\(ByteCount.format(Self.roundedUp(estimate)).replacingOccurrences(of: " ", with: "")) (the query then bills up to that many bytes), or narrow the window with --since or --from/--to")
        }
        let run = try jobs.run(sql) { rows in
            query.ingest(rows, into: collector)
        }
        collector.countQueryResult(input: query.input, rows: run.rows)
        result.jobID = run.jobID
        result.rows = run.rows
        result.pages = run.pages
        result.polls = run.polls
        result.processedBytes = run.bytesProcessed
        result.cacheHit = run.cacheHit
    }

    /// A `--max-bytes` value just above `bytes` with two significant digits: 12.3 GB → 13GB.
    static func roundedUp(_ bytes: Int64) -> Int64 {
        var scale: Int64 = 1
        while bytes / scale >= 100 { scale *= 10 }
        return (bytes + scale - 1) / scale * scale
    }
}
