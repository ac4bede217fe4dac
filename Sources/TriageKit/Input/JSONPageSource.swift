import Foundation

/// A paged API answer such as Logging's `{"entries":[…],"nextPageToken":"…"}`, read as the
/// array under one key: the bytes of that array pass through unchanged (to be read with
/// `InputReader(…, format: .jsonStream)` as a stream of records), top-level string values of
/// the keys asked for (the page token) are kept, and everything else is dropped as it goes.
/// Newlines outside the array are kept, so line numbers still count from the page's first line.
/// Nothing is held but one read buffer: a 50 MB page never sits in memory whole.
public final class JSONPageSource: ByteSource {
    private let upstream: ByteSource
    private let name: String
    private let arrayKey: [UInt8]
    private let keysToKeep: Set<[UInt8]>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private var inputStart = 0
    private var inputEnd = 0
    private var upstreamDone = false

    private enum State {
        case beforeObject, expectKey, inKey, expectColon, beforeValue, inArray, skippingValue, capturing, afterValue, done
    }
    private var state = State.beforeObject
    private var inString = false
    private var escaped = false
    private var depth = 0
    private var key: [UInt8] = []
    private var captured: [UInt8] = []
    private var capturedEscapes = false

    /// Top-level string values of the kept keys, once the page has been read.
    public private(set) var values: [String: String] = [:]
    /// Whether the array key was present.
    public private(set) var sawArray = false
    /// True when the answer stopped before its JSON object closed (a connection cut without an
    /// error, a body shorter than it should be): worth asking for again.
    public private(set) var endedEarly = false
    /// Array elements dropped because an earlier answer to the same request already delivered them.
    public private(set) var skippedElements = 0
    /// Elements still to drop, and whether the separator after the last dropped one is still to come.
    private var toSkip = 0
    private var dropSeparator = false

    /// `skip` drops the array's first elements (their newlines are kept, so line numbers still
    /// count from the page's first line): a page asked for again after a cut delivers only
    /// what the first answer did not.
    public init(upstream: ByteSource, name: String, arrayKey: String, keep: [String] = ["nextPageToken"], skip: Int = 0, bufferSize: Int = 256 << 10) {
        self.upstream = upstream
        self.toSkip = max(0, skip)
        self.name = name
        self.arrayKey = Array(arrayKey.utf8)
        self.keysToKeep = Set(keep.map { Array($0.utf8) })
        self.input = .allocate(capacity: bufferSize)
    }

