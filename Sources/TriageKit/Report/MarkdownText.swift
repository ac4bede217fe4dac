/// Values from evidence written into Markdown so that they stay text: they cannot open or close
/// a code span or fence, start a heading, a list or a quote, break a table row, make a link, an
/// image, an HTML tag or an entity. Each is first escaped to one line and cut (`TerminalText`).
enum MarkdownText {
    /// Prose: every character Markdown could read as syntax is backslash-escaped.
    static func inline(_ text: String, limit: Int = TerminalText.Limit.message) -> String {
        let shown = TerminalText.sanitize(text, limit: limit)
        var out = ""
        out.reserveCapacity(shown.utf8.count)
        for c in shown {
            if special.contains(c) { out.append("\\") }
            out.append(c)
        }
        // A bullet or a numbered list item needs the start of a line: escape its marker there.
        if let first = out.first, first == "-" || first == "+" {
            out = "\\" + out
        } else if let end = out.firstIndex(where: { !$0.isASCII || !$0.isNumber }), end != out.startIndex, out[end] == "." || out[end] == ")" {
            out.insert("\\", at: end)
        }
        return out
    }

    /// A code span that holds the value exactly: its fence is one backtick longer than the
    /// longest run of backticks inside, padded with spaces when the value starts or ends with one.
    /// `inTable` escapes `|`, which GitHub tables split on even inside code.
    static func code(_ text: String, limit: Int = TerminalText.Limit.name, inTable: Bool = false) -> String {
        var shown = TerminalText.sanitize(text, limit: limit)
        if inTable { shown = shown.replacingOccurrences(of: "|", with: "\\|") }
        let fence = String(repeating: "`", count: longestBacktickRun(shown) + 1)
        let pad = shown.hasPrefix("`") || shown.hasSuffix("`") || shown.isEmpty ? " " : ""
        return fence + pad + shown + pad + fence
    }

    /// A fenced block's fence: at least three backticks, longer than any run inside the block.
    static func fence(for block: String) -> String {
        String(repeating: "`", count: max(3, longestBacktickRun(block) + 1))
    }

    /// An autolink when the address is one (no space, no angle bracket, no control), else code.
    static func link(_ address: String) -> String {
        let plain = address.unicodeScalars.allSatisfy { !TerminalText.isControl($0) && $0 != " " && $0 != "<" && $0 != ">" }
        if plain, address.hasPrefix("https://") || address.hasPrefix("http://"), address.count <= TerminalText.Limit.quote {
            return "<\(address)>"
        }
        return code(address, limit: TerminalText.Limit.quote)
    }

    private static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "!", "~", "&"]

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var run = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "`") {
                run += 1
                longest = max(longest, run)
            } else {
                run = 0
            }
        }
        return longest
    }
}
