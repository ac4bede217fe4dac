import Foundation

/// Evaluates a flow against VPC firewall rules as VPC does: rules of the flow's direction that
/// apply to the VM, the lowest priority number wins, a deny beats an allow at equal priority,
/// disabled rules do not exist, and when nothing matches the implied rules decide (deny
/// ingress, allow egress, both at 65535). The implied rules are never logged by firewall rules
/// logging, so a flow they deny leaves no log entry at all.
///
/// Firewall policies' rules (`FirewallRule.policy`) are evaluated with them in Cloud NGFW's order
/// (https://cloud.google.com/firewall/docs/firewall-policies-rule-eval-order): hierarchical
/// policies from the organization down, then the VPC firewall rules and the network's global and
/// regional policies (the policies first when the network's enforcement order is
/// BEFORE_CLASSIC_FIREWALL), then the implied rules. Each is a tier: the first matching rule of
/// the first tier with one decides, except that `goto_next` ends its tier and goes on.
///
/// For a GKE private cluster the control plane sits in a Google-managed VPC peered with the
/// cluster's; its traffic to nodes and pods is governed by the INGRESS rules on the node side,
/// which is why control plane → node checks are ingress flows targeting the node tag.
public struct FirewallModel: Sendable {
    public let rules: [FirewallRule]
    /// The rules in VPC's order, for deciding without explaining; boxed so the hot loop reads
    /// a rule in place instead of copying it (a dozen retains each).
    private let ordered: [Boxed]

    private final class Boxed: Sendable {
        let rule: FirewallRule
        let tier: Int
        /// Read once here, not per flow: the rule has matchers triage cannot evaluate.
        let opaquePeers: Bool
        let secureTargets: Bool
        init(_ rule: FirewallRule, tier: Int) {
            self.rule = rule
            self.tier = tier
            opaquePeers = !rule.opaquePeers.isEmpty
            secureTargets = !rule.targetSecureTags.isEmpty
        }
    }
    private let hasPartialRules: Bool
    /// Networks whose firewall policies come before their VPC firewall rules.
    public let policiesBeforeClassic: Set<String>

    public init(rules: [FirewallRule], policiesBeforeClassic: Set<String> = []) {
        self.rules = rules
        self.policiesBeforeClassic = policiesBeforeClassic
        ordered = rules.filter { !$0.disabled }.map { Boxed($0, tier: Self.tier(of: $0, policiesBeforeClassic)) }
            .sorted { a, b in a.tier != b.tier ? a.tier < b.tier : Self.precedes(a.rule, b.rule) }
        // Rules triage cannot match in full make `decide` explain, which tells what is unknown.
        hasPartialRules = rules.contains { $0.isPartial || $0.hasOpaqueMatchers }
    }

    /// The VPC firewall rules and the firewall policies of the config, in its networks' order.
    public init(config: ConfigSnapshot) {
        self.init(
            rules: config.firewallRules + config.firewallPolicyRules,
            policiesBeforeClassic: Set(config.networks.filter(\.policiesBeforeClassic).map(\.name)))
    }

    /// Where a rule stands in the evaluation order (lower first): hierarchical policies 0-9 by
    /// depth, then the VPC rules and the network's global and regional policies, 20-22 in the
    /// network's enforcement order.
    static func tier(of rule: FirewallRule, _ policiesBeforeClassic: Set<String>) -> Int {
        let policiesFirst = rule.network.map(policiesBeforeClassic.contains) ?? false
        guard let policy = rule.policy else { return policiesFirst ? 22 : 20 }
        switch policy.kind {
        case .hierarchical: return min(policy.depth, 9)
        case .network: return policiesFirst ? 20 : 21
        case .regional: return policiesFirst ? 21 : 22
        }
    }

    func tier(_ rule: FirewallRule) -> Int { Self.tier(of: rule, policiesBeforeClassic) }

    /// The evaluation order across tiers, then VPC's order within one.
    func precedes(_ a: FirewallRule, _ b: FirewallRule) -> Bool {
        let ta = tier(a), tb = tier(b)
        return ta != tb ? ta < tb : Self.precedes(a, b)
    }

    /// Whether a VPC allow rule on `network` is evaluated before `rule` (so one can override it).
    public func vpcRulesPrecede(_ rule: FirewallRule, network: String?) -> Bool {
        guard rule.policy != nil else { return true }
        return Self.tier(of: FirewallRule(name: "vpc", network: network), policiesBeforeClassic) < tier(rule)
    }

