import Foundation
import Testing
@testable import TriageKit

/// Inputs the fuzz targets (Fuzz/) found crashing, replayed through the path the CLI takes.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// Every minimised input kept in Fuzz/regressions/ reads to the end without trapping.
    @Test func everyKeptInputReadsThrough() throws {
        let folder = repositoryRoot.appendingPathComponent("Fuzz/regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            let collector = collect(bytes, name: name)
            #expect(collector.account.inputs == 1, "\(name)")
        }
    }

    /// fuzz-cluster: a sequence as a mapping key made Yams force-unwrap nil (it builds keys as
    /// strings). Such a document is refused with its line, and the run goes on.
    @Test func collectionAsMappingKeyIsRefusedAndDoesNotTrap() throws {
        for text in ["name: c\n[a]: b\n", "outer:\n  ? - x\n  : y\n", "{a: 1}: b\n"] {
            #expect(throws: YAMLDocument.Refused.self, "\(text)") { try YAMLDocument.load(text) }
        }
        let collector = collect("name: c\n[a]: b\n", name: "cluster.yaml")
        #expect(collector.clusters.isEmpty)
        #expect(collector.account.inputs == 1)
        // A plain document still loads.
        #expect(try YAMLDocument.load("name: c\nb: [a]\n") as? [String: Any] != nil)
    }

    /// fuzz-gzip: a 10 s timeout during this session's campaign, with the fuzzer at nice 19 beside
    /// two compilers. The input (2 KiB of gzip: a truncated member holding 25 KB of text that
    /// looks like YAML) replays in about 0.2 s under ASan with the engine and every renderer, so
    /// the timeout was CPU starvation, not a hang; kept so that stays true. The account says what
    /// happened to it: a malformed YAML document and a truncated gzip, both counted.
    @Test func truncatedGzipHoldingBrokenYAMLIsAccounted() throws {
        let url = repositoryRoot.appendingPathComponent("Fuzz/regressions/gzip-timeout-truncated-yaml-in-gzip")
        let collector = collect(try [UInt8](Data(contentsOf: url)), name: "gzip-timeout")
        #expect(collector.account.skipped["truncated gzip", default: 0] == 1, "\(collector.account.skipped)")
        #expect(collector.account.skipped["malformed YAML", default: 0] >= 1, "\(collector.account.skipped)")
    }

    /// fuzz-text: a webhook error whose URL's host began with `]` (`Post "https://]atekeeper…"`)
    /// made ErrorText.url build a range backwards and trap. Such a URL has no host; the lines
    /// around it are still read, and a well-formed IPv6 literal still parses.
    @Test func aURLWhoseHostStartsWithABracketHasNoHost() throws {
        #expect(ErrorText.url(in: #"Post "https://]x:443/v1/admit": dial tcp 10.0.0.1:8443: i/o timeout"#) == nil)
        #expect(ErrorText.url(in: #"Post "https://[fd00::1]:8443/v1""#)?.host == "fd00::1")
        #expect(ErrorText.url(in: #"Post "https://[fd00::1]:8443/v1""#)?.port == "8443")
        let url = repositoryRoot.appendingPathComponent("Fuzz/regressions/text-url-bracket-first")
        let collector = collect(try [UInt8](Data(contentsOf: url)), name: "text-url-bracket-first")
        #expect(collector.account.inputs == 1)
        #expect(!collector.observations.isEmpty, "the other webhook errors in it are still read")
    }
}

extension FuzzRegressionTests {
    /// fuzz-yaml (4 December 2026, an OOM at 2 GiB after 55 s on a 3 KiB input): in the decoder of
    /// lazily read fields, a `- - nat:` item opened a mapping that took no line, so the sequence
    /// appended empty mappings to the same line until memory ran out. Every item now takes its line,
    /// a `- - x` item is a nested sequence, and the input reads through as YAML.
    @Test func aDashItemInsideADashItemIsANestedSequence() throws {
        let nested = YAMLBlockDecoder.decode("- - nat: a\n  - b\n- c\n") as? [Any]
        #expect(nested?.count == 2)
        #expect((nested?.first as? [Any])?.count == 2)
        #expect(((nested?.first as? [Any])?.first as? [String: Any])?["nat"] as? String == "a")
        #expect(nested?.last as? String == "c")
        #expect(YAMLBlockDecoder.decode("key:\n  - - - x:\n  - y\n") != nil)
        let url = repositoryRoot.appendingPathComponent("Fuzz/regressions/yaml-oom-nested-dash-item")
        let collector = EvidenceCollector()
        _ = collector.read(InputReader(name: "yaml-oom", source: MemorySource(try [UInt8](Data(contentsOf: url))), format: .yaml))
        #expect(collector.account.inputs == 1)
    }
}

