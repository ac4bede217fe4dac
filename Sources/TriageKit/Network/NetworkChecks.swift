import Foundation

/// Checks the flows and the config a private GKE cluster needs, against the network config read
/// from the inputs. Produces an observation only for what fails or cannot be told:
///
/// `kind: "check"` (a required flow, evaluated by `FirewallModel`), facts:
/// - `check`: control-plane-to-nodes | control-plane-to-pods | nodes-to-control-plane |
///   nodes-to-google-vip | pods-to-google-vip | health-checks-to-nodes | health-checks-to-pods | pod-to-pod | iap-to-nodes |
///   nodes-to-pods | pods-to-nodes
/// - `verdict`: denied | undetermined (table-read rules hide what decides)
/// - `direction` (INGRESS/EGRESS), `protocol`, `dst.port` ("443", "30000-32767": the part of the tested ports
///   with this verdict; a range is split where rules start or stop covering it, one observation per part)
/// - `dst.port.tested` (the whole range checked), `allowed.ports` and `allowed.by` (the parts of it that are
///   allowed and the rules allowing them, comma-separated), only when some part is allowed
/// - `src.role`, `src.range`, `dst.role`, `dst.range` (roles as `Role` raw values)
/// - `denied_by` (rule name, or "implied-deny-ingress"), `denied_by.priority`, `denied_by.implied` (yes/no)
/// - `loser`, `loser.priority`, `loser.reason` (a `FirewallModel.Miss` code), `loser.why` (a sentence),
///   only when some rule would have allowed the flow
/// - `denied_by.policy`, `denied_by.policy_type` (HIERARCHY | NETWORK | NETWORK_REGIONAL): when a firewall
///   policy's rule decides (`denied_by` is then "firewall policy P rule priority N")
/// - `unknown.rules`, `unknown.fields`: for `undetermined`, the table-read rules and what is hidden
/// - `network`, `node_tag`, `node_tag.source`, `project`
/// - `fix.priority`: one better than the deciding deny (an allow loses ties), 1000 against the
///   implied deny, "none" when the deny is at priority 0; `fix.verified`: yes/no, the flow
///   evaluated again with that allow rule added; `fix.note`: that verification as a sentence
///
/// `kind: "config"`, facts `config` plus:
/// - vip-route: `vip` (restricted|private), `vip.range`, `problem` (missing | not-internet-gateway),
///   `route`, `route.next_hop`, `route.next_hop.kind`, `default_route`, `default_route.next_hop`, `network`
/// - private-dns-zone-missing: `needed_because` (vip-in-use | default-route | egress-denied), `domain` (gcr.io), `dns_name` (gcr.io.), `zone_suggestion` (gcr-io), `network`,
///   `vip` (the VIP the other zones use, else restricted), `vip.range`, `vip.addresses` (comma-separated)
/// - private-dns-zone-wrong: the same plus `zone`, `name` (the name checked), `resolves_to`
/// - nat-missing: `region`, `network`, `subnet`
/// - nat-not-covering: `nat`, `router`, `region`, `subnet`, `range`, `range.name`, `range.role` (node|pod), `coverage`,
///   `nat.ranges` (a LIST_OF_SUBNETWORKS gateway's whole list with what it lacks)
/// - private-google-access-off: `subnet`, `region`, `network`
/// - legacy-network: `network`, `range`
/// - firewall-logging-off: `rules` (enabled deny rules without logging, comma-separated), `rules.count`,
///   `implied_deny_unlogged` (yes when no logged deny-all ingress rule stands in for the implied
///   deny), `firewall_records` (firewall log records in the run), `failure_messages` (error
///   messages read from kubectl/gcloud text: failures whose traffic the logs would show), `network`, `project`
/// - allow-rule-shadowed: an allow rule none of whose traffic gets through, because a deny with a
///   better (or the same) priority takes all of it: `shadowed` (the allow rule), `shadowed.priority`, `direction`, `protocol`,
///   `dst.port`, `src.range`, `dst.range`, `dst.role`, `denied_by`, `denied_by.priority`, `fix.priority`
///   (the priority the allow rule needs), `network`, `node_tag`
public enum NetworkChecks {
    static let healthCheckRanges = ["35.191.0.0/16", "130.211.0.0/22"].compactMap(CIDR.init)
    static let iapRange = CIDR("35.235.240.0/20")!
    static let vips: [(name: String, cidr: CIDR, role: Role)] = [
        ("restricted", CIDR("199.36.153.4/30")!, .restrictedVIP), ("private", CIDR("199.36.153.8/30")!, .privateVIP),
    ]
    /// The domains whose private zones Private Google Access from a private cluster needs.
    /// Each with the names clients look up in it: Google's recipe is a CNAME for `*.DOMAIN`
    /// to the VIP's name (googleapis.com) or to the apex, and A records for the VIP on the apex
    /// (gcr.io, pkg.dev), so `gcr.io/…` images and `REGION-docker.pkg.dev` both resolve.
    static let googleDomains: [(domain: String, names: [String])] = [
        ("googleapis.com.", ["storage.googleapis.com."]),
        ("gcr.io.", ["gcr.io.", "us.gcr.io."]),
        ("pkg.dev.", ["us-docker.pkg.dev."]),
    ]
    static let fullListing = "gcloud compute firewall-rules list --format=json"

