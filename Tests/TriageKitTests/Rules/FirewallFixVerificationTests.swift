import Foundation
import Testing
@testable import TriageKit

/// Firewall-log findings, when the run also has the firewall rules, print their fix only after
/// the logged connection has been evaluated again with it (the same check the network model
/// runs for required flows).
struct FirewallFixVerificationTests {
    static let tag = "gke-kf-private-3f9a6c2e-node"

    static func firewall(_ name: String, priority: Int, deny: Bool, sources: [String], ports: [String]? = nil, tags: [String] = []) -> [String: Any] {
        var rule: [String: Any] = [
            "kind": "compute#firewall", "name": name, "priority": priority, "direction": "INGRESS",
            "network": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/networks/kubeflow-vpc",
            "sourceRanges": sources, "logConfig": ["enable": true], "disabled": false,
        ]
        var permission: [String: Any] = ["IPProtocol": ports == nil ? "all" : "tcp"]
        if let ports { permission["ports"] = ports }
        rule[deny ? "denied" : "allowed"] = [permission]
        if !tags.isEmpty { rule["targetTags"] = tags }
        return rule
    }

    /// A rule's first trigger sample (by default the webhook rule's: Gatekeeper on 8443, denied by deny-all-ingress at
    /// 65534 in the log), with these firewall rules given too.
    static func finding(with rules: [[String: Any]], rule id: String = "master-to-webhook-port-blocked") throws -> Finding {
        let all = try RuleLoader.builtIn()
        let rule = try #require(all.first { $0.id == id })
        var sample = rule.samples.trigger[0]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: rules, options: [.sortedKeys]), as: UTF8.self)
        sample.files.append(Rule.File(name: "firewall-rules.json", text: json))
        sample.topology["network"] = ["kubeflow-vpc"]
        let analysis = try SampleRunner.run(sample, format: .ndjson, rules: all)
        return try #require(analysis.findings.first { $0.rule == rule.id || $0.mergedRules.contains(rule.id) })
    }

    static var gkeRules: [[String: Any]] { [
        firewall("gke-kf-private-3f9a6c2e-master", priority: 1000, deny: false, sources: ["172.16.0.0/28"], ports: ["443", "10250"], tags: [tag]),
        firewall("deny-all-ingress", priority: 65534, deny: true, sources: ["0.0.0.0/0"]),
    ] }

    /// The finding's plan steps as Config Connector manifests (derived from its steps).
    static func manifests(_ finding: Finding) -> [String] {
        FixPlan(findings: [finding]).steps.map { ConfigConnectorForm(config: ConfigSnapshot()).manifest(for: $0) }
    }

    @Test func aFixThatWorksIsPrintedAndSaysSo() throws {
        let finding = try Self.finding(with: Self.gkeRules)
        #expect(finding.facts["fix.verified"] == "yes")
        #expect(finding.remedy.notes.contains { $0.hasPrefix("Verified against the 2 firewall rules given") })
        #expect(finding.remedy.commands.contains { $0.contains("firewall-rules create allow-master-to-webhook-8443") })
        #expect(Self.manifests(finding).contains { $0.contains("kind: ComputeFirewall") })
    }

    @Test func aFixABetterDenyWouldBeatIsNotPrinted() throws {
        let finding = try Self.finding(with: Self.gkeRules + [
            Self.firewall("lockdown-webhooks", priority: 10, deny: true, sources: ["172.16.0.0/28"], ports: ["8443"]),
        ])
        #expect(finding.facts["fix.verified"] == "no")
        #expect(!finding.remedy.commands.contains { $0.contains("firewall-rules create") && $0.contains("--action=ALLOW") })
        #expect(!Self.manifests(finding).contains { $0.contains("kind: ComputeFirewall") && $0.contains("allow:") })
        #expect(finding.remedy.commands.contains("gcloud compute firewall-rules describe lockdown-webhooks --project=kf-prod-4412"))
        #expect(finding.remedy.notes.contains { $0.contains("lockdown-webhooks (priority 10) still denies") })
    }

    @Test func rulesThatAlreadyAllowItAskWhetherTheDenialsGoOn() throws {
        let finding = try Self.finding(with: Self.gkeRules + [
            Self.firewall("allow-master-to-webhooks", priority: 900, deny: false, sources: ["172.16.0.0/28"], ports: ["8443"], tags: [Self.tag]),
        ])
        #expect(finding.facts["fix.verified"] == "already-allowed")
        #expect(!finding.remedy.commands.contains { $0.contains("firewall-rules create") })
        let read = try #require(finding.remedy.commands.first { $0.hasPrefix("gcloud logging read") })
        #expect(read.contains("jsonPayload.connection.dest_port=8443"))
        #expect(read.contains("--freshness=1h"))
    }

    @Test func withoutTheRulesNothingIsClaimed() throws {
        let all = try RuleLoader.builtIn()
        let rule = try #require(all.first { $0.id == "master-to-webhook-port-blocked" })
        let analysis = try SampleRunner.run(rule.samples.trigger[0], format: .ndjson, rules: all)
        let finding = try #require(analysis.findings.first)
        #expect(finding.facts["fix.verified"] == nil)
        #expect(!finding.remedy.notes.contains { $0.contains("firewall rules given") })
    }

    @Test func theNodeTagComesFromGKEsOwnRuleInTheConfig() throws {
        let all = try RuleLoader.builtIn()
        let rule = try #require(all.first { $0.id == "master-to-webhook-port-blocked" })
        var sample = rule.samples.trigger[0]
        sample.topology["node_tag"] = nil
        let ownTag = "gke-kf-private-0badc0de-node"
        let rules = [
            Self.firewall("gke-kf-private-0badc0de-master", priority: 1000, deny: false, sources: ["172.16.0.0/28"], ports: ["443", "10250"], tags: [ownTag]),
            Self.firewall("deny-all-ingress", priority: 65534, deny: true, sources: ["0.0.0.0/0"]),
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: rules, options: [.sortedKeys]), as: UTF8.self)
        sample.files.append(Rule.File(name: "firewall-rules.json", text: json))
        let analysis = try SampleRunner.run(sample, format: .ndjson, rules: all)
        let finding = try #require(analysis.findings.first { $0.rule == rule.id || $0.mergedRules.contains(rule.id) })
        #expect(finding.remedy.commands.contains { $0.contains("--target-tags=\(ownTag)") })
        #expect(!finding.remedy.notes.contains { $0.contains("derived from the cluster id") })
        #expect(finding.facts["fix.verified"] == "yes")
    }

    /// The check on the rules given and the firewall log both verify the fix; the merged finding
    /// says so once, with the logged connection (the more specific).
    @Test func aMergedFindingCarriesOneVerificationNote() throws {
        let finding = try Self.finding(with: Self.gkeRules)
        let verifications = finding.remedy.notes.filter { $0.contains("firewall rules given: with an allow rule") }
        #expect(finding.mergedRules.contains("control-plane-ingress-denied"))
        #expect(verifications.count == 1)
        #expect(verifications.first?.contains("/32") == true)
    }

    /// Denials to public Google addresses are fixed by sending the names to the restricted VIP,
    /// so the allow rule is verified for egress to the VIP, not to the address logged.
    static func googlePublicFinding(with rules: [[String: Any]]) throws -> Finding {
        try finding(with: rules, rule: "google-api-public-ip-blocked")
    }

    static func egress(_ name: String, priority: Int, deny: Bool, to ranges: [String]) -> [String: Any] {
        var rule = firewall(name, priority: priority, deny: deny, sources: [], ports: deny ? nil : ["443"])
        rule["direction"] = "EGRESS"
        rule["destinationRanges"] = ranges
        rule.removeValue(forKey: "sourceRanges")
        return rule
    }

    @Test func publicGoogleDenialsAreVerifiedForEgressToTheVIP() throws {
        let denyAll = Self.egress("deny-all-egress", priority: 65534, deny: true, to: ["0.0.0.0/0"])
        let missing = try Self.googlePublicFinding(with: [denyAll])
        #expect(missing.facts["fix.verified"] == "yes")
        #expect(missing.remedy.notes.contains { $0.contains("→ 199.36.153.4/30 tcp:443 is allowed") })
        #expect(missing.remedy.commands.contains { $0.contains("--destination-ranges=199.36.153.4/30") })

        let open = try Self.googlePublicFinding(with: [denyAll, Self.egress("allow-vip", priority: 500, deny: false, to: ["199.36.153.4/30"])])
        #expect(open.facts["fix.verified"] == "already-allowed")
        #expect(open.remedy.notes.contains { $0.contains("restricted VIP 199.36.153.4/30 on tcp:443 is already allowed (allow-vip") })
        #expect(!open.remedy.commands.contains { $0.contains("firewall-rules create") })
        // Not "do the denials go on": they will until DNS changes.
        #expect(!open.remedy.commands.contains { $0.hasPrefix("gcloud logging read") })
        #expect(open.remedy.commands.contains { $0.contains("dns managed-zones create") })
    }

    @Test func theSameFixFromTwoRulesIsPrintedOnce() {
        func action(_ text: String) -> RemedyAction { ActionTemplate(Template(text)).action { _ in nil } }
        let a = action("gcloud compute firewall-rules create allow-master-to-webhook-8443 --direction=INGRESS --action=ALLOW --source-ranges=172.16.0.0/28 --rules=tcp:8443")
        let b = action("gcloud compute firewall-rules create allow-master-to-nodes-tcp-8443 --action=ALLOW --source-ranges=172.16.0.0/28 --rules=tcp:8443")
        let c = action("gcloud compute firewall-rules create allow-egress --direction=EGRESS --action=ALLOW --rules=tcp:8443")
        let d = action("gcloud compute firewall-rules create allow-any --direction=INGRESS --action=ALLOW --source-ranges=0.0.0.0/0 --rules=tcp:8443")
        #expect(a.resource != nil && a.resource == b.resource)
        #expect(a.resource != c.resource)
        // Other sources are another rule: the old comparison (direction, action, ports) took them as one.
        #expect(a.resource != d.resource)
        #expect(action("kubectl get endpoints -A").resource == nil)
    }
}
