import Foundation
import Testing
@testable import TriageKit

/// Token renewal, cut log pages asked for again, the DNS zones read, the operations window and
/// gcloud's quota project: live runs through the real libcurl client against
/// tools/fakegcp/server.py.
@Suite(.serialized) struct LiveRefreshTests {
    static let user: [String: String] = ["client_id": "cid-9", "client_secret": "csecret-9", "refresh_token": "rtoken-9"]

    /// An authorized_user credentials file for `server`, passed through GOOGLE_APPLICATION_CREDENTIALS.
    static func userCredentials(_ server: FakeGCPServer) throws -> [String: String] {
        var file: [String: Any] = ["type": "authorized_user", "token_uri": server.base + "token"]
        for (key, value) in user { file[key] = value }
        let path = server.root.appendingPathComponent("adc-user.json")
        try JSONSerialization.data(withJSONObject: file).write(to: path)
        return ["GOOGLE_APPLICATION_CREDENTIALS": path.path]
    }

    static func apiRequests(_ server: FakeGCPServer) -> [[String: Any]] {
        server.requests().filter { request in
            let path = request["path"] as? String ?? ""
            return !path.hasPrefix("/token") && !path.hasPrefix("/computeMetadata/")
        }
    }

    @Test func aTokenAboutToExpireIsRenewedBeforeItIsUsed() throws {
        let server = try FakeGCPServer(files: [
            "auth.json": [
                "access_tokens": ["tok-short-lived-1", "tok-renewed-2"], "authorized_user": Self.user,
                "issued_tokens": [["access_token": "tok-short-lived-1", "expires_in": 30], ["access_token": "tok-renewed-2", "expires_in": 3599]],
            ]
        ])
        let traced = TraceLines()
        let run = try liveRun(server, token: nil, environment: try Self.userCredentials(server), trace: traced)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(server.requests(pathPrefix: "/token").count == 2, "one grant, then one renewal before the first API request")
        #expect(run.result.tokenRefreshes == 1)
        let api = Self.apiRequests(server)
        #expect(!api.isEmpty && api.allSatisfy { $0["token_index"] as? Int == 1 }, "every API request carried the renewed token")
        #expect(run.collector.account.firewallRecords == (try deniedEntries(server)))
        let text = traced.all.joined(separator: "\n")
        #expect(text.contains("REDACTED"))
        #expect(!text.contains("tok-short-lived-1") && !text.contains("tok-renewed-2") && !text.contains("rtoken-9") && !text.contains("csecret-9"))
    }

