import Foundation
import Testing

/// The command line as a new user meets it: `triage --help`, typos, the CI formats, the man page
/// and completions that `make install` puts in place.
@Suite("Front door")
struct FrontDoorTests {
    static let bundle = "SampleLogs/bundle/inputs"
    static let now = ["--now", "2026-11-22T10:30:00Z"]

    // MARK: the command and its help

    @Test("triage --help shows the analysis options grouped, examples for the three ways in, and the subcommands")
    func help() throws {
        let result = try CLI.triage(["--help"])
        #expect(result.status == 0, "\(result)")
        let help = result.out
        let sections = ["INPUTS:", "TOPOLOGY", "LIVE", "OUTPUT:", "SUBCOMMANDS:"]
        let positions = sections.map { help.range(of: $0)?.lowerBound }
        #expect(!positions.contains(nil), "\(help)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "sections in order: \(help)")
        for option in ["--cluster", "--format", "--fail-on", "--live", "--since", "--master-cidr", "--rules", "<path>"] {
            #expect(help.contains(option), "\(option) in \(help)")
        }
        #expect(help.contains("| triage"), "a pipe example")
        #expect(help.contains("triage --live --project"), "a --live example")
        #expect(help.contains("exported-logs/"), "a folder example")
        let subcommands = String(help[help.range(of: "SUBCOMMANDS:")!.upperBound...])
        for name in ["rules", "classify", "version"] { #expect(subcommands.contains("  \(name) "), "\(name) listed") }
        #expect(!subcommands.contains("analyze"))
        // `triage help` is the same page.
        #expect(try CLI.triage(["help"]).out == help)
    }

    @Test("subcommands still route: rules, classify, version, help rules, and the old 'analyze'")
    func subcommandsRoute() throws {
        let rules = try CLI.triage(["rules", "list"])
        #expect(rules.status == 0 && rules.out.contains("master-to-webhook-port-blocked"), "\(rules)")
        let classify = try CLI.triage(["classify", "35.191.0.1"])
        #expect(classify.status == 0 && classify.out.contains("health-check"), "\(classify)")
        #expect(try CLI.triage(["version"]).out.hasPrefix("triage "))
        let helpRules = try CLI.triage(["help", "rules"])
        #expect(helpRules.out.contains("triage rules <subcommand>"), "\(helpRules)")
    }

    @Test(
        "a mistyped subcommand is a usage error with a suggestion",
        arguments: [(["rule", "list"], "rules"), (["clasify", "1.2.3.4"], "classify"), (["verison"], "version"), (["rulse"], "rules")])
    func subcommandTypo(arguments: [String], suggestion: String) throws {
        let result = try CLI.triage(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.err.contains("did you mean 'triage \(suggestion)'?"), "\(result)")
        #expect(result.out.isEmpty)
    }

    @Test("a file named like a subcommand typo is read when it exists")
    func existingFileIsRead() throws {
        try CLI.withTemporaryDirectory { directory in
            let log = try String(contentsOf: Scenario(name: "webhook-port-blocked").json, encoding: .utf8)
            try CLI.write(log, to: directory.appendingPathComponent("rule"))
            let result = try CLI.shell("cd \"$1\" && \"$TRIAGE\" rule --format json --quiet --fail-on info", [directory.path])
            #expect(result.status == 1, "a finding, not a usage error: \(result)")
            #expect(try JSONReport(result).findings.count > 0)
        }
    }

    @Test(
        "a mistyped value names the nearest one",
        arguments: [(["--format", "jsno"], "json"), (["--fail-on", "warnign"], "warning"), (["--color", "nevr"], "never"), (["--fail-on", "nnoe"], "none")])
    func valueTypo(arguments: [String], suggestion: String) throws {
        let result = try CLI.triage(arguments + [UsageTests.sample])
        #expect(result.status == 64, "\(result)")
        #expect(result.err.contains("did you mean '\(suggestion)'?"), "\(result)")
    }

    @Test("rules list --format jsno suggests json too")
    func listFormatTypo() throws {
        let result = try CLI.triage(["rules", "list", "--format", "jsno"])
        #expect(result.status == 64)
        #expect(result.err.contains("did you mean 'json'?"), "\(result)")
    }

    // MARK: for CI

    @Test("--fail-on none exits 0 with findings; the findings are the same")
    func failOnNone() throws {
        let strict = try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now)
        let none = try CLI.triage([Self.bundle, "--format", "json", "--quiet", "--fail-on", "none"] + Self.now)
        #expect(strict.status == 1, "\(strict)")
        #expect(none.status == 0, "\(none)")
        #expect(none.out == strict.out)
        #expect(try JSONReport(none).findings.count > 0)
    }

