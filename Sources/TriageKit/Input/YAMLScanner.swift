import Foundation

/// A line-based scanner for the YAML that gcloud prints (block mappings, `- ` sequences at the
/// parent key's indentation, plain or quoted scalars, a `---` line before each document). It walks
/// a `FieldSchema` like the JSON scanner and fills the same slots, so every later stage is blind
/// to the format. Values it does not descend into are kept as raw line blocks, decoded lazily.
struct YAMLScanner {
    let schema: FieldSchema

    fileprivate struct Frame {
        var keyIndent: Int
        /// The schema node whose keys are read at the next level, or -1 when the block is opaque.
        var node: Int
        var rawField: Field?
        var rawStart: Int
    }

    private struct PendingScalar {
        var keyIndent: Int
        var field: Field?
        var offset: Int
    }

    /// Open block mappings, innermost last. Kept between documents so that a document does not
    /// allocate one: frames are pushed only along the schema's paths, so its depth bounds them.
    private let frames: FrameStack

    init(schema: FieldSchema) {
        self.schema = schema
        frames = FrameStack(capacity: schema.depth + 2)
    }

    /// Scans one document from `start` and returns where the next begins (the offset of the next
    /// `---` line, or `end`). Throws `.incomplete` when the buffer ends first and more may follow.
    /// `lineFeeds` is set to the number of line feeds in the document: the scanner meets each
    /// one anyway, and the reader keeps its line count from them instead of a second pass.
    func scanDocument(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, atEndOfInput: Bool,
        into fields: inout RecordFields, lineFeeds: inout Int
    ) throws(ScanError) -> Int {
        fields.reset(base: base)
        fields.isYAML = true
        frames.removeAll()
        var pending: PendingScalar?
        var i = start
        var sawContent = false
        var documentEnd = end
        var feeds = 0
        var terminated = false  // ended by a `---` or `...` line, not by the buffer

        func closeFrames(above indent: Int, dash: Bool, at lineStart: Int) {
            while let top = frames.top, top.keyIndent > indent || (top.keyIndent == indent && !dash) {
                if let field = top.rawField {
                    var stop = lineStart
                    while stop > top.rawStart && (base[stop - 1] == 0x0A || base[stop - 1] == 0x0D) { stop -= 1 }
                    fields.set(field, offset: top.rawStart, count: max(0, stop - top.rawStart), flags: .rawYAML)
                }
                frames.removeLast()
            }
        }

        lines: while i < end {
            let lineStart = i
            var lineEnd: Int
            if let newline = ByteSearch.newline(in: base, from: i, to: end) {
                lineEnd = newline
                i = lineEnd + 1
                feeds += 1
            } else {
                guard atEndOfInput else { throw .incomplete }
                lineEnd = end
                i = end
            }
            if lineEnd > lineStart && base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            var contentStart = lineStart
            while contentStart < lineEnd && base[contentStart] == 0x20 { contentStart += 1 }
            if contentStart == lineEnd || base[contentStart] == 0x23 { continue }  // blank or comment
            let indent = contentStart - lineStart

            if indent == 0 && base[contentStart] == 0x2D && lineEnd - contentStart >= 3
                && base[contentStart + 1] == 0x2D && base[contentStart + 2] == 0x2D
                && (lineEnd - contentStart == 3 || base[contentStart + 3] == 0x20)
            {
                if sawContent {
                    documentEnd = lineStart
                    feeds -= 1  // this `---` line belongs to the next document
                    terminated = true
                    break lines
                }
                continue
            }
            if indent == 0 && lineEnd - contentStart == 3 && base[contentStart] == 0x2E
                && base[contentStart + 1] == 0x2E && base[contentStart + 2] == 0x2E
            {
                if sawContent {
                    documentEnd = i
                    terminated = true
                    break lines
                }
                continue
            }
            sawContent = true

            // A line indented under a scalar continues it (a wrapped plain or quoted value).
            if let scalar = pending {
                if indent > scalar.keyIndent {
                    if let field = scalar.field {
                        fields.set(field, offset: scalar.offset, count: lineEnd - scalar.offset, flags: .yamlScalar)
                    }
                    continue
                }
                pending = nil
            }

            let isDash = base[contentStart] == 0x2D && (contentStart + 1 == lineEnd || base[contentStart + 1] == 0x20)
            closeFrames(above: indent, dash: isDash, at: lineStart)
            let node = frames.top?.node ?? 0
            if node < 0 || isDash { continue }  // inside a block kept raw or skipped

            // key: value
            var keyStart = contentStart
            var keyEnd: Int
            var cursor: Int
            let first = base[contentStart]
            if first == 0x27 || first == 0x22 {
                keyStart = contentStart + 1
                var k = keyStart
                while k < lineEnd && base[k] != first { k += 1 }
                guard k < lineEnd, k + 1 < lineEnd, base[k + 1] == 0x3A else {
                    throw .malformed(offset: lineStart, reason: "expected 'key: value'")
                }
                keyEnd = k
                cursor = k + 2
            } else {
                var k = contentStart
                while k < lineEnd && !(base[k] == 0x3A && (k + 1 == lineEnd || base[k + 1] == 0x20)) { k += 1 }
                guard k < lineEnd else {
                    throw .malformed(offset: lineStart, reason: "expected 'key: value'")
                }
                keyEnd = k
                cursor = k + 1
            }
            while cursor < lineEnd && base[cursor] == 0x20 { cursor += 1 }
            let child = schema.child(of: node, key: base + keyStart, count: keyEnd - keyStart)

            if cursor == lineEnd {
                // A block value follows on the next lines.
                if child >= 0 {
                    let childNode = schema.nodes[child]
                    if childNode.hasChildren {
                        try frames.push(Frame(keyIndent: indent, node: child, rawField: childNode.field, rawStart: i), at: lineStart)
                    } else {
                        try frames.push(Frame(keyIndent: indent, node: -1, rawField: childNode.field, rawStart: i), at: lineStart)
                    }
                } else {
                    try frames.push(Frame(keyIndent: indent, node: -1, rawField: nil, rawStart: i), at: lineStart)
                }
                continue
            }

            let field: Field? = child >= 0 ? schema.nodes[child].field : nil
            let v = base[cursor]
            var valueEnd = lineEnd
            while valueEnd > cursor && base[valueEnd - 1] == 0x20 { valueEnd -= 1 }
            if v == 0x27 || v == 0x22 {
                // Quoted: take the inside as is when it closes on this line with no escapes.
                var simple = valueEnd - cursor >= 2 && base[valueEnd - 1] == v
                if simple {
                    var k = cursor + 1
                    while k < valueEnd - 1 {
                        let c = base[k]
                        if c == v || (v == 0x22 && c == 0x5C) { simple = false; break }
                        k += 1
                    }
                }
                if let field {
                    if simple {
                        fields.set(field, offset: cursor + 1, count: valueEnd - cursor - 2, flags: .string)
                    } else {
                        fields.set(field, offset: cursor, count: valueEnd - cursor, flags: .yamlScalar)
                    }
                }
                pending = PendingScalar(keyIndent: indent, field: field, offset: cursor)
            } else if v == 0x7C || v == 0x3E {
                if let field { fields.set(field, offset: cursor, count: valueEnd - cursor, flags: .yamlScalar) }
                pending = PendingScalar(keyIndent: indent, field: field, offset: cursor)
            } else if v == 0x7B || v == 0x5B {
                if let field { fields.set(field, offset: cursor, count: valueEnd - cursor, flags: .rawYAML) }
                pending = PendingScalar(keyIndent: indent, field: nil, offset: cursor)
            } else {
                if let field { fields.set(field, offset: cursor, count: valueEnd - cursor, flags: []) }
                pending = PendingScalar(keyIndent: indent, field: field, offset: cursor)
            }
        }
        // The buffer ending on a line break is not the document ending: more lines may follow.
        if !terminated && !atEndOfInput { throw .incomplete }
        closeFrames(above: -1, dash: false, at: documentEnd)
        fields.recordOffset = start
        fields.recordCount = documentEnd - start
        lineFeeds = feeds
        return documentEnd
    }
}

