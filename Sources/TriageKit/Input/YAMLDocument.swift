import Yams

/// Decodes a YAML document the user gave (a cluster description, a config or unknown document
/// among the inputs, a `--rules` file or a rule sample) with Yams, within bounds. Anchors and
/// aliases let a few kilobytes expand to gigabytes ("billion laughs"), so before anything is
/// built: the text is scanned for aliases (none in gcloud or kubectl output, so that is the
/// common, cheap case); with aliases, the document is composed, where an alias shares its
/// anchor's node and so costs no more than its text, and the expansion is measured on that
/// tree, stopping at the bound. Yams composes and converts recursively, so nesting deeper than
/// `maximumDepth` (measured on the text first) and documents over `maximumDocumentBytes` are
/// refused before Yams sees them.
enum YAMLDocument {
    static let maximumAliases = 1_000
    static let maximumExpandedNodes = 1_000_000
    static let maximumExpandedBytes = 64 << 20
    /// Far above any cluster description or config listing (the largest fixture is 53 KB).
    static let maximumDocumentBytes = 8 << 20
    /// Far above kubectl or gcloud output (a dozen levels), far below what overflows a stack.
    static let maximumDepth = 256
    /// The most a document with aliases may nest once composed (text depth × (aliases + 1)).
    static let maximumComposedDepth = 8_192

    /// A document refused, with the 1-based line (within the document) that shows why.
    struct Refused: Error, Equatable {
        var line: Int
        var reason: String
        /// How the run's account counts it.
        var category = "YAML aliases refused"
        /// Whether the document's text may still be searched line by line (it is only large).
        var searchAsText = false
    }

    /// The document decoded (nil when it is not YAML Yams can read), or `Refused`.
    static func load(_ text: String) throws(Refused) -> Any? {
        guard let node = try compose(text) else { return nil }
        return node.any
    }

    /// A document as read: one over the size bound is refused before it is even made a string.
    static func load(_ bytes: UnsafeBufferPointer<UInt8>) throws(Refused) -> Any? {
        try checkSize(bytes.count)
        return try load(String(decoding: bytes, as: UTF8.self))
    }

    private static func checkSize(_ size: Int) throws(Refused) {
        guard size > maximumDocumentBytes else { return }
        throw Refused(
            line: 1, reason: "a YAML document of \(size) bytes, over the \(maximumDocumentBytes >> 20) MiB bound; not decoded, searched as text",
            category: "YAML document too large", searchAsText: true)
    }

    /// The composed document, after the bound checks; nil when it is not YAML.
    static func compose(_ text: String) throws(Refused) -> Node? {
        do {
            return try composeReportingErrors(text)
        } catch let refused as Refused {
            throw refused
        } catch {
            return nil
        }
    }

    /// Like `compose`, but a syntax error is thrown as Yams' own error (with its line), for
    /// callers that report it. Throws `Refused` for a document over a bound.
    static func composeReportingErrors(_ text: String, resolver: Resolver = .default) throws -> Node? {
        let aliases = try check(text)
        let node = try Parser(yaml: text, resolver: resolver).singleRoot()
        if let node, let firstAlias = aliases.first { try measure(node, firstAlias: firstAlias) }
        if let node { try checkKeys(node) }
        return node
    }

    /// Yams converts a mapping by force-unwrapping each key as a string: a key that is itself a
    /// sequence or mapping (`[a]: b`, `{a: 1}: b`, an alias of a collection) would stop the
    /// process. Found by the fuzzer (Fuzz/regressions/cluster-collection-key.yaml); refused here.
    /// Iterative: the depth is bounded already, and the walk stays off the stack anyway.
    private static func checkKeys(_ root: Node) throws(Refused) {
        var pending = [root]
        var visited = 0
        while let node = pending.popLast() {
            visited += 1
            // Aliases are expanded within `maximumExpandedNodes` by `measure`; stay within it too.
            guard visited <= maximumExpandedNodes else { return }
            switch node {
            case .scalar: continue
            case .sequence(let sequence): pending.append(contentsOf: sequence)
            case .mapping(let mapping):
                for (key, value) in mapping {
                    guard case .scalar = key else {
                        throw Refused(
                            line: key.mark?.line ?? 1,
                            reason: "a YAML mapping key that is a sequence or mapping; refused",
                            category: "YAML key not a scalar")
                    }
                    pending.append(value)
                }
            case .alias: continue
            }
        }
    }