    public static func run(
        config: ConfigSnapshot, topology: Topology, webhookPorts: [Int] = [], servingPorts: [ClosedRange<Int>] = [],
        podServingPorts: [ClosedRange<Int>] = [], nodeServiceAccount: String? = nil
    ) -> [Observation] {
        run(
            config: config, cluster: ClusterNetwork(config: config, topology: topology, nodeServiceAccount: nodeServiceAccount),
            webhookPorts: webhookPorts, servingPorts: servingPorts, podServingPorts: podServingPorts)
    }

    /// The checks against a cluster network already worked out from the config.
    static func run(
        config: ConfigSnapshot, cluster: ClusterNetwork, webhookPorts: [Int],
        servingPorts: [ClosedRange<Int>], podServingPorts: [ClosedRange<Int>]
    ) -> [Observation] {
        var out: [Observation] = []
        if config.listed.contains(.firewallRules) {
            out += flowChecks(
                config: config, cluster: cluster, webhookPorts: webhookPorts, servingPorts: servingPorts,
                podServingPorts: podServingPorts)
            out += shadowedAllowRules(config: config, cluster: cluster)
        }
        // Routes and zones to Google's VIPs matter to a private cluster's nodes: say nothing of
        // them where nothing says there is a cluster. Public nodes reach the internet and
        // Google's APIs by their own external addresses: NAT and Private Google Access are theirs to skip.
        if cluster.hasCluster, cluster.privateNodes != false {
            out += routeChecks(config: config, cluster: cluster)
            out += dnsChecks(config: config, cluster: cluster)
        }
        if cluster.hasCluster, cluster.privateNodes != false {
            out += natChecks(config: config, cluster: cluster)
        }
        out += subnetChecks(config: config, cluster: cluster)
        return out
    }

    // MARK: required flows

    struct Endpoint {
        var role: Role
        var cidr: CIDR
    }

