/// The time running durations are measured against when `--now` is not given. Evidence read
/// today is judged against the wall clock; evidence whose newest time is long past (a 2019
/// operations listing pasted from an old report) is judged against its own newest time, so an
/// operation is never "RUNNING for 3727015 minutes" because the paste is old.
public enum EvidenceClock {
    /// Evidence whose newest time is more than this before the wall clock is historical.
    public static let historicalAfter: Int64 = 24 * 3_600 * 1_000_000

    /// µs since the epoch: `wallClock`, or the newest time the observations carry (their own
    /// time, and an operation's start and end) when that is more than a day before `wallClock`.
    public static func now(_ observations: [Observation], wallClock: Int64) -> Int64 {
        var newest: Int64?
        for observation in observations {
            var times = [observation.time]
            for name in ["start_time", "end_time"] { times.append(observation.facts[name].flatMap(Timestamp.parse)) }
            for time in times.compactMap({ $0 }) where time <= wallClock { newest = max(newest ?? time, time) }
        }
        guard let newest, wallClock - newest > historicalAfter else { return wallClock }
        return newest
    }
}
