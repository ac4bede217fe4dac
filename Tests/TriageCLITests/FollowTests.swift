import Foundation
import Testing

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

    @Test func followNeedsFiles() throws {
        let result = try CLI.triage(["--follow", "-"], stdin: Data())
        #expect(result.status == 64 && result.err.contains("--follow reads what is appended to files"), "\(result)")
    }
}
