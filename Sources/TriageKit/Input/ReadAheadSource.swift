import Foundation

/// Reads an upstream source on a thread of its own, a few buffers ahead, so that inflating gzip
/// (or reading a pipe: stdin, `<(cmd)`) overlaps with scanning on the caller's thread. A reader may also
/// borrow the filled buffers themselves (`borrow`), with room in front of the data for the
/// unfinished record it carries over, so inflated bytes are not copied a second time.
final class ReadAheadSource: ByteSource, @unchecked Sendable {  // state guarded by `condition`
    private let upstream: ByteSource
    private let condition = NSCondition()
    private var buffers: [UnsafeMutableRawBufferPointer]
    private var lengths: [Int]
    /// Buffers filled and not yet consumed, in order.
    private var ready: [Int] = []
    private var free: [Int]
    private var consuming: Int?
    private var consumedInCurrent = 0
    private var finished = false
    private var failure: TriageError?
    private var cancelled = false
    private var worker: Thread?
    /// Bytes kept free in front of each buffer's data for a borrower's carried-over bytes.
    let headroom: Int

    /// The descriptor when the upstream is a pipe or socket, whose reads can wait forever.
    private let pipe: Int32?

    init(upstream: ByteSource, bufferSize: Int = 1 << 20, count: Int = 3, headroom: Int = 256 << 10) {
        self.upstream = upstream
        pipe = (upstream as? FileDescriptorSource).flatMap { $0.isPipe ? $0.descriptor : nil }
        self.headroom = headroom
        buffers = (0..<count).map { _ in
            UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer.allocate(byteCount: headroom + bufferSize + 8, alignment: 16)[headroom..<(headroom + bufferSize)])
        }
        lengths = Array(repeating: 0, count: count)
        free = Array(0..<count)
        let thread = Thread { [unowned self] in self.produce() }
        thread.name = "triage read-ahead"
        worker = thread
        thread.start()
    }

    deinit {
        for buffer in buffers { UnsafeMutableRawPointer(buffer.baseAddress! - headroom).deallocate() }
    }

    /// Stops the worker; must be called before the source is dropped (InputReader does).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func produce() {
        while true {
            condition.lock()
            while free.isEmpty && !cancelled { condition.wait() }
            if cancelled {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let index = free.removeFirst()
            condition.unlock()

            // Each buffer is filled whole: a pipe hands out 64 KiB a read, and every loan costs the
            // reader a carry-over of its unfinished record.
            var n = 0
            var ended = false
            var error: TriageError?
            do {
                filling: repeat {
                    if let pipe {
                        switch waitForBytes(pipe, holding: n > 0) {
                        case .readable: break
                        case .quiet, .cancelled: break filling
                        }
                    }
                    let got = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffers[index][n...]))
                    if got == 0 {
                        ended = true
                        break
                    }
                    n += got
                } while n < buffers[index].count
            } catch let thrown {
                error = thrown
            }

            condition.lock()
            // Bytes read before an error or the end are handed out first.
            if n > 0 {
                lengths[index] = n
                ready.append(index)
            } else {
                free.append(index)
            }
            if let error {
                failure = error
                finished = true
            } else if ended || cancelled {
                finished = true
            }
            condition.broadcast()
            let done = finished
            condition.unlock()
            if done { return }
        }
    }

    /// A filled buffer lent to the reader: `count` bytes at `bytes`, with `room` writable bytes
    /// before them. It stays valid until handed back with `giveBack`.
    struct Loan {
        var index: Int
        var bytes: UnsafeMutablePointer<UInt8>
        var count: Int
        var room: Int
    }

    /// The next filled bytes without copying them, or nil at the end.
    func borrow() throws(TriageError) -> Loan? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let current = consuming {
                // Bytes left over from `read(into:)`: lend the rest of that buffer.
                consuming = nil
                let start = buffers[current].baseAddress!.assumingMemoryBound(to: UInt8.self) + consumedInCurrent
                return Loan(index: current, bytes: start, count: lengths[current] - consumedInCurrent, room: headroom + consumedInCurrent)
            }
            if !ready.isEmpty {
                let index = ready.removeFirst()
                return Loan(
                    index: index, bytes: buffers[index].baseAddress!.assumingMemoryBound(to: UInt8.self),
                    count: lengths[index], room: headroom)
            }
            if finished {
                if let failure {
                    self.failure = nil
                    throw failure
                }
                return nil
            }
            condition.wait()
        }
    }

    private enum PipeState { case readable, quiet, cancelled }

    /// Waits until the pipe has bytes (or its end) to read. A writer that goes quiet while bytes
    /// are held gets them handed out after 50 ms (`quiet`): the format is judged, and a stream
    /// that pauses is read as far as it came. The worker looks at `cancelled` between waits, so
    /// a reader that stops early (an input of no known format) never waits on a quiet writer.
    private func waitForBytes(_ descriptor: Int32, holding: Bool) -> PipeState {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            condition.lock()
            let stop = cancelled
            condition.unlock()
            if stop { return .cancelled }
            // Readable, closed or failed: read(2) tells which. Interrupted: look again.
            let ready = poll(&poller, 1, 50)
            if ready > 0 && poller.revents != 0 { return .readable }
            if ready == 0 && holding { return .quiet }
        }
    }

    /// Returns a borrowed buffer for the worker to fill again.
    func giveBack(_ loan: Loan) {
        condition.lock()
        free.append(loan.index)
        condition.broadcast()
        condition.unlock()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let current = consuming {
                let available = lengths[current] - consumedInCurrent
                let n = min(available, buffer.count)
                buffer.baseAddress!.copyMemory(from: buffers[current].baseAddress! + consumedInCurrent, byteCount: n)
                consumedInCurrent += n
                if consumedInCurrent == lengths[current] {
                    consuming = nil
                    free.append(current)
                    condition.broadcast()
                }
                return n
            }
            if !ready.isEmpty {
                consuming = ready.removeFirst()
                consumedInCurrent = 0
                continue
            }
            if finished {
                if let failure {
                    self.failure = nil
                    throw failure
                }
                return 0
            }
            condition.wait()
        }
    }
}
