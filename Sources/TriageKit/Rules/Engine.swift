import Foundation

/// What a run found, ready for any renderer.
public struct Analysis: Sendable {
    public var findings: [Finding]
    public var account: RunAccount
    public var topology: Topology
    public var rulesRun: Int
    /// The rules that ran, for reports that describe them (SARIF's rule list).
    public var rules: [Rule] = []
    /// The config given: the plan re-evaluates its firewall and route steps against it, and its
    /// Config Connector and Terraform forms carry what a resource that exists has. nil: none given.
    public var config: ConfigSnapshot? = nil

    /// The highest severity among the findings.
    public var worstSeverity: Severity? { findings.map(\.severity).max() }

    /// The changes that fix the findings shown, each once, in the order they run.
    public var plan: FixPlan { FixPlan(findings: findings, config: config) }
}

/// Runs the rules over the collected evidence and merges what they match into findings.
public enum Engine {
    public static func analyse(_ collector: EvidenceCollector, topology base: Topology, rules: [Rule]) -> Analysis {
        var topology = base
        for cluster in collector.clusters { topology.addCluster(cluster) }
        infer(from: collector, into: &topology)
        // Each cluster's nodes live in its subnet's primary range: addresses there are its nodes.
        let networks = ClusterNetwork.all(config: collector.config, topology: topology)
        for network in networks {
            guard let cluster = network.cluster else { continue }
            for subnet in network.nodeSubnets {
                topology.addRange(
                    subnet.primary, role: .node, reason: "primary range of subnet \(subnet.name), where cluster \(cluster.name)'s nodes are",
                    confidence: .known, cluster: cluster.name)
            }
        }
        // The node ranges just added are each network's own subnets: the networks stand as worked out.
        topology.clusterNetworks = networks.map { network in
            var network = network
            network.configFacts = ConfigState.facts(config: collector.config, network: network)
            return network
        }
        // With several clusters each finding is about one of them: the same cause in two
        // clusters is two findings, each with that cluster's fix.
        let perCluster = topology.activeClusters.count > 1

        let firewallRules = rules.filter { $0.evidence == "firewall" }
        let primary = firewallRules.filter { !$0.fallback }
        let fallbacks = firewallRules.filter(\.fallback)
        var builders: [String: FindingBuilder] = [:]
        var order: [String] = []
        var matched = 0
        var classified: [IPAddress: RoleAssignment] = [:]
        func classify(_ ip: IPAddress) -> RoleAssignment {
            if let known = classified[ip] { return known }
            let assignment = topology.classify(ip)
            classified[ip] = assignment
            return assignment
        }

        collector.forEachFlowGroup(disposition: { FlowFacts.anyRuleAccepts(disposition: $0, firewallRules) }, topology: topology) { group in
            let facts = FlowFacts(
                group: group, source: classify(group.event.connection.srcIP),
                destination: classify(group.event.connection.destIP), topology: topology)
            var values = FlowFacts.Values(facts)
            var hits = primary.filter { $0.matches { values.matches($0) } }
            if hits.isEmpty { hits = fallbacks.filter { $0.matches { values.matches($0) } } }
            if !hits.isEmpty { matched += group.count }
            for rule in hits {
                var key = ([rule.id] + rule.groupByIndexes.map { values.value($0) ?? "-" }).joined(separator: "|")
                if perCluster, let cluster = facts.vmCluster?.clusterName { key += "|cluster=" + cluster }
                if builders.index(forKey: key) == nil {
                    builders[key] = FindingBuilder(rule: rule, key: key, first: facts)
                    order.append(key)
                }
                builders[key]!.add(facts, classify: classify)
            }
        }

        if collector.config.listed.contains(.firewallRules) {
            let model = FirewallModel(config: collector.config)
            for key in order { builders[key]!.verify(against: model, ruleCount: collector.config.firewallRules.count) }
        }
        var findings = order.map { key in
            var finding = builders[key]!.build()
            if perCluster { finding.cluster = builders[key]!.first.vmCluster?.clusterName }
            return finding
        }
        // The network model's checks join the observations read from the inputs.
        let checks = NetworkChecks.observations(for: collector, topology: topology)
        let (observed, matchedObservations) = analyseObservations(
            CapacityChecks.reclassified(collector.observations, config: collector.config, clusters: topology.clusters) + checks,
            topology: topology, rules: rules)
        findings += observed
        findings = FindingMerger.merge(findings, rules: rules)
        var present = Set(collector.observations.map(\.kind))
        if collector.account.firewallRecords > 0 { present.insert("firewall") }
        if (collector.account.evidence["firewall rules"] ?? 0) > 0 { present.insert("check") }
        if (collector.account.evidence["routes"] ?? 0) > 0 || (collector.account.evidence["DNS record sets"] ?? 0) > 0 {
            present.insert("config")
        }
        if !collector.clusters.isEmpty { present.insert("cluster") }
        let project = topology.project ?? topology.clusters.first?.project
        FindingMerger.addHints(&findings, rules: rules, project: project, present: present)
        FixReconciler.reconcile(&findings, config: collector.config, project: project)
        findings.sort {
            if $0.severity != $1.severity { return $0.severity > $1.severity }
            if $0.count != $1.count { return $0.count > $1.count }
            return $0.id < $1.id
        }
        FindingMerger.dropRepeatedSteps(&findings)
        collector.finish(matchedRecords: matched, matchedObservations: matchedObservations)
        var account = collector.account
        account.partialListings = collector.config.incomplete.map(\.rawValue).sorted()
        return Analysis(findings: findings, account: account, topology: topology, rulesRun: rules.count, rules: rules, config: collector.config)
    }

