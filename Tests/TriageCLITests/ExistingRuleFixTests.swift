import Foundation
import Testing

/// A rule that exists and would allow the traffic but for one thing (it is disabled, its
/// priority loses) is the fix: triage changes it instead of proposing a new rule beside it.
/// The config is the egress-priority-nat sample's firewall listing (rendered by the real gcloud),
/// with the one field each case is about changed; the denials are the github-egress-blocked
/// sample's firewall log (pods → 140.82.112.3:443 denied by deny-all-egress at 1000).
@Suite struct ExistingRuleFixTests {
    static let logs = "SampleLogs/github-egress-blocked/firewall-denied.json"
    static let cluster = "SampleLogs/github-egress-blocked/cluster.yaml"

    /// The egress-priority-nat listing with allow-egress-github changed by `edit`.
    static func rules(in directory: URL, _ edit: (inout [String: Any]) -> Void) throws -> String {
        let listing = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "SampleLogs/egress-priority-nat/firewall-rules.json"))) as! [[String: Any]]
        let edited = listing.map { rule -> [String: Any] in
            var rule = rule
            if rule["name"] as? String == "allow-egress-github" { edit(&rule) }
            return rule
        }
        let url = directory.appendingPathComponent("firewall-rules.json")
        try JSONSerialization.data(withJSONObject: edited, options: [.prettyPrinted, .sortedKeys]).write(to: url)
        return url.path
    }

    static func egressFinding(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.triage(arguments + ["--format", "json"])
        let findings = result.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["type"] as? String == "finding" }
        return try #require(findings.first { $0["rule"] as? String == "internet-egress-blocked" }, "\(result)")
    }

    static func commands(_ finding: [String: Any]) -> [String] {
        (finding["remedy"] as? [String: Any])?["commands"] as? [String] ?? []
    }

    @Test func aDisabledAllowRuleIsEnabledNotDuplicated() throws {
        try CLI.withTemporaryDirectory { directory in
            let rules = try Self.rules(in: directory) { rule in
                rule["disabled"] = true
                rule["priority"] = 900
            }
            let finding = try Self.egressFinding([Self.logs, Self.cluster, rules])
            let commands = Self.commands(finding)
            #expect(commands.first == "gcloud compute firewall-rules update allow-egress-github --project=kf-prod-4412 --no-disabled", "\(commands)")
            #expect(!commands.contains { $0.contains("firewall-rules create") }, "no new allow rule beside the disabled one: \(commands)")
            let facts = finding["facts"] as? [String: String] ?? [:]
            #expect(facts["fix.change"] == "enable" && facts["fix.change.rule"] == "allow-egress-github", "\(facts)")
            #expect(facts["fix.note"]?.contains("allow-egress-github (priority 900) already allows this traffic, but it is disabled") == true, "\(facts)")
            // Every printed command parses.
            for command in commands { #expect(try CLI.shell("bash -n -c \"$1\"", [command]).status == 0, "\(command)") }
        }
    }

    @Test func anAllowRuleThatLosesOnPriorityIsReprioritised() throws {
        try CLI.withTemporaryDirectory { directory in
            // As the sample has it: allow-egress-github at 1100 under deny-all-egress at 1000.
            let rules = try Self.rules(in: directory) { _ in }
            let finding = try Self.egressFinding([Self.logs, Self.cluster, rules])
            let commands = Self.commands(finding)
            #expect(commands.first == "gcloud compute firewall-rules update allow-egress-github --project=kf-prod-4412 --priority=999", "\(commands)")
            #expect(!commands.contains { $0.contains("firewall-rules create allow-egress") }, "\(commands)")
        }
    }

    /// Enabling a disabled rule that a deny would still beat is no fix: then a new rule is proposed.
    @Test func aDisabledRuleThatWouldStillLoseIsNotTheFix() throws {
        try CLI.withTemporaryDirectory { directory in
            let rules = try Self.rules(in: directory) { rule in
                rule["disabled"] = true
                rule["priority"] = 1100
            }
            let finding = try Self.egressFinding([Self.logs, Self.cluster, rules])
            let commands = Self.commands(finding)
            #expect(!commands.contains { $0.contains("--no-disabled") }, "\(commands)")
            #expect(commands.contains { $0.contains("firewall-rules create") }, "\(commands)")
        }
    }
}
