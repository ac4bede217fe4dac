/// The distinct addresses at one end of a finding, over its flow groups: exact while every
/// group's sample holds all of its addresses (the finding counts them itself); once one group's
/// is full, a sketch of them all, so the count past the exact flow bound is an estimate ("≈ N")
/// rather than only the lower bound the samples give.
struct DistinctEstimator {
    private var sketch: HyperLogLog?
    /// A full sample came without a sketch (a group counted elsewhere): no estimate.
    private var unestimable = false

    /// One group's end: its sample, whether the sample is full, and its sketch if so. `seen`
    /// holds every address of the groups before, and this group's sample.
    mutating func add(_ addresses: [IPAddress], more: Bool, sketch groupSketch: HyperLogLog?, seen: Set<IPAddress>) {
        if more {
            // Until now every group's sample was whole: the addresses seen are all there were.
            if sketch == nil { sketch = HyperLogLog(seen) }
            if let groupSketch { sketch!.formUnion(groupSketch) } else { unestimable = true }
        } else if sketch != nil {
            for address in addresses { sketch!.insert(address) }
        }
    }

    /// The estimate, never below the distinct addresses known (`exact`); nil when every
    /// group's sample was whole (`exact` is the count) or a full one had no sketch.
    func estimate(atLeast exact: Int) -> Int? {
        guard let sketch, !unestimable else { return nil }
        return max(sketch.estimate, exact)
    }
}