    /// Runs the rules over every observation; returns the findings and how many observations matched.
    static func analyseObservations(_ observations: [Observation], topology: Topology, rules: [Rule]) -> ([Finding], Int) {
        let now = topology.now
            ?? EvidenceClock.now(observations, wallClock: Int64(Date().timeIntervalSince1970 * 1_000_000))
        var byKind: [String: (primary: [Rule], fallback: [Rule])] = [:]
        for rule in rules where !rule.readsFirewallLogs {
            if rule.fallback { byKind[rule.evidence, default: ([], [])].fallback.append(rule) } else {
                byKind[rule.evidence, default: ([], [])].primary.append(rule)
            }
        }
        var builders: [String: ObservationFindingBuilder] = [:]
        var order: [String] = []
        var matched = 0
        // Each observation is judged once; the findings are built after, since a quote for the
        // fallback depends on whether anything else in its input was explained.
        func judged(_ observation: Observation) -> (facts: ObservationFacts, hits: [Rule], primary: Bool)? {
            guard let candidates = byKind[observation.kind] else { return nil }
            let facts = ObservationFacts(observation, topology: topology, now: now)
            let primary = candidates.primary.filter { $0.matches(facts.matches) }
            return (facts, primary.isEmpty ? candidates.fallback.filter { $0.matches(facts.matches) } : primary, !primary.isEmpty)
        }
        // Inputs in which some rule explained something: there, an error no rule explains is most
        // often that finding's own noise; elsewhere it is quoted, not dropped.
        var explainedInputs = Set<String>()
        var unexplained: [Observation] = []
        var verdicts: [(observation: Observation, facts: ObservationFacts, hits: [Rule])] = []
        for observation in latestStates(observations) {
            guard let verdict = judged(observation) else { continue }
            // An info finding (a back-off whose reason is elsewhere) explains nothing: an error
            // beside it is still quoted (enix/kube-image-keeper#511: the refused pull of a node-local
            // registry was silent beside the info of its back-off).
            if verdict.primary {
                if verdict.hits.contains(where: { $0.severity != .info }) { explainedInputs.insert(observation.location?.input ?? "") }
            } else if verdict.hits.isEmpty, let quoted = quotedAsUnexplained(observation) {
                unexplained.append(quoted)
            }
            verdicts.append((observation, verdict.facts, verdict.hits))
        }
        for quoted in unexplained where !explainedInputs.contains(quoted.location?.input ?? "") {
            if let verdict = judged(quoted) { verdicts.append((quoted, verdict.facts, verdict.hits)) }
        }
        for (observation, facts, hits) in verdicts {
            if !hits.isEmpty { matched += observation.multiplicity }
            for rule in hits {
                var key = ([rule.id] + rule.groupBy.map { facts.value($0) ?? "-" }).joined(separator: "|")
                if topology.activeClusters.count > 1, let cluster = observation.facts["cluster"] { key += "|cluster=" + cluster }
                if builders[key] == nil {
                    builders[key] = ObservationFindingBuilder(rule: rule, key: key, first: facts)
                    order.append(key)
                }
                builders[key]!.add(facts)
            }
        }
        let perCluster = topology.activeClusters.count > 1
        return (order.map { key in
            var finding = builders[key]!.build()
            if perCluster { finding.cluster = builders[key]!.first.observation.facts["cluster"] }
            return finding
        }, matched)
    }