/// A fixed stack of frames, allocated once per scanner.
private final class FrameStack {
    private let storage: UnsafeMutablePointer<YAMLScanner.Frame>
    private let capacity: Int
    private var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var top: YAMLScanner.Frame? { count > 0 ? storage[count - 1] : nil }

    @inline(__always)
    func push(_ frame: YAMLScanner.Frame, at offset: Int) throws(ScanError) {
        // Unreachable for a schema-shaped document (only schema keys push), kept as a guard.
        guard count < capacity else { throw .malformed(offset: offset, reason: "mapping nested deeper than any field read") }
        (storage + count).initialize(to: frame)
        count += 1
    }

    func removeLast() { count -= 1 }

    func removeAll() { count = 0 }
}

/// Decodes a YAML scalar as spelled in gcloud's output: quoted, block, or plain and wrapped.
enum YAMLScalarDecoder {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        decode(String(decoding: bytes, as: UTF8.self))
    }

    static func decode(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        guard let first = lines.first?.trimmingCharacters(in: .whitespaces), !first.isEmpty else { return "" }
        if first.hasPrefix("|") || first.hasPrefix(">") {
            let body = Array(lines.dropFirst())
            let indent = body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                .map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
            let stripped = body.map { String($0.dropFirst(min(indent, $0.count))) }
            var result: String
            if first.hasPrefix("|") {
                result = stripped.joined(separator: "\n")
            } else {
                result = fold(stripped)
            }
            if !first.contains("-") { result += "\n" }
            return result
        }
        let folded = fold(lines.map { $0.trimmingCharacters(in: .whitespaces) })
        if folded.hasPrefix("'") && folded.hasSuffix("'") && folded.count >= 2 {
            return String(folded.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        }
        if folded.hasPrefix("\"") && folded.hasSuffix("\"") && folded.count >= 2 {
            return unescapeDoubleQuoted(String(folded.dropFirst().dropLast()))
        }
        return folded
    }

    /// YAML 1.1 double-quoted escapes, which PyYAML (and so gcloud) uses: \e for ESC, \a for
    /// BEL, \xHH for any byte it will not print, as well as JSON's.
    static func unescapeDoubleQuoted(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        func hex(_ count: Int) -> Unicode.Scalar? {
            var value: UInt32 = 0
            for _ in 0..<count {
                guard let c = scalars.next(), let digit = UInt32(String(c), radix: 16) else { return nil }
                value = value << 4 | digit
            }
            return Unicode.Scalar(value)
        }
        while let c = scalars.next() {
            guard c == "\\" else {
                result.append(c)
                continue
            }
            guard let e = scalars.next() else { break }
            switch e {
            case "0": result.append("\u{0}")
            case "a": result.append("\u{7}")
            case "b": result.append("\u{8}")
            case "t", "\t": result.append("\t")
            case "n": result.append("\n")
            case "v": result.append("\u{B}")
            case "f": result.append("\u{C}")
            case "r": result.append("\r")
            case "e": result.append("\u{1B}")
            case " ": result.append(" ")
            case "\"": result.append("\"")
            case "/": result.append("/")
            case "\\": result.append("\\")
            case "N": result.append("\u{85}")
            case "_": result.append("\u{A0}")
            case "L": result.append("\u{2028}")
            case "P": result.append("\u{2029}")
            case "x": if let v = hex(2) { result.append(v) }
            case "u": if let v = hex(4) { result.append(v) }
            case "U": if let v = hex(8) { result.append(v) }
            case "\n": break  // an escaped line break joins the lines
            default:
                result.append("\\")
                result.append(e)
            }
        }
        return String(result)
    }

    /// YAML line folding: a single line break becomes a space, an empty line a newline.
    static func fold(_ lines: [String]) -> String {
        var result = ""
        var pendingBreaks = 0
        for (index, line) in lines.enumerated() {
            if line.isEmpty && index > 0 {
                pendingBreaks += 1
                continue
            }
            if index > 0 { result += pendingBreaks > 0 ? String(repeating: "\n", count: pendingBreaks) : " " }
            pendingBreaks = 0
            result += line
        }
        return result
    }
}

