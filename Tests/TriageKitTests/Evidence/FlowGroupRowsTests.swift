import Foundation
import Testing
@testable import TriageKit

/// Query result rows go into the evidence as whole flow groups (issue 17).
struct FlowGroupRowsTests {
    /// A row as `triage sql` returns it: a first record and the group's figures.
    static func row(
        src: String = "35.191.2.14", dst: String = "10.10.0.2", port: Int = 10256, count: Int, first: Int64, last: Int64,
        sources: [String], destinations: [String] = ["10.10.0.2"], insertId: String = "a1"
    ) -> QueryRow {
        let payload: QueryValue = .record([
            "connection": .record(["src_ip": .string(src), "dest_ip": .string(dst), "dest_port": .string("\(port)"), "protocol": .string("6"), "src_port": .string("40000")]),
            "disposition": .string("DENIED"),
            "rule_details": .record([
                "reference": .string("network:kubeflow-vpc/firewall:deny-all-ingress"), "priority": .string("65534"),
                "action": .string("DENY"), "direction": .string("INGRESS"),
                "ip_port_info": .array([.record(["ip_protocol": .string("ALL"), "port_range": .null])]), "source_range": .array([.string("0.0.0.0/0")]),
                "target_tag": .null,
            ]),
            "instance": .record(["vm_name": .string("gke-kf-node-1"), "project_id": .string("kf-prod-4412"), "zone": .null]),
            "vpc": .record(["vpc_name": .string("kubeflow-vpc"), "project_id": .string("kf-prod-4412")]),
        ])
        return QueryRow([
            "disposition": .string("DENIED"), "count": .string("\(count)"),
            "first_seen": .string("\(first)"), "last_seen": .string("\(last)"),
            "src_sample": .array(sources.map(QueryValue.string)), "dest_sample": .array(destinations.map(QueryValue.string)),
            "first_record": .record([
                "insertId": .string(insertId), "logName": .string("projects/kf-prod-4412/logs/compute.googleapis.com%2Ffirewall"),
                "timestamp": .string("\(first)"), "receiveTimestamp": .null,
                "resource": .record(["type": .string("gce_subnetwork"), "labels": .record(["project_id": .string("kf-prod-4412")])]),
                "jsonPayload": payload,
            ]),
        ])
    }

    @Test func aRowIsAWholeGroupWithItsCountTimesAndSamples() throws {
        let collector = EvidenceCollector(topology: Topology())
        let addresses = (1...9).map { "35.191.2.\($0)" }
        collector.addFlowGroups([Self.row(src: addresses[0], count: 40, first: 1_000, last: 9_000, sources: addresses)], input: "rows.json")
        let groups = collector.flowGroups()
        let group = try #require(groups.first)
        #expect(groups.count == 1)
        #expect(group.count == 40)
        #expect(group.firstSeen == 1_000 && group.lastSeen == 9_000)
        // Health-check sources fold into 35.191.0.0/16: eight kept, and a ninth says there were more.
        #expect(group.sources.map(\.description) == Array(addresses.prefix(8)))
        #expect(group.moreSources)
        #expect(group.destinations.map(\.description) == ["10.10.0.2"] && !group.moreDestinations)
        #expect(group.event.insertID == "a1")
        #expect(group.event.ruleDetails.priority == 65534)
        #expect(group.event.timestampMicros == 1_000)
        #expect(group.event.location?.description == "rows.json:1")
        let account = collector.account
        #expect(account.records == 40 && account.firewallRecords == 40 && account.deniedRecords == 40)
    }

    @Test func rowsOfOneGroupCombine() throws {
        let collector = EvidenceCollector(topology: Topology())
        collector.addFlowGroups(
            [
                Self.row(src: "35.191.2.1", count: 3, first: 5_000, last: 6_000, sources: ["35.191.2.1", "35.191.2.2"], insertId: "b"),
                Self.row(src: "35.191.2.3", count: 4, first: 1_000, last: 2_000, sources: ["35.191.2.3", "35.191.2.1"], insertId: "a"),
            ], input: "rows.json")
        let groups = collector.flowGroups()
        let group = try #require(groups.first)
        #expect(groups.count == 1)
        #expect(group.count == 7)
        #expect(group.firstSeen == 1_000 && group.lastSeen == 6_000)
        #expect(group.sources.map(\.description) == ["35.191.2.1", "35.191.2.2", "35.191.2.3"])
        #expect(group.event.insertID == "b")
    }

    @Test func aRowThatIsNoGroupIsReportedAndTheRestKeepTheirNumbers() throws {
        let collector = EvidenceCollector(topology: Topology())
        var problems: [InputProblem] = []
        collector.onProblem = { problems.append($0) }
        collector.addFlowGroups(
            [QueryRow(["count": .string("3")]), Self.row(count: 2, first: 1, last: 2, sources: ["35.191.2.14"])], input: "rows.json")
        #expect(problems.map(\.description) == ["rows.json:1: query result row skipped: no 'first_record' record column"])
        let group = try #require(collector.flowGroups().first)
        #expect(group.count == 2)
        #expect(group.event.location?.description == "rows.json:2")
    }

    @Test func aRowWithAnInvalidFlowIsSkippedAsTheRecordWouldBe() {
        let collector = EvidenceCollector(topology: Topology())
        var problems: [InputProblem] = []
        collector.onProblem = { problems.append($0) }
        collector.addFlowGroups([Self.row(port: 70_000, count: 5, first: 1, last: 2, sources: ["35.191.2.14"])], input: "rows.json")
        #expect(collector.flowGroups().isEmpty)
        #expect(problems.count == 1 && problems[0].reason.contains("dest_port"))
    }

    /// Log Analytics gives JSON columns as their text.
    @Test func aJSONPayloadColumnIsReadAsJSON() throws {
        var row = Self.row(count: 2, first: 1, last: 2, sources: ["35.191.2.14"])
        guard case .record(var first) = row["first_record"] else { Issue.record("no record"); return }
        first["jsonPayload"] = .string(#"{"connection":{"src_ip":"35.191.2.14","dest_ip":"10.10.0.2","dest_port":10256,"protocol":6},"disposition":"DENIED"}"#)
        row.columns["first_record"] = .record(first)
        let collector = EvidenceCollector(topology: Topology())
        collector.addFlowGroups([row], input: "rows.json")
        let group = try #require(collector.flowGroups().first)
        #expect(group.count == 2 && group.event.connection.destPort == 10256)
    }

    @Test func rowsReadFromJSONLinesAndArrays() throws {
        let lines = Data(#"{"count": 3, "egress": false, "src_sample": ["10.0.0.1"], "first_record": {"timestamp": 1795338738749370, "x": null}}"#.utf8 + [0x0A, 0x0A])
        let rows = try QueryRow.rows(json: lines)
        #expect(rows == [QueryRow([
            "count": .string("3"), "egress": .string("false"), "src_sample": .array([.string("10.0.0.1")]),
            "first_record": .record(["timestamp": .string("1795338738749370"), "x": .null]),
        ])])
        #expect(try QueryRow.rows(json: Data(#" [{"count": "3"}, {"count": "4"}]"#.utf8)).count == 2)
        #expect(throws: TriageError.self) { try QueryRow.rows(json: Data("{\"count\": 3}\nnot json\n".utf8)) }
    }
}
