/// A reader of one kind of plain-text evidence (a gcloud table, kubectl output, pasted errors),
/// fed one line at a time by `TextDispatcher`.
public protocol TextEvidenceParser: AnyObject {
    /// One line as read (no line break; may hold terminal colour codes), numbered from 1.
    func line(_ text: String, number: Int)
    /// The text ended (or another kind of text began): hands everything recognised to the
    /// collector and returns how many pieces of evidence that was.
    func finish(into collector: EvidenceCollector) -> Int
}

/// A parser for a gcloud table, chosen by its header line.
public protocol TextTableParser: TextEvidenceParser {
    /// A parser when `header` is this table's header line, else nil.
    static func parser(header: String, input: String, line: Int) -> Self?
}