    @Test func aRejectedTokenIsRenewedOnceAndTheRequestSentAgain() throws {
        // The metadata server's first token stops working after 5 API requests (revoked).
        let server = try FakeGCPServer(files: [
            "auth.json": [
                "access_tokens": ["first-token", "second-token"], "token_uses": ["first-token": 5],
                "issued_tokens": [["access_token": "first-token"], ["access_token": "second-token"]],
            ]
        ])
        let run = try liveRun(server, token: nil) { $0.logPageSize = 5 }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.credentials?.hasPrefix("metadata server") == true)
        #expect(run.result.tokenRefreshes == 1, "concurrent 401s share one renewal")
        #expect(server.requests(pathPrefix: "/computeMetadata/").count == 2)
        let api = Self.apiRequests(server)
        let rejected = api.filter { $0["status"] as? Int == 401 }
        #expect(!rejected.isEmpty)
        #expect(rejected.allSatisfy { $0["token_index"] as? Int == 0 })
        #expect(api.filter { $0["token_index"] as? Int == 0 && $0["status"] as? Int == 200 }.count == 5)
        #expect(run.collector.account.firewallRecords == (try deniedEntries(server)))
        #expect(run.collector.account.inputErrors.isEmpty)
    }

    @Test func aTokenFileIsNotRenewedAndA401StaysRejected() throws {
        let server = try FakeGCPServer(files: ["auth.json": ["access_tokens": ["good-token"], "token_uses": ["good-token": 3]]])
        let run = try liveRun(server)
        #expect(run.failureText.contains("credentials rejected"), "\(run.failureText)")
        #expect(run.result.tokenRefreshes == 0)
        #expect(server.requests(pathPrefix: "/token").isEmpty && server.requests(pathPrefix: "/computeMetadata/").isEmpty)
        #expect(!run.failureText.contains("good-token"))
    }

    // MARK: cut pages

    @Test func aPageCutOnceIsAskedForAgainAndReadWhole() throws {
        let clean = try FakeGCPServer()
        let reference = try liveRun(clean)
        #expect(reference.result.failures.isEmpty, "\(reference.failureText)")
        let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": [["truncate": 6000]]]])
        let run = try liveRun(server)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.pageRetries == 1)
        #expect(run.result.entriesSkippedOnRetry > 0, "the cut answer had delivered some entries")
        let pages = server.requests(pathPrefix: "/v2/entries:list").compactMap { $0["body"] as? [String: Any] }
        #expect(pages.count == 2)
        #expect(pages[0]["pageToken"] == nil && pages[1]["pageToken"] == nil, "the same page asked for again")
        let denied = try deniedEntries(server)
        #expect(run.collector.account.firewallRecords == denied, "every entry once: none lost, none counted twice")
        let groups = run.collector.flowGroups()
        #expect(groups.reduce(0) { $0 + $1.count } == denied)
        #expect(groups.count == reference.collector.flowGroups().count)
        #expect(run.collector.account.inputErrors.isEmpty)
    }

    @Test func aLaterPageCutIsAskedForAgainWithItsPageToken() throws {
        // The first page is answered as usual, the second is cut.
        let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": [["pass": true], ["truncate": 3000]]]])
        let run = try liveRun(server) { $0.logPageSize = 10 }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.pageRetries == 1)
        #expect(run.collector.account.firewallRecords == (try deniedEntries(server)))
        let bodies = server.requests(pathPrefix: "/v2/entries:list").compactMap { $0["body"] as? [String: Any] }
        #expect(bodies.count == run.result.progress.logPages)
        let second = bodies[1]["pageToken"] as? String
        #expect(second != nil && bodies[2]["pageToken"] as? String == second)
    }

    @Test func aPageThatStallsMidwayIsAskedForAgain() throws {
        let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": [["stall": 20, "after_bytes": 4000]]]])
        let run = try liveRun(server) { $0.timeouts.stall = 1 }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.pageRetries == 1)
        #expect(run.collector.account.firewallRecords == (try deniedEntries(server)))
    }

    @Test func aPageCutEveryTimeIsMissingOnceTheRetriesRunOut() throws {
        let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": Array(repeating: ["truncate": 6000], count: 10)]])
        let run = try liveRun(server)
        #expect(run.failureText.contains("ended early"), "\(run.failureText)")
        #expect(run.failureText.contains("could not be read in full"))
        #expect(run.failureText.contains("in 4 tries"))
        #expect(server.requests(pathPrefix: "/v2/entries:list").count == 4, "the test policy allows 4 attempts")
        #expect(run.result.pageRetries == 3)
        let denied = try deniedEntries(server)
        #expect(run.collector.account.firewallRecords > 0 && run.collector.account.firewallRecords < denied)
        #expect(run.collector.account.inputErrors.count == 1, "one missing source, counted once")
    }

    // MARK: DNS zones

    @Test func recordSetsOfEveryPrivateZoneAreReadAndPublicOnesSkipped() throws {
        let scenario = FakeGCPServer.packageRoot.appendingPathComponent("tools/scenarios/mixed/dns")
        var zones = try JSONSerialization.jsonObject(with: Data(contentsOf: scenario.appendingPathComponent("managedZones.json"))) as? [[String: Any]] ?? []
        let network = "https://www.googleapis.com/compute/v1/projects/\(liveProject)/global/networks/kubeflow-vpc"
        zones += [
            ["name": "example-public", "dnsName": "example.com.", "visibility": "public", "kind": "dns#managedZone"],
            [
                "name": "peer-shared", "dnsName": "shared.internal.", "visibility": "private", "kind": "dns#managedZone",
                "privateVisibilityConfig": ["networks": [["networkUrl": network]]],
                "peeringConfig": ["targetNetwork": ["networkUrl": "https://www.googleapis.com/compute/v1/projects/host/global/networks/shared"]],
            ],
            [
                "name": "forward-corp", "dnsName": "corp.example.", "visibility": "private", "kind": "dns#managedZone",
                "privateVisibilityConfig": ["networks": [["networkUrl": network]]],
                "forwardingConfig": ["targetNameServers": [["ipv4Address": "10.0.0.53"]]],
            ],
            ["name": "legacy-no-visibility", "dnsName": "legacy.example.", "kind": "dns#managedZone"],
        ]
        let server = try FakeGCPServer(files: ["dns/managedZones.json": zones])
        let traced = TraceLines()
        let result = try liveRun(server, trace: traced).result
        #expect(result.failures.isEmpty, "\(result.failures)")
        let privateZones = zones.filter { $0["visibility"] as? String == "private" }.compactMap { $0["name"] as? String }
        let publicZones = zones.filter { $0["visibility"] as? String != "private" }.compactMap { $0["name"] as? String }
        #expect(privateZones.count == 3 && publicZones.count == 2)
        let read = Set(server.requests(pathPrefix: "/dns/v1/projects/\(liveProject)/managedZones/").compactMap { request -> String? in
            let parts = (request["path"] as? String ?? "").split(separator: "/")
            return parts.count == 7 && parts[6] == "rrsets" ? String(parts[5]) : nil
        })
        #expect(read == Set(privateZones))
        #expect(Set(result.publicZonesSkipped) == Set(publicZones))
        let text = traced.all.joined(separator: "\n")
        for zone in publicZones { #expect(text.contains("DNS zone \(zone) is public: its record sets are not read")) }
    }

    // MARK: operations window

    @Test func operationsOutsideTheWindowAreLeftOutButRunningOnesKept() throws {
        let cluster = "projects/\(liveProject)/locations/us-central1/clusters/kf-private"
        func operation(_ name: String, _ status: String, start: String, end: String?) -> [String: Any] {
            var op: [String: Any] = [
                "name": name, "operationType": "UPGRADE_NODES", "status": status, "zone": "us-central1",
                "selfLink": "https://container.googleapis.com/v1/projects/123/zones/us-central1/operations/\(name)",
                "targetLink": "https://container.googleapis.com/v1/\(cluster)/nodePools/default-pool", "startTime": start,
            ]
            if let end { op["endTime"] = end }
            return op
        }
        let operations = [
            operation("op-done-before", "DONE", start: "2026-11-20T08:00:00.123456789Z", end: "2026-11-20T08:30:00.5Z"),
            operation("op-running-since-before", "RUNNING", start: "2026-11-19T08:00:00Z", end: nil),
            operation("op-ended-in-window", "DONE", start: "2026-11-21T23:50:00.000000001Z", end: "2026-11-22T00:10:00.999Z"),
            operation("op-started-in-window", "DONE", start: "2026-11-22T09:00:00Z", end: "2026-11-22T09:05:00Z"),
            operation("op-spans-the-window", "DONE", start: "2026-11-21T00:00:00Z", end: "2026-11-23T00:00:00Z"),
            operation("op-done-after", "DONE", start: "2026-11-23T08:00:00Z", end: "2026-11-23T08:30:00Z"),
        ]
        let server = try FakeGCPServer(files: ["container/operations.json": operations])
        let window = TimeWindow(from: TimeWindow.parse("2026-11-22T00:00:00Z")!, to: TimeWindow.parse("2026-11-22T12:00:00Z")!)
        let run = try liveRun(server) { $0.window = window }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        let kept = run.collector.observations.filter { $0.source == GKEOperations.apiSource }.compactMap { $0.facts["operation"] }
        #expect(Set(kept) == ["op-running-since-before", "op-ended-in-window", "op-started-in-window", "op-spans-the-window"])
        #expect(run.result.operationsOutsideWindow == 2)
        // Without an end to the window, a later operation is in it.
        let open = try liveRun(server) { $0.window = TimeWindow(from: window.from) }
        let keptOpen = open.collector.observations.filter { $0.source == GKEOperations.apiSource }.compactMap { $0.facts["operation"] }
        #expect(Set(keptOpen) == Set(kept).union(["op-done-after"]))
    }

    // MARK: gcloud's quota project

    /// A `gcloud` script first on PATH: prints a token, answers `config get billing/quota_project`
    /// with `quota` (nothing when nil), and logs its arguments.
    static func fakeGcloud(in directory: URL, quota: String?, tokens: [String] = ["good-token"]) throws -> (path: String, log: URL) {
        let log = directory.appendingPathComponent("gcloud-calls.txt")
        // The Nth print-access-token prints the Nth token (the last one from then on).
        let printToken = tokens.enumerated().map { "\($0.offset + 1)) echo \($0.element) ;;" }.joined(separator: " ")
            + " *) echo \(tokens.last!) ;;"
        let script = """
            #!/bin/sh
            echo "$*" >> '\(log.path)'
            case "$1 $2" in
              "auth print-access-token") n=$(grep -c '^auth print-access-token' '\(log.path)'); case "$n" in \(printToken) esac ;;
              "config get") \(quota.map { "echo '\($0)'" } ?? "echo '(unset)' >&2") ;;
              *) exit 2 ;;
            esac
            """
        let path = directory.appendingPathComponent("gcloud")
        try Data(script.utf8).write(to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
        return (directory.path + ":/usr/bin:/bin", log)
    }

    static func quotaHeaders(_ server: FakeGCPServer) -> Set<String> {
        Set(server.requests(pathPrefix: "/compute/").map { ($0["headers"] as? [String: String])?["x-goog-user-project"] ?? "(none)" })
    }

    @Test func gcloudsQuotaProjectIsSentWithItsToken() throws {
        let server = try FakeGCPServer(files: ["auth.json": ["access_tokens": ["good-token"]]])
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("fake-gcloud-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let gcloud = try Self.fakeGcloud(in: bin, quota: "billing-from-gcloud")
        let run = try liveRun(server, token: nil, environment: ["PATH": gcloud.path]) { $0.gcloudCommand = "gcloud" }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.credentials == "gcloud auth print-access-token")
        #expect(Self.quotaHeaders(server) == ["billing-from-gcloud"])
        let calls = try String(contentsOf: gcloud.log, encoding: .utf8)
        #expect(calls.contains("config get billing/quota_project"))

        // The environment variable wins over gcloud's configuration, as in gcloud.
        let second = try FakeGCPServer(files: ["auth.json": ["access_tokens": ["good-token"]]])
        let fromEnvironment = try liveRun(second, token: nil, environment: ["PATH": gcloud.path, "CLOUDSDK_BILLING_QUOTA_PROJECT": "billing-from-env"]) {
            $0.gcloudCommand = "gcloud"
        }
        #expect(fromEnvironment.result.failures.isEmpty, "\(fromEnvironment.failureText)")
        #expect(Self.quotaHeaders(second) == ["billing-from-env"])
    }

    @Test func aRejectedGcloudTokenIsAskedForAgain() throws {
        // gcloud's first token stops working after 3 API requests; gcloud then prints a new one.
        let server = try FakeGCPServer(files: [
            "auth.json": ["access_tokens": ["good-token", "second-token"], "token_uses": ["good-token": 3]]
        ])
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("fake-gcloud-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let gcloud = try Self.fakeGcloud(in: bin, quota: nil, tokens: ["good-token", "second-token"])
        let run = try liveRun(server, token: nil, environment: ["PATH": gcloud.path]) { $0.gcloudCommand = "gcloud" }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.tokenRefreshes == 1)
        let calls = try String(contentsOf: gcloud.log, encoding: .utf8)
        #expect(calls.components(separatedBy: "auth print-access-token").count - 1 == 2)
        #expect(run.collector.account.firewallRecords == (try deniedEntries(server)))
        #expect(!run.failureText.contains("second-token") && !run.failureText.contains("good-token"))
    }

    @Test func noQuotaProjectInGcloudSendsNone() throws {
        let server = try FakeGCPServer(files: ["auth.json": ["access_tokens": ["good-token"]]])
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("fake-gcloud-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let gcloud = try Self.fakeGcloud(in: bin, quota: nil)
        let run = try liveRun(server, token: nil, environment: ["PATH": gcloud.path]) { $0.gcloudCommand = "gcloud" }
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(Self.quotaHeaders(server) == ["(none)"])
        let current = try liveRun(server, token: nil, environment: ["PATH": gcloud.path, "CLOUDSDK_BILLING_QUOTA_PROJECT": "CURRENT_PROJECT"]) {
            $0.gcloudCommand = "gcloud"
        }
        #expect(current.result.failures.isEmpty)
        #expect(Self.quotaHeaders(server).contains(liveProject), "CURRENT_PROJECT bills the project being read")
    }
}
