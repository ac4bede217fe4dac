import Foundation

/// A message recogniser written as data, in a rule's `recognise:` list: a regular expression whose
/// named captures become facts, optional further patterns that add facts when they match, the
/// constant facts it sets, and which facts the shared vocabulary of error text (`ErrorText`) should
/// add. Adding a failure class is then one rule file: recogniser, rule and samples together.
///
///     recognise:
///       - pattern: 'No SSH tunnels currently open'
///         extract: ['ssh-key for user "(?<user>[^"]+)"']
///         facts: {message: ssh-tunnels-down, failure: timeout, port: "22"}
///         samples:
///           - text: 'Error from server: … No SSH tunnels currently open. …'
///             facts: {message: ssh-tunnels-down, port: "22"}
/// A class: a line is tried against every recogniser, and copying a struct of this many references
/// for each try cost a quarter of the text path (retains and releases).
public final class MessagePattern: @unchecked Sendable {  // immutable once made (NSRegularExpression too)
    /// Where it was written (`Rules/kubectl/x.yaml:12`), for messages about it.
    public let origin: String
    public let pattern: String
    let regex: NSRegularExpression
    let extracts: [NSRegularExpression]
    /// The named captures of `regex` and of each extract, read once from the patterns.
    let captureNamesOfRegex: [String]
    let captureNamesOfExtracts: [[String]]
    /// Captures a fact's template uses: they land in that fact only.
    let referencedCaptures: Set<String>
    /// Constant facts; a value may hold `{capture}` to copy a named capture.
    public let facts: [String: String]
    public let derive: [Derivation]
    /// Facts that must be known at the end, or the text is not this message.
    public let require: [String]
    /// Lower-case words one of which every matching text holds (from the pattern, or given).
    public let keywords: [String]
    let keywordBytes: [[UInt8]]
    public let scopes: Set<Scope>
    public let samples: [Sample]

    /// What the shared vocabulary of error text adds, when the text has it and the facts do not.
    public enum Derivation: String, Sendable, CaseIterable {
        /// `failure`: how a connection or request failed (`ErrorText.failure`).
        case failure
        /// `ip` and `port` of the first `dial tcp IP:PORT`; `host` of a failed DNS lookup.
        case dial
        /// `host`, `path` and `service_port` of the first URL.
        case url
        /// `project` from `projects/P`, `project "P"`, `project=P`.
        case project
    }

    /// Where a recogniser applies: pasted and kubectl text (lines, events, conditions,
    /// annotations), the message fields of Cloud Logging entries, or GKE's own errors (a failed
    /// operation's message, a cluster's or node pool's status message and conditions, a line that
    /// relays one). The first two set `message`, the class message rules match; `operation` sets
    /// `cause`, which the operation and cluster rules match.
    public enum Scope: String, Sendable, CaseIterable {
        case text, log, operation
    }

    public struct Sample: Sendable {
        public var text: String
        /// The facts the text must give (a subset of what it gives); empty: it must not match.
        public var facts: [String: String]
        public var line: Int?
    }

    public enum Problem: Error, Equatable {
        case badPattern(String, String)
        case noKeyword(String)
        case unknownCapture(String)
    }

    public init(
        origin: String, pattern: String, extract: [String] = [], facts: [String: String], derive: [Derivation] = [],
        require: [String] = [], keywords: [String]? = nil, scopes: Set<Scope> = Set(Scope.allCases), samples: [Sample] = []
    ) throws(Problem) {
        func compile(_ source: String) throws(Problem) -> NSRegularExpression {
            do { return try NSRegularExpression(pattern: source) } catch {
                throw .badPattern(source, "not a valid regular expression")
            }
        }
        self.origin = origin
        self.pattern = pattern
        regex = try compile(pattern)
        extracts = try extract.map { source throws(Problem) in try compile(source) }
        captureNamesOfRegex = Self.captureNames(pattern)
        captureNamesOfExtracts = extract.map(Self.captureNames)
        let captures = Set(captureNamesOfRegex + captureNamesOfExtracts.flatMap { $0 })
        referencedCaptures = Set(facts.values.flatMap(Self.references))
        for name in referencedCaptures where !captures.contains(name) { throw .unknownCapture(name) }
        self.facts = facts
        self.derive = derive
        self.require = require
        let words = keywords?.map { $0.lowercased() } ?? PatternKeywords.required(in: pattern)
        guard let words, !words.isEmpty, words.allSatisfy({ $0.utf8.count >= 3 }) else { throw .noKeyword(pattern) }
        self.keywords = words
        keywordBytes = words.map { Array($0.utf8) }
        self.scopes = scopes
        self.samples = samples
    }

    /// Whether the lower-cased text holds one of the keywords (the cheap test before the regex).
    func mayMatch(_ lowercased: UnsafeBufferPointer<UInt8>) -> Bool {
        keywordBytes.contains { TextSearch.find($0, in: lowercased) }
    }

