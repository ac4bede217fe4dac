/// `triage rules explain ID`: the rule in words, from the rule file itself.
public enum RuleExplanation {
    public static func text(_ rule: Rule) -> String {
        var out = "\(rule.id) (\(rule.severity.rawValue))\n"
        out += "  \(rule.title)\n\n"
        out += "Matches \(rule.evidence) evidence where:\n"
        for predicate in rule.match { out += "  \(predicate.field) \(describe(predicate.test))\n" }
        for (index, alternative) in rule.matchAny.enumerated() {
            out += index == 0 ? "  and one of:\n" : ""
            out += "    - " + alternative.map { "\($0.field) \(describe($0.test))" }.joined(separator: ", ") + "\n"
        }
        if rule.fallback { out += "  and no other rule matched\n" }
        if !rule.groupBy.isEmpty { out += "One finding per: \(rule.groupBy.joined(separator: ", "))\n" }
        out += "\nMessage:\n  \(rule.message.source.trimmingCharacters(in: .whitespacesAndNewlines))\n"
        out += "\nWhy:\n  \(rule.remedy.why.source.trimmingCharacters(in: .whitespacesAndNewlines))\n"
        if !rule.remedy.notes.isEmpty {
            out += "\nNotes:\n"
            for note in rule.remedy.notes { out += "  - \(note.text.source.trimmingCharacters(in: .whitespacesAndNewlines))\n" }
        }
        out += "\nFix:\n"
        for command in rule.remedy.commands { out += "  \(command.text.source.trimmingCharacters(in: .whitespacesAndNewlines))\n" }
        out += "\nReferences:\n"
        for reference in rule.references { out += "  \(reference)\n" }
        out += "\nSamples: \(rule.samples.trigger.count) trigger, \(rule.samples.pass.count) pass (\(rule.file))\n"
        return out
    }

    static func describe(_ test: FieldPredicate.Test) -> String {
        switch test {
        case .anyOf(let set): return set.count == 1 ? "is \(set.first!)" : "is one of \(set.sorted().joined(separator: ", "))"
        case .noneOf(let set): return "is not \(set.sorted().joined(separator: ", "))"
        case .range(let low, let high): return "is between \(low) and \(high)"
        case .matches(let pattern): return "matches /\(pattern)/"
        case .exists(let wanted): return wanted ? "is present" : "is absent"
        }
    }
}

import Foundation
