import Foundation
@testable import TriageKit

let liveProject = "kf-prod-4412"

/// One live run against a fake server, as the CLI would make it, with short timeouts and
/// quick retries so failures are tested in seconds.
struct LiveRun {
    var result: LiveResult
    var collector: EvidenceCollector
    var seconds: Double

    var failureText: String { result.failures.map(\.description).joined(separator: "\n") }
}

func liveRun(
    _ server: FakeGCPServer, token: String? = "good-token", environment extra: [String: String] = [:], trace: TraceLines? = nil,
    configure: (inout LiveOptions) -> Void = { _ in }, beforeRun: (LiveSession) -> Void = { _ in }
) throws -> LiveRun {
    let home = try TestHome(token: token)
    var options = LiveOptions(project: liveProject, window: TimeWindow(from: TimeWindow.parse("2026-11-22T00:00:00Z")!))
    options.gcloudCommand = nil
    options.retry = .quickForTests
    options.timeouts = .shortForTests
    options.accessTokenFile = home.tokenFile
    configure(&options)
    var environment = server.environment(home: home.url)
    environment.merge(extra) { $1 }
    var traceLine: (@Sendable (String) -> Void)?
    if let trace { traceLine = { trace.append($0) } }
    let session = LiveSession(options: options, environment: environment, trace: traceLine)
    beforeRun(session)
    let collector = EvidenceCollector()
    let start = Date()
    let result = session.run(into: collector)
    return LiveRun(result: result, collector: collector, seconds: Date().timeIntervalSince(start))
}

/// A HOME of its own for one run (removed when released), with the token in a file when given.
final class TestHome {
    let url: URL
    let tokenFile: String?

    init(token: String?) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("live-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("gcloud"), withIntermediateDirectories: true)
        guard let token else {
            tokenFile = nil
            return
        }
        let path = url.appendingPathComponent("token.txt")
        try Data((token + "\n").utf8).write(to: path)
        tokenFile = path.path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

extension RetryPolicy {
    /// Quick retries, so failures are tested in seconds.
    static let quickForTests = RetryPolicy(maximumAttempts: 4, initialDelay: 0.05, maximumDelay: 0.2, maximumTotal: 20)
}

extension HTTPTimeouts {
    static let shortForTests = HTTPTimeouts(connect: 2, total: 30, stall: 5)
}

/// DENIED firewall entries of the scenario's fixture: what the live run should read.
func deniedEntries(_ server: FakeGCPServer) throws -> Int {
    let data = try Data(contentsOf: server.root.appendingPathComponent("logging/entries.json"))
    let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    return entries.filter { entry in
        (entry["logName"] as? String)?.hasSuffix("compute.googleapis.com%2Ffirewall") == true
            && (entry["jsonPayload"] as? [String: Any])?["disposition"] as? String == "DENIED"
    }.count
}

/// Google's answer for a disabled API, as the real one is shaped.
func serviceDisabledBody(service: String, title: String) -> [String: Any] {
    [
        "error": [
            "code": 403,
            "message": "\(title) API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/\(service)/overview?project=123456789012 then retry.",
            "status": "PERMISSION_DENIED",
            "details": [
                [
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
                    "metadata": ["service": service, "consumer": "projects/123456789012"],
                ]
            ],
        ]
    ]
}
