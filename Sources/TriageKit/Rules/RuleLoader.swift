import Foundation
import Yams

/// Reads and checks rule files. Every mistake names the file, the line and the field.
public enum RuleLoader {
    /// The rules built into the binary (from Rules/ at build time).
    /// Their manifests are not parsed again here: the same files pass that check in the tests.
    /// (Parsing the files on both cores was slower: Yams and its regular expressions contend.)
    public static func builtIn() throws(TriageError) -> [Rule] { try builtInRules.get() }

    /// Parsed once per process: the engine's rules and the readers' message recognisers (a text
    /// line may need them while the rules still load on another thread; it then waits for them).
    static let builtInRules: Result<[Rule], TriageError> = {
        do throws(TriageError) {
            return .success(
                try EmbeddedRules.files.filter { !isCatalogue($0.path) }
                    .map { file throws(TriageError) in try parse(file.text, file: file.path, checkingManifests: false) }
                    .sorted { $0.id < $1.id })
        } catch {
            return .failure(error)
        }
    }()

    /// Starts loading the built-in rules on another thread, for a caller that has input to read
    /// first; `wait()` gives them (or the error) when the reading is done.
    public static func startBuiltIn() -> PendingRules { PendingRules() }

    public final class PendingRules: @unchecked Sendable {  // `result` is written once, before `done` is signalled
        private var result: Result<[Rule], TriageError>?
        private let done = DispatchSemaphore(value: 0)

        init() {
            DispatchQueue.global().async {
                do throws(TriageError) {
                    self.result = .success(try RuleLoader.builtIn())
                } catch {
                    self.result = .failure(error)
                }
                self.done.signal()
            }
        }

        public func wait() throws(TriageError) -> [Rule] {
            done.wait()
            done.signal()  // so a later wait returns at once
            return try result!.get()
        }
    }

    /// Data the rules use (the webhook catalogue) lives beside them in `catalogue/`: not rules.
    static func isCatalogue(_ path: String) -> Bool {
        path.hasPrefix("catalogue/") || path.contains("/catalogue/")
    }

