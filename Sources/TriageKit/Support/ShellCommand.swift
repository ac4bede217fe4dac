/// A command built in Swift, as the words its program receives: each word is literal text and
/// values, each value encoded for the languages it passes through, and the whole word quoted
/// once for the shell. Nothing is interpolated into text that a quote already opened.
public struct ShellCommand: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case literal(String)
        case value(String, [Quote.Language])
        /// A value the evidence did not give, by the shell variable a script names it with
        /// (`NODE_TAG`): pasted as `<NODE_TAG>`, in a script as `${NODE_TAG}`.
        case missing(String)
    }

    public enum Word: Sendable, Hashable {
        /// One argument.
        case argument([Part])
        /// A separator written by triage itself (`;`, `|`, `&&`), never from a value.
        case separator(String)
        /// Output to a file triage names (`> rules.json`), never from a value.
        case redirect(String)
        /// Shell syntax a rule's template writes (a loop, a command substitution) that words
        /// cannot say, with its values already quoted for where they sit (`Template`): as pasted,
        /// and as a script writes it (missing values as variables).
        case shell(paste: String, script: String)
    }

    public var words: [Word]

    public init(_ words: [Word]) { self.words = words }

    /// The program and its fixed arguments, split at spaces (literal text only).
    public init(_ program: String) {
        words = program.split(separator: " ").map { .argument([.literal(String($0))]) }
    }

    public func adding(_ word: Word) -> ShellCommand { ShellCommand(words + [word]) }
    public func adding(_ parts: Part...) -> ShellCommand { adding(.argument(parts)) }
    public func adding(literal text: String) -> ShellCommand { adding(.argument([.literal(text)])) }
    /// `--name=value` with the value as given.
    public func adding(flag name: String, _ value: String) -> ShellCommand {
        adding(.literal("--\(name)="), .value(value, []))
    }
    /// `--name=value`, or `--name=<VARIABLE>` when the value is not known.
    public func adding(flag name: String, _ value: String?, missing variable: String) -> ShellCommand {
        adding(.literal("--\(name)="), value.map { .value($0, []) } ?? .missing(variable))
    }
    /// `--name=value` when there is a value, else nothing.
    public func adding(flag name: String, ifGiven value: String?) -> ShellCommand {
        value.map { adding(flag: name, $0) } ?? self
    }
    public func adding(separator: String) -> ShellCommand { adding(.separator(separator)) }
    public func adding(redirect file: String) -> ShellCommand { adding(.redirect(file)) }

    /// Each argument's text as the program receives it.
    public var arguments: [[String]] {
        var commands: [[String]] = [[]]
        for word in words {
            switch word {
            case .argument(let parts): commands[commands.count - 1].append(Self.text(parts))
            case .separator, .shell: commands.append([])
            case .redirect: break
            }
        }
        return commands.filter { !$0.isEmpty }
    }

    static func text(_ parts: [Part]) -> String {
        parts.map { part in
            switch part {
            case .literal(let text): return text
            case .value(let value, let languages): return Quote.encode(value, languages)
            case .missing(let name): return "<" + name + ">"
            }
        }.joined()
    }

    /// The values this command lacks, by variable name, in order.
    public var missing: [String] {
        var names: [String] = []
        for word in words {
            switch word {
            case .argument(let parts):
                for case .missing(let name) in parts where !names.contains(name) { names.append(name) }
            case .shell(_, let script):
                for name in Self.variables(in: script) where !names.contains(name) { names.append(name) }
            case .separator, .redirect: break
            }
        }
        return names
    }

    /// The variables a script form uses (`${NAME}`, as `Template` writes them).
    static func variables(in form: String) -> [String] {
        var names: [String] = []
        var rest = Substring(form)
        while let start = rest.range(of: "${") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            let name = String(rest[..<end])
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }), !names.contains(name) {
                names.append(name)
            }
            rest = rest[end...]
        }
        return names
    }

    /// One argument for the shell. `--flag=value` keeps the flag bare and quotes the value
    /// alone, as people write it; the shell passes the same word either way.
    static func shellArgument(_ parts: [Part], script: Bool) -> String {
        let text = Self.text(parts)
        var flag = ""
        if text.hasPrefix("--"), let equals = text.firstIndex(of: "="),
            Quote.isPlainShellWord(String(text[..<equals])), literalPrefixLength(parts) > text.distance(from: text.startIndex, to: equals) {
            flag = String(text[...equals])
        }
        let hasMissing = parts.contains { if case .missing = $0 { return true } else { return false } }
        guard script, hasMissing else {
            return flag + Quote.shellWord(String(text.dropFirst(flag.count)))
        }
        // In a script a missing value is a variable, expanded inside double quotes.
        var body = ""
        var skip = flag.count
        for part in parts {
            let piece: String
            switch part {
            case .missing(let name):
                body += "${" + name + "}"
                continue
            case .literal(let text): piece = text
            case .value(let value, let languages): piece = Quote.encode(value, languages)
            }
            let kept = String(piece.dropFirst(min(skip, piece.count)))
            skip = max(0, skip - piece.count)
            body += Quote.doubleQuotedContent(kept)
        }
        return flag + "\"" + body + "\""
    }

    /// How many characters at the start of a word are the template's own text.
    static func literalPrefixLength(_ parts: [Part]) -> Int {
        var length = 0
        for part in parts {
            guard case .literal(let text) = part else { break }
            length += text.count
        }
        return length
    }


    /// The command as a script runs it: a missing value is a shell variable the script declares.
    public var scriptRendered: String { render(script: true) }

    /// The command as a user pastes it.
    public var rendered: String { render(script: false) }

    private func render(script: Bool) -> String {
        var out = ""
        for word in words {
            let text: String
            switch word {
            case .argument(let parts): text = Self.shellArgument(parts, script: script)
            case .shell(let paste, let scriptForm): text = script ? scriptForm : paste
            case .separator(let separator): text = separator
            case .redirect(let file): text = "> " + file
            }
            // `a; b` as people write it.
            out += out.isEmpty || text == ";" ? text : " " + text
        }
        return out
    }
}
