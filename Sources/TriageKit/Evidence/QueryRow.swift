/// One row of an aggregation query's result (issue 17): the flow groups that `triage sql` asks a
/// SQL engine for, as BigQuery's REST API (`jobs.query`, `jobs.getQueryResults`) or DuckDB returns
/// them. The shared shape lets both engines' rows go through one ingestion into the analysis.
///
/// Scalars stay strings, as BigQuery's REST API gives every scalar (INT64 and TIMESTAMP too), so
/// no precision is lost on the way: the ingestion parses each column as its own type.
public indirect enum QueryValue: Sendable, Equatable {
    case null
    case string(String)
    /// A REPEATED column, e.g. a bounded `ARRAY_AGG` of addresses.
    case array([QueryValue])
    /// A RECORD (STRUCT) column: its fields by name.
    case record([String: QueryValue])

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

/// A result row: each column's value by the column's name.
public struct QueryRow: Sendable, Equatable {
    public var columns: [String: QueryValue]

    public init(_ columns: [String: QueryValue]) { self.columns = columns }

    public subscript(column: String) -> QueryValue { columns[column] ?? .null }
}
