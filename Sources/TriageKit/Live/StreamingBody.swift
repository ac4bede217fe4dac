import Foundation

/// The bytes of one response body on their way from the transfer thread (which pushes) to the
/// analysing thread (which reads them as a `ByteSource`). Bounded: a full queue blocks the
/// pusher, so a 50 MB page never sits in memory whole.
final class StreamingBody: ByteSource, @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var headOffset = 0
    private var queued = 0
    private let limit: Int
    private var finished = false
    private var failure: TriageError?
    private var closedByReader = false
    let name: String

    init(name: String, limit: Int = 4 << 20) {
        self.name = name
        self.limit = limit
    }

    /// Called by the transfer; false when the reader has gone away and the transfer should stop.
    func push(_ bytes: UnsafeRawBufferPointer) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queued >= limit && !closedByReader { condition.wait() }
        if closedByReader { return false }
        chunks.append(Array(bytes.bindMemory(to: UInt8.self)))
        queued += bytes.count
        condition.broadcast()
        return true
    }

    /// The transfer is over; `error` when the body did not arrive whole.
    func finish(error: TriageError?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// True once the transfer has ended with an error (cut, stalled, timed out).
    var failed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return failure != nil
    }

    /// The reader needs no more bytes; a blocked pusher is released.
    func close() {
        condition.lock()
        closedByReader = true
        chunks = []
        queued = 0
        condition.broadcast()
        condition.unlock()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !finished { condition.wait() }
        if chunks.isEmpty {
            if let failure { throw failure }
            return 0
        }
        var copied = 0
        while copied < buffer.count, !chunks.isEmpty {
            let chunk = chunks[0]
            let n = min(buffer.count - copied, chunk.count - headOffset)
            chunk.withUnsafeBytes { source in
                (buffer.baseAddress! + copied).copyMemory(from: source.baseAddress! + headOffset, byteCount: n)
            }
            copied += n
            headOffset += n
            if headOffset == chunk.count {
                chunks.removeFirst()
                headOffset = 0
            }
        }
        queued -= copied
        condition.broadcast()
        return copied
    }
}
