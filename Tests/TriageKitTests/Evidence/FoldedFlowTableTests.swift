import Foundation
import Testing
@testable import TriageKit

/// Past its exact bound the flow table counts a flow's far end per address class: no record is
/// dropped, counts stay exact, and the output does not depend on when (or in which half of a
/// file) the fold happened. Below the bound nothing changes.
@Suite(.serialized)
struct FoldedFlowTableTests {
    /// Noisy traffic: scanners from `scanners` internet addresses on three node ports, pods
    /// calling `destinations` internet addresses, and a webhook flow from the control plane.
    static func noisyEntries(scanners: Int, destinations: Int, records: Int) -> [[String: Any]] {
        (0..<records).map { i in
            let minute = String(format: "%02d", 10 + (i * 7) % 40)
            let time = "2026-11-22T09:\(minute):00Z"
            switch i % 4 {
            case 0, 1:
                let n = (i * 7_919) % max(scanners, 1)
                return LogEntries.firewall(
                    insertId: "s\(i)", src: "203.\(n % 200).\(n / 200 % 250).\(1 + n % 7)", dst: "10.128.0.\(2 + i % 3)",
                    dstPort: [22, 3389, 10250][i % 3], timestamp: time)
            case 2:
                let n = (i * 104_729) % max(destinations, 1)
                return LogEntries.firewall(
                    insertId: "e\(i)", src: "10.20.\(i % 3).\(i % 9)", dst: "\(60 + n % 40).\(n / 40 % 250).\(n % 13).9",
                    dstPort: 443, reference: "network:kubeflow-vpc/firewall:deny-egress", direction: "EGRESS",
                    sourceRanges: [], timestamp: time)
            default:
                return LogEntries.firewall(insertId: "w\(i)", dst: "10.20.1.\(i % 30)", dstPort: 8443, timestamp: time)
            }
        }
    }

    static func topology() throws -> Topology {
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        options.podCIDRs = ["10.20.0.0/14"]
        options.now = "2026-11-22T10:30:00Z"
        return try Pipeline.topology(from: options)
    }

    /// Reads `inputs` (paths, each whole: `Pipeline.parallelThreshold` belongs to
    /// ParallelReadTests, which may run meanwhile) with the given bounds and runs every rule.
    static func analyse(_ inputs: [InputSpec], topology: Topology, exactGroups: Int) throws -> Analysis {
        let collector = EvidenceCollector(topology: topology, maximumFlowGroups: exactGroups)
        for input in inputs {
            collector.read(InputReader(name: input.displayName, source: try FileDescriptorSource(path: input.path!)))
        }
        return Engine.analyse(collector, topology: topology, rules: try RuleLoader.builtIn())
    }

    /// Text (compact and with every detail), JSON and markdown.
    static func renderings(_ analysis: Analysis) -> [String] {
        [(OutputFormat.text, TextDetail.compact), (.text, .full), (.json, .compact), (.markdown, .compact)].map {
            Renderer.render(analysis, as: $0.0, options: RenderOptions(color: false, width: 100, verbose: true, detail: $0.1))
        }
    }

    /// Each finding's identity, count and times: what must not change when flows are folded.
    static func counts(_ analysis: Analysis) -> [String] {
        analysis.findings.map { "\($0.id) n=\($0.count) \($0.firstSeen ?? "") \($0.lastSeen ?? "")" }.sorted()
    }

    static func write(_ entries: [[String: Any]], name: String) throws -> (URL, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-folded-\(name)-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(name).ndjson")
        try LogEntries.ndjson(entries).write(to: file, atomically: true, encoding: .utf8)
        return (directory, file)
    }

    /// Below the bound every sample scenario reads exactly as with no bound at all, in text,
    /// JSON and markdown.
    @Test func sampleScenariosAreByteIdenticalBelowTheBound() throws {
        let root = repositoryRoot.appendingPathComponent("SampleLogs")
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(scenarios.count > 15)
        for scenario in scenarios {
            let inputs = try Pipeline.expand([root.appendingPathComponent(scenario).path])
                .filter { !$0.displayName.hasSuffix("expected.json") }
            var options = TopologyOptions()
            options.now = "2026-11-22T10:30:00Z"
            let topology = try Pipeline.topology(from: options)
            let bounded = try Self.analyse(inputs, topology: topology, exactGroups: EvidenceCollector.exactFlowGroups)
            let unbounded = try Self.analyse(inputs, topology: topology, exactGroups: Int.max / 2)
            #expect(Self.renderings(bounded) == Self.renderings(unbounded), "\(scenario)")
        }
    }

