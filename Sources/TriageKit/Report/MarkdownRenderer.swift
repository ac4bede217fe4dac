import Foundation

/// Markdown for a ticket or a chat: one section per finding, commands in shell blocks.
struct MarkdownRenderer {
    /// `--details`: each plan step also as its Config Connector manifest and Terraform resource.
    var details = false

    func render(_ analysis: Analysis) -> String {
        var out = "# triage report\n\n"
        out += "\(inline(String(Renderer.accountSummary(analysis).dropFirst("triage: ".count)), 20_000))\n\n"
        if analysis.findings.isEmpty {
            out += "No problems found.\n"
            return out
        }
        out += "| Severity | Rule | Count | Confidence |\n|---|---|---:|---|\n"
        for f in analysis.findings {
            out += "| \(f.severity.rawValue) | \(MarkdownText.code(f.rule, inTable: true)) | \(f.count) | \(inline(f.confidence).replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        // The picture: renders in GitHub and GitLab issues; its text is escaped for Mermaid and
        // holds no backtick, so the fence cannot be closed from inside.
        let graph = FlowGraph(analysis.findings)
        if !graph.edges.isEmpty {
            out += "\n**Denied flows** (each red arrow: protocol:port and the rule that denied it):\n\n```mermaid\n" + graph.mermaid() + "```\n"
        }
        var headings: [String: Int] = [:]
        let plan = analysis.plan
        for f in analysis.findings {
            // The heading names the problem (the rule, and the port or what else sets this
            // finding apart), never the good state; a repeated one is numbered.
            var heading = "\(f.severity.rawValue.uppercased()): \(MarkdownText.code(f.rule))"
            if let distinction = Self.distinction(f) { heading += " \(inline(distinction, name))" }
            heading += " (\(inline(TextRenderer.headline(f), name)))"
            let seen = headings[heading, default: 0] + 1
            headings[heading] = seen
            if seen > 1 { heading += " #\(seen)" }
            out += "\n## \(heading)\n\n"
            out += "\(inline(f.message))\n\n"
            out += "- **Should be:** \(inline(f.title))\n"
            if !f.deniedBy.isEmpty {
                out += "- **Denied by:** " + f.deniedBy.map { code($0.reference) + ($0.priority.map { " (priority \($0))" } ?? "") }.joined(separator: ", ") + "\n"
            }
            if let first = f.firstSeen.map(DisplayTime.seconds) {
                let last = f.lastSeen.map(DisplayTime.seconds) ?? first
                out += "- **Seen:** " + (first == last ? inline(first, name) : "\(inline(first, name)) to \(inline(last, name))") + "\n"
            }
            if !f.sources.isEmpty {
                out += "- **From:** " + endpoints(f.sources) + more(
                    f.sources.count, f.distinctSources, sampled: f.sampledSources, estimate: f.estimatedDistinctSources) + "\n"
            }
            if !f.destinations.isEmpty {
                out += "- **To:** " + endpoints(f.destinations) + more(
                    f.destinations.count, f.distinctDestinations, sampled: f.sampledDestinations,
                    estimate: f.estimatedDistinctDestinations) + "\n"
            }
            if f.evidence.count > 1 || f.evidence.contains(where: { !$0.quotes.isEmpty }) {
                out += "- **Evidence:**\n"
                for e in f.evidence {
                    let what = e.quotes.isEmpty ? inline(e.summary) : e.quotes.map { code($0, TerminalText.Limit.quote) }.joined(separator: "; ")
                    out += "  - \(inline(e.kind, name)): \(what)" + (e.locations.isEmpty ? "" : " at " + e.locations.map { code($0) }.joined(separator: ", ")) + "\n"
                }
            }
            if !f.examples.isEmpty {
                out += "- **Examples:**\n"
                for e in f.examples {
                    out += "  - \(code("\(e.source) -> \(e.destination) \(e.protocolName)", TerminalText.Limit.quote))" + (e.location.map { " at \(code($0))" } ?? "") + "\n"
                }
            }
            out += "\n**Why.** \(inline(f.remedy.why))\n\n"
            for note in f.remedy.notes { out += "> \(inline(note))\n\n" }
            out += shellBlock("Check", f.remedy.checks)
            let numbers = plan.numbers(for: f)
            if !numbers.isEmpty {
                out += "**Fix:** [plan](#fix-plan) step\(plan.steps(for: f).count == 1 ? "" : "s") \(numbers).\n\n"
            }
            if !f.remedy.inPlace.isEmpty {
                out += "**Already in place:** " + f.remedy.inPlace.map { inline($0) }.joined(separator: "; ") + "\n\n"
            }
            out += shellBlock("Kubeflow blueprint (kpt)", f.remedy.kpt)
            for manifest in f.remedy.configConnector { out += codeBlock("Config Connector", "yaml", manifest) }
            out += shellBlock("Surer with", f.surerWith)
            out += "**Docs:** " + f.remedy.references.map(MarkdownText.link).joined(separator: " ") + "\n"
        }
        if !plan.steps.isEmpty {
            out += "\n## Fix plan\n\nEach change once, in the order they can run (`--fix-script FILE` writes them as a script):\n\n"
            for step in plan.steps {
                out += "**\(step.number).** For " + step.rules(in: analysis.findings).map { code($0) }.joined(separator: ", ")
                    + (step.verificationLabel.map { " (\(MarkdownText.inline($0)))" } ?? "") + ":\n\n"
                let body = TerminalText.sanitize(step.command) + "\n"
                let fence = MarkdownText.fence(for: body)
                out += "\(fence)sh\n" + body + "\(fence)\n\n"
                guard details else { continue }
                out += codeBlock("Config Connector", "yaml", ConfigConnectorForm(config: analysis.config).manifest(for: step))
                out += codeBlock("Terraform", "hcl", TerraformForm(config: analysis.config).resource(for: step))
            }
        }
        return out
    }

    /// A titled fenced block of generated text (a manifest, a resource): its line breaks are the
    /// form's own; each line is escaped for the terminal and the fence outlasts any in the text.
    private func codeBlock(_ title: String, _ language: String, _ text: String) -> String {
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.sanitize(String($0)) }
            .joined(separator: "\n")
        let fence = MarkdownText.fence(for: body)
        return "**\(title):**\n\n\(fence)\(language)\n" + body + (body.hasSuffix("\n") ? "" : "\n") + "\(fence)\n\n"
    }

