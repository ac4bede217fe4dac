import Foundation

/// `--format script` and `--fix-script FILE`: the fix plan of the findings shown (each change
/// once, in the order it can run) as one bash script to review and run, each step under the
/// findings it fixes. Checks (list, describe, get) are kept as comments, since under `set -e` a
/// check that finds nothing would stop the script. A value the evidence did not give is a shell
/// variable declared at the top with the command that finds it, and each step that needs it
/// stops the script while it is empty: the script never runs a command with a `<PLACEHOLDER>`.
struct FixScript {
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

    func render(_ analysis: Analysis) -> String {
        let plan = analysis.plan
        var variables: [String] = []
        for step in plan.steps {
            for name in step.action.command.missing where !variables.contains(name) { variables.append(name) }
        }
        let count = plan.steps.count
        var out = "#!/usr/bin/env bash\n"
        out += "# Fix plan written by triage \(TriageVersion.string): \(analysis.findings.count) finding"
            + "\(analysis.findings.count == 1 ? "" : "s"), \(count) change\(count == 1 ? "" : "s").\n"
        out += "# Review every step before running it. It changes, in this order:\n"
        if plan.steps.isEmpty { out += "#   nothing (the findings need checks or changes outside gcloud; see their notes)\n" }
        for step in plan.steps {
            out += "#   \(step.number). \(Self.comment(Self.summary(step.action)))   [\(Self.comment(step.rules(in: analysis.findings).joined(separator: ", ")))]\n"
        }
        if plan.steps.contains(where: { $0.action.kind == .routeDelete }) {
            // gcloud asks before deleting; run from a terminal, a "no" stops the script there (set -e).
            out += "# A deletion asks for confirmation (gcloud's prompt); answering no stops the script.\n"
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
        var checked = Set<String>()
        for finding in analysis.findings {
            let checks = finding.remedy.checks.filter { checked.insert($0).inserted }
            let inPlace = finding.remedy.inPlace
            guard !checks.isEmpty || !inPlace.isEmpty else { continue }
            out += "\n# --- \(finding.severity.rawValue.uppercased()) \(Self.comment(finding.rule))"
                + (finding.cluster.map { " (cluster \(Self.comment($0)))" } ?? "") + ": \(Self.comment(finding.title))\n"
            for check in checks { out += "# check: \(Self.comment(check))\n" }
            for done in inPlace { out += "# in place: \(Self.comment(done))\n" }
        }
        for step in plan.steps {
            out += "\n# \(step.number). for \(Self.comment(step.rules(in: analysis.findings).joined(separator: ", ")))\n"
            if let verification = step.verification {
                out += "# verified: \(verification.outcome.rawValue) (\(Self.comment(verification.note)))\n"
            }
            let missing = step.action.command.missing
            if !missing.isEmpty { out += "need \(missing.joined(separator: " "))\n" }
            out += step.action.command.scriptRendered + "\n"
        }
        return out
    }

    /// The words before the first flag: `gcloud compute firewall-rules create allow-x`.
    static func summary(_ action: RemedyAction) -> String {
        let text = action.command.rendered
        return text.split(separator: " ").prefix { !$0.hasPrefix("-") }.joined(separator: " ")
    }

    /// Text for a comment: one line, no control characters, never cut (a check is copied from it).
    static func comment(_ text: String) -> String {
        TerminalText.sanitize(text).replacingOccurrences(of: "\n", with: " ")
    }
}
