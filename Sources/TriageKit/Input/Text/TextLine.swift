import Foundation

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

    /// `text` without the spaces and tabs at its ends, and with `unicodeSpaces` the other blanks
    /// Foundation's `.whitespaces` holds too. Every text line is trimmed, and Foundation's
    /// `trimmingCharacters` goes through NSString (a tenth of the text path's time): ASCII ends are
    /// done on the UTF-8 bytes, and only a line that ends in a non-ASCII byte asks Foundation.
    static func trimmingBlanks(_ text: String, unicodeSpaces: Bool = false) -> String {
        let bytes = text.utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while end > start, case let last = bytes[bytes.index(before: end)], last == 0x20 || last == 0x09 { end = bytes.index(before: end) }
        if unicodeSpaces, start < end, bytes[start] >= 0x80 || bytes[bytes.index(before: end)] >= 0x80 {
            return text.trimmingCharacters(in: .whitespaces)
        }
        if start == bytes.startIndex && end == bytes.endIndex { return text }
        return String(text[start..<end])
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
