import CZlib
import Foundation

/// Inflates gzip data as it is read, member after member (`cat a.gz b.gz` is valid gzip).
/// Data that ends inside a member is an error, raised after everything before it was handed out.
public final class GzipSource: ByteSource {
    private let upstream: ByteSource
    private let name: String
    private var stream = z_stream()
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamDone = false
    private var inMember = false
    private var finished = false
    private var produced: Int64 = 0

    public init(upstream: ByteSource, name: String) throws(TriageError) {
        self.upstream = upstream
        self.name = name
        self.input = .allocate(byteCount: 256 * 1024, alignment: 16)
        // 15 + 16: a gzip wrapper, the largest window.
        guard triage_inflateInit2(&stream, 15 + 16) == Z_OK else {
            input.deallocate()
            throw .corruptGzip(input: name, reason: "zlib could not start")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
        if finished { return 0 }
        if truncated {
            finished = true
            throw .truncatedGzip(input: name, afterBytes: produced)
        }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(buffer.count)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !upstreamDone {
                let n = try upstream.read(into: input)
                if n == 0 {
                    upstreamDone = true
                } else {
                    stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = uInt(n)
                }
            }
            if stream.avail_in == 0 && upstreamDone {
                let written = buffer.count - Int(stream.avail_out)
                produced += Int64(written)
                if inMember {
                    // Hand out what was inflated first; the truncation is raised on the next call.
                    if written > 0 {
                        truncated = true
                        return written
                    }
                    finished = true
                    throw .truncatedGzip(input: name, afterBytes: produced)
                }
                finished = true
                return written
            }
            inMember = true
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_STREAM_END:
                inMember = false
                inflateReset(&stream)
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "inflate error \(status)"
                finished = true
                throw .corruptGzip(input: name, reason: message)
            }
        }
        produced += Int64(buffer.count)
        return buffer.count
    }

    private var truncated = false
}