extension FuzzRegressionTests {
    /// fuzz-text (4 December 2026, four rounds that died with no artifact: Swift's backtracer took
    /// the trap's SIGILL before libFuzzer; the campaign now runs with SWIFT_BACKTRACE=enable=no):
    /// an event's repeat count is the input's number, and two rows of `(x9223372036854775807 over
    /// 5m)` overflowed the finding's count. Counts now stop at Int.max; the input analyses through.
    @Test func hostileEventCountsDoNotOverflow() throws {
        let url = repositoryRoot.appendingPathComponent("Fuzz/regressions/text-event-count-overflow")
        let collector = EvidenceCollector()
        _ = collector.read(InputReader(name: "overflow", source: MemorySource(try [UInt8](Data(contentsOf: url)))))
        let analysis = Engine.analyse(collector, topology: Topology(), rules: try RuleLoader.builtIn())
        #expect(analysis.findings.first?.count == Int.max)
        #expect(Int.max.saturatingAdding(1) == Int.max)
        #expect(Int.min.saturatingAdding(-1) == Int.min)
        #expect((Int.max / 2 + 1).saturatingMultiplied(by: 2) == Int.max)
        #expect(3.saturatingMultiplied(by: -4) == -12)
        var count = Int.max - 1
        count += Saturating(5)
        #expect(count == Int.max)
    }

    /// The same trap in a cluster description: node counts are numbers the file chooses, and the
    /// capacity checks multiply and add them. A count outside 0…1,000,000 is now a rejected value
    /// (a problem line with the field), not a number believed.
    @Test func hostileNodeCountsAreRejectedNotMultiplied() throws {
        let url = repositoryRoot.appendingPathComponent("Fuzz/regressions/cluster-node-count-overflow.yaml")
        var options = TopologyOptions()
        options.clusterFiles = [url.path]
        let topology = try Pipeline.topology(from: options)
        let cluster = try #require(topology.clusters.first)
        #expect(cluster.capacity.currentNodeCount == nil)
        #expect(cluster.capacity.nodePools.first?.maxNodesPerZone == nil)
        #expect(cluster.rejected.contains { $0.field == "nodePools[].autoscaling.maxNodeCount" })
        #expect(cluster.rejected.contains { $0.field == "currentNodeCount" })
        // 2^62 is past the bound too.
        #expect(cluster.capacity.nodePools.last?.totalMaxNodes == nil)
        _ = CapacityChecks.clusterMaxNodes(cluster.capacity)
    }
}

extension FuzzRegressionTests {
    /// fuzz-text (4 December 2026, a 60 s timeout on 42 bytes at e840bc7): undoing backslash
    /// quoting searched bytes but replaced characters, and a backslash joined by a combining mark
    /// (`\\\u{0300}`) was found forever and never replaced. It is one pass over the bytes now.
    @Test func unescapingABackslashUnderACombiningMarkEnds() throws {
        let joined = "a\\\\\u{0300}b", once = "a\\\u{0300}b"
        #expect(ErrorText.unescaped(joined) == once)
        let escaped = "kind \\\"RayCluster\\\" and \\'x\\' and " + String(repeating: "\\", count: 4) + "n"
        #expect(ErrorText.unescaped(escaped) == "kind \"RayCluster\" and 'x' and \\n")
        #expect(ErrorText.unescaped(String(repeating: "\\", count: 5) + "\"") == "\"")
        #expect(ErrorText.unescaped("no backslash") == nil)
        #expect(ErrorText.unescaped("one \\ alone") == nil)
        let url = repositoryRoot.appendingPathComponent("Fuzz/regressions/text-timeout-unescape-combining-backslash")
        let collector = EvidenceCollector()
        _ = collector.read(InputReader(name: "timeout", source: MemorySource(try [UInt8](Data(contentsOf: url))), format: .text))
        #expect(collector.account.inputs == 1)
        _ = Engine.analyse(collector, topology: Topology(), rules: try RuleLoader.builtIn())
    }
}
