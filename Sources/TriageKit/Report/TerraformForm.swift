/// The fix plan as Terraform (`--format terraform`, and each plan step's `terraform` in JSON):
/// a `google_*` resource per change, derived from the step. A change to a resource that exists is
/// an `import { to = …, id = … }` block beside the whole resource from the listing given, with the
/// change, so `terraform plan` shows an update, never a second resource; where the listing does
/// not have it, a comment names the listing that makes it exact. A value the evidence did not give
/// is a `variable` declared at the top, described with the command that finds it.
///
/// Argument names and import ids are the Google provider's resource docs
/// (https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/, from
/// hashicorp/terraform-provider-google website/docs/r/): compute_firewall, compute_route,
/// dns_managed_zone, dns_record_set, compute_router, compute_router_nat, compute_subnetwork.
struct TerraformForm {
    let config: ConfigSnapshot

    /// No config given reads as an empty listing: nothing is carried over from it.
    init(config: ConfigSnapshot?) { self.config = config ?? ConfigSnapshot() }

    /// The whole plan as one .tf text.
    func render(_ analysis: Analysis) -> String {
        let plan = analysis.plan
        let entries = PlanResource.entries(plan, config: config)
        var labels = Labels()
        let references = References(entries, labels: &labels)
        var out = "# Terraform for the fix plan, written by triage \(TriageVersion.string): "
            + "\(analysis.findings.count) finding\(analysis.findings.count == 1 ? "" : "s"), \(plan.steps.count) change\(plan.steps.count == 1 ? "" : "s").\n"
        out += "# Review it and run `terraform plan`: what exists is imported (import blocks, Terraform 1.5 or later), not created.\n"
        if plan.steps.isEmpty { out += "# Nothing to change.\n" }
        for name in ConfigConnectorForm.missingNames(entries) {
            out += "\nvariable " + Quote.hclString(Self.variable(name)) + " {\n"
            out += "  type        = string\n"
            out += "  description = " + Quote.hclString("\(name): find it with: " + (FixScript.finders[name] ?? "see the finding that uses it")) + "\n"
            out += "}\n"
        }
        for entry in entries {
            out += "\n" + ConfigConnectorForm.heading(entry.steps, findings: analysis.findings)
            guard let resource = entry.resource else {
                out += "# No Terraform resource for this step; the plan's command: \(FixScript.comment(entry.steps[0].command))\n"
                continue
            }
            out += block(resource, label: references.label(of: resource), references)
        }
        return out
    }

    /// One step's resource on its own (JSON's `terraform`).
    func resource(for step: FixPlan.Step) -> String {
        guard let resource = PlanResource.of(step.action, config: config) else {
            return "# No Terraform resource for this step; the plan's command: \(FixScript.comment(step.command))\n"
        }
        var labels = Labels()
        return block(resource, label: labels.take(Self.type(resource), resource), References([], labels: &labels))
    }

    /// Unique resource labels per type, made from the resources' names.
    struct Labels {
        var used: Set<String> = []

        mutating func take(_ type: String, _ resource: PlanResource) -> String {
            // A missing part of the name stands as its variable's name.
            var source = resource.name.pieces.map { piece -> String in
                switch piece {
                case .text(let text): return text
                case .missing(let name): return name
                }
            }.joined()
            if case .record(let record) = resource.body { source = ConfigConnectorForm.recordName(resource.name, type: record.type) }
            var base = ""
            for c in source.lowercased() {
                base.append(c.isASCII && (c.isLetter || c.isNumber || c == "_") ? c : "_")
            }
            while base.hasSuffix("_") { base.removeLast() }
            if base.isEmpty || !(base.first!.isLetter || base.first == "_") { base = "r_" + base }
            var label = base, index = 2
            while used.contains(type + "." + label) {
                label = "\(base)_\(index)"
                index += 1
            }
            used.insert(type + "." + label)
            return label
        }
    }

    /// Labels of the resources this output declares, so records name their zone and a NAT its
    /// router by reference (and Terraform creates them in that order).
    struct References {
        var labels: [String: String] = [:]
        var zones: [String: String] = [:]
        var routers: [String: String] = [:]

        init(_ entries: [PlanResource.Entry], labels: inout Labels) {
            for case let resource? in entries.map(\.resource) {
                let label = labels.take(TerraformForm.type(resource), resource)
                self.labels[resource.identity] = label
                guard !resource.exists, let name = resource.name.text else { continue }
                if case .zone = resource.body { zones[name] = "google_dns_managed_zone.\(label).name" }
                if case .router = resource.body { routers[name] = "google_compute_router.\(label).name" }
            }
        }

