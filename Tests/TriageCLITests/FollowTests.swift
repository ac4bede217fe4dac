import Foundation
import Testing
import TriageKit

/// `--follow`: after the report, what is appended to the file is read as it arrives and each
/// new finding is printed once; Ctrl-C ends it with the account and the exit status of all the
/// findings shown.
@Suite(.serialized) struct FollowTests {
    /// A sample's gcloud JSON array as NDJSON lines (what a sink export or `tail -f` of one holds).
    static func ndjson(_ sample: String) throws -> String {
        let url = CLI.sampleLogs.appendingPathComponent(sample).appendingPathComponent("firewall-denied.json")
        let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [Any]
        return try entries.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
            .joined(separator: "\n") + "\n"
    }

    /// Waits until `file` holds `text` (the process writes as it goes), up to `seconds`.
    static func wait(for text: String, in file: URL, seconds: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let data = try? Data(contentsOf: file), String(decoding: data, as: UTF8.self).contains(text) { return true }
            usleep(100_000)
        }
        return false
    }

    @Test func appendedRecordsGiveNewFindingsOnceAndCtrlCEnds() throws {
        try CLI.withTemporaryDirectory { directory in
            let log = directory.appendingPathComponent("firewall.ndjson")
            try Data(try Self.ndjson("webhook-port-blocked").utf8).write(to: log)
            let out = directory.appendingPathComponent("out.txt")
            let err = directory.appendingPathComponent("err.txt")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = [log.path, "--follow", "--follow-interval", "0.2", "--format", "json"]
            process.environment = CLI.environment
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            #expect(Self.wait(for: "Ctrl-C stops", in: err), "it follows once the report is out")
            let before = try String(contentsOf: out, encoding: .utf8)
            #expect(!before.contains("health-check-blocked"))
            // A record written in two parts: nothing is read until its line is whole.
            let more = try Self.ndjson("health-checks-blocked")
            let handle = try FileHandle(forWritingTo: log)
            try handle.seekToEnd()
            let cut = more.index(more.startIndex, offsetBy: 40)
            try handle.write(contentsOf: Data(more[..<cut].utf8))
            usleep(600_000)
            #expect(try String(contentsOf: out, encoding: .utf8) == before, "a half-written line is not read")
            try handle.write(contentsOf: Data(more[cut...].utf8))
            try handle.close()
            #expect(Self.wait(for: "health-check-blocked", in: out), "the new finding is printed")
            // The same records again add to the findings already shown: nothing new is printed.
            usleep(600_000)
            let shown = try String(contentsOf: out, encoding: .utf8)
            let again = try FileHandle(forWritingTo: log)
            try again.seekToEnd()
            try again.write(contentsOf: Data(more.utf8))
            try again.close()
            usleep(1_200_000)
            #expect(try String(contentsOf: out, encoding: .utf8) == shown)
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            // Errors were shown (health checks denied): exit 1, and the account counts every record read.
            #expect(process.terminationStatus == 1, "\(process.terminationStatus)")
            let stderr = try String(contentsOf: err, encoding: .utf8)
            let records = try Self.ndjson("webhook-port-blocked").split(separator: "\n").count + 2 * more.split(separator: "\n").count
            #expect(stderr.contains("\(records) firewall ("), "\(stderr)")
            let findings = shown.split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") }
            let ids = findings.compactMap { line -> String? in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
            }
            #expect(Set(ids).count == ids.count, "each finding printed once: \(ids)")
        }
    }

    /// JSON finding lines of `text`, by id.
    static func findingIDs(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["type"] as? String == "finding"
            else { return nil }
            return object["id"] as? String
        }
    }

    /// triage reading a pipe the test writes to, its output going to files.
    final class Piped {
        let process = Process()
        let pipe = Pipe()
        let out: URL
        let err: URL

        init(_ arguments: [String], in directory: URL) throws {
            out = directory.appendingPathComponent("out.txt")
            err = directory.appendingPathComponent("err.txt")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.executableURL = CLI.binary
            process.arguments = arguments
            process.environment = CLI.environment
            process.standardInput = pipe
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
        }

        deinit { if process.isRunning { process.terminate() } }

        func write(_ text: some StringProtocol) throws { try pipe.fileHandleForWriting.write(contentsOf: Data(text.utf8)) }

        /// Closes the pipe and waits for the exit status.
        func finish() throws -> Int32 {
            try pipe.fileHandleForWriting.close()
            process.waitUntilExit()
            return process.terminationStatus
        }

        var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }
    }

    /// `kubectl logs -f … | triage --follow -`: records are read as they come down the pipe, and
    /// their findings printed before the pipe closes; at its end the run stops with the account.
    @Test func standardInputIsReadAsItArrivesAndItsEndStops() throws {
        try CLI.withTemporaryDirectory { directory in
            let triage = try Piped(["--follow", "-", "--follow-interval", "0.2", "--format", "json"], in: directory)
            let first = try Self.ndjson("webhook-port-blocked")
            try triage.write(first)
            #expect(Self.wait(for: "\"type\":\"finding\"", in: triage.out), "the first records' finding comes while the pipe is open")
            #expect(Self.wait(for: "its end or Ctrl-C stops", in: triage.err))
            #expect(!triage.stdout.contains("health-check-blocked"))
            // The next records, the last line in two writes: nothing is read until it is whole.
            let more = try Self.ndjson("health-checks-blocked")
            let cut = more.index(more.endIndex, offsetBy: -30)
            try triage.write(more[..<cut])
            #expect(Self.wait(for: "health-check-blocked", in: triage.out), "the new finding is printed while the pipe is open")
            #expect(triage.process.isRunning)
            try triage.write(more[cut...])
            let status = try triage.finish()
            #expect(status == 1, "\(status)")
            let ids = Self.findingIDs(triage.stdout)
            #expect(!ids.isEmpty && Set(ids).count == ids.count, "each finding printed once: \(ids)")
            // The account at the end counts every record once, the one cut in two included, and one input.
            let records = first.split(separator: "\n").count + more.split(separator: "\n").count
            let account = triage.stderr.split(separator: "\n").last.map(String.init) ?? ""
            #expect(account.contains("read 1 input") && account.contains("\(records) firewall ("), "\(triage.stderr)")
        }
    }

    /// Standard input that cannot be cut at lines (a gcloud JSON array) is read whole at its
    /// end, as without --follow, and the run says so instead of reporting broken records.
    @Test func standardInputThatIsOneJSONArrayIsReadAtItsEnd() throws {
        let path = CLI.sampleLogs.appendingPathComponent("webhook-port-blocked/firewall-denied.json")
        let array = try String(contentsOf: path, encoding: .utf8)
        let whole = try CLI.triage([path.path, "--format", "json", "--quiet"])
        try CLI.withTemporaryDirectory { directory in
            let triage = try Piped(["--follow", "-", "--follow-interval", "0.2", "--format", "json"], in: directory)
            try triage.write(array.prefix(array.count / 2))
            #expect(Self.wait(for: "it is read whole when it ends", in: triage.err), "\(triage.stderr)")
            try triage.write(array.dropFirst(array.count / 2))
            let status = try triage.finish()
            #expect(status == whole.status)
            #expect(!Self.findingIDs(whole.out).isEmpty)
            #expect(Self.findingIDs(triage.stdout) == Self.findingIDs(whole.out))
            #expect(!triage.stderr.contains("malformed"), "\(triage.stderr)")
        }
    }

    /// A fake API scenario's denied firewall log entries: only those pass triage's filter.
    static func deniedEntries(_ scenario: String) throws -> [[String: Any]] {
        try CLI.jsonArray(FakeGCPServer.packageRoot.appendingPathComponent("tools/scenarios/\(scenario)/logging/entries.json"))
            .filter { ($0["jsonPayload"] as? [String: Any])?["disposition"] as? String == "DENIED" }
    }

    /// `--follow --live`: after the first report the Logging API is asked only for entries after
    /// the first read's window (the config is not fetched again); entries that reach it later
    /// give their finding once, entries asked for again in the overlap count once, and an entry
    /// that arrives late (older than the newest one seen) is still read.
    @Test func liveLooksReadOnlyNewEntriesAndPrintEachNewFindingOnce() throws {
        // Far enough ahead that the overlap before the newest entry starts after the first read's window.
        let newer = Date().addingTimeInterval(180)
        func stamped(_ entries: [[String: Any]], from start: Date, prefix: String) -> [[String: Any]] {
            entries.enumerated().map { index, entry in
                var entry = entry
                entry["timestamp"] = TimeFormat.rfc3339(start.addingTimeInterval(Double(index) / 1000))
                entry["insertId"] = "\(prefix)-\(index)"
                return entry
            }
        }
        let health = try Self.deniedEntries("health-checks-blocked")
        let late = stamped([health[0]], from: newer.addingTimeInterval(-30), prefix: "late")
        let server = try FakeGCPServer(scenario: "webhook-port-blocked", files: [
            // Request 1 is the first run's; looks 1 and 2 are requests 2 and 3.
            "logging/later-entries.json": [
                ["from_request": 3, "entries": stamped(health, from: newer, prefix: "new")],
                ["from_request": 4, "entries": late],
            ]
        ])
        try CLI.withTemporaryDirectory { directory in
            let (arguments, environment) = try LiveCLITests.live(
                server, in: directory, ["--follow", "--follow-interval", "0.1", "--follow-looks", "4", "--format", "json"])
            let result = try CLI.run(CLI.binary, arguments, environment: environment, timeout: 120)
            #expect(result.status == 1, "\(result)")
            let ids = Self.findingIDs(result.out)
            #expect(Set(ids).count == ids.count, "each finding printed once: \(ids)")
            let rules = result.out.split(separator: "\n").compactMap { line -> String? in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["rule"] as? String
            }
            #expect(rules.first == "master-to-webhook-port-blocked" && rules.contains("health-check-blocked"), "\(rules)")
            let initial = try Self.deniedEntries("webhook-port-blocked")
            let account = result.err.split(separator: "\n").last.map(String.init) ?? ""
            #expect(account.contains("\(initial.count + health.count + late.count) firewall ("), "\(result.err)")
            // The looks read more of the log the first run counted: as many inputs as a run without --follow.
            let plainServer = try FakeGCPServer(scenario: "webhook-port-blocked")
            let (plainArguments, plainEnvironment) = try LiveCLITests.live(plainServer, in: directory, ["--format", "json"])
            let plain = try CLI.run(CLI.binary, plainArguments, environment: plainEnvironment, timeout: 120)
            let inputs = { (text: String) in text.firstMatch(of: /read (\d+) inputs?/).map { String($0.1) } }
            #expect(inputs(account) != nil && inputs(account) == inputs(plain.err), "\(result.err)\n---\n\(plain.err)")
            // One first read, four looks; the config listings once.
            let filters = server.requests(pathPrefix: "/v2/entries:list").compactMap { ($0["body"] as? [String: Any])?["filter"] as? String }
            #expect(filters.count == 5, "\(filters)")
            #expect(server.requests(pathPrefix: "/compute/v1/projects/\(LiveCLITests.project)/global/firewalls").count == 1)
            // The looks start where the first read's window ended, then in the overlap before the newest entry.
            let end = try #require(filters.first?.firstMatch(of: /timestamp<="([^"]+)"/)?.1)
            #expect(filters[1].contains("timestamp>\"\(end)\"") && filters[2].contains("timestamp>\"\(end)\""), "\(filters)")
            let newest = newer.addingTimeInterval(Double(health.count - 1) / 1000)
            for filter in filters[3...] {
                let from = try #require(filter.firstMatch(of: /timestamp>="([^"]+)"/).flatMap { TimeFormat.parse(String($0.1)) }, "\(filter)")
                #expect(abs(from.timeIntervalSince(newest) + LiveLogFollower.overlap) < 0.01, "\(filter)")
            }
        }
    }

    /// A look that fails is told and asked again at the next one: nothing is lost.
    @Test func aFailedLiveLookIsAskedAgain() throws {
        var health = try Self.deniedEntries("health-checks-blocked")
        let newer = Date().addingTimeInterval(60)
        for index in health.indices { health[index]["timestamp"] = TimeFormat.rfc3339(newer.addingTimeInterval(Double(index))) }
        let server = try FakeGCPServer(scenario: "webhook-port-blocked", files: [
            "errors.json": ["POST /v2/entries:list": [["pass": true], ["status": 403, "body": ["error": ["code": 403, "message": "denied for now", "status": "PERMISSION_DENIED"]]]]],
            // The first look fails, so the second answered request is the second look's.
            "logging/later-entries.json": [["from_request": 2, "entries": health]],
        ])
        try CLI.withTemporaryDirectory { directory in
            let (arguments, environment) = try LiveCLITests.live(
                server, in: directory, ["--follow", "--follow-interval", "0.1", "--follow-looks", "2", "--format", "json"])
            let result = try CLI.run(CLI.binary, arguments, environment: environment, timeout: 120)
            #expect(result.status == 1, "\(result)")
            #expect(result.err.contains("denied for now") && result.err.contains("asked again at the next look"), "\(result.err)")
            #expect(result.out.contains("health-check-blocked"))
            let account = result.err.split(separator: "\n").last.map(String.init) ?? ""
            #expect(account.contains("\(try Self.deniedEntries("webhook-port-blocked").count + health.count) firewall ("), "\(result.err)")
            let filters = server.requests(pathPrefix: "/v2/entries:list").compactMap { ($0["body"] as? [String: Any])?["filter"] as? String }
            #expect(filters.count == 3 && filters[1] == filters[2], "the failed look's window is asked for again: \(filters)")
        }
    }

    @Test func followingLiveNeedsAnOpenWindow() throws {
        let result = try CLI.triage([
            "--live", "--project", "p", "--from", "2026-11-22T00:00:00Z", "--to", "2026-11-22T01:00:00Z", "--follow",
        ])
        #expect(result.status == 64 && result.err.contains("--to ends the window"), "\(result)")
    }
}

/// RFC 3339 with milliseconds, as the Logging API writes timestamps.
enum TimeFormat {
    static func rfc3339(_ date: Date) -> String {
        formatter.string(from: date)
    }

    static func parse(_ text: String) -> Date? { formatter.date(from: text) }

    nonisolated(unsafe) private static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
