import Foundation

/// Reads one input from start to end: undoes gzip, detects the format by content, frames records
/// and hands each to the sink. Works in one reused buffer, so memory does not grow with the input.
public final class InputReader {
    public let name: String
    private var source: ByteSource
    private var buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var atEnd = false
    /// Offset in the (decompressed) stream of buffer[0], and the lines before it.
    private var streamOffset: Int64 = 0
    private var linesBefore = 0
    private var countedTo = 0
    private var linesToCounted = 0
    private var fields = RecordFields()
    private var json = JSONScanner(schema: .logEntry)
    private let yaml = YAMLScanner(schema: .logEntry)
    public private(set) var format: InputFormat?
    public private(set) var bytesRead: Int64 = 0
    /// Bytes carried over by refills to be scanned again: stays within a small multiple of the
    /// input however long its records (a test measures time by it, without a clock).
    private(set) var bytesCarriedOver: Int64 = 0

    static let initialCapacity = 1 << 20

    /// The first buffer: a megabyte, or less for an input known to be smaller (a fuzz input, a
    /// small file), which then never pays for a megabyte it does not fill. It grows as needed.
    static func firstCapacity(for source: ByteSource) -> Int {
        guard let remaining = source.remainingHint, remaining < initialCapacity else { return initialCapacity }
        var capacity = 4096
        while capacity <= remaining { capacity <<= 1 }
        return capacity
    }
    /// A record (or text line) larger than this is skipped, not buffered: reading goes on at the
    /// next record.
    public static let defaultMaximumRecord = 64 << 20
    let maximumRecord: Int
    /// Text lines are handed on cut to this many bytes; the rest of a longer line is passed over
    /// as it streams by, so no line is held whole.
    static let maximumTextLine = 64 << 10
    /// Bytes gathered before the format is judged (less only when the input is shorter).
    static let sniffBytes = 64 << 10

    private let forcedFormat: InputFormat?

