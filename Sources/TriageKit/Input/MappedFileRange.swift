import Foundation

/// One byte range of a regular file, scanned in place through a memory-mapped *window* that
/// slides along it, so a reader skips the copy read(2) makes (14% of a large NDJSON read) without
/// ever mapping the whole file: the window is 32 MiB, grown only to hold one record that is
/// longer, and remapped as the scan moves on. Pages behind the reader are handed back every
/// 4 MiB, so resident memory stays bounded. Used only for large regular files read in parts; if
/// the file shrinks while it is mapped the process would fault, the price of skipping the copy.
public final class MappedFileRange: ByteSource {
    /// The range's length.
    let count: Int
    private let descriptor: Int32
    private let path: String
    /// Where the range starts in the file.
    private let start: Int64
    private let page: Int64
    /// The current mapping: file offset of its first byte (page-aligned) and its length.
    private var mapping: UnsafeMutableRawPointer?
    private var mappingOffset: Int64 = 0
    private var mappingLength = 0
    private var released: Int64 = 0
    /// For `read(into:)`, the copying fallback.
    private var position = 0

    static let windowSize = 32 << 20
    /// Pages are released this many bytes at a time.
    static let releaseStep: Int64 = 4 << 20

    public init(path: String, start: Int64, end: Int64) throws(TriageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        descriptor = fd
        self.path = path
        self.start = start
        count = Int(max(0, end - start))
        page = Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    deinit {
        if let mapping { munmap(mapping, mappingLength) }
        close(descriptor)
    }

    /// A pointer to the range's byte `offset`, valid for `length` bytes until the next call.
    func pointer(at offset: Int, covering length: Int) throws(TriageError) -> UnsafePointer<UInt8> {
        let first = start + Int64(offset)
        let last = first + Int64(length)
        if mapping == nil || first < mappingOffset || last > mappingOffset + Int64(mappingLength) {
            try remap(from: first, through: last)
        }
        return UnsafePointer(mapping!.advanced(by: Int(first - mappingOffset)).assumingMemoryBound(to: UInt8.self))
    }

    private func remap(from first: Int64, through last: Int64) throws(TriageError) {
        if let mapping { munmap(mapping, mappingLength) }
        mapping = nil
        let alignedFirst = first / page * page
        let end = min(start + Int64(count), max(last, alignedFirst + Int64(Self.windowSize)))
        let length = Int(max(1, end - alignedFirst))
        guard let pointer = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, off_t(alignedFirst)), pointer != MAP_FAILED else {
            throw .readFailed(input: path, reason: String(cString: strerror(errno)))
        }
        _ = madvise(pointer, length, MADV_SEQUENTIAL)
        mapping = pointer
        mappingOffset = alignedFirst
        mappingLength = length
        released = alignedFirst
    }

    /// Gives back the mapped pages wholly before `offset` (relative to the range start).
    func release(before offset: Int) {
        guard let mapping else { return }
        let upTo = (start + Int64(offset)) / Self.releaseStep * Self.releaseStep
        guard upTo > released, upTo > mappingOffset else { return }
        let from = max(released, mappingOffset)
        let to = min(upTo, mappingOffset + Int64(mappingLength))
        guard to > from else { return }
        _ = madvise(mapping.advanced(by: Int(from - mappingOffset)), Int(to - from), MADV_DONTNEED)
        released = to
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        let n = min(buffer.count, count - position)
        guard n > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: try pointer(at: position, covering: n), byteCount: n)
        position += n
        release(before: position)
        return n
    }
}
