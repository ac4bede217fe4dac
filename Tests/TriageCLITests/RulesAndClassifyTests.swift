import Foundation
import Testing

/// `triage rules …`, `--rules DIR` and `triage classify`.
@Suite("Rules and classify")
struct RulesAndClassifyTests {
    static let webhookRule = "master-to-webhook-port-blocked"

    static func ruleText(_ id: String) throws -> String {
        try String(contentsOf: CLI.rulesDirectory.appendingPathComponent("firewall/\(id).yaml"), encoding: .utf8)
    }

    /// A copy of the webhook rule under a new id. Its samples also run with every built-in rule
    /// loaded, where the original fires on the same flows, so `declareOriginal` adds the original's
    /// finding to each trigger sample's expectations.
    static func webhookCopy(id: String, declareOriginal: Bool) throws -> String {
        let original = try ruleText(webhookRule)
        #expect(original.contains("\nid: \(webhookRule)\n") || original.hasPrefix("id: \(webhookRule)\n"))
        var lines: [String] = []
        for line in original.replacingOccurrences(of: "id: \(webhookRule)\n", with: "id: \(id)\n").split(separator: "\n", omittingEmptySubsequences: false) {
            // Without its cause key the copy is a cause of its own: its findings are not merged
            // into the original's, so the collision stays visible.
            if line.hasPrefix("cause:") { continue }
            lines.append(String(line))
            let trimmed = line.drop { $0 == " " }
            if declareOriginal, trimmed.hasPrefix("- {count: "), trimmed.hasSuffix("}") {
                let indent = String(line.prefix { $0 == " " })
                lines.append(indent + "- {rule: \(webhookRule), " + trimmed.dropFirst(3))
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: rules list / explain

    @Test("rules list shows every rule file's id")
    func list() throws {
        let result = try CLI.triage(["rules", "list"])
        #expect(result.status == 0, "\(result)")
        let listed = result.out.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }
        #expect(RuleFiles.all.count >= 10)
        #expect(listed.sorted() == RuleFiles.all.map(\.id).sorted(), "\(result)")
        for rule in RuleFiles.all {
            let line = result.out.split(separator: "\n").first(where: { $0.hasPrefix(rule.id + " ") })
            #expect(line?.contains(" \(rule.severity) ") == true, "\(rule.id) is not listed as \(rule.severity)")
        }
    }

    @Test("rules explain shows the rule's references")
    func explain() throws {
        let result = try CLI.triage(["rules", "explain", Self.webhookRule])
        #expect(result.status == 0, "\(result)")
        let found = RuleFiles.all.first(where: { $0.id == Self.webhookRule })
        let info = try #require(found)
        #expect(info.references.count >= 2)
        for reference in info.references {
            #expect(result.out.contains(reference), "missing reference \(reference)")
        }
        #expect(result.out.contains(Self.webhookRule))
    }

    @Test("rules explain of an unknown id exits 64")
    func explainUnknown() throws {
        let result = try CLI.triage(["rules", "explain", "no-such-rule"])
        #expect(result.status == 64, "\(result)")
        #expect(result.err.contains("no-such-rule"))
        #expect(result.out.isEmpty)
    }

    // MARK: rules check

    @Test("rules check passes a valid copy of a rule under a new id")
    func checkValidCopy() throws {
        try CLI.withTemporaryDirectory { directory in
            try CLI.write(try Self.webhookCopy(id: "my-webhook-port-blocked", declareOriginal: true),
                          to: directory.appendingPathComponent("my-webhook-port-blocked.yaml"))
            let result = try CLI.triage(["rules", "check", directory.path])
            #expect(result.status == 0, "\(result)")
            #expect(result.out.contains("1 rule checked, 0 sample failures"), "\(result)")
        }
    }

    @Test("rules check reports a copy whose samples ignore the built-in rule it duplicates")
    func checkCollision() throws {
        // Samples run with all rules loaded "so collisions show": the original's finding is unexpected.
        try CLI.withTemporaryDirectory { directory in
            try CLI.write(try Self.webhookCopy(id: "my-webhook-port-blocked", declareOriginal: false),
                          to: directory.appendingPathComponent("my-webhook-port-blocked.yaml"))
            let result = try CLI.triage(["rules", "check", directory.path])
            #expect(result.status == 1, "\(result)")
            #expect(result.err.contains("unexpected finding: \(Self.webhookRule)"), "\(result)")
        }
    }

    struct Breakage: Sendable, CustomTestStringConvertible {
        var name: String
        /// The start of a line in the copy, and what to put there instead (several lines allowed;
        /// the error must name the first).
        var find: String
        var replace: String
        var field: String
        var testDescription: String { name }
    }

    @Test(
        "rules check on a broken rule exits 2 and names file:line",
        arguments: [
            Breakage(name: "unknown top-level field", find: "title: ", replace: "colour: red\ntitle: ", field: "colour"),
            Breakage(name: "bad severity", find: "severity: error", replace: "severity: critical", field: "severity"),
            Breakage(name: "unknown match field", find: "  dst.port: {not:", replace: "  dst.prot: {not:", field: "match.dst.prot"),
            Breakage(name: "unknown group_by field", find: "group_by: [", replace: "group_by: [colour, ", field: "group_by"),
            Breakage(name: "unknown role", find: "  src.role: control-plane", replace: "  src.role: kubelet", field: "match.src.role"),
            Breakage(
                name: "a grep pattern value without |regex", find: "    - kubectl get endpoints --all-namespaces -o wide | grep ':{dst.port|regex}'",
                replace: "    - kubectl get endpoints --all-namespaces -o wide | grep ':{dst.port}'", field: "remedy.commands"),
        ])
    func checkBroken(breakage: Breakage) throws {
        try CLI.withTemporaryDirectory { directory in
            let copy = try Self.webhookCopy(id: "my-webhook-port-blocked", declareOriginal: true)
            var lines = copy.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let found = lines.firstIndex(where: { $0.hasPrefix(breakage.find) })
            let index = try #require(found, "no line starting \(breakage.find)")
            lines[index] = breakage.replace + lines[index].dropFirst(breakage.find.count)
            let file = directory.appendingPathComponent("my-webhook-port-blocked.yaml")
            try CLI.write(lines.joined(separator: "\n"), to: file)
            let line = index + 1

            let result = try CLI.triage(["rules", "check", directory.path])
            #expect(result.status == 2, "\(result)")
            #expect(result.err.contains("my-webhook-port-blocked.yaml:\(line):"), "expected file:\(line) in: \(result)")
            #expect(result.err.contains("'\(breakage.field)'"), "\(result)")
            // The same file given to an analysis is refused too.
            let analysis = try CLI.triage([Scenario.mixed.json.path, "--rules", directory.path])
            #expect(analysis.status == 2, "\(analysis)")
            #expect(analysis.err.contains("my-webhook-port-blocked.yaml:\(line):"))
        }
    }

    @Test("a rule id must match its file name")
    func checkIdMismatch() throws {
        try CLI.withTemporaryDirectory { directory in
            try CLI.write(try Self.webhookCopy(id: "my-webhook-port-blocked", declareOriginal: true),
                          to: directory.appendingPathComponent("other-name.yaml"))
            let result = try CLI.triage(["rules", "check", directory.path])
            #expect(result.status == 2, "\(result)")
            #expect(result.err.contains("other-name.yaml:1:"), "\(result)")
        }
    }

    /// A failure class added as one rule file with its recogniser: `rules check` runs the
    /// recogniser's samples (and names a wrong one), and `--rules DIR` reads text with it.
    @Test("--rules DIR adds a recogniser: a new failure class is one file")
    func aRecogniserInAUserRule() throws {
        let rule = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("Tests/TriageKitTests/Fixtures/rules/probe-failed.yaml"), encoding: .utf8)
        try CLI.withTemporaryDirectory { directory in
            let rules = directory.appendingPathComponent("rules")
            try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
            try CLI.write(rule, to: rules.appendingPathComponent("probe-failed.yaml"))
            let check = try CLI.triage(["rules", "check", rules.path])
            #expect(check.status == 0, "\(check)")
            let events = directory.appendingPathComponent("events.txt")
            try CLI.write("Warning  Unhealthy  2m  kubelet  Liveness probe failed: HTTP probe failed with statuscode: 500\n", to: events)
            let run = try CLI.triage([events.path, "--rules", rules.path])
            #expect(run.out.contains("probe-failed") && run.out.contains("The Liveness probe failed 1 time."), "\(run)")
            let plain = try CLI.triage([events.path])
            #expect(!plain.out.contains("probe-failed"), "\(plain)")
            // A sample whose facts are wrong fails the check and says which fact.
            try CLI.write(rule.replacingOccurrences(of: "probe: Readiness, failure", with: "probe: Startup, failure"),
                          to: rules.appendingPathComponent("probe-failed.yaml"))
            let wrong = try CLI.triage(["rules", "check", rules.path])
            #expect(wrong.status != 0)
            #expect((wrong.err + wrong.out).contains("probe is 'Readiness', expected 'Startup'"), "\(wrong)")
        }
    }

    // MARK: --rules

    static let userRule = """
        id: github-clone-blocked
        severity: error
        title: Pods clone from GitHub
        evidence: firewall
        match:
          disposition: DENIED
          direction: EGRESS
          src.role: pod
          dst.role: internet
          dst.port: 443
          dst.ip: {matches: '^140\\.82\\.'}
        group_by: [dst.port, denied_by]
        message: >-
          {count} connections from pods to GitHub ({destinations}) were denied by {denied_by}.
        remedy:
          why: GitHub is reached over tcp:443 and {denied_by} drops it.
          commands:
            - gcloud compute firewall-rules list --project={project} --filter="network~{network|regex|filter}"
        references:
          - https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-githubs-ip-addresses
        samples:
          trigger:
            - name: a pod cloning from GitHub
              topology:
                pod_cidr: 10.20.0.0/14
              input: |
                {"insertId":"a1","jsonPayload":{"connection":{"dest_ip":"140.82.112.3","dest_port":443,"protocol":6,"src_ip":"10.20.0.44","src_port":40000},"disposition":"DENIED","instance":{"project_id":"p","region":"us-central1","vm_name":"gke-c-default-pool-1-a","zone":"us-central1-a"},"rule_details":{"action":"DENY","destination_range":["0.0.0.0/0"],"direction":"EGRESS","ip_port_info":[{"ip_protocol":"ALL"}],"priority":1000,"reference":"network:v/firewall:deny-all-egress"},"vpc":{"project_id":"p","subnetwork_name":"s","vpc_name":"v"}},"logName":"projects/p/logs/compute.googleapis.com%2Ffirewall","resource":{"labels":{"project_id":"p"},"type":"gce_subnetwork"},"timestamp":"2026-11-22T09:00:00Z"}
              expect:
                - {count: 1, dst.port: 443, denied_by: deny-all-egress}
                - {rule: internet-egress-blocked, count: 1}
          pass:
            - name: allowed
              topology:
                pod_cidr: 10.20.0.0/14
              input: |
                {"insertId":"a2","jsonPayload":{"connection":{"dest_ip":"140.82.112.3","dest_port":443,"protocol":6,"src_ip":"10.20.0.44","src_port":40001},"disposition":"ALLOWED","instance":{"project_id":"p","region":"us-central1","vm_name":"gke-c-default-pool-1-a","zone":"us-central1-a"},"rule_details":{"action":"ALLOW","destination_range":["140.82.112.0/20"],"direction":"EGRESS","ip_port_info":[{"ip_protocol":"ALL"}],"priority":900,"reference":"network:v/firewall:allow-github"},"vpc":{"project_id":"p","subnetwork_name":"s","vpc_name":"v"}},"logName":"projects/p/logs/compute.googleapis.com%2Ffirewall","resource":{"labels":{"project_id":"p"},"type":"gce_subnetwork"},"timestamp":"2026-11-22T09:00:00Z"}

        """

    @Test("--rules DIR adds a user rule that fires alongside the built-in ones")
    func userRule() throws {
        try CLI.withTemporaryDirectory { directory in
            let rules = directory.appendingPathComponent("my-rules/egress", isDirectory: true)
            try CLI.write(Self.userRule, to: rules.appendingPathComponent("github-clone-blocked.yaml"))
            let rulesRoot = directory.appendingPathComponent("my-rules").path

            let check = try CLI.triage(["rules", "check", rulesRoot])
            #expect(check.status == 0, "\(check)")
            #expect(check.out.contains("1 rule checked, 0 sample failures"))
            let list = try CLI.triage(["rules", "list", "--rules", rulesRoot])
            #expect(list.out.split(separator: "\n").contains { $0.hasPrefix("github-clone-blocked ") }, "\(list)")

            // github-egress-blocked alone is only a warning (exit 0); the user rule is an error.
            let scenario = Scenario(name: "github-egress-blocked")
            let result = try CLI.triage([scenario.json.path, "--cluster", scenario.cluster, "--rules", rulesRoot, "--format", "json"])
            #expect(result.status == 1, "\(result)")
            let entries = try scenario.entryCount()
            let expected = try scenario.expected() + [
                ExpectedFinding(rule: "github-clone-blocked", count: entries, facts: ["dst.port": "443", "denied_by": "deny-all-egress"])
            ]
            let differences = ExpectedFinding.differences(actual: try JSONReport(result).brief, expected: expected)
            #expect(differences.isEmpty, "\(differences)")
            #expect(try JSONReport(result).summaryInt("rules") == RuleFiles.all.count + 1)

            // The rule's id may not clash with a built-in one.
            try CLI.write(try Self.webhookCopy(id: Self.webhookRule, declareOriginal: false),
                          to: rules.appendingPathComponent("\(Self.webhookRule).yaml"))
            let clash = try CLI.triage([scenario.json.path, "--rules", rulesRoot])
            #expect(clash.status == 2, "\(clash)")
            #expect(clash.err.contains("defined twice"), "\(clash)")
        }
    }

    // MARK: classify

    @Test("classify prints each address's role")
    func classify() throws {
        let result = try CLI.triage(["classify", "172.16.0.2", "35.191.1.1", "140.82.112.3", "--cluster", CLI.mixedCluster])
        #expect(result.status == 0, "\(result)")
        let roles = result.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") }
        #expect(roles == ["172.16.0.2 control-plane", "35.191.1.1 health-check", "140.82.112.3 internet"], "\(result)")
    }

    @Test(
        "classify uses the cluster's ranges and Google's fixed ranges",
        arguments: [
            ("10.20.1.14", "pod"), ("10.32.0.12", "pod"), ("10.24.0.10", "service"), ("172.16.0.14", "control-plane"),
            ("130.211.0.44", "health-check"), ("35.235.240.6", "iap"), ("199.36.153.4", "restricted-vip"),
            ("199.36.153.9", "private-vip"), ("169.254.169.254", "metadata"), ("142.250.101.82", "google"),
            ("192.168.50.3", "private"), ("140.82.114.4", "internet"),
        ])
    func classifyRoles(address: String, role: String) throws {
        let result = try CLI.triage(["classify", address, "--cluster", CLI.mixedCluster])
        #expect(result.status == 0, "\(result)")
        #expect(result.out.hasPrefix("\(address)  \(role)  "), "\(result)")
    }

    @Test("classify: a bad address exits 64; the good ones are still printed")
    func classifyBadAddress() throws {
        let result = try CLI.triage(["classify", "172.16.0.2", "999.1.2.3", "--cluster", CLI.mixedCluster])
        #expect(result.status == 64, "\(result)")
        #expect(result.err.contains("999.1.2.3"))
        #expect(result.out.hasPrefix("172.16.0.2  control-plane"))
    }
}