    /// The verdict and the deciding rule (nil: implied), without the explanation: the first
    /// matching rule in VPC's order decides. Much cheaper than `evaluate` when many flows are
    /// checked against many rules.
    public func decide(_ flow: Flow) -> (verdict: Verdict, rule: FirewallRule?) {
        if hasPartialRules {
            let evaluation = evaluate(flow)
            return (evaluation.verdict, evaluation.rule)
        }
        var skippedTier = -1
        for boxed in ordered where boxed.tier != skippedTier && boxed.rule.direction == flow.direction
            && quickMatch(boxed, flow) == .matches
        {
            // goto_next: the rest of this policy's tier has no say.
            if boxed.rule.action == .goToNext {
                skippedTier = boxed.tier
                continue
            }
            return (boxed.rule.action == .allow ? .allowed : .denied, boxed.rule)
        }
        return (flow.direction == .ingress ? .denied : .allowed, nil)
    }

    /// The model with one more rule: how a proposed fix is checked before it is printed.
    public func adding(_ rule: FirewallRule) -> FirewallModel {
        FirewallModel(rules: rules + [rule], policiesBeforeClassic: policiesBeforeClassic)
    }

    /// A connection attempt. The VM side is the destination for ingress and the source for
    /// egress: its tags and service account select the rules that apply.
    public struct Flow: Sendable {
        public var source: CIDR
        public var destination: CIDR
        public var protocolName: String
        /// nil for protocols without ports; a range when every port in it must pass.
        public var ports: ClosedRange<Int>?
        public var direction: FirewallRule.Direction
        public var network: String?
        /// Network tags and service account of the VM the rule applies to.
        public var vmTags: [String]
        public var vmServiceAccount: String?
        /// For ingress from another VM's primary address: that VM's tags and service account
        /// (source tags never match alias ranges, so pods and the control plane have none).
        public var sourceTags: [String]
        public var sourceServiceAccount: String?

        public init(
            source: CIDR, destination: CIDR, protocolName: String, ports: ClosedRange<Int>?,
            direction: FirewallRule.Direction, network: String? = nil, vmTags: [String] = [],
            vmServiceAccount: String? = nil, sourceTags: [String] = [], sourceServiceAccount: String? = nil
        ) {
            self.source = source
            self.destination = destination
            self.protocolName = ProtocolPorts.canonical(protocolName)
            self.ports = ports
            self.direction = direction
            self.network = network
            self.vmTags = vmTags
            self.vmServiceAccount = vmServiceAccount
            self.sourceTags = sourceTags
            self.sourceServiceAccount = sourceServiceAccount
        }

        public var portText: String {
            guard let ports else { return protocolName }
            return FirewallModel.portText(ports)
        }
    }

    /// "443" or "1-1000", as gcloud writes ports.
    public static func portText(_ ports: ClosedRange<Int>) -> String {
        ports.lowerBound == ports.upperBound ? "\(ports.lowerBound)" : "\(ports.lowerBound)-\(ports.upperBound)"
    }

    /// Why a rule did not decide the flow.
    public enum Miss: Sendable, Equatable {
        case otherDirection
        case otherNetwork(String)
        case disabled
        case protocolOrPorts(String)
        case targetTags([String])
        case targetServiceAccounts([String])
        case sourceRanges([CIDR], partly: Bool)
        case sourceTags([String])
        case destinationRanges([CIDR], partly: Bool)
        /// It matches, but a rule with a better priority (or a deny at the same one) decided first.
        case shadowed(by: String, priority: Int)

        /// A short code rules can match on.
        public var code: String {
            switch self {
            case .otherDirection: return "direction"
            case .otherNetwork: return "network"
            case .disabled: return "disabled"
            case .protocolOrPorts: return "ports"
            case .targetTags: return "target-tags"
            case .targetServiceAccounts: return "target-service-accounts"
            case .sourceRanges: return "source-ranges"
            case .sourceTags: return "source-tags"
            case .destinationRanges: return "destination-ranges"
            case .shadowed: return "shadowed"
            }
        }

