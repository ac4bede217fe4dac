import Foundation
import Testing
@testable import TriageKit

struct TerminalTextTests {
    @Test(arguments: [
        ("plain text", "plain text"),
        ("a\u{1B}[31mred", "a\\x1b[31mred"),
        ("title\u{1B}]0;evil\u{07}", "title\\x1b]0;evil\\x07"),
        ("c1 \u{9B}31m", "c1 \\x9b31m"),
        ("next line \u{85}", "next line \\x85"),
        ("del\u{7F}", "del\\x7f"),
        ("nul\u{0}", "nul\\x00"),
        ("cr\r", "cr\\x0d"),
        ("bidi \u{202E}gnp.exe", "bidi \\x202egnp.exe"),
        ("isolate \u{2066}x\u{2069}", "isolate \\x2066x\\x2069"),
        ("embed \u{202A}\u{202B}\u{202C}\u{202D}", "embed \\x202a\\x202b\\x202c\\x202d"),
        ("line\nbreak\ttab", "line\\x0abreak\\x09tab"),
        ("café 日本 🚀 \u{A0}", "café 日本 🚀 \u{A0}"),
    ])
    func sanitizes(input: String, expected: String) {
        #expect(TerminalText.sanitize(input) == expected)
    }

    @Test func keepNewlinesKeepsOnlyNewlineAndTab() {
        #expect(TerminalText.sanitize("a\nb\tc\rd\u{1B}e", keepNewlines: true) == "a\nb\tc\\x0dd\\x1be")
        #expect(TerminalText.sanitize("a\nb", keepNewlines: false) == "a\\x0ab")
    }

    /// Whatever goes in, nothing a terminal acts on comes out, and clean text is untouched.
    @Test func randomTextComesOutInert() {
        var random = SplitMix64(seed: 27)
        let pool: [Unicode.Scalar] = (0..<0x20).compactMap(Unicode.Scalar.init) + (0x7F..<0xA1).compactMap(Unicode.Scalar.init)
            + (0x2028...0x206F).compactMap(Unicode.Scalar.init) + ["a", "Z", "é", "\\", "x", "日", "🚀", " "]
        for _ in 0..<500 {
            var text = String.UnicodeScalarView()
            for _ in 0..<random.int(0...40) { text.append(random.pick(pool)) }
            let input = String(text)
            for keep in [false, true] {
                let output = TerminalText.sanitize(input, keepNewlines: keep)
                let bad = output.unicodeScalars.filter {
                    ReportFixtures.isControl($0) && !(keep && ($0 == "\n" || $0 == "\t")) || (!keep && $0 == "\n")
                }
                #expect(bad.isEmpty, "\(input.unicodeScalars.map { String($0.value, radix: 16) })")
                if !input.unicodeScalars.contains(where: ReportFixtures.isControl) && !input.contains("\n") {
                    #expect(output == input)
                }
            }
        }
    }
}
