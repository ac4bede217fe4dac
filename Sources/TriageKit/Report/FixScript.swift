import Foundation

/// `--format script` and `--fix-script FILE`: the fix commands of the findings shown, in the
/// order shown and each once, as one bash script to review and run. Changes run; read-only
/// checks (list, describe, get) are kept as comments, since under `set -e` a check that finds
/// nothing would stop the script. A value the evidence did not give is a shell variable
/// declared at the top with the command that finds it, and each step that needs it stops the
/// script while it is empty: the script never runs a command with a `<PLACEHOLDER>` in it.
struct FixScript {
    /// Verbs that change something; any other command is a check.
    static let changingVerbs: Set<String> = [
        "create", "update", "delete", "expand-ip-range", "add-iam-policy-binding", "remove-iam-policy-binding",
        "enable", "disable", "resize", "patch", "apply", "set", "add-secondary-ranges", "add-access-config",
    ]

    /// How to find each value a step may lack.
    static let finders: [String: String] = [
        "PROJECT": "gcloud config get-value project",
        "NODE_TAG": #"gcloud compute firewall-rules list --filter="name~^gke-.*-master$" --format="value(name,targetTags.list())""#,
        "NETWORK": #"gcloud container clusters describe CLUSTER --location=LOCATION --format="value(network)""#,
        "SUBNETWORK": #"gcloud container clusters describe CLUSTER --location=LOCATION --format="value(subnetwork)""#,
        "MASTER_CIDR": #"gcloud container clusters describe CLUSTER --location=LOCATION --format="value(privateClusterConfig.masterIpv4CidrBlock)""#,
        "POD_CIDRS": #"gcloud container clusters describe CLUSTER --location=LOCATION --format="value(clusterIpv4Cidr)""#,
        "CLUSTER": #"gcloud container clusters list --format="value(name,location)""#,
        "LOCATION": #"gcloud container clusters list --format="value(name,location)""#,
        "REGION": #"gcloud container clusters list --format="value(name,location)""#,
        "PORT": "kubectl get endpoints -n NAMESPACE SERVICE -o 'jsonpath={.subsets[*].ports[*].port}'",
        "ROUTER": #"gcloud compute routers list --format="table(name,region.basename(),network.basename())""#,
    ]

    struct Step {
        var command: String
        var isChange: Bool
        var variables: [String]
    }

    func render(_ analysis: Analysis) -> String {
        var seen = Set<String>()
        var sections: [(finding: Finding, steps: [Step])] = []
        var variables: [String] = []
        for finding in analysis.findings {
            var steps: [Step] = []
            for command in finding.remedy.commands where seen.insert(command).inserted {
                let form = finding.remedy.scriptForms[command] ?? command
                let names = Self.variables(in: form)
                let isChange = Self.changes(command)
                // Checks are comments: only the values changes need are asked for.
                if isChange { for name in names where !variables.contains(name) { variables.append(name) } }
                steps.append(Step(command: isChange ? form : command, isChange: isChange, variables: names))
            }
            sections.append((finding, steps))
        }
        let changes = sections.flatMap { section in section.steps.filter(\.isChange).map { (section.finding, $0) } }
        var out = "#!/usr/bin/env bash\n"
        out += "# Fix plan written by triage \(TriageVersion.string): \(analysis.findings.count) finding"
            + "\(analysis.findings.count == 1 ? "" : "s"), \(changes.count) change\(changes.count == 1 ? "" : "s").\n"
        out += "# Review every step before running it. It changes, in this order:\n"
        if changes.isEmpty { out += "#   nothing (the findings need checks or changes outside gcloud; see their notes)\n" }
        for (index, change) in changes.enumerated() {
            out += "#   \(index + 1). \(Self.comment(Self.summary(change.1.command)))   [\(Self.comment(change.0.rule))]\n"
        }
        out += "set -euo pipefail\n"
        if !variables.isEmpty {
            out += "\n# Values the evidence did not give: set each (in the environment or here) before running;\n"
            out += "# the command after each one finds it.\n"
            for name in variables {
                out += "\(name)=\"${\(name):-}\"  # \(Self.comment(Self.finders[name] ?? "see the finding that uses it"))\n"
            }
            out += """
                need() {
                  for name in "$@"; do
                    if [ -z "${!name:-}" ]; then echo "set $name first (see the top of this script)" >&2; exit 64; fi
                  done
                }

                """
        }
        for (finding, steps) in sections where !steps.isEmpty {
            out += "\n# --- \(finding.severity.rawValue.uppercased()) \(Self.comment(finding.rule))"
                + (finding.cluster.map { " (cluster \(Self.comment($0)))" } ?? "") + ": \(Self.comment(finding.title))\n"
            for step in steps {
                if !step.isChange {
                    out += "# check: \(Self.comment(step.command))\n"
                    continue
                }
                if !step.variables.isEmpty { out += "need \(step.variables.joined(separator: " "))\n" }
                out += step.command + "\n"
            }
        }
        return out
    }

    /// Whether a command changes something (its verb, among the words before the first flag).
    static func changes(_ command: String) -> Bool {
        let words = command.split(separator: " ").prefix { !$0.hasPrefix("-") }.prefix(6)
        return words.contains { changingVerbs.contains(String($0)) } && !command.contains(" | ")
    }

    /// The words before the first flag: `gcloud compute firewall-rules create allow-x`.
    static func summary(_ command: String) -> String {
        command.split(separator: " ").prefix { !$0.hasPrefix("-") }.joined(separator: " ")
    }

    /// The variables a script form uses (`${NAME}`, as `Template` writes them).
    static func variables(in form: String) -> [String] {
        var names: [String] = []
        var rest = Substring(form)
        while let start = rest.range(of: "${") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            let name = String(rest[..<end])
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }), !names.contains(name) {
                names.append(name)
            }
            rest = rest[end...]
        }
        return names
    }

    /// Text for a comment: one line, no control characters, never cut (a check is copied from it).
    static func comment(_ text: String) -> String {
        TerminalText.sanitize(text).replacingOccurrences(of: "\n", with: " ")
    }
}
