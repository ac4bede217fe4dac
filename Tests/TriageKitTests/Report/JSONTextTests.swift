import Foundation
import Testing
@testable import TriageKit

/// The report's JSON writer against Foundation's reader, on generated values: whatever it writes
/// parses back to the same value, keys come out in order, and no character that can drive a
/// terminal is left raw.
struct JSONTextTests {
    static let alphabet: [String] = [
        "a", "Z", "0", " ", "/", "\"", "\\", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}", "\u{1B}", "\u{7F}",
        "\u{85}", "\u{9B}", "\u{202E}", "\u{2066}", "é", "漢", "😇", "\u{200B}", ".", "_",
    ]

    static func string(_ random: inout SplitMix64) -> String {
        (0..<Int(random.next() % 12)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }.joined()
    }

    static func value(_ random: inout SplitMix64, depth: Int) -> Any {
        switch random.next() % (depth > 2 ? 5 : 7) {
        case 0: return string(&random)
        case 1: return Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 60)
        case 2: return random.next() % 2 == 0
        case 3: return NSNull()
        case 4: return Int64(truncatingIfNeeded: random.next())
        case 5: return (0..<Int(random.next() % 4)).map { _ in value(&random, depth: depth + 1) }
        default:
            var object: [String: Any] = [:]
            for _ in 0..<Int(random.next() % 5) { object[string(&random)] = value(&random, depth: depth + 1) }
            return object
        }
    }

    /// Values as Foundation reads them back, for comparison.
    static func canonical(_ value: Any) -> String {
        switch value {
        case let s as String: return "s:" + s
        case let b as Bool: return "b:\(b)"
        case let n as NSNumber: return "n:\(n.int64Value)"
        case let a as [Any]: return "[" + a.map(canonical).joined(separator: ",") + "]"
        case let o as [String: Any]: return "{" + o.keys.sorted().map { "\($0)=\(canonical(o[$0]!))" }.joined(separator: ",") + "}"
        default: return "null"
        }
    }

    @Test func roundTripsThroughFoundationsReader() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<500 {
            var object: [String: Any] = [:]
            for _ in 0..<Int(random.next() % 6) { object[Self.string(&random)] = Self.value(&random, depth: 0) }
            let line = JSONText.line(object)
            #expect(line.hasSuffix("}\n"))
            let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
            #expect(Self.canonical(parsed) == Self.canonical(object), "\(line)")
            let raw = line.dropLast().unicodeScalars.filter { TerminalText.isControl($0) }
            #expect(raw.isEmpty, "\(line)")
        }
    }

    @Test func keysInCodePointOrderAndSlashesKept() {
        let line = JSONText.line(["b": 1, "a/b": "x/y", "A": true, "a": NSNull(), "é": [1, "two"]])
        #expect(line == #"{"A":true,"a":null,"a/b":"x/y","b":1,"é":[1,"two"]}"# + "\n")
        #expect(JSONText.line(["d": 2.0, "e": 0.5, "f": Double.nan]) == #"{"d":2,"e":0.5,"f":null}"# + "\n")
    }
}
