import Foundation
import TriageKit

/// What every fuzz target shares: the bytes go through the same path the CLI takes for one input
/// (`InputReader` into an `EvidenceCollector`, then the engine and the renderers), and whatever
/// should always hold afterwards is checked. A broken invariant traps, so libFuzzer keeps the input.
public enum FuzzHarness {
    /// The built-in rules, loaded once per process (as the CLI loads them once per run).
    nonisolated(unsafe) static let rules: [Rule] = {
        do { return try RuleLoader.builtIn() } catch { fatalError("built-in rules do not load: \(error)") }
    }()

    /// A fixed clock, so findings that judge durations do not depend on when the fuzzer runs.
    static let now = Timestamp.parse("2026-11-22T10:30:00Z")

    /// Reads `size` bytes as one input. `format` nil sniffs the format (and gzip) as the CLI does;
    /// a format skips sniffing so every input reaches that one reader.
    public static func read(_ data: UnsafePointer<UInt8>, _ size: Int, format: InputFormat?) -> EvidenceCollector {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        var topology = Topology()
        topology.now = now
        let collector = EvidenceCollector(topology: topology)
        let reader = InputReader(name: "fuzz-input", source: MemorySource(bytes), format: format)
        collector.read(reader)
        checkAccount(collector.account, inputSize: size, compressed: reader.wasCompressed)
        return collector
    }

    /// Runs the built-in rules over what was read, renders every output format and checks them.
    public static func analyseAndRender(_ collector: EvidenceCollector, topology base: Topology = Topology()) {
        var topology = base
        topology.now = now
        let analysis = Engine.analyse(collector, topology: topology, rules: rules)
        let account = analysis.account
        require(account.matchedRecords <= account.firewallRecords, "more matched records than firewall records: \(account)")
        require(account.flowGroups <= account.deniedRecords + account.allowedRecords, "more flow groups than records: \(account)")
        checkJSONLines(Renderer.render(analysis, as: .json, options: RenderOptions()))
        _ = Renderer.render(analysis, as: .text, options: RenderOptions(color: true, width: 80, verbose: true))
        _ = Renderer.render(analysis, as: .markdown, options: RenderOptions())
        _ = Renderer.accountSummary(analysis)
    }

    /// The account's counts are never negative and nest: every denied or allowed record is a
    /// firewall record, every firewall record a record; a plain input reads no more bytes than it has.
    static func checkAccount(_ account: RunAccount, inputSize: Int, compressed: Bool) {
        require(account.inputs == 1, "one input read, \(account.inputs) counted")
        require(account.deniedRecords >= 0 && account.allowedRecords >= 0, "negative counts: \(account)")
        require(account.deniedRecords + account.allowedRecords <= account.firewallRecords, "denied + allowed > firewall: \(account)")
        require(account.firewallRecords <= account.records, "firewall > records: \(account)")
        require(account.skipped.values.allSatisfy { $0 > 0 }, "a skip reason counted zero or less: \(account.skipped)")
        require(account.bytes >= 0, "negative byte count: \(account.bytes)")
        if !compressed { require(account.bytes <= Int64(inputSize), "read \(account.bytes) bytes of \(inputSize)") }
    }

    /// The JSON report is JSON Lines: every line one JSON object that Foundation's reader accepts.
    static func checkJSONLines(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8))
            require(object is [String: Any], "a JSON report line does not parse as an object: \(line.prefix(200))")
        }
    }

    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz invariant broken: " + message()) }
    }
}
