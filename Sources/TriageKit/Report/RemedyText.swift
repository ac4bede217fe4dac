/// The steps of a finding and of the plan as people paste them: each argument quoted for the
/// shell once, a value the evidence lacks shown as `<NAME>`.
extension Finding.Remedy {
    /// Every step of this finding, checks and changes, in its order.
    public var commands: [String] { actions.map(\.command.rendered) }
    /// The steps that only read.
    public var checks: [String] { actions.filter { !$0.changes }.map(\.command.rendered) }
}

extension FixPlan.Step {
    /// The step as pasted.
    public var command: String { action.command.rendered }

    /// What the models say of the step, for its line in text and Markdown: `verified` alone,
    /// or why not (nil for kinds the models do not cover).
    public var verificationLabel: String? {
        guard let verification else { return nil }
        switch verification.outcome {
        case .yes: return "verified"
        case .no: return "NOT verified: " + verification.note
        case .notCheckable: return "not checkable: " + verification.note
        }
    }

    /// The rules whose findings this step fixes, each once, in the order shown.
    func rules(in findings: [Finding]) -> [String] {
        var rules: [String] = []
        for id in self.findings {
            guard let finding = findings.first(where: { $0.id == id }) else { continue }
            let label = finding.rule + (finding.cluster.map { " [\($0)]" } ?? "")
            if !rules.contains(label) { rules.append(label) }
        }
        return rules
    }
}
