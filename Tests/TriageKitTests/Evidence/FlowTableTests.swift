import Foundation
import Testing
@testable import TriageKit

/// Grouping of records into flows, through the collector.
struct FlowTableTests {
    @Test func sameFlowDifferentSourcePortsIsOneGroup() throws {
        let times = ["2026-11-22T09:14:33.518Z", "2026-11-22T09:14:03.412Z", "2026-11-22T09:16:00Z", "2026-11-22T09:15:07.102Z"]
        let entries = times.enumerated().map { index, time in
            LogEntries.firewall(insertId: "r\(index)", srcPort: 40000 + index * 7, timestamp: time)
        }
        let collector = collect(LogEntries.ndjson(entries))
        let groups = collector.flowGroups()
        try #require(groups.count == 1)
        let group = groups[0]
        #expect(group.count == 4)
        #expect(group.firstSeen == utcMicros(2026, 11, 22, 9, 14, 3, micros: 412_000))
        #expect(group.lastSeen == utcMicros(2026, 11, 22, 9, 16, 0))
        // The group's event is its first record.
        #expect(group.event.insertID == "r0")
        #expect(group.event.connection.srcPort == 40000)
        #expect(group.event.location?.line == 1)
        #expect(collector.account.firewallRecords == 4)
        #expect(collector.account.deniedRecords == 4)
        collector.finish(matchedRecords: 0)
        #expect(collector.account.flowGroups == 1)
    }

    struct Split: Sendable, CustomTestStringConvertible {
        let name: String
        let change: @Sendable ([String: Any]) -> [String: Any]
        var testDescription: String { name }
    }

    static func modify(_ entry: [String: Any], _ path: [String], _ value: Any?) -> [String: Any] {
        var entry = entry
        guard let key = path.first else { return entry }
        if path.count == 1 {
            entry[key] = value
        } else {
            entry[key] = modify(entry[key] as? [String: Any] ?? [:], Array(path.dropFirst()), value)
        }
        return entry
    }

    static let splits: [Split] = [
        Split(name: "destination port") { modify($0, ["jsonPayload", "connection", "dest_port"], 9443) },
        Split(name: "source address") { modify($0, ["jsonPayload", "connection", "src_ip"], "172.16.0.3") },
        Split(name: "destination address") { modify($0, ["jsonPayload", "connection", "dest_ip"], "10.20.1.15") },
        Split(name: "protocol") { modify($0, ["jsonPayload", "connection", "protocol"], 17) },
        Split(name: "disposition") { modify($0, ["jsonPayload", "disposition"], "ALLOWED") },
        Split(name: "direction") { modify($0, ["jsonPayload", "rule_details", "direction"], "EGRESS") },
        Split(name: "rule") { modify($0, ["jsonPayload", "rule_details", "reference"], "network:kubeflow-vpc/firewall:other") },
        Split(name: "vm") { modify($0, ["jsonPayload", "instance", "vm_name"], "gke-other-vm") },
        Split(name: "network") { modify($0, ["jsonPayload", "vpc", "vpc_name"], "other-vpc") },
    ]

    @Test(arguments: splits)
    func differentFlowsAreDifferentGroups(_ split: Split) throws {
        let base = LogEntries.firewall(insertId: "base")
        let entries = [base, split.change(LogEntries.firewall(insertId: "changed")), LogEntries.firewall(insertId: "again")]
        let groups = collect(LogEntries.ndjson(entries)).flowGroups()
        try #require(groups.count == 2)
        #expect(groups.map(\.count) == [2, 1])
        #expect(groups.map { $0.event.insertID } == ["base", "changed"])
    }

    @Test func sourcePortAndTimestampDoNotSplit() throws {
        let entries = [
            LogEntries.firewall(insertId: "a", srcPort: 1, timestamp: "2026-01-01T00:00:00Z"),
            LogEntries.firewall(insertId: "b", srcPort: 65535, timestamp: nil),
        ]
        let groups = collect(LogEntries.ndjson(entries)).flowGroups()
        #expect(groups.map(\.count) == [2])
        #expect(groups.first?.firstSeen == utcMicros(2026, 1, 1, 0, 0, 0))
        #expect(groups.first?.lastSeen == utcMicros(2026, 1, 1, 0, 0, 0))
    }

