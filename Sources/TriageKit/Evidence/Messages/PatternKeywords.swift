/// The literal words a regular expression cannot match without, for the prefilter that keeps the
/// regular expressions off the lines that cannot hold them (most lines of a pasted log).
///
/// For each top-level alternative, the longest run of literal characters outside any group,
/// character class or quantified atom; the pattern may match only when one of those words occurs
/// (lower-cased). Nil when an alternative has no run of three characters: the rule then names its
/// `keywords:` itself.
enum PatternKeywords {
    static func required(in pattern: String) -> [String]? {
        var words: [String] = []
        for alternative in topLevelAlternatives(stripFlags(pattern)) {
            guard let longest = runs(in: alternative).max(by: { $0.count < $1.count }), longest.count >= 3 else { return nil }
            words.append(longest.lowercased())
        }
        return words.isEmpty ? nil : Array(Set(words)).sorted()
    }

    /// `(?i)` and similar leading flag groups say nothing about the text.
    static func stripFlags(_ pattern: String) -> Substring {
        var rest = pattern[...]
        while rest.hasPrefix("(?"), let close = rest.firstIndex(of: ")"),
            rest[rest.index(rest.startIndex, offsetBy: 2)..<close].allSatisfy({ $0.isLetter || $0 == "-" })
        {
            rest = rest[rest.index(after: close)...]
        }
        return rest
    }

    static func topLevelAlternatives(_ pattern: Substring) -> [Substring] {
        var parts: [Substring] = []
        var depth = 0
        var inClass = false
        var start = pattern.startIndex
        var index = pattern.startIndex
        while index < pattern.endIndex {
            let character = pattern[index]
            if character == "\\" {
                index = pattern.index(after: index)
                if index < pattern.endIndex { index = pattern.index(after: index) }
                continue
            }
            if inClass {
                if character == "]" { inClass = false }
            } else if character == "[" {
                inClass = true
            } else if character == "(" {
                depth += 1
            } else if character == ")" {
                depth -= 1
            } else if character == "|" && depth == 0 {
                parts.append(pattern[start..<index])
                start = pattern.index(after: index)
            }
            index = pattern.index(after: index)
        }
        parts.append(pattern[start...])
        return parts
    }

    /// The literal runs at depth 0 of one alternative.
    static func runs(in alternative: Substring) -> [String] {
        var runs: [String] = []
        var current = ""
        func end() {
            if !current.isEmpty { runs.append(current) }
            current = ""
        }
        let characters = Array(alternative)
        var index = 0
        var depth = 0
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            // A quantifier that allows zero makes the atom before it optional.
            let optional = next == "?" || next == "*" || next == "{"
            switch character {
            case "\\":
                guard let escaped = next else { index += 1; continue }
                let after = index + 2 < characters.count ? characters[index + 2] : nil
                let quantified = after == "?" || after == "*" || after == "{"
                if depth == 0, !escaped.isLetter, !escaped.isNumber, !quantified {
                    current.append(escaped)
                } else {
                    end()
                }
                index += 2
                continue
            case "(":
                end()
                depth += 1
            case ")":
                depth -= 1
                end()
            case "[":
                end()
                // Skip the class (an escaped `]` inside does not close it).
                index += 1
                while index < characters.count && characters[index] != "]" {
                    if characters[index] == "\\" { index += 1 }
                    index += 1
                }
            case ".", "^", "$", "+", "*", "?", "|":
                end()
            case "{":
                end()
                while index < characters.count && characters[index] != "}" { index += 1 }
            default:
                if depth == 0 && !optional {
                    current.append(character)
                } else {
                    end()
                }
            }
            index += 1
        }
        end()
        return runs
    }
}
