import Foundation

/// `jobs.query` and `jobs.getQueryResults` of the BigQuery REST API (v2) over the shared
/// `APIClient` (credentials, retries, tracing, redaction): a dry run, and a run that waits for
/// the job (`jobComplete: false` answers are polled, bounded) and pages through its rows.
struct BigQueryClient {
    let client: APIClient
    let options: BigQueryOptions
    /// The API base, `…/bigquery/v2/` (see `Endpoints.bigquery`).
    let base: String

    /// What a finished run read.
    struct Run {
        var jobID: String?
        var rows = 0
        var pages = 0
        /// `jobComplete: false` answers waited out.
        var polls = 0
        var bytesProcessed: Int64?
        var cacheHit = false
    }

    static let kind = APIRequestKind(
        what: "firewall logs (BigQuery)", apiName: "BigQuery", service: "bigquery.googleapis.com",
        permission: "bigquery.jobs.create", role: "roles/bigquery.jobUser")

    private var queriesURL: String { base + "projects/\(LiveSession.queryEncode(options.jobProject))/queries" }

    /// The bytes the query would scan (`totalBytesProcessed` of a dry run); nothing is billed.
    func dryRun(_ sql: String) throws(TriageError) -> Int64 {
        let answer = try call(post(body(sql, dryRun: true)), url: queriesURL)
        guard let bytes = (answer["totalBytesProcessed"] as? String).flatMap(Int64.init) else {
            throw malformed("the dry run's answer has no totalBytesProcessed")
        }
        return bytes
    }

    /// Runs the query and hands each page of rows to `page` as it arrives.
    func run(_ sql: String, page: ([QueryRow]) -> Void) throws(TriageError) -> Run {
        var run = Run()
        let started = APIClient.now()
        var answer = try call(post(body(sql, dryRun: false)), url: queriesURL)
        let reference = answer["jobReference"] as? [String: Any]
        run.jobID = reference?["jobId"] as? String
        let location = reference?["location"] as? String ?? options.location
        let jobProject = reference?["projectId"] as? String ?? options.jobProject
        func resultsURL(_ token: String?) throws(TriageError) -> String {
            guard let jobID = run.jobID else { throw malformed("the answer names no job (jobReference.jobId) to read results from") }
            var url = base + "projects/\(LiveSession.queryEncode(jobProject))/queries/\(LiveSession.queryEncode(jobID))"
                + "?maxResults=\(options.pageSize)&timeoutMs=\(options.pollTimeoutMilliseconds)&formatOptions.useInt64Timestamp=true"
            if let location { url += "&location=\(LiveSession.queryEncode(location))" }
            if let token { url += "&pageToken=\(LiveSession.queryEncode(token))" }
            return url
        }
        // Each call already waits up to timeoutMs on the server; the pause between calls grows
        // with the retry policy's backoff, and the whole wait is bounded by maximumWait.
        while answer["jobComplete"] as? Bool != true {
            run.polls += 1
            let waited = APIClient.now() - started
            let pause = options.retry.pollDelay(afterPoll: run.polls)
            guard waited + pause <= options.maximumWait else {
                throw TriageError.noData(
                    source: Self.kind.what,
                    reason: "the query job \(run.jobID ?? "?") was still running after \(Int(waited)) s; its rows were not read",
                    hint: "the job goes on in BigQuery (see it with: bq show -j \(location.map { "--location=\(Template.shellWord($0)) " } ?? "")\(Template.shellWord(run.jobID ?? "JOB_ID"))); narrow the window with --since or --from/--to and run again")
            }
            client.trace?("  BigQuery job \(run.jobID ?? "?") still running; asking again in \(String(format: "%.2f", pause)) s")
            guard client.pause(pause) else { throw TriageError.noData(source: Self.kind.what, reason: "interrupted while the job ran", hint: nil) }
            let url = try resultsURL(nil)
            answer = try call(get(url), url: url)
        }
        run.bytesProcessed = (answer["totalBytesProcessed"] as? String).flatMap(Int64.init)
        run.cacheHit = answer["cacheHit"] as? Bool ?? false
        let totalRows = (answer["totalRows"] as? String).flatMap(Int.init)
        var schema = BigQuerySchema(answer["schema"])
        while true {
            let rows = answer["rows"] as? [Any] ?? []
            if !rows.isEmpty {
                guard let decoded = schema?.decode(rows) else {
                    throw malformed("page \(run.pages + 1) of the job's rows does not fit the result schema")
                }
                run.pages += 1
                run.rows += decoded.count
                page(decoded)
            }
            guard let token = (answer["pageToken"] as? String).flatMap({ $0.isEmpty ? nil : $0 }) else { break }
            if client.cancellation.isCancelled { throw TriageError.noData(source: Self.kind.what, reason: "interrupted after \(run.rows) rows", hint: nil) }
            let url = try resultsURL(token)
            answer = try call(get(url), url: url)
            if let next = BigQuerySchema(answer["schema"]) { schema = next }
        }
        if let totalRows, run.rows < totalRows {
            throw TriageError.noData(
                source: Self.kind.what, reason: "the job \(run.jobID ?? "?") has \(totalRows) rows but the pages gave \(run.rows); the findings cover only those",
                hint: "run again")
        }
        return run
    }

    // MARK: requests

    /// QueryRequest. `requestId` makes a retried POST (after a lost answer) the same query, not
    /// a second billed one.
    private func body(_ sql: String, dryRun: Bool) -> [String: Any] {
        var body: [String: Any] = [
            "query": sql, "useLegacySql": false, "dryRun": dryRun, "maximumBytesBilled": String(options.maximumBytes),
            "requestId": UUID().uuidString.lowercased(),
        ]
        if !dryRun {
            body["maxResults"] = options.pageSize
            body["timeoutMs"] = options.pollTimeoutMilliseconds
            body["formatOptions"] = ["useInt64Timestamp": true]
        }
        if let location = options.location { body["location"] = location }
        return body
    }

