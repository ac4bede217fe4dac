import Foundation

/// `--follow` on standard input (`kubectl logs -f … | triage --follow -`): records are read as
/// they arrive, whole lines at a time, and the input ends at end of file. Only line-framed input
/// (NDJSON, text) can be cut that way; a JSON array, YAML or gzip on standard input is kept until
/// it ends and then read whole, as without `--follow`.
public final class StreamFollower: Follower {
    private let descriptor: Int32
    private let name: String
    /// Bytes read but not yet handed on: the start of a line still being written.
    private var pending: [UInt8] = []
    /// Lines and bytes handed on so far, so locations count from the stream's start.
    private var lines = 0
    private var offset: Int64 = 0
    /// Decided from the first whole lines; nil until then.
    private var framing: Framing?
    public private(set) var ended = false
    public private(set) var hasMore = false
    /// Set from the signal handler's thread by `stop`.
    private let stopLock = NSLock()
    private var stopped = false

    enum Framing { case lines, whole }

    /// How long a look waits for more bytes once some have come, and the most it takes in one
    /// look (a writer faster than the analysis still gets its findings printed as it goes).
    static let quietAfter: Int32 = 100
    static let largestLook = 16 << 20

    public init(descriptor: Int32 = 0, name: String = InputSpec.standardInput.displayName) {
        self.descriptor = descriptor
        self.name = name
    }

    public var what: String { "standard input" }

    public func stop() { stopLock.withLock { stopped = true } }

    /// Reads what has arrived (waiting up to `firstWait` milliseconds for the first bytes) and
    /// hands on the whole lines among it; at end of file, everything left.
    public func poll(into collector: EvidenceCollector) -> (read: Bool, notes: [String]) { poll(into: collector, firstWait: 0) }

    public func poll(into collector: EvidenceCollector, firstWait: Int32) -> (read: Bool, notes: [String]) {
        guard !ended else { return (false, []) }
        var notes: [String] = []
        if let failure = gather(firstWait: firstWait) { notes.append("\(name): \(failure); reading stopped there") }
        let end: Int
        if ended {
            end = pending.count
        } else if framing == .whole {
            return (false, notes)
        } else if let newline = pending.lastIndex(of: 0x0A) {
            end = newline + 1
        } else {
            return (false, notes)
        }
        // An input that ended empty is still read, so the account says so.
        guard end > 0 || (ended && offset == 0) else { return (false, notes) }
        if offset == 0 { collector.countInput() }
        if framing == nil {
            framing = Self.framing(of: Array(pending[..<end]))
            if framing == .whole && !ended {
                notes.append("\(name) is not one record a line (a JSON array, YAML or gzip): it is read whole when it ends")
                return (false, notes)
            }
        }
        let reader = InputReader(name: name, source: MemorySource(Array(pending[..<end])), startOffset: offset)
        if let error = collector.readFollowedPart(reader, lineOffset: lines) { notes.append(error.description) }
        lines += reader.linesCounted
        offset += Int64(end)
        pending.removeFirst(end)
        return (true, notes)
    }

    /// Reads until no byte has come for `quietAfter` ms, the look is full, or the input ends.
    /// Returns why reading failed, if it did (the input then counts as ended).
    private func gather(firstWait: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var taken = 0
        var wait = firstWait
        defer { hasMore = taken >= Self.largestLook }
        while taken < Self.largestLook && !stopLock.withLock({ stopped }) {
            var watch = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = Foundation.poll(&watch, 1, max(wait, 0))
            if ready < 0 {
                if errno == EINTR { continue }
                ended = true
                return String(cString: strerror(errno))
            }
            if ready == 0 { return nil }
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                ended = true
                return String(cString: strerror(errno))
            }
            if count == 0 {
                ended = true
                return nil
            }
            pending.append(contentsOf: buffer[..<count])
            taken += count
            wait = Self.quietAfter
        }
        return nil
    }

    /// NDJSON and text can be cut after any line; anything else cannot.
    static func framing(of start: [UInt8]) -> Framing {
        let reader = InputReader(name: "", source: MemorySource(start))
        guard let format = try? reader.detectFormat(), !reader.wasCompressed else { return .whole }
        return format == .ndjson || format == .text ? .lines : .whole
    }
}
