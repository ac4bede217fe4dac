import Foundation
import Testing
@testable import TriageKit

/// `--live` end to end through the real libcurl client against tools/fakegcp/server.py.
@Suite(.serialized) struct LiveFetchTests {
    @Test func readsEverySourceAndPagesThroughTheLogs() throws {
        let server = try FakeGCPServer()
        let run = try liveRun(server) { $0.logPageSize = 10 }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        let denied = try deniedEntries(server)
        #expect(denied > 20)
        #expect(run.collector.account.firewallRecords == denied)
        #expect(run.collector.account.deniedRecords == denied)
        #expect(run.collector.clusters.count == 1)
        let pages = server.requests(pathPrefix: "/v2/entries:list")
        #expect(pages.count == (denied + 9) / 10)
        let bodies = pages.compactMap { $0["body"] as? [String: Any] }
        #expect(bodies.dropFirst().allSatisfy { $0["pageToken"] != nil })
        let filter = bodies.first?["filter"] as? String ?? ""
        #expect(filter.contains("timestamp>=\"2026-11-22T00:00:00"))
        #expect(filter.contains("jsonPayload.disposition=\"DENIED\""))
        #expect(bodies.first?["resourceNames"] as? [String] == ["projects/\(liveProject)"])
        // Every source was asked for, each with the token.
        for prefix in [
            "/v1/projects/\(liveProject)/locations/-/clusters", "/v1/projects/\(liveProject)/locations/-/operations",
            "/compute/v1/projects/\(liveProject)/global/firewalls", "/compute/v1/projects/\(liveProject)/global/routes",
            "/compute/v1/projects/\(liveProject)/global/networks", "/compute/v1/projects/\(liveProject)/regions/us-central1/subnetworks",
            "/compute/v1/projects/\(liveProject)/regions/us-central1/routers", "/dns/v1/projects/\(liveProject)/managedZones",
        ] {
            #expect(!server.requests(pathPrefix: prefix).isEmpty, "no request for \(prefix)")
        }
        #expect(run.result.progress.sourcesDone == run.result.progress.sourcesTotal)
        #expect(run.result.progress.logPages == pages.count)
    }

