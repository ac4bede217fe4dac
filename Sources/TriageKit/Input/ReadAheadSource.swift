import Foundation

/// Reads an upstream source on a thread of its own, a few buffers ahead, so that inflating gzip
/// (or waiting on a slow pipe) overlaps with scanning on the caller's thread. A reader may also
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

    init(upstream: ByteSource, bufferSize: Int = 1 << 20, count: Int = 3, headroom: Int = 256 << 10) {
        self.upstream = upstream
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

            var n = 0
            var error: TriageError?
            do {
                n = try upstream.read(into: buffers[index])
            } catch let thrown {
                error = thrown
            }

            condition.lock()
            if let error {
                failure = error
                finished = true
            } else if n == 0 {
                finished = true
            } else {
                lengths[index] = n
                ready.append(index)
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
