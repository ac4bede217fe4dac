import Foundation
import Testing
@testable import TriageKit

/// Issue 11, item 6: a long paste of the same kubectl text keeps one observation per distinct
/// message (with a count and its first places), so memory stays flat, while every finding says
/// what reading each copy would have said.
@Suite("Observation tally")
struct ObservationTallyTests {
    static let copy: String = {
        let names = ["webhook-timeout-kubectl/apply-error.txt", "webhook-timeout-kubectl/describe.txt", "kcc-references-not-ready/describe.txt"]
        return names.map { name in
            (try? String(contentsOf: repositoryRoot.appendingPathComponent("SampleLogs/" + name), encoding: .utf8)) ?? ""
        }.joined(separator: "\n") + "\n"
    }()

    static func analyse(_ text: String) throws -> (EvidenceCollector, Analysis) {
        let collector = EvidenceCollector()
        collector.read(InputReader(name: "paste.txt", source: MemorySource(Array(text.utf8))))
        let analysis = Engine.analyse(collector, topology: Topology(), rules: try RuleLoader.builtIn())
        return (collector, analysis)
    }

    @Test func aRepeatedPasteKeepsOneObservationPerDistinctMessage() throws {
        let copies = 50
        let (single, one) = try Self.analyse(Self.copy)
        let (repeated, many) = try Self.analyse(String(repeating: Self.copy, count: copies))
        #expect(single.observations.count > 3)
        // Memory: as many observations as one copy has distinct messages, not one per copy.
        #expect(repeated.observations.count == single.observations.count)
        #expect(repeated.observationCount == copies * single.observationCount)
        #expect(many.account.matchedObservations == copies * one.account.matchedObservations)
        #expect(many.account.evidence == one.account.evidence.mapValues { $0 * copies })

        // The findings are what reading every copy gives: counts times the copies, and the
        // first three distinct places in reading order (the next copies' when one has fewer).
        let linesPerCopy = Self.copy.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(many.findings.map(\.id) == one.findings.map(\.id))
        for (a, b) in zip(one.findings, many.findings) {
            #expect(b.count == a.count * copies, "\(a.id)")
            #expect(b.evidence.map(\.kind) == a.evidence.map(\.kind))
            for (x, y) in zip(a.evidence, b.evidence) {
                #expect(y.count == x.count * copies)
                let shifted = (0..<3).flatMap { k in
                    x.locations.map { location -> String in
                        let parts = location.split(separator: ":")
                        return "\(parts[0]):\(Int(parts[1])! + k * linesPerCopy)"
                    }
                }
                #expect(y.locations == Array(shifted.prefix(3)), "\(a.id) \(x.kind)")
                #expect(y.quotes == Array((0..<3).flatMap { _ in x.quotes }.prefix(y.locations.count)), "\(a.id) \(x.kind)")
            }
        }
    }

    @Test func placesKeepTheFirstDistinctInReadingOrderWhateverTheArrival() {
        func place(_ line: Int, _ description: Int) -> Observation.Place {
            Observation.Place(
                order: Observation.ReadingOrder(line: line), location: RecordLocation(input: "p", line: description, byteOffset: 0),
                quote: "line \(line)", time: nil)
        }
        // Places 5, 2, 9, 2 (again, read earlier), 1, 7 arrive out of order.
        let arrivals = [place(50, 5), place(20, 2), place(90, 9), place(10, 2), place(1, 1), place(70, 7)]
        var places: [Observation.Place] = []
        for arrival in arrivals { Observation.Place.merge([arrival], into: &places) }
        #expect(places.map(\.location.line) == [1, 2, 5])
        #expect(places.map(\.quote) == ["line 1", "line 10", "line 50"])
    }

    @Test func operationsAreNotTallied() {
        var tally = ObservationTally()
        let operation = Observation(kind: "operation", facts: ["operation": "op-1"], source: "gcloud container operations list")
        tally.add(operation)
        tally.add(operation)
        #expect(tally.observations.count == 2)
        #expect(tally.total == 2)
    }
}
