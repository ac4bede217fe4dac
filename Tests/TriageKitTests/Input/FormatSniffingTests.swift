import Foundation
import Testing
@testable import TriageKit

/// The format is decided by content; a broken first record must not change that decision.
struct FormatSniffingTests {
    final class Counter: RecordSink {
        var records: [String] = []
        var problems: [InputProblem] = []
        func consume(_ record: RecordFields, format: InputFormat, locate: () -> RecordLocation) {
            records.append(record.string(.insertId) ?? "?")
        }
        func problem(_ problem: InputProblem) { problems.append(problem) }
    }

    static let good = #"{"insertId":"b","logName":"projects/p/logs/x"}"#

    @Test func brokenFirstNDJSONLineIsReportedAndTheRestRead() throws {
        let text = #"{"insertId":"a","logName":"#  + "\n" + Self.good + "\n" + Self.good.replacingOccurrences(of: "\"b\"", with: "\"c\"") + "\n"
        let reader = InputReader(name: "t.ndjson", source: MemorySource(text))
        let sink = Counter()
        try reader.run(into: sink)
        #expect(reader.format == .ndjson)
        #expect(sink.records == ["b", "c"])
        #expect(sink.problems.map(\.line) == [1])
    }

    @Test func prettyObjectIsAJSONStream() throws {
        let text = "{\n  \"insertId\": \"a\"\n}\n{\n  \"insertId\": \"b\"\n}\n"
        let reader = InputReader(name: "t.json", source: MemorySource(text))
        let sink = Counter()
        try reader.run(into: sink)
        #expect(reader.format == .jsonStream)
        #expect(sink.records == ["a", "b"])
    }
}

extension FormatSniffingTests {
    @Test func handFormattedObjectWhoseFirstLineHoldsKeysIsAJSONStream() throws {
        let text = "{\"insertId\": \"a\",\n \"logName\": \"projects/p/logs/x\"}\n"
        let reader = InputReader(name: "t.json", source: MemorySource(text))
        let sink = Counter()
        try reader.run(into: sink)
        #expect(reader.format == .jsonStream)
        #expect(sink.records == ["a"])
        #expect(sink.problems.isEmpty)
    }
}

extension FormatSniffingTests {
    /// A `kubectl describe` pasted from its `Events:` (or `Conditions:`) section on is text, not a
    /// YAML document that fails on the table below the key (the paste in elastic/cloud-on-k8s#3636).
    @Test(arguments: [
        ("Events:\n  Type     Reason   Age   From     Message\n  ----     ------   ----  ----     -------\n  Warning  Failed   10s   kubelet  Failed to pull image \"docker.elastic.co/eck/eck-operator:1.2.1\": i/o timeout\n", InputFormat.text),
        ("Conditions:\n  Type    Status  Reason\n  ----    ------  ------\n  Ready   False   UpdateFailed\n", InputFormat.text),
        // A YAML document whose key is Events stays YAML.
        ("Events:\n  - type: Warning\n    reason: Failed\n", InputFormat.yaml),
    ] as [(String, InputFormat)])
    func aDescribeSectionIsText(text: String, format: InputFormat) throws {
        let reader = InputReader(name: "paste", source: MemorySource(text))
        try reader.run(into: Counter())
        #expect(reader.format == format)
    }
}
