import Foundation

/// A fix is printed only after the flow it is for has been evaluated again, by the firewall
/// model, with the fix added: an allow rule that a better deny would still beat, or one for a
/// connection the rules already allow, is no fix.
public struct FixVerification: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// With the proposed allow rule added, the flow is allowed.
        case works = "yes"
        /// It is still denied, even with the rule added.
        case fails = "no"
        /// The rules given already allow it: the denials predate them, or the rule does not
        /// apply to the VMs the way the config says (tags, service accounts).
        case alreadyAllowed = "already-allowed"
    }

    public var outcome: Outcome
    /// One sentence for the finding's notes.
    public var sentence: String
    /// The rule that decides the flow once the fix is in (nil: an implied rule), for `fails`.
    public var blocker: String? = nil

    /// The allow rule triage proposes for a flow, as its commands and manifests write it.
    public static func proposedAllow(
        for flow: FirewallModel.Flow, priority: Int, network: String?, targetTags: [String]
    ) -> FirewallRule {
        FirewallRule(
            name: "triage-proposed-fix", network: network, direction: flow.direction, priority: priority, action: .allow,
            permissions: [ProtocolPorts(protocolName: flow.protocolName, ports: flow.ports.map { [$0] } ?? [])],
            sourceRanges: flow.direction == .ingress ? [flow.source] : [],
            destinationRanges: flow.direction == .egress ? [flow.destination] : [], targetTags: targetTags)
    }

    /// Evaluates `flow` as the rules stand and with an allow at `priority` added (nil: no
    /// priority can beat the deny, which is priority 0).
    public static func verify(
        _ flow: FirewallModel.Flow, priority: Int?, model: FirewallModel, targetTags: [String], ruleCount: Int
    ) -> FixVerification {
        let what = "\(flow.source) → \(flow.destination) \(flow.protocolName):\(flow.portText)"
        let now = model.evaluate(flow)
        if now.verdict == .allowed {
            return FixVerification(
                outcome: .alreadyAllowed,
                sentence: "Checked against the \(ruleCount) firewall rules given: they already allow \(what) "
                    + "(\(now.deciderName), priority \(now.priority)). The denials predate those rules, or the rule "
                    + "does not reach these VMs (check their network tags and service accounts); no new rule is needed.")
        }
        guard let priority else {
            if let rule = now.rule, let policy = rule.policy {
                return FixVerification(
                    outcome: .fails,
                    sentence: "\(now.deciderName) denies \(what); firewall policy \(policy.policy) is evaluated before the "
                        + "network's VPC firewall rules, so no VPC allow rule can beat it: change that policy rule instead.",
                    blocker: rule.name)
            }
            return FixVerification(
                outcome: .fails,
                sentence: "\(now.deciderName) denies \(what) at priority 0, which no allow rule can beat: "
                    + "change or delete that rule instead of adding one.", blocker: now.rule?.name)
        }
        let fix = proposedAllow(for: flow, priority: priority, network: flow.network, targetTags: targetTags)
        let after = model.adding(fix).evaluate(flow)
        if after.verdict == .allowed {
            return FixVerification(
                outcome: .works,
                sentence: "Verified against the \(ruleCount) firewall rules given: with an allow rule at priority "
                    + "\(priority), \(what) is allowed (today \(now.deciderName), priority \(now.priority), denies it).")
        }
        return FixVerification(
            outcome: .fails,
            sentence: "An allow rule at priority \(priority) would not be enough: \(after.deciderName) "
                + "(priority \(after.priority)) still denies \(what). Fix that rule first.", blocker: after.rule?.name)
    }
}
