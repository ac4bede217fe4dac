import Foundation
import Testing
@testable import TriageKit

/// The small parts of live mode that need no server.
@Suite struct LivePiecesTests {
    @Test func endpointOverridesFollowGcloud() {
        let standard = Endpoints(environment: [:])
        #expect(standard == .google)
        let local = Endpoints(environment: [
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING": "http://127.0.0.1:9/",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": "http://127.0.0.1:9/",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS": "http://127.0.0.1:9/custom/dns/v1",
        ])
        #expect(local.logging == "http://127.0.0.1:9/v2/")
        #expect(local.compute == "http://127.0.0.1:9/compute/v1/")
        #expect(local.dns == "http://127.0.0.1:9/custom/dns/v1/")
        #expect(local.container == Endpoints.google.container)
    }

    @Test func backoffGrowsStaysBoundedAndHonoursRetryAfter() {
        let policy = RetryPolicy(maximumAttempts: 5, initialDelay: 0.5, maximumDelay: 4, maximumTotal: 30)
        var generator = SplitMix64(seed: 7)
        for attempt in 1...4 {
            for _ in 0..<50 {
                let wait = policy.delay(afterAttempt: attempt, elapsed: 0, retryAfter: nil, using: &generator)
                #expect(wait != nil && wait! >= 0 && wait! <= min(4, 0.5 * pow(2, Double(attempt - 1))))
            }
        }
        #expect(policy.delay(afterAttempt: 5, elapsed: 0, retryAfter: nil, using: &generator) == nil)
        #expect(policy.delay(afterAttempt: 1, elapsed: 0, retryAfter: 7, using: &generator) == 7)
        #expect(policy.delay(afterAttempt: 1, elapsed: 25, retryAfter: 7, using: &generator) == nil, "past the time budget")
        #expect(RetryPolicy.parseRetryAfter("3") == 3)
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let later = now.addingTimeInterval(12)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(RetryPolicy.parseRetryAfter(formatter.string(from: later), now: now) == 12)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }

