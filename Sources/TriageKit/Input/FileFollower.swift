import Foundation

/// `--follow`: what is appended to the files already read, read as it arrives (like `tail -f`),
/// into the same collector. Only whole lines are read: a record still being written waits for
/// its newline. A file that shrinks (rotated or truncated) is followed from its new end.
public final class FileFollower: Follower {
    private struct Followed {
        var path: String
        var name: String
        var offset: Int64
        var lines: Int
    }

    private var files: [Followed]

    /// Follows `inputs` (regular files; standard input and unreadable inputs are not followed)
    /// from their current ends, which is where the first read stopped.
    public init(_ inputs: [InputSpec]) {
        files = inputs.compactMap { input in
            guard let path = input.path, input.unreadable == nil, let size = Self.regularFileSize(path) else { return nil }
            return Followed(path: path, name: input.displayName, offset: size, lines: Self.lineCount(path, upTo: size))
        }
    }

    /// The files followed.
    public var paths: [String] { files.map(\.path) }

    public var what: String { "\(files.count) file\(files.count == 1 ? "" : "s")" }

    /// Reads what was appended since the last call into `collector`. Returns whether anything
    /// was read, and a line for each file that shrank or failed.
    public func poll(into collector: EvidenceCollector) -> (read: Bool, notes: [String]) {
        var read = false
        var notes: [String] = []
        for index in files.indices {
            let file = files[index]
            guard let size = Self.regularFileSize(file.path) else {
                notes.append("\(file.name): no longer readable; not followed")
                continue
            }
            if size < file.offset {
                notes.append("\(file.name): it shrank (rotated or truncated); following it from its new end")
                files[index].offset = size
                files[index].lines = Self.lineCount(file.path, upTo: size)
                continue
            }
            guard size > file.offset, let end = Self.lastLineEnd(file.path, from: file.offset, to: size) else { continue }
            do throws(TriageError) {
                let reader = InputReader(name: file.name, source: try FileRangeSource(path: file.path, start: file.offset, end: end), startOffset: file.offset)
                if let error = collector.readFollowedPart(reader, lineOffset: file.lines) { notes.append(error.description) }
                files[index].lines += reader.linesCounted
                files[index].offset = end
                read = true
            } catch {
                notes.append(error.description)
            }
        }
        return (read, notes)
    }

    static func regularFileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// The offset just past the last newline in [start, end), nil when there is none yet.
    static func lastLineEnd(_ path: String, from start: Int64, to end: Int64) -> Int64? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var position = end
        let chunk: Int64 = 64 << 10
        while position > start {
            let from = max(start, position - chunk)
            try? handle.seek(toOffset: UInt64(from))
            guard let data = try? handle.read(upToCount: Int(position - from)) else { return nil }
            if let newline = data.lastIndex(of: 0x0A) { return from + Int64(newline - data.startIndex) + 1 }
            position = from
        }
        return nil
    }

    /// Newlines before `end`, so line numbers of appended records count from the file's start.
    static func lineCount(_ path: String, upTo end: Int64) -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? handle.close() }
        var count = 0
        var read: Int64 = 0
        while read < end, let data = try? handle.read(upToCount: Int(min(1 << 20, end - read))), !data.isEmpty {
            count += data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            read += Int64(data.count)
        }
        return count
    }
}
