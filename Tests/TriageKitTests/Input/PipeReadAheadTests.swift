import Foundation
import Testing
@testable import TriageKit

/// stdin from a pipe is read on a thread of its own, a megabyte buffer at a time, as inflated
/// gzip is (issue 15 item 4): records must be exactly those of the same bytes read from memory.
struct PipeReadAheadTests {
    /// A pipe whose write end a thread fills with `bytes`, `chunk` bytes a write, then closes
    /// (unless `keepOpen`: then it stays open, quiet, until `close()` is called).
    final class WrittenPipe: @unchecked Sendable {
        let readEnd: Int32
        private let writeEnd: Int32
        private let done = DispatchSemaphore(value: 0)

        init(_ bytes: [UInt8], chunk: Int, keepOpen: Bool = false) {
            var ends: [Int32] = [0, 0]
            precondition(pipe(&ends) == 0)
            readEnd = ends[0]
            writeEnd = ends[1]
            let writeEnd = ends[1]
            let done = done
            Thread {
                var position = 0
                while position < bytes.count {
                    let n = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress! + position, min(chunk, bytes.count - position)) }
                    if n <= 0 { break }  // the reader closed its end
                    position += n
                }
                if !keepOpen { Foundation.close(writeEnd) }
                done.signal()
            }.start()
        }

        /// Waits for the writer to finish, then closes both ends.
        func close() {
            done.wait()
            Foundation.close(writeEnd)
            Foundation.close(readEnd)
        }

        func closeReadEnd() {
            done.wait()
            Foundation.close(readEnd)
        }
    }

    static func readFromPipe(_ bytes: [UInt8], chunk: Int) throws -> (sink: RecordingSink, reader: InputReader) {
        let pipe = WrittenPipe(bytes, chunk: chunk)
        defer { pipe.closeReadEnd() }
        let sink = RecordingSink(fields: [.insertId, .srcIP, .instanceVM], decodeValues: false)
        let reader = InputReader(name: "<stdin>", source: FileDescriptorSource(descriptor: pipe.readEnd, name: "<stdin>", closeWhenDone: false))
        try reader.run(into: sink)
        return (sink, reader)
    }

    @Test func recordsFromAPipeAreThoseReadFromMemory() throws {
        let bytes = Array(GzipTests.lines(0..<14_000).utf8)  // about 3 MiB: several read-ahead buffers
        let memory = RecordingSink(fields: [.insertId, .srcIP, .instanceVM], decodeValues: false)
        try InputReader(name: "<stdin>", source: MemorySource(bytes)).run(into: memory)
        for chunk in [1_000, 65_536] {
            let (piped, reader) = try Self.readFromPipe(bytes, chunk: chunk)
            #expect(reader.readsAhead)
            #expect(piped.problems.isEmpty)
            #expect(piped.records.count == 14_000)
            #expect(piped.strings(.insertId) == memory.strings(.insertId))
            #expect(piped.strings(.instanceVM) == memory.strings(.instanceVM))
            #expect(piped.records.map(\.location) == memory.records.map(\.location))
            #expect(reader.bytesRead == Int64(bytes.count))
        }
    }

    @Test func gzipFromAPipeIsInflatedAfterTheReadAhead() throws {
        let directory = try TemporaryDirectory()
        let text = GzipTests.lines(0..<6_000)
        try directory.write("records.json", Array(text.utf8))
        _ = try shell("gzip -k records.json", in: directory.url)
        let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.path("records.json.gz"))))
        let (piped, reader) = try Self.readFromPipe(compressed, chunk: 4_096)
        #expect(reader.readsAhead && reader.wasCompressed)
        #expect(piped.problems.isEmpty)
        #expect(piped.strings(.insertId) == (0..<6_000).map { "rec-\($0)" })
    }

    @Test func aRegularFileIsReadWithoutAThread() throws {
        let directory = try TemporaryDirectory()
        try directory.write("records.json", Array(GzipTests.lines(0..<10).utf8))
        let reader = InputReader(name: "records.json", source: try FileDescriptorSource(path: directory.path("records.json")))
        let sink = RecordingSink(fields: [.insertId], decodeValues: false)
        try reader.run(into: sink)
        #expect(!reader.readsAhead)
        #expect(sink.records.count == 10)
    }

    /// A pipe hands out what its writer wrote so far; the worker keeps reading until its buffer
    /// is full, so the reader scans whole megabytes and carries a partial record over once each.
    @Test func theWorkerHandsOutWholeBuffers() throws {
        let bytes = Array(GzipTests.lines(0..<14_000).utf8)
        let readAhead = ReadAheadSource(upstream: PipeLikeSource(bytes, first: 1_000, chunk: 1_000), bufferSize: 1 << 20)
        defer { readAhead.cancel() }
        var sizes: [Int] = []
        while let loan = try readAhead.borrow() {
            sizes.append(loan.count)
            readAhead.giveBack(loan)
        }
        #expect(sizes.reduce(0, +) == bytes.count)
        #expect(sizes.dropLast().allSatisfy { $0 == 1 << 20 }, "\(sizes)")
        #expect(sizes.count == (bytes.count + (1 << 20) - 1) >> 20)
    }

    /// Input of no known format stops the reader after the first bytes; its worker must then
    /// stop too, though the writer keeps the pipe open and writes nothing more.
    @Test func aReaderThatStopsEarlyDoesNotWaitForAQuietWriter() throws {
        let pipe = WrittenPipe(Array(repeating: 0x01, count: 100_000), chunk: 100_000, keepOpen: true)
        defer { pipe.close() }
        let sink = RecordingSink(fields: [.insertId], decodeValues: false)
        do {
            let reader = InputReader(name: "<stdin>", source: FileDescriptorSource(descriptor: pipe.readEnd, name: "<stdin>", closeWhenDone: false))
            _ = try? reader.run(into: sink)
            #expect(reader.readsAhead)
        }
        // Reaching here means the reader's deinit stopped its worker.
        #expect(sink.records.isEmpty)
    }
}
