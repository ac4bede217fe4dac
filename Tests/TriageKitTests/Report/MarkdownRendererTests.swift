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
        #expect(blocks == analysis.findings.map(\.remedy.commands))
        #expect(blocks.first?.first?.hasPrefix("gcloud compute firewall-rules create allow-master-to-webhook-8443 ") == true)
    }

    @Test func headingTableAndSections() throws {
        let markdown = Renderer.render(try ReportFixtures.plainAnalysis(), as: .markdown, options: RenderOptions())
        #expect(markdown.hasPrefix("# triage report\n\n"))
        #expect(markdown.contains("| Severity | Rule | Count | Confidence |\n|---|---|---:|---|\n"))
        #expect(markdown.contains("| error | `webhook-blocked` | 2 | observed |\n"))
        #expect(markdown.contains("\n## ERROR: Connections of the test kind get through\n"))
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
        // A backtick or pipe in log text cannot break out of a table cell or code span.
        #expect(shellBlocks(markdown).count == 1)
    }
}
