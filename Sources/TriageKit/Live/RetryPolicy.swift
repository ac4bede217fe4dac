import Foundation

/// When and how long to wait before trying a request again: on 429, 500, 502, 503, 504 and
/// connection failures, with exponential backoff and full jitter, honouring `Retry-After`,
/// bounded both in attempts and in total time.
public struct RetryPolicy: Sendable {
    public var maximumAttempts: Int
    /// The first backoff; each retry doubles it, up to `maximumDelay`.
    public var initialDelay: Double
    public var maximumDelay: Double
    /// No retry starts after this many seconds from the first attempt.
    public var maximumTotal: Double

    public init(maximumAttempts: Int = 5, initialDelay: Double = 0.5, maximumDelay: Double = 16, maximumTotal: Double = 60) {
        self.maximumAttempts = maximumAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maximumTotal = maximumTotal
    }

    public static let standard = RetryPolicy()

    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// The wait before attempt `attempt + 1` (attempts count from 1), or nil to give up.
    /// `retryAfter` is the server's own figure, which wins over the backoff when it is longer.
    public func delay<G: RandomNumberGenerator>(
        afterAttempt attempt: Int, elapsed: Double, retryAfter: Double?, using generator: inout G
    ) -> Double? {
        guard attempt < maximumAttempts else { return nil }
        let ceiling = min(maximumDelay, initialDelay * pow(2, Double(attempt - 1)))
        var wait = Double.random(in: 0...ceiling, using: &generator)
        if let retryAfter { wait = max(wait, retryAfter) }
        guard elapsed + wait <= maximumTotal else { return nil }
        return wait
    }

    /// `Retry-After` as seconds or as an HTTP date.
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
