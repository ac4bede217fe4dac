import Foundation
import Testing
@testable import TriageKit

/// Large plain NDJSON files are read in two halves on two threads; the result must be the same as
/// one sequential read, line numbers included, and compressed files must never be cut.
@Suite(.serialized)
struct ParallelReadTests {
    static func entry(_ i: Int) -> String {
        let port = [8443, 9443, 15017][i % 3]
        return #"{"insertId":"id\#(i)","jsonPayload":{"connection":{"dest_ip":"10.20.\#(i % 7).\#(i % 200)","dest_port":\#(port),"protocol":6,"src_ip":"172.16.0.2","src_port":\#(40000 + i)},"disposition":"DENIED","instance":{"project_id":"p","vm_name":"gke-c-default-pool-1234abcd-\#(i % 5)","zone":"us-central1-a"},"rule_details":{"action":"DENY","direction":"INGRESS","priority":65534,"reference":"network:net/firewall:deny-all-ingress"},"vpc":{"project_id":"p","vpc_name":"net"}},"logName":"projects/p/logs/compute.googleapis.com%2Ffirewall","timestamp":"2026-11-22T09:\#(10 + i % 40):00Z"}"#
    }

    static func analyse(_ path: String, threshold: Int64) throws -> (Analysis, [InputProblem]) {
        let saved = Pipeline.parallelThreshold
        Pipeline.parallelThreshold = threshold
        defer { Pipeline.parallelThreshold = saved }
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        options.podCIDRs = ["10.20.0.0/14"]
        let topology = try Pipeline.topology(from: options)
        let collector = EvidenceCollector(topology: topology)
        var problems: [InputProblem] = []
        collector.onProblem = { problems.append($0) }
        let errors = Pipeline.collect([InputSpec(path: path, displayName: path)], into: collector)
        #expect(errors.isEmpty)
        return (Engine.analyse(collector, topology: topology, rules: try RuleLoader.builtIn()), problems)
    }

    static func summary(_ analysis: Analysis) -> [String] {
        analysis.findings.map { "\($0.id) \($0.count) \($0.firstSeen ?? "") \($0.lastSeen ?? "") \($0.message)" }
    }

    @Test func halvesGiveTheSameFindingsAndLineNumbersAsOneRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-parallel-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = (0..<3000).map(Self.entry)
        lines[2499] = #"{"insertId":"broken","jsonPayload":{"connection":"#  // line 2500, in the second half
        let file = directory.appendingPathComponent("big.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)

        let (sequential, sequentialProblems) = try Self.analyse(file.path, threshold: .max)
        let (parallel, parallelProblems) = try Self.analyse(file.path, threshold: 1)
        #expect(parallel.account.records == 2999)
        #expect(parallel.account.inputs == 1)
        #expect(Self.summary(parallel) == Self.summary(sequential))
        #expect(parallel.account.matchedRecords == sequential.account.matchedRecords)
        #expect(parallel.account.skipped == sequential.account.skipped)
        #expect(sequentialProblems.map(\.line) == [2500])
        #expect(parallelProblems.map(\.line) == [2500])
        // Evidence locations in the second half count from the start of the file.
        let lastExample = try #require(parallel.findings.flatMap(\.examples).compactMap(\.location).last)
        #expect(lastExample.hasPrefix(file.path + ":"))
    }

    @Test func gzipIsNeverCut() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-parallel-gz-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = (0..<2000).map(Self.entry).joined(separator: "\n") + "\n"
        let file = directory.appendingPathComponent("big.ndjson.gz")
        try Data(FormatWriter.gzip(Array(text.utf8))).write(to: file)
        #expect(Pipeline.splitPoint(file.path) == nil || Pipeline.parallelThreshold > 1)
        let (analysis, problems) = try Self.analyse(file.path, threshold: 1)
        #expect(problems.isEmpty)
        #expect(analysis.account.records == 2000)
        #expect(analysis.account.firewallRecords == 2000)
    }
}
