import Foundation

/// Reads an upstream source on a thread of its own, a few buffers ahead, so that inflating gzip
/// (or waiting on a slow pipe) overlaps with scanning on the caller's thread.
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

    init(upstream: ByteSource, bufferSize: Int = 1 << 20, count: Int = 3) {
        self.upstream = upstream
        buffers = (0..<count).map { _ in .allocate(byteCount: bufferSize, alignment: 16) }
        lengths = Array(repeating: 0, count: count)
        free = Array(0..<count)
        let thread = Thread { [unowned self] in self.produce() }
        thread.name = "triage read-ahead"
        worker = thread
        thread.start()
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
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
