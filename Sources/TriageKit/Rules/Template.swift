import Foundation

/// Text with `{field}` placeholders, split once at load time. A placeholder may name the
/// languages its value passes through before the shell (`{network|regex|filter}`); see `Quote`.
public struct Template: Sendable {
    enum Part: Sendable {
        case text(String)
        case field(String, modifiers: [String])
    }

    let parts: [Part]
    public let source: String
    /// For each part, the shell quotes open where it starts (what a command's field sits in).
    let shellContexts: [Quote.ShellContext]

    public init(_ source: String) {
        self.source = source
        var parts: [Part] = []
        var text = ""
        var index = source.startIndex
        while index < source.endIndex {
            let c = source[index]
            if c == "{", let close = source[index...].firstIndex(of: "}") {
                let inside = source[source.index(after: index)..<close].split(separator: "|", omittingEmptySubsequences: false)
                let name = inside[0]
                let modifiers = inside.dropFirst()
                if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }),
                    modifiers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isLetter) }) {
                    if !text.isEmpty { parts.append(.text(text)) }
                    text = ""
                    parts.append(.field(String(name), modifiers: modifiers.map(String.init)))
                    index = source.index(after: close)
                    continue
                }
            }
            text.append(c)
            index = source.index(after: index)
        }
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
        shellContexts = ShellScan.contexts(of: parts)
    }

    public var fields: [String] {
        parts.compactMap { if case .field(let name, _) = $0 { return name } else { return nil } }
    }

    /// How a filled value is written: as it is (prose), for the shell quotes it sits in
    /// (commands), or as YAML (Config Connector manifests).
    public enum Quoting: Sendable {
        /// `prose` is `none` with an unknown value phrased (`Template.phrase`), never a `<TAG>`:
        /// titles, messages, why and notes are read, not filled in.
        case none, prose, shell, yaml
        /// `shell`, but an unknown value is a shell variable (`"${NODE_TAG}"`) a script declares
        /// at its top, expanded right in whatever quotes the template opened.
        case script
    }

    /// Fills the placeholders; an unknown value becomes `<FIELD_NAME>` so the gap is visible.
    /// `forShell` quotes values for the shell, since log text reaches these commands.
    public func render(_ lookup: (String) -> String?, forShell: Bool = false) -> String {
        render(lookup, quoting: forShell ? .shell : .none)
    }

    public func render(_ lookup: (String) -> String?, quoting: Quoting) -> String {
        if quoting == .yaml { return renderYAML(lookup) }
        var result = ""
        var countBefore: String?
        // A phrase for a missing value is not a quotation: `"{status_message}"` reads `no status message`.
        var unquoteNext = false
        for (index, part) in parts.enumerated() {
            switch part {
            case .text(var text):
                if unquoteNext, text.hasPrefix("\"") { text.removeFirst() }
                unquoteNext = false
                result += quoting == .prose ? Self.agreeing(text, withCount: countBefore) : text
                countBefore = nil
            case .field(let name, let modifiers):
                countBefore = nil
                guard let value = lookup(name), !value.isEmpty else {
                    if quoting == .prose {
                        if result.hasSuffix("\""), index + 1 < parts.count, case .text(let next) = parts[index + 1], next.hasPrefix("\"") {
                            result.removeLast()
                            unquoteNext = true
                        }
                        result += Self.phrase(name)
                        continue
                    }
                    if quoting == .script {
                        let variable = "${" + Self.variable(name) + "}"
                        switch shellContexts[index] {
                        case .unquoted: result += "\"" + variable + "\""
                        case .doubleQuoted: result += variable
                        case .singleQuoted: result += "'\"" + variable + "\"'"
                        }
                        continue
                    }
                    let gap = Self.gap(name)
                    // Outside quotes `<X>` would be a redirection when pasted.
                    result += quoting == .shell && shellContexts[index] == .unquoted ? "'\(gap)'" : gap
                    continue
                }
                if value.allSatisfy(\.isNumber) { countBefore = value }
                switch quoting {
                case .none, .prose: result += value
                case .shell, .script:
                    let languages = modifiers.compactMap(Quote.Language.init(rawValue:))
                    result += Quote.shell(Quote.encode(value, languages), in: shellContexts[index])
                case .yaml: break
                }
            }
        }
        return result
    }

    /// Prose after a number agrees with it: `{count} times` reads "1 time", `{count} time(s)`
    /// "1 time" or "3 times". Only the template's own words change, never a value.
    static func agreeing(_ text: String, withCount count: String?) -> String {
        guard let count, text.hasPrefix(" ") else { return text }
        let word = text.dropFirst().prefix { $0.isLetter }
        let rest = text.dropFirst(1 + word.count)
        if rest.hasPrefix("(s)") {
            return " " + word + (count == "1" ? "" : "s") + rest.dropFirst(3)
        }
        guard count == "1", let singular = singulars[String(word)] else { return text }
        return " " + singular + rest
    }

    static let singulars: [String: String] = [
        "times": "time", "connections": "connection", "errors": "error", "attempts": "attempt", "calls": "call",
        "requests": "request", "waits": "wait", "probes": "probe", "objects": "object", "failures": "failure",
        "records": "record", "occurrences": "occurrence", "reports": "report", "pods": "pod", "flows": "flow",
        "nodes": "node", "lines": "line", "entries": "entry", "denials": "denial", "sources": "source",
    ]

    /// Words for a value the evidence did not give, for prose: what it is and, where one exists,
    /// how to give it. Names without an entry read as "the" and their words.
    static func phrase(_ name: String) -> String {
        if let known = phrases[name] { return known }
        return "the " + name.replacingOccurrences(of: ".", with: " ").replacingOccurrences(of: "_", with: " ")
    }

    static let phrases: [String: String] = [
        "master_cidr": "the control plane range (give --master-cidr or the cluster description)",
        "node_tag": "the nodes' network tag (give --node-tag or the cluster description)",
        "pod_cidrs": "the pod ranges (give --pod-cidr or the cluster description)",
        "project": "the project", "link_project": "the project", "log_project": "the project",
        "cluster": "the cluster", "location": "the cluster's location", "network": "the cluster's network",
        "registry": "the registry named in the error", "api": "that the error does not name",
        "port": "the port named in the error", "vpcsc.id": "the unique identifier in the error",
        "quotes": "the lines quoted", "default_route_next_hop": "the default route's next hop",
        "service": "its Service", "namespace": "its namespace", "api_group": "the API group",
        "object.kind": "an object", "object.name": "named in the evidence", "object.namespace": "its namespace",
        "object": "a resource the lines quoted do not name",
        "type": "An operation", "target": "its target", "error": "an error with no message",
        "status_message": "no status message", "root.error": "an error the evidence given does not show", "denied_by": "a firewall rule the log does not name validly",
    ]

    static func gap(_ name: String) -> String { "<" + variable(name) + ">" }
    /// The shell variable a script uses for an unknown value: `node_tag` → `NODE_TAG`.
    public static func variable(_ name: String) -> String { name.uppercased().replacingOccurrences(of: ".", with: "_") }

    /// One YAML scalar per placeholder's scalar: a placeholder alone is `Quote.yamlScalar`; text
    /// and placeholders together stay plain when every value is a plain word, else the whole
    /// scalar is double-quoted; inside a "…" the template opened, values are escaped for it.
    func renderYAML(_ lookup: (String) -> String?) -> String {
        var result = ""
        for scalar in YAMLScan.scalars(of: parts) {
            switch scalar {
            case .text(let text): result += text
            case .scalar(let pieces, let doubleQuoted):
                let values = pieces.map { piece -> (text: String, isValue: Bool) in
                    switch piece {
                    case .text(let text): return (text, false)
                    case .field(let name, _):
                        guard let value = lookup(name), !value.isEmpty else { return (Self.gap(name), false) }
                        return (value, true)
                    }
                }
                if doubleQuoted {
                    result += values.map { $0.isValue ? Quote.yamlDoubleQuotedContent($0.text) : $0.text }.joined()
                } else if values.count == 1, values[0].isValue {
                    result += Quote.yamlScalar(values[0].text)
                } else if values.allSatisfy({ !$0.isValue || Quote.isPlainYAMLWord(Substring($0.text)) }) {
                    result += values.map(\.text).joined()
                } else {
                    result += "\"" + Quote.yamlDoubleQuotedContent(values.map(\.text).joined()) + "\""
                }
            }
        }
        return result
    }

    public static func shellWord(_ value: String) -> String { Quote.shellWord(value) }

    static func yamlScalar(_ value: String) -> String { Quote.yamlScalar(value) }
}