    @Test func timelessGroupThenTimedRecord() throws {
        let entries = [
            LogEntries.firewall(insertId: "a", timestamp: nil),
            LogEntries.firewall(insertId: "b", timestamp: "2026-01-01T00:00:05Z"),
            LogEntries.firewall(insertId: "c", timestamp: "2026-01-01T00:00:01Z"),
        ]
        let group = try #require(collect(LogEntries.ndjson(entries)).flowGroups().first)
        #expect(group.count == 3)
        #expect(group.firstSeen == utcMicros(2026, 1, 1, 0, 0, 1))
        #expect(group.lastSeen == utcMicros(2026, 1, 1, 0, 0, 5))
    }

    /// Past the exact bound the table folds instead of skipping: every record is counted.
    @Test func pastTheBoundNoRecordIsSkipped() throws {
        let entries = (0..<5).map { LogEntries.firewall(insertId: "r\($0)", dstPort: 1000 + $0) }
            + [LogEntries.firewall(insertId: "again", dstPort: 1000)]
        let collector = collect(Array(LogEntries.ndjson(entries).utf8), maximumFlowGroups: 2)
        let groups = collector.flowGroups()
        #expect(groups.map(\.count) == [2, 1, 1, 1, 1])
        #expect(collector.account.skipped.isEmpty)
        #expect(collector.account.firewallRecords == 6)
        #expect(collector.account.deniedRecords == 6)
    }

    @Test func escapedAndPlainSpellingsAreOneFlow() throws {
        let plain = #"{"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","dest_port":80,"protocol":6},"disposition":"DENIED","instance":{"vm_name":"vm-é"},"vpc":{"vpc_name":"net"},"rule_details":{"reference":"network:net/firewall:r"}}}"#
        let escaped = #"{"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","dest_port":"80","protocol":"6"},"disposition":"DENIED","instance":{"vm_name":"vm-\u00e9"},"vpc":{"vpc_name":"net"},"rule_details":{"reference":"network:net\/firewall:r"}}}"#
        let groups = collect(plain + "\n" + escaped + "\n").flowGroups()
        #expect(groups.map(\.count) == [2])
    }

    @Test func mappedAndDottedIPv4AreOneFlow() throws {
        let a = LogEntries.firewall(insertId: "a", src: "10.0.0.1")
        let b = LogEntries.firewall(insertId: "b", src: "::ffff:10.0.0.1")
        let groups = collect(LogEntries.ndjson([a, b])).flowGroups()
        #expect(groups.map(\.count) == [2])
        #expect(groups.first?.event.connection.srcIP.description == "10.0.0.1")
    }

    /// Entries whose destinations fall in a pod range (folded into one group per port), with
    /// more distinct addresses than a group keeps, and times that go back and forth.
    static func halfEntries(_ count: Int) -> [[String: Any]] {
        (0..<count).map { i in
            let port: Int = [8443, 9443, 15017][i % 3] + (i >= count / 2 && i % 2 == 1 ? 1 : 0)
            let disposition = i % 5 == 0 ? "ALLOWED" : "DENIED"
            let minute = 10 + (i * 13) % 40
            return LogEntries.firewall(
                insertId: "m\(i)", src: "172.16.0.\(2 + i % 3)", dst: "10.20.\(i % 4).\((i * 7) % 23)",
                dstPort: port, disposition: disposition, timestamp: "2026-11-22T09:\(minute):00Z")
        }
    }

    static func podTopology() throws -> Topology {
        var options = TopologyOptions()
        options.podCIDRs = ["10.20.0.0/14"]
        options.masterCIDRs = ["172.16.0.0/28"]
        return try Pipeline.topology(from: options)
    }

    static func describe(_ groups: [FlowGroup]) -> [String] {
        groups.map { g in
            "\(g.event.insertID ?? "-")@\(g.event.location?.line ?? -1) n=\(g.count) \(g.firstSeen ?? -1)-\(g.lastSeen ?? -1) "
                + "src=\(g.sources.map(\.description))\(g.moreSources ? "+" : "") dst=\(g.destinations.map(\.description))\(g.moreDestinations ? "+" : "")"
        }
    }