    /// A message a recogniser knew (its class and how it failed) that no rule explains, as the
    /// unexplained error the fallback quotes: a registry's "not found" for a tag, a certificate the
    /// kubelet refused (NVIDIA/gpu-operator#1623 printed "No problems found" before). Nil for
    /// messages that did not fail and for what is already unexplained.
    static func quotedAsUnexplained(_ observation: Observation) -> Observation? {
        guard observation.kind == "message", let message = observation.facts["message"],
            message != UnexplainedError.messageClass, let failure = observation.facts["failure"],
            let quote = observation.quote, !quote.isEmpty
        else { return nil }
        var quoted = observation
        quoted.facts = ["message": UnexplainedError.messageClass, "error": TextLine.capped(quote, limit: UnexplainedError.maximumError),
                        "occurrences": observation.facts["occurrences"] ?? "1", "recognised_as": message + " (" + failure + ")"]
        for key in ["object.kind", "object.name", "object.namespace", "event.reason", "event.type"] {
            if let value = observation.facts[key] { quoted.facts[key] = value }
        }
        return quoted
    }

    /// One GKE operation seen twice (a RUNNING row in a list table, then a describe that says DONE)
    /// is one operation: its latest state stands, so an operation that has ended is not reported
    /// as stuck. Other observations pass through in order.
    static func latestStates(_ observations: [Observation]) -> [Observation] {
        var latest: [String: Int] = [:]
        func ended(_ o: Observation) -> Bool { o.facts["status"] == "DONE" || o.facts["end_time"] != nil }
        for (index, observation) in observations.enumerated() where observation.kind == "operation" {
            guard let name = observation.facts["operation"] else { continue }
            if let previous = latest[name] {
                let old = observations[previous]
                // Ended beats running; otherwise the later reading wins.
                if ended(old) && !ended(observation) { continue }
            }
            latest[name] = index
        }
        return observations.enumerated().compactMap { index, observation in
            guard observation.kind == "operation", let name = observation.facts["operation"] else { return observation }
            return latest[name] == index ? observation : nil
        }
    }

    /// Learns roles from the logs themselves: GKE VM names, and GKE's own firewall rules. Reads
    /// the compact tables, so no flow group has to be decoded for it.
    static func infer(from collector: EvidenceCollector, into topology: inout Topology) {
        collector.forEachObservedVM { address, vmName in
            if vmName.hasPrefix("gke-") { topology.addObservedNode(address, vmName: vmName) }
        }
        collector.forEachRule { details, location in
            guard let name = details.ruleName else { return }
            learn(
                fromGKERule: name, sourceRanges: details.sourceRange.compactMap(CIDR.init), targetTags: details.targetTag,
                seenIn: "logged at \(location?.description ?? "?")", into: &topology)
        }
        // GKE's own rules in the firewall rules given say the same outright.
        for rule in collector.config.firewallRules where !rule.disabled {
            learn(
                fromGKERule: rule.name, sourceRanges: rule.sourceRanges ?? [], targetTags: rule.targetTags ?? [],
                seenIn: "in the firewall rules given", into: &topology)
        }
    }

    /// GKE's `gke-CLUSTER-HASH-master` rule allows the master range to the node tag; its `-vms`
    /// and `-all` rules target the node tag too.
    static func learn(
        fromGKERule name: String, sourceRanges: [CIDR], targetTags: [String], seenIn: String, into topology: inout Topology
    ) {
        guard name.hasPrefix("gke-") else { return }
        if name.hasSuffix("-master") {
            // The rule's own cluster, when one is described: its range is that cluster's.
            let owner = topology.clusters.first { ClusterNetwork.isGKEName(name, of: $0) }?.name
            for cidr in sourceRanges where topology.masterCIDRs.allSatisfy({ $0.cidr != cidr }) {
                topology.addRange(
                    cidr, role: .controlPlane, reason: "source range of GKE's rule \(name) (\(seenIn))", confidence: .inferred,
                    cluster: owner)
            }
        }
        if name.hasSuffix("-master") || name.hasSuffix("-vms") || name.hasSuffix("-all") {
            for tag in targetTags where tag.hasPrefix("gke-") && tag.hasSuffix("-node") {
                topology.addObservedNodeTag(tag)
            }
        }
    }
}