    static func flowChecks(
        config: ConfigSnapshot, cluster: ClusterNetwork, webhookPorts: [Int], servingPorts: [ClosedRange<Int>],
        podServingPorts: [ClosedRange<Int>] = []
    ) -> [Observation] {
        let model = FirewallModel(config: config)
        let tags = cluster.vmTags
        var out: [Observation] = []
        /// One observation per part of the tested ports that is not allowed (see `evaluateRanges`).
        @discardableResult
        func check(_ id: String, _ src: Endpoint, _ dst: Endpoint, _ proto: String, _ ports: ClosedRange<Int>?,
                   _ direction: FirewallRule.Direction) -> [FirewallModel.Evaluation] {
            // Nodes carry the node tag and account as sources too (source tags match primary addresses).
            let flow = FirewallModel.Flow(
                source: src.cidr, destination: dst.cidr, protocolName: proto, ports: ports, direction: direction,
                network: cluster.network, vmTags: tags, vmServiceAccount: cluster.nodeServiceAccount,
                sourceTags: src.role == .node ? tags : [], sourceServiceAccount: src.role == .node ? cluster.nodeServiceAccount : nil)
            let parts = model.evaluateRanges(flow)
            let allowed = parts.filter { $0.verdict == .allowed }
            // GKE's own gke-CLUSTER-HASH-exkubelet closes the read-only kubelet port on purpose.
            for evaluation in parts where evaluation.verdict != .allowed && !Self.isGKEDesign(evaluation.rule) {
                out.append(observation(id, evaluation, src, dst, model: model, cluster: cluster, tested: ports, allowed: allowed))
            }
            return parts
        }
        let nodes = cluster.nodeCIDRs.first.map { Endpoint(role: .node, cidr: $0) }
        let pods = cluster.podCIDRs.map { Endpoint(role: .pod, cidr: $0) }
        let master = cluster.masterCIDR.map { Endpoint(role: .controlPlane, cidr: $0) }
        if let master, let nodes {
            for port in [443, 10250] { _ = check("control-plane-to-nodes", master, nodes, "tcp", port...port, .ingress) }
        }
        if let master, let podRange = pods.first ?? nodes {
            for port in Set(webhookPorts).sorted() {
                _ = check("control-plane-to-pods", master, podRange, "tcp", port...port, .ingress)
            }
        }
        let egressDenies = config.firewallRules.contains { $0.direction == .egress && $0.action == .deny && !$0.disabled }
        if egressDenies, let master, let nodes {
            _ = check("nodes-to-control-plane", nodes, master, "tcp", 443...443, .egress)
        }
        if egressDenies {
            let inUse = vipsInUse(config, network: cluster.network)
            let candidates = inUse.isEmpty ? vips : vips.filter { inUse.contains($0.name) }
            let sources = [nodes].compactMap { $0 } + pods
            if inUse.isEmpty {
                // Without DNS config either VIP may be the one in use: fail only if neither works.
                let works = candidates.contains { vip in
                    sources.allSatisfy { src in
                        model.evaluate(FirewallModel.Flow(
                            source: src.cidr, destination: vip.cidr, protocolName: "tcp", ports: 443...443,
                            direction: .egress, network: cluster.network, vmTags: tags,
                            vmServiceAccount: cluster.nodeServiceAccount)).verdict == .allowed
                    }
                }
                if !works, let restricted = candidates.first {
                    for src in sources {
                        _ = check(src.role == .node ? "nodes-to-google-vip" : "pods-to-google-vip", src,
                                  Endpoint(role: restricted.role, cidr: restricted.cidr), "tcp", 443...443, .egress)
                    }
                }
            } else {
                for vip in candidates {
                    for src in sources {
                        _ = check(src.role == .node ? "nodes-to-google-vip" : "pods-to-google-vip", src,
                                  Endpoint(role: vip.role, cidr: vip.cidr), "tcp", 443...443, .egress)
                    }
                }
            }
        }
        if let nodes {
            for range in healthCheckRanges {
                for ports in servingPorts + healthCheckPortsIntended(config, excluding: servingPorts) {
                    _ = check("health-checks-to-nodes", Endpoint(role: .healthCheck, cidr: range), nodes, "tcp", ports, .ingress)
                }
            }
            // Autopilot allows no SSH to its nodes: nothing to reach there.
            if cluster.cluster?.autopilot != true {
                _ = check("iap-to-nodes", Endpoint(role: .iap, cidr: iapRange), nodes, "tcp", 22...22, .ingress)
            }
        }
        // Container-native load balancing (NEGs) health-checks the pods themselves, on the pod port.
        for podRange in pods.prefix(1) {
            for range in healthCheckRanges {
                for ports in podServingPorts {
                    _ = check("health-checks-to-pods", Endpoint(role: .healthCheck, cidr: range), podRange, "tcp", ports, .ingress)
                }
            }
        }
        for a in pods {
            for b in pods {
                for proto in ["tcp", "udp"] {
                    _ = check("pod-to-pod", a, b, proto, 1...65535, .ingress)
                    if egressDenies { _ = check("pod-to-pod", a, b, proto, 1...65535, .egress) }
                }
            }
        }
        // GKE's gke-CLUSTER-HASH-vms and -all rules let nodes reach pods and pods reach nodes.
        if let nodes {
            for podRange in pods {
                for proto in ["tcp", "udp"] {
                    check("nodes-to-pods", nodes, podRange, proto, 1...65535, .ingress)
                    check("pods-to-nodes", podRange, nodes, proto, 1...65535, .ingress)
                    if egressDenies {
                        check("nodes-to-pods", nodes, podRange, proto, 1...65535, .egress)
                        check("pods-to-nodes", podRange, nodes, proto, 1...65535, .egress)
                    }
                }
            }
        }
        return out
    }

