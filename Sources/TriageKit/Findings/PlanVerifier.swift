/// Every firewall and route step of a plan evaluated again by the models, with the whole plan
/// applied: a joined or changed allow rule must still let each finding's traffic through, and
/// no deny of better priority may take what the plan opens; a route the plan creates must carry
/// its destination, and a route it deletes must leave the traffic to the route it shadowed.
/// Each step is then marked verified, not (with what decides instead), or not checkable (with
/// the listing or value that is missing).
struct PlanVerifier {
    let config: ConfigSnapshot
    let findings: [String: Finding]

    init(config: ConfigSnapshot, findings: [Finding]) {
        self.config = config
        self.findings = Dictionary(findings.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    typealias Verification = FixPlan.Verification

    /// Why a step's result cannot be worked out from what was given.
    struct Gap: Error {
        var reason: String
    }

    func verifying(_ steps: [FixPlan.Step]) -> [FixPlan.Step] {
        let firewall = plannedFirewall(steps)
        let routes = plannedRoutes(steps)
        return steps.enumerated().map { index, step in
            var step = step
            switch step.action.kind {
            case .firewallCreate, .firewallUpdate:
                step.verification = verifyFirewall(step, planned: firewall.rules[index], model: firewall.model)
            case .routeCreate, .routeDelete:
                step.verification = verifyRoute(step, routes: routes)
            default:
                break
            }
            return step
        }
    }

    // MARK: - Firewall

    static let anywhere = CIDR("0.0.0.0/0")!

    /// The rules as they stand once every firewall step has run, and each step's rule (or why
    /// it cannot be told). Updates apply in order, so two changes to one rule compose.
    func plannedFirewall(_ steps: [FixPlan.Step]) -> (model: FirewallModel?, rules: [Int: Result<FirewallRule, Gap>]) {
        guard config.listed.contains(.firewallRules) else { return (nil, [:]) }
        let base = FirewallModel(config: config)
        var rules = base.rules
        var planned: [Int: Result<FirewallRule, Gap>] = [:]
        for (index, step) in steps.enumerated() where step.action.kind == .firewallCreate || step.action.kind == .firewallUpdate {
            let result = Self.firewallRule(of: step.action, existing: rules)
            planned[index] = result
            guard case .success(let rule) = result else { continue }
            if step.action.kind == .firewallUpdate, let at = rules.firstIndex(where: { $0.name == rule.name && $0.policy == nil }) {
                rules[at] = rule
            } else {
                rules.append(rule)
            }
        }
        return (FirewallModel(rules: rules, policiesBeforeClassic: base.policiesBeforeClassic), planned)
    }

    /// The rule a create step makes, or the rule an update step leaves, read from its flags.
    static func firewallRule(of action: RemedyAction, existing: [FirewallRule]) -> Result<FirewallRule, Gap> {
        let missing = action.command.missing
        if !missing.isEmpty {
            return .failure(Gap(reason: "\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not known"))
        }
        guard let name = action.name else { return .failure(Gap(reason: "the step names no rule")) }
        var rule: FirewallRule
        if action.kind == .firewallUpdate {
            guard let found = existing.first(where: { $0.name == name && $0.policy == nil }) else {
                return .failure(Gap(reason: "\(name) is not among the firewall rules given"))
            }
            guard !found.isPartial else {
                return .failure(Gap(reason: "\(name) was read from a table, which hides its ranges and targets"))
            }
            rule = found
            if action.hasFlag("no-disabled") { rule.disabled = false }
        } else {
            guard action.hasFlag("rules") || action.hasFlag("allow") else { return .failure(Gap(reason: "the step gives no protocols")) }
            rule = FirewallRule(
                name: name, network: action.flag("network") ?? "default",
                direction: (action.flag("direction") ?? "INGRESS").uppercased() == "EGRESS" ? .egress : .ingress,
                action: (action.flag("action") ?? "ALLOW").uppercased() == "DENY" ? .deny : .allow, permissions: [])
        }
        if action.hasFlag("disabled") && !action.hasFlag("no-disabled") { rule.disabled = true }
        if let text = action.flag("priority") {
            guard let priority = Int(text), (0...65535).contains(priority) else { return .failure(Gap(reason: "priority \(text) is no priority")) }
            rule.priority = priority
        }
        for flag in ["rules", "allow"] where action.hasFlag(flag) {
            let entries = action.list(flag).map { ($0, ProtocolPorts($0)) }
            if let bad = entries.first(where: { $0.1 == nil }) { return .failure(Gap(reason: "\(bad.0) is no protocol and port")) }
            rule.permissions = entries.compactMap(\.1)
        }
        for (flag, path) in [("source-ranges", \FirewallRule.sourceRanges), ("destination-ranges", \FirewallRule.destinationRanges)]
        where action.hasFlag(flag) {
            let ranges = action.list(flag).map { ($0, CIDR($0)) }
            if let bad = ranges.first(where: { $0.1 == nil }) { return .failure(Gap(reason: "\(bad.0) is no address range")) }
            rule[keyPath: path] = ranges.compactMap(\.1)
        }
        for (flag, path) in [
            ("target-tags", \FirewallRule.targetTags), ("target-service-accounts", \FirewallRule.targetServiceAccounts),
            ("source-tags", \FirewallRule.sourceTags), ("source-service-accounts", \FirewallRule.sourceServiceAccounts),
        ] where action.hasFlag(flag) {
            rule[keyPath: path] = action.list(flag)
        }
        return .success(rule)
    }

    func verifyFirewall(_ step: FixPlan.Step, planned: Result<FirewallRule, Gap>?, model: FirewallModel?) -> Verification {
        guard let model, let planned else {
            return Verification(
                outcome: .notCheckable,
                note: "the firewall rules were not given (\(Self.listing("compute firewall-rules list", "firewall-rules.json", step.action)))")
        }
        let rule: FirewallRule
        switch planned {
        case .failure(let gap): return Verification(outcome: .notCheckable, note: gap.reason)
        case .success(let made): rule = made
        }
        guard rule.action == .allow else {
            return Verification(outcome: .notCheckable, note: "only what a plan allows is checked; \(rule.name) denies")
        }
        let flows = self.flows(through: rule, for: step)
        var deciders: [String] = []
        for flow in flows {
            let evaluation = model.evaluate(flow)
            let what = "\(flow.source) → \(flow.destination) \(flow.protocolName):\(flow.portText)"
            switch evaluation.verdict {
            case .allowed:
                if !deciders.contains(evaluation.deciderName) { deciders.append(evaluation.deciderName) }
            case .denied:
                return Verification(
                    outcome: .no,
                    note: "with the plan applied, \(evaluation.deciderName) (priority \(evaluation.priority)) still denies \(what)")
            case .undetermined:
                let unknown = evaluation.unknowns.map(\.rule.name).joined(separator: ", ")
                return Verification(
                    outcome: .notCheckable,
                    note: "\(unknown) may decide \(what) and shows too little to tell (\(Self.listing("compute firewall-rules list", "firewall-rules.json", step.action)))")
            }
        }
        let count = flows.count
        return Verification(
            outcome: .yes,
            note: "with the plan applied, the firewall model allows \(count == 1 ? "the flow" : "all \(count) flows") it is for (decided by \(deciders.joined(separator: ", ")))")
    }

    /// The traffic a rule must let through: each of its entries from its own ranges to the VMs
    /// it targets, and each finding's own flow where the rule is about it (its far end within
    /// the rule's ranges), on the finding's ports, so a join that lost a port shows.
    func flows(through rule: FirewallRule, for step: FixPlan.Step) -> [FirewallModel.Flow] {
        let ingress = rule.direction == .ingress
        let ranges = (ingress ? rule.sourceRanges : rule.destinationRanges) ?? []
        let farEnds = ranges.isEmpty ? [Self.anywhere] : ranges
        let stepFindings = step.findings.compactMap { findings[$0] }
        var vmTags = rule.targetTags ?? []
        for finding in stepFindings {
            if let tag = finding.facts["node_tag"], !tag.isEmpty, vmTags.isEmpty, !vmTags.contains(tag) { vmTags.append(tag) }
        }
        let own = stepFindings.compactMap { Self.flow(of: $0) }.filter { $0.direction == rule.direction }
        // The VM side of the rule's own flows: where a finding's traffic went (or came from).
        let nearEnd = own.first.map { ingress ? $0.destination : $0.source }
            ?? ((ingress ? rule.destinationRanges : rule.sourceRanges)?.first ?? Self.anywhere)
        func flow(_ far: CIDR, near: CIDR, _ protocolName: String, _ ports: ClosedRange<Int>?) -> FirewallModel.Flow {
            FirewallModel.Flow(
                source: ingress ? far : near, destination: ingress ? near : far, protocolName: protocolName, ports: ports,
                direction: rule.direction, network: rule.network, vmTags: vmTags, vmServiceAccount: rule.targetServiceAccounts?.first)
        }
        var out: [FirewallModel.Flow] = []
        for finding in own {
            let far = ingress ? finding.source : finding.destination
            guard ranges.isEmpty || ranges.contains(where: { $0.contains(far) }) else { continue }
            out.append(flow(far, near: ingress ? finding.destination : finding.source, finding.protocolName, finding.ports))
        }
        for permission in rule.permissions {
            let protocols = permission.protocolName == "all" ? ["tcp", "udp"] : [permission.protocolName]
            let portRanges: [ClosedRange<Int>?] = permission.hasPorts && !permission.ports.isEmpty ? permission.ports : [nil]
            for protocolName in protocols {
                for ports in portRanges {
                    for far in farEnds { out.append(flow(far, near: nearEnd, protocolName, ports)) }
                }
            }
        }
        return out
    }

    /// A finding's flow: its protocol and port, and its ends (the ranges a check tested, or the
    /// first addresses logged). Nil when the finding does not say them.
    static func flow(of finding: Finding) -> FirewallModel.Flow? {
        guard let protocolName = finding.protocolName ?? finding.facts["protocol"],
            let directionText = (finding.direction ?? finding.facts["direction"])?.uppercased(),
            let direction = FirewallRule.Direction(rawValue: directionText),
            let source = finding.facts["src.range"].flatMap(CIDR.init) ?? finding.sources.first.flatMap({ CIDR($0.ip) }),
            let destination = finding.facts["dst.range"].flatMap(CIDR.init) ?? finding.destinations.first.flatMap({ CIDR($0.ip) })
        else { return nil }
        let ports = finding.port.map { $0...$0 } ?? finding.facts["dst.port"].flatMap(ProtocolPorts.portRange)
        return FirewallModel.Flow(source: source, destination: destination, protocolName: protocolName, ports: ports, direction: direction)
    }

    /// `gcloud compute firewall-rules list --project=P --format=json > firewall-rules.json`.
    static func listing(_ words: String, _ file: String, _ action: RemedyAction) -> String {
        ShellCommand("gcloud " + words).adding(flag: "project", ifGiven: action.flag("project")).adding(literal: "--format=json")
            .adding(redirect: file).rendered
    }

    // MARK: - Routes

    /// The routes as they stand once every route step has run (nil without the route listing).
    func plannedRoutes(_ steps: [FixPlan.Step]) -> RouteModel? {
        guard config.listed.contains(.routes) else { return nil }
        var routes = config.routes
        for step in steps {
            switch step.action.kind {
            case .routeDelete:
                routes.removeAll { $0.name == step.action.name }
            case .routeCreate:
                if case .success(let route) = Self.route(of: step.action) { routes.append(route) }
            default:
                break
            }
        }
        return RouteModel(routes: routes, subnets: config.subnetworks)
    }

    /// The route a create step makes, read from its flags.
    static func route(of action: RemedyAction) -> Result<Route, Gap> {
        let missing = action.command.missing
        if !missing.isEmpty {
            return .failure(Gap(reason: "\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not known"))
        }
        guard let name = action.name, let range = action.flag("destination-range").flatMap(CIDR.init) else {
            return .failure(Gap(reason: "the step names no route or destination"))
        }
        let hop: Route.NextHop
        if let gateway = action.flag("next-hop-gateway") {
            guard gateway == "default-internet-gateway" || gateway.hasSuffix("/default-internet-gateway") else {
                return .failure(Gap(reason: "next hop \(gateway) is not the default internet gateway"))
            }
            hop = .internetGateway
        } else if let instance = action.flag("next-hop-instance") {
            hop = .instance(instance)
        } else if let ip = action.flag("next-hop-ip") {
            hop = .ip(ip)
        } else if let tunnel = action.flag("next-hop-vpn-tunnel") {
            hop = .vpnTunnel(tunnel)
        } else if let balancer = action.flag("next-hop-ilb") {
            hop = .internalLoadBalancer(balancer)
        } else {
            return .failure(Gap(reason: "the step gives no next hop"))
        }
        let priority = action.priority ?? 1000
        return .success(Route(
            name: name, network: action.flag("network") ?? "default", destination: range, priority: priority, nextHop: hop,
            tags: action.list("tags")))
    }

    /// Where the step's traffic goes: the VIP its finding is about, else the first address of
    /// the step's range. The instances are taken to carry the node tag the finding names.
    func routeTarget(_ step: FixPlan.Step, range: CIDR?) -> (destination: IPAddress, tags: [String], network: String?)? {
        let stepFindings = step.findings.compactMap { findings[$0] }
        let vip = stepFindings.lazy.compactMap { $0.facts["vip.range"].flatMap(CIDR.init) }.first
        guard let destination = (vip ?? range)?.network else { return nil }
        let tags = stepFindings.compactMap { $0.facts["node_tag"] }.filter { !$0.isEmpty }
        let network = step.action.flag("network") ?? stepFindings.lazy.compactMap { $0.facts["network"] }.first
        return (destination, Array(Set(tags)).sorted(), network)
    }

    func verifyRoute(_ step: FixPlan.Step, routes: RouteModel?) -> Verification {
        let action = step.action
        guard let routes else {
            return Verification(
                outcome: .notCheckable, note: "the routes were not given (\(Self.listing("compute routes list", "routes.json", action)))")
        }
        // What the traffic must leave by: the route created (or one through the same next hop);
        // after a deletion, the route it shadowed, through the gateway for a VIP.
        let range: CIDR, lead: String, intended: (Route) -> Bool
        if action.kind == .routeCreate {
            switch Self.route(of: action) {
            case .failure(let gap): return Verification(outcome: .notCheckable, note: gap.reason)
            case .success(let made):
                (range, lead) = (made.destination, "with the plan applied")
                intended = { $0.name == made.name || $0.nextHop == made.nextHop }
            }
        } else {
            guard let name = action.name, let deleted = config.routes.first(where: { $0.name == name }) else {
                return Verification(outcome: .notCheckable, note: "\(action.name ?? "the route") is not among the routes given")
            }
            let forVIP = step.findings.contains { findings[$0]?.facts["vip.range"] != nil }
            (range, lead) = (deleted.destination, "once \(name) is deleted")
            intended = { !forVIP || $0.nextHop == .internetGateway }
        }
        guard let target = routeTarget(step, range: range) else {
            return Verification(outcome: .notCheckable, note: "the step names no destination")
        }
        let decision = routes.route(to: target.destination, tags: target.tags, network: target.network)
        if let unsure = decision.unsureTags.first {
            return Verification(
                outcome: .notCheckable,
                note: "\(unsure.name) was read from a table, which hides its tags (\(Self.listing("compute routes list", "routes.json", action)))")
        }
        guard let winner = decision.route else {
            return Verification(outcome: .no, note: "\(lead), no route carries \(target.destination)")
        }
        let route = "\(winner.name) (\(winner.destination), priority \(winner.priority))"
        if intended(winner) {
            return Verification(outcome: .yes, note: "\(lead), \(target.destination) leaves by \(route) to \(winner.nextHop.target)")
        }
        return Verification(
            outcome: .no, note: "\(lead), \(route) still takes \(target.destination) to \(winner.nextHop.kind) \(winner.nextHop.target)")
    }

    /// A route the plan creates that a route which stays would still beat (an instance route
    /// to the VIP at a better priority, or a more specific one): the plan does not leave it so.
    /// At the same prefix length and a priority above 0, the new route takes the priority just
    /// better than the winner's (routes cannot be edited; a priority is set when created);
    /// otherwise the winner is deleted before the route is created, as vip-route-shadowed's fix
    /// does. Routes through the same next hop do not count.
    func clearingRoutes(_ steps: [FixPlan.Step]) -> [FixPlan.Step] {
        guard config.listed.contains(.routes) else { return steps }
        var steps = steps
        for index in steps.indices where steps[index].action.kind == .routeCreate {
            guard case .success(let made) = Self.route(of: steps[index].action),
                let target = routeTarget(steps[index], range: made.destination),
                let routes = plannedRoutes(steps)
            else { continue }
            let decision = routes.route(to: target.destination, tags: target.tags, network: target.network)
            guard let winner = decision.route, winner.name != made.name, winner.nextHop != made.nextHop, !winner.isPartial else { continue }
            if winner.destination.prefixLength == made.destination.prefixLength, winner.priority > 0 {
                steps[index].action = steps[index].action.setting(flag: "priority", to: String(winner.priority - 1))
            } else if !steps.contains(where: { $0.action.kind == .routeDelete && $0.action.name == winner.name }) {
                // Deletions run before creations (their stage), wherever the step is added.
                var delete = ShellCommand("gcloud compute routes delete").adding(.value(winner.name, []))
                if let project = steps[index].action.flag("project") { delete = delete.adding(flag: "project", project) }
                steps.append(FixPlan.Step(number: 0, action: RemedyAction(kind: .routeDelete, command: delete), findings: steps[index].findings))
            }
        }
        return steps
    }
}