/// Accumulates the flow groups of one finding.
struct FindingBuilder {
    let rule: Rule
    let key: String
    let first: FlowFacts
    var count = 0
    var firstSeen: Int64?
    var lastSeen: Int64?
    var sources: [Finding.Endpoint] = []
    var destinations: [Finding.Endpoint] = []
    var sourceSet = Set<IPAddress>()
    var destinationSet = Set<IPAddress>()
    var ports: [Int] = []
    var deniedBy: [Finding.DenyingRule] = []
    var examples: [Finding.Example] = []
    var inferred = false
    var moreSources = false
    var moreDestinations = false
    var sampledSources = false
    var sampledDestinations = false
    /// Distinct counts past the groups' samples (see `DistinctEstimator`).
    var sourceEstimator = DistinctEstimator()
    var destinationEstimator = DistinctEstimator()
    /// Roles and ranges over every group (not just the kept endpoints), for order-free summaries.
    var sourceRoles = Set<Role>()
    var destinationRoles = Set<Role>()
    var sourceRanges = Set<RangeKey>()
    var destinationRanges = Set<RangeKey>()

    /// A role's range, or the address itself when it has none; spelled out only when shown.
    enum RangeKey: Hashable {
        case range(CIDR)
        case address(IPAddress)

        init(_ assignment: RoleAssignment, _ ip: IPAddress) { self = assignment.range.map(RangeKey.range) ?? .address(ip) }

        /// An address as its host prefix, for address order.
        var cidr: CIDR {
            switch self {
            case .range(let cidr): return cidr
            case .address(let ip): return CIDR(network: ip, prefixLength: ip.isV4 ? 32 : 128)
            }
        }

        var description: String {
            switch self {
            case .range(let cidr): return cidr.description
            case .address(let ip): return ip.description
            }
        }
    }
    /// The first logged connection evaluated again with the proposed allow rule (when the
    /// run has the firewall rules).
    var verification: FixVerification?
    /// The rule that comes nearest to allowing the first connection, and why it does not.
    var nearest: String?
    /// The connection went to a public Google address, so the fix (Private Google Access) opens
    /// the restricted VIP, not that address: the verification evaluates egress to the VIP.
    var verifiedAgainstVIP: Bool { first.value("direction") == "EGRESS" && first.destination.role == .googlePublic }

    static let endpointLimit = 20
    static let exampleLimit = 3

    init(rule: Rule, key: String, first: FlowFacts) {
        self.rule = rule
        self.key = key
        self.first = first
    }

