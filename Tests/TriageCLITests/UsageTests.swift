import Foundation
import Testing

/// Flags, exit statuses and the closing account on stderr.
@Suite("Usage and account")
struct UsageTests {
    static let sample = "SampleLogs/webhook-port-blocked/firewall-denied.json"

    @Test(
        "usage errors exit 64",
        arguments: [
            ["--no-such-flag"],
            ["--no-such-flag", sample],
            ["--master-cidr", "nonsense", sample],
            ["--master-cidr", "172.16.0.0/99", sample],
            ["--pod-cidr", "10.20.0.0/14,bogus", sample],
            ["--format", "xml", sample],
            ["--fail-on", "fatal", sample],
            ["--color", "purple", sample],
            ["analyze", "--no-such-flag", sample],
            ["classify"],
            ["rules", "explain"],
            ["rules", "frobnicate"],
        ])
    func usageErrors(arguments: [String]) throws {
        let result = try CLI.triage(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(!result.err.isEmpty)
        #expect(result.out.isEmpty, "nothing on stdout: \(result)")
    }

    @Test("a bad --master-cidr is named")
    func badMasterCIDRMessage() throws {
        let result = try CLI.triage(["--master-cidr", "172.16.0.0/99", Self.sample])
        #expect(result.status == 64)
        #expect(result.err.contains("--master-cidr"))
        #expect(result.err.contains("172.16.0.0/99"))
    }

    @Test("--master-cidr stands in for the cluster description")
    func masterCIDRFlag() throws {
        // With only the master range and the pod range known, the webhook finding is still named.
        let result = try CLI.triage([
            Self.sample, "--master-cidr", "172.16.0.0/28", "--pod-cidr", "10.20.0.0/14", "--format", "json",
        ])
        #expect(result.status == 1, "\(result)")
        let expected = try Scenario(name: "webhook-port-blocked").expected()
        #expect(ExpectedFinding.differences(actual: try JSONReport(result).brief, expected: expected).isEmpty, "\(result)")
    }

    @Test("'analyze' is the default command")
    func analyzeIsDefault() throws {
        let scenario = Scenario(name: "pod-to-pod-blocked")
        let implicit = try CLI.triage([scenario.json.path, "--cluster", scenario.cluster, "--format", "json", "--quiet"])
        let explicit = try CLI.triage(["analyze", scenario.json.path, "--cluster", scenario.cluster, "--format", "json", "--quiet"])
        #expect(implicit.status == explicit.status)
        #expect(implicit.out == explicit.out)
    }

    @Test("the account line on stderr names records read, firewall records and skipped", arguments: ["text", "json", "markdown"])
    func accountLine(format: String) throws {
        let scenario = Scenario.mixed
        let entries = try scenario.entryCount()
        let result = try CLI.triage([scenario.json.path, "--cluster", scenario.cluster, "--format", format])
        #expect(result.status == 1)
        let last = result.err.split(separator: "\n").last.map(String.init)
        let account = try #require(last, "\(result)")
        #expect(account.hasPrefix("triage: read 1 input"), "\(account)")
        #expect(account.contains("\(entries) records"), "\(account)")
        #expect(account.contains("\(entries) firewall (\(entries) denied, 0 allowed)"), "\(account)")
        #expect(account.contains("0 skipped"), "\(account)")
        let findings = try scenario.expected().count
        #expect(account.contains("\(entries) matched in \(findings) findings"), "\(account)")
    }

    @Test("--quiet suppresses the account and per-record problems; findings are still printed", arguments: ["-q", "--quiet"])
    func quiet(flag: String) throws {
        try CLI.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("with-bad-line.ndjson")
            let ndjson = try LogFormat.ndjson.file(for: Scenario.mixed, in: directory)
            try CLI.write(try String(contentsOf: ndjson, encoding: .utf8) + "{not json\n", to: file)
            let loud = try CLI.triage([file.path, "--cluster", CLI.mixedCluster])
            #expect(loud.err.contains("triage: read 1 input"))
            #expect(loud.err.contains("1 skipped"))
            let quiet = try CLI.triage([file.path, "--cluster", CLI.mixedCluster, flag])
            #expect(quiet.status == 1, "\(quiet)")
            #expect(quiet.err.isEmpty, "\(quiet)")
            #expect(quiet.out == loud.out)
        }
    }

    /// Lines naming `file:LINE:`.
    static func problemLines(_ stderr: String, _ file: String) -> Int {
        stderr.split(separator: "\n").filter { line in
            guard let range = line.range(of: file + ":") else { return false }
            return line[range.upperBound...].first?.isNumber == true
        }.count
    }

    @Test("--max-problems limits per-record problems printed; --verbose prints them all")
    func maxProblems() throws {
        try CLI.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("many-bad-lines.ndjson")
            let ndjson = try String(contentsOf: try LogFormat.ndjson.file(for: Scenario.mixed, in: directory), encoding: .utf8)
            try CLI.write(ndjson + String(repeating: "{not json\n", count: 5), to: file)
            let limited = try CLI.triage([file.path, "--max-problems", "2"])
            #expect(Self.problemLines(limited.err, "many-bad-lines.ndjson") == 2, "\(limited)")
            #expect(limited.err.contains("more problems"))
            #expect(limited.err.contains("5 skipped"))
            let verbose = try CLI.triage([file.path, "--max-problems", "2", "--verbose"])
            #expect(Self.problemLines(verbose.err, "many-bad-lines.ndjson") == 5, "\(verbose)")
        }
    }
}