    /// Every *.yaml under a directory (or one file), but the catalogue.
    public static func load(path: String) throws(TriageError) -> [Rule] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .cannotOpen(path: path, reason: "no such file or directory")
        }
        var files: [String] = []
        if isDirectory.boolValue {
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let next = enumerator?.nextObject() as? String {
                if (next.hasSuffix(".yaml") || next.hasSuffix(".yml")) && !isCatalogue(next) {
                    files.append((path as NSString).appendingPathComponent(next))
                }
            }
        } else {
            files = [path]
        }
        var rules: [Rule] = []
        for file in files.sorted() {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw .cannotOpen(path: file, reason: "not readable as UTF-8 text")
            }
            rules.append(try parse(text, file: file))
        }
        return rules
    }

    /// Checks that ids are unique across sets of rules.
    public static func merge(_ sets: [[Rule]]) throws(TriageError) -> [Rule] {
        var seen: [String: String] = [:]
        var all: [Rule] = []
        for rule in sets.joined() {
            if let other = seen[rule.id] { throw .duplicateRule(id: rule.id, files: [other, rule.file]) }
            seen[rule.id] = rule.file
            all.append(rule)
        }
        return all
    }

    static let knownKeys: Set<String> = [
        "id", "severity", "title", "evidence", "recognise", "match", "match_any", "fallback", "group_by", "cause", "message", "remedy",
        "references", "samples",
    ]

    /// Only the scalar kinds rules use (true/false, integers, null). Yams resolves every mapping
    /// key's tag to check for duplicates, and each kind is a regular expression: the default
    /// set made that check half the cost of loading the rules.
    static let resolver = Resolver.basic.appending(.bool).appending(.int).appending(.null)

    /// `checkingManifests: false` skips parsing each Config Connector manifest as YAML: the
    /// built-in rules pass that check in the test suite, and it is a fifth of their load time.
    public static func parse(_ text: String, file: String, checkingManifests: Bool = true) throws(TriageError) -> Rule {
        let root: Node
        do {
            guard let node = try YAMLDocument.composeReportingErrors(text, resolver: Self.resolver) else {
                throw TriageError.badRuleFile(file: file, line: nil, field: "(file)", reason: "the file is empty")
            }
            root = node
        } catch let error as TriageError {
            throw error
        } catch let refused as YAMLDocument.Refused {
            // An alias bomb or a nesting too deep in a --rules file is named, not expanded.
            throw .badRuleFile(file: file, line: refused.line, field: "(syntax)", reason: refused.reason)
        } catch let error as YamlError {
            throw .badRuleFile(file: file, line: yamlLine(error), field: "(syntax)", reason: "not valid YAML: \(yamlProblem(error))")
        } catch {
            throw .badRuleFile(file: file, line: nil, field: "(syntax)", reason: "not valid YAML: \(error)")
        }
        var r = Reader(file: file)
        let top = try r.mapping(root, "(top level)")
        for (key, value) in top where !knownKeys.contains(key) {
            throw .badRuleFile(file: file, line: line(value), field: key, reason: "unknown field; known: \(knownKeys.sorted().joined(separator: ", "))")
        }
        let id = try r.string(top["id"], "id", in: root)
        guard id.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil else {
            throw .badRuleFile(file: file, line: line(top["id"]), field: "id", reason: "must be lower-case words joined by '-'")
        }
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        guard stem == id else {
            throw .badRuleFile(file: file, line: line(top["id"]), field: "id", reason: "'\(id)' must match the file name '\(stem)'")
        }
        let severityText = try r.string(top["severity"], "severity", in: root)
        guard let severity = Severity(rawValue: severityText) else {
            throw .badRuleFile(file: file, line: line(top["severity"]), field: "severity", reason: "'\(severityText)' is not one of error, warning, info")
        }
        let evidence = try r.string(top["evidence"], "evidence", in: root)
        guard Rule.evidenceKinds.contains(evidence) else {
            throw .badRuleFile(file: file, line: line(top["evidence"]), field: "evidence", reason: "'\(evidence)' is not a known evidence kind (\(Rule.evidenceKinds.joined(separator: ", ")))")
        }
        r.firewall = evidence == "firewall"
        let match = try r.predicates(top["match"], "match", in: root, required: true)
        let recognisers = try r.recognisers(top["recognise"], evidence: evidence)
        var matchAny: [[FieldPredicate]] = []
        if let node = top["match_any"] {
            guard let alternatives = node.sequence, alternatives.count >= 2 else {
                throw .badRuleFile(file: file, line: line(node), field: "match_any", reason: "a list of two or more mappings of tests, one of which must hold")
            }
            for (index, alternative) in alternatives.enumerated() {
                matchAny.append(try r.predicates(alternative, "match_any[\(index)]", in: node, required: true))
            }
        }
        let groupBy = try r.strings(top["group_by"], "group_by", in: root, required: false)
        for name in groupBy where !r.isKnownField(name) {
            throw .badRuleFile(file: file, line: line(top["group_by"]), field: "group_by", reason: "unknown field '\(name)'")
        }
        let cause = try top["cause"].map { node throws(TriageError) in try r.template(node, "cause", in: root) }
        let message = try r.template(top["message"], "message", in: root)
        let remedyNode = top["remedy"]
        guard let remedyNode else { throw .badRuleFile(file: file, line: line(root), field: "remedy", reason: "missing") }
        let remedyMap = try r.mapping(remedyNode, "remedy")
        let remedyKeys = ["why", "notes", "commands", "config_connector", "kpt"]
        for (key, value) in remedyMap where !remedyKeys.contains(key) {
            throw .badRuleFile(
                file: file, line: line(value), field: "remedy.\(key)",
                reason: "unknown field; known: \(remedyKeys.joined(separator: ", "))")
        }
        let why = try r.template(remedyMap["why"], "remedy.why", in: remedyNode)
        let notes = try r.conditionalTexts(remedyMap["notes"], "remedy.notes")
        let commands = try r.conditionalTexts(remedyMap["commands"], "remedy.commands", shell: true)
        let configConnector = try r.conditionalTexts(remedyMap["config_connector"], "remedy.config_connector")
        if checkingManifests { try r.checkManifests(configConnector, nodes: remedyMap["config_connector"]?.sequence.map(Array.init) ?? []) }
        let kpt = try r.conditionalTexts(remedyMap["kpt"], "remedy.kpt", shell: true)
        guard !commands.isEmpty else {
            throw .badRuleFile(file: file, line: line(remedyNode), field: "remedy.commands", reason: "a rule needs at least one command")
        }
        if let problem = unmadeRouter(commands) {
            throw .badRuleFile(file: file, line: line(remedyMap["commands"]), field: "remedy.commands", reason: problem)
        }
        let references = try r.strings(top["references"], "references", in: root, required: true)
        for reference in references where !reference.hasPrefix("https://") {
            throw .badRuleFile(file: file, line: line(top["references"]), field: "references", reason: "'\(reference)' is not an https URL")
        }
        let samples = try r.samples(top["samples"], in: root)
        var fallback = false
        if let node = top["fallback"] {
            guard let value = node.bool else { throw .badRuleFile(file: file, line: line(node), field: "fallback", reason: "must be true or false") }
            fallback = value
        }
        return Rule(
            id: id, severity: severity, title: try r.string(top["title"], "title", in: root), evidence: evidence,
            match: match, matchAny: matchAny, recognisers: recognisers, fallback: fallback, groupBy: groupBy, cause: cause, message: message,
            remedy: Rule.Remedy(why: why, notes: notes, commands: commands, configConnector: configConnector, kpt: kpt),
            references: references,
            samples: samples, file: file, source: text)
    }

    static func line(_ node: Node?) -> Int? { node?.mark?.line }

    /// A NAT is created on a router: on one the same commands create, or on one the config names
    /// (a `{router}` fact). A NAT step on a router nothing makes fails when pasted.
    static func unmadeRouter(_ commands: [(when: [FieldPredicate], text: Template)]) -> String? {
        let actions = commands.map { ActionTemplate($0.text).action { "{\($0)}" } }
        let routers = Set(actions.filter { $0.kind == .routerCreate }.compactMap(\.name))
        for nat in actions where nat.kind == .natCreate {
            guard let router = nat.flag("router") else { return "a NAT create needs --router" }
            if router != "{router}" && !routers.contains(router) {
                return "the NAT is created on router '\(router)', which no command creates (add `gcloud compute routers create \(router) …`, or use the {router} fact)"
            }
        }
        return nil
    }

    static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return nil
        }
    }

    static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        // Its description quotes the whole file; name the keys instead.
        case .duplicatedKeysInMapping(let keys, _): return "keys given twice: \(keys.joined(separator: ", "))"
        default: return "\(error)"
        }
    }

    /// Typed access to a composed YAML tree, with errors that point at lines.
    struct Reader {
        let file: String
        /// Firewall rules use the fixed `FlowFacts` vocabulary; rules over observations name the
        /// facts their observations carry, which only their samples can check.
        var firewall = true

        func isKnownField(_ name: String) -> Bool {
            if firewall { return FlowFacts.fields[name] != nil }
            return !name.isEmpty && name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }
        }

        func fail(_ node: Node?, _ field: String, _ reason: String) -> TriageError {
            .badRuleFile(file: file, line: node?.mark?.line, field: field, reason: reason)
        }

        func mapping(_ node: Node, _ field: String) throws(TriageError) -> [String: Node] {
            guard let mapping = node.mapping else { throw fail(node, field, "must be a mapping") }
            var result: [String: Node] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { throw fail(key, field, "keys must be text") }
                if result[name] != nil { throw fail(key, "\(field).\(name)", "given twice") }
                result[name] = value
            }
            return result
        }

        func string(_ node: Node?, _ field: String, in parent: Node) throws(TriageError) -> String {
            guard let node else { throw fail(parent, field, "missing") }
            // Stops at the first non-blank character (Foundation's trimming copies a whole sample).
            guard let scalar = node.scalar, scalar.string.contains(where: { !$0.isWhitespace }) else {
                throw fail(node, field, "must be non-empty text")
            }
            return scalar.string
        }

        func template(_ node: Node?, _ field: String, in parent: Node, shell: Bool = false) throws(TriageError) -> Template {
            let template = Template(try string(node, field, in: parent))
            try check(template, node, field, shell: shell)
            return template
        }

        /// Placeholders must be known; in commands each must be written safely for where it lands
        /// (`CommandTemplateCheck`), and only commands take modifiers.
        func check(_ template: Template, _ node: Node?, _ field: String, shell: Bool = false) throws(TriageError) {
            for name in template.fields where !isKnownField(name) && !FlowFacts.findingFields.contains(name) {
                throw fail(node, field, "unknown placeholder {\(name)}")
            }
            let problems: [String]
            if shell {
                problems = CommandTemplateCheck.problems(template)
            } else {
                problems = template.parts.compactMap { part in
                    guard case .field(let name, let modifiers) = part, !modifiers.isEmpty else { return nil }
                    return "{\(name)|\(modifiers.joined(separator: "|"))}: modifiers are only for commands"
                }
            }
            if let problem = problems.first {
                let shown = template.source.count > 160 ? template.source.prefix(157) + "..." : Substring(template.source)
                throw fail(node, field, "\(problem), in: \(shown)")
            }
        }

        func strings(_ node: Node?, _ field: String, in parent: Node, required: Bool) throws(TriageError) -> [String] {
            guard let node else {
                if required { throw fail(parent, field, "missing") }
                return []
            }
            if let scalar = node.scalar { return [scalar.string] }
            guard let sequence = node.sequence else { throw fail(node, field, "must be a list") }
            var result: [String] = []
            for item in sequence {
                guard let scalar = item.scalar else { throw fail(item, field, "items must be text") }
                result.append(scalar.string)
            }
            if required && result.isEmpty { throw fail(node, field, "must not be empty") }
            return result
        }

        func predicates(_ node: Node?, _ field: String, in parent: Node, required: Bool) throws(TriageError) -> [FieldPredicate] {
            guard let node else {
                if required { throw fail(parent, field, "missing") }
                return []
            }
            var result: [FieldPredicate] = []
            for (name, value) in try mapping(node, field) {
                guard isKnownField(name) else {
                    throw fail(value, "\(field).\(name)", firewall
                        ? "unknown field; known: \(FlowFacts.fields.keys.sorted().joined(separator: ", "))"
                        : "fact names are lower-case words with '.', '_' or '-'")
                }
                let test = try self.test(value, "\(field).\(name)")
                if name.hasSuffix(".role") {
                    let values: Set<String>
                    switch test {
                    case .anyOf(let set), .noneOf(let set): values = set
                    default: values = []
                    }
                    for role in values where Role(rawValue: role) == nil {
                        throw fail(value, "\(field).\(name)", "'\(role)' is not a role; roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                }
                result.append(FieldPredicate(field: name, test: test))
            }
            return result.sorted { $0.field < $1.field }
        }

        func test(_ node: Node, _ field: String) throws(TriageError) -> FieldPredicate.Test {
            func words(_ node: Node) throws(TriageError) -> Set<String> {
                if let scalar = node.scalar { return [scalar.string.lowercased()] }
                guard let sequence = node.sequence else { throw fail(node, field, "must be a value or a list of values") }
                var set = Set<String>()
                for item in sequence {
                    guard let scalar = item.scalar else { throw fail(item, field, "list items must be values") }
                    set.insert(scalar.string.lowercased())
                }
                return set
            }
            if node.scalar != nil || node.sequence != nil { return .anyOf(try words(node)) }
            let map = try mapping(node, field)
            guard map.count == 1, let (operation, operand) = map.first else {
                throw fail(node, field, "use one of: in, not, range, matches, exists")
            }
            switch operation {
            case "in": return .anyOf(try words(operand))
            case "not": return .noneOf(try words(operand))
            case "range":
                guard let bounds = operand.sequence, bounds.count == 2, let low = bounds[0].int, let high = bounds[1].int, low <= high else {
                    throw fail(operand, field, "range takes [low, high]")
                }
                return .range(low, high)
            case "matches":
                guard let pattern = operand.string, (try? NSRegularExpression(pattern: pattern)) != nil else {
                    throw fail(operand, field, "matches takes a valid regular expression")
                }
                return .matches(pattern)
            case "exists":
                guard let wanted = operand.bool else { throw fail(operand, field, "exists takes true or false") }
                return .exists(wanted)
            default:
                throw fail(node, field, "unknown test '\(operation)'; use one of: in, not, range, matches, exists")
            }
        }

        func conditionalTexts(_ node: Node?, _ field: String, shell: Bool = false) throws(TriageError) -> [(when: [FieldPredicate], text: Template)] {
            guard let node else { return [] }
            guard let sequence = node.sequence else { throw fail(node, field, "must be a list") }
            var result: [(when: [FieldPredicate], text: Template)] = []
            for item in sequence {
                if let scalar = item.scalar {
                    let template = Template(scalar.string)
                    try check(template, item, field, shell: shell)
                    result.append(([], template))
                    continue
                }
                let map = try mapping(item, field)
                for (key, value) in map where key != "when" && key != "text" {
                    throw fail(value, "\(field).\(key)", "unknown field; items take 'text' and an optional 'when'")
                }
                let when = try predicates(map["when"], "\(field).when", in: item, required: false)
                result.append((when, try template(map["text"], "\(field).text", in: item, shell: shell)))
            }
            return result
        }

        /// A manifest template must be YAML naming a Config Connector kind once its placeholders are
        /// filled, so a typo shows when the rule loads, not when a user applies it.
        func checkManifests(_ manifests: [(when: [FieldPredicate], text: Template)], nodes: [Node]) throws(TriageError) {
            for (manifest, node) in zip(manifests, nodes) {
                let filled = manifest.text.render({ _ in "x" }, quoting: .yaml)
                let parsed = (try? YAMLDocument.load(filled)) as? [String: Any]
                guard let parsed, let apiVersion = parsed["apiVersion"] as? String,
                    apiVersion.contains(".cnrm.cloud.google.com/"), parsed["kind"] is String, parsed["spec"] is [String: Any]
                else {
                    throw fail(node, "remedy.config_connector", "each item must be a Config Connector resource (apiVersion *.cnrm.cloud.google.com/…, kind, spec)")
                }
                // The plan writes these from the rule's commands (`ConfigConnectorForm`): a second,
                // hand-written copy could disagree with the command or create what exists.
                if let kind = parsed["kind"] as? String, ConfigConnectorForm.derivedKinds.contains(kind) {
                    throw fail(node, "remedy.config_connector", "\(kind) is written from the rule's commands (the fix plan's Config Connector form); keep only manifests of changes no command here makes")
                }
            }
        }

        /// `recognise:`: message recognisers as data (see `MessagePattern`).
        func recognisers(_ node: Node?, evidence: String) throws(TriageError) -> [MessagePattern] {
            guard let node else { return [] }
            guard ["message", "operation", "cluster"].contains(evidence) else {
                throw fail(node, "recognise", "only rules with `evidence: message`, `operation` or `cluster` recognise messages")
            }
            guard let list = node.sequence, !list.isEmpty else { throw fail(node, "recognise", "must be a list of recognisers") }
            let keys: Set<String> = ["pattern", "extract", "facts", "derive", "require", "keywords", "in", "samples"]
            return try list.enumerated().map { index, item throws(TriageError) in
                let field = "recognise[\(index)]"
                let map = try mapping(item, field)
                for (key, value) in map where !keys.contains(key) {
                    throw fail(value, "\(field).\(key)", "unknown field; known: \(keys.sorted().joined(separator: ", "))")
                }
                let pattern = try string(map["pattern"], "\(field).pattern", in: item)
                let extract = try strings(map["extract"], "\(field).extract", in: item, required: false)
                var facts: [String: String] = [:]
                if let factsNode = map["facts"] {
                    for (name, value) in try mapping(factsNode, "\(field).facts") {
                        guard let text = value.scalar?.string else { throw fail(value, "\(field).facts.\(name)", "must be a single value") }
                        facts[name] = text
                    }
                }
                guard facts["message"] != nil || facts["cause"] != nil else {
                    throw fail(item, "\(field).facts", "must set `message` (text and log messages) or `cause` (GKE errors, `in: [operation]`)")
                }
                let derive = try strings(map["derive"], "\(field).derive", in: item, required: false).map { name throws(TriageError) in
                    guard let derivation = MessagePattern.Derivation(rawValue: name) else {
                        throw fail(map["derive"], "\(field).derive", "'\(name)' is not one of \(MessagePattern.Derivation.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return derivation
                }
                let require = try strings(map["require"], "\(field).require", in: item, required: false)
                let keywords = map["keywords"] == nil ? nil : try strings(map["keywords"], "\(field).keywords", in: item, required: true)
                // A `cause` reads GKE's errors; a `message`, text and log entries.
                var scopes: Set<MessagePattern.Scope> = facts["message"] == nil ? [.operation] : [.text, .log]
                if map["in"] != nil {
                    scopes = Set(try strings(map["in"], "\(field).in", in: item, required: true).map { name throws(TriageError) in
                        guard let scope = MessagePattern.Scope(rawValue: name) else {
                            throw fail(map["in"], "\(field).in", "'\(name)' is not one of text, log, operation")
                        }
                        return scope
                    })
                }
                if scopes.contains(.operation) && facts["cause"] == nil {
                    throw fail(map["in"], "\(field).in", "an `operation` recogniser sets `cause`")
                }
                if (scopes.contains(.text) || scopes.contains(.log)) && facts["message"] == nil {
                    throw fail(map["in"] ?? item, "\(field).facts", "a `text` or `log` recogniser sets `message`")
                }
                var samples: [MessagePattern.Sample] = []
                if let samplesNode = map["samples"] {
                    guard let sampleList = samplesNode.sequence else { throw fail(samplesNode, "\(field).samples", "must be a list") }
                    for (sampleIndex, sampleNode) in sampleList.enumerated() {
                        let sampleField = "\(field).samples[\(sampleIndex)]"
                        let sampleMap = try mapping(sampleNode, sampleField)
                        let text = try string(sampleMap["text"], "\(sampleField).text", in: sampleNode)
                        var expected: [String: String] = [:]
                        if let expectedNode = sampleMap["facts"] {
                            for (name, value) in try mapping(expectedNode, "\(sampleField).facts") {
                                expected[name] = value.scalar?.string ?? ""
                            }
                        }
                        samples.append(MessagePattern.Sample(text: text, facts: expected, line: sampleNode.mark?.line))
                    }
                }
                guard samples.contains(where: { !$0.facts.isEmpty }) else {
                    throw fail(item, "\(field).samples", "a recogniser carries at least one sample text with the facts it gives")
                }
                do throws(MessagePattern.Problem) {
                    return try MessagePattern(
                        origin: "\(file):\(item.mark?.line ?? 0)", pattern: pattern, extract: extract, facts: facts, derive: derive,
                        require: require, keywords: keywords, scopes: scopes, samples: samples)
                } catch {
                    switch error {
                    case .badPattern(let source, let reason):
                        throw fail(map["pattern"], "\(field).pattern", "\(reason): \(source)")
                    case .noKeyword(let source):
                        throw fail(map["pattern"], "\(field).pattern", "no literal word of 3 or more characters every match must hold (add `keywords:`): \(source)")
                    case .unknownCapture(let name):
                        throw fail(map["facts"], "\(field).facts", "{\(name)} names no capture of the patterns")
                    }
                }
            }
        }

        func samples(_ node: Node?, in parent: Node) throws(TriageError) -> Rule.Samples {
            guard let node else { throw fail(parent, "samples", "missing: every rule carries trigger and pass samples") }
            let map = try mapping(node, "samples")
            for (key, value) in map where key != "trigger" && key != "pass" {
                throw fail(value, "samples.\(key)", "unknown field; known: trigger, pass")
            }
            let trigger = try sampleList(map["trigger"], "samples.trigger", in: node)
            let pass = try sampleList(map["pass"], "samples.pass", in: node)
            // These point at the sample itself, not at the start of the samples block.
            for sample in trigger where sample.expect.isEmpty {
                throw .badRuleFile(file: file, line: sample.line, field: "samples.trigger", reason: "sample '\(sample.name)' must list the findings it expects")
            }
            for sample in pass where !sample.expect.isEmpty {
                throw .badRuleFile(file: file, line: sample.line, field: "samples.pass", reason: "sample '\(sample.name)' is a pass sample and must expect nothing")
            }
            return Rule.Samples(trigger: trigger, pass: pass)
        }

        func sampleList(_ node: Node?, _ field: String, in parent: Node) throws(TriageError) -> [Rule.Sample] {
            guard let node, let sequence = node.sequence, !sequence.isEmpty else {
                throw fail(node ?? parent, field, "needs at least one sample")
            }
            var result: [Rule.Sample] = []
            for item in sequence {
                let map = try mapping(item, field)
                for (key, value) in map where !["name", "topology", "input", "files", "expect"].contains(key) {
                    throw fail(value, "\(field).\(key)", "unknown field; samples take name, topology, input, files, expect")
                }
                let name = try string(map["name"], "\(field).name", in: item)
                var topology: [String: [String]] = [:]
                if let topologyNode = map["topology"] {
                    for (key, value) in try mapping(topologyNode, "\(field).topology") {
                        guard Sample.topologyKeys.contains(key) else {
                            throw fail(value, "\(field).topology.\(key)", "unknown; known: \(Sample.topologyKeys.sorted().joined(separator: ", "))")
                        }
                        topology[key] = try strings(value, "\(field).topology.\(key)", in: topologyNode, required: true)
                    }
                }
                let input = map["input"] == nil && map["files"] != nil ? "" : try string(map["input"], "\(field).input", in: item)
                var files: [Rule.File] = []
                if let filesNode = map["files"] {
                    guard let list = filesNode.sequence, !list.isEmpty else { throw fail(filesNode, "\(field).files", "must be a list of {name, text}") }
                    for entry in list {
                        let fileMap = try mapping(entry, "\(field).files")
                        for (key, value) in fileMap where key != "name" && key != "text" {
                            throw fail(value, "\(field).files.\(key)", "unknown field; files take name and text")
                        }
                        files.append(Rule.File(
                            name: try string(fileMap["name"], "\(field).files.name", in: entry),
                            text: try string(fileMap["text"], "\(field).files.text", in: entry)))
                    }
                }
                var expect: [[String: String]] = []
                if let expectNode = map["expect"] {
                    guard let list = expectNode.sequence else { throw fail(expectNode, "\(field).expect", "must be a list") }
                    for entry in list {
                        var finding: [String: String] = [:]
                        for (key, value) in try mapping(entry, "\(field).expect") {
                            guard key == "rule" || key == "count" || key == "severity" || key == "confidence"
                                || key == "cause" || FlowFacts.fields[key] != nil || isKnownField(key)
                            else { throw fail(value, "\(field).expect.\(key)", "unknown field") }
                            guard let scalar = value.scalar else { throw fail(value, "\(field).expect.\(key)", "must be a value") }
                            finding[key] = scalar.string
                        }
                        expect.append(finding)
                    }
                }
                result.append(Rule.Sample(
                    name: name, topology: topology, input: input, files: files, expect: expect, line: item.mark?.line ?? 0))
            }
            return result
        }
    }

    enum Sample {
        static let topologyKeys: Set<String> = [
            "master_cidr", "pod_cidr", "node_cidr", "service_cidr", "node_tag", "network", "project", "now",
        ]
    }
}
