/// Text from logs is attacker-controlled: escape sequences in it could rewrite the operator's
/// terminal, a newline in it could print a whole forged line (a fake `ERROR` finding), and bidi
/// controls could make it read as something else. Every value from an input passes through
/// `sanitize` before it is printed as text or Markdown: the one door to the terminal.
public enum TerminalText {
    /// How many characters of a value are shown before it is cut (the whole value is in JSON).
    public enum Limit {
        /// Names, references, addresses, file:line places.
        public static let name = 200
        /// A quoted line of evidence, a problem line.
        public static let quote = 1000
        /// A message or an explanation, values filled in.
        public static let message = 2000
    }

    /// Escapes every C0 and C1 control (newline and tab included), DEL and the bidi and line
    /// separator code points, as `\n`, `\t`, `\r`, `\x1b`, `\u0085`, `\u202e`; the text is cut
    /// after `limit` characters with an ellipsis and the count of characters left out.
    public static func sanitize(_ text: String, limit: Int? = nil) -> String {
        var needsWork = false
        for scalar in text.unicodeScalars where isControl(scalar) {
            needsWork = true
            break
        }
        var count = 0
        if let limit {
            // Counted in Unicode scalars: what can be cut without decoding grapheme clusters.
            for _ in text.unicodeScalars {
                count += 1
                if count > limit { needsWork = true; break }
            }
        }
        guard needsWork else { return text }
        var result = String.UnicodeScalarView()
        var shown = 0
        for scalar in text.unicodeScalars {
            if let limit, shown == limit {
                let omitted = text.unicodeScalars.count - limit
                return String(result) + "… (\(omitted) more character\(omitted == 1 ? "" : "s"))"
            }
            shown += 1
            if isControl(scalar) {
                result.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// `\n`, `\t`, `\r`; `\xHH` for the other C0 controls and DEL; `\uHHHH` above.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        default:
            let hex = String(scalar.value, radix: 16)
            if scalar.value < 0x80 { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
            return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }

    /// C0, DEL, C1, the Arabic letter mark, LRM/RLM, the bidi embeddings, overrides and
    /// isolates, and the line and paragraph separators.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || v == 0x061C || v == 0x200E || v == 0x200F
            || (v >= 0x2028 && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
    }
}