    /// Generated noisy data at several cardinalities: below the bound, byte-identical to the
    /// unbounded read; past it (a bound of 16), the same findings with the same counts and times,
    /// nothing skipped, and the folded ends marked as samples.
    @Test(arguments: [1, 40, 2_000])
    func generatedDataCountsTheSameFoldedOrNot(_ cardinality: Int) throws {
        let entries = Self.noisyEntries(scanners: cardinality, destinations: cardinality, records: 4_000)
        let (directory, file) = try Self.write(entries, name: "noisy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = [InputSpec(path: file.path, displayName: file.path)]
        let topology = try Self.topology()
        let unbounded = try Self.analyse(inputs, topology: topology, exactGroups: Int.max / 2)
        let bounded = try Self.analyse(inputs, topology: topology, exactGroups: EvidenceCollector.exactFlowGroups)
        #expect(Self.renderings(bounded) == Self.renderings(unbounded))
        let folded = try Self.analyse(inputs, topology: topology, exactGroups: 16)
        #expect(unbounded.account.skipped.isEmpty)
        #expect(folded.account.skipped.isEmpty)
        #expect(folded.account.firewallRecords == 4_000)
        #expect(folded.account.deniedRecords == unbounded.account.deniedRecords)
        #expect(folded.account.matchedRecords == unbounded.account.matchedRecords)
        #expect(Self.counts(folded) == Self.counts(unbounded))
        let foldedAtAll = unbounded.account.flowGroups > 16
        #expect(folded.findings.contains { $0.sampledSources || $0.sampledDestinations } == foldedAtAll)
        if cardinality == 2_000 {
            #expect(folded.account.flowGroups < unbounded.account.flowGroups / 10)
            let rendered = Self.renderings(folded)
            #expect(rendered[1].contains("distinct (estimated),"))
            #expect(rendered[2].contains(#""sources_sampled":true"#))
            #expect(rendered[2].contains(#""distinct_sources_estimated":true"#))
            #expect(rendered[3].contains("(≈ "))
            #expect(!Self.renderings(unbounded).joined().contains("≈"))
        }
    }

    /// Internet scanners on two ports reach `vms` GKE VMs whose addresses no given range holds,
    /// and pods there call the internet: past the bound the VMs' own end is counted per class too.
    static func manyVMEntries(vms: Int, records: Int) -> [[String: Any]] {
        (0..<records).map { i in
            let vm = (i * 7_919) % vms
            let address = "10.128.\(vm / 250).\(2 + vm % 250)"
            let name = "gke-kf-private-default-pool-\(String(vm, radix: 16))-n"
            let time = "2026-11-22T09:\(String(format: "%02d", 10 + (i * 7) % 40)):00Z"
            let n = (i * 104_729) % 3_000
            let internet = "\(60 + n % 20).\(n / 20 % 250).\(n % 13).7"
            if i % 3 == 2 {
                return LogEntries.firewall(
                    insertId: "e\(i)", src: address, dst: internet, dstPort: 443, reference: "network:kubeflow-vpc/firewall:deny-egress",
                    direction: "EGRESS", sourceRanges: [], vmName: name, timestamp: time)
            }
            return LogEntries.firewall(insertId: "s\(i)", src: internet, dst: address, dstPort: [22, 3389][i % 3], vmName: name, timestamp: time)
        }
    }

    /// Past the bound, GKE VMs' own addresses outside every range are counted per class: the
    /// groups no longer multiply by VMs, while the findings, their counts and times, and what
    /// role inference learns from the VM names stay as an exact read gives them; the distinct
    /// count of the folded end is estimated within the sketch's error.
    @Test func vmSideAddressesFoldPastTheBound() throws {
        let entries = Self.manyVMEntries(vms: 900, records: 6_000)
        let (directory, file) = try Self.write(entries, name: "vms")
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = [InputSpec(path: file.path, displayName: file.path)]
        let topology = try Self.topology()
        let unbounded = try Self.analyse(inputs, topology: topology, exactGroups: Int.max / 2)
        let folded = try Self.analyse(inputs, topology: topology, exactGroups: 16)
        #expect(unbounded.account.flowGroups > 1_000)
        #expect(folded.account.flowGroups <= 8)
        #expect(folded.account.skipped.isEmpty)
        #expect(folded.account.firewallRecords == 6_000)
        #expect(Self.counts(folded) == Self.counts(unbounded))
        #expect(folded.topology.inferences == unbounded.topology.inferences)
        for vm in [0, 1, 450, 899] {
            let address = IPAddress("10.128.\(vm / 250).\(2 + vm % 250)")!
            #expect(folded.topology.classify(address).reason == unbounded.topology.classify(address).reason)
        }
        let scanned = try #require(unbounded.findings.first { $0.direction == "INGRESS" })
        let estimated = try #require(folded.findings.first { $0.id == scanned.id })
        #expect(estimated.sampledDestinations)
        let estimate = try #require(estimated.estimatedDistinctDestinations)
        let exact = Double(scanned.distinctDestinations)
        #expect(scanned.distinctDestinations >= 300)
        #expect(abs(Double(estimate) - exact) / exact <= 3 * HyperLogLog.standardError, "≈ \(estimate) for \(scanned.distinctDestinations)")
    }

    /// A node range learned only when analysing (a subnet from the config) re-classifies the
    /// VMs' folded addresses when it covers their /20 block whole; one that covers it in part
    /// would split the class, so those groups are set aside and counted as skipped.
    @Test func aRangeLearnedLateOverTheVMSideClass() throws {
        let entries = Self.manyVMEntries(vms: 300, records: 1_500)
        let text = LogEntries.ndjson(entries)
        let scanTopology = try Self.topology()
        for (range, setAside) in [("10.128.0.0/20", false), ("10.128.0.0/16", false), ("10.128.1.0/24", true)] {
            var late = scanTopology
            late.addRange(CIDR(range)!, role: .node, reason: "primary range of a subnet", confidence: .known)
            func analyse(bound: Int) throws -> Analysis {
                let collector = EvidenceCollector(topology: scanTopology, maximumFlowGroups: bound)
                collector.read(InputReader(name: "f", source: MemorySource(Array(text.utf8))))
                return Engine.analyse(collector, topology: late, rules: try RuleLoader.builtIn())
            }
            let exact = try analyse(bound: Int.max / 2)
            let folded = try analyse(bound: 16)
            #expect(exact.account.skipped.isEmpty, "\(range)")
            if setAside {
                #expect((folded.account.skipped[EvidenceCollector.learnedTooLate] ?? 0) > 0, "\(range)")
            } else {
                #expect(folded.account.skipped.isEmpty, "\(range)")
                #expect(Self.counts(folded) == Self.counts(exact), "\(range)")
            }
        }
    }

    /// The same records give the same folded groups whenever the fold happens (after 3 distinct
    /// flows or after 40), and when two tables that each folded at their own time are merged.
    @Test func whenTheFoldHappensChangesNothing() throws {
        let entries = Self.noisyEntries(scanners: 500, destinations: 300, records: 1_200)
        let text = LogEntries.ndjson(entries)
        func groups(_ collector: EvidenceCollector) -> [String] { FlowTableTests.describe(collector.flowGroups()) }
        let topology = try Self.topology()
        func read(_ part: [[String: Any]], bound: Int) -> EvidenceCollector {
            let collector = EvidenceCollector(topology: topology, maximumFlowGroups: bound)
            collector.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(part).utf8))))
            return collector
        }
        let early = read(entries, bound: 3)
        let late = read(entries, bound: 40)
        #expect(groups(early) == groups(late))
        #expect(early.flowGroups().reduce(0) { $0 + $1.count } == 1_200)
        for cut in [1, 30, 600, 1_190] {
            let whole = EvidenceCollector(topology: topology, maximumFlowGroups: 40)
            whole.absorb(read(Array(entries[..<cut]), bound: 40), lineOffset: 0, byteOffset: 0)
            whole.absorb(read(Array(entries[cut...]), bound: 40), lineOffset: cut, byteOffset: 0)
            #expect(groups(whole) == groups(late), "cut at \(cut)")
            #expect(whole.account.deniedRecords == late.account.deniedRecords)
        }
        #expect(!text.isEmpty)
    }

    /// A range learned only when analysing (here the run's own topology, which the reading did
    /// not have) that covers folded internet addresses: their groups are set aside and their
    /// records counted as skipped with the reason, never counted under the wrong role.
    @Test func aRoleLearnedLateSetsFoldedGroupsAside() throws {
        let scanners = (0..<6).map { LogEntries.firewall(insertId: "a\($0)", src: "34.1.2.\(10 + $0)", dstPort: 443) }
        let others = (0..<4).map { LogEntries.firewall(insertId: "b\($0)", src: "198.51.100.\(10 + $0)", dstPort: 443) }
        let collector = EvidenceCollector(maximumFlowGroups: 2)
        collector.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(scanners + others).utf8))))
        #expect(collector.account.skipped.isEmpty)
        var topology = Topology()
        topology.addRange(CIDR("34.1.2.0/24")!, role: .controlPlane, reason: "given")
        let analysis = Engine.analyse(collector, topology: topology, rules: try RuleLoader.builtIn())
        #expect(analysis.account.skipped[EvidenceCollector.learnedTooLate] == 6)
        #expect(analysis.account.deniedRecords == 4)
        #expect(analysis.findings.map(\.count).reduce(0, +) <= 4)
        // Without the late range nothing is set aside.
        let again = EvidenceCollector(maximumFlowGroups: 2)
        again.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(scanners + others).utf8))))
        let plain = Engine.analyse(again, topology: Topology(), rules: try RuleLoader.builtIn())
        #expect(plain.account.skipped.isEmpty)
        #expect(plain.account.deniedRecords == 10)
    }

    /// A folded far end that a record names as a VM (from which roles are learned) is set aside.
    @Test func aRemoteVMAtAFoldedAddressIsSetAside() throws {
        var entries = (0..<5).map { LogEntries.firewall(insertId: "a\($0)", src: "198.51.100.\(10 + $0)", dstPort: 443) }
        var named = entries[4]
        var payload = named["jsonPayload"] as! [String: Any]
        payload["remote_instance"] = ["vm_name": "gke-other-pool-1", "project_id": "p"]
        named["jsonPayload"] = payload
        entries[4] = named
        let collector = EvidenceCollector(maximumFlowGroups: 2)
        collector.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(entries).utf8))))
        let analysis = Engine.analyse(collector, topology: Topology(), rules: try RuleLoader.builtIn())
        #expect(analysis.account.skipped[EvidenceCollector.learnedTooLate] == 5)
    }

    /// Past the folded bound too, records are skipped and counted (never silently lost).
    @Test func aFullFoldedTableCountsWhatItSkips() throws {
        let entries = (0..<6).map { LogEntries.firewall(insertId: "r\($0)", dstPort: 1000 + $0) }
        let collector = EvidenceCollector(maximumFlowGroups: 2, maximumFoldedGroups: 4)
        collector.read(InputReader(name: "f", source: MemorySource(Array(LogEntries.ndjson(entries).utf8))))
        #expect(collector.flowGroups().map(\.count) == [1, 1, 1, 1])
        #expect(collector.account.skipped["flow table full (more than 4 flow groups, even counted per address class)"] == 2)
    }

    /// A whole group counted elsewhere (a SQL engine's row, issue 17) adds as its records would:
    /// its count, time span and addresses join a group its first record keys.
    @Test func aGroupCountedElsewhereAddsAsItsRecords() throws {
        final class GroupSink: RecordSink {
            let collector: EvidenceCollector
            init(_ collector: EvidenceCollector) { self.collector = collector }
            func consume(_ record: RecordFields, format: InputFormat, locate: () -> RecordLocation) {
                collector.addFlowGroup(
                    record, count: 40, firstSeen: utcMicros(2026, 11, 22, 9, 0, 0), lastSeen: utcMicros(2026, 11, 22, 9, 30, 0),
                    destinations: ["10.20.7.7", "10.20.7.8"].compactMap(IPAddress.init), locate: locate)
            }
            func problem(_ problem: InputProblem) { collector.problem(problem) }
        }
        let collector = EvidenceCollector(topology: try Self.topology())
        let row = LogEntries.ndjson([LogEntries.firewall(insertId: "row", dst: "10.20.1.14", timestamp: "2026-11-22T09:14:03Z")])
        try InputReader(name: "rows", source: MemorySource(Array(row.utf8))).run(into: GroupSink(collector))
        collector.read(InputReader(name: "f", source: MemorySource(Array(row.utf8))))
        let groups = collector.flowGroups()
        #expect(groups.map(\.count) == [41])
        #expect(groups.first?.destinations.map(\.description) == ["10.20.1.14", "10.20.7.7", "10.20.7.8"])
        #expect(groups.first?.firstSeen == utcMicros(2026, 11, 22, 9, 0, 0))
        #expect(groups.first?.lastSeen == utcMicros(2026, 11, 22, 9, 30, 0))
        #expect(collector.account.deniedRecords == 41)
        #expect(collector.account.firewallRecords == 41)
    }

    /// Samples of groups folded together keep the first distinct addresses in reading order.
    @Test func foldedSamplesMergeInReadingOrder() {
        func address(_ n: Int) -> IPAddress { IPAddress("198.51.100.\(n)")! }
        var a = AddressSample(address(1))
        a.add(address(3), at: 30)
        a.add(address(5), at: 50)
        var b = AddressSample(address(2))
        b.add(address(3), at: 25)
        b.add(address(4), at: 40)
        let merged = AddressSample.merged(a, from: 10, b, from: 20)
        #expect(merged.addresses == [1, 2, 3, 4, 5].map(address))
        #expect(merged.restPositions == [20, 25, 40, 50])
        #expect(!merged.more)
    }
}

