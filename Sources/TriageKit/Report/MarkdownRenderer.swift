import Foundation

/// Markdown for a ticket or a chat: one section per finding, commands in shell blocks.
struct MarkdownRenderer {
    func render(_ analysis: Analysis) -> String {
        var out = "# triage report\n\n"
        out += "\(Renderer.accountSummary(analysis).dropFirst("triage: ".count))\n\n"
        if analysis.findings.isEmpty {
            out += "No problems found.\n"
            return out
        }
        out += "| Severity | Rule | Count | Confidence |\n|---|---|---:|---|\n"
        for f in analysis.findings {
            out += "| \(f.severity.rawValue) | `\(cell(f.rule))` | \(f.count) | \(f.confidence) |\n"
        }
        for f in analysis.findings {
            out += "\n## \(f.severity.rawValue.uppercased()): \(inline(f.title))\n\n"
            out += "\(inline(f.message))\n\n"
            if !f.deniedBy.isEmpty {
                out += "- **Denied by:** " + f.deniedBy.map { "`\(cell($0.reference))`" + ($0.priority.map { " (priority \($0))" } ?? "") }.joined(separator: ", ") + "\n"
            }
            if let first = f.firstSeen { out += "- **Seen:** \(first) to \(f.lastSeen ?? first)\n" }
            if !f.sources.isEmpty {
            out += "- **From:** " + f.sources.map { "`\($0.ip)` (\($0.role.phrase)\($0.range.map { " \($0)" } ?? ""))" }.joined(separator: ", ")
                + (f.distinctSources > f.sources.count ? " and \(f.distinctSources - f.sources.count) more" : "") + "\n"
            }
            if !f.destinations.isEmpty {
            out += "- **To:** " + f.destinations.map { "`\($0.ip)` (\($0.role.phrase)\($0.range.map { " \($0)" } ?? ""))" }.joined(separator: ", ")
                + (f.distinctDestinations > f.destinations.count ? " and \(f.distinctDestinations - f.destinations.count) more" : "") + "\n"
            }
            if f.evidence.count > 1 || f.evidence.contains(where: { !$0.quotes.isEmpty }) {
                out += "- **Evidence:**\n"
                for e in f.evidence {
                    let what = e.quotes.isEmpty ? inline(e.summary) : e.quotes.map { "`\(cell($0))`" }.joined(separator: "; ")
                    out += "  - \(inline(e.kind)): \(what)" + (e.locations.isEmpty ? "" : " at " + e.locations.map { "`\(cell($0))`" }.joined(separator: ", ")) + "\n"
                }
            }
            if !f.examples.isEmpty {
                out += "- **Examples:**\n"
                for e in f.examples {
                    out += "  - `\(cell(e.source)) -> \(cell(e.destination)) \(e.protocolName)`" + (e.location.map { " at `\(cell($0))`" } ?? "") + "\n"
                }
            }
            out += "\n**Why.** \(inline(f.remedy.why))\n\n"
            for note in f.remedy.notes { out += "> \(inline(note))\n\n" }
            out += shellBlock("Fix", f.remedy.commands)
            out += shellBlock("Kubeflow blueprint (kpt)", f.remedy.kpt)
            for manifest in f.remedy.configConnector {
                out += "**Config Connector:**\n\n```yaml\n" + TerminalText.sanitize(manifest, keepNewlines: true)
                out += manifest.hasSuffix("\n") ? "```\n\n" : "\n```\n\n"
            }
            out += shellBlock("Surer with", f.surerWith)
            out += "**Docs:** " + f.remedy.references.map { "<\($0)>" }.joined(separator: " ") + "\n"
        }
        return out
    }

    /// A titled block of shell commands, or nothing when there are none.
    private func shellBlock(_ title: String, _ commands: [String]) -> String {
        guard !commands.isEmpty else { return "" }
        return "**\(title):**\n\n```sh\n" + commands.map { TerminalText.sanitize($0) + "\n" }.joined() + "```\n\n"
    }

    private func inline(_ text: String) -> String { TerminalText.sanitize(text).replacingOccurrences(of: "\n", with: " ") }
    private func cell(_ text: String) -> String { inline(text).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'") }
}
