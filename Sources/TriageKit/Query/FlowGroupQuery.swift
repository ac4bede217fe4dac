/// The aggregation the rules need, stated once and written as SQL for BigQuery or DuckDB
/// (`triage sql`, issue 17): the same groups the streaming flow table makes (source and
/// destination folded into the topology's stable ranges, port, protocol, verdict, direction,
/// rule, VM, network), each with its count, first and last time, bounded address samples,
/// approximate distinct counts and its first record whole. The rows it returns go back into the
/// analysis through `EvidenceCollector.addFlowGroups(_:input:)`.
///
/// "First" is by time, then insertId: SQL has no input order. Records the streaming reader
/// skips (a verdict other than ALLOWED/DENIED, a protocol or port out of range, an address that
/// is no IP) are left out by the WHERE clause the same way.
public struct FlowGroupQuery: Sendable {
    /// Where the log entries are: a Cloud Logging sink's table (LogEntry fields as nested
    /// columns), or a Log Analytics linked dataset's `_AllLogs` view (snake_case columns,
    /// the payload as one JSON column).
    public enum Source: Sendable { case sinkTable, logAnalytics }

    public var dialect: SQLDialect
    public var table: String
    public var source: Source
    /// The window, microseconds since 1970 (either end open).
    public var from: Int64?
    public var to: Int64?
    /// The IPv4 ranges addresses fold into, in the order the flow table tests them; `folds`
    /// false keeps the address (the metadata server).
    public var ranges: [(cidr: CIDR, folds: Bool)]

    /// Addresses kept per end: one more than the flow table keeps, so the row tells whether there were more.
    public static var sampleColumnLimit: Int { FlowTable.sampleLimit + 1 }

    public init(topology: Topology, dialect: SQLDialect, table: String = "firewall_logs", source: Source = .sinkTable) {
        self.dialect = dialect
        self.table = table
        self.source = source
        ranges = topology.stableV4Ranges
    }

    /// The result's columns, by name: one row per flow group.
    public enum Column {
        public static let sourceGroup = "src_group", destinationGroup = "dest_group"
        public static let destinationPort = "dest_port", networkProtocol = "protocol", disposition = "disposition"
        public static let egress = "egress", ruleReference = "rule_reference", vmName = "vm_name", network = "network"
        public static let count = "count", firstSeen = "first_seen", lastSeen = "last_seen"
        public static let sourceSample = "src_sample", destinationSample = "dest_sample"
        public static let sourceDistinct = "src_distinct", destinationDistinct = "dest_distinct"
        public static let firstRecord = "first_record"
    }

    /// The first record's fields, named as in a LogEntry so the ingestion rebuilds one.
    public enum RecordField {
        public static let insertId = "insertId", logName = "logName", timestamp = "timestamp"
        public static let receiveTimestamp = "receiveTimestamp", resource = "resource", jsonPayload = "jsonPayload"
    }

    /// A payload field (under `jsonPayload`) as text or as an integer.
    private func payload(_ path: String...) -> String {
        switch source {
        case .sinkTable: return "jsonPayload." + path.joined(separator: ".")
        case .logAnalytics: return dialect.jsonText("json_payload", path)
        }
    }

    private func payloadInteger(_ path: String...) -> String {
        switch source {
        case .sinkTable: return "jsonPayload." + path.joined(separator: ".")
        case .logAnalytics: return dialect.integer(dialect.jsonText("json_payload", path))
        }
    }

    /// A top-level LogEntry column: the sink keeps LogEntry's names, `_AllLogs` snake_case ones.
    private func entry(_ sinkName: String, _ logAnalyticsName: String) -> String {
        source == .sinkTable ? sinkName : logAnalyticsName
    }

