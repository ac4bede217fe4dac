import Foundation

public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case error, warning, info

    var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank > rhs.rank }
}

/// A rule as written in `Rules/**/*.yaml`, compiled once. A class: the engine passes rules
/// around per flow group, and copying this many fields each time showed in profiles.
public final class Rule: Sendable {
    public let id: String
    public let severity: Severity
    /// The good state, phrased as what should be true.
    public let title: String
    public let evidence: String
    public let match: [FieldPredicate]
    /// Alternatives, at least one of which must hold besides `match` (`match_any:`); empty: none.
    public let matchAny: [[FieldPredicate]]
    /// The message recognisers written in the rule (`recognise:`), for `evidence: message` rules.
    public let recognisers: [MessagePattern]
    /// Fires only for flows no other rule of the same evidence claimed.
    public let fallback: Bool
    public let groupBy: [String]
    /// What cause a finding of this rule is about, as a key: findings of any rule with the same
    /// rendered key merge into one (a webhook timeout in kubectl text, the denials in the firewall
    /// log and the missing allow rule in the config are one cause).
    public let cause: Template?
    /// `groupBy` as positions in `FlowFacts.fieldNames`.
    let groupByIndexes: [Int]
    public let message: Template
    public let remedy: Remedy
    public let references: [String]
    public let samples: Samples
    /// Where it came from (Rules/firewall/x.yaml, or a --rules path).
    public let file: String
    public let source: String

    init(
        id: String, severity: Severity, title: String, evidence: String, match: [FieldPredicate],
        matchAny: [[FieldPredicate]] = [], recognisers: [MessagePattern] = [], fallback: Bool,
        groupBy: [String], cause: Template? = nil, message: Template, remedy: Remedy, references: [String], samples: Samples, file: String,
        source: String
    ) {
        self.id = id
        self.severity = severity
        self.title = title
        self.evidence = evidence
        self.match = match
        self.matchAny = matchAny
        self.recognisers = recognisers
        self.fallback = fallback
        self.groupBy = groupBy
        self.cause = cause
        self.groupByIndexes = groupBy.map { FlowFacts.fieldIndex[$0] ?? 0 }
        self.message = message
        self.remedy = remedy
        self.references = references
        self.samples = samples
        self.file = file
        self.source = source
    }

    /// Whether a finding's facts satisfy `match` and one of `match_any` (when there are any).
    @inline(__always)
    func matches(_ holds: ([FieldPredicate]) -> Bool) -> Bool {
        holds(match) && (matchAny.isEmpty || matchAny.contains(where: holds))
    }

    /// The evidence kinds a rule can read: firewall log records, or observations of one kind.
    public static let evidenceKinds = ["firewall", "message", "operation", "cluster", "check", "config"]

    public var readsFirewallLogs: Bool { evidence == "firewall" }

    public struct Remedy: Sendable {
        public var why: Template
        public var notes: [(when: [FieldPredicate], text: Template)]
        public var commands: [(when: [FieldPredicate], text: Template)] {
            didSet { actionTemplates = commands.map { ActionTemplate($0.text) } }
        }
        /// Each command read into words once, at load time.
        var actionTemplates: [ActionTemplate]
        /// Config Connector manifests (YAML) of changes no typed command makes; the plan writes
        /// the others from the commands (`ConfigConnectorForm`).
        public var configConnector: [(when: [FieldPredicate], text: Template)] = []
        /// kpt setter commands of the Kubeflow blueprint, where one exists for the fix.
        public var kpt: [(when: [FieldPredicate], text: Template)] = []

        public init(
            why: Template, notes: [(when: [FieldPredicate], text: Template)], commands: [(when: [FieldPredicate], text: Template)],
            configConnector: [(when: [FieldPredicate], text: Template)] = [], kpt: [(when: [FieldPredicate], text: Template)] = []
        ) {
            self.why = why
            self.notes = notes
            self.commands = commands
            actionTemplates = commands.map { ActionTemplate($0.text) }
            self.configConnector = configConnector
            self.kpt = kpt
        }
    }

