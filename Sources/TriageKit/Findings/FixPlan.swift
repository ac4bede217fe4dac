/// The fix for every finding shown, as one plan: each change once (two findings that need the
/// same zone, route or NAT share one step), in the order the steps can run (a zone before its
/// records, a router before its NAT), each tied to the findings it fixes. Checks stay with their
/// findings; the plan holds what changes the project.
public struct FixPlan: Sendable {
    public struct Step: Sendable {
        public var number: Int
        public var action: RemedyAction
        /// The ids of the findings this step fixes, in the order they are shown.
        public var findings: [String]
        /// A firewall or route step evaluated again by the models with the whole plan applied;
        /// nil for the kinds they do not cover, or a plan made without the config.
        public var verification: Verification? = nil
    }

    /// What the firewall or route model says of a step once every step of the plan is in.
    public struct Verification: Sendable, Equatable {
        public enum Outcome: String, Sendable {
            case yes
            case no
            /// A value or a listing the models need is missing (the note names it).
            case notCheckable = "not-checkable"
        }

        public var outcome: Outcome
        /// One sentence: what decides the traffic with the plan applied, or what is missing.
        public var note: String
    }

    public var steps: [Step]

    /// `config` (the config given) lets the plan re-evaluate its firewall and route steps with
    /// every step applied, and re-prioritise or clear the way for a route it creates.
    public init(findings: [Finding], config: ConfigSnapshot? = nil) {
        var steps: [Step] = []
        var byIdentity: [String: Int] = [:]
        // Two findings may name one resource differently (`nat-router`, `NETWORK-router`): the
        // first name stands, and the later finding's steps that name the other follow it.
        var routerNames: [String: String] = [:]
        var zoneNames: [String: String] = [:]
        for finding in findings {
            for original in finding.remedy.actions where original.changes {
                let action = original.following(routers: routerNames, zones: zoneNames)
                let identity = action.resource ?? action.command.rendered
                if let index = byIdentity[identity] {
                    if !steps[index].findings.contains(finding.id) { steps[index].findings.append(finding.id) }
                    let kept = steps[index].action
                    if action.kind == .routerCreate, let mine = action.name, let theirs = kept.name, mine != theirs { routerNames[mine] = theirs }
                    if action.kind == .zoneCreate, let mine = action.name, let theirs = kept.name, mine != theirs { zoneNames[mine] = theirs }
                    // The fuller of two equal steps stands (a route given its priority once, a subnet
                    // its region): fewer values missing, then more words.
                    let (mine, theirs) = (action.command.missing.count, kept.command.missing.count)
                    let fuller = mine < theirs || (mine == theirs && action.command.words.count > kept.command.words.count)
                    if fuller && action.name == kept.name {
                        steps[index].action = action
                    }
                    continue
                }
                byIdentity[identity] = steps.count
                steps.append(Step(number: 0, action: action, findings: [finding.id]))
            }
        }
        steps = Self.joiningPorts(steps)
        let verifier = config.map { PlanVerifier(config: $0, findings: findings) }
        if let verifier { steps = verifier.clearingRoutes(steps) }
        let ordered = steps.enumerated().sorted { a, b in
            a.element.action.stage != b.element.action.stage ? a.element.action.stage < b.element.action.stage : a.offset < b.offset
        }
        self.steps = ordered.enumerated().map { number, entry in
            var step = entry.element
            step.number = number + 1
            return step
        }
        if let verifier { self.steps = verifier.verifying(self.steps) }
    }

    /// Allow rules for the same ends, direction and priority that differ only in their ports are
    /// one rule with every port (three health-check findings, one rule): fewer rules, the same
    /// traffic allowed. A name that ends in one step's port loses it. Ports added to one rule
    /// that exists (`firewall-rules update RULE --rules=…`) by several findings are one update
    /// with all of them: `--rules` replaces the rule's list, so two updates would undo each other.
    static func joiningPorts(_ steps: [Step]) -> [Step] {
        var joined: [Step] = []
        var byShape: [String: Int] = [:]
        for step in steps {
            let action = step.action
            guard let shape = portShape(action) else {
                joined.append(step)
                continue
            }
            guard let index = byShape[shape] else {
                byShape[shape] = joined.count
                joined.append(step)
                continue
            }
            var kept = joined[index]
            var all = kept.action.list("rules")
            for rule in action.list("rules") where !all.contains(rule) { all.append(rule) }
            // `tcp` (every port) already holds `tcp:1-1000`.
            let whole = Set(all.filter { !$0.contains(":") })
            all.removeAll { rule in rule.split(separator: ":").first.map { whole.contains(String($0)) && rule.contains(":") } ?? false }
            kept.action = kept.action.setting(flag: "rules", to: all.joined(separator: ","))
            // Two allow rules for the same ends at other priorities: one rule, at the better one
            // (an allow that wins over more denies lets through what either did; the models check it).
            if let mine = action.priority, let theirs = kept.action.priority, mine < theirs {
                kept.action = kept.action.setting(flag: "priority", to: String(mine))
            }
            if kept.action.kind == .firewallCreate, let name = kept.action.name,
                let port = kept.action.list("rules").first?.split(separator: ":").last, name.hasSuffix("-" + port), all.count > 1 {
                kept.action = kept.action.setting(name: String(name.dropLast(port.count + 1)))
            }
            for id in step.findings where !kept.findings.contains(id) { kept.findings.append(id) }
            joined[index] = kept
        }
        return joined
    }

    /// What two steps share when their ports can be joined: a new allow rule's ends and
    /// priority, or the rule that exists whose list an update replaces. Nil for other steps.
    static func portShape(_ action: RemedyAction) -> String? {
        guard let rules = action.flag("rules"), !rules.isEmpty else { return nil }
        switch action.kind {
        case .firewallCreate where action.opensFirewall:
            // A priority known (or gcloud's default) joins across priorities; one the evidence lacks only with its like.
            return action.firewallEnds + (action.priority == nil ? "|priority=" + (action.flag("priority") ?? "?") : "")
        case .firewallUpdate:
            return action.name.map { ["update", action.flag("project") ?? "", $0].joined(separator: "|") }
        default:
            return nil
        }
    }

    /// The steps that fix a finding.
    public func steps(for finding: Finding) -> [Step] {
        steps.filter { $0.findings.contains(finding.id) }
    }

    /// `1`, `1, 3`, `2-4` for a finding's steps.
    public func numbers(for finding: Finding) -> String {
        let numbers = steps(for: finding).map(\.number)
        var ranges: [String] = []
        var index = 0
        while index < numbers.count {
            var end = index
            while end + 1 < numbers.count, numbers[end + 1] == numbers[end] + 1 { end += 1 }
            ranges.append(end - index >= 2 ? "\(numbers[index])-\(numbers[end])" : numbers[index...end].map(String.init).joined(separator: ", "))
            index = end + 1
        }
        return ranges.joined(separator: ", ")
    }
}