    @Test func aNamedClusterReadsOnlyThatOne() throws {
        let server = try FakeGCPServer()
        let run = try liveRun(server) { $0.clusterName = "kf-private" }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.collector.clusters.map(\.name) == ["kf-private"])
        let missing = try liveRun(server) { $0.clusterName = "no-such-cluster" }
        #expect(missing.failureText.contains("no cluster named no-such-cluster"))
        #expect(missing.failureText.contains("kf-private"))
        #expect(missing.collector.account.firewallRecords > 0, "the other sources are still read")
    }

    @Test func rejectedCredentialsSayHowToFixThem() throws {
        let server = try FakeGCPServer(files: ["auth.json": ["access_tokens": ["good-token"]]])
        let run = try liveRun(server, token: "stale-token")
        #expect(run.failureText.contains("credentials rejected"))
        #expect(run.failureText.contains("HTTP 401"))
        #expect(run.failureText.contains("gcloud auth"))
        #expect(!run.failureText.contains("stale-token"))
        #expect(run.collector.account.firewallRecords == 0)
        #expect(!run.collector.account.inputErrors.isEmpty, "a missing source never reads as nothing wrong")
    }

    @Test func aDisabledAPINamesItAndTheRestIsStillRead() throws {
        let server = try FakeGCPServer(files: [
            "errors.json": [
                "GET /dns/v1/projects/\(liveProject)/managedZones": [
                    ["status": 403, "body": serviceDisabledBody(service: "dns.googleapis.com", title: "Cloud DNS")]
                ]
            ]
        ])
        let run = try liveRun(server)
        #expect(run.result.failures.count == 1, "\(run.failureText)")
        #expect(run.failureText.contains("no data from Cloud DNS zones"))
        #expect(run.failureText.contains("dns.googleapis.com) is not enabled in project \(liveProject)"))
        #expect(run.failureText.contains("gcloud services enable dns.googleapis.com"))
        #expect(run.collector.account.firewallRecords == (try deniedEntries(server)))
        #expect(run.collector.account.inputErrors.count == 1)
    }

    @Test func aMissingPermissionIsNamed() throws {
        let body: [String: Any] = [
            "error": [
                "code": 403, "status": "PERMISSION_DENIED",
                "message": "Permission 'logging.logEntries.list' denied on resource (or it may not exist).",
            ]
        ]
        let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": [["status": 403, "body": body]]]])
        let run = try liveRun(server)
        #expect(run.failureText.contains("permission logging.logEntries.list denied on project \(liveProject)"))
        #expect(run.failureText.contains("roles/logging.viewer"))
        #expect(run.collector.account.firewallRecords == 0)
        #expect(run.collector.clusters.count == 1, "the other sources are still read")
    }

    @Test func tooManyRequestsWaitsForRetryAfter() throws {
        let server = try FakeGCPServer(files: [
            "errors.json": ["GET /compute/v1/projects/\(liveProject)/global/firewalls": [["status": 429, "headers": ["Retry-After": "1"]]]]
        ])
        let run = try liveRun(server)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        let firewalls = server.requests(pathPrefix: "/compute/v1/projects/\(liveProject)/global/firewalls")
        #expect(firewalls.map { $0["status"] as? Int } == [429, 200])
        let times = firewalls.compactMap { ($0["time"] as? String).flatMap(Self.instant) }
        #expect(times.count == 2 && times[1].timeIntervalSince(times[0]) >= 0.95)
    }

    @Test func unavailableTwiceThenAnswered() throws {
        let server = try FakeGCPServer(files: [
            "errors.json": ["POST /v2/entries:list": [["status": 503], ["status": 503]]]
        ])
        let run = try liveRun(server)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(server.requests(pathPrefix: "/v2/entries:list").map { $0["status"] as? Int } == [503, 503, 200])
        #expect(run.collector.account.firewallRecords == (try deniedEntries(server)))
    }

    @Test func retriesStopAtTheAttemptLimit() throws {
        let server = try FakeGCPServer(files: [
            "errors.json": ["GET /compute/v1/projects/\(liveProject)/global/routes": Array(repeating: ["status": 500], count: 10)]
        ])
        let run = try liveRun(server)
        #expect(server.requests(pathPrefix: "/compute/v1/projects/\(liveProject)/global/routes").count == 4)
        #expect(run.failureText.contains("no data from routes (Compute Engine): HTTP 500"))
    }

    @Test func aStalledResponseIsCutAndRetriedBeforeItsBody() throws {
        let server = try FakeGCPServer(files: [
            "errors.json": ["GET /compute/v1/projects/\(liveProject)/global/networks": [["stall": 20, "after_bytes": 0]]]
        ])
        let run = try liveRun(server) { $0.timeouts.stall = 1 }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        // The list twice (cut, then whole); each network's effective firewalls are asked for after it.
        let lists = server.requests(pathPrefix: "/compute/v1/projects/\(liveProject)/global/networks")
            .filter { ($0["path"] as? String)?.contains("getEffectiveFirewalls") != true }
        #expect(lists.count == 2)
        #expect(run.seconds < 10)
    }

    @Test func aPageThatStallsMidwayEveryTimeIsReported() throws {
        let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": Array(repeating: ["stall": 20, "after_bytes": 3000], count: 4)]])
        let run = try liveRun(server) { $0.timeouts.stall = 1 }
        #expect(run.failureText.contains("no data from firewall logs (Cloud Logging): live:logging entries page 1 could not be read in full"))
        #expect(run.failureText.contains("stalled"))
        #expect(run.result.pageRetries == 3)
    }

    @Test func interruptingStopsFetchingAndKeepsWhatWasRead() throws {
        let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": [["stall": 30, "after_bytes": 0]]]])
        let run = try liveRun(server) { $0.timeouts.stall = 60 } beforeRun: { session in
            let cancellation = session.cancellation
            DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { cancellation.cancel() }
        }
        #expect(run.result.interrupted)
        #expect(run.seconds < 8)
        #expect(run.result.failures.isEmpty, "an interruption is not reported as a failed source: \(run.failureText)")
        #expect(run.collector.clusters.count == 1, "what was read before stays")
    }

    @Test func theQuotaProjectIsSentAndTheTokenIsNeverTraced() throws {
        let server = try FakeGCPServer(files: [
            "auth.json": [
                "access_tokens": ["issued-user-token"], "issued_token": "issued-user-token",
                "authorized_user": ["client_id": "id-1.apps.example", "client_secret": "secret-1", "refresh_token": "refresh-1"],
            ]
        ])
        let adc = server.root.appendingPathComponent("adc.json")
        let file: [String: Any] = [
            "type": "authorized_user", "client_id": "id-1.apps.example", "client_secret": "secret-1", "refresh_token": "refresh-1",
            "quota_project_id": "billing-project-7", "token_uri": server.base + "token",
        ]
        try JSONSerialization.data(withJSONObject: file).write(to: adc)
        let traced = TraceLines()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("live-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        var environment = server.environment(home: home)
        environment["GOOGLE_APPLICATION_CREDENTIALS"] = adc.path
        var options = LiveOptions(project: liveProject, window: TimeWindow(from: TimeWindow.parse("2026-11-22T00:00:00Z")!))
        options.gcloudCommand = nil
        let session = LiveSession(options: options, environment: environment, trace: { traced.append($0) })
        let collector = EvidenceCollector()
        let result = session.run(into: collector)
        #expect(result.failures.isEmpty, "\(result.failures)")
        #expect(result.credentials?.contains("user") == true)
        let api = server.requests(pathPrefix: "/compute/")
        #expect(!api.isEmpty && api.allSatisfy { ($0["headers"] as? [String: String])?["x-goog-user-project"] == "billing-project-7" })
        let text = traced.all.joined(separator: "\n")
        #expect(text.contains("authorization: REDACTED") || text.contains("Authorization: REDACTED"))
        #expect(!text.contains("issued-user-token"))
        #expect(!text.contains("refresh-1") && !text.contains("secret-1"))
    }

    static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

final class TraceLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
