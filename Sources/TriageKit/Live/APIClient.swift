import Foundation

/// Why a request gave no usable answer after its retries.
enum FetchFailure: Error {
    case transport(TransportFailure)
    /// A non-2xx answer, with its (small) body.
    case http(status: Int, body: [UInt8])
    case credentials(TriageError)
}

/// Sends requests through a transport with the credentials' headers, retrying what is worth
/// retrying, and traces each request (headers redacted) when asked.
final class APIClient: @unchecked Sendable {
    let transport: HTTPTransport
    let cancellation: Cancellation
    let retry: RetryPolicy
    let timeouts: HTTPTimeouts
    let trace: (@Sendable (String) -> Void)?
    var credentials: Credentials?
    private let lock = NSLock()
    private var random = SystemRandomNumberGenerator()
    private(set) var requestCount = 0

    init(transport: HTTPTransport, cancellation: Cancellation, retry: RetryPolicy, timeouts: HTTPTimeouts, trace: (@Sendable (String) -> Void)?) {
        self.transport = transport
        self.cancellation = cancellation
        self.retry = retry
        self.timeouts = timeouts
        self.trace = trace
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Sends `request` until it gets a 2xx answer (returned with its body still streaming), a
    /// non-retryable failure, or the retry policy gives up. `authorized` adds the bearer token
    /// and the quota project.
    func send(_ request: HTTPRequest, authorized: Bool = true, policy: RetryPolicy? = nil) throws(FetchFailure) -> HTTPResponse {
        var request = request
        if authorized, let credentials {
            request.headers.append(("Authorization", "Bearer \(credentials.token)"))
            if let quota = credentials.quotaProject { request.headers.append(("x-goog-user-project", quota)) }
        }
        let policy = policy ?? retry
        let start = Self.now()
        var attempt = 0
        while true {
            attempt += 1
            if cancellation.isCancelled { throw .transport(.cancelled) }
            lock.withLock { requestCount += 1 }
            trace?("→ \(request.method) \(request.url)" + (attempt > 1 ? " (attempt \(attempt))" : "")
                + request.redactedHeaders.map { "\n    \($0.name): \($0.value)" }.joined())
            let sent = Self.now()
            let retryAfter: Double?
            let failure: FetchFailure
            let outcome: Result<HTTPResponse, TransportFailure>
            do throws(TransportFailure) {
                outcome = .success(try transport.send(request, cancellation: cancellation))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let response):
                let millis = Int((Self.now() - sent) * 1000)
                trace?("← \(response.status) \(request.url) (head after \(millis) ms)")
                if (200..<300).contains(response.status) { return response }
                let body = (try? response.readAll(limit: 1 << 20)) ?? []
                response.close()
                failure = .http(status: response.status, body: body)
                guard RetryPolicy.retryableStatuses.contains(response.status) else { throw failure }
                retryAfter = RetryPolicy.parseRetryAfter(response.headers["retry-after"])
            case .failure(let error):
                trace?("← \(request.url): \(error.sentence)")
                guard error.isRetryable else { throw .transport(error) }
                failure = .transport(error)
                retryAfter = nil
            }
            let wait = lock.withLock {
                policy.delay(afterAttempt: attempt, elapsed: Self.now() - start, retryAfter: retryAfter, using: &random)
            }
            guard let wait else { throw failure }
            trace?("  retrying in \(String(format: "%.2f", wait)) s")
            guard pause(wait) else { throw .transport(.cancelled) }
        }
    }

    /// Sleeps, waking early on cancellation; false when cancelled.
    func pause(_ seconds: Double) -> Bool {
        let end = Self.now() + seconds
        while true {
            if cancellation.isCancelled { return false }
            let left = end - Self.now()
            if left <= 0 { return true }
            usleep(useconds_t(min(left, 0.05) * 1e6))
        }
    }

    /// A whole small JSON answer (tokens, config lists), decoded.
    func json(_ request: HTTPRequest, authorized: Bool = true, limit: Int = 64 << 20, policy: RetryPolicy? = nil) throws(FetchFailure) -> (bytes: [UInt8], object: [String: Any]) {
        let response = try send(request, authorized: authorized, policy: policy)
        let bytes: [UInt8]
        do {
            bytes = try response.readAll(limit: limit)
        } catch {
            throw .transport(.connection(error.sentence))
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
        return (bytes, object)
    }
}

extension TriageError {
    /// The sentence without the input name, for errors raised while reading a response.
    var readReason: String {
        if case .readFailed(_, let reason) = self { return reason }
        return sentence
    }
}
