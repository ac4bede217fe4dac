import Foundation
import Testing
@testable import TriageKit

/// gcloud's default tables, pasted alone or several in one input, as gcloud 528 printed them.
struct ConfigTableTests {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: ConfigSnapshotTests.fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func severalTablesInOnePasteSeparatedByBlankLines() throws {
        let paste = try ["firewall-rules-list.txt", "routes-list.txt", "routers-nats-list.txt", "dns-record-sets-list-googleapis.txt"]
            .map(Self.fixture).joined(separator: "\n")
        let collector = collect(paste)
        #expect(collector.config.firewallRules.count == 11)
        #expect(collector.config.routes.count == 7)
        #expect(collector.config.nats.map(\.name) == ["kf-nat"])
        #expect(collector.config.recordSets.count == 4)
        #expect(collector.account.evidence["routes"] == 7 && collector.account.evidence["DNS record sets"] == 4)
    }

    @Test func emptyCellsKeepTheirColumns() throws {
        let rules = collect(try Self.fixture("firewall-rules-list.txt")).config.firewallRules
        let deny = try #require(rules.first { $0.name == "gke-kf-private-3f9a6c2e-exkubelet" })
        #expect(deny.action == .deny && deny.permissionsText == "tcp:10255" && deny.priority == 1000)
        let allow = try #require(rules.first { $0.name == "gke-kf-private-3f9a6c2e-all" })
        #expect(allow.action == .allow && allow.permissions.map(\.protocolName) == ["tcp", "udp", "icmp", "esp", "ah", "sctp"])
    }

    @Test func theSOARecordKeepsItsSpacesAndTheARecordSplits() throws {
        let records = collect(try Self.fixture("dns-record-sets-list-googleapis.txt")).config.recordSets
        #expect(records.first { $0.type == "SOA" }?.rrdatas.count == 1)
        #expect(records.first { $0.type == "A" }?.rrdatas.count == 4)
    }

    @Test func headersOfOtherTablesAreNotTakenForConfig() {
        #expect(ConfigTable.parser(header: "NAME  READY  STATUS  RESTARTS  AGE", input: "x", line: 1) == nil)
        #expect(ConfigTable.parser(header: "NAME  TYPE  LOCATION  TARGET  STATUS_MESSAGE  STATUS  START_TIME  END_TIME", input: "x", line: 1) == nil)
        #expect(ConfigTable.parser(header: "NAME  REGION  NETWORK  EXTRA", input: "x", line: 1) == nil)
        #expect(ConfigTable.parser(header: "NAME       REGION       NETWORK", input: "x", line: 1) != nil)
    }
}
