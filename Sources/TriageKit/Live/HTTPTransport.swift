import Foundation

/// One HTTP request as the live clients build it; the transport adds nothing but what the
/// protocol needs (compression, HTTP/2, proxies from the environment).
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Header names as sent; `authorization` is never printed (see `redactedHeaders`).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var timeouts: HTTPTimeouts

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil, timeouts: HTTPTimeouts = .api) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }

    /// The headers with credentials replaced, for `--verbose` traces.
    public var redactedHeaders: [(name: String, value: String)] {
        headers.map { header in
            let name = header.name.lowercased()
            return name == "authorization" || name == "proxy-authorization" ? (header.name, "REDACTED") : header
        }
    }
}

/// Limits for one request, in seconds.
public struct HTTPTimeouts: Sendable, Equatable {
    /// Until the TCP (and TLS) connection is up.
    public var connect: Double
    /// The whole request, body included; a `entries:list` page of tens of MB must fit.
    public var total: Double
    /// No byte received for this long (headers or body) ends the request as stalled.
    public var stall: Double

    public init(connect: Double, total: Double, stall: Double) {
        self.connect = connect
        self.total = total
        self.stall = stall
    }

    /// Google APIs: a slow link still moves a large page within minutes.
    public static let api = HTTPTimeouts(connect: 10, total: 300, stall: 30)
    /// The metadata server answers at once or is not there.
    public static let metadata = HTTPTimeouts(connect: 1, total: 3, stall: 2)
}

/// A response whose head has arrived; the body streams through `body` as it is received.
public final class HTTPResponse: @unchecked Sendable {
    public let status: Int
    /// Header names in lower case; the last value wins.
    public let headers: [String: String]
    public let body: ByteSource
    private let onClose: () -> Void

    public init(status: Int, headers: [String: String], body: ByteSource, onClose: @escaping () -> Void = {}) {
        self.status = status
        self.headers = headers
        self.body = body
        self.onClose = onClose
    }

    /// Stops receiving (the rest of the body is dropped). Called by deinit too.
    public func close() { onClose() }

    deinit { onClose() }

    /// Reads the rest of the body into memory, for small answers (errors, tokens, config lists).
    public func readAll(limit: Int) throws(TriageError) -> [UInt8] {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 8)
        defer { chunk.deallocate() }
        while true {
            let n = try body.read(into: chunk)
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit {
                throw .readFailed(input: "response", reason: "larger than \(limit >> 20) MiB")
            }
        }
    }
}

/// Why a request got no response head.
public enum TransportFailure: Error, Sendable, Equatable {
    /// Could not connect, the connection broke, or no byte came for the stall timeout: worth retrying.
    case connection(String)
    case stalled(seconds: Double)
    case timedOut(seconds: Double)
    case cancelled
    /// Not retryable: a TLS certificate problem, a bad URL.
    case fatal(String)

    public var sentence: String {
        switch self {
        case .connection(let reason): return "connection failed: \(reason)"
        case .stalled(let seconds): return "no data for \(Self.format(seconds)) s (stalled)"
        case .timedOut(let seconds): return "no complete answer within \(Self.format(seconds)) s"
        case .cancelled: return "interrupted"
        case .fatal(let reason): return reason
        }
    }

    public var isRetryable: Bool {
        switch self {
        case .connection, .stalled, .timedOut: return true
        case .cancelled, .fatal: return false
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}

/// Set once (Ctrl-C, or a fatal error) and read by every transfer; thread-safe.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var handlers: [() -> Void] = []

    public init() {}

    public var isCancelled: Bool { lock.withLock { cancelled } }

    public func cancel() {
        let toRun: [() -> Void] = lock.withLock {
            if cancelled { return [] }
            cancelled = true
            defer { handlers = [] }
            return handlers
        }
        for handler in toRun { handler() }
    }

    /// Runs `handler` on cancellation (at once if already cancelled).
    public func onCancel(_ handler: @escaping () -> Void) {
        let runNow: Bool = lock.withLock {
            if cancelled { return true }
            handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }
}

/// Sends requests. `CurlTransport` in production; tests may swap in another.
public protocol HTTPTransport: Sendable {
    /// Returns once the response head has arrived; the body keeps streaming into `response.body`.
    func send(_ request: HTTPRequest, cancellation: Cancellation) throws(TransportFailure) -> HTTPResponse
}