    static func observation(
        _ id: String, _ e: FirewallModel.Evaluation, _ src: Endpoint, _ dst: Endpoint, model: FirewallModel,
        cluster: ClusterNetwork, tested: ClosedRange<Int>? = nil, allowed: [FirewallModel.Evaluation] = []
    ) -> Observation {
        let flow = e.flow
        var facts: [String: String] = [
            "check": id, "verdict": e.verdict.rawValue, "direction": flow.direction.rawValue,
            "protocol": flow.protocolName, "dst.port": flow.portText,
            "dst.port.tested": tested.map(FirewallModel.portText) ?? flow.portText,
            "src.role": src.role.rawValue, "src.range": src.cidr.description,
            "dst.role": dst.role.rawValue, "dst.range": dst.cidr.description,
            "node_tag.source": cluster.nodeTagSource,
        ]
        facts["network"] = cluster.network
        facts["node_tag"] = cluster.nodeTag
        facts["project"] = cluster.project
        var quote: String
        let what = "\(src.role.phrase) \(src.cidr) → \(dst.role.phrase) \(dst.cidr) \(flow.protocolName):\(flow.portText) (\(flow.direction.rawValue.lowercased()))"
        switch e.verdict {
        case .undetermined:
            facts["unknown.rules"] = e.unknowns.map(\.rule.name).joined(separator: ",")
            facts["unknown.fields"] = e.unknowns.first?.field
            quote = "\(what): cannot tell from the table (\(facts["unknown.rules"]!) may apply); run \(fullListing)"
        case .denied, .allowed:
            facts["denied_by"] = e.rule?.name ?? "implied-deny-ingress"
            facts["denied_by.priority"] = String(e.priority)
            facts["denied_by.implied"] = e.rule == nil ? "yes" : "no"
            facts["denied_by.policy"] = e.rule?.policy?.policy
            facts["denied_by.policy_type"] = e.rule?.policy?.kind.rawValue
            quote = "\(what): denied by \(e.deciderName) (priority \(e.priority))"
            // A VPC allow rule beats a policy rule only when VPC rules are evaluated first.
            let fixPriority: Int? = e.rule.map { rule in
                rule.policy == nil ? (e.priority > 0 ? e.priority - 1 : nil) : (model.vpcRulesPrecede(rule, network: flow.network) ? 1000 : nil)
            } ?? 1000
            facts["fix.priority"] = fixPriority.map(String.init) ?? "none"
            // A policy rule no VPC rule can beat still gets the sentence saying so.
            if fixPriority != nil || e.rule?.policy != nil {
                let verification = FixVerification.verify(
                    flow, priority: fixPriority, model: model, targetTags: cluster.nodeTag.map { [$0] } ?? [],
                    ruleCount: model.rules.count)
                facts["fix.verified"] = verification.outcome == .works ? "yes" : "no"
                facts["fix.note"] = verification.sentence
                facts.merge(verification.change?.facts ?? [:]) { $1 }
            }
        }
        if let loser = e.bestLoser {
            facts["loser"] = loser.rule.name
            facts["loser.priority"] = String(loser.rule.priority)
            facts["loser.reason"] = loser.miss.code
            let why = loser.misses.map { $0.sentence(for: flow) }.joined(separator: ", and ")
            facts["loser.why"] = why
            quote += "; \(loser.rule.name) would allow it but \(why)"
        }
        // The rest of the tested range, so the quote tells the whole range.
        if !allowed.isEmpty {
            var ranges: [ClosedRange<Int>] = []
            for range in allowed.compactMap(\.flow.ports) {
                if let last = ranges.last, last.upperBound + 1 == range.lowerBound {
                    ranges[ranges.count - 1] = last.lowerBound...range.upperBound
                } else {
                    ranges.append(range)
                }
            }
            var deciders: [String] = []
            for part in allowed where !deciders.contains("\(part.deciderName) (priority \(part.priority))") {
                deciders.append("\(part.deciderName) (priority \(part.priority))")
            }
            facts["allowed.ports"] = ranges.map(FirewallModel.portText).joined(separator: ",")
            facts["allowed.by"] = allowed.map(\.deciderName).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                .joined(separator: ",")
            quote += "; \(flow.protocolName):\(facts["allowed.ports"]!) allowed by \(deciders.joined(separator: ", "))"
        }
        return Observation(kind: "check", facts: facts, location: e.rule?.location, source: "firewall rules", quote: quote)
    }

    /// A denial GKE makes on purpose: its gke-CLUSTER-HASH-exkubelet rule closes the read-only
    /// kubelet port (10255) to all but the cluster's own pod range.
    static func isGKEDesign(_ rule: FirewallRule?) -> Bool {
        guard let rule, rule.action == .deny else { return false }
        return rule.name.hasPrefix("gke-") && rule.name.hasSuffix("-exkubelet")
    }

    /// Ports some rule already opens to a health-check range: the user meant health checks to
    /// reach them, so every health-check range must reach them (checked even without logs).
    static func healthCheckPortsIntended(_ config: ConfigSnapshot, excluding given: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
        var ports: [ClosedRange<Int>] = []
        for rule in config.firewallRules where rule.direction == .ingress && rule.action == .allow && !rule.disabled {
            guard (rule.sourceRanges ?? []).contains(where: { range in healthCheckRanges.contains { $0.contains(range) } }) else { continue }
            for permission in rule.permissions where permission.protocolName == "tcp" {
                for range in permission.ports where !given.contains(range) && !ports.contains(range) { ports.append(range) }
            }
        }
        return ports
    }

    /// The VIPs the private DNS zones point at ("restricted", "private").
    static func vipsInUse(_ config: ConfigSnapshot, network: String? = nil) -> Set<String> {
        var used: Set<String> = []
        for record in config.recordSets where record.type == "A" {
            // A zone bound to other networks says nothing of this one's path to Google.
            if let network, let zone = config.zone(of: record), let networks = zone.networks, !networks.contains(network) { continue }
            for data in record.rrdatas {
                guard let address = IPAddress(data) else { continue }
                for vip in vips where vip.cidr.contains(address) { used.insert(vip.name) }
            }
        }
        return used
    }

    // MARK: shadowed rules

