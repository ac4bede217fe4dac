import Foundation
import Testing
@testable import TriageKit

/// Large plain NDJSON files are read in two halves on two threads; the result must be the same as
/// one sequential read, line numbers included, and compressed files must never be cut.
@Suite(.serialized)
struct ParallelReadTests {
    /// Records from 2000 on use a port of their own, so the second half starts flow groups (and
    /// so examples) of its own.
    static func entry(_ i: Int) -> String {
        let port = i >= 2000 ? 6443 : [8443, 9443, 15017][i % 3]
        return #"{"insertId":"id\#(i)","jsonPayload":{"connection":{"dest_ip":"10.20.\#(i % 7).\#(i % 200)","dest_port":\#(port),"protocol":6,"src_ip":"172.16.0.2","src_port":\#(40000 + i)},"disposition":"DENIED","instance":{"project_id":"kf-test-1","vm_name":"gke-c-default-pool-1234abcd-\#(i % 5)","zone":"us-central1-a"},"rule_details":{"action":"DENY","direction":"INGRESS","priority":65534,"reference":"network:net/firewall:deny-all-ingress"},"vpc":{"project_id":"kf-test-1","vpc_name":"net"}},"logName":"projects/p/logs/compute.googleapis.com%2Ffirewall","timestamp":"2026-11-22T09:\#(10 + i % 40):00Z"}"#
    }

    static func analyse(
        _ path: String, threshold: Int64, window: (from: Int64?, to: Int64?)? = nil, maximumFlowGroups: Int = 200_000
    ) throws -> (Analysis, [InputProblem]) {
        let saved = Pipeline.parallelThreshold
        Pipeline.parallelThreshold = threshold
        defer { Pipeline.parallelThreshold = saved }
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        options.podCIDRs = ["10.20.0.0/14"]
        let topology = try Pipeline.topology(from: options)
        let collector = EvidenceCollector(topology: topology, maximumFlowGroups: maximumFlowGroups)
        collector.window = window
        var problems: [InputProblem] = []
        collector.onProblem = { problems.append($0) }
        let errors = Pipeline.collect([InputSpec(path: path, displayName: path)], into: collector)
        #expect(errors.isEmpty)
        return (Engine.analyse(collector, topology: topology, rules: try RuleLoader.builtIn()), problems)
    }

    static func rendered(_ analysis: Analysis) -> String {
        Renderer.render(analysis, as: .json, options: RenderOptions(color: false, width: 80, verbose: true))
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
        // The halves' flow tables merge into one: the whole report, account included, is the
        // sequential one byte for byte (groups, address samples, examples and all).
        #expect(parallel.account.flowGroups == sequential.account.flowGroups)
        #expect(Self.rendered(parallel) == Self.rendered(sequential))
        #expect(parallel.account.matchedRecords == sequential.account.matchedRecords)
        #expect(parallel.account.skipped == sequential.account.skipped)
        #expect(sequentialProblems.map(\.line) == [2500])
        #expect(parallelProblems.map(\.line) == [2500])
        // Evidence locations in the second half count from the start of the file.
        let lastExample = try #require(parallel.findings.flatMap(\.examples).compactMap(\.location).last)
        #expect(lastExample.hasPrefix(file.path + ":"))
    }

    /// `--since`/`--from`/`--to` keep the same records whether a file is read whole or in
    /// halves (the halves once read every record, whatever the window).
    @Test func theWindowHoldsForBothHalves() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-parallel-window-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("big.ndjson")
        try ((0..<3000).map(Self.entry).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        // Timestamps run 09:10 to 09:49; keep 09:30 onwards.
        let window = (from: Timestamp.parse("2026-11-22T09:30:00Z"), to: Int64?.none)
        let (sequential, _) = try Self.analyse(file.path, threshold: .max, window: window)
        let (parallel, _) = try Self.analyse(file.path, threshold: 1, window: window)
        #expect(sequential.account.firewallRecords == 3000 / 40 * 20)
        #expect(parallel.account.firewallRecords == sequential.account.firewallRecords)
        #expect(parallel.account.skipped == sequential.account.skipped)
        #expect(Self.rendered(parallel) == Self.rendered(sequential))
    }

    /// Past the flow table's exact bound, a split read folds as one sequential read folds and
    /// skips nothing, even when the second half met other groups first.
    @Test func halvesFoldAsOneReadWhenPastTheBound() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-parallel-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Ports 1 and 2 start the file; 3 and 4 fill its middle, where the cut falls; port 1 again at the end.
        let ports = (0..<20).map { 1 + $0 % 2 } + (0..<20).map { 3 + $0 % 2 } + Array(repeating: 1, count: 20)
        let lines = ports.enumerated().map { i, port in
            LogEntries.ndjson([LogEntries.firewall(insertId: "p\(i)", dstPort: 8000 + port)]).trimmingCharacters(in: .newlines)
        }
        let file = directory.appendingPathComponent("full.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)

        let (sequential, _) = try Self.analyse(file.path, threshold: .max, maximumFlowGroups: 2)
        final class Opened: @unchecked Sendable { var files = 0 }  // set on this thread, before the halves run
        let opened = Opened()
        let (parallel, _) = try Pipeline.$halvesOpened.withValue({ @Sendable _ in opened.files += 1 }) {
            try Self.analyse(file.path, threshold: 1, maximumFlowGroups: 2)
        }
        #expect(opened.files == 1, "the file is read in halves")
        #expect(sequential.account.skipped.isEmpty)
        #expect(sequential.account.deniedRecords == 60)
        #expect(parallel.account.skipped == sequential.account.skipped)
        #expect(parallel.account.deniedRecords == sequential.account.deniedRecords)
        #expect(Self.rendered(parallel) == Self.rendered(sequential))
    }

