import Foundation

/// The one place a value becomes text for the language it lands in. Values come from logs,
/// pasted text and servers, and the commands they end up in are pasted into a shell with owner
/// rights: every encoding here makes the value arrive as exactly itself, never as syntax.
public enum Quote {
    /// Where a value sits in a shell command: outside quotes, or inside quotes the template opened.
    public enum ShellContext: Sendable, Equatable {
        case unquoted, singleQuoted, doubleQuoted
    }

    /// A language a value passes through before the shell sees it, named in a template as a
    /// modifier: `{network|regex|filter}` escapes the value for a regular expression, then
    /// writes it as one gcloud filter operand.
    public enum Language: String, Sendable, CaseIterable {
        /// A gcloud `--filter` operand (`gcloud topic filters`): bare when a plain word, else
        /// "…" with `\` and `"` escaped.
        case filter
        /// The inside of a Cloud Logging query string literal "…": `\` and `"` escaped.
        case logfilter
        /// A regular expression that matches the value literally (Python `re`, POSIX BRE and ERE).
        case regex

        public func encode(_ value: String) -> String {
            switch self {
            case .filter: return Quote.filterOperand(value)
            case .logfilter: return Quote.loggingStringContent(value)
            case .regex: return Quote.regexLiteral(value)
            }
        }
    }

    /// Applies the languages in order (`regex` before `filter`).
    public static func encode(_ value: String, _ languages: [Language]) -> String {
        languages.reduce(value) { $1.encode($0) }
    }

    // MARK: - Shell

    /// A NUL cannot pass through a shell word or argv; it becomes U+FFFD rather than cutting the value.
    static func withoutNUL(_ value: String) -> String {
        value.contains("\0") ? value.replacingOccurrences(of: "\0", with: "\u{FFFD}") : value
    }

    static func isPlainShellWord(_ value: String) -> Bool {
        !value.isEmpty && value.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._:/,@=+-%".unicodeScalars.contains($0)
        }
    }

    /// One shell word: bare when made only of characters no shell treats specially, else in
    /// single quotes (inside which nothing but `'` is special, and not even `!` expands).
    public static func shellWord(_ value: String) -> String {
        let value = withoutNUL(value)
        if isPlainShellWord(value) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Text inside a shell "…": `\`, `"`, `$` and `` ` `` are escaped, so only a `${NAME}` the
    /// caller writes beside it expands.
    public static func doubleQuotedContent(_ value: String) -> String {
        var out = ""
        for c in withoutNUL(value) {
            if c == "\\" || c == "\"" || c == "$" || c == "`" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The value written where the template put it, so that the shell reads back exactly the
    /// value: inside '…' only `'` needs closing and reopening; inside "…" anything but a plain
    /// word closes the quote, goes in single quotes, and reopens it (`$`, `` ` ``, `\` and the
    /// interactive `!` are live inside double quotes).
    public static func shell(_ value: String, in context: ShellContext) -> String {
        let value = withoutNUL(value)
        switch context {
        case .unquoted: return shellWord(value)
        case .singleQuoted: return value.replacingOccurrences(of: "'", with: "'\\''")
        case .doubleQuoted: return isPlainShellWord(value) ? value : "\"" + shellWord(value) + "\""
        }
    }

    // MARK: - gcloud filters, Cloud Logging queries, regular expressions

    /// A gcloud filter operand: gcloud's lexer ends an unquoted operand at a space or a
    /// parenthesis, and reads "…" with `\\` and `\"` as escapes, also in the middle of a token
    /// (`^gke-"a b"-.*` is one operand).
    public static func filterOperand(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-._/@".unicodeScalars.contains($0)
        }
        if plain { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The inside of a Cloud Logging query string literal ("…").
    public static func loggingStringContent(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// A pattern matching exactly the value in Python `re` (gcloud's `~`), ERE and BRE (grep):
    /// `\`-escapes where all three agree, a bracket where BRE and ERE disagree about `\`.
    public static func regexLiteral(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\", ".", "*", "^", "$", "[": out += "\\" + String(scalar)
            case "+", "?", "(", ")", "{", "}", "|": out += "[" + String(scalar) + "]"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    // MARK: - YAML

    static func isPlainYAMLWord(_ item: Substring) -> Bool {
        guard let first = item.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        let words = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        return item.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._/-".unicodeScalars.contains($0)
        } && !words.contains(item.lowercased())
    }

    /// Plain when YAML would read the value back as the same scalar, else double-quoted. A
    /// comma-separated list of plain items stays plain (`a, b`), so a template writes a list of
    /// ranges as `[{pod_cidrs}]`; numbers stay numbers (`priority: {fix.priority}`).
    public static func yamlScalar(_ value: String) -> String {
        let items = value.split(separator: ",", omittingEmptySubsequences: false)
        if items.allSatisfy(isPlainYAMLWord) { return items.joined(separator: ", ") }
        return "\"" + yamlDoubleQuotedContent(value) + "\""
    }

    /// The inside of a YAML double-quoted scalar: escapes for `"`, `\`, controls and the
    /// characters YAML reads as line breaks (which it would fold into spaces).
    public static func yamlDoubleQuotedContent(_ value: String) -> String {
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\u{85}": escaped += "\\N"
            case "\u{2028}": escaped += "\\L"
            case "\u{2029}": escaped += "\\P"
            case "\u{FEFF}": escaped += "\\uFEFF"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    escaped += String(format: "\\x%02X", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }
}
