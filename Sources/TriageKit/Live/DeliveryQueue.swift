import Foundation

/// Responses on their way from the fetching threads to the one thread that analyses, in the
/// order they arrive. The collector is not thread-safe, so only the consumer touches it.
final class DeliveryQueue: @unchecked Sendable {
    enum Item {
        /// A small answer read whole (config lists, clusters, operations).
        case document(name: String, bytes: [UInt8])
        /// A Logging page still streaming; `done` hands the read's outcome and the number of
        /// entries it delivered back to its fetcher.
        case logPage(name: String, source: JSONPageSource, done: (TriageError?, Int) -> Void)
        /// A source that gave no data.
        case failure(TriageError)
        /// A config listing of which a part failed: absences in it prove nothing.
        case incomplete(ConfigSnapshot.Kind)
        /// A source was read in full; for progress.
        case sourceDone
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var producers = 0

    func producerStarted() { condition.withLock { producers += 1 } }

    func producerFinished() {
        condition.withLock {
            producers -= 1
            condition.broadcast()
        }
    }

    func put(_ item: Item) {
        condition.withLock {
            items.append(item)
            condition.broadcast()
        }
    }

    /// The next item; nil once every producer has finished and nothing is left.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && producers > 0 { condition.wait() }
        return items.isEmpty ? nil : items.removeFirst()
    }
}
