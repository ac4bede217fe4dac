import Foundation

/// JSON Lines: one `finding` object per line, then one `summary`. Schema in the README.
struct JSONLinesRenderer {
    func render(_ analysis: Analysis) -> String {
        var out = ""
        let plan = analysis.plan
        let forms = (cc: ConfigConnectorForm(config: analysis.config), terraform: TerraformForm(config: analysis.config))
        let manifests = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.number, forms.cc.manifest(for: $0)) })
        for finding in analysis.findings { out += JSONText.line(object(finding, plan: plan, manifests: manifests)) }
        if !plan.steps.isEmpty {
            out += JSONText.line(planObject(plan, findings: analysis.findings, manifests: manifests, terraform: forms.terraform))
        }
        out += JSONText.line(summary(analysis))
        return out
    }

    private func endpoint(_ e: Finding.Endpoint) -> [String: Any] {
        var o: [String: Any] = ["ip": e.ip, "role": e.role.rawValue, "confidence": e.confidence.rawValue, "reason": e.reason]
        o["cidr"] = e.range ?? NSNull()
        return o
    }

    /// The plan, once, after the findings: each change with its kind and the findings it fixes.
    /// Each step also in its declarative forms: `config_connector` (a YAML manifest) and
    /// `terraform` (a resource, with an import block for a change to one that exists).
    func planObject(_ plan: FixPlan, findings: [Finding], manifests: [Int: String], terraform: TerraformForm) -> [String: Any] {
        [
            "type": "plan",
            "schema_version": Renderer.schemaVersion,
            "steps": plan.steps.map { step -> [String: Any] in
                [
                    "step": step.number, "kind": step.action.kind.rawValue, "command": step.command,
                    "missing": step.action.command.missing, "findings": step.findings, "rules": step.rules(in: findings),
                    "verified": step.verification?.outcome.rawValue ?? NSNull(), "verify_note": step.verification?.note ?? NSNull(),
                    "config_connector": manifests[step.number] ?? "", "terraform": terraform.resource(for: step),
                ]
            },
        ]
    }

    /// `manifests`: the plan steps' Config Connector manifests by step number, which the
    /// finding's `remedy.config_connector` lists for its steps (after any its rule writes).
    func object(_ f: Finding, plan: FixPlan? = nil, manifests: [Int: String] = [:]) -> [String: Any] {
        var object = fields(f, plan: plan, manifests: manifests)
        // Only past the flow table's exact bound: below it the output stays as it always was.
        if f.sampledSources || f.sampledDestinations {
            object["sources_sampled"] = f.sampledSources
            object["destinations_sampled"] = f.sampledDestinations
            // The estimated distinct counts (HyperLogLog), and whether each end has one.
            object["distinct_sources_estimate"] = f.estimatedDistinctSources ?? NSNull()
            object["distinct_destinations_estimate"] = f.estimatedDistinctDestinations ?? NSNull()
            object["distinct_sources_estimated"] = f.estimatedDistinctSources != nil
            object["distinct_destinations_estimated"] = f.estimatedDistinctDestinations != nil
        }
        return object
    }

    private func fields(_ f: Finding, plan: FixPlan?, manifests: [Int: String]) -> [String: Any] {
        let steps = (plan ?? FixPlan(findings: [f])).steps(for: f)
        return [
            "type": "finding",
            "schema_version": Renderer.schemaVersion,
            "id": f.id,
            "rule": f.rule,
            "severity": f.severity.rawValue,
            "title": f.title,
            "cluster": f.cluster ?? NSNull(),
            "message": f.message,
            "confidence": f.confidence,
            "count": f.count,
            "first_seen": f.firstSeen ?? NSNull(),
            "last_seen": f.lastSeen ?? NSNull(),
            "direction": f.direction ?? NSNull(),
            "protocol": f.protocolName ?? NSNull(),
            "port": f.port ?? NSNull(),
            "facts": f.facts,
            "src": f.sources.map(endpoint),
            "dst": f.destinations.map(endpoint),
            "distinct_sources": f.distinctSources,
            "distinct_destinations": f.distinctDestinations,
            "more_sources": f.moreSources,
            "more_destinations": f.moreDestinations,
            "denied_by": f.deniedBy.map { ["reference": $0.reference, "name": $0.name, "priority": $0.priority ?? NSNull()] as [String: Any] },
            "evidence": f.examples.map { e -> [String: Any] in
                [
                    "location": e.location ?? NSNull(), "insert_id": e.insertID ?? NSNull(),
                    "timestamp": e.timestamp ?? NSNull(), "src": e.source, "dst": e.destination,
                    "protocol": e.protocolName, "instance": e.vmName ?? NSNull(),
                    "remote_location": e.remoteLocation ?? NSNull(),
                ]
            },
            "cause": f.cause ?? NSNull(),
            "merged_rules": f.mergedRules,
            "evidence_by_source": f.evidence.map { e -> [String: Any] in
                [
                    "kind": e.kind, "rule": e.rule, "summary": e.summary, "count": e.count, "locations": e.locations,
                    "quotes": e.quotes,
                ]
            },
            "surer_with": f.surerWith,
            "remedy": [
                "why": f.remedy.why, "notes": f.remedy.notes, "commands": f.remedy.commands, "checks": f.remedy.checks,
                "plan_steps": steps.map(\.number), "in_place": f.remedy.inPlace,
                "config_connector": f.remedy.configConnector + steps.compactMap { manifests[$0.number] }, "kpt": f.remedy.kpt,
                "references": f.remedy.references,
            ] as [String: Any],
        ]
    }

    func summary(_ analysis: Analysis) -> [String: Any] {
        let a = analysis.account
        var bySeverity: [String: Int] = [:]
        for severity in Severity.allCases { bySeverity[severity.rawValue] = analysis.findings.filter { $0.severity == severity }.count }
        return [
            "type": "summary",
            "schema_version": Renderer.schemaVersion,
            "inputs": a.inputs,
            "bytes": a.bytes,
            "records": a.records,
            "firewall_records": a.firewallRecords,
            "denied_records": a.deniedRecords,
            "allowed_records": a.allowedRecords,
            "other_records": a.otherRecords,
            "other_logs": a.otherLogEntries,
            "cluster_descriptions": a.clusterDescriptions,
            "unrecognised_records": a.unrecognisedRecords,
            "skipped": a.skipped,
            "skipped_total": a.skippedTotal,
            "invalid_values": a.invalidValues,
            "invalid_values_total": a.invalidValuesTotal,
            "matched_records": a.matchedRecords,
            "matched_observations": a.matchedObservations,
            "other_evidence": a.evidence,
            "text_lines": a.textLines,
            "flow_groups": a.flowGroups,
            "findings": analysis.findings.count,
            "by_severity": bySeverity,
            "errors": a.inputErrors,
            "partial_listings": a.partialListings,
            "inferences": analysis.topology.inferences,
            "rules": analysis.rulesRun,
        ]
    }
}
