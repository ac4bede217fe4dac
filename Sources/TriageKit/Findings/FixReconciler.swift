/// Reconciles each finding's fix with the config given: a step whose result the config shows is
/// already there is not printed (its finding says what shows it), steps that name a resource
/// that exists under another name are pointed at it (records go into the zone that exists, a NAT
/// onto the router that exists), a record that exists with other data is updated, not created.
/// Where the listing that would tell was not given, the finding says which one makes the plan
/// exact ("Surer with").
enum FixReconciler {
    static func reconcile(_ findings: inout [Finding], config: ConfigSnapshot, project: String?) {
        for index in findings.indices {
            reconcile(&findings[index], config: config, project: project)
        }
    }

    static func reconcile(_ finding: inout Finding, config: ConfigSnapshot, project: String?) {
        var kept: [RemedyAction] = []
        var zoneNames: [String: String] = [:]
        var routerNames: [String: String] = [:]
        var wanted: Set<ConfigSnapshot.Kind> = []
        for original in finding.remedy.actions {
            let action = original.following(routers: routerNames, zones: zoneNames)
            switch action.kind {
            case .zoneCreate:
                guard config.listed.contains(.zones) else { wanted.insert(.zones); break }
                guard let domain = action.flag("dns-name"),
                    let zone = config.privateZone(for: DNSName.normalise(domain), network: action.flag("networks"))
                else { break }
                if let name = action.name, name != zone.name { zoneNames[name] = zone.name }
                finding.remedy.inPlace.append("private zone \(zone.name) (\(zone.dnsName)) exists\(place(zone.location))")
                continue
            case .recordCreate, .recordUpdate:
                // Judged together, below: a record is needed only for what the zone does not resolve yet.
                if !config.listed.contains(.recordSets) { wanted.insert(.recordSets) }
            case .subnetUpdate where action.hasFlag("enable-private-ip-google-access"):
                guard config.listed.contains(.subnetworks) else { wanted.insert(.subnetworks); break }
                guard let name = action.name,
                    let subnet = config.subnetworks.first(where: { $0.name == name && (action.flag("region") == nil || $0.region == nil || $0.region == action.flag("region")) }),
                    subnet.privateIpGoogleAccess == true
                else { break }
                finding.remedy.inPlace.append("Private Google Access is on for subnet \(subnet.name)\(place(subnet.location))")
                continue
            case .routeCreate:
                guard config.listed.contains(.routes) else { wanted.insert(.routes); break }
                guard let range = action.flag("destination-range").flatMap(CIDR.init) else { break }
                let network = action.flag("network")
                let hop = action.flag("next-hop-gateway")
                if let route = config.routes.first(where: { route in
                    route.destination == range && (network == nil || route.network == nil || route.network == network)
                        && (hop == nil ? false : route.nextHop.target == hop)
                }) {
                    finding.remedy.inPlace.append("route \(route.name) to \(range) via \(route.nextHop.target) exists\(place(route.location))")
                    continue
                }
            case .firewallCreate where action.opensFirewall:
                guard config.listed.contains(.firewallRules) else { wanted.insert(.firewallRules); break }
                // For a port the control plane must reach (a webhook, an aggregated API), GKE's
                // docs, and Cloud Service Mesh's for 15017, advise an ingress rule of its own from
                // the control plane range rather than editing a rule: the new rule stays.
                guard !fromControlPlane(finding), let widened = addingPorts(action, for: finding, config: config) else { break }
                finding.remedy.notes.append(
                    "\(widened.rule.name) (priority \(widened.rule.priority)) already allows \(widened.rule.permissionsText) from the same "
                        + "sources to the same targets: \(widened.added) is added to it rather than a rule created beside it (gcloud's "
                        + "--rules replaces the rule's list, so the step names the entries it has too).")
                finding.facts["fix.change"] = "ports"
                finding.facts["fix.change.rule"] = widened.rule.name
                kept.append(widened.action)
                continue
            case .routerCreate:
                guard config.listed.contains(.routers) else { wanted.insert(.routers); break }
                let region = action.flag("region"), network = action.flag("network")
                guard let router = config.routers.first(where: { router in
                    (region == nil || router.region == nil || router.region == region)
                        && (network == nil || router.network == nil || router.network == network)
                }) else { break }
                if let name = action.name, name != router.name { routerNames[name] = router.name }
                finding.remedy.inPlace.append("Cloud Router \(router.name) exists on \(router.network ?? "the network") in \(router.region ?? "the region")\(place(router.location))")
                continue
            case .natCreate:
                guard config.listed.contains(.routers) || config.listed.contains(.nats) else { wanted.insert(.routers); break }
                let routerName = action.flag("router")
                let router = config.routers.first { $0.name == routerName }
                let nats = config.nats(in: action.flag("region"), network: router?.network)
                    .filter { routerName == nil || $0.router == nil || $0.router == routerName || router == nil }
                guard let nat = nats.first else { break }
                finding.remedy.inPlace.append("Cloud NAT \(nat.name) exists\(nat.router.map { " on router \($0)" } ?? "")")
                continue
            default:
                break
            }
            kept.append(action)
        }
        if config.listed.contains(.recordSets) { kept = reconcileRecords(kept, &finding, config: config) }
        finding.remedy.actions = kept
        for kind in wanted.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let command = listing(kind, project: project) else { continue }
            let text = command.rendered
            if !finding.surerWith.contains(text) { finding.surerWith.append(text) }
        }
    }

    /// Record steps by what they make names resolve to: a step whose name the zone already
    /// resolves to the same addresses (by whatever chain of CNAMEs) is in place, and an A record
    /// that only those steps pointed at is not needed. A record that exists with other data is
    /// updated rather than created again.
    static func reconcileRecords(_ actions: [RemedyAction], _ finding: inout Finding, config: ConfigSnapshot) -> [RemedyAction] {
        func records(of action: RemedyAction) -> RecordSet? {
            guard let name = action.name, let type = action.flag("type") else { return nil }
            return RecordSet(
                name: DNSName.normalise(name), type: type.uppercased(), ttl: nil,
                rrdatas: action.list("rrdatas").map { type.uppercased() == "CNAME" ? DNSName.normalise($0) : $0 }, zone: action.flag("zone"))
        }
        func existing(in zone: String) -> [RecordSet] {
            guard let managed = config.zones.first(where: { $0.name == zone }) else {
                return config.recordSets.filter { $0.zone == zone }
            }
            return config.records(in: managed).map { record in
                var record = record
                record.name = DNSName.normalise(record.name)
                if record.type.uppercased() == "CNAME" { record.rrdatas = record.rrdatas.map(DNSName.normalise) }
                return record
            }
        }
        let planned = actions.compactMap { action -> (zone: String, record: RecordSet)? in
            guard action.kind == .recordCreate || action.kind == .recordUpdate, let zone = action.flag("zone"),
                let record = records(of: action) else { return nil }
            return (zone, record)
        }
        var inPlace: Set<Int> = []
        for (index, action) in actions.enumerated() {
            guard action.kind == .recordCreate || action.kind == .recordUpdate, let zone = action.flag("zone"),
                let record = records(of: action) else { continue }
            let now = existing(in: zone)
            let intended = planned.filter { $0.zone == zone }.map(\.record)
            let wanted = Set(NetworkChecks.resolve(record.name, intended + now))
            let resolved = Set(NetworkChecks.resolve(record.name, now))
            if !resolved.isEmpty && resolved == wanted {
                inPlace.insert(index)
                let shown = resolved.map(\.description).sorted().joined(separator: ",")
                finding.remedy.inPlace.append("\(record.name) already resolves to \(shown) in zone \(zone)")
            }
        }
        // An A record kept only as the target of CNAMEs that are in place is not needed.
        let keptTargets = Set(actions.enumerated().filter { !inPlace.contains($0.offset) }.compactMap { records(of: $0.element) }
            .filter { $0.type == "CNAME" }.flatMap(\.rrdatas))
        let droppedTargets = Set(actions.enumerated().filter { inPlace.contains($0.offset) }.compactMap { records(of: $0.element) }
            .filter { $0.type == "CNAME" }.flatMap(\.rrdatas))
        var out: [RemedyAction] = []
        for (index, action) in actions.enumerated() {
            guard action.kind == .recordCreate || action.kind == .recordUpdate, let zone = action.flag("zone"),
                let record = records(of: action) else {
                out.append(action)
                continue
            }
            if inPlace.contains(index) { continue }
            if record.type == "A", droppedTargets.contains(record.name), !keptTargets.contains(record.name) { continue }
            let same = existing(in: zone).contains { $0.name == record.name && $0.type == record.type }
            if same, action.kind == .recordCreate {
                out.append(action.renamingVerb(to: "update", kind: .recordUpdate))
            } else if !same, action.kind == .recordUpdate {
                out.append(action.renamingVerb(to: "create", kind: .recordCreate))
            } else {
                out.append(action)
            }
        }
        return out
    }

    /// Whether the finding is about traffic from the control plane.
    static func fromControlPlane(_ finding: Finding) -> Bool {
        finding.facts["src.role"] == Role.controlPlane.rawValue || finding.sources.contains { $0.role == .controlPlane }
    }

    /// A user's allow rule for the same ends as the step (network, direction, source and
    /// destination ranges, targets; GKE's `gke-…` rules are GKE's, it resets them) that lacks only
    /// the step's ports, as `firewall-rules update RULE --rules=<its entries and the new ones>`
    /// (`--rules` replaces the list), kept only if the firewall model then lets the step's and the
    /// finding's traffic through.
    static func addingPorts(
        _ action: RemedyAction, for finding: Finding, config: ConfigSnapshot
    ) -> (action: RemedyAction, rule: FirewallRule, added: String)? {
        guard case .success(let proposed) = PlanVerifier.firewallRule(of: action, existing: []) else { return nil }
        func same(_ a: [String]?, _ b: [String]?) -> Bool { Set(a ?? []) == Set(b ?? []) }
        func same(_ a: [CIDR]?, _ b: [CIDR]?) -> Bool { Set(a ?? []) == Set(b ?? []) }
        let candidates = config.firewallRules.filter { rule in
            rule.action == .allow && !rule.disabled && !rule.isPartial && rule.policy == nil && !rule.hasOpaqueMatchers
                && !rule.name.hasPrefix("gke-") && rule.direction == proposed.direction && (rule.network ?? "default") == proposed.network
                && same(rule.sourceRanges, proposed.sourceRanges) && same(rule.destinationRanges, proposed.destinationRanges)
                && same(rule.targetTags, proposed.targetTags) && same(rule.targetServiceAccounts, proposed.targetServiceAccounts)
                && same(rule.sourceTags, []) && same(rule.sourceServiceAccounts, [])
        }.sorted { ($0.priority, $0.name) < ($1.priority, $1.name) }
        let model = FirewallModel(config: config)
        let verifier = PlanVerifier(config: config, findings: [finding])
        let flows = verifier.flows(through: proposed, for: FixPlan.Step(number: 0, action: action, findings: [finding.id]))
        for rule in candidates {
            let added = proposed.permissions.filter { entry in
                !rule.permissions.contains { $0.covers(protocol: entry.protocolName, ports: entry.ports.first) }
            }
            guard !added.isEmpty else { continue }
            var widened = rule
            widened.permissions += added
            let rules = model.rules.map { $0.name == rule.name && $0.policy == nil ? widened : $0 }
            let after = FirewallModel(rules: rules, policiesBeforeClassic: model.policiesBeforeClassic)
            guard !flows.isEmpty, flows.allSatisfy({ after.evaluate($0).verdict == .allowed }) else { continue }
            var command = ShellCommand("gcloud compute firewall-rules update").adding(.value(rule.name, []))
            if let project = action.flagParts("project") { command = command.adding(.argument([.literal("--project=")] + project)) }
            let update = RemedyAction(kind: .firewallUpdate, command: command).setting(flag: "rules", to: widened.permissionsText)
            return (update, rule, added.map(\.description).joined(separator: ","))
        }
        return nil
    }

    static func place(_ location: RecordLocation?) -> String {
        location.map { " (\($0.description))" } ?? ""
    }

    /// The listing that tells whether a step's resource exists, saved where triage reads it.
    static func listing(_ kind: ConfigSnapshot.Kind, project: String?) -> ShellCommand? {
        let words: String, file: String
        switch kind {
        case .zones: (words, file) = ("gcloud dns managed-zones list", "dns-managed-zones.json")
        case .recordSets: (words, file) = ("gcloud dns record-sets list --zone=ZONE", "dns-records.json")
        case .subnetworks: (words, file) = ("gcloud compute networks subnets list", "subnets.json")
        case .routes: (words, file) = ("gcloud compute routes list", "routes.json")
        case .routers: (words, file) = ("gcloud compute routers list", "routers.json")
        case .firewallRules: (words, file) = ("gcloud compute firewall-rules list", "firewall-rules.json")
        default: return nil
        }
        return ShellCommand(words).adding(flag: "project", ifGiven: project).adding(literal: "--format=json").adding(redirect: file)
    }
}

extension RemedyAction {
    /// The same step with another verb of the same command group (`record-sets create` →
    /// `record-sets update` when the record exists with other data).
    func renamingVerb(to verb: String, kind: Kind) -> RemedyAction {
        var copy = self
        let index = pathLength  // `gcloud` is word 0, the verb the path's last word
        var seen = -1
        for (position, word) in copy.command.words.enumerated() {
            guard case .argument = word else { continue }
            seen += 1
            if seen == index {
                copy.command.words[position] = .argument([.literal(verb)])
                break
            }
        }
        copy.kind = kind
        return copy
    }
}
