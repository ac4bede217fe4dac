/// Joins a YAML double-quoted scalar that gcloud folded over lines back into one line, so a
/// message is recognised whole. gcloud prints an error's `message:` as YAML; a long one is
/// broken with a backslash at the end of each line, the next line indented, and a space that
/// falls on the break escaped as `\ ` (YAML 1.2 §7.3.1, escaped line breaks):
///
///     message: "{\"ResourceType\":\"container.v1.nodePool\",…\"Insufficient regional quota\
///       \ to satisfy request for resource: \\\"IN_USE_ADDRESSES\\\". The request requires\
///       \ '2.0' and is short '1.0'…\"}"
///
/// (kubeflow/kubeflow#842). Only a line that holds a double quote and ends in an odd number of
/// backslashes starts a join; the joined text has YAML's escapes undone (`\"`, `\\`, `\ `), so the
/// JSON inside reads as JSON. A join stops at `limit` bytes, so a runaway one costs no more than
/// a long line.
struct QuotedContinuation {
    private var pending: (text: String, line: Int)?
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// The lines to read for `text`: none while a join goes on, the joined line when it ends,
    /// or the line itself.
    mutating func take(_ text: String, number: Int) -> [(String, Int)] {
        if let (joined, line) = pending {
            // The next line's indentation is not part of the scalar.
            let piece = String(text.drop { $0 == " " || $0 == "\t" })
            let combined = joined + Self.withoutBreak(piece)
            if Self.endsWithEscapedBreak(piece) && combined.utf8.count < limit {
                pending = (combined, line)
                return []
            }
            pending = nil
            return [(Self.unescaped(combined), line)]
        }
        if Self.endsWithEscapedBreak(text) && text.utf8.contains(0x22) {
            pending = (Self.withoutBreak(text), number)
            return []
        }
        return [(text, number)]
    }

    /// A join the text ended inside, as it stands.
    mutating func finish() -> [(String, Int)] {
        guard let (joined, line) = pending else { return [] }
        pending = nil
        return [(Self.unescaped(joined), line)]
    }

    static func endsWithEscapedBreak(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8.reversed() {
            guard byte == 0x5C else { break }
            count += 1
        }
        return count % 2 == 1
    }

    private static func withoutBreak(_ text: String) -> String {
        endsWithEscapedBreak(text) ? String(text.dropLast()) : text
    }

    /// YAML's `\"`, `\\` and `\ ` undone; other escapes are left as they are.
    static func unescaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var escaping = false
        for character in text {
            if escaping {
                escaping = false
                if character == "\"" || character == "\\" || character == " " {
                    out.append(character)
                } else {
                    out.append("\\")
                    out.append(character)
                }
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        if escaping { out.append("\\") }
        return out
    }
}