    /// `classify` gives the role of a sampled address (the engine's, which remembers them).
    mutating func add(_ facts: FlowFacts, classify: (IPAddress) -> RoleAssignment) {
        let group = facts.group
        count += Saturating(group.count)
        if let t = group.firstSeen, firstSeen.map({ t < $0 }) ?? true { firstSeen = t }
        if let t = group.lastSeen, lastSeen.map({ t > $0 }) ?? true { lastSeen = t }
        let event = facts.event
        func endpoint(_ ip: IPAddress, _ assignment: RoleAssignment) -> Finding.Endpoint {
            Finding.Endpoint(
                ip: ip.description, role: assignment.role, range: assignment.range?.description,
                confidence: assignment.confidence, reason: assignment.reason)
        }
        for (index, ip) in group.sources.enumerated() where sourceSet.insert(ip).inserted {
            let assignment = index == 0 ? facts.source : classify(ip)
            sourceRoles.insert(assignment.role)
            sourceRanges.insert(RangeKey(assignment, ip))
            if sources.count < Self.endpointLimit { sources.append(endpoint(ip, assignment)) }
        }
        for (index, ip) in group.destinations.enumerated() where destinationSet.insert(ip).inserted {
            let assignment = index == 0 ? facts.destination : classify(ip)
            destinationRoles.insert(assignment.role)
            destinationRanges.insert(RangeKey(assignment, ip))
            if destinations.count < Self.endpointLimit { destinations.append(endpoint(ip, assignment)) }
        }
        sourceEstimator.add(group.sources, more: group.moreSources, sketch: group.sourceSketch, seen: sourceSet)
        destinationEstimator.add(group.destinations, more: group.moreDestinations, sketch: group.destinationSketch, seen: destinationSet)
        if group.moreSources { moreSources = true }
        if group.moreDestinations { moreDestinations = true }
        if group.sampledSources { sampledSources = true }
        if group.sampledDestinations { sampledDestinations = true }
        if let port = event.connection.destPort, !ports.contains(port) { ports.append(port) }
        if let reference = event.ruleDetails.reference,
            !deniedBy.contains(where: { $0.reference == reference })
        {
            deniedBy.append(Finding.DenyingRule(
                reference: reference, name: event.ruleDetails.ruleName ?? reference, priority: event.ruleDetails.priority))
        }
        if facts.source.confidence == .inferred || facts.destination.confidence == .inferred { inferred = true }
        for example in group.examples where examples.count < Self.exampleLimit {
            let proto = FirewallEvent.protocolName(example.connection.protocolNumber)
            func hostPort(_ ip: IPAddress, _ port: Int?) -> String {
                let host = ip.isV4 ? ip.description : "[\(ip)]"
                return port.map { "\(host):\($0)" } ?? host
            }
            examples.append(Finding.Example(
                location: example.location?.description, insertID: example.insertID, timestamp: example.timestamp,
                source: hostPort(example.connection.srcIP, example.connection.srcPort),
                destination: hostPort(example.connection.destIP, example.connection.destPort), protocolName: proto,
                vmName: example.instance?.vmName, remoteLocation: example.remoteLocation?.summary))
        }
    }

    /// Evaluates the first logged connection against the firewall rules given, with and
    /// without the allow rule the remedy proposes.
    mutating func verify(against model: FirewallModel, ruleCount: Int) {
        let connection = first.event.connection
        guard let port = connection.destPort else { return }
        let direction: FirewallRule.Direction = first.value("direction") == "EGRESS" ? .egress : .ingress
        func host(_ ip: IPAddress) -> CIDR { CIDR(network: ip, prefixLength: ip.isV4 ? 32 : 128) }
        // The VM's own cluster (by its address) gives its tags and account; else the run's one cluster.
        let network = first.vmCluster
        let tags = (network?.nodeTag ?? first.topology.bestNodeTag?.tag).map { [$0] } ?? []
        let cluster = network?.cluster ?? first.topology.soleCluster
        // The VM side of a node or pod flow carries the node tags and runs as the nodes' account.
        let vmRole = direction == .ingress ? first.destination.role : first.source.role
        let onNode = [.node, .pod].contains(vmRole)
        let vip = CIDR("199.36.153.4/30")!
        let flow = FirewallModel.Flow(
            source: host(connection.srcIP), destination: verifiedAgainstVIP ? vip : host(connection.destIP),
            protocolName: FirewallEvent.protocolName(connection.protocolNumber), ports: port...port,
            direction: direction, network: first.network,
            vmTags: onNode ? tags + (cluster?.userNodeTags ?? []).filter { !tags.contains($0) } : [],
            vmServiceAccount: onNode ? ClusterNetwork.nodeServiceAccount(of: cluster, rules: model.rules) : nil)
        verification = FixVerification.verify(
            flow, priority: first.fixPriority, model: model, targetTags: tags, ruleCount: ruleCount)
        // The rule nearest to allowing it, and why it does not: the first place to look.
        let now = model.evaluate(flow)
        // Only a rule meant for these ends is worth naming: one whose ranges miss them is another rule.
        if now.verdict == .denied, let loser = now.bestLoser, verification?.change == nil,
            loser.misses.allSatisfy(Self.isNearMiss)
        {
            nearest = "\(loser.rule.name) (priority \(loser.rule.priority)) would allow it, but "
                + loser.misses.map { $0.sentence(for: flow) }.joined(separator: ", and ") + "."
        }
        if verifiedAgainstVIP, verification?.outcome == .alreadyAllowed {
            let now = model.evaluate(flow)
            verification?.sentence = "Checked against the \(ruleCount) firewall rules given: egress to the restricted VIP "
                + "\(vip) on \(flow.protocolName):\(port) is already allowed (\(now.deciderName), priority \(now.priority)), "
                + "so no firewall rule is needed. These connections went to public Google addresses: what is missing "
                + "is the DNS (and route) that sends the names to the VIP."
        }
    }