    /// Every document in a stream (rule samples), each within the same bounds.
    static func composeAll(_ text: String) throws -> [Node] {
        let aliases = try check(text)
        let parser = try Parser(yaml: text)
        var nodes: [Node] = []
        while let node = try parser.nextRoot() {
            if let firstAlias = aliases.first { try measure(node, firstAlias: firstAlias) }
            try checkKeys(node)
            nodes.append(node)
        }
        return nodes
    }

    /// The checks made on the text before Yams reads it; returns the lines of its aliases.
    private static func check(_ text: String) throws(Refused) -> [Int] {
        try checkSize(text.utf8.count)
        let shape = Shape(of: text)
        if let line = shape.tooDeepLine {
            throw Refused(
                line: line, reason: "YAML nested more than \(maximumDepth) levels deep; refused", category: "YAML nested too deep")
        }
        let aliases = aliasLines(in: text, skipping: shape.blockScalarLines)
        if aliases.count > maximumAliases {
            throw Refused(line: aliases[maximumAliases], reason: "more than \(maximumAliases) YAML aliases; refused")
        }
        // Each alias can place a tree as deep as the text's inside another: the composed document
        // (which Yams builds and releases recursively) is bounded before it is built.
        if let firstAlias = aliases.first, shape.depth * (aliases.count + 1) > maximumComposedDepth {
            throw Refused(
                line: firstAlias, reason: "YAML aliases could nest more than \(maximumComposedDepth) levels deep; refused",
                category: "YAML nested too deep")
        }
        if !aliases.isEmpty, let line = keyAliasLine(in: text, skipping: shape.blockScalarLines) {
            // Mapping keys are hashed whole while composing: an alias there would be expanded.
            throw Refused(line: line, reason: "a YAML alias or collection used as a mapping key; refused")
        }
        return aliases
    }

    /// Measures what the aliases expand to (and how deep), stopping at the bounds.
    private static func measure(_ node: Node, firstAlias: Int) throws(Refused) {
        var budget = Budget()
        if !budget.take(node, depth: 1) {
            throw Refused(
                line: firstAlias,
                reason: budget.tooDeep
                    ? "YAML aliases nest more than \(maximumDepth) levels deep; refused"
                    : "YAML aliases expand to more than \(maximumExpandedNodes) nodes or \(maximumExpandedBytes >> 20) MiB; refused",
                category: budget.tooDeep ? "YAML nested too deep" : "YAML aliases refused")
        }
    }

    /// What the document would be once every alias is replaced by its anchor's node.
    private struct Budget {
        var nodes = 0
        var bytes = 0
        var tooDeep = false

        mutating func take(_ node: Node, depth: Int) -> Bool {
            nodes += 1
            guard nodes <= maximumExpandedNodes else { return false }
            // An alias can place its anchor's tree inside itself again, deeper than the text shows.
            guard depth <= maximumDepth else {
                tooDeep = true
                return false
            }
            switch node {
            case .scalar(let scalar):
                bytes += scalar.string.utf8.count
                return bytes <= maximumExpandedBytes
            case .sequence(let sequence):
                for item in sequence where !take(item, depth: depth + 1) { return false }
                return true
            case .mapping(let mapping):
                for (key, value) in mapping where !take(key, depth: depth + 1) || !take(value, depth: depth + 1) { return false }
                return true
            case .alias:
                return true
            }
        }
    }

    /// How the text nests, measured before Yams reads it. Block levels are counted by
    /// indentation (and each `- ` or `? ` that opens a node on the same line), flow levels by the
    /// `[` and `{` open from where a value starts; quoted text, comments and block scalars' lines
    /// are passed over. An estimate that errs on the side of refusing.
    struct Shape {
        /// The deepest nesting seen (up to the first line past `maximumDepth`).
        var depth = 0
        /// The first line (1-based) that nests deeper than `maximumDepth`.
        var tooDeepLine: Int?
        /// Lines inside block scalars (`|`, `>`): text, where `*` and `}:` mean nothing.
        var blockScalarLines = Set<Int>()

