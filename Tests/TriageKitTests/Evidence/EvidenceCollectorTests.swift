import Foundation
import Testing
@testable import TriageKit

/// What the collector makes of each kind of record, and the account it keeps.
struct EvidenceCollectorTests {
    static func line(_ object: [String: Any]) -> String { LogEntries.ndjson([object]) }

    @Test func sortsRecordsByKind() throws {
        var text = ""
        text += Self.line(LogEntries.firewall(insertId: "fw-denied"))
        text += Self.line(LogEntries.firewall(insertId: "fw-allowed", dstPort: 443, disposition: "ALLOWED"))
        // Exports that dropped the LogEntry envelope still carry the payload.
        text += Self.line(LogEntries.firewall(insertId: "payload-only", dstPort: 22, logName: nil))
        text += Self.line(["insertId": "audit-1", "logName": "projects/p/logs/cloudaudit.googleapis.com%2Factivity"])
        text += Self.line(["insertId": "audit-2", "logName": "projects/p/logs/cloudaudit.googleapis.com%2Factivity"])
        text += Self.line(["insertId": "syslog", "logName": "projects/p/logs/syslog", "textPayload": "hello"])
        text += Self.line([
            "name": "kf", "privateClusterConfig": ["masterIpv4CidrBlock": "172.16.0.0/28"], "clusterIpv4Cidr": "10.20.0.0/14",
        ])
        text += Self.line(["foo": 1, "bar": ["baz": true]])
        text += Self.line(LogEntries.firewall(insertId: "bad-ip", src: "10.0.0.300"))
        text += "{\"broken\": \n"
        text += Self.line(["privateClusterConfig": ["masterIpv4CidrBlock": "172.16.0.0/28"]])  // no name

        let collector = EvidenceCollector()
        var seen: [InputProblem] = []
        collector.onProblem = { seen.append($0) }
        let error = collector.read(InputReader(name: "mixed.json", source: MemorySource(text)))
        #expect(error == nil)
        let account = collector.account
        #expect(account.inputs == 1)
        #expect(account.bytes == Int64(text.utf8.count))
        #expect(account.records == 10)  // every framed record; the broken line is not one
        #expect(account.firewallRecords == 3)
        #expect(account.deniedRecords == 2)
        #expect(account.allowedRecords == 1)
        #expect(account.otherLogEntries == ["cloudaudit.googleapis.com/activity": 2, "syslog": 1])
        #expect(account.clusterDescriptions == 1)
        #expect(account.unrecognisedRecords == 1)
        #expect(account.skipped == [
            "firewall record without a connection": 1, "malformed JSON": 1, "bad cluster description": 1,
        ])
        #expect(account.skippedTotal == 3)
        #expect(account.otherRecords == 5)
        #expect(account.inputErrors.isEmpty)
        #expect(seen.count == 3)
        #expect(seen.map(\.line) == [9, 10, 11])
        #expect(collector.clusters.map(\.name) == ["kf"])
        #expect(Set(collector.flowGroups().compactMap { $0.event.insertID }) == ["fw-denied", "fw-allowed", "payload-only"])
    }

    @Test func firewallLogNameSpellings() throws {
        let names = [
            "projects/p/logs/compute.googleapis.com%2Ffirewall",
            "projects/p/logs/compute.googleapis.com/firewall",
            "organizations/1/logs/compute.googleapis.com%2Ffirewall",
        ]
        let entries = names.enumerated().map { LogEntries.firewall(insertId: "n\($0.offset)", dstPort: 1000 + $0.offset, logName: $0.element) }
        let other = LogEntries.firewall(insertId: "vpc-flows", logName: "projects/p/logs/compute.googleapis.com%2Fvpc_flows")
        let collector = collect(LogEntries.ndjson(entries + [other]))
        #expect(collector.account.firewallRecords == 3)
        #expect(collector.account.otherLogEntries == ["compute.googleapis.com/vpc_flows": 1])
    }

    @Test func manyOtherLogsAreCappedInTheAccount() throws {
        let entries = (0..<150).map { ["logName": "projects/p/logs/log-\($0)"] as [String: Any] }
        let collector = collect(LogEntries.ndjson(entries))
        #expect(collector.account.otherLogEntries.count == 101)
        #expect(collector.account.otherLogEntries["(other logs)"] == 50)
        #expect(collector.account.otherLogEntries.values.reduce(0, +) == 150)
    }

    @Test func clusterDescriptionInYAML() throws {
        let path = repositoryRoot.appendingPathComponent("SampleLogs/webhook-port-blocked/cluster.yaml").path
        let collector = EvidenceCollector()
        collector.read(InputReader(name: "cluster.yaml", source: try FileDescriptorSource(path: path)))
        #expect(collector.account.clusterDescriptions == 1)
        #expect(collector.account.records == 1)
        #expect(collector.clusters.first?.masterCIDR?.description == "172.16.0.0/28")
        #expect(collector.clusters.first?.source == "cluster.yaml:1")
    }

    @Test func inputErrorsAreAccounted() throws {
        let collector = EvidenceCollector()
        let error = collector.read(InputReader(name: "weird.txt", source: MemorySource("this is not a log\n")))
        #expect(error == .unknownFormat(input: "weird.txt", firstBytes: "this is not a log"))
        #expect(collector.account.skipped["unrecognised input format"] == 1)
        #expect(collector.account.inputErrors == [error!.description])
        // A second input still counts.
        collector.read(InputReader(name: "ok.json", source: MemorySource(Self.line(LogEntries.firewall()))))
        #expect(collector.account.inputs == 2)
        #expect(collector.account.firewallRecords == 1)
    }

    @Test func unopenableInputIsAccounted() throws {
        let directory = try TemporaryDirectory()
        let collector = EvidenceCollector()
        let errors = Pipeline.collect([InputSpec(path: directory.path("missing.json"), displayName: "missing.json")], into: collector)
        #expect(errors.count == 1)
        #expect(collector.account.inputs == 1)
        #expect(collector.account.skipped["input not readable (No such file or directory)"] == 1)
    }

    @Test func expandWalksDirectoriesInOrderSkippingHiddenFiles() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("sub"), withIntermediateDirectories: true)
        for name in ["b.json", "a.json", "sub/c.json", ".hidden.json"] { try directory.write(name, Array("{}\n".utf8)) }
        let specs = try Pipeline.expand([directory.url.path, "-"])
        #expect(specs.map { ($0.displayName as NSString).lastPathComponent } == ["a.json", "b.json", "c.json", "<stdin>"])
        #expect(specs.last == .standardInput)
        #expect(throws: TriageError.cannotOpen(path: directory.path("nope"), reason: "no such file or directory")) {
            try Pipeline.expand([directory.path("nope")])
        }
    }
}