/// In ParallelReadTests' suite, which owns `Pipeline.parallelThreshold` (its tests run one at a time).
extension ParallelReadTests {
    static func analyse(_ inputs: [InputSpec], topology: Topology, exactGroups: Int, threshold: Int64) throws -> Analysis {
        let saved = Pipeline.parallelThreshold
        Pipeline.parallelThreshold = threshold
        defer { Pipeline.parallelThreshold = saved }
        let collector = EvidenceCollector(topology: topology, maximumFlowGroups: exactGroups)
        _ = Pipeline.collect(inputs, into: collector)
        return Engine.analyse(collector, topology: topology, rules: try RuleLoader.builtIn())
    }

    /// A file read in halves folds as one read folds: the whole report is the same.
    @Test func halvesFoldAsOneRead() throws {
        let entries = FoldedFlowTableTests.noisyEntries(scanners: 3_000, destinations: 1_000, records: 6_000)
        let (directory, file) = try FoldedFlowTableTests.write(entries, name: "halves")
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = [InputSpec(path: file.path, displayName: file.path)]
        let topology = try FoldedFlowTableTests.topology()
        final class Opened: @unchecked Sendable { var files = 0 }  // set on this thread, before the halves run
        let opened = Opened()
        for bound in [8, 700] {
            let sequential = try Self.analyse(inputs, topology: topology, exactGroups: bound, threshold: .max)
            let parallel = try Pipeline.$halvesOpened.withValue({ @Sendable _ in opened.files += 1 }) {
                try Self.analyse(inputs, topology: topology, exactGroups: bound, threshold: 1)
            }
            #expect(FoldedFlowTableTests.renderings(parallel) == FoldedFlowTableTests.renderings(sequential), "bound \(bound)")
            #expect(parallel.account.skipped.isEmpty)
            #expect(parallel.account.flowGroups == sequential.account.flowGroups)
        }
        #expect(opened.files == 2, "the file is read in halves")
    }

}
