import Foundation
import Testing
@testable import TriageKit

/// The query model's text: values quoted by construction, table names checked, ranges as tests.
struct FlowGroupQueryTests {
    static let hostile = ["it's", "a\\'b", "x' OR '1'='1", "line\nbreak", "tab\there\u{1B}[31m", "back\\slash", "\u{7F}", "ünï €"]

    /// A BigQuery literal read back by its rules: \\ \' \xNN escapes.
    static func unquoteBigQuery(_ literal: String) -> String? {
        var scalars = Array(literal.unicodeScalars)
        guard scalars.first == "'", scalars.last == "'" else { return nil }
        scalars = Array(scalars.dropFirst().dropLast())
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "'" { return nil }  // an unescaped quote would end the literal
            if c == "\\" {
                guard i + 1 < scalars.count else { return nil }
                let next = scalars[i + 1]
                if next == "x", i + 3 < scalars.count, let value = UInt32(String(String.UnicodeScalarView(scalars[(i + 2)...(i + 3)])), radix: 16) {
                    out.append(Unicode.Scalar(value)!)
                    i += 4
                    continue
                }
                out.append(next)
                i += 2
                continue
            }
            if c.value < 0x20 || c.value == 0x7F { return nil }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    @Test(arguments: hostile)
    func bigQueryLiteralsReadBackAsGiven(_ text: String) {
        #expect(Self.unquoteBigQuery(SQLDialect.bigquery.literal(text)) == text)
    }

    @Test(arguments: hostile)
    func duckDBLiteralsHoldNoBareQuoteOrControlCharacter(_ text: String) {
        let literal = SQLDialect.duckdb.literal(text)
        // Outside the chr(n) joins, every quote inside is doubled.
        let parts = literal.components(separatedBy: "' || chr(")
        for (index, part) in parts.enumerated() {
            var body = Substring(part)
            if index > 0 {
                guard let close = body.range(of: ") || '") else { Issue.record("\(literal)"); return }
                body = body[close.upperBound...]
            } else {
                body = body.dropFirst()
            }
            if index == parts.count - 1 { body = body.dropLast() }
            #expect(!body.replacingOccurrences(of: "''", with: "").contains("'"), "\(literal)")
            #expect(!body.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(literal)")
        }
    }

    @Test(arguments: [
        ("firewall_logs", SQLDialect.bigquery, "`firewall_logs`"),
        ("my-project.logs.compute_googleapis_com_firewall_*", .bigquery, "`my-project.logs.compute_googleapis_com_firewall_*`"),
        ("p.d._AllLogs", .bigquery, "`p.d._AllLogs`"),
        ("main.firewall_logs", .duckdb, "\"main\".\"firewall_logs\""),
    ])
    func tableNamesAreQuoted(name: String, dialect: SQLDialect, quoted: String) throws {
        #expect(try dialect.table(name) == quoted)
    }

    @Test(arguments: [
        "t; DROP TABLE x", "a`b", "a\"b", "a b", "", "a..b", "p.d.t.x", "my-dataset.t", "t*x", "a'b", "t\n",
    ])
    func otherTableNamesAreRefused(name: String) {
        for dialect in SQLDialect.allCases {
            #expect(throws: TriageError.self) { try dialect.table(name) }
        }
        #expect(throws: TriageError.self) { try SQLDialect.duckdb.table("p-1.d.t") }
    }

    @Test func rangesFoldInTheFlowTablesOrderAndMetadataStaysAnAddress() throws {
        var topology = Topology()
        topology.addRange(CIDR("172.16.0.0/28")!, role: .controlPlane, reason: "flag")
        let bigquery = try FlowGroupQuery(topology: topology, dialect: .bigquery).sql()
        let duckdb = try FlowGroupQuery(topology: topology, dialect: .duckdb).sql()
        #expect(bigquery.contains("NET.IP_TRUNC(src_value, 28) = NET.IP_FROM_STRING('172.16.0.0') THEN '172.16.0.0/28'"))
        #expect(duckdb.contains("(src_value >> 4) = \(0xAC10_0000 >> 4) THEN '172.16.0.0/28'"))
        #expect(bigquery.contains("NET.IP_TRUNC(dest_value, 32) = NET.IP_FROM_STRING('169.254.169.254') THEN dest_ip"))
        let first = try #require(bigquery.range(of: "'172.16.0.0/28'")), health = try #require(bigquery.range(of: "'35.191.0.0/16'"))
        #expect(first.lowerBound < health.lowerBound)
        for sql in [bigquery, duckdb] {
            for column in ["disposition", "count", "first_seen", "last_seen", "src_sample", "dest_sample", "first_record"] {
                #expect(sql.contains("AS \(column)"), "\(column)")
            }
        }
    }

    @Test func theWindowIsInMicroseconds() throws {
        var query = FlowGroupQuery(topology: Topology(), dialect: .bigquery, source: .logAnalytics)
        query.from = 1_795_312_000_000_000
        query.to = 1_795_398_400_000_000
        let sql = try query.sql()
        #expect(sql.contains("timestamp >= TIMESTAMP_MICROS(1795312000000000)"))
        #expect(sql.contains("timestamp <= TIMESTAMP_MICROS(1795398400000000)"))
        #expect(sql.contains("JSON_VALUE(json_payload, '$.connection.src_ip')"))
        #expect(sql.contains("log_id = 'compute.googleapis.com/firewall'"))
    }

    @Test func aWildcardTableReadsOnlyTheWindowsShards() throws {
        var query = FlowGroupQuery(topology: Topology(), dialect: .bigquery, table: "p.d.compute_googleapis_com_firewall_*")
        #expect(try !query.sql().contains("_TABLE_SUFFIX"))
        query.from = 1_795_338_000_000_000  // 2026-11-22T09:00:00Z
        query.to = 1_795_441_000_000_000  // 2026-11-23T13:36:40Z
        let sql = try query.sql()
        #expect(sql.contains("_TABLE_SUFFIX >= '20261122'") && sql.contains("_TABLE_SUFFIX <= '20261123'"))
    }
}