        init(of text: String) {
            var indents: [Int] = []
            var flow = 0
            var quote: UInt8 = 0
            var blockScalarIndent: Int?
            var number = 0
            for raw in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
                number += 1
                let line = Array(raw)
                var i = 0
                while i < line.count && line[i] == 0x20 { i += 1 }
                let blank = i == line.count || line[i] == 0x0D || (quote == 0 && line[i] == 0x23)
                if let parent = blockScalarIndent {
                    if blank || i > parent {
                        blockScalarLines.insert(number)
                        continue
                    }
                    blockScalarIndent = nil
                }
                if blank && flow == 0 && quote == 0 { continue }
                if flow == 0 && quote == 0 {
                    while let last = indents.last, last >= i { indents.removeLast() }
                    indents.append(i)
                    while i + 1 < line.count, line[i] == 0x2D || line[i] == 0x3F, line[i + 1] == 0x20 {
                        i += 2
                        while i < line.count && line[i] == 0x20 { i += 1 }
                        indents.append(i)
                    }
                }
                var valueStarts = true
                // An anchor (`&a`) or a tag (`!t`) comes before the value it names.
                var property = false
                var previous: UInt8 = 0x20
                while i < line.count {
                    let byte = line[i]
                    i += 1
                    if quote != 0 {
                        if byte == quote {
                            quote = 0
                            valueStarts = false
                        } else if byte == 0x5C && quote == 0x22 {
                            i += 1
                        }
                        previous = byte
                        continue
                    }
                    let opens = flow > 0 || valueStarts
                    switch byte {
                    case 0x22 where opens, 0x27 where opens:
                        quote = byte
                    case 0x5B where opens, 0x7B where opens:
                        flow += 1
                        if deepen(indents.count + flow, number) { return }
                    case 0x5D where flow > 0, 0x7D where flow > 0:
                        flow -= 1
                    case 0x23 where previous == 0x20 || previous == 0x09:
                        i = line.count
                    case 0x7C where flow == 0 && valueStarts, 0x3E where flow == 0 && valueStarts:
                        // A block scalar: its lines, indented deeper than this one, are text.
                        blockScalarIndent = line.prefix { $0 == 0x20 }.count
                        i = line.count
                    default:
                        break
                    }
                    if (byte == 0x26 || byte == 0x21) && opens { property = true }
                    if byte == 0x20 || byte == 0x09 {
                        valueStarts = valueStarts || property || previous == 0x3A || previous == 0x2D
                        property = false
                    } else if flow > 0 && (byte == 0x2C || byte == 0x5B || byte == 0x7B || byte == 0x3A) {
                        valueStarts = true
                    } else if !(byte == 0x20 || byte == 0x09) {
                        valueStarts = false
                    }
                    previous = byte
                }
                if deepen(indents.count + flow, number) { return }
            }
        }

        /// Notes a line's depth; true when it is past the bound.
        private mutating func deepen(_ levels: Int, _ line: Int) -> Bool {
            depth = max(depth, levels)
            guard levels > maximumDepth else { return false }
            tooDeepLine = line
            return true
        }
    }

    /// Lines of every `*name` where a node may start (after a line's indentation, a space, a
    /// tab, `[`, `{` or `,`). Inside quotes or block scalars this may count text that is not an
    /// alias: the bound errs on the side of refusing.
    static func aliasLines(in text: String, skipping textLines: Set<Int> = []) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var previous: UInt8 = 0x0A
        var afterStar = false
        for byte in text.utf8 {
            if afterStar {
                afterStar = false
                if isAnchorByte(byte) && !textLines.contains(line) { lines.append(line) }
            }
            if byte == 0x2A && [0x0A, 0x20, 0x09, 0x5B, 0x7B, 0x2C].contains(previous) { afterStar = true }
            if byte == 0x0A { line += 1 }
            previous = byte
        }
        return lines
    }

    /// The first line where an alias (or a flow collection, or an explicit `? ` key) stands as
    /// a mapping key, or nil.
    static func keyAliasLine(in text: String, skipping textLines: Set<Int> = []) -> Int? {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !textLines.contains(index + 1) {
            let content = raw.drop { $0 == " " || $0 == "\t" }
            if content.hasPrefix("? ") || content == "?" { return index + 1 }
            let bytes = Array(content.utf8)
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                var keyEnd: Int?
                if b == 0x2A, i + 1 < bytes.count, isAnchorByte(bytes[i + 1]), i == 0 || [0x20, 0x09, 0x5B, 0x7B, 0x2C].contains(bytes[i - 1]) {
                    var j = i + 1
                    while j < bytes.count && isAnchorByte(bytes[j]) { j += 1 }
                    keyEnd = j
                } else if b == 0x5D || b == 0x7D {
                    keyEnd = i + 1
                }
                if var j = keyEnd {
                    while j < bytes.count && bytes[j] == 0x20 { j += 1 }
                    if j < bytes.count && bytes[j] == 0x3A && (j + 1 == bytes.count || [0x20, 0x09, 0x2C, 0x5D, 0x7D].contains(bytes[j + 1])) {
                        return index + 1
                    }
                }
                i += 1
            }
        }
        return nil
    }

    /// Anchor names: anything but spaces, line breaks and flow indicators.
    private static func isAnchorByte(_ byte: UInt8) -> Bool {
        !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x2C || byte == 0x5B || byte == 0x5D
            || byte == 0x7B || byte == 0x7D)
    }
}
