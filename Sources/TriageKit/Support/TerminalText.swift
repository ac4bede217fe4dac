/// Text from logs is attacker-controlled: escape sequences in it could rewrite the operator's
/// terminal. Everything read from an input passes through here before it is printed.
public enum TerminalText {
    /// Replaces C0/C1 control characters (except newline and tab when allowed) and DEL with
    /// visible escapes like `\x1b`.
    public static func sanitize(_ text: String, keepNewlines: Bool = false) -> String {
        var needsWork = false
        for scalar in text.unicodeScalars where isControl(scalar, keepNewlines: keepNewlines) {
            needsWork = true
            break
        }
        guard needsWork else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar, keepNewlines: keepNewlines) {
                let hex = String(scalar.value, radix: 16)
                for s in "\\x\(hex.count < 2 ? "0" + hex : hex)".unicodeScalars { result.append(s) }
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    static func isControl(_ scalar: Unicode.Scalar, keepNewlines: Bool) -> Bool {
        let v = scalar.value
        if keepNewlines && (v == 0x0A || v == 0x09) { return false }
        // C0, DEL, C1, and the bidi overrides that can disguise text.
        return v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || (v >= 0x202A && v <= 0x202E)
            || (v >= 0x2066 && v <= 0x2069)
    }
}