    /// Whether an address is an IP address at all (the streaming reader skips records whose
    /// ends are not). DuckDB has no IP functions without an extension: IPv4 is checked exactly,
    /// IPv6 by its colon.
    private func isAddress(_ text: String) -> String {
        switch dialect {
        case .bigquery: return "NET.SAFE_IP_FROM_STRING(\(text)) IS NOT NULL"
        case .duckdb: return "(\(Self.duckIPv4Pattern(text)) OR contains(\(text), ':'))"
        }
    }

    private static func duckIPv4Pattern(_ text: String) -> String {
        let octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
        return "regexp_full_match(\(text), '(\(octet)\\.){3}\(octet)')"
    }

    /// An IPv4 address as an integer in DuckDB (NULL for anything else).
    private static func duckIPv4Value(_ text: String) -> String {
        let parts = (1...4).map { "(CAST(split_part(\(text), '.', \($0)) AS BIGINT) << \(32 - 8 * $0))" }
        return "CASE WHEN \(duckIPv4Pattern(text)) THEN \(parts.joined(separator: " + ")) END"
    }

    /// The group an address falls in: the first stable range holding it (as the flow table
    /// tests them), or the address itself.
    private func fold(_ address: String, value: String) -> String {
        guard !ranges.isEmpty else { return address }
        var cases: [String] = []
        for (cidr, folds) in ranges {
            let test: String
            switch dialect {
            case .bigquery:
                // Only IPv4 ranges fold, so the length is at most 32: truncating an IPv6 value
                // to it is no error, and the length test keeps it from matching.
                test = "BYTE_LENGTH(\(value)) = 4 AND NET.IP_TRUNC(\(value), \(cidr.prefixLength)) = NET.IP_FROM_STRING(\(dialect.literal(cidr.network.description)))"
            case .duckdb:
                let shift = 32 - cidr.prefixLength
                test = "(\(value) >> \(shift)) = \(Int64(cidr.network.v4Value) >> Int64(shift))"
            }
            cases.append("WHEN \(test) THEN \(folds ? dialect.literal(cidr.description) : address)")
        }
        return "CASE " + cases.joined(separator: " ") + " ELSE \(address) END"
    }