        public func sentence(for flow: Flow) -> String {
            switch self {
            case .otherDirection: return "it is for the other direction"
            case .otherNetwork(let network): return "it is on network \(network), not \(flow.network ?? "the flow's network")"
            case .disabled: return "it is disabled"
            case .protocolOrPorts(let allowed):
                return "it covers \(allowed), not \(flow.protocolName):\(flow.portText)"
            case .targetTags(let tags):
                return "it targets tags \(tags.joined(separator: ",")), which the VMs lack (they have \(flow.vmTags.isEmpty ? "no tags" : flow.vmTags.joined(separator: ",")))"
            case .targetServiceAccounts(let accounts):
                return "it targets service accounts \(accounts.joined(separator: ",")), not the VMs' \(flow.vmServiceAccount ?? "(unknown)")"
            case .sourceRanges(let ranges, let partly):
                return partly
                    ? "its source ranges \(ranges.map(\.description).joined(separator: ",")) cover only part of \(flow.source)"
                    : "its source ranges \(ranges.map(\.description).joined(separator: ",")) miss \(flow.source)"
            case .sourceTags(let tags):
                return "it matches source tags \(tags.joined(separator: ",")), which \(flow.source) does not carry (source tags never match pods or the control plane)"
            case .destinationRanges(let ranges, let partly):
                return partly
                    ? "its destination ranges \(ranges.map(\.description).joined(separator: ",")) cover only part of \(flow.destination)"
                    : "its destination ranges \(ranges.map(\.description).joined(separator: ",")) miss \(flow.destination)"
            case .shadowed(let name, let priority):
                // A policy rule's name already says its priority.
                if name.hasPrefix("firewall policy ") { return "\(name) decides first" }
                return "it is shadowed by \(name) at priority \(priority)"
            }
        }
    }

    /// A rule's answer for one flow.
    enum Match: Equatable {
        case matches
        case misses([Miss])
        /// The rule was read from a table and the field that decides is not shown.
        case unknown(String)
    }

    public enum Verdict: String, Sendable {
        case allowed, denied
        /// A table-read rule could decide, but the table does not show whether it applies.
        case undetermined
    }

    public struct Evaluation: Sendable {
        public var flow: Flow
        public var verdict: Verdict
        /// The deciding rule; nil when an implied rule decided.
        public var rule: FirewallRule?
        /// The priority that decided (65535 for the implied rules).
        public var priority: Int
        /// Rules that would have given the other verdict, each with why it did not.
        public var losers: [Loser]
        /// For `.undetermined`: the rules whose hidden fields decide, and which field.
        public var unknowns: [(rule: FirewallRule, field: String)]

        public var decidedByImplied: Bool { rule == nil && verdict != .undetermined }
        public var deciderName: String { rule?.name ?? (flow.direction == .ingress ? "implied deny ingress" : "implied allow egress") }

        /// The loser most worth telling: the one nearest to applying (fewest misses), then one
        /// that lost only to priority, then by the kind of miss, then one naming the port.
        public var bestLoser: Loser? {
            // Among equals, a rule that names the flow's port was written for this traffic.
            let flow = flow
            func named(_ rule: FirewallRule) -> Int {
                rule.permissions.contains { p in
                    p.covers(protocol: flow.protocolName, ports: flow.ports) && !p.ports.isEmpty && !p.ports.contains(1...65535)
                } ? 0 : 1
            }
            return losers.min { a, b in
                (a.misses.count, a.rank, named(a.rule), a.rule.priority) < (b.misses.count, b.rank, named(b.rule), b.rule.priority)
            }
        }
    }

    /// A rule that would have given the other verdict, and every reason it did not.
    public struct Loser: Sendable {
        public var rule: FirewallRule
        public var misses: [Miss]
        /// The reason to tell first.
        public var miss: Miss { misses.min { Self.rank($0) < Self.rank($1) }! }

        var rank: Int { Self.rank(miss) }

        static func rank(_ miss: Miss) -> Int {
            switch miss {
            case .shadowed: return 0
            case .disabled: return 1
            case .protocolOrPorts: return 2
            case .sourceRanges, .destinationRanges, .sourceTags: return 3
            case .targetTags, .targetServiceAccounts: return 4
            case .otherNetwork: return 5
            case .otherDirection: return 6
            }
        }
    }