        func label(of resource: PlanResource) -> String { labels[resource.identity] ?? "resource" }
    }

    static func type(_ resource: PlanResource) -> String {
        switch resource.body {
        case .firewall: return "google_compute_firewall"
        case .route: return "google_compute_route"
        case .zone: return "google_dns_managed_zone"
        case .record: return "google_dns_record_set"
        case .router: return "google_compute_router"
        case .nat: return "google_compute_router_nat"
        case .subnet: return "google_compute_subnetwork"
        }
    }

    /// A Terraform variable's name for a missing value: `NODE_TAG` → `node_tag`.
    static func variable(_ name: String) -> String {
        let out = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        return out.first?.isLetter == true ? out : "v_" + out
    }

    // MARK: - Blocks

    func block(_ resource: PlanResource, label: String, _ references: References) -> String {
        let type = Self.type(resource)
        if let listing = resource.needsListing {
            return "# \(FixScript.comment(resource.name.display)) exists but the listing given does not show it, and Terraform manages a whole resource:\n"
                + "# this cannot be exact. Exact with: \(FixScript.comment(listing))\n"
        }
        var out = ""
        if resource.exists, let id = importID(resource) {
            if !resource.unread.isEmpty {
                out += "# The whole resource from the listing, with the change; triage does not read "
                    + resource.unread.joined(separator: ", ") + ": add them from the listing if set, or Terraform removes them.\n"
            }
            out += "import {\n  to = \(type).\(label)\n  id = \(HCLValue.string(id).text)\n}\n\n"
        }
        out += "resource " + Quote.hclString(type) + " " + Quote.hclString(label) + " {\n"
        for item in items(resource, references) { out += item.lines(indent: 2).joined(separator: "\n") + "\n" }
        return out + "}\n"
    }

    /// The import id each resource's docs give (`projects/P/global/firewalls/NAME`, …).
    func importID(_ r: PlanResource) -> StepValue? {
        guard let project = r.project else { return nil }
        func path(_ parts: [StepValue?]) -> StepValue? {
            guard parts.allSatisfy({ $0 != nil }) else { return nil }
            return StepValue(pieces: parts.compactMap { $0 }.flatMap(\.pieces))
        }
        let p = StepValue("projects/")
        switch r.body {
        case .firewall: return path([p, project, StepValue("/global/firewalls/"), r.name])
        case .route: return path([p, project, StepValue("/global/routes/"), r.name])
        case .zone: return path([p, project, StepValue("/managedZones/"), r.name])
        case .record(let x): return path([p, project, StepValue("/managedZones/"), x.zone, StepValue("/rrsets/"), r.name, StepValue("/"), x.type])
        case .router(let x): return path([p, project, StepValue("/regions/"), x.region, StepValue("/routers/"), r.name])
        case .nat(let x): return path([p, project, StepValue("/regions/"), x.region, StepValue("/routers/"), x.router, StepValue("/"), r.name])
        case .subnet(let x): return path([p, project, StepValue("/regions/"), x.region, StepValue("/subnetworks/"), r.name])
        }
    }

