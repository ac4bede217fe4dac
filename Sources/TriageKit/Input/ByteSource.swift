import Foundation

/// Something that fills a buffer with the next bytes of an input; 0 means the end.
public protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int
    /// How many bytes are left, when the source knows (memory, a file range): a reader of a small
    /// input then allocates a small buffer instead of a megabyte. Only a hint: more may come.
    var remainingHint: Int? { get }
}

extension ByteSource {
    public var remainingHint: Int? { nil }
}

/// read(2) on a file descriptor into the caller's reused buffer: no whole-file read, no mmap.
public final class FileDescriptorSource: ByteSource {
    let descriptor: Int32
    let name: String
    private let closeWhenDone: Bool

    public init(descriptor: Int32, name: String, closeWhenDone: Bool) {
        self.descriptor = descriptor
        self.name = name
        self.closeWhenDone = closeWhenDone
    }

    public convenience init(path: String) throws(TriageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        self.init(descriptor: fd, name: path, closeWhenDone: true)
    }

    deinit { if closeWhenDone { close(descriptor) } }

    /// A regular file's bytes past the current offset; nil for a pipe, a terminal or a device.
    public var remainingHint: Int? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let offset = lseek(descriptor, 0, SEEK_CUR)
        return offset < 0 ? nil : Int(clamping: max(0, Int64(status.st_size) - Int64(offset)))
    }

    /// A pipe or a socket (stdin from `cat file |`, `<(cmd)`): read on a thread of its own.
    var isPipe: Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        let kind = status.st_mode & S_IFMT
        return kind == S_IFIFO || kind == S_IFSOCK
    }

    /// Asks Linux for a 1 MiB pipe buffer (the default is 64 KiB, and the unprivileged maximum
    /// 1 MiB): the writer and the reader then meet a sixteenth as often. Refused is fine.
    func enlargePipeBuffer() {
        #if os(Linux)
        let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ, which Glibc's Swift overlay does not export
        _ = fcntl(descriptor, setPipeSize, Int32(1 << 20))
        #endif
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        while true {
            let n = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .readFailed(input: name, reason: String(cString: strerror(errno)))
        }
    }
}

/// One byte range of a file, read with pread(2), so two threads can read halves of one file.
/// A file that shrinks under it is an error, not a crash (a mapping would fault with SIGBUS).
public final class FileRangeSource: ByteSource {
    private let descriptor: Int32
    private let name: String
    private var position: Int64
    private let end: Int64

    public var remainingHint: Int? { Int(clamping: max(0, end - position)) }

    public init(path: String, start: Int64, end: Int64) throws(TriageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        descriptor = fd
        name = path
        position = start
        self.end = end
    }

    deinit { close(descriptor) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        let wanted = Int(min(Int64(buffer.count), end - position))
        if wanted <= 0 { return 0 }
        while true {
            let n = pread(descriptor, buffer.baseAddress, wanted, off_t(position))
            if n == 0 {
                // The file ends before the range did: it shrank (log rotation) while being read.
                throw .readFailed(
                    input: name,
                    reason: "the file changed while it was read: it now ends at byte \(position), before byte \(end); what came before was analysed")
            }
            if n > 0 {
                position += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw .readFailed(input: name, reason: String(cString: strerror(errno)))
        }
    }
}

/// Bytes already read (while sniffing the format) handed out before the rest of the source.
final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var prefixPosition = 0
    private let rest: ByteSource

    init(prefix: [UInt8], rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        if prefixPosition < prefix.count {
            let n = min(buffer.count, prefix.count - prefixPosition)
            prefix.withUnsafeBytes { bytes in
                buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + prefixPosition, byteCount: n)
            }
            prefixPosition += n
            if prefixPosition == prefix.count { prefix = [] ; prefixPosition = Int.max }
            return n
        }
        return try rest.read(into: buffer)
    }
}

/// In-memory bytes, for tests and for small pasted inputs.
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public convenience init(_ text: String) { self.init(Array(text.utf8)) }

    public var remainingHint: Int? { bytes.count - position }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        let n = min(buffer.count, bytes.count - position)
        if n > 0 {
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            position += n
        }
        return n
    }
}
