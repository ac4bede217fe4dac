import Foundation

/// BigQuery's REST row encoding read into `QueryRow`s: each row is `{"f": [{"v": value}, …]}`,
/// one cell per schema field in order; a RECORD's value is itself `{"f": […]}`, a REPEATED
/// field's is `[{"v": item}, …]`, and every scalar is a string (INT64 and, with
/// `formatOptions.useInt64Timestamp`, TIMESTAMP as microseconds too) or null.
struct BigQuerySchema: Sendable {
    struct Field: Sendable {
        var name: String
        var type: String
        var repeated: Bool
        var fields: [Field]

        var isRecord: Bool { type == "RECORD" || type == "STRUCT" }
    }

    var fields: [Field]

    /// `schema.fields` of a QueryResponse; nil when absent or not a list of named fields.
    init?(_ schema: Any?) {
        guard let list = (schema as? [String: Any])?["fields"] as? [Any], let fields = Self.fields(list) else { return nil }
        self.fields = fields
    }

    private static func fields(_ list: [Any]) -> [Field]? {
        var result: [Field] = []
        for case let field as [String: Any] in list {
            guard let name = field["name"] as? String else { return nil }
            let type = (field["type"] as? String ?? "STRING").uppercased()
            let nested = Self.fields(field["fields"] as? [Any] ?? []) ?? []
            result.append(Field(name: name, type: type, repeated: (field["mode"] as? String)?.uppercased() == "REPEATED", fields: nested))
        }
        return result.count == list.count ? result : nil
    }

    /// The page's `rows`, decoded by this schema; nil when a row does not fit it.
    func decode(_ rows: [Any]) -> [QueryRow]? {
        var decoded: [QueryRow] = []
        decoded.reserveCapacity(rows.count)
        for row in rows {
            guard case .record(let columns)? = Self.record(row, fields) else { return nil }
            decoded.append(QueryRow(columns))
        }
        return decoded
    }

    private static func record(_ value: Any, _ fields: [Field]) -> QueryValue? {
        guard let cells = (value as? [String: Any])?["f"] as? [Any], cells.count == fields.count else { return nil }
        var columns: [String: QueryValue] = [:]
        for (field, cell) in zip(fields, cells) {
            guard let cell = cell as? [String: Any], let value = Self.value(cell["v"], field) else { return nil }
            columns[field.name] = value
        }
        return .record(columns)
    }

    private static func value(_ raw: Any?, _ field: Field) -> QueryValue? {
        guard let raw, !(raw is NSNull) else { return .null }
        if field.repeated {
            guard let items = raw as? [Any] else { return nil }
            var values: [QueryValue] = []
            var single = field
            single.repeated = false
            for item in items {
                guard let item = item as? [String: Any], let value = Self.value(item["v"], single) else { return nil }
                values.append(value)
            }
            return .array(values)
        }
        if field.isRecord { return record(raw, field.fields) }
        // The API sends every scalar as a string (BOOL as "true"/"false"); anything else does not fit.
        return (raw as? String).map(QueryValue.string)
    }
}
