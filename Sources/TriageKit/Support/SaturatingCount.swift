/// Counts that come from the input (an event's `(x9223372036854775807 over 5m)`, a COUNT column,
/// a flow group's `count` from `--flow-groups`) are hostile numbers: adding two of them must not
/// trap (the fuzzer found exactly that trap in the finding builder). They stop at `Int.max`.
extension Int {
    func saturatingAdding(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    func saturatingMultiplied(by other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self > 0) == (other > 0) ? .max : .min) : product
    }

    static func += (count: inout Int, more: Saturating) { count = count.saturatingAdding(more.value) }
}

/// `count += Saturating(n)`: the sum stops at `Int.max` instead of trapping.
struct Saturating {
    let value: Int
    init(_ value: Int) { self.value = value }
}
