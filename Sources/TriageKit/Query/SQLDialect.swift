/// The SQL engines `triage sql` writes for (issue 17). Both dialects are made from one query
/// model (`FlowGroupQuery`); this type holds only what the two spell differently.
public enum SQLDialect: String, CaseIterable, Sendable {
    case bigquery, duckdb

    /// A string as a SQL literal. Every value from flags or files that lands in a query goes
    /// through here, so no value can end the literal: quotes and backslashes are escaped, and
    /// control characters (which could hide text in a terminal or a log) are written as escapes.
    public func literal(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": out += self == .bigquery ? "\\'" : "''"
            case "\\": out += self == .bigquery ? "\\\\" : "\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    // DuckDB has no escapes in plain literals: such a character ends the literal
                    // and is joined back in as chr(n); BigQuery reads \xNN.
                    if self == .bigquery {
                        out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                    } else {
                        out += "' || chr(\(scalar.value)) || '"
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "'"
    }

    /// A table name checked and quoted: BigQuery takes `project.dataset.table` in backticks
    /// (project ids may hold '-'; wildcard tables end in '*'); DuckDB `schema.table` with each
    /// part in double quotes. Anything else is refused, so a name can never carry SQL.
    public func table(_ name: String) throws(TriageError) -> String {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 1024 }) else {
            throw .usage("--table: '\(name)' is not a table name (NAME, DATASET.NAME or PROJECT.DATASET.NAME)")
        }
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            let allowed = part.utf8.enumerated().allSatisfy { position, byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
                    // A project id may hold '-'; a wildcard table ends in '*' (BigQuery).
                    || (byte == 0x2D && self == .bigquery && index == 0 && parts.count == 3)
                    || (byte == 0x2A && self == .bigquery && last && position == part.utf8.count - 1)
            }
            guard allowed else {
                throw .usage("--table: '\(name)' may hold only letters, digits and '_' in each dotted part (and '-' in a BigQuery project, '*' ending a BigQuery wildcard table)")
            }
        }
        switch self {
        case .bigquery: return "`" + name + "`"
        case .duckdb: return parts.map { "\"" + $0 + "\"" }.joined(separator: ".")
        }
    }

    /// Microseconds since 1970 of a TIMESTAMP, so the result needs no timestamp parsing.
    func micros(_ timestamp: String) -> String {
        self == .bigquery ? "UNIX_MICROS(\(timestamp))" : "epoch_us(\(timestamp))"
    }

    /// A TIMESTAMP from microseconds since 1970 (the window's ends).
    func timestamp(micros: Int64) -> String {
        self == .bigquery ? "TIMESTAMP_MICROS(\(micros))" : "make_timestamp(\(micros))"
    }

    /// A value of a JSON column by path (the Log Analytics `_AllLogs` view), as text.
    func jsonText(_ column: String, _ path: [String]) -> String {
        let jsonPath = literal("$." + path.joined(separator: "."))
        return self == .bigquery ? "JSON_VALUE(\(column), \(jsonPath))" : "json_extract_string(\(column), \(jsonPath))"
    }

    /// Text as an integer, NULL when it is none.
    func integer(_ text: String) -> String {
        self == .bigquery ? "SAFE_CAST(\(text) AS INT64)" : "TRY_CAST(\(text) AS BIGINT)"
    }

    var approximateDistinct: String { self == .bigquery ? "APPROX_COUNT_DISTINCT" : "approx_count_distinct" }

    /// The value of `expression` in the row that sorts first by `order` (the group's first record).
    func first(_ expression: String, order: [String]) -> String {
        switch self {
        case .bigquery: return "ARRAY_AGG(\(expression) ORDER BY \(order.joined(separator: ", ")) LIMIT 1)[OFFSET(0)]"
        case .duckdb: return "arg_min(\(expression), \(orderKey(order)))"
        }
    }

    /// Up to `limit` values of `expression`, in `order`, from the rows where `condition` holds.
    func firstValues(_ expression: String, where condition: String, order: [String], limit: Int) -> String {
        switch self {
        case .bigquery:
            return "ARRAY_AGG(IF(\(condition), \(expression), NULL) IGNORE NULLS ORDER BY \(order.joined(separator: ", ")) LIMIT \(limit))"
        case .duckdb:
            return "COALESCE(arg_min(\(expression), \(orderKey(order)), \(limit)) FILTER (WHERE \(condition)), [])"
        }
    }

    /// A sort key of several values compared in turn (DuckDB compares structs field by field).
    private func orderKey(_ order: [String]) -> String {
        "{" + order.enumerated().map { "'k\($0.offset)': \($0.element)" }.joined(separator: ", ") + "}"
    }

    /// A record of named values.
    func record(_ fields: [(name: String, value: String)]) -> String {
        switch self {
        case .bigquery: return "STRUCT(" + fields.map { "\($0.value) AS \($0.name)" }.joined(separator: ", ") + ")"
        case .duckdb: return "{" + fields.map { "'\($0.name)': \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
