/// Pasted terminal output often keeps colour codes (kubectl with `--color`, helm, kfctl's logrus
/// output). They are removed before a line is matched, so `\e[31mError\e[0m:` reads as `Error:`.
public enum TerminalEscapes {
    /// The text without ANSI CSI sequences (`ESC [ … final`), OSC sequences (`ESC ] … BEL|ESC \`)
    /// and other two-byte escapes; a trailing carriage return (CRLF input) is dropped too.
    public static func strip(_ text: String) -> String {
        var hasWork = false
        for scalar in text.unicodeScalars where scalar == "\u{1B}" || scalar == "\r" {
            hasWork = true
            break
        }
        guard hasWork else { return text }
        var result = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar == "\r" && i == scalars.count - 1 { break }
            guard scalar == "\u{1B}", i + 1 < scalars.count else {
                result.append(scalar)
                i += 1
                continue
            }
            let kind = scalars[i + 1]
            i += 2
            if kind == "[" {
                // Parameters and intermediates, then one final byte in @…~.
                while i < scalars.count, !(0x40...0x7E).contains(scalars[i].value) { i += 1 }
                i += 1
            } else if kind == "]" {
                while i < scalars.count {
                    if scalars[i] == "\u{07}" { i += 1; break }
                    if scalars[i] == "\u{1B}", i + 1 < scalars.count, scalars[i + 1] == "\\" { i += 2; break }
                    i += 1
                }
            }
        }
        return String(result)
    }
}