/// Where each part of a command template sits with respect to shell quotes.
enum ShellScan {
    static func contexts(of parts: [Template.Part]) -> [Quote.ShellContext] {
        var contexts: [Quote.ShellContext] = []
        // Quote state per nesting level: `$(` opens an unquoted level even inside "…".
        var stack: [Quote.ShellContext] = [.unquoted]
        var escaped = false
        var previous: Character = " "
        for part in parts {
            contexts.append(stack[stack.count - 1])
            guard case .text(let text) = part else { escaped = false; previous = "x"; continue }
            for c in text {
                defer { previous = c }
                if escaped { escaped = false; continue }
                switch stack[stack.count - 1] {
                case .singleQuoted:
                    if c == "'" { stack[stack.count - 1] = .unquoted }
                case .doubleQuoted:
                    if c == "\\" { escaped = true } else if c == "\"" { stack[stack.count - 1] = .unquoted }
                    else if c == "(" && previous == "$" { stack.append(.unquoted) }
                case .unquoted:
                    switch c {
                    case "\\": escaped = true
                    case "'": stack[stack.count - 1] = .singleQuoted
                    case "\"": stack[stack.count - 1] = .doubleQuoted
                    case "(": stack.append(.unquoted)
                    case ")": if stack.count > 1 { stack.removeLast() }
                    default: break
                    }
                }
            }
        }
        return contexts
    }
}