    /// A config listing big enough to be read in halves (gcloud's JSON array of firewall rules)
    /// keeps the second half's rules too, at their own lines: the halves' config is merged.
    @Test func configReadInHalvesKeepsBothHalves() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-parallel-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules: [Any] = (0..<400).map { i in
            [
                "kind": "compute#firewall", "name": "rule-\(i)", "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/net",
                "direction": "INGRESS", "priority": 1000 + i, "sourceRanges": ["10.\(i % 250).0.0/16"],
                "allowed": [["IPProtocol": "tcp", "ports": ["\(1000 + i)"]]],
            ] as [String: Any]
        }
        let file = directory.appendingPathComponent("firewall-rules.json")
        try Data(FormatWriter.write(rules, as: .jsonArray)).write(to: file)
        func read(threshold: Int64) throws -> ConfigSnapshot {
            let saved = Pipeline.parallelThreshold
            Pipeline.parallelThreshold = threshold
            defer { Pipeline.parallelThreshold = saved }
            let collector = EvidenceCollector(topology: Topology())
            #expect(Pipeline.collect([InputSpec(path: file.path, displayName: file.path)], into: collector).isEmpty)
            return collector.config
        }
        let sequential = try read(threshold: .max)
        let parallel = try read(threshold: 1)
        #expect(sequential.firewallRules.count == 400)
        #expect(parallel.firewallRules.count == 400, "the second half's rules were lost")
        #expect(parallel.listed.contains(.firewallRules))
        let lines = { (config: ConfigSnapshot) in config.firewallRules.map { "\($0.name) \($0.location?.line ?? -1)" }.sorted() }
        #expect(lines(parallel) == lines(sequential))
    }

    /// gcloud's JSON arrays and YAML are cut too, at an element or a `---` line.
    @Test(arguments: [FormatWriter.Kind.jsonArray, .yaml])
    func gcloudFormatsAreCutAtRecordBoundaries(_ kind: FormatWriter.Kind) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-parallel-\(kind.rawValue)-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries = try (0..<3000).map { try JSONSerialization.jsonObject(with: Data(Self.entry($0).utf8)) }
        let file = directory.appendingPathComponent("big.\(kind.rawValue)")
        try Data(FormatWriter.write(entries, as: kind)).write(to: file)
        let saved = Pipeline.parallelThreshold
        Pipeline.parallelThreshold = 1
        let split = Pipeline.splitPoint(file.path)
        Pipeline.parallelThreshold = saved
        #expect(split != nil, "no split point found")

        let (sequential, sequentialProblems) = try Self.analyse(file.path, threshold: .max)
        let (parallel, parallelProblems) = try Self.analyse(file.path, threshold: 1)
        #expect(sequentialProblems.isEmpty)
        #expect(parallelProblems.isEmpty, "\(parallelProblems)")
        #expect(parallel.account.records == 3000)
        #expect(Self.summary(parallel) == Self.summary(sequential))
        #expect(Self.rendered(parallel) == Self.rendered(sequential))
        // Every example names the line its own record starts on, in both halves.
        let truth = Self.recordStarts(file, kind)
        let examples = parallel.findings.flatMap(\.examples)
        #expect(examples.count > 3)
        for example in examples {
            let id = try #require(example.insertID)
            #expect(example.location == truth[id], "\(id)")
        }
    }

    /// insertId → file:line of the record's first line, worked out from the text itself.
    static func recordStarts(_ file: URL, _ kind: FormatWriter.Kind) -> [String: String] {
        let lines = (try? String(contentsOf: file, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false) ?? []
        var result: [String: String] = [:]
        var start = 0
        for (index, line) in lines.enumerated() {
            if kind == .yaml ? line == "---" : line == "  {" { start = index + 1 }
            let prefix = kind == .yaml ? "insertId: " : "    \"insertId\": \""
            if line.hasPrefix(prefix) {
                let id = line.dropFirst(prefix.count).trimmingCharacters(in: CharacterSet(charactersIn: "\","))
                result[id] = "\(file.path):\(start)"
            }
        }
        return result
    }

    @Test func gzipIsNeverCut() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-parallel-gz-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = (0..<2000).map(Self.entry).joined(separator: "\n") + "\n"
        let file = directory.appendingPathComponent("big.ndjson.gz")
        try Data(FormatWriter.gzip(Array(text.utf8))).write(to: file)
        let saved = Pipeline.parallelThreshold
        Pipeline.parallelThreshold = 1
        #expect(Pipeline.splitPoint(file.path) == nil)
        Pipeline.parallelThreshold = saved
        let (analysis, problems) = try Self.analyse(file.path, threshold: 1)
        #expect(problems.isEmpty)
        #expect(analysis.account.records == 2000)
        #expect(analysis.account.firewallRecords == 2000)
    }
}
