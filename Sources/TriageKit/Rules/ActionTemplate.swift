/// A rule's command template (`remedy.commands`) read once at load time into words, with the
/// shell's rules: each word is the template's literal characters and placeholders. Filled with a
/// finding's values it gives a `RemedyAction` whose values stay apart from the text around them,
/// so the report quotes each word once and the plan can read and change a step's flags.
/// A template that uses shell syntax words cannot say (a loop, `$(…)`, a subshell) stays whole,
/// rendered by `Template` with its values quoted for where they sit.
struct ActionTemplate: Sendable {
    enum Piece: Sendable {
        case char(Character)
        case field(name: String, languages: [Quote.Language])
    }

    enum Token: Sendable {
        case word([Piece])
        case separator(String)
        case redirect(String)
    }

    let template: Template
    /// Nil when the template needs the shell's own syntax.
    let tokens: [Token]?

    init(_ template: Template) {
        self.template = template
        tokens = Self.tokens(of: template)
    }

    /// The action for a finding's values: a missing value is named by its variable.
    func action(_ lookup: (String) -> String?) -> RemedyAction {
        guard let tokens else {
            let command = ShellCommand([.shell(paste: template.render(lookup, quoting: .shell), script: template.render(lookup, quoting: .script))])
            return RemedyAction(kind: shellKind, command: command)
        }
        var words: [ShellCommand.Word] = []
        for token in tokens {
            switch token {
            case .separator(let text): words.append(.separator(text))
            case .redirect(let file): words.append(.redirect(file))
            case .word(let pieces):
                var parts: [ShellCommand.Part] = []
                var text = ""
                for piece in pieces {
                    switch piece {
                    case .char(let c): text.append(c)
                    case .field(let name, let languages):
                        if !text.isEmpty { parts += Self.literal(text); text = "" }
                        if let value = lookup(name), !value.isEmpty {
                            parts.append(.value(value, languages))
                        } else {
                            parts.append(.missing(Template.variable(name)))
                        }
                    }
                }
                if !text.isEmpty { parts += Self.literal(text) }
                words.append(.argument(parts))
            }
        }
        return RemedyAction(ShellCommand(words))
    }

    /// A template's own text, where a `<NAME>` it writes for a value nobody can know from the
    /// evidence (`'<UNUSED_CIDR>'`) is a missing value like any other: a script asks for it.
    static func literal(_ text: String) -> [ShellCommand.Part] {
        var parts: [ShellCommand.Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let name = rest[rest.index(after: open)..<close]
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
                parts.append(.literal(String(rest[...open])))
                rest = rest[rest.index(after: open)...]
                continue
            }
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            parts.append(.missing(String(name)))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        // Adjacent literals as one, so `--flag=` stays whole at the start of a word.
        return parts.reduce(into: []) { merged, part in
            if case .literal(let next) = part, case .literal(let previous)? = merged.last {
                merged[merged.count - 1] = .literal(previous + next)
            } else {
                merged.append(part)
            }
        }
    }

    /// Whether a template only the shell can say changes something: a changing verb among its
    /// own words (`for rule in …; do gcloud compute firewall-rules update $rule; done`).
    var shellKind: RemedyAction.Kind {
        let words = template.parts.flatMap { part -> [String] in
            guard case .text(let text) = part else { return [] }
            return text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init)
        }
        return words.contains(where: RemedyAction.Kind.changingVerbs.contains) ? .change : .check
    }

    /// The template's words, separators (`|`, `;`, `&&`, `||`) and redirections to a literal
    /// file; nil when it uses anything else the shell reads (`$(…)`, `(`, `<`, a lone `&`, a
    /// loop's keywords), or a quote never closed.
    static func tokens(of template: Template) -> [Token]? {
        var tokens: [Token] = []
        var word: [Piece] = []
        var inWord = false
        var quote: Character?
        var escaped = false
        var redirect = false
        func endWord() -> Bool {
            defer { word = []; inWord = false }
            guard inWord else { return true }
            if redirect {
                redirect = false
                guard word.allSatisfy({ if case .char = $0 { return true } else { return false } }) else { return false }
                tokens.append(.redirect(String(word.map { if case .char(let c) = $0 { return c } else { return " " } })))
                return true
            }
            tokens.append(.word(word))
            return true
        }
        for part in template.parts {
            guard case .text(let text) = part else {
                if case .field(let name, let modifiers) = part {
                    word.append(.field(name: name, languages: modifiers.compactMap(Quote.Language.init(rawValue:))))
                }
                inWord = true
                continue
            }
            let chars = Array(text)
            var index = 0
            while index < chars.count {
                let c = chars[index]
                let next: Character? = index + 1 < chars.count ? chars[index + 1] : nil
                index += 1
                if escaped {
                    escaped = false
                    if c != "\n" { word.append(.char(c)); inWord = true }
                    continue
                }
                switch quote {
                case "'":
                    if c == "'" { quote = nil } else { word.append(.char(c)) }
                    continue
                case "\"":
                    if c == "\\", let next, "$`\"\\\n".contains(next) { escaped = true }
                    else if c == "\"" { quote = nil }
                    else if c == "$" || c == "`" { return nil }
                    else { word.append(.char(c)) }
                    continue
                default: break
                }
                switch c {
                case "\\": escaped = true; inWord = true
                case "'", "\"": quote = c; inWord = true
                case " ", "\t", "\n": guard endWord() else { return nil }
                case ";":
                    guard endWord() else { return nil }
                    tokens.append(.separator(";"))
                case "|", "&":
                    guard endWord() else { return nil }
                    if next == c { index += 1; tokens.append(.separator(String([c, c]))) }
                    else if c == "|" { tokens.append(.separator("|")) }
                    else { return nil }
                case ">":
                    guard endWord(), !redirect else { return nil }
                    redirect = true
                case "$", "`", "(", ")", "<", "*", "?", "[", "{", "}", "~", "#", "!":
                    // Live outside quotes: the shell would expand or read them.
                    return nil
                default: word.append(.char(c)); inWord = true
                }
            }
        }
        guard quote == nil, !escaped, endWord(), !redirect else { return nil }
        // A loop or a condition is shell syntax, not a command.
        for case .word(let pieces) in tokens {
            let text = String(pieces.compactMap { if case .char(let c) = $0 { return c } else { return nil } })
            if pieces.count == text.count, ["for", "do", "done", "if", "then", "fi", "while"].contains(text) { return nil }
        }
        return tokens
    }
}