    @Test("every JSON object carries schema_version")
    func schemaVersion() throws {
        let result = try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now)
        let report = try JSONReport(result)
        #expect(!report.findings.isEmpty)
        for object in report.findings + [report.summary] { #expect(object["schema_version"] as? Int == 1, "\(object)") }
    }

    @Test("rules list, rules explain and classify print JSON Lines with --format json")
    func listsAsJSON() throws {
        let list = try CLI.triage(["rules", "list", "--format", "json"])
        #expect(list.status == 0, "\(list)")
        let rules = try Self.objects(list.out)
        #expect(rules.count == RuleFiles.all.count)
        #expect(Set(rules.compactMap { $0["id"] as? String }) == Set(RuleFiles.all.map(\.id)))
        for rule in rules {
            #expect(rule["type"] as? String == "rule" && rule["schema_version"] as? Int == 1)
            let id = rule["id"] as? String ?? ""
            #expect(rule["severity"] as? String == RuleFiles.severity(of: id), "\(rule)")
        }

        let explain = try CLI.triage(["rules", "explain", "health-check-blocked", "--format", "json"])
        let explained = try #require(try Self.objects(explain.out).first, "\(explain)")
        #expect(explained["id"] as? String == "health-check-blocked")
        let remedy = try #require(explained["remedy"] as? [String: Any])
        #expect(!(remedy["commands"] as? [[String: Any]] ?? []).isEmpty)
        #expect(!(explained["match"] as? [[String: Any]] ?? []).isEmpty)

        let classify = try CLI.triage(["classify", "35.191.0.1", "172.16.0.2", "--cluster", CLI.mixedCluster, "--format", "json"])
        #expect(classify.status == 0, "\(classify)")
        let addresses = try Self.objects(classify.out)
        #expect(addresses.map { $0["ip"] as? String } == ["35.191.0.1", "172.16.0.2"])
        #expect(addresses.map { $0["role"] as? String } == ["health-check", "control-plane"])
        #expect(addresses.allSatisfy { $0["type"] as? String == "address" && $0["schema_version"] as? Int == 1 })
    }

