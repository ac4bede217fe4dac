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
        #expect(LiveSession.region(of: "us-central1-a") == "us-central1")
        #expect(LiveSession.region(of: "europe-west4") == "europe-west4")
    }
}