    /// The facts of `text`, or nil when it is not this message.
    public func recognise(_ text: String) -> [String: String]? {
        let whole = NSRange(text.startIndex..., in: text)
        guard let match = regex.firstMatch(in: text, range: whole) else { return nil }
        var captured: [String: String] = [:]
        Self.collect(match, names: captureNamesOfRegex, in: text, into: &captured)
        for (extract, names) in zip(extracts, captureNamesOfExtracts) {
            if let found = extract.firstMatch(in: text, range: whole) { Self.collect(found, names: names, in: text, into: &captured) }
        }
        // A capture a fact's template uses lands in that fact only (ICU names cannot hold `_`).
        var result = captured.filter { !referencedCaptures.contains($0.key) }
        for (name, value) in facts {
            let filled = Self.fill(value, captured)
            if filled.isEmpty { result.removeValue(forKey: name) } else { result[name] = filled }
        }
        for derivation in derive { Self.derive(derivation, from: text, into: &result) }
        guard require.allSatisfy({ result[$0].map { !$0.isEmpty } ?? false }) else { return nil }
        return result
    }

    /// Named captures that took part in the match, first one wins.
    static func collect(_ match: NSTextCheckingResult, names: [String], in text: String, into facts: inout [String: String]) {
        for name in names where facts[name] == nil {
            let range = match.range(withName: name)
            guard range.location != NSNotFound, let swiftRange = Range(range, in: text) else { continue }
            let value = String(text[swiftRange])
            if !value.isEmpty { facts[name] = value }
        }
    }

    static func derive(_ derivation: Derivation, from text: String, into facts: inout [String: String]) {
        func set(_ name: String, _ value: String?) {
            if facts[name] == nil, let value, !value.isEmpty { facts[name] = value }
        }
        switch derivation {
        case .failure: set("failure", ErrorText.failure(in: text))
        case .dial:
            if let dial = ErrorText.dial(in: text) {
                set("ip", dial.ip)
                set("port", dial.port)
                set("host", dial.lookup)
            }
        case .url:
            if let url = ErrorText.url(in: text) {
                set("host", url.host)
                set("path", url.path)
                set("service_port", url.port)
            }
        case .project: set("project", ErrorText.project(in: text))
        }
    }

    /// `(?<name>` groups in a pattern.
    static func captureNames(_ pattern: String) -> [String] {
        var names: [String] = []
        var rest = pattern[...]
        while let open = rest.range(of: "(?<") {
            rest = rest[open.upperBound...]
            // `(?<=` and `(?<!` are look-behinds, not names.
            guard let first = rest.first, first.isLetter else { continue }
            let name = rest.prefix { $0.isLetter || $0.isNumber }
            if rest.dropFirst(name.count).first == ">" { names.append(String(name)) }
        }
        return names
    }

    static func references(in value: String) -> [String] {
        var names: [String] = []
        var rest = value[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    static func fill(_ value: String, _ captured: [String: String]) -> String {
        guard value.contains("{") else { return value }
        var result = value
        for name in references(in: value) { result = result.replacingOccurrences(of: "{\(name)}", with: captured[name] ?? "") }
        return result
    }
}

/// The data recognisers of a set of rules, in rule order, with their keywords for the prefilter.
public struct MessagePatterns: Sendable {
    public let patterns: [MessagePattern]
    /// The operation causes some rule explains (its `match: {cause: …}`): a line that another
    /// message wraps (Config Connector's UpdateFailed, a tool's error) is also read as the GKE
    /// operation it relays when its cause is one of these.
    public let explainedCauses: Set<String>

    public init(_ patterns: [MessagePattern], explainedCauses: Set<String> = []) {
        self.patterns = patterns
        self.explainedCauses = explainedCauses
    }

    public init(rules: [Rule]) {
        var causes = Set<String>()
        for rule in rules where rule.evidence == "operation" {
            for predicate in rule.match where predicate.field == "cause" {
                if case .anyOf(let values) = predicate.test { causes.formUnion(values) }
            }
        }
        self.init(rules.flatMap(\.recognisers), explainedCauses: causes)
    }

    /// The recognisers in force while an input is read: the collector binds its own (with
    /// `--rules`, the user's too) around each read, so readers deep in the input path need no
    /// parameter for them; elsewhere the built-in ones.
    @TaskLocal public static var current: MessagePatterns = .builtIn

    /// The built-in rules' recognisers (loaded once, with the rules).
    public static let builtIn: MessagePatterns = {
        (try? RuleLoader.builtIn()).map { MessagePatterns(rules: $0) } ?? MessagePatterns([])
    }()

    /// The facts of the first recogniser for `scope` that matches, or nil.
    func recognise(_ text: String, lowercased: UnsafeBufferPointer<UInt8>, scope: MessagePattern.Scope) -> [String: String]? {
        for pattern in patterns where pattern.scopes.contains(scope) && pattern.mayMatch(lowercased) {
            if let facts = pattern.recognise(text) { return facts }
        }
        return nil
    }

    func mayMatch(_ lowercased: UnsafeBufferPointer<UInt8>, scope: MessagePattern.Scope) -> Bool {
        patterns.contains { $0.scopes.contains(scope) && $0.mayMatch(lowercased) }
    }

    /// The facts of the first `scope` recogniser that matches `text`.
    func recognise(_ text: String, scope: MessagePattern.Scope) -> [String: String]? {
        var bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] |= 0x20 }
        return bytes.withUnsafeBufferPointer { recognise(text, lowercased: $0, scope: scope) }
    }
}
