import Testing
@testable import TriageKit

/// The distinct-count sketch used past the exact flow bound: its error on known sets stays
/// within the HyperLogLog bound, and its union does not depend on order or on how the
/// addresses were split.
struct HyperLogLogTests {
    /// `count` distinct addresses from a deterministic spread (a fixed seed per set).
    static func addresses(_ count: Int, seed: UInt32) -> [IPAddress] {
        (0..<count).map { IPAddress(v4: (UInt32(truncatingIfNeeded: $0) &+ seed) &* 2_654_435_761) }
    }

    @Test(arguments: [1, 7, 100, 1_000, 20_000, 200_000])
    func estimatesKnownSetsWithinTheBound(_ count: Int) {
        for seed: UInt32 in [1, 17, 91] {
            let set = Self.addresses(count, seed: seed)
            #expect(Set(set).count == count)
            // Repeats change nothing.
            let sketch = HyperLogLog(set + set.prefix(count / 2))
            let error = abs(Double(sketch.estimate - count)) / Double(count)
            // Three standard errors: a wider miss than this is a fault, not chance.
            #expect(error <= 3 * HyperLogLog.standardError, "\(count) addresses, seed \(seed): estimated \(sketch.estimate)")
        }
    }

    @Test func anEmptySketchCountsNothing() {
        #expect(HyperLogLog().estimate == 0)
    }

    @Test func aUnionIsTheSketchOfTheUnion() {
        let all = Self.addresses(5_000, seed: 7)
        var first = HyperLogLog(all[..<2_000])
        let second = HyperLogLog(all[1_500...].reversed())
        first.formUnion(second)
        #expect(first == HyperLogLog(all))
        #expect(first == HyperLogLog((0..<5_000).map { all[($0 * 2_003) % 5_000] }))
    }
}