    /// The query, ready to run.
    public func sql() throws(TriageError) -> String {
        let table = try dialect.table(self.table)
        let d = dialect
        let timestamp = "timestamp"
        var filters = [
            "\(payload("disposition")) IN ('ALLOWED', 'DENIED')",
            isAddress(payload("connection", "src_ip")), isAddress(payload("connection", "dest_ip")),
            "(\(payloadInteger("connection", "protocol")) IS NULL OR \(payloadInteger("connection", "protocol")) BETWEEN 0 AND 255)",
            "(\(payloadInteger("connection", "src_port")) IS NULL OR \(payloadInteger("connection", "src_port")) BETWEEN 0 AND 65535)",
            "(\(payloadInteger("connection", "dest_port")) IS NULL OR \(payloadInteger("connection", "dest_port")) BETWEEN 0 AND 65535)",
        ]
        if source == .logAnalytics {
            // `_AllLogs` holds every log of the bucket; a sink's table holds one log.
            filters.insert("log_id = 'compute.googleapis.com/firewall'", at: 0)
        }
        if let from { filters.append("\(timestamp) >= \(d.timestamp(micros: from))") }
        if let to { filters.append("\(timestamp) <= \(d.timestamp(micros: to))") }
        if d == .bigquery && self.table.hasSuffix("*") {
            // Date-sharded sink tables (NAME_YYYYMMDD, by the entries' UTC date): only the
            // window's shards are read, and billed.
            func day(_ micros: Int64) -> String { d.literal(String(Timestamp.format(micros).prefix(10)).replacingOccurrences(of: "-", with: "")) }
            if let from { filters.append("_TABLE_SUFFIX >= \(day(from))") }
            if let to { filters.append("_TABLE_SUFFIX <= \(day(to))") }
        }

        let record = d.record([
            (RecordField.insertId, "insert_id"),
            (RecordField.logName, entry("logName", "log_name")),
            (RecordField.timestamp, "ts"),
            (RecordField.receiveTimestamp, d.micros(entry("receiveTimestamp", "receive_timestamp"))),
            (RecordField.resource, "resource"),
            (RecordField.jsonPayload, entry("jsonPayload", "json_payload")),
        ])
        let addressValue: (String) -> String = { d == .bigquery ? "NET.SAFE_IP_FROM_STRING(\($0))" : Self.duckIPv4Value($0) }
        let keys = [
            Column.sourceGroup, Column.destinationGroup, Column.destinationPort, Column.networkProtocol, Column.disposition,
            Column.egress, Column.ruleReference, Column.vmName, Column.network,
        ]
        let order = ["ts_order", "id_order"]
        let partition = keys.joined(separator: ", ")
        return """
            -- triage sql: one row per flow group, as triage's streaming flow table groups firewall log records.
            -- Feed the rows back with: triage --flow-groups ROWS.json (or triage --bigquery).
            WITH flows AS (
              SELECT
                \(payload("connection", "src_ip")) AS src_ip,
                \(payload("connection", "dest_ip")) AS dest_ip,
                \(payloadInteger("connection", "dest_port")) AS \(Column.destinationPort),
                \(payloadInteger("connection", "protocol")) AS \(Column.networkProtocol),
                \(payload("disposition")) AS \(Column.disposition),
                COALESCE(\(payload("rule_details", "direction")) = 'EGRESS', FALSE) AS \(Column.egress),
                \(payload("rule_details", "reference")) AS \(Column.ruleReference),
                \(payload("instance", "vm_name")) AS \(Column.vmName),
                \(payload("vpc", "vpc_name")) AS \(Column.network),
                \(addressValue(payload("connection", "src_ip"))) AS src_value,
                \(addressValue(payload("connection", "dest_ip"))) AS dest_value,
                \(d.micros(timestamp)) AS ts,
                \(entry("insertId", "insert_id")) AS insert_id,
                \(entry("logName", "log_name")), \(entry("receiveTimestamp", "receive_timestamp")), resource, \(entry("jsonPayload", "json_payload"))
              FROM \(table)
              WHERE \(filters.joined(separator: "\n    AND "))
            ),
            keyed AS (
              SELECT *,
                \(fold("src_ip", value: "src_value")) AS \(Column.sourceGroup),
                \(fold("dest_ip", value: "dest_value")) AS \(Column.destinationGroup),
                -- First means earliest, then least insertId; records without either sort last.
                COALESCE(ts, 9223372036854775807) AS ts_order,
                COALESCE(insert_id, '') AS id_order
              FROM flows
            ),
            ranked AS (
              SELECT *,
                ROW_NUMBER() OVER (PARTITION BY \(partition), src_ip ORDER BY ts_order, id_order) AS src_rank,
                ROW_NUMBER() OVER (PARTITION BY \(partition), dest_ip ORDER BY ts_order, id_order) AS dest_rank
              FROM keyed
            )
            SELECT
              \(keys.joined(separator: ", ")),
              COUNT(*) AS \(Column.count),
              MIN(ts) AS \(Column.firstSeen),
              MAX(ts) AS \(Column.lastSeen),
              \(d.firstValues("src_ip", where: "src_rank = 1", order: order, limit: Self.sampleColumnLimit)) AS \(Column.sourceSample),
              \(d.firstValues("dest_ip", where: "dest_rank = 1", order: order, limit: Self.sampleColumnLimit)) AS \(Column.destinationSample),
              \(d.approximateDistinct)(src_ip) AS \(Column.sourceDistinct),
              \(d.approximateDistinct)(dest_ip) AS \(Column.destinationDistinct),
              \(d.first(record, order: order)) AS \(Column.firstRecord)
            FROM ranked
            GROUP BY \(keys.joined(separator: ", "))
            ORDER BY MIN(ts_order), \(d.first("id_order", order: order))

            """
    }
}