    /// A miss that a small change to the rule undoes (it is about this traffic, not other ends).
    static func isNearMiss(_ miss: FirewallModel.Miss) -> Bool {
        switch miss {
        case .disabled, .shadowed, .protocolOrPorts, .targetTags, .targetServiceAccounts, .otherNetwork: return true
        case .sourceRanges(_, let partly), .destinationRanges(_, let partly): return partly
        case .sourceTags, .otherDirection: return false
        }
    }

    /// What to run instead of a fix that would not work: see whether the denials go on (the
    /// rules already allow the flow), or look at the rule that no allow can beat.
    func followUp(_ verification: FixVerification, lookup: (String) -> String?) -> ShellCommand? {
        switch verification.outcome {
        case .works: return nil
        case .alreadyAllowed:
            // Egress to the VIP is open; the public-address denials end once DNS points at it.
            if verifiedAgainstVIP { return nil }
            let c = first.event.connection
            return Self.deniedLogCommand(project: lookup("project"), destIP: c.destIP.description, destPort: c.destPort)
        case .fails:
            guard let blocker = verification.blocker else { return nil }
            return Self.describeCommand(rule: blocker, project: lookup("project"))
        }
    }

    /// The last hour's denials of one destination, to see whether they go on.
    static func deniedLogCommand(project: String?, destIP: String, destPort: Int?) -> ShellCommand {
        var query: [ShellCommand.Part] = [
            .literal("logName=\"projects/"), project.map { .value($0, [.logfilter]) } ?? .missing("PROJECT"),
            .literal("/logs/compute.googleapis.com%2Ffirewall\" AND jsonPayload.disposition=\"DENIED\" AND jsonPayload.connection.dest_ip=\""),
            .value(destIP, [.logfilter]), .literal("\""),
        ]
        if let destPort { query.append(.literal(" AND jsonPayload.connection.dest_port=\(destPort)")) }
        return ShellCommand("gcloud logging read").adding(.argument(query)).adding(flag: "project", project, missing: "PROJECT")
            .adding(literal: "--freshness=1h").adding(literal: "--limit=5")
    }

    static func describeCommand(rule: String, project: String?) -> ShellCommand {
        ShellCommand("gcloud compute firewall-rules describe").adding(.value(rule, [])).adding(flag: "project", project, missing: "PROJECT")
    }

    /// Lists the target tags of the cluster's GKE-made master rule (`gke-CLUSTER-HASH-master`).
    static func nodeTagCommand(cluster: String?) -> ShellCommand {
        let name: ShellCommand.Part = cluster.map { .value($0, [.regex, .filter]) } ?? .literal("CLUSTER")
        return ShellCommand("gcloud compute firewall-rules list --filter")
            .adding(.literal("name~gke-"), name, .literal("-[0-9a-z]*-master"))
            .adding(literal: "--format").adding(literal: "value(targetTags)")
    }

    func findingValue(_ name: String) -> String? {
        switch name {
        case "fix.verified": return verification?.outcome.rawValue
        case "count": return String(count)
        case "first_seen": return firstSeen.map(Timestamp.formatWholeSeconds)
        case "last_seen": return lastSeen.map(Timestamp.formatWholeSeconds)
        case "sources": return Self.list(sources.map(\.ip), total: sourceSet.count, more: moreSources)
        case "destinations": return Self.list(destinations.map(\.ip), total: destinationSet.count, more: moreDestinations)
        case "src.ranges": return Self.sortedRanges(sourceRanges).joined(separator: ",")
        case "dst.ranges": return Self.sortedRanges(destinationRanges).joined(separator: ",")
        case "src.roles": return sourceRoles.sorted().map(\.phrase).map { $0 + "s" }.joined(separator: " and ")
        case "dst.roles": return destinationRoles.sorted().map(\.phrase).map { $0 + "s" }.joined(separator: " and ")
        case "dst.ports": return ports.sorted().map(String.init).joined(separator: ",")
        case "denied_by.list": return deniedBy.map(\.name).joined(separator: ", ")
        case "examples": return examples.map { "\($0.source) → \($0.destination)" }.joined(separator: "; ")
        default: return first.value(name)
        }
    }

