import Foundation

/// A document set inside pasted text, held until it ends and then read as the document it is:
/// - a JSON object over lines (`gcloud … --format=json` after a prompt, a TF_LOG response body,
///   terraform#15601 and terraform-provider-google#4305);
/// - gcloud's Python repr of a GKE Operation (`ERROR: (gcloud.container.clusters.create) Operation
///   [<Operation` then one ` key: value` line per field, `…>] finished with error: …`), often cut
///   before its last line when quoted in a report (kubernetes#69663).
/// When it is not a document triage reads, its lines go back to the text parsers unchanged.
/// Bounded: a block past `maximumLines` or `maximumBytes` is given back as text.
struct EmbeddedDocument {
    enum Kind: Equatable {
        /// Opened by a line that is only `{`, at this indentation.
        case json(indent: Int)
        /// Opened by `Operation [<Operation`; the gcloud command group the line names, if any.
        case operationRepr(command: String?)
    }

    enum Step {
        /// The line is held; the block goes on.
        case more
        /// The block ended; `includingLast` when the line was its last, else the line is not its own.
        case ended(includingLast: Bool)
        /// The block grew past its bounds (the line is held too): give every line back as text.
        case overflow
    }

    let kind: Kind
    private(set) var lines: [(text: String, number: Int)]
    private var bytes: Int

    static let maximumLines = 20_000
    static let maximumBytes = 4 << 20

    var firstLine: Int { lines.first?.number ?? 0 }

    /// A block opened by `text`, or nil when `text` opens none.
    static func start(_ text: String, number: Int) -> EmbeddedDocument? {
        let trimmed = TextLine.trimmingBlanks(text)
        if trimmed == "{" {
            let indent = text.utf8.prefix { $0 == 0x20 || $0 == 0x09 }.count
            return EmbeddedDocument(kind: .json(indent: indent), lines: [(text, number)], bytes: text.utf8.count)
        }
        guard text.includes("Operation [<Operation"), !text.includes("] finished with error") else { return nil }
        let command = ErrorText.word(after: "(gcloud.", in: text, stops: [")"])
        return EmbeddedDocument(kind: .operationRepr(command: command), lines: [(text, number)], bytes: text.utf8.count)
    }

    mutating func take(_ text: String, number: Int) -> Step {
        switch kind {
        case .json(let indent):
            hold(text, number)
            if lines.count > Self.maximumLines || bytes > Self.maximumBytes { return .overflow }
            let trimmed = TextLine.trimmingBlanks(text)
            guard trimmed == "}" || trimmed == "}," else { return .more }
            return text.utf8.prefix { $0 == 0x20 || $0 == 0x09 }.count == indent ? .ended(includingLast: true) : .more
        case .operationRepr:
            guard Self.isReprLine(text) else { return .ended(includingLast: false) }
            hold(text, number)
            if lines.count > Self.maximumLines || bytes > Self.maximumBytes { return .overflow }
            return text.includes(">] finished with error") ? .ended(includingLast: true) : .more
        }
    }

    private mutating func hold(_ text: String, _ number: Int) {
        lines.append((text, number))
        bytes += text.utf8.count + 1
    }

    /// The block as a document, or nil when it does not decode as one.
    func document() -> [String: Any]? {
        switch kind {
        case .json:
            let bytes = Array(lines.map(\.text).joined(separator: "\n").utf8)
            // Foundation's decoder recurses: a block nested past the readers' bound is left as text.
            guard bytes.withUnsafeBufferPointer({ JSONNesting.lineTooDeep($0) }) == nil else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        case .operationRepr(let command):
            return Self.operation(lines.map(\.text), command: command)
        }
    }

    // MARK: - gcloud's Operation repr

    /// A line inside the repr: ` key: value` (the nested StatusCondition and Status objects' keys
    /// too), or the line reference GitHub's web log adds between copied lines (`[74](https://…)`).
    static func isReprLine(_ text: String) -> Bool {
        let trimmed = TextLine.trimmingBlanks(text)
        if trimmed.hasPrefix("["), trimmed.includes("](http") { return true }
        guard let colon = trimmed.firstIndex(of: ":"), colon > trimmed.startIndex else { return false }
        return trimmed[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// The fields the operation reader uses, from the repr's lines. Messages of the nested
    /// conditions and error are kept as conditions; the rest of the nesting is not needed.
    static func operation(_ lines: [String], command: String?) -> [String: Any]? {
        var document: [String: Any] = [:]
        var messages: [String] = []
        let fields: Set<String> = ["name", "operationType", "status", "statusMessage", "detail", "targetLink", "selfLink",
                                   "zone", "location", "startTime", "endTime"]
        for line in lines {
            if let end = line.range(of: ">] finished with error: ") {
                let message = TextLine.trimmingBlanks(String(line[end.upperBound...]))
                if !message.isEmpty { document["statusMessage"] = document["statusMessage"] ?? message }
                document["status"] = document["status"] ?? "DONE"
            }
            var trimmed = Substring(TextLine.trimmingBlanks(line))
            if let open = trimmed.range(of: "Operation [<Operation") { trimmed = trimmed[open.upperBound...] }
            guard let colon = trimmed.range(of: ": ") else { continue }
            let key = String(trimmed[..<colon.lowerBound])
            guard let value = reprValue(trimmed[colon.upperBound...]) else { continue }
            if key == "message" {
                if !value.isEmpty { messages.append(value) }
            } else if key == "name", !value.hasPrefix("operation-") {
                // A progress metric's name (`name: 'CLUSTER_DEPLOYING'`, nested), not the operation's.
                continue
            } else if fields.contains(key), document[key] == nil {
                document[key] = value
            }
        }
        if document["operationType"] == nil, let command {
            if command.hasSuffix("container.clusters.create") { document["operationType"] = "CREATE_CLUSTER" }
            if command.hasSuffix("container.node-pools.create") { document["operationType"] = "CREATE_NODE_POOL" }
        }
        if !messages.isEmpty { document["clusterConditions"] = messages.map { ["message": $0] } }
        guard GKEOperations.looksLikeOperation(document) else { return nil }
        return document
    }

    /// A repr value as its text: a Python string literal (`u'…'`, `'…'`, `"…"`) unescaped, an
    /// enum (`StatusValueValuesEnum(DONE, 3)`) as its name, a bare word or number as it is; nil
    /// for the start of a nested object or list.
    static func reprValue(_ raw: Substring) -> String? {
        var text = raw
        if text.hasPrefix("u'") || text.hasPrefix("u\"") || text.hasPrefix("b'") { text = text.dropFirst() }
        if let quote = text.first, quote == "'" || quote == "\"" {
            var value: [UInt8] = []
            var bytes = text.utf8.dropFirst().makeIterator()
            while let byte = bytes.next() {
                if byte == quote.asciiValue { return String(decoding: value, as: UTF8.self) }
                guard byte == 0x5C, let escaped = bytes.next() else { value.append(byte); continue }
                switch escaped {
                case 0x6E: value.append(0x0A)
                case 0x74: value.append(0x09)
                default: value.append(escaped)
                }
            }
            return nil  // cut before its closing quote
        }
        if text.hasPrefix("<") || text.hasPrefix("[") { return nil }
        if let open = text.firstIndex(of: "("), text[..<open].hasSuffix("Enum") {
            let inner = text[text.index(after: open)...]
            return String(inner.prefix { $0 != "," && $0 != ")" })
        }
        let word = text.prefix { $0 != ">" && !$0.isWhitespace }
        return word.isEmpty ? nil : String(word)
    }
}