    @Test("--format sarif validates against the SARIF 2.1.0 schema and says what the JSON says", arguments: ["bundle", "stdin"])
    func sarif(source: String) throws {
        try CLI.withTemporaryDirectory { directory in
            let input = source == "bundle" ? [Self.bundle] : []
            let stdin = source == "stdin" ? try Data(contentsOf: Scenario.mixed.json) : nil
            let cluster = source == "stdin" ? ["--cluster", CLI.mixedCluster] : []
            let sarif = try CLI.triage(input + cluster + ["--format", "sarif", "--quiet"] + Self.now, stdin: stdin)
            let json = try CLI.triage(input + cluster + ["--format", "json", "--quiet"] + Self.now, stdin: stdin)
            #expect(sarif.status == json.status, "\(sarif)")
            let file = directory.appendingPathComponent("out.sarif")
            try sarif.stdout.write(to: file)
            let schema = CLI.packageRoot.appendingPathComponent("Tests/Schemata/sarif-schema-2.1.0.json")
            let validate = """
                import json, sys, jsonschema
                schema = json.load(open(sys.argv[1])); document = json.load(open(sys.argv[2]))
                errors = list(jsonschema.Draft4Validator(schema).iter_errors(document))
                for error in errors[:10]: print(list(error.absolute_path), error.message)
                sys.exit(1 if errors else 0)
                """
            let check = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", validate, schema.path, file.path])
            #expect(check.status == 0, "SARIF schema errors:\n\(check)")

            let document = try #require(try JSONSerialization.jsonObject(with: sarif.stdout) as? [String: Any])
            #expect(document["version"] as? String == "2.1.0")
            let run = try #require((document["runs"] as? [[String: Any]])?.first)
            let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
            #expect(driver["name"] as? String == "triage")
            let rules = try #require(driver["rules"] as? [[String: Any]])
            #expect(Set(rules.compactMap { $0["id"] as? String }) == Set(RuleFiles.all.map(\.id)))
            for rule in rules {
                let info = try #require(RuleFiles.all.first { $0.id == rule["id"] as? String })
                #expect(rule["helpUri"] as? String == info.references.first, "\(rule)")
                let level = (rule["defaultConfiguration"] as? [String: Any])?["level"] as? String
                #expect(level == ["error": "error", "warning": "warning", "info": "note"][info.severity], "\(rule)")
                #expect(((rule["fullDescription"] as? [String: Any])?["text"] as? String)?.isEmpty == false)
            }
            let results = try #require(run["results"] as? [[String: Any]])
            let findings = try JSONReport(json).findings
            #expect(results.count == findings.count)
            #expect(!results.isEmpty)
            for (result, finding) in zip(results, findings) {
                #expect(result["ruleId"] as? String == finding["rule"] as? String)
                let index = try #require(result["ruleIndex"] as? Int)
                #expect(rules[index]["id"] as? String == finding["rule"] as? String)
                let commands = (finding["remedy"] as? [String: Any])?["commands"] as? [String] ?? []
                #expect((result["properties"] as? [String: Any])?["fix_commands"] as? [String] == commands)
                let location = try #require((result["locations"] as? [[String: Any]])?.first, "\(result)")
                if source == "stdin" {
                    #expect(location["physicalLocation"] == nil, "standard input is no file: \(location)")
                    #expect(location["logicalLocations"] != nil)
                } else if finding["evidence"] as? [[String: Any]] != nil, let first = (finding["evidence"] as? [[String: Any]])?.first,
                    let place = first["location"] as? String
                {
                    let physical = try #require(location["physicalLocation"] as? [String: Any], "\(location)")
                    let line = (physical["region"] as? [String: Any])?["startLine"] as? Int
                    #expect(place.hasSuffix(":\(line ?? -1)"), "\(place) vs \(physical)")
                }
            }
        }
    }

    // MARK: man page and completions

