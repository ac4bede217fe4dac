import Foundation

/// JSON Lines for the commands that print lists rather than an analysis: `rules list` (one
/// `rule` object per rule), `rules explain` (one `rule` object with its match, message and
/// remedy templates) and `classify` (one `address` object per address). Written like the
/// findings (keys in code-point order, terminal-safe escapes), each with `schema_version`.
public enum CatalogueJSON {
    public static func rules(_ rules: [Rule]) -> String {
        rules.map { JSONText.line(summary($0)) }.joined()
    }

    public static func explain(_ rule: Rule) -> String {
        var object = summary(rule)
        func texts(_ list: [(when: [FieldPredicate], text: Template)]) -> [[String: Any]] {
            list.map { item in
                ["text": item.text.source, "when": item.when.map(predicate)] as [String: Any]
            }
        }
        object["match"] = rule.match.map(predicate)
        object["match_any"] = rule.matchAny.map { $0.map(predicate) }
        object["fallback"] = rule.fallback
        object["group_by"] = rule.groupBy
        object["message"] = rule.message.source
        object["cause"] = rule.cause?.source ?? NSNull()
        object["remedy"] = [
            "why": rule.remedy.why.source, "notes": texts(rule.remedy.notes), "commands": texts(rule.remedy.commands),
            "config_connector": texts(rule.remedy.configConnector), "kpt": texts(rule.remedy.kpt),
        ] as [String: Any]
        object["samples"] = ["trigger": rule.samples.trigger.count, "pass": rule.samples.pass.count]
        return JSONText.line(object)
    }

    public static func address(_ text: String, _ assignment: RoleAssignment) -> String {
        JSONText.line([
            "type": "address", "schema_version": Renderer.schemaVersion, "ip": text,
            "role": assignment.role.rawValue, "cidr": assignment.range?.description ?? NSNull(),
            "confidence": assignment.confidence.rawValue, "reason": assignment.reason,
        ])
    }

    private static func summary(_ rule: Rule) -> [String: Any] {
        [
            "type": "rule", "schema_version": Renderer.schemaVersion, "id": rule.id,
            "severity": rule.severity.rawValue, "title": rule.title, "evidence": rule.evidence,
            "references": rule.references, "file": rule.file,
        ]
    }

    /// A `match` test as the rule file writes it: `{field, is|not|range|matches|exists}`.
    private static func predicate(_ predicate: FieldPredicate) -> [String: Any] {
        var object: [String: Any] = ["field": predicate.field]
        switch predicate.test {
        case .anyOf(let set): object["in"] = set.sorted()
        case .noneOf(let set): object["not"] = set.sorted()
        case .range(let low, let high): object["range"] = [low, high]
        case .matches(let pattern): object["matches"] = pattern
        case .exists(let wanted): object["exists"] = wanted
        }
        return object
    }
}
