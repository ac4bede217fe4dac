import Foundation
import Testing
@testable import TriageKit

/// A fix is evaluated again, with the proposed allow rule added, before it is printed.
struct FixVerificationTests {
    static let master = CIDR("172.16.0.0/28")!
    static let pod = CIDR("10.20.1.14/32")!
    static let tag = "gke-kf-private-3f9a6c2e-node"

    static func flow() -> FirewallModel.Flow {
        FirewallModel.Flow(
            source: CIDR("172.16.0.2/32")!, destination: pod, protocolName: "tcp", ports: 8443...8443,
            direction: .ingress, network: "kubeflow-vpc", vmTags: [tag])
    }

    static func denyAll(_ priority: Int, name: String = "deny-all-ingress") -> FirewallRule {
        FirewallRule(
            name: name, network: "kubeflow-vpc", direction: .ingress, priority: priority, action: .deny,
            sourceRanges: [CIDR("0.0.0.0/0")!])
    }

    @Test func anAllowBelowTheDenyWorks() {
        let model = FirewallModel(rules: [Self.denyAll(65534)])
        let v = FixVerification.verify(Self.flow(), priority: 1000, model: model, targetTags: [Self.tag], ruleCount: 1)
        #expect(v.outcome == .works)
        #expect(v.sentence.contains("deny-all-ingress, priority 65534"))
    }

    @Test func theImpliedDenyIsBeatenAt1000() {
        let v = FixVerification.verify(Self.flow(), priority: 1000, model: FirewallModel(rules: []), targetTags: [Self.tag], ruleCount: 0)
        #expect(v.outcome == .works)
    }

    @Test func aBetterDenyStillWins() {
        // The log named deny-all-ingress at 65534, but the rules now hold a stricter deny at 500.
        let model = FirewallModel(rules: [Self.denyAll(65534), Self.denyAll(500, name: "lockdown")])
        let v = FixVerification.verify(Self.flow(), priority: 1000, model: model, targetTags: [Self.tag], ruleCount: 2)
        #expect(v.outcome == .fails)
        #expect(v.blocker == "lockdown")
        #expect(v.sentence.contains("lockdown (priority 500) still denies"))
    }

    @Test func aProposedRuleForOtherTagsDoesNotReachTheVM() {
        let model = FirewallModel(rules: [Self.denyAll(65534)])
        let v = FixVerification.verify(Self.flow(), priority: 1000, model: model, targetTags: ["some-other-tag"], ruleCount: 1)
        #expect(v.outcome == .fails)
    }

    @Test func priorityZeroCannotBeBeaten() {
        let model = FirewallModel(rules: [Self.denyAll(0, name: "deny-everything")])
        let v = FixVerification.verify(Self.flow(), priority: nil, model: model, targetTags: [Self.tag], ruleCount: 1)
        #expect(v.outcome == .fails)
        #expect(v.blocker == "deny-everything")
        #expect(v.sentence.contains("priority 0"))
    }

    @Test func rulesThatAlreadyAllowItNeedNoFix() {
        let allow = FirewallRule(
            name: "allow-master-to-webhooks", network: "kubeflow-vpc", direction: .ingress, priority: 900, action: .allow,
            permissions: [ProtocolPorts("tcp:8443")!], sourceRanges: [Self.master], targetTags: [Self.tag])
        let model = FirewallModel(rules: [Self.denyAll(65534), allow])
        let v = FixVerification.verify(Self.flow(), priority: 1000, model: model, targetTags: [Self.tag], ruleCount: 2)
        #expect(v.outcome == .alreadyAllowed)
        #expect(v.sentence.contains("allow-master-to-webhooks"))
    }
}