    func items(_ resource: PlanResource, _ references: References) -> [HCLItem] {
        var out: [HCLItem] = [.attribute("name", .string(resource.name))]
        func add(_ key: String, _ value: HCLValue?) { if let value { out.append(.attribute(key, value)) } }
        func list(_ key: String, _ values: [StepValue]) { if !values.isEmpty { out.append(.attribute(key, .list(values.map(HCLValue.string)))) } }
        add("project", resource.project.map(HCLValue.string))
        switch resource.body {
        case .firewall(let f):
            add("network", f.network.map(HCLValue.string))
            add("direction", .string(StepValue(f.direction)))
            add("priority", f.priority.map(HCLValue.number))
            list("source_ranges", f.sourceRanges)
            list("destination_ranges", f.destinationRanges)
            list("source_tags", f.sourceTags)
            list("target_tags", f.targetTags)
            list("target_service_accounts", f.targetServiceAccounts)
            for rule in f.rules {
                out.append(.block(f.deny ? "deny" : "allow", [.attribute("protocol", .string(rule.protocolName))]
                    + (rule.ports.isEmpty ? [] : [.attribute("ports", .list(rule.ports.map(HCLValue.string)))])))
            }
            add("disabled", f.disabled.map(HCLValue.bool))
            if f.logging == true {
                out.append(.block("log_config", [.attribute("metadata", .string(StepValue(f.loggingMetadata ?? "INCLUDE_ALL_METADATA")))]))
            }
            add("description", f.description.map(HCLValue.string))
        case .route(let r):
            add("network", r.network.map(HCLValue.string))
            add("dest_range", r.destination.map(HCLValue.string))
            if let hop = r.nextHop { add("next_hop_" + hop.kind.replacingOccurrences(of: "-", with: "_"), .string(hop.value)) }
            add("next_hop_instance_zone", r.nextHopInstanceZone.map(HCLValue.string))
            add("priority", r.priority.map(HCLValue.number))
            list("tags", r.tags)
            add("description", r.description.map(HCLValue.string))
        case .zone(let z):
            add("dns_name", z.dnsName.map(HCLValue.string))
            add("description", z.description.map(HCLValue.string))
            add("visibility", z.visibility.map(HCLValue.string))
            if !z.networks.isEmpty {
                out.append(.block("private_visibility_config", z.networks.map { network in
                    .block("networks", [.attribute("network_url", .string(StepValue.networkPath(network, project: resource.project)))])
                }))
            }
        case .record(let r):
            if let zone = r.zone.text, let reference = references.zones[zone] { add("managed_zone", .expression(reference)) } else { add("managed_zone", .string(r.zone)) }
            add("type", .string(r.type))
            add("ttl", r.ttl.map(HCLValue.number))
            list("rrdatas", r.rrdatas)
        case .router(let r):
            add("network", r.network.map(HCLValue.string))
            add("region", r.region.map(HCLValue.string))
        case .nat(let n):
            if let router = n.router.text, let reference = references.routers[router] { add("router", .expression(reference)) } else { add("router", .string(n.router)) }
            add("region", n.region.map(HCLValue.string))
            add("nat_ip_allocate_option", n.allocation.map { .string(StepValue($0)) })
            list("nat_ips", n.natIPs)
            add("source_subnetwork_ip_ranges_to_nat", n.coverage.map { .string(StepValue($0)) })
            for subnet in n.subnetworks {
                var body: [HCLItem] = [
                    .attribute("name", .string(subnet.name)),
                    .attribute("source_ip_ranges_to_nat", .list(subnet.sourceRanges.map { .string(StepValue($0)) })),
                ]
                if !subnet.secondaryRanges.isEmpty { body.append(.attribute("secondary_ip_range_names", .list(subnet.secondaryRanges.map(HCLValue.string)))) }
                out.append(.block("subnetwork", body))
            }
            add("min_ports_per_vm", n.minPortsPerVM.map(HCLValue.number))
            add("max_ports_per_vm", n.maxPortsPerVM.map(HCLValue.number))
            add("enable_dynamic_port_allocation", n.dynamicPortAllocation.map(HCLValue.bool))
            if let logging = n.logging {
                out.append(.block("log_config", [.attribute("enable", .bool(logging))] + (n.logFilter.map { [.attribute("filter", .string($0))] } ?? [])))
            }
        case .subnet(let s):
            add("network", s.network.map(HCLValue.string))
            add("region", s.region.map(HCLValue.string))
            add("ip_cidr_range", s.primaryRange.map(HCLValue.string))
            add("private_ip_google_access", s.privateGoogleAccess.map(HCLValue.bool))
            for range in s.secondaryRanges {
                out.append(.block("secondary_ip_range", [.attribute("range_name", .string(range.name)), .attribute("ip_cidr_range", .string(range.range))]))
            }
        }
        return out
    }

}

/// An attribute or a nested block of a resource body.
indirect enum HCLItem {
    case attribute(String, HCLValue)
    case block(String, [HCLItem])

    func lines(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .attribute(let key, let value): return [pad + key + " = " + value.text]
        case .block(let type, let items): return [pad + type + " {"] + items.flatMap { $0.lines(indent: indent + 2) } + [pad + "}"]
        }
    }
}

/// A value in HCL: a string (a template whose only interpolations are the variables for missing
/// values), a number, a bool, a list, or a reference triage writes itself.
indirect enum HCLValue {
    case string(StepValue)
    case number(StepValue)
    case bool(Bool)
    case list([HCLValue])
    case expression(String)

    var text: String {
        switch self {
        case .string(let value):
            return "\"" + value.pieces.map { piece in
                switch piece {
                case .text(let text): return Quote.hclStringContent(text)
                case .missing(let name): return "${var.\(TerraformForm.variable(name))}"
                }
            }.joined() + "\""
        case .number(let value):
            if value.pieces.count == 1, case .missing(let name) = value.pieces[0] { return "var." + TerraformForm.variable(name) }
            guard let text = value.text, !text.isEmpty, text.count < 10, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                // Not a number: a string, which the argument's type refuses.
                return HCLValue.string(value).text
            }
            return text
        case .bool(let value): return value ? "true" : "false"
        case .list(let values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .expression(let text): return text
        }
    }
}
