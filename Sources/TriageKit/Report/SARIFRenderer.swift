import Foundation

/// SARIF 2.1.0 for code-scanning services and CI: one run whose tool lists every rule that ran
/// (id, title, the remedy's reason, the first reference) and one result per finding. A result's
/// location is the file and line of its first evidence, or, for evidence that came from no file
/// (standard input, `--live`), the log entry as a logical location. The fix commands go in the
/// result's message and properties: SARIF's own `fixes` must be edits to files.
struct SARIFRenderer {
    static let schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    /// Locations of one result beyond the first go in `relatedLocations`, this many at most.
    static let locationLimit = 20

    func render(_ analysis: Analysis) -> String {
        var rules = analysis.rules.map(descriptor)
        var index: [String: Int] = [:]
        for (position, rule) in analysis.rules.enumerated() where index[rule.id] == nil { index[rule.id] = position }
        // A finding whose rule is not among those run (none today) still gets a descriptor.
        for finding in analysis.findings where index[finding.rule] == nil {
            index[finding.rule] = rules.count
            rules.append(descriptor(finding))
        }
        let plan = analysis.plan, form = ConfigConnectorForm(config: analysis.config)
        let results = analysis.findings.map { finding in
            // The finding's plan steps as manifests, after any its rule writes (as in JSON).
            let manifests = finding.remedy.configConnector + plan.steps(for: finding).map(form.manifest(for:))
            return result(finding, ruleIndex: index[finding.rule] ?? 0, manifests: manifests)
        }
        let errors = analysis.account.inputErrors
        let invocation: [String: Any] = [
            "executionSuccessful": errors.isEmpty,
            "toolExecutionNotifications": errors.map { ["level": "error", "message": Self.message($0)] as [String: Any] },
        ]
        // The project has no public address yet: `informationUri` is left out rather than made up.
        let driver: [String: Any] = [
            "name": "triage", "version": TriageVersion.string, "semanticVersion": TriageVersion.string,
            "rules": rules,
        ]
        let run: [String: Any] = [
            "tool": ["driver": driver] as [String: Any],
            "results": results,
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "properties": ["schema_version": Renderer.schemaVersion] as [String: Any],
        ]
        return JSONText.line(["$schema": Self.schema, "version": "2.1.0", "runs": [run]])
    }

    /// SARIF levels: `info` is `note`.
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    /// A message object. SARIF reads `{0}` as a placeholder, so literal braces are doubled.
    static func message(_ text: String) -> [String: Any] {
        ["text": text.replacingOccurrences(of: "{", with: "{{").replacingOccurrences(of: "}", with: "}}")]
    }

    /// `master-to-kubelet-blocked` → `MasterToKubeletBlocked` (SARIF's readable rule name).
    static func name(_ id: String) -> String {
        id.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    private func descriptor(_ rule: Rule) -> [String: Any] {
        // The rule's own words, placeholders shown as <NAME>: a rule describes every finding of it.
        let why = rule.remedy.why.render({ _ in nil }).trimmingCharacters(in: .whitespacesAndNewlines)
        var descriptor: [String: Any] = [
            "id": rule.id, "name": Self.name(rule.id),
            "shortDescription": Self.message(rule.title),
            "fullDescription": Self.message(why),
            "defaultConfiguration": ["level": Self.level(rule.severity)] as [String: Any],
            "properties": ["evidence": rule.evidence, "references": rule.references] as [String: Any],
        ]
        if let help = rule.references.first { descriptor["helpUri"] = help }
        return descriptor
    }

    private func descriptor(_ finding: Finding) -> [String: Any] {
        var descriptor: [String: Any] = [
            "id": finding.rule, "name": Self.name(finding.rule),
            "shortDescription": Self.message(finding.title),
            "fullDescription": Self.message(finding.remedy.why),
            "defaultConfiguration": ["level": Self.level(finding.severity)] as [String: Any],
        ]
        if let help = finding.remedy.references.first { descriptor["helpUri"] = help }
        return descriptor
    }

    private func result(_ finding: Finding, ruleIndex: Int, manifests: [String]) -> [String: Any] {
        var text = finding.message
        if !finding.remedy.commands.isEmpty {
            text += "\n\nFix:\n" + finding.remedy.commands.map { "  " + $0 }.joined(separator: "\n")
        }
        var result: [String: Any] = [
            "ruleId": finding.rule, "ruleIndex": ruleIndex, "level": Self.level(finding.severity),
            "message": Self.message(text),
            "partialFingerprints": ["triageFindingId/v1": finding.id],
        ]
        var locations = Self.locations(finding)
        if !locations.isEmpty {
            result["locations"] = [locations.removeFirst()]
            if !locations.isEmpty {
                result["relatedLocations"] = locations.prefix(Self.locationLimit).enumerated().map { offset, location -> [String: Any] in
                    var location = location
                    location["id"] = offset + 1
                    return location
                }
            }
        }
        if finding.count > 0 { result["occurrenceCount"] = finding.count }
        result["properties"] = [
            "schema_version": Renderer.schemaVersion,
            "finding_id": finding.id, "severity": finding.severity.rawValue, "confidence": finding.confidence,
            "count": finding.count, "first_seen": finding.firstSeen ?? NSNull(), "last_seen": finding.lastSeen ?? NSNull(),
            "cause": finding.cause ?? NSNull(), "merged_rules": finding.mergedRules, "facts": finding.facts,
            "why": finding.remedy.why, "notes": finding.remedy.notes, "fix_commands": finding.remedy.commands,
            "config_connector": manifests, "kpt": finding.remedy.kpt,
            "surer_with": finding.surerWith, "references": finding.remedy.references,
        ] as [String: Any]
        return result
    }

    /// Where the finding was seen: each example's record, then each other kind of evidence's
    /// locations, without repeats.
    static func locations(_ finding: Finding) -> [[String: Any]] {
        var seen = Set<String>()
        var out: [[String: Any]] = []
        for example in finding.examples {
            guard let place = example.location, seen.insert(place).inserted else { continue }
            out.append(location(place, insertID: example.insertID))
        }
        for source in finding.evidence {
            for place in source.locations where seen.insert(place).inserted {
                out.append(location(place, insertID: nil))
            }
        }
        return out
    }

    /// `path:line` as a file and line; a record from standard input or from `--live` (no file
    /// to open) as a logical location named by its log entry's insertId when it has one.
    static func location(_ place: String, insertID: String?) -> [String: Any] {
        var path = place
        var line: Int?
        if let colon = place.lastIndex(of: ":"), let number = Int(place[place.index(after: colon)...]), number > 0 {
            path = String(place[..<colon])
            line = number
        }
        if path == "<stdin>" || path.hasPrefix("live:") {
            var logical: [String: Any] = ["kind": "logEntry", "fullyQualifiedName": place]
            logical["name"] = insertID ?? place
            return ["logicalLocations": [logical]]
        }
        var physical: [String: Any] = ["artifactLocation": ["uri": uri(path)] as [String: Any]]
        if let line { physical["region"] = ["startLine": line] as [String: Any] }
        var location: [String: Any] = ["physicalLocation": physical]
        if let insertID { location["logicalLocations"] = [["kind": "logEntry", "name": insertID] as [String: Any]] }
        return location
    }

    /// A relative path stays relative (code-scanning services resolve it against the checkout);
    /// an absolute one is a file URI.
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ";?#[]")
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }
}