    deinit { input.deallocate() }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if inputStart == inputEnd {
                if upstreamDone { return try finishedReading() }
                let n = try upstream.read(into: UnsafeMutableRawBufferPointer(input))
                inputStart = 0
                inputEnd = n
                if n == 0 {
                    upstreamDone = true
                    continue
                }
            }
            let written = try filter(into: buffer.bindMemory(to: UInt8.self))
            if written > 0 { return written }
        }
    }

    private func finishedReading() throws(TriageError) -> Int {
        switch state {
        case .done, .beforeObject: return 0
        default:
            endedEarly = true
            throw .readFailed(input: name, reason: "the response ends before its JSON object closes")
        }
    }

    private func fail(_ reason: String) -> TriageError { .readFailed(input: name, reason: reason) }

    /// Follows strings and nesting inside the array; true when `b` closed a bracket (`depth` is
    /// then already one less).
    @inline(__always)
    private func followArray(_ b: UInt8) -> Bool {
        if inString {
            if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
        } else if b == 0x22 {
            inString = true
        } else if b == 0x5B || b == 0x7B {
            depth += 1
        } else if b == 0x5D || b == 0x7D {
            depth -= 1
            return true
        }
        return false
    }

    /// Moves bytes from the input buffer to `out` through the state machine; returns bytes written.
    private func filter(into out: UnsafeMutableBufferPointer<UInt8>) throws(TriageError) -> Int {
        var written = 0
        while inputStart < inputEnd && written < out.count {
            let b = input[inputStart]
            inputStart += 1
            let isSpace = b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
            switch state {
            case .inArray where toSkip > 0 || dropSeparator:
                if followArray(b) {
                    if depth == 0 {
                        // The array ended before every element to skip came by.
                        toSkip = 0
                        dropSeparator = false
                        out[written] = b
                        written += 1
                        state = .afterValue
                        continue
                    }
                    if depth == 1 {
                        toSkip -= 1
                        skippedElements += 1
                        if toSkip == 0 { dropSeparator = true }
                    }
                } else if dropSeparator && !inString && depth == 1 && b == 0x2C {
                    dropSeparator = false
                    continue
                }
                if b == 0x0A {
                    out[written] = b
                    written += 1
                }
                continue
            case .inArray:
                out[written] = b
                written += 1
                if followArray(b) && depth == 0 { state = .afterValue }
                continue
            case .skippingValue:
                if inString {
                    if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 {
                        inString = false
                        if depth == 0 { state = .afterValue }
                    }
                } else if b == 0x22 {
                    inString = true
                } else if b == 0x5B || b == 0x7B {
                    depth += 1
                } else if b == 0x5D || b == 0x7D {
                    if depth == 0 {
                        // The end of the top-level object after a number or literal.
                        state = .done
                    } else {
                        depth -= 1
                        if depth == 0 { state = .afterValue }
                    }
                } else if depth == 0 && b == 0x2C {
                    state = .expectKey
                } else if depth == 0 && isSpace {
                    state = .afterValue
                }
            case .inKey, .capturing:
                if escaped {
                    escaped = false
                } else if b == 0x5C {
                    escaped = true
                    if state == .capturing { capturedEscapes = true }
                } else if b == 0x22 {
                    if state == .inKey {
                        state = .expectColon
                    } else {
                        let bytes = captured
                        let value = capturedEscapes
                            ? bytes.withUnsafeBufferPointer { JSONStringDecoder.decode($0) }
                            : String(decoding: bytes, as: UTF8.self)
                        values[String(decoding: key, as: UTF8.self)] = value
                        state = .afterValue
                    }
                    continue
                }
                if state == .inKey {
                    if key.count < 256 { key.append(b) }
                } else {
                    guard captured.count < 1 << 16 else { throw fail("a \(String(decoding: key, as: UTF8.self)) value longer than 64 KiB") }
                    captured.append(b)
                }
            case .beforeObject, .expectKey, .expectColon, .beforeValue, .afterValue, .done:
                if isSpace { break }
                switch (state, b) {
                case (.beforeObject, 0x7B): state = .expectKey
                case (.expectKey, 0x22):
                    key.removeAll(keepingCapacity: true)
                    escaped = false
                    state = .inKey
                case (.expectKey, 0x7D): state = .done
                case (.expectColon, 0x3A): state = .beforeValue
                case (.beforeValue, 0x5B) where key == arrayKey:
                    sawArray = true
                    depth = 1
                    inString = false
                    escaped = false
                    out[written] = b
                    written += 1
                    state = .inArray
                    continue
                case (.beforeValue, 0x22) where keysToKeep.contains(key):
                    captured.removeAll(keepingCapacity: true)
                    capturedEscapes = false
                    escaped = false
                    state = .capturing
                case (.beforeValue, _):
                    depth = 0
                    inString = false
                    escaped = false
                    if b == 0x22 {
                        inString = true
                    } else if b == 0x5B || b == 0x7B {
                        depth = 1
                    }
                    state = .skippingValue
                case (.afterValue, 0x2C): state = .expectKey
                case (.afterValue, 0x7D): state = .done
                case (.done, _): throw fail("unexpected text after the JSON object")
                case (.beforeObject, _): throw fail("the response is not a JSON object")
                default: throw fail("malformed JSON at the top level of the response")
                }
            }
            // Newlines outside the array keep line numbers true to the page.
            if b == 0x0A {
                out[written] = b
                written += 1
            }
        }
        return written
    }
}
