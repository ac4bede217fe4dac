import Foundation
import Testing
@testable import TriageKit

struct TerminalTextTests {
    @Test(arguments: [
        ("plain text", "plain text"),
        ("a\u{1B}[31mred", "a\\x1b[31mred"),
        ("title\u{1B}]0;evil\u{07}", "title\\x1b]0;evil\\x07"),
        ("c1 \u{9B}31m", "c1 \\u009b31m"),
        ("next line \u{85}", "next line \\u0085"),
        ("del\u{7F}", "del\\x7f"),
        ("nul\u{0}", "nul\\x00"),
        ("cr\r", "cr\\r"),
        ("bidi \u{202E}gnp.exe", "bidi \\u202egnp.exe"),
        ("isolate \u{2066}x\u{2069}", "isolate \\u2066x\\u2069"),
        ("embed \u{202A}\u{202B}\u{202C}\u{202D}", "embed \\u202a\\u202b\\u202c\\u202d"),
        ("marks \u{061C}\u{200E}\u{200F}", "marks \\u061c\\u200e\\u200f"),
        ("separators \u{2028}\u{2029}", "separators \\u2028\\u2029"),
        ("line\nbreak\ttab", "line\\nbreak\\ttab"),
        ("\nERROR forged-finding (1 connection denied, observed)", "\\nERROR forged-finding (1 connection denied, observed)"),
        ("café 日本 🚀 \u{A0}", "café 日本 🚀 \u{A0}"),
    ])
    func sanitizes(input: String, expected: String) {
        #expect(TerminalText.sanitize(input) == expected)
    }

    @Test func longValuesAreCutWithTheCountLeftOut() {
        let long = String(repeating: "a", count: 50_000)
        #expect(TerminalText.sanitize(long, limit: 200) == String(repeating: "a", count: 200) + "… (49800 more characters)")
        #expect(TerminalText.sanitize("abc", limit: 3) == "abc")
        #expect(TerminalText.sanitize("abcd", limit: 3) == "abc… (1 more character)")
        // The cut is counted before escaping: an escape is never split.
        #expect(TerminalText.sanitize("ab\ncd", limit: 3) == "ab\\n… (2 more characters)")
    }

    /// Whatever goes in, nothing a terminal acts on comes out (not even a line break), and
    /// clean text is untouched.
    @Test func randomTextComesOutInert() {
        var random = SplitMix64(seed: 27)
        let pool: [Unicode.Scalar] = (0..<0x20).compactMap(Unicode.Scalar.init) + (0x7F..<0xA1).compactMap(Unicode.Scalar.init)
            + (0x2000...0x206F).compactMap(Unicode.Scalar.init) + ["\u{061C}", "a", "Z", "é", "\\", "x", "日", "🚀", " "]
        for _ in 0..<500 {
            var text = String.UnicodeScalarView()
            for _ in 0..<random.int(0...40) { text.append(random.pick(pool)) }
            let input = String(text)
            let output = TerminalText.sanitize(input)
            let bad = output.unicodeScalars.filter { ReportFixtures.isControl($0) || $0 == "\n" }
            #expect(bad.isEmpty, "\(input.unicodeScalars.map { String($0.value, radix: 16) })")
            if !input.unicodeScalars.contains(where: { ReportFixtures.isControl($0) || $0 == "\n" }) {
                #expect(output == input)
            }
        }
    }
}