    /// Ranges and addresses in address order, a wider range first.
    static func sortedRanges(_ keys: Set<RangeKey>) -> [String] {
        keys.map { ($0.cidr, $0.description) }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.1)
    }

    static func capitalised(_ text: String) -> String {
        guard let first = text.first, first.isLowercase else { return text }
        return first.uppercased() + text.dropFirst()
    }

    static func list(_ items: [String], total: Int, more: Bool) -> String {
        let shown = items.prefix(5)
        let rest = total - shown.count
        if more { return shown.joined(separator: ", ") + " and \(rest)+ more" }
        return shown.joined(separator: ", ") + (rest > 0 ? " and \(rest) more" : "")
    }

    func build() -> Finding {
        let lookup: (String) -> String? = { findingValue($0) }
        var facts: [String: String] = [:]
        for field in rule.groupBy { facts[field] = first.value(field) ?? "" }
        let fact: (String) -> String? = { $0 == "fix.verified" ? verification?.outcome.rawValue : first.value($0) }
        var texts = rule.remedyTexts(fact: fact, lookup: lookup)
        if let nearest { texts.notes.insert(nearest, at: 0) }
        if let verification {
            texts.notes.insert(verification.sentence, at: 0)
            if let change = verification.change {
                texts.changeExisting(change, project: lookup("project"))
            } else if verification.outcome != .works {
                // Only fixes that work are printed: drop the allow rule, keep the diagnostics.
                texts.dropFirewallOpenings()
                if let command = followUp(verification, lookup: lookup) { texts.actions.append(RemedyAction(command)) }
            }
        } else if first.event.ruleDetails.priority == 0 {
            texts.notes.append("The denying rule has priority 0, which no allow rule can beat: change or delete that rule instead.")
        }
        if first.topology.bestNodeTag?.confidence == .inferred {
            texts.notes.append("The node tag \(first.topology.bestNodeTag!.tag) is derived from the cluster id; confirm it with: \(Self.nodeTagCommand(cluster: first.topology.clusterName).rendered)")
        }
        let event = first.event
        var finding = Finding(
            id: key, rule: rule.id, severity: rule.severity, title: rule.title,
            message: Self.capitalised(rule.message.render(lookup, quoting: .prose)),
            confidence: inferred ? "inferred" : "observed", count: count, firstSeen: firstSeen.map(Timestamp.format),
            lastSeen: lastSeen.map(Timestamp.format), direction: first.value("direction"),
            protocolName: FirewallEvent.protocolName(event.connection.protocolNumber),
            port: ports.count == 1 ? ports[0] : nil, facts: facts, sources: sources, destinations: destinations,
            distinctSources: sourceSet.count, distinctDestinations: destinationSet.count,
            moreSources: moreSources, moreDestinations: moreDestinations, deniedBy: deniedBy,
            examples: examples,
            remedy: Finding.Remedy(
                why: rule.remedy.why.render(lookup, quoting: .prose), notes: texts.notes, actions: texts.actions,
                configConnector: texts.configConnector, kpt: texts.kpt, references: rule.references))
        finding.cause = rule.cause?.render(lookup)
        finding.sampledSources = sampledSources
        finding.sampledDestinations = sampledDestinations
        // Estimated only past the exact flow bound, where an end is counted per class.
        if sampledSources { finding.estimatedDistinctSources = sourceEstimator.estimate(atLeast: sourceSet.count) }
        if sampledDestinations { finding.estimatedDistinctDestinations = destinationEstimator.estimate(atLeast: destinationSet.count) }
        if let verification {
            finding.facts["fix.verified"] = verification.outcome.rawValue
            finding.facts["fix.note"] = verification.sentence
            finding.facts.merge(verification.change?.facts ?? [:]) { $1 }
        }
        finding.evidence = [Finding.EvidenceSource(
            kind: "firewall log", rule: rule.id, summary: finding.message, count: count,
            locations: examples.compactMap(\.location), quotes: [])]
        return finding
    }
}