    public func evaluate(_ flow: Flow) -> Evaluation {
        var matching: [FirewallRule] = []
        var unknown: [(FirewallRule, String)] = []
        var misses: [(FirewallRule, [Miss])] = []
        for rule in rules {
            switch match(rule, flow) {
            case .matches: matching.append(rule)
            case .misses([.otherDirection]): continue
            case .misses(let found): misses.append((rule, found))
            case .unknown(let field): unknown.append((rule, field))
            }
        }
        let ordered = matching.sorted { precedes($0, $1) }
        // The first matching rule decides, but a goto_next hands its tier's turn on.
        var skippedBy: [Int: FirewallRule] = [:]
        var deciderIndex: Int?
        for (index, rule) in ordered.enumerated() where skippedBy[tier(rule)] == nil {
            if rule.action == .goToNext {
                skippedBy[tier(rule)] = rule
                continue
            }
            deciderIndex = index
            break
        }
        let decider = deciderIndex.map { ordered[$0] }
        let priority = decider?.priority ?? 65535
        let verdict: Verdict = decider.map { $0.action == .allow ? .allowed : .denied }
            ?? (flow.direction == .ingress ? .denied : .allowed)
        // A rule triage cannot match in full (table-read, secure tags, FQDNs…) that comes first
        // and would change the outcome makes the answer unknowable without it.
        let deciding = unknown.filter { rule, _ in
            if let by = skippedBy[tier(rule)], precedes(by, rule) { return false }
            if let decider, !precedes(rule, decider) { return false }
            switch rule.action {
            case .goToNext: return decider.map { tier($0) == tier(rule) } ?? false
            case .allow: return verdict != .allowed
            case .deny: return verdict == .allowed
            }
        }
        var losers: [Loser] = []
        let wanted: FirewallRule.Action = verdict == .allowed ? .deny : .allow
        for (index, rule) in ordered.enumerated() where rule.action == wanted && index != deciderIndex {
            let by = skippedBy[tier(rule)].flatMap { precedes($0, rule) ? $0 : nil } ?? decider
            guard let by else { continue }
            losers.append(Loser(rule: rule, misses: [.shadowed(by: by.name, priority: by.priority)]))
        }
        for (rule, found) in misses where rule.action == wanted { losers.append(Loser(rule: rule, misses: found)) }
        return Evaluation(
            flow: flow, verdict: deciding.isEmpty ? verdict : .undetermined, rule: decider, priority: priority,
            losers: losers, unknowns: deciding.map { (rule: $0.0, field: $0.1) })
    }

    /// The flow's ports split where any rule that could apply starts or stops covering them,
    /// each part evaluated on its own (within a part every rule covers all of it or none, so
    /// the verdict is exact), and neighbouring parts with the same verdict and decider merged:
    /// a deny on tcp:1-1000 shows as tcp:1-1000 denied and the rest allowed, where `evaluate`
    /// (which needs every port to pass for a rule to count) would pass it over. A flow without
    /// ports gives one evaluation, `evaluate`'s.
    public func evaluateRanges(_ flow: Flow) -> [Evaluation] {
        guard let tested = flow.ports else { return [evaluate(flow)] }
        var anyPort = flow
        anyPort.ports = nil
        var cuts: Set<Int> = [tested.lowerBound, tested.upperBound + 1]
        // Only rules that could decide cut: enabled, this direction, matching on all but the ports.
        for boxed in ordered where boxed.rule.direction == flow.direction && quickMatch(boxed, anyPort) != .misses([]) {
            for permission in boxed.rule.permissions where permission.hasPorts && permission.protocolName == flow.protocolName {
                for range in permission.ports {
                    if tested.contains(range.lowerBound) { cuts.insert(range.lowerBound) }
                    if tested.contains(range.upperBound + 1) { cuts.insert(range.upperBound + 1) }
                }
            }
        }
        let bounds = cuts.sorted()
        var parts: [[Evaluation]] = []
        for (lower, next) in zip(bounds, bounds.dropFirst()) {
            var part = flow
            part.ports = lower...(next - 1)
            let evaluation = evaluate(part)
            if let last = parts.last?.last, Self.sameOutcome(last, evaluation) {
                parts[parts.count - 1].append(evaluation)
            } else {
                parts.append([evaluation])
            }
        }
        return parts.map(Self.merged)
    }

    /// Whether two neighbouring parts of a range can be told as one. Undetermined parts merge
    /// whichever hidden rules make them so: the answer for all of them is the full listing.
    private static func sameOutcome(_ a: Evaluation, _ b: Evaluation) -> Bool {
        a.verdict == b.verdict && a.rule?.name == b.rule?.name && a.priority == b.priority
            && (a.verdict == .undetermined || a.unknowns.map(\.rule.name) == b.unknowns.map(\.rule.name))
    }

