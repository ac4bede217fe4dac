/// Bytes of a text input turned into the lines the text parsers read: invalid UTF-8 is replaced
/// with U+FFFD (never fatal), and a line is cut at a bound so that one endless line costs no
/// more than a short one.
enum TextLine {
    /// The line as a String; bytes that are not UTF-8 become U+FFFD.
    static func decode(_ bytes: UnsafePointer<UInt8>, count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Where to cut `count` bytes so that at most `limit` are kept, backing off (up to three
    /// bytes) so that a multi-byte character is not split.
    static func cut(_ bytes: UnsafePointer<UInt8>, count: Int, limit: Int) -> Int {
        guard count > limit else { return count }
        var end = limit
        // 0b10xxxxxx continues a character: the cut goes before the character it belongs to.
        while end > limit - 3 && end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }

    /// `text` cut to at most `limit` bytes of UTF-8 on a character boundary, with an ellipsis
    /// when something was cut: what a quote keeps of an endless line.
    static func capped(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var end = text.utf8.index(text.utf8.startIndex, offsetBy: limit)
        while end > text.startIndex && end.samePosition(in: text.unicodeScalars) == nil {  // inside a character
            end = text.utf8.index(before: end)
        }
        return String(text[..<end]) + "…"
    }
}