    /// A titled block of shell commands, or nothing when there are none. Commands are escaped
    /// to one line each but never cut: a shortened command would be a different command.
    private func shellBlock(_ title: String, _ commands: [String]) -> String {
        guard !commands.isEmpty else { return "" }
        let body = commands.map { TerminalText.sanitize($0) + "\n" }.joined()
        let fence = MarkdownText.fence(for: body)
        return "**\(title):**\n\n\(fence)sh\n" + body + "\(fence)\n\n"
    }

    /// What sets a finding apart from others of its rule: its protocol and port, else its
    /// cluster or the first of its facts.
    static func distinction(_ f: Finding) -> String? {
        if let port = f.port { return "\(f.protocolName ?? "port"):\(port)" }
        if let cluster = f.facts["cluster"], !cluster.isEmpty { return cluster }
        return f.facts.sorted { $0.key < $1.key }.first?.value
    }

    private var name: Int { TerminalText.Limit.name }
    private func inline(_ text: String, _ limit: Int = TerminalText.Limit.message) -> String { MarkdownText.inline(text, limit: limit) }
    private func code(_ text: String, _ limit: Int = TerminalText.Limit.name) -> String { MarkdownText.code(text, limit: limit) }

    /// What follows the endpoints shown: how many more, or that they are a sample.
    private func more(_ shown: Int, _ total: Int, sampled: Bool, estimate: Int? = nil) -> String {
        if sampled, estimate != nil { return " (\(Finding.sampledNote(total, estimate: estimate)))" }
        if sampled { return " and ≈ more (\(Finding.sampledNote(total)))" }
        return total > shown ? " and \(total - shown) more" : ""
    }

    private func endpoints(_ list: [Finding.Endpoint]) -> String {
        list.map { "\(code($0.ip)) (\(inline($0.role.phrase + ($0.range.map { " \($0)" } ?? ""), name)))" }.joined(separator: ", ")
    }
}