    /// Parts with the same outcome as one evaluation over their whole range. A rule that would
    /// have given the other verdict keeps its nearest reasons from any part, plus "its ports"
    /// when it does not cover the whole merged range.
    private static func merged(_ parts: [Evaluation]) -> Evaluation {
        guard parts.count > 1, let first = parts.first, let last = parts.last,
            let lower = first.flow.ports?.lowerBound, let upper = last.flow.ports?.upperBound
        else { return parts[0] }
        var whole = first
        whole.flow.ports = lower...upper
        for part in parts.dropFirst() {
            for unknown in part.unknowns where !whole.unknowns.contains(where: { $0.rule.name == unknown.rule.name }) {
                whole.unknowns.append(unknown)
            }
        }
        var order: [String] = []
        var best: [String: Loser] = [:]
        for part in parts {
            // Nearest: a part whose ports the rule covers, then the fewest reasons.
            func distance(_ loser: Loser) -> (Int, Int) { (loser.misses.contains { $0.code == "ports" } ? 1 : 0, loser.misses.count) }
            for loser in part.losers {
                if let known = best[loser.rule.name] {
                    if distance(loser) < distance(known) { best[loser.rule.name] = loser }
                } else {
                    order.append(loser.rule.name)
                    best[loser.rule.name] = loser
                }
            }
        }
        whole.losers = order.map { name in
            var loser = best[name]!
            let onlyPorts = loser.misses.allSatisfy { $0.code == "ports" }
            if !onlyPorts { loser.misses.removeAll { $0.code == "ports" } }
            if !onlyPorts, !loser.rule.permissions.contains(where: { $0.covers(protocol: whole.flow.protocolName, ports: whole.flow.ports) }) {
                loser.misses.append(.protocolOrPorts(loser.rule.permissionsText.isEmpty ? "nothing" : loser.rule.permissionsText))
            }
            return loser
        }
        return whole
    }

    /// VPC's order: lower priority number first; at equal priority a deny first.
    static func precedes(_ a: FirewallRule, _ b: FirewallRule) -> Bool {
        if a.priority != b.priority { return a.priority < b.priority }
        return a.action == .deny && b.action == .allow
    }

