/// Output formats. Each renderer sees only the `Analysis`.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, markdown, sarif, dot, script
    /// The fix plan as Config Connector manifests, one YAML stream.
    case configConnector = "config-connector"
    /// The fix plan as Terraform resources and import blocks.
    case terraform
}

/// How much of each finding the text format shows.
public enum TextDetail: Sendable {
    /// One line per finding and its first fix command (`--brief`).
    case brief
    /// The cause, evidence counts, where, and the fix commands (the default).
    case compact
    /// Everything: examples, notes, manifests, docs (`--details`, `--verbose`).
    case full
}

public struct RenderOptions: Sendable {
    public var color: Bool
    public var width: Int
    public var verbose: Bool
    public var detail: TextDetail

    public init(color: Bool = false, width: Int = 80, verbose: Bool = false, detail: TextDetail = .compact) {
        self.color = color
        self.width = width
        self.verbose = verbose
        self.detail = detail
    }
}

public enum Renderer {
    /// `schema_version` in every JSON object triage prints (findings, summary, SARIF properties,
    /// `rules` and `classify`): raised when a key changes meaning or goes away; new keys may
    /// appear without a raise.
    public static let schemaVersion = 1

    public static func render(_ analysis: Analysis, as format: OutputFormat, options: RenderOptions) -> String {
        switch format {
        case .text: return TextRenderer(options: options).render(analysis)
        case .json: return JSONLinesRenderer().render(analysis)
        case .markdown: return MarkdownRenderer(details: options.detail == .full).render(analysis)
        case .sarif: return SARIFRenderer().render(analysis)
        case .dot: return FlowGraph(analysis.findings).dot()
        case .script: return FixScript().render(analysis)
        case .configConnector: return ConfigConnectorForm(config: analysis.config).render(analysis)
        case .terraform: return TerraformForm(config: analysis.config).render(analysis)
        }
    }

    /// The closing account, one paragraph, for stderr.
    public static func accountSummary(_ analysis: Analysis) -> String {
        let a = analysis.account
        var parts: [String] = []
        parts.append("read \(a.inputs) input\(a.inputs == 1 ? "" : "s") (\(byteCount(a.bytes))): \(a.records) record\(a.records == 1 ? "" : "s")")
        var kinds = ["\(a.firewallRecords) firewall (\(a.deniedRecords) denied, \(a.allowedRecords) allowed)"]
        let otherLogs = a.otherLogEntries.values.reduce(0, +)
        kinds.append("\(otherLogs) other log entr\(otherLogs == 1 ? "y" : "ies")")
        if a.clusterDescriptions > 0 { kinds.append("\(a.clusterDescriptions) cluster description\(a.clusterDescriptions == 1 ? "" : "s")") }
        if a.unrecognisedRecords > 0 { kinds.append("\(a.unrecognisedRecords) unrecognised") }
        parts.append(kinds.joined(separator: ", "))
        if !a.evidence.isEmpty {
            parts.append("other evidence: " + a.evidence.sorted { $0.key < $1.key }.map { "\($0.value) from \($0.key)" }.joined(separator: ", "))
        }
        if !a.partialListings.isEmpty {
            parts.append("read in part, so no data on what they lack: " + a.partialListings.joined(separator: ", "))
        }
        if a.skippedTotal > 0 {
            let reasons = a.skipped.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            parts.append("\(a.skippedTotal) skipped (\(reasons))")
        } else {
            parts.append("0 skipped")
        }
        if a.invalidValuesTotal > 0 {
            let fields = a.invalidValues.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            parts.append("\(a.invalidValuesTotal) invalid value\(a.invalidValuesTotal == 1 ? "" : "s") not used (\(fields))")
        }
        let bySeverity = Severity.allCases.compactMap { severity -> String? in
            let n = analysis.findings.filter { $0.severity == severity }.count
            return n > 0 ? "\(n) \(severity.rawValue)" : nil
        }
        parts.append("\(a.matchedRecords + a.matchedObservations) matched in \(analysis.findings.count) finding\(analysis.findings.count == 1 ? "" : "s")"
            + (bySeverity.isEmpty ? "" : " (\(bySeverity.joined(separator: ", ")))"))
        return "triage: " + parts.joined(separator: "; ") + "."
    }

    static func byteCount(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }
}

import Foundation