    /// A file read in two halves and merged gives the groups one sequential read gives, for
    /// every place the cut can fall: same order, counts, times, address samples and examples.
    /// The second dataset is the edge of the address sample: the first half fills it exactly,
    /// the second repeats those addresses and only then shows a new one.
    @Test(arguments: ["mixed", "sample edge"])
    func mergedHalvesEqualOneSequentialRead(_ dataset: String) throws {
        let entries = dataset == "mixed" ? Self.halfEntries(60) : (0..<17).map { i in
            LogEntries.firewall(insertId: "e\(i)", dst: i == 16 ? "10.20.0.99" : "10.20.0.\(i % 8)")
        }
        let topology = try Self.podTopology()
        let sequential = EvidenceCollector(topology: topology)
        sequential.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(entries).utf8))))
        let expected = Self.describe(sequential.flowGroups())
        #expect(sequential.flowGroups().contains { $0.moreDestinations }, "the data must overflow a sample")
        for cut in [0, 1, 7, 8, 9, 16, 29, 30, 31, 59, 60] where cut <= entries.count {
            let whole = EvidenceCollector(topology: topology)
            let first = EvidenceCollector(topology: topology)
            let second = EvidenceCollector(topology: topology)
            first.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(Array(entries[..<cut])).utf8))))
            second.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(Array(entries[cut...])).utf8))))
            whole.absorb(first, lineOffset: 0, byteOffset: 0)
            whole.absorb(second, lineOffset: cut, byteOffset: 0)
            #expect(Self.describe(whole.flowGroups()) == expected, "cut at \(cut)")
            #expect(whole.account.deniedRecords == sequential.account.deniedRecords)
            #expect(whole.deniedFlowGroupsSeen == sequential.deniedFlowGroupsSeen)
        }
    }

    /// The first part of a file, merged into a whole that holds nothing yet, is taken over, not
    /// copied (so a split read never holds three tables): the part is left empty, and the whole
    /// goes on as if it had read the part itself, new records and names included.
    @Test func firstPartIsTakenOverAndTheWholeReadsOn() throws {
        let entries = Self.halfEntries(60)
        let topology = try Self.podTopology()
        let sequential = EvidenceCollector(topology: topology)
        sequential.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(entries).utf8))))
        let first = EvidenceCollector(topology: topology)
        first.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(Array(entries[..<30])).utf8))))
        let firstGroups = Self.describe(first.flowGroups())
        let whole = EvidenceCollector(topology: topology)
        whole.absorb(first, lineOffset: 0, byteOffset: 0)
        #expect(first.flowGroups().isEmpty, "the part's groups moved to the whole")
        #expect(Self.describe(whole.flowGroups()) == firstGroups)
        #expect(whole.deniedFlowGroupsSeen == first.deniedFlowGroupsSeen)
        // Reading on into the whole interns names against the taken-over table.
        let rest = Array(entries[30...]).map { entry in
            Self.modify(entry, ["jsonPayload", "instance", "vm_name"], "gke-c-default-pool-1234abcd-x")
        }
        let sequentialRest = EvidenceCollector(topology: topology)
        sequentialRest.read(InputReader(
            name: "f", source: MemorySource(Array(LogEntries.ndjson(Array(entries[..<30]) + rest).utf8))))
        whole.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(rest).utf8))))
        let expected = Self.describe(sequentialRest.flowGroups())
        // Locations in the second read count from its own start; compare everything else.
        func withoutLines(_ lines: [String]) -> [String] { lines.map { $0.replacingOccurrences(of: #"@\d+ "#, with: "@ ", options: .regularExpression) } }
        #expect(withoutLines(Self.describe(whole.flowGroups())) == withoutLines(expected))
        #expect(whole.flowGroups().map { $0.event.instance?.vmName } == sequentialRest.flowGroups().map { $0.event.instance?.vmName })
        #expect(whole.account.deniedRecords == sequentialRest.account.deniedRecords)
        #expect(sequential.flowGroups().count > 0)
    }

    /// Groups of the later half past the exact bound are folded with the first half's, not
    /// skipped: every record stays counted, denied and allowed.
    @Test func mergePastTheBoundKeepsEveryRecord() throws {
        let first = collect(Array(LogEntries.ndjson([
            LogEntries.firewall(insertId: "a", dstPort: 1000), LogEntries.firewall(insertId: "b", dstPort: 1001),
        ]).utf8), maximumFlowGroups: 2)
        let second = collect(LogEntries.ndjson([
            LogEntries.firewall(insertId: "c", dstPort: 1000), LogEntries.firewall(insertId: "d", dstPort: 1002),
            LogEntries.firewall(insertId: "e", dstPort: 1002), LogEntries.firewall(insertId: "f", dstPort: 1003, disposition: "ALLOWED"),
        ]))
        let whole = EvidenceCollector(maximumFlowGroups: 2)
        whole.absorb(first, lineOffset: 0, byteOffset: 0)
        whole.absorb(second, lineOffset: 2, byteOffset: 0)
        #expect(whole.flowGroups().map(\.count) == [2, 1, 2, 1])
        #expect(whole.account.firewallRecords == 6)
        #expect(whole.account.deniedRecords == 5)
        #expect(whole.account.allowedRecords == 1)
        #expect(whole.account.skipped.isEmpty)
    }
}
