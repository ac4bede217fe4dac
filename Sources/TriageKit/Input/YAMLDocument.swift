import Yams

/// Decodes a YAML document the user gave (a cluster description, a config or unknown document
/// among the inputs) with Yams, within bounds. Anchors and aliases let a few kilobytes expand to
/// gigabytes ("billion laughs"), so before anything is built: the text is scanned for aliases
/// (none in gcloud or kubectl output, so that is the common, cheap case); with aliases, the
/// document is composed, where an alias shares its anchor's node and so costs no more than its
/// text, and the expansion is measured on that tree, stopping at the bound.
enum YAMLDocument {
    static let maximumAliases = 1_000
    static let maximumExpandedNodes = 1_000_000
    static let maximumExpandedBytes = 64 << 20

    /// A document refused, with the 1-based line (within the document) that shows why.
    struct Refused: Error, Equatable {
        var line: Int
        var reason: String
    }

    /// The document decoded (nil when it is not YAML Yams can read), or `Refused`.
    static func load(_ text: String) throws(Refused) -> Any? {
        guard let node = try compose(text), !hasCollectionKey(node) else { return nil }
        return node.any
    }

    /// Whether a mapping anywhere in the document has a sequence or mapping as a key (`[a]: b`,
    /// `? - x`): Yams builds keys as strings and traps on any other (found by fuzz-cluster).
    static func hasCollectionKey(_ root: Node) -> Bool {
        var pending = [root]
        while let node = pending.popLast() {
            switch node {
            case .scalar, .alias: continue
            case .sequence(let sequence): pending += Array(sequence)
            case .mapping(let mapping):
                for (key, value) in mapping {
                    guard case .scalar = key else { return true }
                    pending.append(value)
                }
            }
        }
        return false
    }

    /// The composed document, after the alias checks; nil when it is not YAML.
    static func compose(_ text: String) throws(Refused) -> Node? {
        let aliases = aliasLines(in: text)
        guard let firstAlias = aliases.first else { return try? Parser(yaml: text).singleRoot() }
        if aliases.count > maximumAliases {
            throw Refused(line: aliases[maximumAliases], reason: "more than \(maximumAliases) YAML aliases; refused")
        }
        if let line = keyAliasLine(in: text) {
            // Mapping keys are hashed whole while composing: an alias there would be expanded.
            throw Refused(line: line, reason: "a YAML alias or collection used as a mapping key; refused")
        }
        guard let node = try? Parser(yaml: text).singleRoot() else { return nil }
        var budget = Budget()
        if !budget.take(node) {
            throw Refused(
                line: firstAlias,
                reason: "YAML aliases expand to more than \(maximumExpandedNodes) nodes or \(maximumExpandedBytes >> 20) MiB; refused")
        }
        return node
    }

    /// What the document would be once every alias is replaced by its anchor's node.
    private struct Budget {
        var nodes = 0
        var bytes = 0

        mutating func take(_ node: Node) -> Bool {
            nodes += 1
            guard nodes <= maximumExpandedNodes else { return false }
            switch node {
            case .scalar(let scalar):
                bytes += scalar.string.utf8.count
                return bytes <= maximumExpandedBytes
            case .sequence(let sequence):
                for item in sequence where !take(item) { return false }
                return true
            case .mapping(let mapping):
                for (key, value) in mapping where !take(key) || !take(value) { return false }
                return true
            case .alias:
                return true
            }
        }
    }

    /// Lines of every `*name` where a node may start (after a line's indentation, a space, a
    /// tab, `[`, `{` or `,`). Inside quotes or block scalars this may count text that is not an
    /// alias: the bound errs on the side of refusing.
    static func aliasLines(in text: String) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var previous: UInt8 = 0x0A
        var afterStar = false
        for byte in text.utf8 {
            if afterStar {
                afterStar = false
                if isAnchorByte(byte) { lines.append(line) }
            }
            if byte == 0x2A && [0x0A, 0x20, 0x09, 0x5B, 0x7B, 0x2C].contains(previous) { afterStar = true }
            if byte == 0x0A { line += 1 }
            previous = byte
        }
        return lines
    }

    /// The first line where an alias (or a flow collection, or an explicit `? ` key) stands as
    /// a mapping key, or nil.
    static func keyAliasLine(in text: String) -> Int? {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
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