/// Decodes a block of gcloud YAML lines (a mapping or a sequence) into Foundation values, for the
/// few fields read lazily. Plain scalars that are integers become Int, like JSON numbers.
enum YAMLBlockDecoder {
    private struct Line {
        let indent: Int
        let text: Substring
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> Any? {
        decode(String(decoding: bytes, as: UTF8.self))
    }

    static func decode(_ text: String) -> Any? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed == "{}" { return [String: Any]() }
        if trimmed == "[]" { return [Any]() }
        var lines: [Line] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let indent = line.prefix(while: { $0 == " " }).count
            let content = line.dropFirst(indent)
            if content.isEmpty || content.hasPrefix("#") { continue }
            lines.append(Line(indent: indent, text: content))
        }
        guard !lines.isEmpty else { return nil }
        var index = 0
        return parseBlock(&lines, &index, indent: lines[0].indent, depth: 1)
    }

    /// Each level is a call: what nests deeper than `YAMLDocument.maximumDepth` is passed over
    /// (read as null) rather than overflow the stack. A `- ` item's line is rewritten in place as
    /// the mapping or sequence it opens (`- key: v` → `key: v` two columns in): it is consumed by
    /// that parse, and copying every line per item cost quadratic time. Every item takes at least
    /// its own line, so no input loops (`- - nat:` once appended empty mappings until memory ran out).
    private static func parseBlock(_ lines: inout [Line], _ index: inout Int, indent: Int, depth: Int) -> Any {
        guard depth <= YAMLDocument.maximumDepth else {
            while index < lines.count, lines[index].indent >= indent { index += 1 }
            return NSNull()
        }
        if lines[index].text.hasPrefix("- ") || lines[index].text == "-" {
            var items: [Any] = []
            while index < lines.count, lines[index].indent == indent,
                lines[index].text.hasPrefix("- ") || lines[index].text == "-"
            {
                let start = index
                let rest = lines[index].text.dropFirst(2)
                let itemIndent = indent + 2
                if rest.isEmpty {
                    index += 1
                    if index < lines.count, lines[index].indent > indent {
                        items.append(parseBlock(&lines, &index, indent: lines[index].indent, depth: depth + 1))
                    }
                } else if rest.hasPrefix("- ") || rest == "-" {
                    // "- - x": a sequence inside the item.
                    lines[index] = Line(indent: itemIndent, text: rest)
                    items.append(parseBlock(&lines, &index, indent: itemIndent, depth: depth + 1))
                } else if splitKey(rest) != nil {
                    // "- key: value" opens a mapping whose later keys sit at indent + 2.
                    lines[index] = Line(indent: itemIndent, text: rest)
                    items.append(parseMapping(&lines, &index, indent: itemIndent, depth: depth + 1))
                } else {
                    items.append(scalar(String(rest), followedBy: lines, &index, parentIndent: indent))
                }
                if index == start { index += 1 }
            }
            return items
        }
        return parseMapping(&lines, &index, indent: indent, depth: depth)
    }

    private static func parseMapping(_ lines: inout [Line], _ index: inout Int, indent: Int, depth: Int) -> [String: Any] {
        var mapping: [String: Any] = [:]
        while index < lines.count, lines[index].indent == indent, !lines[index].text.hasPrefix("- ") {
            guard let (key, value) = splitKey(lines[index].text) else {
                index += 1
                continue
            }
            if value.isEmpty {
                index += 1
                if index < lines.count,
                    lines[index].indent > indent
                        || (lines[index].indent == indent && lines[index].text.hasPrefix("- "))
                {
                    mapping[key] = parseBlock(&lines, &index, indent: lines[index].indent, depth: depth + 1)
                } else {
                    mapping[key] = NSNull()
                }
            } else {
                mapping[key] = scalar(String(value), followedBy: lines, &index, parentIndent: indent)
            }
        }
        return mapping
    }

    /// A scalar on the current line plus any deeper continuation lines.
    private static func scalar(_ first: String, followedBy lines: [Line], _ index: inout Int, parentIndent: Int) -> Any {
        var text = first
        index += 1
        while index < lines.count, lines[index].indent > parentIndent,
            !(splitKey(lines[index].text) != nil && !first.hasPrefix("'") && !first.hasPrefix("\"") && !first.hasPrefix("|")
                && !first.hasPrefix(">") && lines[index].indent <= parentIndent + 2)
        {
            text += "\n" + String(repeating: " ", count: lines[index].indent) + lines[index].text
            index += 1
        }
        if first == "{}" { return [String: Any]() }
        if first == "[]" { return [Any]() }
        let quoted = first.hasPrefix("'") || first.hasPrefix("\"") || first.hasPrefix("|") || first.hasPrefix(">")
        let decoded = YAMLScalarDecoder.decode(text)
        if !quoted {
            if let number = Int(decoded) { return number }
            if decoded == "true" { return true }
            if decoded == "false" { return false }
            if decoded == "null" || decoded == "~" { return NSNull() }
        }
        return decoded
    }

    private static func splitKey(_ text: Substring) -> (String, Substring)? {
        if let quote = text.first, quote == "'" || quote == "\"" {
            // The closing quote: not one escaped with a backslash ("…") or doubled ('…').
            var close = text.index(after: text.startIndex)
            while close < text.endIndex {
                let next = text.index(after: close)
                if quote == "\"" && text[close] == "\\" && next < text.endIndex {
                    close = text.index(after: next)
                } else if text[close] == quote && !(quote == "'" && next < text.endIndex && text[next] == "'") {
                    break
                } else {
                    close = text[close] == quote ? text.index(after: next) : next
                }
            }
            guard close < text.endIndex else { return nil }
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            return (String(text[text.index(after: text.startIndex)..<close]), after.dropFirst().drop(while: { $0 == " " }))
        }
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == ":" {
                let next = text.index(after: index)
                if next == text.endIndex || text[next] == " " {
                    return (String(text[..<index]), text[next...].drop(while: { $0 == " " }))
                }
            }
            index = text.index(after: index)
        }
        return nil
    }
}
