import CFuzzDriver
import Foundation
import TriageKit

/// What every fuzz target shares: the bytes go through the same path the CLI takes for one input
/// (`InputReader` into an `EvidenceCollector`, then the engine and the renderers), and whatever
/// should always hold afterwards is checked. A broken invariant traps, so libFuzzer keeps the input.
///
/// Every input takes the reader surface (the parsers of hostile bytes, which is what fuzzing is
/// for); the deep path (engine, renderers, the JSON check) costs tens of times more, so it runs
/// on the inputs `isDeep` picks.
public enum FuzzHarness {
    /// FUZZ_DEEP=1 runs the deep path on every input (to replay one), FUZZ_DEEP=0 on none;
    /// otherwise one input in `deepShare`, chosen by its bytes.
    static let deepMode: String? = ProcessInfo.processInfo.environment["FUZZ_DEEP"]
    public static let deepShare: UInt64 = 64

    /// Whether this input also goes through the engine and the renderers. Decided by a hash of
    /// the bytes, not a counter, so an input always takes the same path: its coverage is stable
    /// and a crash found on the deep path replays.
    public static func isDeep(_ data: UnsafePointer<UInt8>, _ size: Int) -> Bool {
        switch deepMode {
        case "1": return true
        case "0": return false
        default:
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for i in 0..<size { hash = (hash ^ UInt64(data[i])) &* 0x100_0000_01b3 }
            return hash % deepShare == 0
        }
    }

    /// The built-in rules, loaded once per process (as the CLI loads them once per run).
    static let rules: [Rule] = {
        do { return try RuleLoader.builtIn() } catch { fatalError("built-in rules do not load: \(error)") }
    }()

    /// An empty topology with a fixed clock (so findings that judge durations do not depend on
    /// when the fuzzer runs). Built once: parsing its well-known ranges costs more than a run.
    public static let emptyTopology: Topology = {
        var topology = Topology()
        topology.now = Timestamp.parse("2026-11-22T10:30:00Z")
        return topology
    }()

    /// Room for few flow groups: allocating the CLI's 200,000 costs more than a small run, and a
    /// full table is a path worth reaching.
    public static let maximumFlowGroups = 256

    /// Reads `size` bytes as one input. `format` nil sniffs the format (and gzip) as the CLI does;
    /// a format skips sniffing so every input reaches that one reader.
    public static func read(_ data: UnsafePointer<UInt8>, _ size: Int, format: InputFormat?) -> EvidenceCollector {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        let collector = EvidenceCollector(topology: emptyTopology, maximumFlowGroups: maximumFlowGroups)
        let reader = InputReader(name: "fuzz-input", source: MemorySource(bytes), format: format)
        collector.read(reader)
        checkAccount(collector.account, inputSize: size, compressed: reader.wasCompressed)
        return collector
    }

    /// Runs the built-in rules over what was read, renders every output format and checks them.
    public static func analyseAndRender(_ collector: EvidenceCollector, topology: Topology = emptyTopology) {
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

/// Hands control to libFuzzer. SwiftPM links every executable with a `main` of its own, so the
/// targets cannot rely on libFuzzer's; each target's `main` calls this with its test function.
public enum FuzzDriver {
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ test: TestOneInput) -> Never {
        // Statics the deep path needs are built before fuzzing starts, not inside the first
        // input that takes it, so no input pays for them or owns their allocations.
        _ = FuzzHarness.rules
        _ = FuzzHarness.emptyTopology
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
    }
}