    /// `explain: false` stops at the first miss and names none of them.
    func match(_ rule: FirewallRule, _ flow: Flow, explain: Bool = true) -> Match {
        if rule.direction != flow.direction { return .misses([.otherDirection]) }
        if !explain {
            return quickMatch(Boxed(rule, tier: tier(rule)), flow)
        }
        // Every way the rule misses, not only the first, so the loser nearest to applying
        // (one miss) can be told from one that misses on everything.
        var misses: [Miss] = []
        if let ruleNetwork = rule.network, let network = flow.network, ruleNetwork != network {
            misses.append(.otherNetwork(ruleNetwork))
        }
        if rule.disabled { misses.append(.disabled) }
        if !rule.permissions.contains(where: { $0.covers(protocol: flow.protocolName, ports: flow.ports) }) {
            misses.append(.protocolOrPorts(rule.permissionsText.isEmpty ? "nothing" : rule.permissionsText))
        }
        // A table shows network, direction, priority, ports and disabled, not ranges, tags or
        // service accounts: a table-read rule that passes the visible checks may or may not apply.
        if rule.isPartial { return misses.isEmpty ? .unknown("ranges, tags and service accounts") : .misses(misses) }
        // Targets: tags or service accounts of the VM; none means every VM in the network.
        if let tags = rule.targetTags, !tags.isEmpty, !tags.contains(where: flow.vmTags.contains) {
            misses.append(.targetTags(tags))
        }
        var unknownAccount = false
        if let accounts = rule.targetServiceAccounts, !accounts.isEmpty {
            if let account = flow.vmServiceAccount {
                if !accounts.contains(account) { misses.append(.targetServiceAccounts(accounts)) }
            } else {
                unknownAccount = true
            }
        }
        // Secure tags, FQDNs and the like: a rule using them may apply where its ranges do not.
        let opaque = !rule.opaquePeers.isEmpty
        var unknownPeer = false
        switch flow.direction {
        case .ingress:
            // Sources are ORed: a range, a tag or a service account is enough.
            let ranges = rule.sourceRanges ?? []
            let tags = rule.sourceTags ?? []
            let accounts = rule.sourceServiceAccounts ?? []
            let anySource = ranges.isEmpty && tags.isEmpty && accounts.isEmpty && !opaque
            let byRange = ranges.contains { $0.contains(flow.source) }
            let byTag = tags.contains(where: flow.sourceTags.contains)
            let byAccount = flow.sourceServiceAccount.map(accounts.contains) ?? false
            if !(anySource || byRange || byTag || byAccount) {
                if opaque {
                    unknownPeer = true
                } else if !ranges.isEmpty {
                    let partly = ranges.contains { $0.contains(flow.source.network) || flow.source.contains($0) }
                    misses.append(.sourceRanges(ranges, partly: partly))
                } else {
                    misses.append(.sourceTags(tags + accounts))
                }
            }
            if let destinations = rule.destinationRanges, !destinations.isEmpty,
                !destinations.contains(where: { $0.contains(flow.destination) })
            {
                let partly = destinations.contains { flow.destination.contains($0) }
                misses.append(.destinationRanges(destinations, partly: partly))
            }
        case .egress:
            let destinations = rule.destinationRanges ?? []
            if !destinations.isEmpty || opaque, !destinations.contains(where: { $0.contains(flow.destination) }) {
                if opaque {
                    unknownPeer = true
                } else {
                    let partly = destinations.contains { flow.destination.contains($0) || $0.contains(flow.destination.network) }
                    misses.append(.destinationRanges(destinations, partly: partly))
                }
            }
            if let sources = rule.sourceRanges, !sources.isEmpty, !sources.contains(where: { $0.contains(flow.source) }) {
                misses.append(.sourceRanges(sources, partly: sources.contains { flow.source.contains($0) }))
            }
        }
        if !misses.isEmpty { return .misses(misses) }
        if !rule.targetSecureTags.isEmpty { return .unknown("target secure tags") }
        if unknownPeer { return .unknown(rule.opaquePeers.joined(separator: ", ")) }
        return unknownAccount ? .unknown("the VMs' service account") : .matches
    }

    /// `match` without the explanation: no arrays, no text, first miss ends it.
    private func quickMatch(_ boxed: Boxed, _ flow: Flow) -> Match {
        let rule = boxed.rule
        if let ruleNetwork = rule.network, let network = flow.network, ruleNetwork != network { return .misses([]) }
        if rule.disabled { return .misses([]) }
        if !rule.permissions.contains(where: { $0.covers(protocol: flow.protocolName, ports: flow.ports) }) { return .misses([]) }
        if rule.isPartial { return .unknown("ranges, tags and service accounts") }
        if let tags = rule.targetTags, !tags.isEmpty, !tags.contains(where: flow.vmTags.contains) { return .misses([]) }
        if let accounts = rule.targetServiceAccounts, !accounts.isEmpty {
            guard let account = flow.vmServiceAccount else { return .unknown("the VMs' service account") }
            if !accounts.contains(account) { return .misses([]) }
        }
        let opaque = boxed.opaquePeers
        var unknownPeer = false
        switch flow.direction {
        case .ingress:
            let ranges = rule.sourceRanges ?? []
            let tags = rule.sourceTags ?? []
            let accounts = rule.sourceServiceAccounts ?? []
            let anySource = ranges.isEmpty && tags.isEmpty && accounts.isEmpty && !opaque
            if !(anySource || ranges.contains(where: { $0.contains(flow.source) })
                || tags.contains(where: flow.sourceTags.contains)
                || (flow.sourceServiceAccount.map(accounts.contains) ?? false))
            {
                if !opaque { return .misses([]) }
                unknownPeer = true
            }
            if let destinations = rule.destinationRanges, !destinations.isEmpty,
                !destinations.contains(where: { $0.contains(flow.destination) })
            {
                return .misses([])
            }
        case .egress:
            let destinations = rule.destinationRanges ?? []
            if !destinations.isEmpty || opaque, !destinations.contains(where: { $0.contains(flow.destination) }) {
                if !opaque { return .misses([]) }
                unknownPeer = true
            }
            if let sources = rule.sourceRanges, !sources.isEmpty, !sources.contains(where: { $0.contains(flow.source) }) {
                return .misses([])
            }
        }
        if boxed.secureTargets || unknownPeer { return .unknown("secure tags or other matchers") }
        return .matches
    }
}
