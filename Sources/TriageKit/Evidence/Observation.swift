/// One piece of evidence that is not a firewall log record: a recognised error message, a GKE
/// operation, a cluster's state, a network check that failed, a fact about the network config.
/// Rules select observations by `kind` (a rule's `evidence:`) and test `facts` by name, so new
/// evidence needs new facts, not new engine code.
public struct Observation: Sendable {
    /// Which rules look at it: "message", "operation", "cluster", "check" or "config".
    public var kind: String
    /// Named values rules match, group by and quote ("webhook", "port", "registry", …).
    public var facts: [String: String]
    /// Where it was read; nil for what the network model derived.
    public var location: RecordLocation?
    /// What kind of input it came from, as a user would name it ("kubectl describe",
    /// "gcloud container operations list", "firewall rules", …).
    public var source: String
    /// The line or message it was recognised in, as read (sanitised only when printed).
    public var quote: String?
    /// Microseconds since the epoch, when the evidence carries a time.
    public var time: Int64?
    /// How many identical observations this one stands for (see `ObservationTally`): a long
    /// paste of the same errors is kept as one observation with a count, not one per line.
    public var multiplicity = 1
    /// The earliest and latest time among them (nil when none carried one).
    public var earliest: Int64?
    public var latest: Int64?
    /// The first places they were read at, in reading order (at most `Place.limit`, distinct).
    public var places: [Place] = []

    public init(
        kind: String, facts: [String: String], location: RecordLocation? = nil, source: String, quote: String? = nil,
        time: Int64? = nil
    ) {
        self.kind = kind
        self.facts = facts
        self.location = location
        self.source = source
        self.quote = quote
        self.time = time
        earliest = time
        latest = time
    }

    /// Where one of the observations an observation stands for was read, with its line quoted.
    public struct Place: Sendable {
        /// Findings name at most this many places per kind of input.
        static let limit = 3
        var order: ReadingOrder
        var location: RecordLocation
        var quote: String?
        var time: Int64?

        /// Adds `new` to the first distinct places of `places`, keeping reading order: what a
        /// finding shows is the first `limit` distinct places, however the observations arrive.
        static func merge(_ new: [Place], into places: inout [Place]) {
            for place in new {
                let description = place.location.description
                if let same = places.firstIndex(where: { $0.location.description == description }) {
                    guard place.order < places[same].order else { continue }
                    places.remove(at: same)
                }
                let at = places.firstIndex { place.order < $0.order } ?? places.count
                guard at < limit else { continue }
                places.insert(place, at: at)
                if places.count > limit { places.removeLast() }
            }
        }
    }

    /// Where an observation stands in reading order: the batch the collector took it in, then
    /// (for the observations a text parser hands over together) its line and arrival.
    public struct ReadingOrder: Sendable, Comparable {
        var batch = 0
        var line = 0
        var phase = 0
        var index = 0

        public static func < (a: Self, b: Self) -> Bool {
            (a.batch, a.line, a.phase, a.index) < (b.batch, b.line, b.phase, b.index)
        }
    }

    /// Takes in an identical observation: counts it, widens the time range, keeps its place if
    /// it is among the first, and takes its quote and time if it was read first.
    mutating func absorb(_ other: Observation) {
        multiplicity += Saturating(other.multiplicity)
        if let t = other.earliest { earliest = min(earliest ?? t, t) }
        if let t = other.latest { latest = max(latest ?? t, t) }
        let wasFirst = places.first?.order
        Place.merge(other.places, into: &places)
        if let first = places.first, wasFirst.map({ first.order < $0 }) ?? true {
            location = first.location
            quote = first.quote
            time = first.time
        }
    }
}
