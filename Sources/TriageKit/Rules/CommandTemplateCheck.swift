/// Load-time checks of a command template (`remedy.commands`, `remedy.kpt`): read with the
/// shell's rules, every placeholder must land where its value is written safely. A value in a
/// gcloud `--filter` must be a filter operand (`|filter`, after `|regex` for `~`), a value in a
/// `gcloud logging read` query must sit in a "…" literal (`|logfilter`), a value in a grep
/// pattern must be `|regex`, and no other placeholder may carry those modifiers.
enum CommandTemplateCheck {
    enum Atom {
        case char(Character)
        case field(name: String, modifiers: [String])
    }

    typealias Word = [Atom]

    /// The problems found, as sentences; empty when the template is sound.
    static func problems(_ template: Template) -> [String] {
        var problems: [String] = []
        for case .field(let name, let modifiers) in template.parts {
            for modifier in modifiers where Quote.Language(rawValue: modifier) == nil {
                problems.append("{\(name)|\(modifiers.joined(separator: "|"))}: unknown modifier '\(modifier)'; known: \(Quote.Language.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let (commands, syntaxProblems) = words(of: template)
        problems += syntaxProblems
        for command in commands {
            let texts = command.map(literal)
            var roles: [(word: Int, role: Role)] = []
            for (index, text) in texts.enumerated() {
                if text.hasPrefix("--filter=") { roles.append((index, .filter(skip: "--filter=".count))) }
                if text == "--filter", index + 1 < command.count { roles.append((index + 1, .filter(skip: 0))) }
            }
            if texts.count > 3, texts[0] == "gcloud", texts[1] == "logging", texts[2] == "read",
                let index = texts.indices.dropFirst(3).first(where: { !texts[$0].hasPrefix("-") }) {
                roles.append((index, .loggingQuery))
            }
            if texts.first == "grep", let index = texts.indices.dropFirst().first(where: { !texts[$0].hasPrefix("-") }) {
                roles.append((index, .pattern))
            }
            for (index, word) in command.enumerated() {
                let role = roles.first { $0.word == index }?.role
                problems += check(word, role: role)
            }
        }
        return problems
    }

    enum Role {
        case filter(skip: Int)
        case loggingQuery
        case pattern
    }

    static func literal(_ word: Word) -> String {
        String(word.map { if case .char(let c) = $0 { return c } else { return "\u{FFFC}" } })
    }

    static func describe(_ name: String, _ modifiers: [String]) -> String {
        "{" + ([name] + modifiers).joined(separator: "|") + "}"
    }

    static func check(_ word: Word, role: Role?) -> [String] {
        var problems: [String] = []
        switch role {
        case .filter(let skip):
            // gcloud's filter lexer: "…" and '…' quote, `\` escapes the next character.
            var quote: Character?
            var escaped = false
            for (index, atom) in word.enumerated() where index >= skip {
                switch atom {
                case .char(let c):
                    if escaped { escaped = false } else if c == "\\" { escaped = true }
                    else if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c }
                case .field(let name, let modifiers):
                    if quote != nil {
                        problems.append("\(describe(name, modifiers)) sits inside quotes of a --filter expression; write it bare with |filter, which quotes it")
                        continue
                    }
                    let wanted = operatorBefore(word, index, from: skip) == "~" ? ["regex", "filter"] : ["filter"]
                    if modifiers != wanted {
                        problems.append("\(describe(name, modifiers)) is in a --filter expression: write {\(([name] + wanted).joined(separator: "|"))}")
                    }
                }
            }
        case .loggingQuery:
            var inString = false
            var escaped = false
            for atom in word {
                switch atom {
                case .char(let c):
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString.toggle() }
                case .field(let name, let modifiers):
                    if !inString || modifiers != ["logfilter"] {
                        problems.append("\(describe(name, modifiers)) is in a Cloud Logging query: write \"{\(name)|logfilter}\" inside a \"…\" string")
                    }
                }
            }
        case .pattern:
            for case .field(let name, let modifiers) in word where modifiers != ["regex"] {
                problems.append("\(describe(name, modifiers)) is in a grep pattern: write {\(name)|regex}")
            }
        case nil:
            for case .field(let name, let modifiers) in word where !modifiers.isEmpty {
                problems.append("\(describe(name, modifiers)) is not in a --filter, a logging query or a grep pattern: write {\(name)} without modifiers")
            }
        }
        return problems
    }

    /// The operator of the term an operand placeholder belongs to (`~` in `name~^gke-{cluster}`).
    static func operatorBefore(_ word: Word, _ index: Int, from start: Int) -> Character? {
        var probe = index - 1
        while probe >= start {
            if case .char(let c) = word[probe] {
                if ":=<>~".contains(c) { return c }
                if c.isWhitespace || c == "(" || c == ")" { return nil }
            }
            probe -= 1
        }
        return nil
    }

    /// The template's commands, each as words of literal characters (as the shell passes them)
    /// and placeholders; redirection targets are left out.
    static func words(of template: Template) -> (commands: [[Word]], problems: [String]) {
        var problems: [String] = []
        var commands: [[Word]] = [[]]
        var word: Word = []
        var inWord = false
        var redirectTarget = false
        var quote: Character?
        var escaped = false
        func endWord() {
            if inWord {
                if redirectTarget { redirectTarget = false } else { commands[commands.count - 1].append(word) }
            }
            word = []
            inWord = false
        }
        func endCommand() {
            endWord()
            if !commands[commands.count - 1].isEmpty { commands.append([]) }
        }
        for part in template.parts {
            guard case .text(let text) = part else {
                if case .field(let name, let modifiers) = part { word.append(.field(name: name, modifiers: modifiers)) }
                inWord = true
                continue
            }
            let chars = Array(text)
            var index = 0
            while index < chars.count {
                let c = chars[index]
                defer { index += 1 }
                if escaped {
                    escaped = false
                    if c != "\n" { word.append(.char(c)); inWord = true }
                    continue
                }
                if c == "`" { problems.append("backquotes are not allowed in a command template; use $(…)") }
                switch quote {
                case "'":
                    if c == "'" { quote = nil } else { word.append(.char(c)) }
                case "\"":
                    if c == "\\", index + 1 < chars.count, "$`\"\\\n".contains(chars[index + 1]) { escaped = true }
                    else if c == "\"" { quote = nil }
                    else if c == "$", index + 1 < chars.count, chars[index + 1] == "(" {
                        problems.append("$(…) inside \"…\" is not allowed in a command template")
                    } else { word.append(.char(c)) }
                default:
                    switch c {
                    case "\\": escaped = true; inWord = true
                    case "'", "\"": quote = c; inWord = true
                    case " ", "\t": endWord()
                    case "\n", ";", "|", "&", "(", ")": endCommand()
                    case "<", ">":
                        if c == "<", let close = chars[(index + 1)...].firstIndex(of: ">"), close > index + 1,
                            chars[(index + 1)..<close].allSatisfy({ $0.isUppercase || $0 == "_" }) {
                            problems.append("write the placeholder \(String(chars[index...close])) as '\(String(chars[index...close]))': unquoted it is a redirection")
                        }
                        endWord()
                        redirectTarget = true
                    default: word.append(.char(c)); inWord = true
                    }
                }
            }
        }
        if quote != nil { problems.append("a quote (\(quote!)) is never closed") }
        endCommand()
        return (commands.filter { !$0.isEmpty }, problems)
    }
}
