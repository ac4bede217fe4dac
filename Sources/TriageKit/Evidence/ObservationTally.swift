/// Observations that are the same (kind, source and every fact) kept as one with a count, a
/// time range and their first places, in the order each was first read: the engine sees what
/// it would have seen from every copy, and memory grows with the distinct evidence only.
/// Only messages are tallied: the engine picks each GKE operation's latest state by position,
/// and the other kinds come a few per input.
struct ObservationTally {
    private(set) var observations: [Observation] = []
    private var index: [Identity: Int] = [:]

    private struct Identity: Hashable {
        var kind: String
        var source: String
        var facts: [String: String]
    }

    /// The number of observations taken in, counting each copy.
    private(set) var total = 0

    mutating func add(_ observation: Observation) {
        total += observation.multiplicity
        guard observation.kind == "message" else {
            observations.append(observation)
            return
        }
        let identity = Identity(kind: observation.kind, source: observation.source, facts: observation.facts)
        if let at = index[identity] {
            observations[at].absorb(observation)
        } else {
            index[identity] = observations.count
            observations.append(observation)
        }
    }
}