    @Test("make install-docs puts the man page and three completions under PREFIX, from the built binary")
    func installDocs() throws {
        try CLI.withTemporaryDirectory { prefix in
            let make = try CLI.run(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["make", "--no-print-directory", "-C", CLI.packageRoot.path, "install-docs", "PREFIX=\(prefix.path)", "TRIAGE_BIN=\(CLI.binary.path)"],
                timeout: 120)
            #expect(make.status == 0, "\(make)")
            let files = [
                "share/man/man1/triage.1", "share/bash-completion/completions/triage", "share/zsh/site-functions/_triage",
                "share/fish/vendor_completions.d/triage.fish",
            ]
            for file in files {
                #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file)")
            }
            let manual = try String(contentsOf: prefix.appendingPathComponent(files[0]), encoding: .utf8)
            #expect(manual.contains(".Dt TRIAGE 1"))
            for text in [".Sh INPUTS", ".Sh OUTPUT", ".Sh SUBCOMMANDS", ".Sh EXIT STATUS", "Fl -fail-on", "sarif", ".Ss rules list"] {
                #expect(manual.contains(text), "\(text) in the man page")
            }
            // Rendered, the page has no mdoc errors.
            let rendered = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["groff", "-mandoc", "-Tutf8", "-ww", prefix.appendingPathComponent(files[0]).path])
            #expect(rendered.status == 0 && rendered.out.contains("--format"), "\(rendered)")
            #expect(!rendered.err.contains("warning"), "\(rendered.err)")
            let zsh = try String(contentsOf: prefix.appendingPathComponent(files[2]), encoding: .utf8)
            #expect(zsh.contains("--format") && zsh.contains("_files"))
            let fish = try String(contentsOf: prefix.appendingPathComponent(files[3]), encoding: .utf8)
            #expect(fish.contains("'format'") || fish.contains("-l 'format'"))
        }
    }

    /// What bash offers for `words` (the last is the word being completed), run in `directory`.
    static func bashCompletions(_ words: [String], in directory: URL) throws -> [String] {
        let script = try CLI.triage(["--generate-completion-script", "bash"])
        try #require(script.status == 0)
        let file = directory.appendingPathComponent("triage.bash")
        try script.stdout.write(to: file)
        let harness = """
            source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            COMPREPLY=()
            _triage triage "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        // A custom completion asks `triage ---completion …` found on PATH, as an installed one is.
        var environment = CLI.environment
        environment["PATH"] = CLI.binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let result = try CLI.run(
            URL(fileURLWithPath: "/bin/bash"), ["-c", "cd \"$0\" && bash -c \"$1\" harness \"$2\" \"${@:3}\"", directory.path, harness, file.path] + words,
            environment: environment)
        try #require(result.status == 0, "\(result)")
        return result.out.split(separator: "\n").map(String.init)
    }

    @Test("bash completes the top-level command: option values, files, and subcommands")
    func bashCompletion() throws {
        try CLI.withTemporaryDirectory { directory in
            try CLI.write("x", to: directory.appendingPathComponent("denied-logs.json"))
            try CLI.write("x", to: directory.appendingPathComponent("cluster.yaml"))
            #expect(Set(try Self.bashCompletions(["triage", "--format", ""], in: directory)) == ["text", "json", "markdown", "sarif", "dot", "script", "config-connector", "terraform"])
            #expect(Set(try Self.bashCompletions(["triage", "--fail-on", ""], in: directory)) == ["error", "warning", "info", "none"])
            #expect(Set(try Self.bashCompletions(["triage", "--color", ""], in: directory)) == ["auto", "always", "never"])
            #expect(try Self.bashCompletions(["triage", "--cluster", "clu"], in: directory) == ["cluster.yaml"])
            #expect(try Self.bashCompletions(["triage", "den"], in: directory) == ["denied-logs.json"])
            #expect(try Self.bashCompletions(["triage", "cluster.yaml", "den"], in: directory) == ["denied-logs.json"])
            let first = Set(try Self.bashCompletions(["triage", ""], in: directory))
            #expect(first.isSuperset(of: ["denied-logs.json", "cluster.yaml", "rules", "classify", "version"]), "\(first)")
            #expect(try Self.bashCompletions(["triage", "--fo"], in: directory).sorted() == ["--follow", "--follow-interval", "--format"])
            #expect(Set(try Self.bashCompletions(["triage", "rules", ""], in: directory)).isSuperset(of: ["list", "explain", "check"]))
            #expect(Set(try Self.bashCompletions(["triage", "rules", "list", "--format", ""], in: directory)) == ["text", "json"])
            // Rule ids, from the built-in rules.
            let ids = try CLI.triage(["rules", "list", "--format", "json"]).stdout
            let webhookIDs = String(decoding: ids, as: UTF8.self).split(separator: "\n").compactMap { line -> String? in
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return (object?["id"] as? String).flatMap { $0.hasPrefix("webhook") ? $0 : nil }
            }
            #expect(!webhookIDs.isEmpty)
            #expect(Set(try Self.bashCompletions(["triage", "rules", "explain", "webhook"], in: directory)) == Set(webhookIDs))
        }
    }

    static let fishInstalled = (try? CLI.shell("command -v fish"))?.status == 0

    /// What fish offers for `line` (completing its last word), run in `directory`.
    static func fishCompletions(_ line: String, in directory: URL) throws -> [String] {
        let script = try CLI.triage(["--generate-completion-script", "fish"])
        try #require(script.status == 0)
        // Outside `directory`, whose files are the ones offered.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("triage-\(UUID().uuidString).fish")
        try script.stdout.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        // fish -n reads the script without running it: no syntax errors.
        let syntax = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["fish", "--no-config", "-n", file.path])
        try #require(syntax.status == 0, "\(syntax)")
        let result = try CLI.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["fish", "--no-config", "-c", "cd $argv[1]; and source $argv[2]; and complete -C $argv[3]", directory.path, file.path, line])
        try #require(result.status == 0 && result.err.isEmpty, "\(result)")
        // Each line is a candidate, then a tab and its description.
        return result.out.split(separator: "\n").map { String($0.split(separator: "\t", omittingEmptySubsequences: false)[0]) }
    }

    @Test(
        "fish completes the top-level command and the subcommands, as bash does",
        .enabled(if: fishInstalled, "skipped: fish is not installed (.ci/run installs it)"))
    func fishCompletion() throws {
        try CLI.withTemporaryDirectory { directory in
            try CLI.write("x", to: directory.appendingPathComponent("denied-logs.json"))
            try CLI.write("x", to: directory.appendingPathComponent("cluster.yaml"))
            #expect(Set(try Self.fishCompletions("triage --format ", in: directory)) == ["text", "json", "markdown", "sarif", "dot", "script", "config-connector", "terraform"])
            #expect(try Self.fishCompletions("triage --cluster clu", in: directory) == ["cluster.yaml"])
            #expect(try Self.fishCompletions("triage den", in: directory) == ["denied-logs.json"])
            #expect(Set(try Self.fishCompletions("triage cluster.yaml ", in: directory)) == ["denied-logs.json", "cluster.yaml"])
            let first = Set(try Self.fishCompletions("triage ", in: directory))
            #expect(first.isSuperset(of: ["denied-logs.json", "cluster.yaml", "rules", "classify", "version"]), "\(first)")
            #expect(try Self.fishCompletions("triage --fo", in: directory).sorted() == ["--follow", "--follow-interval", "--format"])
            // The subcommands' own words: their subcommands, options and values.
            #expect(Set(try Self.fishCompletions("triage rules ", in: directory)) == ["list", "explain", "check"])
            #expect(Set(try Self.fishCompletions("triage -q rules ", in: directory)) == ["list", "explain", "check"])
            #expect(Set(try Self.fishCompletions("triage rules list --format ", in: directory)) == ["text", "json"])
            #expect(Set(try Self.fishCompletions("triage classify --format ", in: directory)) == ["text", "json"])
            let classify = Set(try Self.fishCompletions("triage classify --", in: directory))
            #expect(classify.isSuperset(of: ["--cluster", "--format", "--master-cidr"]) && !classify.contains("--follow"), "\(classify)")
            #expect(Set(try Self.fishCompletions("triage version --", in: directory)) == ["--help", "--version"])
        }
    }

    // MARK: polish

    @Test("Markdown headings name the problem, never repeat, and the good state sits under them")
    func markdownHeadings() throws {
        let result = try CLI.triage([Self.bundle, "--format", "markdown", "--quiet"] + Self.now)
        let findings = try JSONReport(try CLI.triage([Self.bundle, "--format", "json", "--quiet"] + Self.now)).findings
        let headings = result.out.split(separator: "\n").filter { $0.hasPrefix("## ") && $0 != "## Fix plan" }.map(String.init)
        #expect(headings.count == findings.count, "\(headings)")
        #expect(result.out.contains("\n## Fix plan\n"))
        #expect(Set(headings).count == headings.count, "identical headings: \(headings)")
        for (heading, finding) in zip(headings, findings) {
            let rule = finding["rule"] as? String ?? ""
            let title = finding["title"] as? String ?? ""
            #expect(heading.contains("`\(rule)`"), "\(heading)")
            #expect(!heading.contains(title), "the good state is not the heading: \(heading)")
        }
        #expect(result.out.contains("- **Should be:** "))
    }

    @Test("first and last seen are shown at one precision (whole seconds) in text and Markdown", arguments: ["text", "markdown"])
    func timePrecision(format: String) throws {
        let result = try CLI.triage([Self.bundle, "--format", format, "--quiet"] + Self.now)
        // "Seen: A to B" and the messages' "between A and B" (an operation's own start time,
        // quoted from the API, is left as written).
        let pattern = try Regex(#"(Seen:\*?\*? |between |and\s+)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#)
        let times = result.out.matches(of: pattern).map { String(result.out[$0.range]) }
        #expect(!times.isEmpty)
        #expect(times.allSatisfy { !$0.contains(".") }, "\(times.filter { $0.contains(".") })")
    }

    static func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { throw Failure("not an object: \(line)") }
            return object
        }
    }
}