    @Test func googleErrorsAreClassifiedByTheirDetails() throws {
        let disabled = try JSONSerialization.data(withJSONObject: serviceDisabledBody(service: "container.googleapis.com", title: "Kubernetes Engine"))
        #expect(GoogleAPIError(status: 403, body: Array(disabled)).kind == .serviceDisabled(service: "container.googleapis.com"))
        let compute = #"{"error":{"code":403,"message":"Compute Engine API has not been used in project 1 before or it is disabled.","errors":[{"message":"x","domain":"usageLimits","reason":"accessNotConfigured"}]}}"#
        #expect(GoogleAPIError(status: 403, body: Array(compute.utf8)).kind == .serviceDisabled(service: nil))
        let denied = #"{"error":{"code":403,"message":"Required 'compute.firewalls.list' permission for 'projects/p'","errors":[{"reason":"forbidden"}]}}"#
        #expect(GoogleAPIError(status: 403, body: Array(denied.utf8)).kind == .permissionDenied)
        #expect(GoogleAPIError(status: 401, body: []).kind == .credentialsRejected)
        let hostile = GoogleAPIError(status: 500, body: Array(#"{"error":{"message":"bad \u001b[31m red"}}"#.utf8))
        #expect(!hostile.message.contains("\u{1B}"))
        let failure = APIRequestKind.firewalls.failure(GoogleAPIError(status: 403, body: Array(denied.utf8)), project: "p", host: "h")
        #expect(failure.description.contains("compute.firewalls.list"))
        #expect(failure.description.contains("roles/compute.networkViewer"))
    }

    @Test func theTimeWindowIsAlwaysInTheFilter() throws {
        let now = TimeWindow.parse("2026-11-22T12:00:00Z")!
        let day = try TimeWindow.since("24h", now: now)
        #expect(day.from == TimeWindow.parse("2026-11-21T12:00:00Z"))
        #expect(try TimeWindow.since("90m", now: now).from == now.addingTimeInterval(-5400))
        #expect(try TimeWindow.since("7d", now: now).from == now.addingTimeInterval(-7 * 86400))
        #expect(throws: TriageError.self) { try TimeWindow.since("yesterday", now: now) }
        #expect(throws: TriageError.self) { try TimeWindow.between("2026-11-22T10:00:00Z", "2026-11-22T09:00:00Z") }
        let window = try TimeWindow.between("2026-11-22T09:00:00Z", "2026-11-22T10:00:00.5Z")
        let filter = window.firewallFilter(project: "p")
        #expect(filter == #"logName="projects/p/logs/compute.googleapis.com%2Ffirewall" AND jsonPayload.disposition="DENIED" AND timestamp>="2026-11-22T09:00:00.000Z" AND timestamp<="2026-11-22T10:00:00.500Z""#)
        #expect(GCPLocation.region(of: "us-central1-a") == "us-central1")
        #expect(GCPLocation.region(of: "europe-west4") == "europe-west4")
    }
}

/// The progress line, the operations window and gcloud's quota project, without a server.
@Suite struct LiveProgressAndWindowTests {
    static func counts(_ done: Int, pages: Int, logPages: Int, entries: Int, flows: Int, observations: Int) -> LiveCounts {
        var counts = LiveCounts()
        counts.sourcesDone = done
        counts.sourcesTotal = 9
        counts.pages = pages
        counts.logPages = logPages
        counts.firewallRecords = entries
        counts.deniedFlows = flows
        counts.observations = observations
        return counts
    }

    @Test func theProgressLineSaysWhatWasReadAndWhatTheFindingsWillBeMadeOf() {
        let counts = Self.counts(4, pages: 12, logPages: 3, entries: 2_500, flows: 17, observations: 6)
        let line = LiveProgress.line(counts, width: 300)
        for part in ["4/9 sources", "12 pages", "2500 log entries", "so far 17 denied flows", "6 observations"] {
            #expect(line.contains(part), "\(line)")
        }
        #expect(!line.contains("\u{1B}") && !line.contains("\n") && !line.contains("\r"))
        #expect(!line.contains("finding"), "flows are not findings yet")
        #expect(LiveProgress.line(Self.counts(9, pages: 40, logPages: 30, entries: 30_000, flows: 1_200, observations: 25), width: 80).count < 80)
        let narrow = LiveProgress.line(counts, width: 40)
        #expect(narrow.count == 39 && narrow.hasSuffix("…"), "never wider than the terminal, so the erase works")
        #expect(LiveProgress.line(Self.counts(1, pages: 1, logPages: 0, entries: 1, flows: 1, observations: 1), width: 300).contains("1 page, 1 log entry; so far 1 denied flow, 1 observation"))
    }

    @Test func theRendererThrottlesRedrawsAndErasesItsLine() {
        let progress = LiveProgress(width: 120)
        #expect(progress.finish() == "", "nothing to erase before the first line")
        let first = progress.update(Self.counts(1, pages: 1, logPages: 0, entries: 0, flows: 0, observations: 0), now: 100)
        #expect(first?.hasPrefix(LiveProgress.erase) == true)
        #expect(progress.update(Self.counts(1, pages: 2, logPages: 1, entries: 1000, flows: 3, observations: 0), now: 100.01) == nil)
        #expect(progress.update(Self.counts(2, pages: 2, logPages: 1, entries: 1000, flows: 3, observations: 0), now: 100.02) != nil, "a finished source is always shown")
        #expect(progress.update(Self.counts(2, pages: 3, logPages: 2, entries: 2000, flows: 3, observations: 0), now: 100 + 2 * LiveProgress.interval) != nil)
        #expect(progress.showing)
        #expect(progress.finish() == LiveProgress.erase)
        #expect(!progress.showing && progress.finish() == "")
    }

    @Test func operationsMeetTheWindowOrAreStillRunning() {
        let window = TimeWindow(from: TimeWindow.parse("2026-11-22T00:00:00Z")!, to: TimeWindow.parse("2026-11-22T06:00:00Z")!)
        func op(_ status: String, _ start: String?, _ end: String?) -> [String: Any] {
            var op: [String: Any] = ["status": status, "operationType": "UPDATE_CLUSTER"]
            if let start { op["startTime"] = start }
            if let end { op["endTime"] = end }
            return op
        }
        let cases: [(op: [String: Any], kept: Bool)] = [
            (op("DONE", "2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z"), false),
            (op("DONE", "2026-11-21T23:59:00.999999999Z", "2026-11-22T00:00:00.000000001Z"), true),
            (op("DONE", "2026-11-22T05:59:59.5Z", "2026-11-22T06:30:00Z"), true),
            (op("DONE", "2026-11-22T06:00:00.000001Z", "2026-11-22T06:30:00Z"), false),
            (op("DONE", "2026-11-21T00:00:00Z", "2026-11-23T00:00:00Z"), true),
            (op("RUNNING", "2026-11-01T00:00:00Z", nil), true),
            (op("PENDING", "2026-11-23T00:00:00Z", nil), true),
            (op("DONE", nil, nil), true),
        ]
        for (operation, kept) in cases {
            #expect(LiveSession.operation(operation, isIn: window) == kept, "\(operation)")
        }
        let nanos = LiveSession.parseTimestamp("2026-11-22T00:00:00.250000000Z")
        #expect(nanos == TimeWindow.parse("2026-11-22T00:00:00.25Z"))
        #expect(LiveSession.parseTimestamp("2026-11-22T01:00:00+01:00") == TimeWindow.parse("2026-11-22T00:00:00Z"))
        #expect(LiveSession.parseTimestamp("yesterday") == nil)
    }

    @Test func gcloudsQuotaProjectSettingsMeanWhatTheyMeanToGcloud() {
        // No gcloud is run: a command that does not exist fails, so only the variable counts.
        let gcloud = "triage-test-no-such-gcloud"
        func quota(_ value: String?) -> String? {
            Credentials.gcloudQuotaProject(gcloud, environment: value.map { ["CLOUDSDK_BILLING_QUOTA_PROJECT": $0, "PATH": "/nonexistent"] } ?? ["PATH": "/nonexistent"], project: "read-project")
        }
        #expect(quota("billing-7") == "billing-7")
        #expect(quota("CURRENT_PROJECT") == "read-project")
        #expect(quota("LEGACY") == nil)
        #expect(quota(nil) == nil)
        #expect(quota("bad value\u{1B}[31m") == nil, "what is not a project id is not sent")
    }
}