    /// The remedy's texts whose `when` holds for the finding's first evidence (`fact`), rendered
    /// with the finding's values (`lookup`): commands shell-quoted, manifests YAML-quoted.
    func remedyTexts(fact: (String) -> String?, lookup: (String) -> String?) -> RenderedRemedy {
        func applies(_ when: [FieldPredicate]) -> Bool { when.allSatisfy { $0.evaluate(fact($0.field)) } }
        func render(_ texts: [(when: [FieldPredicate], text: Template)], _ quoting: Template.Quoting) -> [String] {
            texts.filter { applies($0.when) }.map { $0.text.render(lookup, quoting: quoting) }
        }
        let actions = zip(remedy.commands, remedy.actionTemplates).filter { applies($0.0.when) }.map { $0.1.action(lookup) }
        return RenderedRemedy(
            notes: render(remedy.notes, .prose), actions: actions,
            configConnector: render(remedy.configConnector, .yaml), kpt: render(remedy.kpt, .shell))
    }

    struct RenderedRemedy {
        var notes: [String]
        var actions: [RemedyAction]
        var configConnector: [String]
        var kpt: [String]

        /// A rule that exists is changed (enabled, re-prioritised) instead of a new allow rule
        /// created beside it: the new rule's step goes, the change comes first.
        mutating func changeExisting(_ change: FixVerification.ExistingRuleChange, project: String?) {
            dropFirewallOpenings()
            actions.insert(change.action(project: project), at: 0)
        }

        /// Only fixes that work are printed: the allow rule goes (its manifest is the plan's, so goes with it).
        mutating func dropFirewallOpenings() {
            actions.removeAll(where: \.opensFirewall)
        }
    }

    public struct Samples: Sendable {
        public var trigger: [Sample]
        public var pass: [Sample]
    }

    public struct File: Sendable {
        public var name: String
        public var text: String
    }

    public struct Sample: Sendable {
        public var name: String
        /// Flags as `triage` takes them: master_cidr, pod_cidr, node_cidr, service_cidr, node_tag, network, project.
        public var topology: [String: [String]]
        /// NDJSON LogEntries, one per line ("" when the sample has only files).
        public var input: String
        /// Inputs in their real format (gcloud tables, kubectl text, JSON/YAML), each read as one input.
        public var files: [File] = []
        /// The findings expected, as field → value (rule, count, and any FlowFacts field).
        public var expect: [[String: String]]
        public var line: Int
    }
}

/// A test on one field of a flow.
public struct FieldPredicate: Sendable {
    public enum Test: Sendable {
        case anyOf(Set<String>)
        case noneOf(Set<String>)
        case range(Int, Int)
        case matches(String)
        case exists(Bool)
    }

    public var field: String
    public var test: Test
    /// Position of `field` in `FlowFacts.fieldNames`.
    let fieldIndex: Int

    public init(field: String, test: Test) {
        self.field = field
        self.test = test
        fieldIndex = FlowFacts.fieldIndex[field] ?? 0
    }

    /// Tests the field in a set of named facts (observations).
    public func evaluate(in facts: (String) -> String?) -> Bool { evaluate(facts(field)) }

    /// Most values are lowercase ASCII already (roles, ports); those skip the Unicode case map.
    static func lowercased(_ value: String) -> String {
        value.utf8.allSatisfy { $0 < 0x80 && !(0x41...0x5A).contains($0) } ? value : value.lowercased()
    }

    public func evaluate(_ value: String?) -> Bool {
        switch test {
        case .exists(let wanted): return (value != nil && value != "") == wanted
        case .anyOf(let set): return value.map { set.contains(Self.lowercased($0)) } ?? false
        case .noneOf(let set): return value.map { !set.contains(Self.lowercased($0)) } ?? true
        case .range(let low, let high): return value.flatMap(Int.init).map { $0 >= low && $0 <= high } ?? false
        case .matches(let pattern):
            guard let value else { return false }
            return value.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
        }
    }
}