    /// How a part of a file sits in a JSON array it was cut from.
    public struct ArrayPart: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The part begins at an element, inside the array.
        public static let startsInside = ArrayPart(rawValue: 1)
        /// The part stops after an element, with the array still open.
        public static let endsInside = ArrayPart(rawValue: 2)
    }

    private let arrayPart: ArrayPart

    /// `format` skips sniffing (for a part of a file already sniffed); `startOffset` is where
    /// `source` begins in the file, for byte offsets in messages.
    public init(
        name: String, source: ByteSource, format: InputFormat? = nil, startOffset: Int64 = 0, arrayPart: ArrayPart = [],
        maximumRecord: Int = InputReader.defaultMaximumRecord
    ) {
        self.name = name
        self.maximumRecord = maximumRecord
        self.source = source
        self.forcedFormat = format
        self.arrayPart = arrayPart
        self.streamOffset = startOffset
        self.buffer = .allocate(byteCount: Self.firstCapacity(for: source) + 8, alignment: 16)
        self.base = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    /// Inflated input is scanned in the read-ahead thread's own buffers, borrowed one at a
    /// time; `loan` is the one `base` points into.
    private var lender: ReadAheadSource?
    private var loan: ReadAheadSource.Loan?

    private var readAheads: [ReadAheadSource] = []

    /// Whether a thread of its own reads the input ahead (a pipe, or gzip being inflated).
    var readsAhead: Bool { !readAheads.isEmpty }

    deinit {
        for readAhead in readAheads { readAhead.cancel() }
        buffer.deallocate()
        fields.deallocate()
    }

    /// Where the bytes being scanned start: `buffer`, or a borrowed read-ahead buffer.
    private var base: UnsafePointer<UInt8>
    private var capacity: Int { buffer.count - 8 }

    /// Reads the whole input. Problems with single records go to the sink; an error that stops
    /// the input (unreadable, truncated gzip, unknown format) is thrown after what came before
    /// it was handed on.
    public func run(into sink: RecordSink) throws(TriageError) {
        readAheadFromPipe()
        if let forcedFormat {
            format = forcedFormat
            _ = try refill(keepingFrom: 0)
        } else {
            try sniff()
        }
        jsonDepth = arrayPart.contains(.startsInside) ? 1 : 0
        while true {
            do throws(TriageError) {
                switch format {
                case .ndjson: try readLines(into: sink)
                case .jsonStream: try readJSONStream(into: sink)
                case .yaml: try readYAML(into: sink)
                case .text: try readText(into: sink)
                case nil: break
                }
                if let sniffError { throw sniffError }
                return
            } catch .recordTooLarge(_, let line, _) {
                // The record starts at the buffer's first byte: skip it, then read on from the next.
                if try !skipOversizedRecord(line: line, into: sink) { return }
            }
        }
    }

    /// Reports the record at the buffer's start, which grew past `maximumRecord`, and passes
    /// over it as it streams by, without holding it. Afterwards the buffer starts at the next
    /// record; false when the input ended inside the record.
    private func skipOversizedRecord(line: Int, into sink: RecordSink) throws(TriageError) -> Bool {
        let limit = maximumRecord >= 1 << 20 ? "\(maximumRecord >> 20) MiB" : "\(maximumRecord) bytes"
        sink.problem(InputProblem(
            input: name, line: line, byteOffset: format == .jsonStream ? streamOffset : nil,
            reason: "a record larger than \(limit) was skipped; reading goes on at the next record",
            category: "record too large"))
        let next: Int?
        switch format {
        case .jsonStream: next = try endOfJSONValue()
        case .yaml: next = try nextDocument(after: 0)
        default: next = try endOfLine(from: 0).map { $0 + 1 }
        }
        guard let next else { return false }
        _ = try refill(keepingFrom: next)
        return true
    }

    /// The offset of the next line feed at or after `from`; bytes before it are dropped from
    /// the buffer as they are passed over (so the result may be smaller than `from`). Nil at
    /// the end of the input.
    private func endOfLine(from start: Int) throws(TriageError) -> Int? {
        var cursor = start
        while true {
            if cursor < filled, let hit = memchr(base + cursor, 0x0A, filled - cursor) {
                return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
            }
            guard try refill(keepingFrom: filled) else { return nil }
            cursor = 0
        }
    }

    /// The offset just past the JSON value that starts at the buffer's start, found by counting
    /// brackets outside strings; bytes before it are dropped as they are passed over.
    private func endOfJSONValue() throws(TriageError) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var cursor = 0
        while true {
            while cursor < filled {
                let b = base[cursor]
                cursor += 1
                if inString {
                    if escaped {
                        escaped = false
                    } else if b == 0x5C {
                        escaped = true
                    } else if b == 0x22 {
                        inString = false
                    }
                    continue
                }
                switch b {
                case 0x22: inString = true
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth <= 0 { return cursor }
                default: break
                }
            }
            guard try refill(keepingFrom: filled) else { return nil }
            cursor = 0
        }
    }

    // MARK: buffer

    /// Every line break read so far; after `run`, the input's line count.
    public var linesCounted: Int {
        countLines(upTo: filled)
        return linesBefore + linesToCounted
    }

    /// Keeps bytes from `keep` on, moves them to the front, and reads more. Returns false at the end.
    /// Afterwards the kept bytes always start at offset 0, whatever it returns.
    private func refill(keepingFrom keep: Int) throws(TriageError) -> Bool {
        bytesCarriedOver += Int64(filled - keep)
        if let lender { return try borrowNext(from: lender, keepingFrom: keep) }
        if keep > 0 {
            dropCounted(upTo: keep)
            let remaining = filled - keep
            if remaining > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + keep, remaining) }
            filled = remaining
        }
        if atEnd { return false }
        if filled == capacity {
            guard capacity < maximumRecord else {
                throw .recordTooLarge(input: name, line: linesBefore + 1, limit: maximumRecord)
            }
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2 + 8, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: filled)
            buffer.deallocate()
            buffer = bigger
            base = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        // The kept bytes are scanned again after the refill: reading at least as many new ones
        // (a pipe hands out 64 KiB a read) keeps a long record's rescans linear in its length.
        let kept = filled
        repeat {
            let n: Int
            do {
                n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<capacity]))
            } catch {
                atEnd = true
                throw error
            }
            if n == 0 {
                atEnd = true
                break
            }
            filled += n
            bytesRead += Int64(n)
        } while filled < capacity && filled - kept < kept
        return filled > kept
    }

    /// Moves the start of the stream past `keep` bytes: their lines join the count before, and
    /// line counting starts afresh at the new start (every refill variant does this first).
    private func dropCounted(upTo keep: Int) {
        countLines(upTo: keep)
        linesBefore += linesToCounted
        streamOffset += Int64(keep)
        countedTo = 0
        linesToCounted = 0
    }

    /// `refill` for inflated input: copies the kept bytes into the room in front of the next
    /// borrowed buffer and scans there; only a record larger than that room is gathered in
    /// `buffer`.
    private func borrowNext(from lender: ReadAheadSource, keepingFrom keep: Int) throws(TriageError) -> Bool {
        if keep > 0 { dropCounted(upTo: keep) }
        let remaining = filled - keep
        let kept = base + keep
        base = kept
        filled = remaining
        if atEnd { return false }
        guard remaining < maximumRecord else {
            throw .recordTooLarge(input: name, line: linesBefore + 1, limit: maximumRecord)
        }
        let next: ReadAheadSource.Loan?
        do {
            next = try lender.borrow()
        } catch {
            atEnd = true
            throw error
        }
        guard let next else {
            atEnd = true
            return false
        }
        if remaining <= next.room {
            let start = next.bytes - remaining
            if remaining > 0 { memmove(start, kept, remaining) }
            if let loan { lender.giveBack(loan) }
            loan = next
            base = UnsafePointer(start)
        } else {
            // A record larger than the room is gathered in `buffer`, with at least as many new
            // bytes as it already had, so its rescans stay linear in its length.
            var size = capacity
            while size < 2 * remaining + next.count { size *= 2 }
            var gathered = UnsafeMutableRawBufferPointer.allocate(byteCount: size + 8, alignment: 16)
            gathered.baseAddress!.copyMemory(from: kept, byteCount: remaining)
            var total = remaining
            var piece: ReadAheadSource.Loan? = next
            var failure: TriageError?
            while let current = piece {
                if total + current.count > size {
                    while size < total + current.count { size *= 2 }
                    let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: size + 8, alignment: 16)
                    larger.baseAddress!.copyMemory(from: gathered.baseAddress!, byteCount: total)
                    gathered.deallocate()
                    gathered = larger
                }
                (gathered.baseAddress! + total).copyMemory(from: current.bytes, byteCount: current.count)
                total += current.count
                bytesRead += Int64(current.count)
                lender.giveBack(current)
                if total - remaining >= remaining || total >= maximumRecord { break }
                do {
                    piece = try lender.borrow()
                } catch {
                    failure = error
                    piece = nil
                }
                if piece == nil { atEnd = true }
            }
            buffer.deallocate()
            buffer = gathered
            if let loan { lender.giveBack(loan) }
            loan = nil
            base = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            filled = total
            if let failure { throw failure }
            return true
        }
        filled = remaining + next.count
        bytesRead += Int64(next.count)
        return true
    }

    private func countLines(upTo offset: Int) {
        guard offset > countedTo else { return }
        // memchr per line: NDJSON lines are long, and YAML lines are counted by its scanner.
        var count = 0
        var cursor = countedTo
        while cursor < offset, let hit = memchr(base + cursor, 0x0A, offset - cursor) {
            count += 1
            cursor = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
        }
        linesToCounted += count
        countedTo = offset
    }

    /// The 1-based line of a buffer offset.
    private func line(at offset: Int) -> Int {
        countLines(upTo: offset)
        return linesBefore + linesToCounted + 1
    }

    private func location(at offset: Int) -> RecordLocation {
        RecordLocation(input: name, line: line(at: offset), byteOffset: streamOffset + Int64(offset))
    }

    private func report(_ sink: RecordSink, at offset: Int, _ reason: String, category: String) {
        let place = location(at: offset)
        sink.problem(InputProblem(
            input: name, line: place.line, byteOffset: format == .jsonStream ? place.byteOffset : nil,
            reason: reason, category: category))
    }

    // MARK: sniffing

    public private(set) var wasCompressed = false

    /// Only detects the format (reading the first buffer), for callers that plan how to read.
    public func detectFormat() throws(TriageError) -> InputFormat? {
        readAheadFromPipe()
        try sniff()
        return format
    }

    /// A pipe is read on a thread of its own, as inflated gzip is: the writer's side and the
    /// scanning overlap, and records are scanned in the worker's megabyte buffers, not in
    /// 64 KiB pieces each carrying over a partial record.
    private func readAheadFromPipe() {
        guard lender == nil, bytesRead == 0, let pipe = source as? FileDescriptorSource, pipe.isPipe else { return }
        pipe.enlargePipeBuffer()
        let readAhead = ReadAheadSource(upstream: pipe)
        readAheads.append(readAhead)
        source = readAhead
        lender = readAhead
    }

    private func sniff() throws(TriageError) {
        try gatherForSniffing()
        if filled >= 2 && base[0] == 0x1F && base[1] == 0x8B {
            wasCompressed = true
            let compressed: ByteSource
            if let loan {
                // Gzip inside gzip: the outer bytes read so far are copied into the prefix below.
                compressed = PrefixedSource(prefix: Array(UnsafeBufferPointer(start: base, count: filled)), rest: source)
                lender?.giveBack(loan)
                self.loan = nil
                base = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            } else {
                compressed = PrefixedSource(prefix: Array(UnsafeBufferPointer(start: base, count: filled)), rest: source)
            }
            // Inflate on a second thread while this one scans.
            let readAhead = ReadAheadSource(upstream: try GzipSource(upstream: compressed, name: name))
            readAheads.append(readAhead)
            source = readAhead
            lender = readAhead
            filled = 0
            bytesRead = 0
            atEnd = false
            try gatherForSniffing()
            // Gzip inside gzip happens when an export is compressed twice.
            if filled >= 2 && base[0] == 0x1F && base[1] == 0x8B { return try sniff() }
        }
        // A UTF-8 byte order mark: dropped here so the readers start at the first real byte.
        if filled >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { _ = try refill(keepingFrom: 3) }
        // Leading blank lines (a pipe whose first read is one line break, a file padded with
        // megabytes of them) are passed over: the format is judged on what follows them.
        var i = 0
        while true {
            while i < filled && (base[i] == 0x20 || base[i] == 0x0A || base[i] == 0x0D || base[i] == 0x09) { i += 1 }
            if i < filled { break }
            guard try refill(keepingFrom: i) else {
                format = nil  // empty: gcloud prints nothing when nothing matched
                return
            }
            i = 0
            try gatherForSniffing()
        }
        switch base[i] {
        case 0x5B where startsWithBracketedTime(from: i):
            format = .text
        case 0x5B:
            format = .jsonStream
        case 0x7B:
            // NDJSON when the first object closes on its line, or when the next line opens another
            // object (the first line is then a broken record). A pretty-printed object's second
            // line holds a key instead.
            let lineEnd = memchr(base + i, 0x0A, filled - i).map {
                UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base
            } ?? filled
            var scanner = JSONScanner(schema: .logEntry)
            scanner.base = base
            scanner.end = lineEnd
            var probe = i
            if (try? scanner.skipValue(&probe)) != nil {
                format = .ndjson
            } else {
                var next = lineEnd + 1
                while next < filled && (base[next] == 0x20 || base[next] == 0x09 || base[next] == 0x0D) { next += 1 }
                format = next < filled && base[next] == 0x7B ? .ndjson : .jsonStream
            }
        default:
            if looksLikeDescribeText(from: i) || startsWithDescribeSection(from: i) || startsWithErrorWord(from: i)
                || startsWithTerraformProgress(from: i) || startsWithExceptionName(from: i)
            {
                format = .text
            } else if looksLikeYAML(from: i) {
                format = .yaml
            } else if looksLikeText(from: i) {
                format = .text
            } else {
                let end = min(filled, i + 40)
                let first = String(decoding: UnsafeBufferPointer(start: base + i, count: end - i), as: UTF8.self)
                throw .unknownFormat(input: name, firstBytes: TerminalText.sanitize(first.split(separator: "\n").first.map(String.init) ?? ""))
            }
        }
    }

    /// Reads until `sniffBytes` are buffered or the input ends: a pipe may hand out a byte at a
    /// time, and the format is judged on a buffer's worth.
    private func gatherForSniffing() throws(TriageError) {
        do {
            if filled == 0 { _ = try refill(keepingFrom: 0) }
            while filled < Self.sniffBytes, try refill(keepingFrom: 0) {}
        } catch {
            // A truncated gzip: what came before the error is still read, then the error stops it.
            guard filled > 0 else { throw error }
            sniffError = error
        }
    }

    /// An error met while gathering bytes to sniff, raised once those bytes were read.
    private var sniffError: TriageError?

    /// `kubectl describe` starts `Name:` with the value aligned by spaces; gcloud YAML never pads.
    private func looksLikeDescribeText(from start: Int) -> Bool {
        let prefix: [UInt8] = Array("Name:".utf8)
        guard filled - start >= prefix.count + 2 else { return false }
        for (k, byte) in prefix.enumerated() where base[start + k] != byte { return false }
        // Padded with spaces, or with tabs as kubectl before 1.9 wrote it (`Name:\t\t\tweb`).
        let first = base[start + prefix.count]
        let second = base[start + prefix.count + 1]
        return (first == 0x20 && second == 0x20) || first == 0x09
    }

    /// A piece of `kubectl describe` cut from its top: `Events:` or `Conditions:` alone on the first
    /// line and the table's `Type …` header on the next. It reads as a YAML key, and the table
    /// under it is not YAML.
    private func startsWithDescribeSection(from start: Int) -> Bool {
        let window = String(decoding: UnsafeBufferPointer(start: base + start, count: min(filled - start, 4096)), as: UTF8.self)
        let lines = window.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard lines.count >= 2 else { return false }
        let first = lines[0].trimmingCharacters(in: .whitespaces)
        guard first == "Events:" || first == "Conditions:" else { return false }
        return lines[1].split(separator: " ", omittingEmptySubsequences: true).first == "Type"
    }

    /// Text a person could paste: no NULs or other control bytes besides tab, CR, LF and ESC
    /// (terminal colours), judged on the first buffer. Bytes that are not UTF-8 (a Latin-1 name,
    /// a paste cut inside a character) do not make it binary: the text readers replace them with
    /// U+FFFD.
    private func looksLikeText(from start: Int) -> Bool {
        let window = UnsafeBufferPointer(start: base + start, count: min(filled - start, 1 << 16))
        for b in window where b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x1B { return false }
        return true
    }

    /// `Error: …`, `ERROR: (gcloud.…)`, `error: …`, `FATAL: …`: a tool's error output, which reads
    /// as a YAML key but is text (terraform, helm, gcloud and kubectl print errors so).
    private func startsWithErrorWord(from start: Int) -> Bool {
        for word in Self.errorWords where filled - start >= word.count {
            if memcmp(base + start, word, word.count) == 0 { return true }
        }
        return false
    }

    private static let errorWords: [[UInt8]] = ["Error:", "ERROR:", "error:", "Error from server", "FATAL:", "fatal:",
                                                 // A level word before a log line (java.util.logging's `WARNING: Failed to
                                                 // detect whether we are running on Google Compute Engine.`, kubectl's
                                                 // `Warning: …`): no gcloud YAML key is one.
                                                 "WARNING: ", "Warning: ", "WARN: ", "INFO: ", "SEVERE: ", "DEBUG: "]
        .map { Array($0.utf8) }

    /// `google_container_cluster.primary: Creating...`: terraform's progress line, whose resource
    /// address reads as a YAML key.
    private func startsWithTerraformProgress(from start: Int) -> Bool {
        let end = memchr(base + start, 0x0A, filled - start).map {
            UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base
        } ?? filled
        let line = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        guard let colon = line.range(of: ": ") else { return false }
        let address = line[..<colon.lowerBound]
        guard address.contains("."), !address.contains(" ") else { return false }
        let progress = ["Creating...", "Still creating...", "Refreshing state...", "Modifying...", "Destroying...",
                        "Reading...", "Still modifying...", "Still destroying..."]
        return progress.contains { line[colon.upperBound...].hasPrefix($0) }
    }

    /// `[2020-01-23T00:50:00.464Z] …`: a log line with its time in brackets (CI consoles), or a
    /// shell prompt (`[root@host dir]# …`), not a JSON array, which opens with a value: never a
    /// four-digit year and a dash, nor a letter other than those of true, false and null.
    private func startsWithBracketedTime(from start: Int) -> Bool {
        guard filled - start >= 6 else { return false }
        let first = base[start + 1]
        if (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A && first != 0x74 && first != 0x66 && first != 0x6E) {
            return true
        }
        for offset in 1...4 where !(base[start + offset] >= 0x30 && base[start + offset] <= 0x39) { return false }
        return base[start + 5] == 0x2D
    }

    private func looksLikeYAML(from start: Int) -> Bool {
        // `---` is a document marker only before a blank or the line's end: Go's test output opens
        // `------- Stdout: -------` (terraform-provider-google#15076), which is text.
        if filled - start >= 3 && base[start] == 0x2D && base[start + 1] == 0x2D && base[start + 2] == 0x2D {
            let next = filled - start > 3 ? base[start + 3] : 0x0A
            return next == 0x20 || next == 0x0A || next == 0x0D || next == 0x09
        }
        guard startsWithKey(from: start) else { return false }
        return nextMarginLineIsYAML(after: start)
    }

    /// `key:` followed by a space or the line's end, with a plain or quoted key.
    private func startsWithKey(from start: Int) -> Bool {
        var i = start
        if base[i] == 0x27 || base[i] == 0x22 { return true }
        while i < filled {
            let b = base[i]
            if b == 0x3A { return i + 1 == filled || base[i + 1] == 0x20 || base[i + 1] == 0x0A || base[i + 1] == 0x0D }
            let isKeyByte = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x5F || b == 0x2D || b == 0x2E || b == 0x40 || b == 0x2F
            if !isKeyByte { return false }
            i += 1
        }
        return false
    }

    /// In YAML, a line at the margin after `key: value` is another key, a list item, a comment or
    /// a document marker; anything else there (the second line of a pasted error that happened to
    /// start `word: …`) makes the input text. Indented lines continue the value and are passed over;
    /// when the buffer holds no second line the first decides.
    private func nextMarginLineIsYAML(after start: Int) -> Bool {
        var i = start
        while true {
            guard let newline = memchr(base + i, 0x0A, filled - i) else { return true }
            i = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base + 1
            guard i < filled else { return true }
            let b = base[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { continue }
            if b == 0x2D || b == 0x23 || b == 0x2E { return true }
            return startsWithKey(from: i)
        }
    }

    /// `google.auth.exceptions.TransportError: (…`, `java.net.SocketTimeoutException: …`: an
    /// exception a Python or Java program printed, whose dotted class name reads as a YAML key.
    private func startsWithExceptionName(from start: Int) -> Bool {
        let end = memchr(base + start, 0x0A, min(filled - start, 200)).map {
            UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base
        } ?? min(filled, start + 200)
        return UnexplainedError.isExceptionLine(Substring(String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)))
    }

    // MARK: NDJSON

    private func readLines(into sink: RecordSink) throws(TriageError) {
        json.newlineIsWhitespace = false
        var position = 0
        while true {
            // The common line, an object and its line break, is scanned without first searching
            // for the break; anything else (spacing, errors, the buffer's end) takes the full path.
            if position < filled && base[position] == 0x7B,
                let end = try? json.scanRecord(base, from: position, to: filled, into: &fields), end < filled, base[end] == 0x0A
            {
                let start = position
                sink.consume(fields, format: .ndjson) { location(at: start) }
                position = end + 1
                continue
            }
            let newline = memchr(base + position, 0x0A, filled - position)
            var lineEnd: Int
            if let newline {
                lineEnd = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base
            } else {
                let more = try refill(keepingFrom: position)
                position = 0
                if more { continue }
                if filled == 0 { return }
                lineEnd = filled
            }
            var start = position
            while start < lineEnd && (base[start] == 0x20 || base[start] == 0x09 || base[start] == 0x0D) { start += 1 }
            if start < lineEnd {
                if base[start] == 0x7B {
                    do {
                        let end = try json.scanRecord(base, from: start, to: lineEnd, into: &fields)
                        var rest = end
                        while rest < lineEnd && (base[rest] == 0x20 || base[rest] == 0x09 || base[rest] == 0x0D) { rest += 1 }
                        if rest < lineEnd {
                            report(sink, at: start, "unexpected text after the JSON object", category: "malformed JSON")
                        } else {
                            sink.consume(fields, format: .ndjson) { location(at: start) }
                        }
                    } catch {
                        switch error {
                        case .incomplete:
                            report(sink, at: start, "the line ends before the JSON object closes", category: "malformed JSON")
                        case .malformed(let offset, let reason):
                            report(sink, at: start, "malformed JSON at column \(offset - position + 1): \(reason)", category: "malformed JSON")
                        }
                    }
                } else {
                    report(sink, at: start, "not a JSON object", category: "malformed JSON")
                }
            }
            if lineEnd >= filled && newline == nil { return }
            position = lineEnd + 1
        }
    }

    // MARK: JSON stream (arrays, pretty-printed or concatenated objects)

    /// 1 inside a top-level array; kept across a skipped oversized element.
    private var jsonDepth = 0

    private func readJSONStream(into sink: RecordSink) throws(TriageError) {
        var position = 0
        while true {
            while position < filled {
                let b = base[position]
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { position += 1 } else { break }
            }
            if position >= filled {
                let more = try refill(keepingFrom: position)
                position = 0
                if more { continue }
                if jsonDepth > 0 && !arrayPart.contains(.endsInside) {
                    report(sink, at: filled, "the JSON array is not closed", category: "truncated input")
                }
                return
            }
            let b = base[position]
            if b == 0x5B && jsonDepth == 0 {
                jsonDepth = 1
                position += 1
                continue
            }
            if b == 0x5D && jsonDepth == 1 {
                jsonDepth = 0
                position += 1
                continue
            }
            if b == 0x2C && jsonDepth == 1 {
                position += 1
                continue
            }
            if b == 0x7B {
                do {
                    let end = try json.scanRecord(base, from: position, to: filled, into: &fields)
                    let start = position
                    sink.consume(fields, format: .jsonStream) { location(at: start) }
                    position = end
                } catch {
                    switch error {
                    case .incomplete:
                        let more = try refill(keepingFrom: position)
                        position = 0
                        if !more {
                            report(sink, at: 0, "the input ends inside this record", category: "truncated input")
                            return
                        }
                    case .malformed(let offset, let reason):
                        report(sink, at: offset, "malformed JSON: \(reason); record starting at line \(line(at: position)) skipped", category: "malformed JSON")
                        guard let next = try resynchronise(after: offset, recordStart: &position) else { return }
                        position = next
                    }
                }
                continue
            }
            report(sink, at: position, "expected a JSON object", category: "malformed JSON")
            guard let next = try resynchronise(after: position, recordStart: &position) else { return }
            position = next
        }
    }

    /// After a broken record, finds the next line that opens an object at the same column the
    /// broken one opened at (how gcloud and jq lay out arrays and streams).
    private func resynchronise(after offset: Int, recordStart: inout Int) throws(TriageError) -> Int? {
        var lineStart = recordStart
        while lineStart > 0 && base[lineStart - 1] != 0x0A { lineStart -= 1 }
        let column = recordStart - lineStart
        var cursor = max(offset, recordStart + 1)
        while true {
            guard let newline = memchr(base + cursor, 0x0A, filled - cursor) else {
                let keep = filled
                if try refill(keepingFrom: keep) {
                    cursor = 0
                    recordStart = 0
                    continue
                }
                return nil
            }
            let next = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base + 1
            if next + column >= filled {
                // Need to see the start of the next line.
                let keep = next - 1
                if try refill(keepingFrom: keep) {
                    cursor = 0
                    continue
                }
                return nil
            }
            var matches = true
            for k in 0..<column where base[next + k] != 0x20 { matches = false; break }
            if matches && base[next + column] == 0x7B { return next + column }
            cursor = next
        }
    }

    // MARK: text

    /// Hands each line to the sink as a String; text evidence is read a line at a time, so memory
    /// stays flat however long the text is. A line longer than `maximumTextLine` is handed on cut
    /// there (with a problem naming it) and the rest of it is passed over as it streams by.
    private func readText(into sink: RecordSink) throws(TriageError) {
        var position = 0
        var number = linesBefore
        while true {
            let newline = memchr(base + position, 0x0A, filled - position)
            var lineEnd: Int
            if let newline {
                lineEnd = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base
            } else if filled - position > Self.maximumTextLine {
                number += 1
                let cut = TextLine.cut(base + position, count: filled - position, limit: Self.maximumTextLine)
                sink.text(TextLine.decode(base + position, count: cut), number: number, input: name)
                sink.problem(InputProblem(
                    input: name, line: number, byteOffset: nil,
                    reason: "a line longer than \(Self.maximumTextLine >> 10) KiB; only its first \(Self.maximumTextLine >> 10) KiB were read",
                    category: "text line cut"))
                guard let end = try endOfLine(from: position + cut) else { break }
                position = end + 1
                continue
            } else {
                let more = try refill(keepingFrom: position)
                position = 0
                if more { continue }
                if filled == 0 { break }
                lineEnd = filled
            }
            number += 1
            var end = lineEnd
            if end > position && base[end - 1] == 0x0D { end -= 1 }
            sink.text(TextLine.decode(base + position, count: end - position), number: number, input: name)
            if lineEnd >= filled && newline == nil { break }
            position = lineEnd + 1
        }
        sink.endOfText(input: name)
    }

    // MARK: YAML

    private func readYAML(into sink: RecordSink) throws(TriageError) {
        var position = 0
        while true {
            if position >= filled {
                let more = try refill(keepingFrom: position)
                position = 0
                if more { continue }
                return
            }
            do {
                var lineFeeds = 0
                let next = try yaml.scanDocument(
                    base, from: position, to: filled, atEndOfInput: atEnd, into: &fields, lineFeeds: &lineFeeds)
                if fields.recordCount > 0 && hasContent(fields) {
                    let start = position
                    sink.consume(fields, format: .yaml) { location(at: start) }
                }
                if countedTo == position {
                    // The lines are counted up to this document: add its own, as the scanner counted them.
                    linesToCounted += lineFeeds
                    countedTo = next
                }
                if next == position { return }
                position = next
            } catch {
                switch error {
                case .incomplete:
                    // At the end, atEnd is now set and the next scan takes the buffer end as the input end.
                    _ = try refill(keepingFrom: position)
                    position = 0
                case .malformed(let offset, let reason):
                    report(sink, at: offset, "malformed YAML: \(reason)", category: "malformed YAML")
                    guard let next = try nextDocument(after: offset) else { return }
                    position = next
                }
            }
        }
    }

    private func hasContent(_ fields: RecordFields) -> Bool {
        for i in 0..<Field.count where fields.slots[i].count >= 0 { return true }
        // A document with none of the known keys is still a record (counted as "other").
        var i = fields.recordOffset
        let end = fields.recordOffset + fields.recordCount
        while i < end {
            let b = base[i]
            if b != 0x20 && b != 0x0A && b != 0x0D && b != 0x2D { return true }
            i += 1
        }
        return false
    }

    private func nextDocument(after offset: Int) throws(TriageError) -> Int? {
        var cursor = offset
        while true {
            guard let newline = memchr(base + cursor, 0x0A, filled - cursor) else {
                if try refill(keepingFrom: filled) {
                    cursor = 0
                    continue
                }
                return nil
            }
            let next = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base + 1
            if next + 3 > filled {
                if try refill(keepingFrom: next - 1) {
                    cursor = 0
                    continue
                }
                return nil
            }
            if base[next] == 0x2D && base[next + 1] == 0x2D && base[next + 2] == 0x2D { return next }
            // A `...` line ends the broken document too: the next one starts on the line after it.
            if base[next] == 0x2E && base[next + 1] == 0x2E && base[next + 2] == 0x2E {
                var after = next + 3
                if after < filled && base[after] == 0x0D { after += 1 }
                if after < filled && base[after] == 0x0A { return after + 1 }
                if after >= filled {
                    // The line may go on past the buffer: read on and look at it again.
                    if try refill(keepingFrom: next - 1) {
                        cursor = 0
                        continue
                    }
                    return nil
                }
            }
            cursor = next
        }
    }
}
