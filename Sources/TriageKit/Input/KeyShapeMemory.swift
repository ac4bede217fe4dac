/// Remembers, for each object node of a `FieldSchema` and each key position in it, the key the
/// last record had there. Records from one log share their layout, so the next record's key is
/// usually the same: checking it is one or two word compares, where finding the key's end and
/// looking it up in the schema costs a scan, a hash and mispredicted branches.
final class KeyShapeMemory {
    /// A remembered key with its closing quote, as little-endian words zero-padded at the end.
    struct PredictedKey {
        /// Bytes of key plus quote; 0 when nothing is remembered.
        var count: Int = 0
        var child: Int = -1
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    }

    /// Keys longer than this (quote included) are not remembered.
    static let maximumCount = 32
    /// Key positions remembered per object; later keys are always looked up.
    static let positions = 24

    private let entries: UnsafeMutablePointer<PredictedKey>
    private let nodeCount: Int

    init(nodeCount: Int) {
        self.nodeCount = nodeCount
        entries = .allocate(capacity: max(1, nodeCount * Self.positions))
        entries.initialize(repeating: PredictedKey(), count: max(1, nodeCount * Self.positions))
    }

    deinit { entries.deallocate() }

    /// If the key at `key` (just after its opening quote) is the one remembered for this node
    /// and position, returns its length (quote excluded) and sets `child`; otherwise -1.
    /// `available` is how many bytes may be read from `key`.
    @inline(__always)
    func match(node: Int, position: Int, key: UnsafePointer<UInt8>, available: Int, child: inout Int) -> Int {
        guard position < Self.positions else { return -1 }
        let entry = entries + (node &* Self.positions &+ position)
        let count = entry.pointee.count
        guard count > 0, available >= (count + 7) & ~7 else { return -1 }
        let raw = UnsafeRawPointer(key)
        let lastBytes = count & 7
        let lastMask: UInt64 = lastBytes == 0 ? ~0 : (1 << UInt64(lastBytes * 8)) &- 1
        let words = entry.pointee.words
        @inline(__always) func word(_ index: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
        let same: Bool
        switch (count + 7) >> 3 {
        case 1: same = word(0) & lastMask == words.0
        case 2: same = word(0) == words.0 && word(1) & lastMask == words.1
        case 3: same = word(0) == words.0 && word(1) == words.1 && word(2) & lastMask == words.2
        default: same = word(0) == words.0 && word(1) == words.1 && word(2) == words.2 && word(3) & lastMask == words.3
        }
        guard same else { return -1 }
        child = entry.pointee.child
        return count - 1
    }

    /// Remembers an unescaped key of `count` bytes (its closing quote follows it in the buffer).
    @inline(__always)
    func remember(node: Int, position: Int, key: UnsafePointer<UInt8>, count: Int, child: Int) {
        guard position < Self.positions, count + 1 <= Self.maximumCount else { return }
        var entry = PredictedKey(count: count + 1, child: child)
        withUnsafeMutableBytes(of: &entry.words) { words in
            words.baseAddress!.copyMemory(from: key, byteCount: count)
            words[count] = 0x22
        }
        entries[node &* Self.positions &+ position] = entry
    }
}
