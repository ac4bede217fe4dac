import Foundation
import Testing

/// `triage --live` as a user runs it, against tools/fakegcp/server.py on 127.0.0.1.
@Suite(.serialized) struct LiveCLITests {
    static let project = "kf-prod-4412"
    static let since = "2026-11-22T00:00:00Z"

    /// The live flags and an environment that points every API at `server` with a token file.
    static func live(_ server: FakeGCPServer, in directory: URL, _ extra: [String] = []) throws -> (arguments: [String], environment: [String: String]) {
        let token = directory.appendingPathComponent("token.txt")
        try Data("cli-secret-token-1234\n".utf8).write(to: token)
        var environment = CLI.environment
        for (key, value) in server.environment(home: directory) { environment[key] = value }
        return (["--live", "--project", project, "--from", since, "--access-token-file", token.path] + extra, environment)
    }

    /// Findings as comparable lines: rule, id, severity, count and facts; no locations (the
    /// inputs differ in name and layout).
    static func findings(_ result: RunResult) -> [String] {
        result.out.split(separator: "\n").compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["type"] as? String == "finding"
            else { return nil }
            let facts = (try? JSONSerialization.data(withJSONObject: object["facts"] ?? [:], options: [.sortedKeys])) ?? Data()
            return "\(object["rule"] ?? "") \(object["id"] ?? "") \(object["severity"] ?? "") \(object["count"] ?? "") \(String(decoding: facts, as: UTF8.self))"
        }.sorted()
    }

    static let gcloudInstalled = (try? CLI.shell("command -v gcloud"))?.status == 0

    @Test(.enabled(if: gcloudInstalled, "skipped: gcloud is not installed, so there is no real gcloud output to compare with"))
    func liveFindsWhatTheGcloudPipeFinds() throws {
        let server = try FakeGCPServer()
        try CLI.withTemporaryDirectory { directory in
            let cfg = directory.appendingPathComponent("gcloud-config")
            try FileManager.default.createDirectory(at: cfg, withIntermediateDirectories: true)
            try Data("False".utf8).write(to: cfg.appendingPathComponent("gce"))
            try Data("fake-access-token\n".utf8).write(to: cfg.appendingPathComponent("token"))
            let filter = #"logName="projects/\#(Self.project)/logs/compute.googleapis.com%2Ffirewall" AND jsonPayload.disposition="DENIED" AND timestamp>="\#(Self.since)""#
            // The exact recipe of tools/make-samples.sh: gcloud sees only the fake API.
            let script = """
                set -e
                g() { env -i PATH="$PATH" HOME="$CFG" CLOUDSDK_CONFIG="$CFG" LANG=C.UTF-8 NO_PROXY='*' \
                  GCE_METADATA_ROOT="127.0.0.1:$PORT" CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING="http://127.0.0.1:$PORT/" \
                  CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER="http://127.0.0.1:$PORT/" CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE="http://127.0.0.1:$PORT/" \
                  CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS="http://127.0.0.1:$PORT/" CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$CFG/token" \
                  CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true \
                  CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true gcloud "$@" --project "$PROJECT" </dev/null; }
                cd "$OUT"
                g container clusters describe kf-private --region us-central1 --format=json > cluster.json
                g container operations list --format=json > operations.json
                g compute firewall-rules list --format=json > firewalls.json
                g compute routes list --format=json > routes.json
                g compute networks list --format=json > networks.json
                g compute networks subnets list --format=json > subnets.json
                g compute routers list --format=json > routers.json
                g dns managed-zones list --format=json > zones.json
                g dns record-sets list --zone googleapis --format=json > records.json
                g logging read "$FILTER" --format=json | "$TRIAGE" --format json - cluster.json operations.json firewalls.json routes.json networks.json subnets.json routers.json zones.json records.json
                """
            var environment = CLI.environment
            environment["TRIAGE"] = CLI.binary.path
            environment["CFG"] = cfg.path
            environment["PORT"] = String(server.port)
            environment["PROJECT"] = Self.project
            environment["FILTER"] = filter
            environment["OUT"] = directory.path
            let piped = try CLI.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script], environment: environment, timeout: 120)
            #expect(piped.status == 1, "\(piped)")
            let (arguments, liveEnvironment) = try Self.live(server, in: directory, ["--cluster", "kf-private", "--format", "json"])
            let live = try CLI.run(CLI.binary, arguments, environment: liveEnvironment, timeout: 60)
            #expect(live.status == 1, "\(live)")
            let expected = Self.findings(piped)
            #expect(!expected.isEmpty)
            #expect(Self.findings(live) == expected)
            // Both read the same entries: gcloud's one request and triage's pages carry the same filter.
            let bodies = server.requests(pathPrefix: "/v2/entries:list").compactMap { $0["body"] as? [String: Any] }
            #expect(bodies.count == 2)
            #expect(bodies.allSatisfy { ($0["filter"] as? String)?.contains(#"jsonPayload.disposition="DENIED""#) == true })
        }
    }

    /// TLS verification is always on: an API whose certificate does not verify (self-signed,
    /// here for 127.0.0.1) is refused before any request is sent, and the run says so (exit 2).
    @Test func aCertificateThatDoesNotVerifyIsRefused() throws {
        try CLI.withTemporaryDirectory { directory in
            let certificate = directory.appendingPathComponent("cert.pem")
            let key = directory.appendingPathComponent("key.pem")
            let made = try CLI.shell(
                "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout \"$1\" -out \"$2\" 2>&1",
                [key.path, certificate.path])
            try #require(made.status == 0, "\(made)")
            let server = try FakeGCPServer(tls: (certificate, key))
            #expect(server.base.hasPrefix("https://"))
            let (arguments, environment) = try Self.live(server, in: directory, ["--cluster", "kf-private"])
            let result = try CLI.run(CLI.binary, arguments, environment: environment, timeout: 120)
            #expect(result.status == 2, "\(result)")
            #expect(result.err.lowercased().contains("certificate") || result.err.contains("SSL") || result.err.contains("TLS"), "\(result)")
            // The handshake failed, so the server never saw a request (nor the token).
            let log = (try? String(contentsOf: server.requestLog, encoding: .utf8)) ?? ""
            #expect(log.isEmpty, "\(log)")
            #expect(!result.out.contains("ERROR"), "no findings from an API that could not be verified: \(result)")
        }
    }

    @Test func aMissingSourceExitsTwoAndIsListed() throws {
        let server = try FakeGCPServer(files: [
            "errors.json": [
                "GET /dns/v1/projects/\(Self.project)/managedZones": [
                    [
                        "status": 403,
                        "body": ["error": [
                            "code": 403, "status": "PERMISSION_DENIED", "message": "Cloud DNS API has not been used in project 1 before or it is disabled.",
                            "details": [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "metadata": ["service": "dns.googleapis.com"]]],
                        ]],
                    ]
                ]
            ]
        ])
        try CLI.withTemporaryDirectory { directory in
            let (arguments, environment) = try Self.live(server, in: directory, ["--cluster", "kf-private", "--verbose"])
            let result = try CLI.run(CLI.binary, arguments, environment: environment, timeout: 60)
            #expect(result.status == 2, "\(result)")
            #expect(result.err.contains("no data from Cloud DNS zones"))
            #expect(result.err.contains("missing from this run: Cloud DNS zones"))
            #expect(result.out.contains("ERROR"), "the findings from the other sources are still printed")
            // --verbose traces every request, and never the token.
            #expect(result.err.contains("live: → POST http://127.0.0.1:\(server.port)/v2/entries:list"))
            #expect(!result.err.contains("cli-secret-token-1234") && !result.out.contains("cli-secret-token-1234"))
        }
    }

    /// The progress line (forced: stderr is a pipe here) shows the running counts, is erased
    /// before every other stderr line, and is gone before the findings and the account.
    @Test func theProgressLineShowsCountsAndIsErasedBeforeAnythingElse() throws {
        let server = try FakeGCPServer()
        try CLI.withTemporaryDirectory { directory in
            let (arguments, environment) = try Self.live(server, in: directory, ["--cluster", "kf-private", "--force-progress", "--verbose"])
            let result = try CLI.run(CLI.binary, arguments, environment: environment, timeout: 60)
            #expect(result.status == 1, "\(result)")
            let erase = "\r\u{1B}[K"
            let segments = result.err.components(separatedBy: erase)
            let lines = segments.filter { $0.hasPrefix("live: ") && $0.contains(" sources, ") }
            #expect(!lines.isEmpty, "\(result.err)")
            #expect(lines.allSatisfy { !$0.contains("\n") }, "nothing is ever written after a progress line without erasing it first")
            #expect(lines.contains { $0.contains("so far") && $0.contains(" denied flow") })
            let last = try #require(lines.last)
            #expect(last.contains("9/9 sources"))
            // The segment after the last progress line is the rest of stderr, starting clean.
            let tail = segments.last ?? ""
            #expect(!tail.contains(" sources, ") && tail.contains("triage: live:"))
            #expect(!result.out.contains("\u{1B}[K"), "stdout holds only the findings")
        }
    }

    @Test func bigQueryFlagsAreCheckedBeforeAnythingRuns() throws {
        let sample = "SampleLogs/mixed/firewall-denied.json"
        for (arguments, message) in [
            (["--max-bytes", "5GB", sample], "--max-bytes only apply with --bigquery"),
            (["--bigquery-location", "EU", sample], "--bigquery-location only apply with --bigquery"),
            (["--bigquery", "kf-logs-1234", sample], "is not PROJECT.DATASET[.TABLE]"),
            (["--bigquery", "kf-logs-1234.logs.t`x", sample], "is not a table name"),
            (["--bigquery", "kf-logs-1234.logs", "--max-bytes", "lots", sample], "--max-bytes: 'lots' is not a size"),
            (["--bigquery", "kf-logs-1234.logs", "--bigquery-location", "EU;rm", sample], "is not a location"),
        ] {
            let result = try CLI.triage(arguments)
            #expect(result.status == 64, "\(arguments): \(result)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
        }
    }

    @Test func liveFlagsNeedLiveAndAProject() throws {
        // --since, --from and --to apply to files too (FindingFilterTests); --location does not.
        let withoutLive = try CLI.triage(["--location", "us-central1", "SampleLogs/mixed/firewall-denied.json"])
        #expect(withoutLive.status == 64, "\(withoutLive)")
        #expect(withoutLive.err.contains("only apply with --live"))
        var environment = CLI.environment
        environment["CLOUDSDK_CORE_PROJECT"] = nil
        let noProject = try CLI.run(CLI.binary, ["--live"], environment: environment)
        #expect(noProject.status == 64, "\(noProject)")
        #expect(noProject.err.contains("--live needs --project"))
        let both = try CLI.run(CLI.binary, ["--live", "--project", "p", "--since", "1h", "--from", Self.since], environment: environment)
        #expect(both.status == 64)
    }

    @Test func ctrlCStopsFetchingAndStillPrints() throws {
        let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": [["stall": 60, "after_bytes": 0]]]])
        try CLI.withTemporaryDirectory { directory in
            let (arguments, environment) = try Self.live(server, in: directory, ["--cluster", "kf-private"])
            let script = #""$TRIAGE" "$@" & pid=$!; sleep 3; kill -INT $pid; wait $pid"#
            var shellEnvironment = environment
            shellEnvironment["TRIAGE"] = CLI.binary.path
            let start = Date()
            let result = try CLI.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script, "sh"] + arguments, environment: shellEnvironment, timeout: 40)
            #expect(result.status == 130, "\(result)")
            #expect(Date().timeIntervalSince(start) < 20)
            #expect(result.err.contains("interrupted"))
            #expect(result.err.contains("missing from this run"))
            #expect(!result.out.isEmpty, "a report is printed")
        }
    }

    /// A single 50 MB `entries:list` page: peak memory must not grow with the page.
    @Test func aFiftyMegabytePageIsStreamedInConstantMemory() throws {
        let template: [String: Any] = [
            "insertId": "x", "logName": "projects/\(Self.project)/logs/compute.googleapis.com%2Ffirewall",
            "timestamp": "2026-11-22T09:30:00.123456Z", "receiveTimestamp": "2026-11-22T09:30:05.654321Z",
            "resource": ["type": "gce_subnetwork", "labels": ["project_id": Self.project, "subnetwork_name": "kf-nodes", "location": "us-central1"]],
            "jsonPayload": [
                "connection": ["src_ip": "172.16.0.2", "src_port": 41000, "dest_ip": "10.20.1.14", "dest_port": 8443, "protocol": 6],
                "disposition": "DENIED",
                "rule_details": ["reference": "network:kubeflow-vpc/firewall:deny-all-ingress", "priority": 65534, "action": "DENY", "direction": "INGRESS"],
                "instance": ["project_id": Self.project, "vm_name": "gke-kf-private-default-pool-5b7e0d41-m2pq", "zone": "us-central1-a", "region": "us-central1"],
                "vpc": ["project_id": Self.project, "vpc_name": "kubeflow-vpc", "subnetwork_name": "kf-nodes"],
            ],
        ]
        func peakRSS(count: Int) throws -> (kilobytes: Int, records: Int, mebibytes: Double) {
            let server = try FakeGCPServer(files: ["errors.json": ["POST /v2/entries:list": [["generate_entries": ["count": count, "template": template]]]]])
            return try CLI.withTemporaryDirectory { directory in
                let (arguments, environment) = try Self.live(server, in: directory, ["--format", "json"])
                // python3 reports the child's peak resident set (ru_maxrss, KiB on Linux).
                let measure = "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); sys.stderr.buffer.write(r.stderr); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
                let result = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", measure, CLI.binary.path] + arguments, environment: environment, timeout: 180)
                let kilobytes = Int(result.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                let records = result.err.range(of: #"(\d+) firewall \("#, options: .regularExpression).map { Int(result.err[$0].split(separator: " ")[0]) ?? -1 } ?? -1
                let read = result.err.range(of: #"inputs? \(([0-9.]+) MiB\)"#, options: .regularExpression).map { match in
                    Double(result.err[match].split(separator: "(")[1].split(separator: " ")[0]) ?? -1
                } ?? -1
                return (kilobytes, records, read)
            }
        }
        let small = try peakRSS(count: 10_000)
        let large = try peakRSS(count: 50_000)
        #expect(small.records == 10_000)
        #expect(large.records == 50_000)
        #expect(large.mebibytes >= 50, "the page is \(large.mebibytes) MiB")
        // The large page is ~50 MB (about 1 KiB per entry); holding it whole would add that much.
        #expect(large.kilobytes > 0 && large.kilobytes - small.kilobytes < 12 << 10, "peak RSS \(small.kilobytes) KiB at 10k entries, \(large.kilobytes) KiB at 50k")
        print("peak RSS: \(small.kilobytes) KiB for a \(small.mebibytes) MiB page, \(large.kilobytes) KiB for a \(large.mebibytes) MiB page")
    }
}
