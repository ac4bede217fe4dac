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
    /// When a rule that exists would allow the flow but for one thing (it is disabled, or its
    /// priority loses), changing it is the smallest fix: no new rule is then proposed.
    public var change: ExistingRuleChange? = nil

    /// A change to a firewall rule that exists.
    public enum ExistingRuleChange: Sendable, Equatable {
        case enable(rule: String)
        case priority(rule: String, to: Int)

        public var rule: String {
            switch self {
            case .enable(let rule), .priority(let rule, _): return rule
            }
        }

        /// `gcloud compute firewall-rules update RULE …`.
        public func action(project: String?) -> RemedyAction {
            let base = ShellCommand("gcloud compute firewall-rules update").adding(.value(rule, []))
                .adding(.literal("--project="), project.map { .value($0, []) } ?? .missing("PROJECT"))
            switch self {
            case .enable: return RemedyAction(kind: .firewallUpdate, command: base.adding(literal: "--no-disabled"))
            case .priority(_, let priority): return RemedyAction(kind: .firewallUpdate, command: base.adding(literal: "--priority=\(priority)"))
            }
        }

        /// The finding's facts for it (`fix.change`, `fix.change.rule`, `fix.change.priority`).
        public var facts: [String: String] {
            switch self {
            case .enable(let rule): return ["fix.change": "enable", "fix.change.rule": rule]
            case .priority(let rule, let priority):
                return ["fix.change": "priority", "fix.change.rule": rule, "fix.change.priority": String(priority)]
            }
        }

        public init?(facts: (String) -> String?) {
            guard let rule = facts("fix.change.rule") else { return nil }
            switch facts("fix.change") {
            case "enable": self = .enable(rule: rule)
            case "priority":
                guard let priority = facts("fix.change.priority").flatMap(Int.init) else { return nil }
                self = .priority(rule: rule, to: priority)
            default: return nil
            }
        }
    }

    /// A rule that exists and misses the flow for one reason a change can undo: disabled, or
    /// beaten on priority. The change is kept only if the flow is then allowed.
    static func existingRuleChange(
        _ flow: FirewallModel.Flow, _ now: FirewallModel.Evaluation, priority: Int?, model: FirewallModel
    ) -> (change: ExistingRuleChange, rule: FirewallRule)? {
        // Nearest first: the evaluation's own order for telling losers.
        // GKE's own rules (gke-CLUSTER-HASH-…) are GKE's to manage: it resets them when edited.
        let candidates = now.losers.filter { $0.misses.count == 1 && !$0.rule.name.hasPrefix("gke-") }.sorted { a, b in
            (a.rank, a.rule.priority, a.rule.name) < (b.rank, b.rule.priority, b.rule.name)
        }
        for loser in candidates {
            var changed = loser.rule
            let change: ExistingRuleChange
            switch loser.miss {
            case .disabled:
                changed.disabled = false
                change = .enable(rule: loser.rule.name)
            case .shadowed:
                guard let priority, priority < loser.rule.priority else { continue }
                changed.priority = priority
                change = .priority(rule: loser.rule.name, to: priority)
            default: continue
            }
            let rules = model.rules.map { $0.name == loser.rule.name && $0.network == loser.rule.network ? changed : $0 }
            if FirewallModel(rules: rules).evaluate(flow).verdict == .allowed { return (change, loser.rule) }
        }
        return nil
    }

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
        if let (change, rule) = existingRuleChange(flow, now, priority: priority, model: model) {
            let how: String
            switch change {
            case .enable: how = "it is disabled; enabled, it lets \(what) through"
            case .priority(_, let to):
                how = "\(now.deciderName) (priority \(now.priority)) decides first; at priority \(to) it lets \(what) through"
            }
            return FixVerification(
                outcome: .works,
                sentence: "Verified against the \(ruleCount) firewall rules given: \(rule.name) (priority \(rule.priority)) "
                    + "already allows this traffic, but \(how). Change that rule rather than add another.",
                change: change)
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
