import Foundation
import Testing

/// Ways to hand triage its input, and inputs that are empty, clean or broken.
@Suite("Inputs")
struct InputTests {
    let mixed = Scenario.mixed

    func expectMixedFindings(_ result: RunResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 1, "\(result)", sourceLocation: sourceLocation)
        let differences = ExpectedFinding.differences(actual: try JSONReport(result).brief, expected: try mixed.expected())
        #expect(differences.isEmpty, "\(differences)", sourceLocation: sourceLocation)
    }

    @Test("cat FILE | triage reads the pipe", arguments: LogFormat.allCases)
    func shellPipe(format: LogFormat) throws {
        try CLI.withTemporaryDirectory { directory in
            let input = try format.file(for: mixed, in: directory)
            let result = try CLI.shell(
                #"cat "$1" | "$TRIAGE" --cluster "$2" --format json"#, [input.path, CLI.mixedCluster])
            try expectMixedFindings(result)
            #expect(result.err.contains("<stdin>") || result.err.contains("read 1 input"), "\(result)")
        }
    }

    @Test("stdin fed through a pipe, with no path and with '-'", arguments: [[], ["-"]])
    func standardInput(paths: [String]) throws {
        let data = try Data(contentsOf: mixed.yaml)
        let result = try CLI.triage(paths + ["--cluster", CLI.mixedCluster, "--format", "json"], stdin: data)
        try expectMixedFindings(result)
        #expect(try JSONReport(result).summaryInt("inputs") == 1)
    }

    @Test("a file and '-' together are read as one run")
    func fileAndStandardInput() throws {
        // The JSON file on the command line and the same entries as gzip on stdin: every count doubles.
        try CLI.withTemporaryDirectory { directory in
            let gz = try LogFormat.jsonGzip.file(for: mixed, in: directory)
            let result = try CLI.triage(
                [mixed.json.path, "-", "--cluster", CLI.mixedCluster, "--format", "json"], stdin: try Data(contentsOf: gz))
            #expect(result.status == 1, "\(result)")
            let doubled = try mixed.expected().map { ExpectedFinding(rule: $0.rule, count: $0.count * 2, facts: $0.facts) }
            let report = try JSONReport(result)
            let differences = ExpectedFinding.differences(actual: report.brief, expected: doubled)
            #expect(differences.isEmpty, "\(differences)")
            #expect(report.summaryInt("inputs") == 2)
            #expect(report.summaryInt("records") == 2 * (try mixed.entryCount()))
        }
    }

    @Test("a Cloud Storage sink tree given as a directory is walked recursively; hidden files are skipped")
    func sinkDirectory() throws {
        try CLI.withTemporaryDirectory { directory in
            let entries = try CLI.jsonArray(mixed.json)
            let half = entries.count / 2
            let day = directory.appendingPathComponent("export/compute.googleapis.com/firewall/2026/11/22", isDirectory: true)
            try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
            try CLI.ndjsonLines(Array(entries[..<half])).write(to: day.appendingPathComponent("09:00:00_09:59:59_S0.json"))
            try CLI.ndjsonLines(Array(entries[half...])).write(to: day.appendingPathComponent("09:00:00_09:59:59_S1.json"))
            try CLI.write("not a log at all\n", to: day.appendingPathComponent(".09:00:00_09:59:59_S0.json.tmp"))

            let result = try CLI.triage([directory.appendingPathComponent("export").path, "--cluster", CLI.mixedCluster, "--format", "json"])
            try expectMixedFindings(result)
            let report = try JSONReport(result)
            #expect(report.summaryInt("inputs") == 2)
            #expect(report.summaryInt("records") == entries.count)
            #expect(report.summaryInt("skipped_total") == 0)
            // Evidence points into the sink files.
            let locations = report.findings.flatMap { ($0["evidence"] as? [[String: Any]] ?? []).compactMap { $0["location"] as? String } }
            #expect(!locations.isEmpty && locations.allSatisfy { $0.contains("compute.googleapis.com/firewall/2026/11/22/09:00:00_09:59:59_S") })
        }
    }

    @Test("empty stdin: no evidence, which is no all-clear: exit 2")
    func emptyStandardInput() throws {
        let result = try CLI.triage([], stdin: Data())
        #expect(result.status == 2, "\(result)")
        #expect(!result.out.contains("No problems found"))
        #expect(result.err.contains("<stdin>: no evidence read: empty"), "\(result)")
        #expect(result.err.contains("0 records"))
        let piped = try CLI.shell(#": | "$TRIAGE""#)
        #expect(piped.status == 2, "\(piped)")
        #expect(!piped.out.contains("No problems found"))
    }

    @Test("only malformed records: no evidence, exit 2, each input named with why")
    func onlyMalformedRecords() throws {
        try CLI.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("bad.ndjson")
            try CLI.write("{\"a\": \n{bad\n{\"x\":1,}\n", to: file)
            let result = try CLI.triage([file.path])
            #expect(result.status == 2, "\(result)")
            #expect(!result.out.contains("No problems found"), "\(result)")
            #expect(result.err.contains("\(file.path): no evidence read: every record was skipped (malformed JSON: 3)"), "\(result)")
        }
    }

    @Test("a pipe whose first read is a blank line is read like any other")
    func blankLedPipe() throws {
        let result = try CLI.shell(#"(echo; sleep 0.3; cat "$1") | "$TRIAGE" --cluster "$2" --format json"#, [mixed.json.path, CLI.mixedCluster])
        try expectMixedFindings(result)
    }

    @Test("an unreadable subfolder (chmod 000, run as an unprivileged user) is named; the good files still give findings")
    func unreadableSubfolder() throws {
        let privileged = geteuid() == 0
        let setpriv = "/usr/bin/setpriv"
        try #require(!privileged || FileManager.default.isExecutableFile(atPath: setpriv), "as root this needs setpriv to drop privileges")
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("triage-unreadable-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let locked = directory.appendingPathComponent("logs/locked", isDirectory: true)
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: mixed.json, to: directory.appendingPathComponent("logs/firewall.json"))
        let cluster = directory.appendingPathComponent("cluster.yaml")
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent(CLI.mixedCluster), to: cluster)
        for path in [directory.path, directory.appendingPathComponent("logs").path] { chmod(path, 0o755) }
        for path in [cluster.path, directory.appendingPathComponent("logs/firewall.json").path] { chmod(path, 0o644) }
        chmod(locked.path, 0)
        defer { chmod(locked.path, 0o755) }
        let script = (privileged ? "\(setpriv) --reuid=65534 --regid=65534 --clear-groups " : "") + #""$TRIAGE" "$1" --cluster "$2" --format json"#
        let result = try CLI.shell(script, [directory.appendingPathComponent("logs").path, cluster.path])
        #expect(result.status == 2, "\(result)")
        #expect(result.err.contains("cannot open \(locked.path): permission denied"), "\(result)")
        #expect(result.err.contains("input not readable (permission denied): 1"), "\(result)")
        let differences = ExpectedFinding.differences(actual: try JSONReport(result).brief, expected: try mixed.expected())
        #expect(differences.isEmpty, "\(differences)")
    }

    @Test("ALLOWED entries only: 'No problems found', exit 0")
    func allowedOnly() throws {
        try CLI.withTemporaryDirectory { directory in
            let all = try CLI.jsonArray(CLI.sampleLogs.appendingPathComponent("mixed/firewall-all.json"))
            let allowed = all.filter { ($0["jsonPayload"] as? [String: Any])?["disposition"] as? String == "ALLOWED" }
            #expect(!allowed.isEmpty)
            let file = directory.appendingPathComponent("allowed.json")
            try JSONSerialization.data(withJSONObject: allowed, options: [.prettyPrinted]).write(to: file)

            for failOn in ["error", "warning", "info"] {
                let text = try CLI.triage([file.path, "--cluster", CLI.mixedCluster, "--fail-on", failOn])
                #expect(text.status == 0, "\(text)")
                #expect(text.out.contains("No problems found in \(allowed.count) firewall log records"), "\(text)")
            }
            let markdown = try CLI.triage([file.path, "--cluster", CLI.mixedCluster, "--format", "markdown"])
            #expect(markdown.status == 0)
            #expect(markdown.out.contains("No problems found."))
            let json = try CLI.triage([file.path, "--cluster", CLI.mixedCluster, "--format", "json"])
            #expect(json.status == 0)
            let report = try JSONReport(json)
            #expect(report.findings.isEmpty)
            #expect(report.summaryInt("allowed_records") == allowed.count)
            #expect(report.summaryInt("denied_records") == 0)
        }
    }

    @Test("a malformed NDJSON line is reported as file:line and skipped; the rest is analysed")
    func malformedLine() throws {
        try CLI.withTemporaryDirectory { directory in
            let ndjson = try LogFormat.ndjson.file(for: mixed, in: directory)
            var lines = try String(contentsOf: ndjson, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let badLine = 5
            lines[badLine - 1] = #"{"insertId": "broken", "jsonPayload": {"connection": "#
            let file = directory.appendingPathComponent("with-bad-line.ndjson")
            try CLI.write(lines.joined(separator: "\n"), to: file)

            let result = try CLI.triage([file.path, "--cluster", CLI.mixedCluster, "--format", "json"])
            #expect(result.status == 1, "a bad record is not an input error: \(result)")
            #expect(result.err.contains("\(file.path):\(badLine):"), "\(result)")
            let report = try JSONReport(result)
            let entries = try mixed.entryCount()
            #expect(report.totalCount == entries - 1)
            #expect(report.summaryInt("records") == entries - 1)
            #expect(report.summaryInt("skipped_total") == 1)
            #expect(Set(report.brief.map(\.rule)) == Set(try mixed.expected().map(\.rule)))
            let account = result.err.split(separator: "\n").last.map(String.init) ?? ""
            #expect(account.contains("1 skipped"), "\(account)")
        }
    }

    @Test("a truncated gzip: exit 2, 'ends early', and findings from what was read")
    func truncatedGzip() throws {
        try CLI.withTemporaryDirectory { directory in
            let gz = try LogFormat.jsonGzip.file(for: mixed, in: directory)
            let bytes = try Data(contentsOf: gz)
            let cut = directory.appendingPathComponent("cut.json.gz")
            try bytes.prefix(bytes.count * 3 / 4).write(to: cut)  // head -c

            let text = try CLI.triage([cut.path, "--cluster", CLI.mixedCluster])
            #expect(text.status == 2, "\(text)")
            #expect(text.err.contains("ends early"), "\(text)")
            #expect(text.out.contains("ERROR "), "findings are still printed: \(text)")

            let json = try CLI.triage([cut.path, "--cluster", CLI.mixedCluster, "--format", "json"])
            #expect(json.status == 2)
            let report = try JSONReport(json)
            #expect(!report.findings.isEmpty)
            let entries = try mixed.entryCount()
            #expect(report.totalCount > 0 && report.totalCount < entries)
            #expect((report.summary["errors"] as? [String])?.count == 1)
        }
    }

    @Test(
        "an unknown format: exit 2 and the accepted formats listed",
        arguments: [
            Data("hello world\nthis is not a log\n".utf8),
            Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]),
        ])
    func unknownFormat(content: Data) throws {
        try CLI.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("mystery.log")
            try content.write(to: file)
            let result = try CLI.triage([file.path])
            #expect(result.status == 2, "\(result)")
            #expect(result.err.contains("unrecognised format"), "\(result)")
            for accepted in ["gcloud logging read", "NDJSON", "JSON array", "Cloud Storage", "gzip"] {
                #expect(result.err.contains(accepted), "stderr does not mention \(accepted): \(result)")
            }
            // Other inputs of the same run are still analysed.
            let both = try CLI.triage([file.path, mixed.json.path, "--cluster", CLI.mixedCluster, "--format", "json"])
            #expect(both.status == 2)
            #expect(try JSONReport(both).totalCount == (try mixed.entryCount()))
        }
    }

    @Test("YAML double-quoted escapes (as PyYAML writes them) decode like the JSON of the same entries")
    func yamlEscapes() throws {
        // gcloud's YAML comes from PyYAML, which writes ESC as "\e", BEL as "\a" and, without
        // allow_unicode, "São" as "S\xE3o"; JSON has "\u001b" and "São" for the same values.
        do {
            try CLI.withTemporaryDirectory { directory in
                let original = try String(contentsOf: Scenario(name: "webhook-port-blocked").yaml, encoding: .utf8)
                let document = try #require(original.components(separatedBy: "---\n").first(where: { !$0.isEmpty }))
                var yamlLines: [String] = []
                for line in document.split(separator: "\n") {
                    if line.hasPrefix("    reference: ") {
                        yamlLines.append(#"    reference: "network:kubeflow-vpc/firewall:deny\e[31m-all\a-S\xE3o""#)
                    } else {
                        yamlLines.append(String(line))
                    }
                }
                let yaml = directory.appendingPathComponent("escaped.yaml")
                try CLI.write("---\n" + yamlLines.joined(separator: "\n") + "\n", to: yaml)

                var entry = try #require(try CLI.jsonArray(Scenario(name: "webhook-port-blocked").json).first)
                var payload = try #require(entry["jsonPayload"] as? [String: Any])
                var details = try #require(payload["rule_details"] as? [String: Any])
                details["reference"] = "network:kubeflow-vpc/firewall:deny\u{1B}[31m-all\u{07}-São"
                payload["rule_details"] = details
                entry["jsonPayload"] = payload
                let json = directory.appendingPathComponent("escaped.json")
                try JSONSerialization.data(withJSONObject: [entry]).write(to: json)

                let yamlRun = try CLI.triage([yaml.path, "--cluster", CLI.mixedCluster, "--format", "json"])
                let jsonRun = try CLI.triage([json.path, "--cluster", CLI.mixedCluster, "--format", "json"])
                let fromYAML = try JSONReport(yamlRun).brief
                let fromJSON = try JSONReport(jsonRun).brief
                #expect(fromYAML == fromJSON)
                // Such a reference cannot be a rule's, so it is not believed: the problem line that
                // rejects it shows the value each reader decoded, and they must agree.
                func rejection(_ run: RunResult, _ file: URL) -> String? {
                    run.err.split(separator: "\n").first { $0.contains("rule_details.reference") }
                        .map { $0.replacingOccurrences(of: file.path, with: "FILE") }
                }
                #expect(rejection(jsonRun, json)?.contains(#""network:kubeflow-vpc/firewall:deny\x1b[31m-all\x07-São""#) == true,
                        "\(jsonRun)")
                #expect(rejection(yamlRun, yaml) == rejection(jsonRun, json), "\(yamlRun)")
            }
        }
    }

    @Test("a path that does not exist: exit 2")
    func missingPath() throws {
        let result = try CLI.triage(["SampleLogs/no-such-scenario/firewall-denied.json"])
        #expect(result.status == 2, "\(result)")
        #expect(result.err.contains("no-such-scenario"))
    }
}
