import Foundation
import Testing
@testable import TriageKit

struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", utcMicros(1970, 1, 1, 0, 0, 0)),
        ("2026-11-22T09:14:03.412Z", utcMicros(2026, 11, 22, 9, 14, 3, micros: 412_000)),
        ("2026-11-22T09:49:33.488259231Z", utcMicros(2026, 11, 22, 9, 49, 33, micros: 488_259)),
        ("2026-11-22T09:49:33.4Z", utcMicros(2026, 11, 22, 9, 49, 33, micros: 400_000)),
        ("2026-11-22T09:49:33.000001Z", utcMicros(2026, 11, 22, 9, 49, 33, micros: 1)),
        ("2026-11-22t09:49:33z", utcMicros(2026, 11, 22, 9, 49, 33)),
        ("2026-11-22 09:49:33Z", utcMicros(2026, 11, 22, 9, 49, 33)),
        ("2026-11-22T11:49:33+02:00", utcMicros(2026, 11, 22, 9, 49, 33)),
        ("2026-11-22T04:19:33.5-05:30", utcMicros(2026, 11, 22, 9, 49, 33, micros: 500_000)),
        ("2026-11-22T09:49:33+00:00", utcMicros(2026, 11, 22, 9, 49, 33)),
        ("2026-01-01T01:00:00+02:00", utcMicros(2025, 12, 31, 23, 0, 0)),
        ("2024-02-29T23:59:59Z", utcMicros(2024, 2, 29, 23, 59, 59)),
        ("2000-03-01T00:00:00Z", utcMicros(2000, 3, 1, 0, 0, 0)),
        ("1969-12-31T23:59:59.5Z", utcMicros(1969, 12, 31, 23, 59, 59, micros: 500_000)),
        ("2100-12-31T23:59:59Z", utcMicros(2100, 12, 31, 23, 59, 59)),
    ])
    func parses(text: String, micros: Int64) {
        #expect(Timestamp.parse(text) == micros)
    }

    @Test(arguments: [
        "", "not a time", "2026-11-22", "2026-11-22T09:49", "2026-11-22T09:49:33", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-32T00:00:00Z", "2026/11/22T09:49:33Z",
        "2026-11-22T09:49:33+0200", "2026-11-22T09:49:33 UTC", "2026-11-22T09:49:33X", "2026-11-22T09:49:33Zjunk",
        "2026-11-22T09:49:33+02:00junk", "2026-11-22T24:00:00Z", "2026-11-22T09:60:00Z", "2026-11-22T09:49:61Z",
        "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-22T09:49:33+2:00", "2026-11-22T09:49:33.Z0",
        "２026-11-22T09:49:33Z",
    ])
    func rejects(text: String) {
        #expect(Timestamp.parse(text) == nil, "'\(text)' should not parse")
    }

    @Test(arguments: [
        (utcMicros(1970, 1, 1, 0, 0, 0), "1970-01-01T00:00:00Z"),
        (utcMicros(2026, 11, 22, 9, 14, 3, micros: 412_000), "2026-11-22T09:14:03.412Z"),
        (utcMicros(2026, 11, 22, 9, 14, 3, micros: 1), "2026-11-22T09:14:03.000001Z"),
        (utcMicros(2024, 2, 29, 12, 0, 0), "2024-02-29T12:00:00Z"),
        (utcMicros(1969, 12, 31, 23, 59, 59, micros: 999_999), "1969-12-31T23:59:59.999999Z"),
        (utcMicros(1900, 3, 1, 0, 0, 0), "1900-03-01T00:00:00Z"),
    ])
    func formats(micros: Int64, text: String) {
        #expect(Timestamp.format(micros) == text)
    }

    /// Random instants from 1900 to 2200 format and parse back unchanged, and agree with Foundation.
    @Test func roundTrips() {
        var random = SplitMix64(seed: 3339)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for _ in 0..<2000 {
            let seconds = Int64(random.int(-2_208_988_800...7_258_118_399))
            let fraction = random.chance(0.3) ? 0 : Int64(random.int(0...999_999))
            let micros = seconds * 1_000_000 + fraction
            let text = Timestamp.format(micros)
            #expect(Timestamp.parse(text) == micros, "\(text)")
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            #expect(text.hasPrefix(expected), "\(text) vs \(expected)")
            #expect(text.hasSuffix("Z"))
        }
    }

    @Test func offsetsNameTheSameInstant() {
        let utc = Timestamp.parse("2026-06-30T22:30:00Z")
        for text in ["2026-07-01T00:30:00+02:00", "2026-06-30T17:30:00-05:00", "2026-07-01T04:00:00+05:30", "2026-06-30T22:30:00-00:00"] {
            #expect(Timestamp.parse(text) == utc, "\(text)")
        }
    }

    @Test func parsesFromBytes() {
        var text = "2026-11-22T09:14:03.412Z"
        let fromBytes = text.withUTF8 { Timestamp.parse($0) }
        #expect(fromBytes == utcMicros(2026, 11, 22, 9, 14, 3, micros: 412_000))
    }
}
