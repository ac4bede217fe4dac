/// The first lines of the text report: how many findings of each severity, in which cluster
/// (per cluster when the findings name several), and the top causes one line each, so the
/// first screen says what is wrong before any detail.
struct TextSummary {
    let options: RenderOptions
    let width: Int

    /// How many causes the summary lists before pointing below.
    static let topCauses = 5

    private var text: TextRenderer { TextRenderer(options: options) }

    func render(_ analysis: Analysis) -> String {
        let findings = analysis.findings
        var out = text.wrap(
            "\(Self.plural(findings.count, "finding")): \(Self.bySeverity(findings))" + cluster(analysis) + ".",
            indent: "", width: width)
        out += perCluster(findings)
        // --brief lists every finding on one line already.
        guard options.detail != .brief, findings.count > 1 else { return out }
        out += "Top causes:\n"
        let shown = findings.prefix(Self.topCauses)
        let counts = shown.map { "×\($0.count)" }
        let countWidth = counts.map(\.count).max() ?? 0
        let rules = shown.map { text.name($0.rule) }
        let ruleWidth = min(rules.map(\.count).max() ?? 0, width / 2)
        for (index, finding) in shown.enumerated() {
            let label = text.label(finding.severity)
            let rule = TextRenderer.cut(rules[index], to: ruleWidth)
            let count = String(repeating: " ", count: countWidth - counts[index].count) + counts[index]
            var line = "  " + label.painted + String(repeating: " ", count: 7 - label.text.count)
                + " " + count + "  " + rule
            let room = width - (2 + 7 + 1 + countWidth + 2 + ruleWidth + 2)
            if room > 1 {
                line += String(repeating: " ", count: ruleWidth - rule.count) + "  " + TextRenderer.cut(Self.cause(finding, text), to: room)
            }
            out += line + "\n"
        }
        if findings.count > shown.count {
            out += "  … and \(findings.count - shown.count) more below.\n"
        }
        return out
    }

    /// "7 errors, 2 warnings".
    static func bySeverity(_ findings: [Finding]) -> String {
        Severity.allCases.compactMap { severity -> String? in
            let n = findings.filter { $0.severity == severity }.count
            return n > 0 ? plural(n, severity.rawValue) : nil
        }.joined(separator: ", ")
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// The clusters the findings name, in order.
    private func named(_ findings: [Finding]) -> [String] {
        var names: [String] = []
        for finding in findings {
            if let cluster = finding.facts["cluster"], !cluster.isEmpty, !names.contains(cluster) { names.append(cluster) }
        }
        return names
    }

    /// "; cluster kf-private" when the findings (or, when they name none, the descriptions
    /// given) name one cluster; the clusters' names when only descriptions name several.
    private func cluster(_ analysis: Analysis) -> String {
        let names = named(analysis.findings)
        if names.count == 1 { return " in cluster " + text.name(names[0]) }
        if names.isEmpty {
            let described = analysis.topology.clusters.map(\.name)
            if described.count == 1 { return " in cluster " + text.name(described[0]) }
            if described.count > 1 { return "; clusters " + described.map(text.name).joined(separator: ", ") }
        }
        return ""
    }

    /// One line per cluster when the findings name more than one.
    private func perCluster(_ findings: [Finding]) -> String {
        let names = named(findings)
        guard names.count > 1 else { return "" }
        var out = ""
        for cluster in names {
            let mine = findings.filter { $0.facts["cluster"] == cluster }
            out += text.wrap("\(text.name(cluster)): \(mine.count) (\(Self.bySeverity(mine)))", indent: "  ", width: width)
        }
        let unnamed = findings.filter { ($0.facts["cluster"] ?? "").isEmpty }
        if !unnamed.isEmpty {
            out += text.wrap("no cluster named: \(unnamed.count) (\(Self.bySeverity(unnamed)))", indent: "  ", width: width)
        }
        return out
    }

    /// A short cause: the flow from the typed facts (roles, protocol and port) when the finding
    /// is a denied flow, else the message.
    static func cause(_ finding: Finding, _ text: TextRenderer) -> String {
        if let protocolName = finding.protocolName, let port = finding.port, !finding.sources.isEmpty, !finding.destinations.isEmpty {
            func roles(_ endpoints: [Finding.Endpoint]) -> String {
                var seen: [Role] = []
                for endpoint in endpoints where !seen.contains(endpoint.role) { seen.append(endpoint.role) }
                return seen.map(FlowGraph.roleName).joined(separator: ", ")
            }
            return "\(roles(finding.sources)) → \(roles(finding.destinations)) \(text.name(protocolName)):\(port)"
        }
        return text.message(finding.message)
    }
}