    static func shadowedAllowRules(config: ConfigSnapshot, cluster: ClusterNetwork) -> [Observation] {
        let model = FirewallModel(config: config)
        let anywhere = CIDR("0.0.0.0/0")!
        var out: [Observation] = []
        for rule in config.firewallRules where rule.action == .allow && !rule.disabled && !rule.isPartial {
            // Every (range, protocol/ports) the rule names, from a VM it targets.
            let tags = rule.targetTags ?? []
            let ranges = (rule.direction == .ingress ? rule.sourceRanges : rule.destinationRanges) ?? []
            var deciders: [(flow: FirewallModel.Flow, denier: FirewallRule)] = []
            var allDenied = true
            for range in ranges.isEmpty ? [anywhere] : ranges {
                for permission in rule.permissions {
                    let ports: [ClosedRange<Int>?] = permission.hasPorts ? (permission.ports.isEmpty ? [1...65535] : permission.ports) : [nil]
                    for portRange in ports {
                        let other = CIDR("10.255.255.254/32")!
                        let flow = FirewallModel.Flow(
                            source: rule.direction == .ingress ? range : (cluster.nodeCIDRs.first ?? other),
                            destination: rule.direction == .egress ? range : (cluster.nodeCIDRs.first ?? other),
                            protocolName: permission.protocolName == "all" ? "tcp" : permission.protocolName,
                            ports: portRange.map { $0.lowerBound...$0.lowerBound }, direction: rule.direction,
                            network: rule.network, vmTags: tags.isEmpty ? cluster.vmTags : [tags[0]],
                            vmServiceAccount: rule.targetServiceAccounts?.first)
                        let decision = model.decide(flow)
                        if decision.verdict == .denied, let denier = decision.rule, denier.priority <= rule.priority {
                            deciders.append((flow, denier))
                        } else {
                            allDenied = false
                        }
                    }
                }
            }
            guard allDenied, let first = deciders.first else { continue }
            let denier = first.denier
            let range = rule.direction == .ingress ? first.flow.source : first.flow.destination
            var facts: [String: String] = [
                "config": "allow-rule-shadowed", "shadowed": rule.name, "shadowed.priority": String(rule.priority),
                "direction": rule.direction.rawValue, "protocol": first.flow.protocolName,
                "dst.port": rule.permissionsText, "denied_by": denier.name, "denied_by.priority": String(denier.priority),
                "fix.priority": denier.priority > 0 ? String(denier.priority - 1) : "none",
                (rule.direction == .ingress ? "src.range" : "dst.range"): range.description,
            ]
            facts["network"] = rule.network ?? cluster.network
            facts["node_tag"] = rule.targetTags?.first ?? cluster.nodeTag
            facts["project"] = cluster.project
            if rule.direction == .egress { facts["dst.ip"] = range.network.description }
            out.append(Observation(
                kind: "config", facts: facts, location: rule.location, source: "firewall rules",
                quote: "\(rule.name) (allow \(rule.permissionsText), priority \(rule.priority)) never takes effect: \(denier.name) (deny, priority \(denier.priority)) decides first"))
        }
        return out
    }

    // MARK: routes

    static func routeChecks(config: ConfigSnapshot, cluster: ClusterNetwork) -> [Observation] {
        guard config.listed.contains(.routes) else { return [] }
        let model = RouteModel(routes: config.routes, subnets: config.subnetworks)
        let tags = cluster.vmTags
        let defaultRoute = model.defaultRoute(tags: tags, network: cluster.network)
        let inUse = vipsInUse(config, network: cluster.network)
        var out: [Observation] = []
        var failing: [(vip: (name: String, cidr: CIDR, role: Role), decision: RouteModel.Decision)] = []
        for vip in vips {
            let decision = model.route(to: vip.cidr.network, tags: tags, network: cluster.network)
            if !decision.reachesInternetGateway { failing.append((vip, decision)) }
        }
        // With no DNS config, either VIP may be in use: speak only when neither is reachable.
        let relevant = inUse.isEmpty ? (failing.count == vips.count ? Array(failing.prefix(1)) : []) : failing.filter { inUse.contains($0.vip.name) }
        for (vip, decision) in relevant {
            // A route to the VIP through the internet gateway that exists but loses (to a better
            // priority, or a more specific range) is shadowed: the fix is the winner, not a new route.
            let shadowed = decision.route == nil ? nil : decision.beaten.first { $0.nextHop == .internetGateway }
            var facts: [String: String] = [
                "config": "vip-route", "vip": vip.name, "vip.range": vip.cidr.description,
                "problem": decision.route == nil ? "missing" : shadowed == nil ? "not-internet-gateway" : "shadowed",
            ]
            if let shadowed, let winner = decision.route {
                facts["shadowed_route"] = shadowed.name
                facts["shadowed_route.priority"] = String(shadowed.priority)
                facts["shadowed_route.range"] = shadowed.destination.description
                facts["route.priority"] = String(winner.priority)
                facts["route.range"] = winner.destination.description
                // A more specific route wins whatever its priority: only deleting it helps.
                facts["route.more_specific"] = winner.destination.prefixLength > shadowed.destination.prefixLength ? "yes" : "no"
            }
            facts["network"] = cluster.network
            facts["project"] = cluster.project
            facts["node_tag"] = cluster.nodeTag
            if let route = decision.route {
                facts["route"] = route.name
                facts["route.next_hop"] = route.nextHop.target
                facts["route.next_hop.kind"] = route.nextHop.kind
                // With the instances listed, a next-hop instance that is not among them is gone.
                if case .instance(let name) = route.nextHop, config.listed.contains(.instances) {
                    facts["route.next_hop.exists"] = config.instanceNames.contains(name) ? "yes" : "no"
                }
            }
            if let defaultRoute {
                facts["default_route"] = defaultRoute.name
                facts["default_route.next_hop"] = defaultRoute.nextHop.target
            } else {
                facts["default_route"] = "none"
            }
            let how = decision.route.map { "goes to \($0.nextHop.kind) \($0.nextHop.target) via \($0.name) (\($0.destination), priority \($0.priority))" }
                ?? "has no route"
            let beaten = shadowed.map { "; \($0.name) (\($0.destination), priority \($0.priority)) to the default internet gateway loses to it" } ?? ""
            out.append(Observation(
                kind: "config", facts: facts, location: decision.route?.location, source: "routes",
                quote: "\(vip.cidr) (\(vip.name).googleapis.com) \(how)\(beaten); it must leave through the default internet gateway"))
        }
        return out
    }

