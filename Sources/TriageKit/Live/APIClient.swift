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
    /// Every trace line passes through `redactor`: a URL or an answer may carry a secret.
    let trace: (@Sendable (String) -> Void)?
    let redactor: Redactor
    var credentials: Credentials?
    private let lock = NSLock()
    private var random = SystemRandomNumberGenerator()
    private(set) var requestCount = 0

    init(
        transport: HTTPTransport, cancellation: Cancellation, retry: RetryPolicy, timeouts: HTTPTimeouts,
        trace: (@Sendable (String) -> Void)?, redactor: Redactor = .shared
    ) {
        self.transport = transport
        self.cancellation = cancellation
        self.retry = retry
        self.timeouts = timeouts
        self.redactor = redactor
        self.trace = trace.map { trace in { @Sendable line in trace(redactor.redact(line)) } }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Sends `request` until it gets a 2xx answer (returned with its body still streaming), a
    /// non-retryable failure, or the retry policy gives up. `authorized` adds the bearer token
    /// (renewed first when it is about to expire) and the quota project; a 401 renews a
    /// renewable token once and sends the request again.
    func send(_ request: HTTPRequest, authorized: Bool = true, policy: RetryPolicy? = nil) throws(FetchFailure) -> HTTPResponse {
        let policy = policy ?? retry
        let start = Self.now()
        var attempt = 0
        var renewedAfterRejection = false
        while true {
            attempt += 1
            if cancellation.isCancelled { throw .transport(.cancelled) }
            var request = request
            var sentToken: String?
            if authorized, let credentials {
                do throws(TriageError) {
                    sentToken = try credentials.token(now: Self.now())
                } catch {
                    throw .credentials(error)
                }
                request.headers.append(("Authorization", "Bearer \(sentToken ?? "")"))
                if let quota = credentials.quotaProject { request.headers.append(("x-goog-user-project", quota)) }
            }
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
                if response.status == 401, let sentToken, let credentials, credentials.canRefresh, !renewedAfterRejection {
                    // Once per request: a second 401 with a fresh token is a real rejection.
                    renewedAfterRejection = true
                    trace?("  token rejected; renewing the token from \(credentials.origin) and sending again")
                    do throws(TriageError) {
                        _ = try credentials.refresh(after: sentToken)
                    } catch {
                        throw .credentials(error)
                    }
                    attempt -= 1
                    continue
                }
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

    /// The retry policy's wait before trying again after `attempt` tries, or nil to give up.
    func backoff(afterAttempt attempt: Int, elapsed: Double) -> Double? {
        lock.withLock { retry.delay(afterAttempt: attempt, elapsed: elapsed, retryAfter: nil, using: &random) }
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
