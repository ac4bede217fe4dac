import Foundation
import Testing
@testable import TriageKit

/// Firewall policies read and evaluated with the VPC firewall rules, in Cloud NGFW's order
/// (https://cloud.google.com/firewall/docs/firewall-policies-rule-eval-order).
struct FirewallPolicyTests {
    static let vpc = "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/networks/kubeflow-vpc"
    static let tag = "gke-kf-private-3f9a6c2e-node"

    /// A FirewallPolicyRule as the API and `gcloud … --format=json` give it
    /// (https://cloud.google.com/compute/docs/reference/rest/v1/networkFirewallPolicies, `rules[]`).
    static func policyRule(
        _ priority: Int, _ action: String, ports: [String]? = ["1-1000"], src: [String] = ["10.0.0.0/8"],
        direction: String = "INGRESS", extra: [String: Any] = [:], matchExtra: [String: Any] = [:]
    ) -> [String: Any] {
        var layer4: [String: Any] = ["ipProtocol": "tcp"]
        if let ports { layer4["ports"] = ports }
        var match: [String: Any] = ["layer4Configs": [layer4]]
        match[direction == "INGRESS" ? "srcIpRanges" : "destIpRanges"] = src
        match.merge(matchExtra) { $1 }
        var rule: [String: Any] = [
            "kind": "compute#firewallPolicyRule", "priority": priority, "action": action, "direction": direction,
            "match": match, "enableLogging": false, "ruleTupleCount": 4,
        ]
        rule.merge(extra) { $1 }
        return rule
    }

    /// `gcloud compute network-firewall-policies describe NAME --global --format=json`.
    static func networkPolicy(_ rules: [[String: Any]], name: String = "kf-network-policy") -> [String: Any] {
        [
            "kind": "compute#firewallPolicy", "name": name, "id": "8017306459143250193",
            "selfLink": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/firewallPolicies/\(name)",
            "associations": [["name": "kf-assoc", "attachmentTarget": vpc]], "ruleTupleCount": 12, "rules": rules,
        ]
    }

    /// `gcloud compute networks get-effective-firewalls kubeflow-vpc --format=json`
    /// (networks.getEffectiveFirewalls: `firewalls` and `firewallPolicys`).
    static func effective(_ policies: [[String: Any]], firewalls: [[String: Any]] = [allowPods()]) -> [String: Any] {
        ["firewalls": firewalls, "firewallPolicys": policies]
    }

    static func allowPods(priority: Int = 1000) -> [String: Any] {
        [
            "kind": "compute#firewall", "name": "gke-kf-private-3f9a6c2e-all", "network": vpc, "priority": priority,
            "direction": "INGRESS", "sourceRanges": ["10.20.0.0/14"], "targetTags": [tag],
            "allowed": [["IPProtocol": "tcp"], ["IPProtocol": "udp"], ["IPProtocol": "icmp"]], "disabled": false,
        ]
    }

    static func config(_ documents: [[String: Any]]) -> ConfigSnapshot {
        var config = ConfigSnapshot()
        for document in documents { _ = config.read(document: document, location: nil) }
        return config
    }

    static func podFlow(_ ports: ClosedRange<Int>? = 443...443) -> FirewallModel.Flow {
        FirewallModel.Flow(source: CIDR("10.20.0.0/14")!, destination: CIDR("10.20.0.0/14")!, protocolName: "tcp", ports: ports,
                           direction: .ingress, network: "kubeflow-vpc", vmTags: [tag],
                           vmServiceAccount: "nodes@kf-prod-4412.iam.gserviceaccount.com")
    }