    // MARK: DNS

    static func dnsChecks(config: ConfigSnapshot, cluster: ClusterNetwork) -> [Observation] {
        guard config.listed.contains(.zones) else { return [] }
        let inUse = vipsInUse(config, network: cluster.network)
        // Google's default domains work from private nodes (Private Google Access through the
        // default internet route) unless the VIP path is chosen: say nothing about missing zones
        // unless some zone already uses a VIP, the default route is not the internet gateway, or
        // an egress rule denies Google's public addresses. A private zone that exists always
        // overrides public DNS for the network, so its records are checked regardless.
        let needed = privateZonesNeeded(config: config, cluster: cluster, inUse: inUse)
        let vip = vips.first { inUse.contains($0.name) } ?? vips[0]
        var out: [Observation] = []
        for (domain, names) in googleDomains {
            let zone = config.privateZone(for: domain, network: cluster.network)
            let bare = String(domain.dropLast())
            var base: [String: String] = [
                "domain": bare, "dns_name": domain, "zone_suggestion": bare.replacingOccurrences(of: ".", with: "-"),
                "vip": vip.name, "vip.range": vip.cidr.description,
                "vip.addresses": vip.cidr.hostAddresses.map(\.description).joined(separator: ","),
            ]
            base["network"] = cluster.network
            base["project"] = cluster.project
            guard let zone else {
                guard let needed else { continue }
                var facts = base
                facts["needed_because"] = needed
                facts["config"] = "private-dns-zone-missing"
                out.append(Observation(
                    kind: "config", facts: facts, source: "DNS managed zones",
                    quote: "no private zone for \(bare) visible to \(cluster.network ?? "the cluster's network")"))
                continue
            }
            let records = config.records(in: zone)
            guard !records.isEmpty else { continue }  // the zone's records were not given
            for name in names {
                let answer = resolve(name, records)
                let good = !answer.isEmpty && answer.allSatisfy { address in vips.contains { $0.cidr.contains(address) } }
                if good { continue }
                var facts = base
                facts["config"] = "private-dns-zone-wrong"
                facts["zone"] = zone.name
                facts["name"] = name
                facts["resolves_to"] = answer.isEmpty ? "nothing" : answer.map(\.description).joined(separator: ",")
                out.append(Observation(
                    kind: "config", facts: facts, location: zone.location, source: "DNS record sets",
                    quote: "in zone \(zone.name), \(name) resolves to \(facts["resolves_to"]!), not \(vip.cidr)"))
                break
            }
        }
        return out
    }

    /// Why private zones for Google's domains are needed, or nil when nothing given says they are.
    static func privateZonesNeeded(config: ConfigSnapshot, cluster: ClusterNetwork, inUse: Set<String>) -> String? {
        if !inUse.isEmpty { return "vip-in-use" }
        let tags = cluster.vmTags
        if config.listed.contains(.routes),
            RouteModel(routes: config.routes, subnets: config.subnetworks).defaultRoute(tags: tags, network: cluster.network)?
                .nextHop != .internetGateway
        {
            return "default-route"
        }
        if config.listed.contains(.firewallRules), let nodes = cluster.nodeCIDRs.first {
            // 142.250.0.0/15 serves gcr.io, pkg.dev and googleapis.com among others.
            let flow = FirewallModel.Flow(
                source: nodes, destination: CIDR("142.250.0.0/15")!, protocolName: "tcp", ports: 443...443, direction: .egress,
                network: cluster.network, vmTags: tags, vmServiceAccount: cluster.nodeServiceAccount)
            if FirewallModel(config: config).evaluate(flow).verdict == .denied { return "egress-denied" }
        }
        return nil
    }

    /// Follows CNAMEs (and wildcards) within the zones' records to A records.
    static func resolve(_ name: String, _ records: [RecordSet], depth: Int = 0) -> [IPAddress] {
        guard depth < 8 else { return [] }
        func lookup(_ type: String) -> RecordSet? {
            if let exact = records.first(where: { $0.name == name && $0.type == type }) { return exact }
            // A wildcard covers names below its parent that have no record of their own.
            guard let dot = name.firstIndex(of: ".") else { return nil }
            let wildcard = "*" + name[dot...]
            return records.first { $0.name == wildcard && $0.type == type }
        }
        if let a = lookup("A") { return a.rrdatas.compactMap(IPAddress.init) }
        if let cname = lookup("CNAME"), let target = cname.rrdatas.first {
            return resolve(DNSName.normalise(target), records, depth: depth + 1)
        }
        return []
    }

    // MARK: NAT, subnets, networks

    static func natChecks(config: ConfigSnapshot, cluster: ClusterNetwork) -> [Observation] {
        guard config.listed.contains(.routers) || config.listed.contains(.nats) else { return [] }
        var out: [Observation] = []
        // A LIST_OF_SUBNETWORKS gateway is fixed by one `--nat-custom-subnet-ip-ranges` list
        // with every range it lacks across the cluster's subnets: each finding carries the same
        // whole list, so the plan has one update, not one per range that would undo the others.
        var additions: [String: [String]] = [:]
        var uncovered: [(nat: CloudNAT, facts: [String: String], quote: String)] = []
        for subnet in cluster.nodeSubnets {
            let region = subnet.region ?? cluster.region
            let inRegion = config.nats(in: region, network: cluster.network)
            var base: [String: String] = ["subnet": subnet.name]
            base["region"] = region
            base["network"] = cluster.network
            base["project"] = cluster.project
            guard !inRegion.isEmpty else {
                var facts = base
                facts["config"] = "nat-missing"
                out.append(Observation(
                    kind: "config", facts: facts, source: "Cloud Routers",
                    quote: "no Cloud NAT gateway in \(region ?? "the nodes' region") for subnet \(subnet.name)"))
                continue
            }
            var ranges: [(name: String?, cidr: CIDR, role: Role)] = [(nil, subnet.primary, .node)]
            ranges += cluster.podSecondaryRanges(of: subnet).map { ($0.name, $0.cidr, .pod) }
            for range in ranges {
                let answers = inRegion.map { $0.covers(subnet: subnet.name, primary: range.name == nil, secondaryRange: range.name) }
                if answers.contains(true) || answers.contains(where: { $0 == nil }) { continue }
                let nat = inRegion[0]
                var facts = base
                facts["config"] = "nat-not-covering"
                facts["nat"] = nat.name
                facts["router"] = nat.router
                facts["range"] = range.cidr.description
                facts["range.name"] = range.name ?? "primary"
                facts["range.role"] = range.role.rawValue
                facts["coverage"] = nat.coverage?.rawValue
                additions[natKey(nat), default: []].append(range.name.map { subnet.name + ":" + $0 } ?? subnet.name)
                uncovered.append((nat, facts,
                    "Cloud NAT \(nat.name) (\(nat.coverage?.rawValue ?? "?")) does not translate \(range.role.phrase) range \(range.cidr) of \(subnet.name)"))
            }
        }
        for (nat, var facts, quote) in uncovered {
            facts["nat.ranges"] = nat.customRanges(adding: additions[natKey(nat)] ?? [])?.joined(separator: ",")
            out.append(Observation(kind: "config", facts: facts, source: "Cloud NAT gateways", quote: quote))
        }
        return out
    }

    private static func natKey(_ nat: CloudNAT) -> String { [nat.router ?? "", nat.region ?? "", nat.name].joined(separator: "|") }

    static func subnetChecks(config: ConfigSnapshot, cluster: ClusterNetwork) -> [Observation] {
        var out: [Observation] = []
        for subnet in cluster.nodeSubnets where subnet.privateIpGoogleAccess == false && cluster.privateNodes != false {
            var facts: [String: String] = ["config": "private-google-access-off", "subnet": subnet.name]
            facts["region"] = subnet.region
            facts["network"] = subnet.network ?? cluster.network
            facts["project"] = cluster.project
            out.append(Observation(
                kind: "config", facts: facts, location: subnet.location, source: "subnetworks",
                quote: "subnet \(subnet.name) has Private Google Access off"))
        }
        for network in config.networks where network.isLegacy {
            var facts: [String: String] = ["config": "legacy-network", "network": network.name]
            facts["range"] = network.legacyRange?.description
            facts["project"] = cluster.project
            out.append(Observation(
                kind: "config", facts: facts, location: network.location, source: "networks",
                quote: "network \(network.name) is a legacy network (IPv4Range \(network.legacyRange!)); GKE needs a VPC network with subnets"))
        }
        return out
    }
}

extension NetworkChecks {
    /// The checks for a run: webhook ports come from any evidence that names one (a webhook
    /// error's port, a logged control plane → pod connection), serving ports from logged
    /// health-check connections (and from rules already open to one health-check range).
    static func observations(for collector: EvidenceCollector, topology: Topology) -> [Observation] {
        let config = collector.config
        let networks = topology.clusterNetworks.isEmpty ? ClusterNetwork.all(config: config, topology: topology) : topology.clusterNetworks
        // Capacity needs only a cluster description; the other checks need network config.
        guard !config.isEmpty else {
            return networks.flatMap { network in
                network.cluster.map { info in
                    CapacityChecks.run(config: config, cluster: info, network: network).map { observation in
                        var observation = observation
                        network.label(&observation.facts)
                        return observation
                    }
                } ?? []
            }
        }
        var messagePorts = Set<Int>()
        var webhookPorts: [String?: Set<Int>] = [:]
        var servingPorts = Set<Int>()
        var podServingPorts = Set<Int>()
        for observation in collector.observations where observation.facts["webhook"] != nil {
            if let port = observation.facts["port"].flatMap(Int.init) { messagePorts.insert(port) }
        }
        if config.listed.contains(.firewallRules) {
            collector.forEachConnection { source, destination, port in
                guard let port else { return }
                let from = topology.classify(source)
                switch from.role {
                // A logged control plane → pod port is its own cluster's webhook.
                case .controlPlane where ![443, 10250].contains(port): webhookPorts[from.cluster, default: []].insert(port)
                case .healthCheck where topology.classify(destination).role == .pod: podServingPorts.insert(port)
                case .healthCheck: servingPorts.insert(port)
                default: break
                }
            }
        }
        var out: [Observation] = []
        var networkWide = Set<[String: String]>()
        for cluster in networks {
            // A port named by an error message is some cluster's webhook: with several clusters,
            // which one is not known, and checking it on all would deny what no one runs.
            var ports = networks.count == 1 ? messagePorts : []
            ports.formUnion(webhookPorts[cluster.clusterName] ?? [])
            if networks.count == 1 { for (_, logged) in webhookPorts { ports.formUnion(logged) } }
            var found = run(
                config: config, cluster: cluster, webhookPorts: ports.sorted(),
                servingPorts: servingPorts.sorted().map { $0...$0 }, podServingPorts: podServingPorts.sorted().map { $0...$0 })
                + loggingChecks(
                    config: config, cluster: cluster,
                    firewallRecords: collector.account.firewallRecords,
                    failureMessages: collector.observations.filter { $0.kind == "message" }.reduce(0) { $0 + $1.multiplicity })
            if let info = cluster.cluster { found += CapacityChecks.run(config: config, cluster: info, network: cluster) }
            for var observation in found {
                if isClusterScoped(observation) {
                    cluster.label(&observation.facts)
                } else if !networkWide.insert(observation.facts).inserted {
                    continue  // the same network-wide fact, seen from another cluster on that network
                }
                out.append(observation)
            }
        }
        return out
    }

    /// Checks whose answer depends on the cluster (its ranges, tags, subnet), as opposed to the
    /// network's DNS zones, legacy mode or logging, which every cluster on it shares.
    static func isClusterScoped(_ observation: Observation) -> Bool {
        guard observation.kind == "config" else { return true }
        return !["private-dns-zone-missing", "private-dns-zone-wrong", "legacy-network", "firewall-logging-off"]
            .contains(observation.facts["config"] ?? "")
    }

    /// Deny rules that do not log, and ingress left to the implied deny (which never logs):
    /// the denials they make leave no evidence, so a run without firewall logs says how to get
    /// them. Only rules read in full count; a table does not show logging.
    static func loggingChecks(
        config: ConfigSnapshot, cluster: ClusterNetwork, firewallRecords: Int, failureMessages: Int
    ) -> [Observation] {
        // A table hides logConfig: nothing can be said of logging from one.
        guard config.listed.contains(.firewallRules), !config.firewallRules.contains(where: \.isPartial) else { return [] }
        let rules = config.firewallRules.filter { $0.network == nil || cluster.network == nil || $0.network == cluster.network }
        // GKE's own rules (gke-CLUSTER-…) are managed by GKE and reset if edited.
        let unlogged = rules.filter { $0.action == .deny && !$0.disabled && $0.logging == false && !$0.name.hasPrefix("gke-") }
        let everywhere = CIDR("0.0.0.0/0")!
        let loggedDenyAllIngress = rules.contains {
            $0.action == .deny && !$0.disabled && $0.direction == .ingress && $0.logging == true
                && ($0.sourceRanges ?? []).contains(everywhere) && ($0.targetTags ?? []).isEmpty
        }
        guard !unlogged.isEmpty || !loggedDenyAllIngress else { return [] }
        var facts: [String: String] = [
            "config": "firewall-logging-off", "rules": unlogged.map(\.name).joined(separator: ","),
            "rules.count": String(unlogged.count), "implied_deny_unlogged": loggedDenyAllIngress ? "no" : "yes",
            "firewall_records": String(firewallRecords), "failure_messages": String(failureMessages),
        ]
        facts["network"] = cluster.network
        facts["project"] = cluster.project
        var quote = unlogged.isEmpty ? "" : "deny rules without logging: \(facts["rules"]!)"
        if !loggedDenyAllIngress {
            quote += (quote.isEmpty ? "" : "; ") + "ingress nothing allows falls to the implied deny, which is never logged"
        }
        return [Observation(
            kind: "config", facts: facts, location: unlogged.first?.location, source: "firewall rules", quote: quote)]
    }
}