/// The scalars of a manifest template that hold placeholders: a value after `key: `, after a
/// list's `- `, or an item of a flow list `[a, b]`, to its end; as written, plain or in "…".
enum YAMLScan {
    enum Piece {
        case text(String)
        case scalar([Template.Part], doubleQuoted: Bool)
    }

    /// Cut the parts into lines of characters and fields, then find each line's scalars.
    static func scalars(of parts: [Template.Part]) -> [Piece] {
        enum Atom { case char(Character), field(Template.Part) }
        var lines: [[Atom]] = [[]]
        for part in parts {
            guard case .text(let text) = part else { lines[lines.count - 1].append(.field(part)); continue }
            for c in text {
                lines[lines.count - 1].append(.char(c))
                if c == "\n" { lines.append([]) }
            }
        }
        var pieces: [Piece] = []
        func emit(_ atoms: ArraySlice<Atom>) {
            var text = ""
            for atom in atoms { if case .char(let c) = atom { text.append(c) } }
            if !text.isEmpty { pieces.append(.text(text)) }
        }
        func emitScalar(_ atoms: ArraySlice<Atom>, doubleQuoted: Bool) {
            var parts: [Template.Part] = []
            var text = ""
            for atom in atoms {
                switch atom {
                case .char(let c): text.append(c)
                case .field(let part):
                    if !text.isEmpty { parts.append(.text(text)) }
                    text = ""
                    parts.append(part)
                }
            }
            if !text.isEmpty { parts.append(.text(text)) }
            pieces.append(.scalar(parts, doubleQuoted: doubleQuoted))
        }
        for line in lines {
            let hasField = line.contains { if case .field = $0 { return true } else { return false } }
            guard hasField, let start = valueStart(line.map { if case .char(let c) = $0 { return c } else { return "x" } }) else {
                emit(line[...])
                continue
            }
            emit(line[..<start])
            var index = start
            let chars = line.map { atom -> Character? in if case .char(let c) = atom { return c } else { return nil } }
            var flow = false
            while index < line.count {
                let c = chars[index]
                if c == "[" && !flow { flow = true; emit(line[index...index]); index += 1; continue }
                if c == " " || (flow && (c == "," || c == "]")) || c == "\n" { emit(line[index...index]); index += 1; continue }
                // A scalar starts here.
                if c == "\"" {
                    var end = index + 1
                    while end < line.count, chars[end] != "\"" { end += chars[end] == "\\" ? 2 : 1 }
                    end = min(end, line.count - 1)
                    emit(line[index...index])
                    emitScalar(line[(index + 1)..<end], doubleQuoted: true)
                    emit(line[end...end])
                    index = end + 1
                    continue
                }
                var end = index
                while end < line.count, chars[end] != "\n", !(flow && (chars[end] == "," || chars[end] == "]")) { end += 1 }
                // Trailing spaces are not part of a plain scalar.
                var last = end
                while last > index, chars[last - 1] == " " { last -= 1 }
                emitScalar(line[index..<last], doubleQuoted: false)
                index = last
            }
        }
        return pieces
    }

    /// Where a line's value begins: after the first `: ` (or `- `), ignoring indentation.
    static func valueStart(_ chars: [Character]) -> Int? {
        var index = 0
        while index < chars.count, chars[index] == " " { index += 1 }
        if index + 1 < chars.count, chars[index] == "-", chars[index + 1] == " " { index += 2 }
        var probe = index
        while probe + 1 < chars.count {
            if chars[probe] == ":" && chars[probe + 1] == " " { return probe + 2 }
            if chars[probe] == "\"" || chars[probe] == "[" { break }
            probe += 1
        }
        return index
    }
}
