/// Something `--follow` keeps reading after the report: appended file lines, standard input as
/// it arrives, or new log entries from the API. Each look reads what came since the last one
/// into the run's collector.
public protocol Follower: AnyObject {
    /// What is followed, for the line that says so ("2 files", "standard input").
    var what: String { get }
    /// Reads what came since the last call into `collector`. Returns whether anything was
    /// read, and a line for each thing worth telling (a file rotated, a request that failed).
    func poll(into collector: EvidenceCollector) -> (read: Bool, notes: [String])
    /// True once nothing more can come (standard input ended).
    var ended: Bool { get }
    /// True when the last look stopped full with more waiting: the next one need not wait.
    var hasMore: Bool { get }
    /// Asks a look under way to give up (Ctrl-C); the next `poll` may not read anything.
    func stop()
}

extension Follower {
    public var ended: Bool { false }
    public var hasMore: Bool { false }
    public func stop() {}
}

extension EvidenceCollector {
    /// Reads one newly arrived part of a followed input into a collector of its own, then
    /// takes it over, so line numbers count from the input's start (`lineOffset` lines came
    /// before). A text part in which nothing was recognised is no error: the input as a whole
    /// is judged by what all its parts held.
    func readFollowedPart(_ reader: InputReader, lineOffset: Int) -> TriageError? {
        let part = EvidenceCollector(topology: topology, patterns: patterns)
        part.window = window
        part.onProblem = { [unowned self] problem in
            var problem = problem
            problem.line = problem.line.map { $0 + lineOffset }
            self.problem(problem, counted: false)
        }
        var error = part.read(reader, countingErrors: false)
        if case .unknownFormat = error, reader.format == .text { error = nil }
        // Counted in the part, whose account is added to this one (its input count is not).
        if let error { part.countUnreadable(error, input: reader.name) }
        absorb(part, lineOffset: lineOffset, byteOffset: 0)
        return error
    }
}