    private func post(_ body: [String: Any]) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: queriesURL, headers: [("Accept", "application/json"), ("Content-Type", "application/json")],
            body: Array((try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()), timeouts: options.timeouts)
    }

    private func get(_ url: String) -> HTTPRequest {
        HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")], timeouts: options.timeouts)
    }

    /// One answer, decoded. BigQuery says `rateLimitExceeded` with HTTP 403, which the shared
    /// client does not retry: it is retried here, with the same backoff.
    private func call(_ request: HTTPRequest, url: String) throws(TriageError) -> [String: Any] {
        let started = APIClient.now()
        var attempt = 0
        while true {
            attempt += 1
            let answer: (bytes: [UInt8], object: [String: Any])
            do throws(FetchFailure) {
                answer = try client.json(request)
            } catch {
                if case .http(403, let body) = error, Self.reasons(body).contains("rateLimitExceeded"),
                    let wait = client.backoff(afterAttempt: attempt, elapsed: APIClient.now() - started)
                {
                    client.trace?("  BigQuery rate limit; retrying in \(String(format: "%.2f", wait)) s")
                    if client.pause(wait) { continue }
                }
                throw failure(error, url: url)
            }
            guard !answer.object.isEmpty || answer.bytes.isEmpty else { throw malformed("the answer is not JSON") }
            return answer.object
        }
    }

    private func malformed(_ reason: String) -> TriageError {
        .noData(source: Self.kind.what, reason: "\(URL(string: base)?.host ?? base): \(reason)", hint: nil)
    }

    /// `error.errors[].reason` of a BigQuery error answer.
    static func reasons(_ body: [UInt8]) -> [String] {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        return ((object?["error"] as? [String: Any])?["errors"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
    }

    /// A failed call in the user's terms, with the fix: the roles BigQuery needs, the quota, the
    /// table's name and location, the byte limit.
    func failure(_ error: FetchFailure, url: String) -> TriageError {
        let host = URL(string: url)?.host ?? url
        switch error {
        case .credentials(let error): return error
        case .transport(let transport):
            return .noData(
                source: Self.kind.what, reason: "\(host): \(transport.sentence)",
                hint: transport == .cancelled ? nil : "check the network and proxy settings (HTTPS_PROXY, NO_PROXY)")
        case .http(let status, let body): return failure(status: status, body: body, host: host)
        }
    }

    private func failure(status: Int, body: [UInt8], host: String) -> TriageError {
        let kind = Self.kind
        let redactor = client.redactor
        let api = GoogleAPIError(status: status, body: body, redactor: redactor)
        let reasons = Self.reasons(body)
        let jobProject = Template.shellWord(options.jobProject)
        let table = options.table
        let grant = "the account needs roles/bigquery.jobUser on project \(options.jobProject) (to run the query) and roles/bigquery.dataViewer on the dataset \(table.project):\(table.dataset) (to read it): "
            + "gcloud projects add-iam-policy-binding \(jobProject) --member=user:YOU@EXAMPLE.COM --role=roles/bigquery.jobUser; "
            + "gcloud projects add-iam-policy-binding \(Template.shellWord(table.project)) --member=user:YOU@EXAMPLE.COM --role=roles/bigquery.dataViewer"
        let said = "(HTTP \(status): \(api.message))"
        let result: TriageError
        if reasons.contains("bytesBilledLimitExceeded") {
            result = .noData(
                source: kind.what, reason: "the query would bill more than --max-bytes \(ByteCount.format(options.maximumBytes)) and was not run \(said)",
                hint: "raise the limit with --max-bytes (it bills up to that many bytes), or narrow the window with --since or --from/--to")
        } else if reasons.contains("quotaExceeded") {
            result = .noData(
                source: kind.what, reason: "a BigQuery quota of project \(options.jobProject) is used up \(said)",
                hint: "the message names the quota; wait for it to refill (daily quotas reset at midnight Pacific time), narrow the window with --since, or ask for more at https://console.cloud.google.com/iam-admin/quotas?project=\(options.jobProject)")
        } else if reasons.contains("rateLimitExceeded") {
            result = .noData(source: kind.what, reason: "BigQuery's rate limit held after the retries \(said)", hint: "run again in a minute")
        } else if reasons.contains("accessDenied") || api.kind == .permissionDenied {
            result = .noData(source: kind.what, reason: "access denied \(said)", hint: grant)
        } else if reasons.contains("notFound") || api.kind == .notFound {
            result = .noData(
                source: kind.what, reason: "not found \(said)",
                hint: "check --bigquery \(table.qualifiedName) and --bigquery-location (the dataset's location); 'bq ls \(Template.shellWord("\(table.project):\(table.dataset)"))' lists the tables; a sink made without --use-partitioned-tables writes date shards, read as \(table.project).\(table.dataset).\(BigQueryTable.sinkTable)_*")
        } else {
            result = kind.failure(api, project: options.jobProject, host: host)
        }
        return redactor.redact(result)
    }
}

extension RetryPolicy {
    /// The pause before asking again about a running job: the backoff's ceiling for that try,
    /// without jitter (nothing contends; the server already held each call up to `timeoutMs`).
    func pollDelay(afterPoll poll: Int) -> Double {
        min(maximumDelay, initialDelay * pow(2, Double(max(poll, 1) - 1)))
    }
}
