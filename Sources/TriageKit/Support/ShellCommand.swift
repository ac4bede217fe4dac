/// A command built in Swift, as the words its program receives: each word is literal text and
/// values, each value encoded for the languages it passes through, and the whole word quoted
/// once for the shell. Nothing is interpolated into text that a quote already opened.
public struct ShellCommand: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case literal(String)
        case value(String, [Quote.Language])
    }

    public enum Word: Sendable, Equatable {
        /// One argument.
        case argument([Part])
        /// A separator written by triage itself (`;`, `|`, `&&`), never from a value.
        case separator(String)
        /// Output to a file triage names (`> rules.json`), never from a value.
        case redirect(String)
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
            case .separator: commands.append([])
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
            }
        }.joined()
    }

    /// The command as a user pastes it.
    public var rendered: String {
        var out = ""
        for word in words {
            let text: String
            switch word {
            case .argument(let parts): text = Quote.shellWord(Self.text(parts))
            case .separator(let separator): text = separator
            case .redirect(let file): text = "> " + file
            }
            // `a; b` as people write it.
            out += out.isEmpty || text == ";" ? text : " " + text
        }
        return out
    }
}
