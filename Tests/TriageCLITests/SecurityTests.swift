import Foundation
import Testing

/// Log contents are attacker-controlled: escape sequences in them must never reach the terminal.
@Suite("Terminal escapes")
struct SecurityTests {
    static let osc = "\u{1B}]0;pwned\u{07}"  // sets the window title
    static let csi = "\u{1B}[31m"  // red
    static let c1CSI = "\u{9B}31m"  // the 8-bit CSI

    /// Raw bytes that must not appear: ESC, BEL, and U+009B as UTF-8.
    static func rawControls(in data: Data) -> [String] {
        var found: [String] = []
        if data.contains(0x1B) { found.append("ESC") }
        if data.contains(0x07) { found.append("BEL") }
        if data.contains(sequence: [0xC2, 0x9B]) { found.append("U+009B") }
        return found
    }

    enum Encoding: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case ndjson, json, yaml
        var testDescription: String { rawValue }
    }

    /// Webhook entries with escape sequences in the VM name, the rule reference and other strings,
    /// plus a malformed record, in the given encoding.
    static func hostileInput(_ encoding: Encoding, in directory: URL) throws -> URL {
        var entries = Array(try CLI.jsonArray(Scenario(name: "webhook-port-blocked").json).prefix(4))
        for index in entries.indices {
            var payload = entries[index]["jsonPayload"] as! [String: Any]
            var instance = payload["instance"] as! [String: Any]
            instance["vm_name"] = "gke-evil" + osc + "-node" + csi
            instance["zone"] = "us-central1-b" + osc
            payload["instance"] = instance
            var details = payload["rule_details"] as! [String: Any]
            details["reference"] = "network:kubeflow-vpc" + csi + "/firewall:deny-all-ingress" + osc + c1CSI
            payload["rule_details"] = details
            var vpc = payload["vpc"] as! [String: Any]
            vpc["vpc_name"] = "kubeflow-vpc" + osc
            vpc["project_id"] = "kf-prod-4412" + csi
            payload["vpc"] = vpc
            entries[index]["jsonPayload"] = payload
            entries[index]["insertId"] = "id" + osc
        }
        switch encoding {
        case .ndjson:
            var data = try CLI.ndjsonLines(entries)
            // A broken record with a raw ESC in it: its problem message goes to stderr.
            data += Data("{\"insertId\": \"x\(osc)\", broken\n".utf8)
            let url = directory.appendingPathComponent("hostile.ndjson")
            try data.write(to: url)
            return url
        case .json:
            let url = directory.appendingPathComponent("hostile.json")
            try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted]).write(to: url)
            return url
        case .yaml:
            // gcloud's YAML shape with the raw characters in plain scalars.
            let original = try String(contentsOf: Scenario(name: "webhook-port-blocked").yaml, encoding: .utf8)
            let documents = original.components(separatedBy: "---\n").filter { !$0.isEmpty }.prefix(4)
            let yaml = documents.map { document in
                document.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                    if line.hasPrefix("    vm_name: ") { return "    vm_name: gke-evil\(osc)-node\(csi)" }
                    if line.hasPrefix("    reference: ") { return "    reference: network:kubeflow-vpc/firewall:deny-all-ingress\(osc)\(c1CSI)" }
                    if line.hasPrefix("    vpc_name: ") { return "    vpc_name: kubeflow-vpc\(csi)" }
                    return String(line)
                }.joined(separator: "\n")
            }
            let url = directory.appendingPathComponent("hostile.yaml")
            try CLI.write("---\n" + yaml.joined(separator: "---\n"), to: url)
            return url
        }
    }

    @Test("no raw ESC/BEL/CSI from log contents in text or markdown, stdout or stderr", arguments: Encoding.allCases, ["text", "markdown"])
    func escapesAreNeutralised(encoding: Encoding, format: String) throws {
        try CLI.withTemporaryDirectory { directory in
            let input = try Self.hostileInput(encoding, in: directory)
            for extra in [[], ["--verbose"], ["--color", "never"]] {
                let result = try CLI.triage([input.path, "--cluster", CLI.mixedCluster, "--format", format] + extra)
                #expect(result.status == 1, "\(result)")
                #expect(result.out.contains("master-to-webhook-port-blocked"), "the finding is still reported: \(result)")
                #expect(Self.rawControls(in: result.stdout).isEmpty, "stdout has \(Self.rawControls(in: result.stdout)) with \(extra)")
                #expect(Self.rawControls(in: result.stderr).isEmpty, "stderr has \(Self.rawControls(in: result.stderr)) with \(extra)")
                // Shown, but escaped: in the report, or (names that cannot be real, so not used) in
                // the problem line that rejects them.
                #expect(result.out.contains("\\x1b") || result.out.contains("\\e") || result.err.contains("\\x1b"), "\(result)")
            }
        }
    }

    @Test("no raw escapes from a hostile file name or an unrecognisable input")
    func hostileNames() throws {
        try CLI.withTemporaryDirectory { directory in
            let tree = directory.appendingPathComponent("tree", isDirectory: true)
            let entries = Array(try CLI.jsonArray(Scenario.mixed.json).prefix(3))
            var data = try CLI.ndjsonLines(entries)
            data += Data("{broken\n".utf8)
            try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
            try data.write(to: tree.appendingPathComponent("evil\(Self.osc).json"))
            try Data("\(Self.osc)\(Self.csi)garbage that is no log\n".utf8).write(to: tree.appendingPathComponent("junk\(Self.csi).log"))

            for format in ["text", "markdown"] {
                let result = try CLI.triage([tree.path, "--format", format, "--verbose"])
                #expect(result.status == 2, "the junk file is an input error: \(result)")
                #expect(result.err.contains("unrecognised format"))
                #expect(result.err.contains(":4:"), "the malformed line is named: \(result)")
                #expect(Self.rawControls(in: result.stdout).isEmpty, "stdout: \(Self.rawControls(in: result.stdout))")
                #expect(Self.rawControls(in: result.stderr).isEmpty, "stderr: \(Self.rawControls(in: result.stderr))")
            }
        }
    }

    @Test("no raw escapes from a hostile value in a rule file")
    func hostileRuleFile() throws {
        // `triage rules check` is how someone vets a rule file they were sent; its messages quote
        // values from the file.
        do {
            try CLI.withTemporaryDirectory { directory in
                let source = try String(
                    contentsOf: CLI.rulesDirectory.appendingPathComponent("firewall/master-to-webhook-port-blocked.yaml"), encoding: .utf8)
                let text = source
                    .replacingOccurrences(of: "id: master-to-webhook-port-blocked\n", with: "id: hostile-rule\n")
                    .replacingOccurrences(of: "\nseverity: error\n", with: "\nseverity: \"\\e]0;pwned\\a\"\n")
                try CLI.write(text, to: directory.appendingPathComponent("hostile-rule.yaml"))
                let check = try CLI.triage(["rules", "check", directory.path])
                #expect(check.status == 2, "\(check)")
                #expect(Self.rawControls(in: check.stderr).isEmpty, "stderr: \(Self.rawControls(in: check.stderr))")
            }
        }
    }
}
