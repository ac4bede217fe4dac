import Foundation
import Testing
@testable import TriageKit

struct MarkdownRendererTests {
    /// The bodies of the ```sh blocks.
    private func shellBlocks(_ markdown: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if current == nil, line == "```sh" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!)
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    @Test func commandsGoInAFencedShellBlock() throws {
        let analysis = try ReportFixtures.plainAnalysis()
        let markdown = Renderer.render(analysis, as: .markdown, options: RenderOptions())
        let blocks = shellBlocks(markdown)
        // Each finding's checks and the listings that would make it surer in its section, then
        // the plan's changes, a block each.
        let sections = analysis.findings.flatMap { [$0.remedy.checks, $0.surerWith].filter { !$0.isEmpty } }
        #expect(Array(blocks.prefix(sections.count)) == sections)
        #expect(blocks.dropFirst(sections.count).map { $0 } == analysis.plan.steps.map { [$0.command] })
        #expect(blocks.last?.first?.hasPrefix("gcloud compute firewall-rules create allow-master-to-webhook-8443 ") == true)
        #expect(markdown.contains("**Fix:** [plan](#fix-plan) step 1.\n"), "\(markdown)")
    }

    @Test func headingTableAndSections() throws {
        let markdown = Renderer.render(try ReportFixtures.plainAnalysis(), as: .markdown, options: RenderOptions())
        #expect(markdown.hasPrefix("# triage report\n\n"))
        #expect(markdown.contains("| Severity | Rule | Count | Confidence |\n|---|---|---:|---|\n"))
        #expect(markdown.contains("| error | `webhook-blocked` | 2 | observed |\n"))
        // The heading names the problem (the rule and its port); the good state is under it.
        #expect(markdown.contains("\n## ERROR: `webhook-blocked` "))
        #expect(!markdown.contains("\n## ERROR: Connections of the test kind get through\n"))
        #expect(markdown.contains("- **Should be:** Connections of the test kind get through\n"))
        #expect(markdown.contains("- **Denied by:** `network:kubeflow-vpc/firewall:deny-all-ingress` (priority 65534), `network:kubeflow-vpc/firewall:deny-b` (priority 900)\n"))
        #expect(markdown.contains("**Docs:** <https://cloud.google.com/firewall/docs/firewall-rules-logging>"))
    }

    @Test func noFindings() throws {
        let markdown = Renderer.render(try analyse("", rules: []), as: .markdown, options: RenderOptions())
        #expect(markdown.hasSuffix("No problems found.\n"))
    }

    @Test func logTextIsInertInMarkdown() throws {
        let markdown = Renderer.render(try ReportFixtures.evilAnalysis(), as: .markdown, options: RenderOptions())
        #expect(markdown.unicodeScalars.filter(ReportFixtures.isControl).isEmpty)
        // A backtick or pipe in log text cannot break out of a table cell or code span: the
        // blocks are the finding's checks and the plan's steps, no more.
        let analysis = try ReportFixtures.evilAnalysis()
        let expected = analysis.findings.filter { !$0.remedy.checks.isEmpty }.count
            + analysis.findings.filter { !$0.surerWith.isEmpty }.count + analysis.plan.steps.count
        #expect(expected > 0)
        #expect(shellBlocks(markdown).count == expected)
    }
}

struct MarkdownTextTests {
    static let hostile = [
        "``` \n# heading", "a`b``c", "`edge`", "| cell | break |", "[link](javascript:alert(1))", "![img](http://x/y.png)",
        "<script>alert(1)</script>", "&#x202E;entity", "- item", "1. item", "**bold** _em_ ~~del~~", "\u{202E}rtl\u{2028}sep\u{1B}[31m",
    ]

    /// A code span holds the value exactly: the fence is longer than any backtick run inside.
    @Test(arguments: hostile)
    func codeSpansHoldTheValue(value: String) {
        let span = MarkdownText.code(value)
        let fence = String(span.prefix(while: { $0 == "`" }))
        #expect(span.hasSuffix(fence))
        var inside = String(span.dropFirst(fence.count).dropLast(fence.count))
        if inside.hasPrefix(" ") && inside.hasSuffix(" ") && inside.count >= 2 { inside = String(inside.dropFirst().dropLast()) }
        #expect(inside == TerminalText.sanitize(value))
        #expect(!inside.contains(fence), "the fence cannot be closed from inside: \(span)")
        #expect(!span.contains("\n"))
    }

    /// Prose: every character Markdown could read as syntax is escaped, and a line cannot start a list.
    @Test(arguments: hostile)
    func inlineTextIsOnlyText(value: String) {
        let text = MarkdownText.inline(value)
        #expect(!text.contains("\n"))
        var previous: Character = " "
        for c in text {
            if "`*_[]<>#|!~&".contains(c) { #expect(previous == "\\", "unescaped \(c) in \(text)") }
            previous = previous == "\\" && c == "\\" ? " " : c
        }
        #expect(!text.hasPrefix("-") && !text.hasPrefix("1."), "\(text)")
    }

    @Test func fencesOutgrowTheBlock() {
        #expect(MarkdownText.fence(for: "gcloud x") == "```")
        #expect(MarkdownText.fence(for: "a ```` b") == "`````")
    }
}
