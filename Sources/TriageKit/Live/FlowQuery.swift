/// What `triage --bigquery` needs from the query model (issue 17): the aggregation the rules
/// need as BigQuery SQL over the sink's table, and the way its result rows (flow groups) join
/// the evidence. The BigQuery client only runs the text and pages through the rows; the model
/// decides what they mean.
public protocol FlowQuery: Sendable {
    /// BigQuery standard SQL reading `table`, a backquoted `project.dataset.table` (see
    /// `BigQueryTable.sqlIdentifier`).
    func bigQuerySQL(table: String) -> String

    /// Adds one page of result rows to `collector`; called once per page as pages arrive, on
    /// the thread that runs the session. A row it cannot use is its problem to count; the
    /// session counts the result as one input (the pages are not inputs of their own).
    func ingest(_ rows: [QueryRow], into collector: EvidenceCollector)

    /// How the result is named in the account and problem lines.
    var input: String { get }
}