    @Test func aDescribedNetworkPolicyIsReadForTheNetworksItIsAssociatedWith() {
        let config = Self.config([Self.networkPolicy([Self.policyRule(100, "deny"), Self.policyRule(200, "goto_next")])])
        #expect(config.listed.contains(.firewallPolicies) && !config.listed.contains(.firewallRules))
        #expect(config.firewallPolicyRules.map(\.name) == [
            "firewall policy kf-network-policy rule priority 100", "firewall policy kf-network-policy rule priority 200",
        ])
        let deny = config.firewallPolicyRules[0]
        #expect(deny.network == "kubeflow-vpc" && deny.action == .deny && deny.priority == 100)
        #expect(deny.policy == FirewallPolicyOrigin(policy: "kf-network-policy", kind: .network))
        #expect(deny.permissionsText == "tcp:1-1000" && deny.sourceRanges == [CIDR("10.0.0.0/8")!])
        #expect(config.firewallPolicyRules[1].action == .goToNext)
        // A policy associated with nothing is enforced nowhere.
        var loose = Self.networkPolicy([Self.policyRule(100, "deny")])
        loose["associations"] = []
        #expect(Self.config([loose]).firewallPolicyRules.isEmpty)
    }

    @Test func aNetworkPolicyComesAfterTheVPCRulesUnlessTheNetworkSaysBefore() {
        let documents = [Self.effective([]), Self.networkPolicy([Self.policyRule(100, "deny")])]
        // AFTER_CLASSIC_FIREWALL (the default): the VPC allow decides first.
        let after = FirewallModel(config: Self.config(documents)).evaluate(Self.podFlow())
        #expect(after.verdict == .allowed && after.rule?.name == "gke-kf-private-3f9a6c2e-all")
        let network: [String: Any] = [
            "kind": "compute#network", "name": "kubeflow-vpc", "autoCreateSubnetworks": false,
            "networkFirewallPolicyEnforcementOrder": "BEFORE_CLASSIC_FIREWALL",
        ]
        let model = FirewallModel(config: Self.config(documents + [network]))
        let before = model.evaluate(Self.podFlow())
        #expect(before.verdict == .denied && before.deciderName == "firewall policy kf-network-policy rule priority 100")
        #expect(before.bestLoser?.rule.name == "gke-kf-private-3f9a6c2e-all")
        // The per-record path sees the policy too.
        #expect(model.decide(Self.podFlow()).rule?.name == "firewall policy kf-network-policy rule priority 100")
        // No VPC rule can beat it: the proposed fix is refused with the reason.
        let verification = FixVerification.verify(Self.podFlow(), priority: nil, model: model, targetTags: [Self.tag], ruleCount: 1)
        #expect(verification.outcome == .fails && verification.sentence.contains("change that policy rule"))
    }

    @Test func aHierarchicalDenyBeatsAnyVPCAllowAndGotoNextPassesOn() {
        let org: [String: Any] = [
            "name": "318802947513", "shortName": "org-baseline", "type": "HIERARCHY",
            "rules": [Self.policyRule(1000, "deny"), Self.policyRule(500, "goto_next", ports: ["443"])],
        ]
        let model = FirewallModel(config: Self.config([Self.effective([org])]))
        // 443: the org policy's goto_next at 500 hands over to the VPC rules, which allow.
        let https = model.evaluate(Self.podFlow())
        #expect(https.verdict == .allowed && https.rule?.name == "gke-kf-private-3f9a6c2e-all")
        #expect(model.decide(Self.podFlow()).verdict == .allowed)
        // 80: the org deny decides before any VPC rule.
        let http = model.evaluate(Self.podFlow(80...80))
        #expect(http.verdict == .denied && http.deciderName == "firewall policy org-baseline rule priority 1000")
        #expect(model.decide(Self.podFlow(80...80)).rule?.name == "firewall policy org-baseline rule priority 1000")
        // Over the whole range: 1-442 and 444-1000 denied by the policy, the rest allowed.
        let parts = model.evaluateRanges(Self.podFlow(1...65535))
        #expect(parts.map(\.flow.portText) == ["1-442", "443", "444-1000", "1001-65535"])
        #expect(parts.map(\.verdict) == [.denied, .allowed, .denied, .allowed])
    }

    @Test func secureTagsAreNeverMatchedButMakeTheAnswerUndetermined() {
        let tagged = Self.policyRule(100, "deny", extra: ["targetSecureTags": [["name": "tagValues/281484752154640", "state": "EFFECTIVE"]]])
        let fromTags = Self.policyRule(
            200, "deny", src: [], matchExtra: ["srcSecureTags": [["name": "tagValues/281479367391232", "state": "EFFECTIVE"]]])
        let org: [String: Any] = ["name": "318802947513", "shortName": "org-tags", "type": "HIERARCHY", "rules": [tagged, fromTags]]
        let model = FirewallModel(config: Self.config([Self.effective([org])]))
        let port80 = model.evaluate(Self.podFlow(80...80))
        #expect(port80.verdict == .undetermined)
        #expect(port80.unknowns.map(\.rule.name) == [
            "firewall policy org-tags rule priority 100", "firewall policy org-tags rule priority 200",
        ])
        #expect(port80.unknowns.first?.field == "target secure tags")
        #expect(model.decide(Self.podFlow(80...80)).verdict == .undetermined)
        // Outside the rules' ports the VPC allow decides as before.
        #expect(model.evaluate(Self.podFlow(8080...8080)).verdict == .allowed)
    }

    @Test func theChecksNameThePolicyRuleThatDenies() throws {
        // The mixed scenario's config with an org policy denying tcp:1-1000 inside 10.0.0.0/8.
        let org: [String: Any] = [
            "name": "318802947513", "shortName": "org-baseline", "type": "HIERARCHY", "rules": [Self.policyRule(1000, "deny")],
        ]
        var config = try NetworkChecksTests.config(replacing: "none", with: [])
        _ = config.read(document: ["firewalls": [], "firewallPolicys": [org]], location: nil)
        let found = try NetworkChecksTests.run(config).filter { $0.facts["check"] == "pod-to-pod" }
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.facts["denied_by"] == "firewall policy org-baseline rule priority 1000" })
        #expect(found.allSatisfy { $0.facts["dst.port"] == "1-1000" && $0.facts["denied_by.policy"] == "org-baseline" })
        #expect(found.allSatisfy { $0.facts["denied_by.policy_type"] == "HIERARCHY" && $0.facts["fix.priority"] == "none" })
        #expect(found.allSatisfy { $0.facts["fix.verified"] == "no" })
    }

    @Test func liveReadsTheEffectiveFirewallsOfEachNetwork() throws {
        let org: [String: Any] = [
            "name": "318802947513", "shortName": "org-baseline", "type": "HIERARCHY", "rules": [Self.policyRule(1000, "deny")],
        ]
        let server = try FakeGCPServer(files: ["compute/firewall-policies.json": [org]])
        let run = try liveRun(server)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(!server.requests(pathPrefix: "/compute/v1/projects/\(liveProject)/global/networks/kubeflow-vpc/getEffectiveFirewalls").isEmpty)
        let rules = run.collector.config.firewallPolicyRules
        #expect(rules.map(\.name) == ["firewall policy org-baseline rule priority 1000"])
        #expect(rules.first?.network == "kubeflow-vpc" && rules.first?.policy?.kind == .hierarchical)
        // The VPC rules came with it as well as from the list; they are kept once.
        #expect(Set(run.collector.config.firewallRules.map(\.name)).count == run.collector.config.firewallRules.count)
    }
}
