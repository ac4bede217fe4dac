import Foundation

extension QueryRow {
    /// Rows written as JSON, one object per line (DuckDB's `COPY … (FORMAT json)`, or
    /// `bq query --format=json` output split into lines), or one JSON array of objects (`bq`'s
    /// own output, DuckDB's `-json` mode). Scalars become strings as BigQuery's REST API gives
    /// them: numbers as written, booleans as "true" and "false".
    public static func rows(json data: Data) throws(TriageError) -> [QueryRow] {
        func parse(_ bytes: Data, line: Int?) throws(TriageError) -> Any {
            do {
                return try JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])
            } catch {
                throw .readFailed(input: "flow groups", reason: "\(line.map { "line \($0): " } ?? "")not JSON (\(error.localizedDescription))")
            }
        }
        func row(_ value: Any, line: Int?) throws(TriageError) -> QueryRow {
            guard let object = value as? [String: Any] else {
                throw .readFailed(input: "flow groups", reason: "\(line.map { "line \($0): " } ?? "")a row must be a JSON object")
            }
            return QueryRow(object.mapValues(QueryValue.init(json:)))
        }
        let text = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if text.first == 0x5B {
            guard let array = try parse(Data(text), line: nil) as? [Any] else { return [] }
            var rows: [QueryRow] = []
            for value in array { rows.append(try row(value, line: nil)) }
            return rows
        }
        var rows: [QueryRow] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
            rows.append(try row(try parse(Data(line), line: index + 1), line: index + 1))
        }
        return rows
    }
}

extension QueryValue {
    /// A decoded JSON value as a query value.
    public init(json value: Any) {
        switch value {
        case let text as String: self = .string(text)
        case let number as NSNumber:
            // JSONSerialization gives booleans as NSNumber too; their type tells them apart.
            if String(cString: number.objCType) == "c" {
                self = .string(number.boolValue ? "true" : "false")
            } else {
                self = .string(number.stringValue)
            }
        case let array as [Any]: self = .array(array.map(QueryValue.init(json:)))
        case let object as [String: Any]: self = .record(object.mapValues(QueryValue.init(json:)))
        default: self = .null
        }
    }
}
