import Foundation

/// Decides, line by line, which parser reads a text input: a gcloud table parser from the line
/// its header is on until the table ends at a blank line, otherwise the kubectl and free-text
/// parser. One paste can hold several tables and several kinds of text.
final class TextDispatcher {
    let input: String
    private var current: TextEvidenceParser?
    private var currentIsTable = false
    private(set) var lines = 0
    private(set) var recognised = 0
    private(set) var firstLine: String?
    /// A document inside the text, held until it ends.
    private var held: EmbeddedDocument?


    init(input: String) { self.input = input }

    func line(_ raw: String, number: Int, collector: EvidenceCollector) {
        lines += 1
        let text = LinePrefix.stripped(Self.unquoted(raw))
        let trimmed = TextLine.trimmingBlanks(text, unicodeSpaces: true)
        if firstLine == nil && !trimmed.isEmpty { firstLine = trimmed }
        if var document = held {
            // Let go of the stored copy first, so the block's lines grow in place, not copied per line.
            held = nil
            switch document.take(text, number: number) {
            case .more:
                held = document
                return
            case .overflow:
                giveBack(document, collector)
                return
            case .ended(let includingLast):
                read(document, collector)
                if includingLast { return }
            }
        }
        if !currentIsTable, let document = EmbeddedDocument.start(text, number: number) {
            held = document
            return
        }
        dispatch(text, trimmed: trimmed, number: number, collector: collector)
    }

    /// A document held from the text (see `EmbeddedDocument`): read as a document when it is one
    /// triage reads, else its lines are read as the text they were.
    private func read(_ document: EmbeddedDocument, _ collector: EvidenceCollector) {
        if let decoded = document.document() {
            if collector.addDocument(decoded, location: RecordLocation(input: input, line: document.firstLine, byteOffset: 0)) {
                recognised += 1
                return
            }
            // A Google API error body (`curl`'s, `--log-http`'s) is the one line a client prints for
            // it, with the reason and service its ErrorInfo names.
            if let line = EvidenceCollector.googleAPIError(decoded) {
                dispatch(line, trimmed: line, number: document.firstLine, collector: collector)
                return
            }
        }
        giveBack(document, collector)
    }

    private func giveBack(_ document: EmbeddedDocument, _ collector: EvidenceCollector) {
        for (text, number) in document.lines {
            dispatch(text, trimmed: TextLine.trimmingBlanks(text, unicodeSpaces: true), number: number, collector: collector)
        }
    }

    private func dispatch(_ text: String, trimmed: String, number: Int, collector: EvidenceCollector) {
        if currentIsTable && trimmed.isEmpty {
            flush(collector)
            return
        }
        if Self.couldBeTableHeader(trimmed) {
            let tables: [TextEvidenceParser?] = [
                GKEOperationsTable.parser(header: text, input: input, line: number),
                ConfigTable.parser(header: text, input: input, line: number),
            ]
            for candidate in tables {
                if let table = candidate {
                    flush(collector)
                    current = table
                    currentIsTable = true
                    return
                }
            }
        }
        if current == nil {
            current = KubectlTextParser(input: input, patterns: collector.patterns)
            currentIsTable = false
        }
        current!.line(text, number: number)
    }

    /// The line without the `> ` of a Markdown block quote (a paste copied from an issue thread
    /// with its quoting, kubeflow/kubeflow#4342), nested or not, and without the backticks of a
    /// line set whole in inline code; other lines are returned as they are.
    static func unquoted(_ line: String) -> String {
        var utf8 = Substring(line).utf8
        var changed = false
        while true {
            var rest = utf8
            var indent = 0
            while rest.first == 0x20, indent < 3 { rest = rest.dropFirst(); indent += 1 }
            guard rest.first == 0x3E else { break }
            rest = rest.dropFirst()
            // `>` then a space or the line's end; `>>` nests; `>foo` (a redirect, an arrow) is not a quote.
            if rest.first == 0x20 { rest = rest.dropFirst() } else if let next = rest.first, next != 0x3E, next != 0x0D { break }
            utf8 = rest
            changed = true
        }
        var text = changed ? String(Substring(utf8)) : line
        // One line set in Markdown's inline code (`` `Error creating: …` ``, istio#37150): the
        // backticks are the reporter's, not the tool's. A fence (```) is not this.
        let trimmed = TextLine.trimmingBlanks(text)
        if trimmed.utf8.count > 2, trimmed.hasPrefix("`"), trimmed.hasSuffix("`"), !trimmed.hasPrefix("``"), !trimmed.hasSuffix("``"),
            !trimmed.dropFirst().dropLast().contains("`")
        {
            text = String(trimmed.dropFirst().dropLast())
        }
        return text
    }

    /// gcloud's table headers are upper-case column names (`NAME  NETWORK  DEST_RANGE`): a cheap
    /// byte test spares ordinary capitalised text the table parsers' own header checks.
    static func couldBeTableHeader(_ line: String) -> Bool {
        guard !line.isEmpty else { return false }
        return line.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x20 }
    }

    private func flush(_ collector: EvidenceCollector) {
        if let parser = current { recognised += parser.finish(into: collector) }
        current = nil
        currentIsTable = false
    }

    /// Ends the input; returns how many pieces of evidence it gave.
    func finish(into collector: EvidenceCollector) -> Int {
        if let document = held {
            held = nil
            read(document, collector)
        }
        flush(collector)
        return recognised
    }
}
