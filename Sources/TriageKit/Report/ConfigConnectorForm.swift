/// The fix plan as Config Connector manifests (`--format config-connector`, and each plan step's
/// `config_connector` in JSON): one resource per change, derived from the step itself, so the
/// manifest says what the gcloud step says and nothing the plan does not create is created.
///
/// Field names are Config Connector's resource reference (spec schemas):
/// https://cloud.google.com/config-connector/docs/reference/resource-docs/compute/computefirewall
/// https://cloud.google.com/config-connector/docs/reference/resource-docs/compute/computeroute
/// https://cloud.google.com/config-connector/docs/reference/resource-docs/dns/dnsmanagedzone
/// https://cloud.google.com/config-connector/docs/reference/resource-docs/dns/dnsrecordset
/// https://cloud.google.com/config-connector/docs/reference/resource-docs/compute/computerouter
/// https://cloud.google.com/config-connector/docs/reference/resource-docs/compute/computerouternat
/// https://cloud.google.com/config-connector/docs/reference/resource-docs/compute/computesubnetwork
///
/// Config Connector applies a resource's whole spec, so a change to a resource that exists is
/// written as the whole resource from the listing given, with the change. A value the evidence
/// did not give is written `{missing: NAME}` (and a resource the listing did not show,
/// `{unknown: "…"}`) where the schema wants a string, integer or boolean: the API server validates
/// a custom resource against its schema, so `kubectl apply` refuses the document until the value
/// is filled, and nothing half-known reaches the project.
struct ConfigConnectorForm {
    let config: ConfigSnapshot

    /// No config given reads as an empty listing: nothing is carried over from it.
    init(config: ConfigSnapshot?) { self.config = config ?? ConfigSnapshot() }

    /// The kinds written from plan steps, which rules no longer write by hand.
    static let derivedKinds: Set<String> = [
        "ComputeFirewall", "ComputeRoute", "DNSManagedZone", "DNSRecordSet", "ComputeRouter", "ComputeRouterNAT", "ComputeSubnetwork",
    ]

    /// The whole plan: one YAML stream, each document under a comment naming its plan step and findings.
    func render(_ analysis: Analysis) -> String {
        let plan = analysis.plan
        let entries = PlanResource.entries(plan, config: config)
        let references = References(entries)
        var out = "# Config Connector manifests of the fix plan, written by triage \(TriageVersion.string): "
            + "\(analysis.findings.count) finding\(analysis.findings.count == 1 ? "" : "s"), \(plan.steps.count) change\(plan.steps.count == 1 ? "" : "s").\n"
        out += "# Review each document, then `kubectl apply -f FILE` in the namespace Config Connector manages.\n"
        if plan.steps.isEmpty { out += "# Nothing to change.\n" }
        let missing = Self.missingNames(entries)
        if !missing.isEmpty {
            out += "# Values the evidence did not give are written {missing: NAME}; kubectl apply refuses a document\n"
            out += "# that holds one. The command after each name finds it:\n"
            for name in missing { out += "#   \(name): \(FixScript.comment(FixScript.finders[name] ?? "see the finding that uses it"))\n" }
        }
        for entry in entries {
            let heading = Self.heading(entry.steps, findings: analysis.findings)
            guard let resource = entry.resource else {
                // A step with no typed form is named, never made up; a comment belongs to no document.
                out += heading + "# No Config Connector form; the plan's command: \(FixScript.comment(entry.steps[0].command))\n"
                continue
            }
            out += "---\n" + heading + document(resource, references)
        }
        return out
    }

    /// One step's manifest on its own (JSON's `config_connector`).
    func manifest(for step: FixPlan.Step) -> String {
        guard let resource = PlanResource.of(step.action, config: config) else {
            return "# No Config Connector form; the plan's command: \(FixScript.comment(step.command))\n"
        }
        return document(resource, References([]))
    }

    static func heading(_ steps: [FixPlan.Step], findings: [Finding]) -> String {
        steps.map { step in
            "# Plan step \(step.number) (\(step.action.kind.rawValue)), for \(FixScript.comment(step.rules(in: findings).joined(separator: ", "))): "
                + FixScript.comment(step.findings.joined(separator: ", ")) + "\n"
        }.joined()
    }

    /// The values the resources lack (a step with no form is only named, so needs none).
    static func missingNames(_ entries: [PlanResource.Entry]) -> [String] {
        var names: [String] = []
        for entry in entries where entry.resource != nil {
            for step in entry.steps { for name in step.action.command.missing where !names.contains(name) { names.append(name) } }
        }
        return names
    }

    /// Resources the same plan creates, which others name by their Kubernetes name.
    struct References {
        var zones: [String: String] = [:]
        var routers: [String: String] = [:]

        init(_ entries: [PlanResource.Entry]) {
            for case let resource? in entries.map(\.resource) where !resource.exists {
                guard let name = resource.name.text else { continue }
                switch resource.body {
                case .zone: zones[name] = ConfigConnectorForm.kubernetesName(name)
                case .router: routers[name] = ConfigConnectorForm.kubernetesName(name)
                default: break
                }
            }
        }
    }

    // MARK: - Documents

    func document(_ resource: PlanResource, _ references: References) -> String {
        var comments: [String] = []
        if let listing = resource.needsListing {
            comments.append("The listing given does not show \(resource.name.display), and Config Connector applies the whole spec:")
            comments.append("this holds only the change, and {unknown: …} where the rest belongs, so kubectl apply refuses it.")
            comments.append("Exact with: \(listing)")
        } else if !resource.unread.isEmpty {
            comments.append("The whole resource from the listing, with the change; triage does not read "
                + resource.unread.joined(separator: ", ") + ": add them from the listing if set, or Config Connector clears them.")
        }
        let (apiVersion, kind, spec, hasResourceID) = body(resource, references)
        var metadata: [(String, YAMLNode)] = []
        var fullSpec = spec
        if case .record(let record) = resource.body {
            metadata.append(("name", .string(StepValue(Self.recordName(resource.name, type: record.type)))))
        } else if let text = resource.name.text, Self.isKubernetesName(text) || !hasResourceID {
            metadata.append(("name", .string(resource.name)))
        } else if let text = resource.name.text {
            // A name Kubernetes cannot take: the resource is named by resourceID.
            metadata.append(("name", .string(StepValue(Self.kubernetesName(text)))))
            fullSpec.insert(("resourceID", .string(resource.name)), at: 0)
        } else {
            metadata.append(("name", .string(resource.name)))
        }
        if let project = resource.project { metadata.append(("annotations", .map([("cnrm.cloud.google.com/project-id", .string(project))]))) }
        let root: YAMLNode = .map([("apiVersion", .string(StepValue(apiVersion))), ("kind", .string(StepValue(kind))), ("metadata", .map(metadata)), ("spec", .map(fullSpec))])
        return comments.map { "# " + FixScript.comment($0) + "\n" }.joined() + root.lines(indent: 0).joined(separator: "\n") + "\n"
    }

    /// apiVersion, kind, spec, and whether the kind takes `resourceID`.
    func body(_ resource: PlanResource, _ references: References) -> (String, String, [(String, YAMLNode)], Bool) {
        let compute = "compute.cnrm.cloud.google.com/v1beta1", dns = "dns.cnrm.cloud.google.com/v1beta1"
        // Short: the comment above the document names the listing.
        let unknown: YAMLNode? = resource.needsListing.map { _ in .unknown("not in the listing given") }
        var spec: [(String, YAMLNode)] = []
        func add(_ key: String, _ node: YAMLNode?) { if let node { spec.append((key, node)) } }
        func list(_ key: String, _ values: [StepValue]) { if !values.isEmpty { spec.append((key, .list(values.map(YAMLNode.string)))) } }
        switch resource.body {
        case .firewall(let f):
            add("networkRef", f.network.map { .map([("external", .string(networkPath($0, resource.project)))]) }
                ?? unknown.map { .map([("external", $0)]) })
            if resource.needsListing == nil { add("direction", .string(StepValue(f.direction))) }
            add("priority", f.priority.map(YAMLNode.integer))
            list("sourceRanges", f.sourceRanges)
            list("destinationRanges", f.destinationRanges)
            list("sourceTags", f.sourceTags)
            list("targetTags", f.targetTags)
            if !f.targetServiceAccounts.isEmpty {
                add("targetServiceAccounts", .list(f.targetServiceAccounts.map { .map([("external", .string($0))]) }))
            }
            if !f.rules.isEmpty {
                add(f.deny ? "deny" : "allow", .list(f.rules.map { rule in
                    .map([("protocol", .string(rule.protocolName))] + (rule.ports.isEmpty ? [] : [("ports", .list(rule.ports.map(YAMLNode.string)))]))
                }))
            }
            add("disabled", f.disabled.map(YAMLNode.bool))
            if f.logging == true {
                // As the rules' own manifests wrote it: logging on with every metadata field.
                add("logConfig", .map([("metadata", .string(StepValue(f.loggingMetadata ?? "INCLUDE_ALL_METADATA")))]))
            }
            add("description", f.description.map(YAMLNode.string))
            return (compute, "ComputeFirewall", spec, true)
        case .route(let r):
            add("destRange", r.destination.map(YAMLNode.string))
            add("networkRef", r.network.map { .map([("external", .string(networkPath($0, resource.project)))]) })
            if let hop = r.nextHop {
                switch hop.kind {
                case "gateway": add("nextHopGateway", .string(hop.value))
                case "ip": add("nextHopIp", .string(hop.value))
                case "instance":
                    let path = r.nextHopInstanceZone.map { StepValue(pieces: [.text("zones/")] + $0.pieces + [.text("/instances/")] + hop.value.pieces) } ?? hop.value
                    add("nextHopInstanceRef", .map([("external", .string(path))]))
                case "ilb": add("nextHopILBRef", .map([("external", .string(hop.value))]))
                default: add("nextHopVPNTunnelRef", .map([("external", .string(hop.value))]))
                }
            }
            add("priority", r.priority.map(YAMLNode.integer))
            list("tags", r.tags)
            add("description", r.description.map(YAMLNode.string))
            return (compute, "ComputeRoute", spec, true)
        case .zone(let z):
            add("dnsName", z.dnsName.map(YAMLNode.string))
            add("description", z.description.map(YAMLNode.string))
            add("visibility", z.visibility.map(YAMLNode.string))
            if !z.networks.isEmpty {
                add("privateVisibilityConfig", .map([("networks", .list(z.networks.map { network in
                    .map([("networkRef", .map([("external", .string(networkPath(network, resource.project)))]))])
                }))]))
            }
            return (dns, "DNSManagedZone", spec, false)
        case .record(let r):
            add("name", .string(resource.name))
            add("type", .string(r.type))
            add("ttl", r.ttl.map(YAMLNode.integer))
            list("rrdatas", r.rrdatas)
            if let zone = r.zone.text, let created = references.zones[zone] {
                add("managedZoneRef", .map([("name", .string(StepValue(created)))]))
            } else {
                add("managedZoneRef", .map([("external", .string(r.zone))]))
            }
            return (dns, "DNSRecordSet", spec, false)
        case .router(let r):
            add("region", .string(r.region ?? StepValue(pieces: [.missing("REGION")])))
            add("networkRef", r.network.map { .map([("external", .string(networkPath($0, resource.project)))]) })
            return (compute, "ComputeRouter", spec, true)
        case .nat(let n):
            add("region", .string(n.region ?? StepValue(pieces: [.missing("REGION")])))
            if let router = n.router.text, let created = references.routers[router] {
                add("routerRef", .map([("name", .string(StepValue(created)))]))
            } else {
                add("routerRef", .map([("external", .string(n.router))]))
            }
            add("natIpAllocateOption", n.allocation.map { .string(StepValue($0)) } ?? unknown)
            if !n.natIPs.isEmpty {
                add("natIps", .list(n.natIPs.map { address in
                    .map([("external", .string(addressPath(address, region: n.region, project: resource.project)))])
                }))
            }
            add("sourceSubnetworkIpRangesToNat", n.coverage.map { .string(StepValue($0)) } ?? unknown)
            if !n.subnetworks.isEmpty {
                add("subnetwork", .list(n.subnetworks.map { subnet in
                    var entry: [(String, YAMLNode)] = [
                        ("subnetworkRef", .map([("external", .string(subnetPath(subnet.name, region: n.region, project: resource.project)))])),
                        ("sourceIpRangesToNat", .list(subnet.sourceRanges.map { .string(StepValue($0)) })),
                    ]
                    if !subnet.secondaryRanges.isEmpty { entry.append(("secondaryIpRangeNames", .list(subnet.secondaryRanges.map(YAMLNode.string)))) }
                    return .map(entry)
                }))
            }
            add("minPortsPerVm", n.minPortsPerVM.map(YAMLNode.integer))
            add("maxPortsPerVm", n.maxPortsPerVM.map(YAMLNode.integer))
            add("enableDynamicPortAllocation", n.dynamicPortAllocation.map(YAMLNode.bool))
            if let logging = n.logging {
                add("logConfig", .map([("enable", .bool(logging))] + (n.logFilter.map { [("filter", YAMLNode.string($0))] } ?? [])))
            }
            return (compute, "ComputeRouterNAT", spec, true)
        case .subnet(let s):
            add("ipCidrRange", s.primaryRange.map(YAMLNode.string) ?? unknown)
            add("region", .string(s.region ?? StepValue(pieces: [.missing("REGION")])))
            add("networkRef", s.network.map { .map([("external", .string(networkPath($0, resource.project)))]) })
            add("privateIpGoogleAccess", s.privateGoogleAccess.map(YAMLNode.bool))
            if !s.secondaryRanges.isEmpty {
                add("secondaryIpRange", .list(s.secondaryRanges.map { .map([("rangeName", .string($0.name)), ("ipCidrRange", .string($0.range))]) }))
            }
            return (compute, "ComputeSubnetwork", spec, false)
        }
    }

    func networkPath(_ network: StepValue, _ project: StepValue?) -> StepValue { StepValue.networkPath(network, project: project) }

    /// A subnet by name, as `projects/P/regions/R/subnetworks/NAME`.
    func subnetPath(_ subnet: StepValue, region: StepValue?, project: StepValue?) -> StepValue {
        guard let project, let region, !(subnet.text?.contains("/") ?? false) else { return subnet }
        return StepValue(pieces: [.text("projects/")] + project.pieces + [.text("/regions/")] + region.pieces + [.text("/subnetworks/")] + subnet.pieces)
    }

    /// A reserved address by name, as `projects/P/regions/R/addresses/NAME`.
    func addressPath(_ address: StepValue, region: StepValue?, project: StepValue?) -> StepValue {
        guard let project, let region, !(address.text?.contains("/") ?? false) else { return address }
        return StepValue(pieces: [.text("projects/")] + project.pieces + [.text("/regions/")] + region.pieces + [.text("/addresses/")] + address.pieces)
    }

    // MARK: - Kubernetes names

    /// A DNS-1123 label, what every kind here takes as `metadata.name`.
    static func isKubernetesName(_ name: String) -> Bool {
        guard (1...63).contains(name.count), let first = name.first, let last = name.last else { return false }
        func ok(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        return ok(first) && ok(last) && name.allSatisfy { ok($0) || $0 == "-" }
    }

    /// The nearest DNS-1123 label: lower case, other characters as `-`, at most 63.
    static func kubernetesName(_ name: String) -> String {
        var out = ""
        for c in name.lowercased() {
            let keep = c.isASCII && (c.isLowercase || c.isNumber)
            if keep { out.append(c) } else if !out.isEmpty, out.last != "-" { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        out = String(out.prefix(63))
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "resource" : out
    }

    /// A record set's Kubernetes name from its DNS name and type: `*.gcr.io.` CNAME → `wildcard-gcr-io-cname`.
    static func recordName(_ name: StepValue, type: StepValue) -> String {
        let dnsName = name.display.replacingOccurrences(of: "*", with: "wildcard")
        return kubernetesName(String(kubernetesName(dnsName).prefix(55)) + "-" + type.display)
    }
}

/// A YAML value for the manifests, written in block style; every scalar from a step goes through
/// `ConfigConnectorForm.scalar`, so a value from evidence reads back as exactly itself.
indirect enum YAMLNode {
    case string(StepValue)
    case integer(StepValue)
    case bool(Bool)
    case list([YAMLNode])
    case map([(String, YAMLNode)])
    /// A resource the listing did not show: `{unknown: "…"}`, which the schema refuses.
    case unknown(String)

    func lines(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .map(let entries):
            var out: [String] = []
            for (key, value) in entries {
                switch value {
                case .map(let inner) where !inner.isEmpty:
                    out.append(pad + key + ":")
                    out += value.lines(indent: indent + 2)
                case .list(let items) where !items.isEmpty:
                    out.append(pad + key + ":")
                    out += value.lines(indent: indent)
                default:
                    out.append(pad + key + ": " + value.inline)
                }
            }
            return out
        case .list(let items):
            var out: [String] = []
            for item in items {
                switch item {
                case .map(let inner) where !inner.isEmpty:
                    var itemLines = item.lines(indent: indent + 2)
                    itemLines[0] = pad + "- " + itemLines[0].dropFirst(indent + 2)
                    out += itemLines
                default:
                    out.append(pad + "- " + item.inline)
                }
            }
            return out
        default:
            return [pad + inline]
        }
    }

    /// A scalar, an empty collection or a marker, on one line.
    var inline: String {
        switch self {
        case .string(let value):
            guard let text = value.text else { return Self.missingMarker(value) }
            return Self.scalar(text)
        case .integer(let value):
            guard let text = value.text else { return Self.missingMarker(value) }
            // Not a number: a string, which the schema's integer refuses.
            return !text.isEmpty && text.count < 10 && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) ? text : Self.scalar(text)
        case .bool(let value): return value ? "true" : "false"
        case .list: return "[]"
        case .map: return "{}"
        case .unknown(let text): return "{unknown: " + Self.scalar(text) + "}"
        }
    }

    static func missingMarker(_ value: StepValue) -> String {
        "{missing: " + scalar(value.missing.joined(separator: " ")) + "}"
    }

    /// A string scalar: plain only when YAML reads it back as the same string (a word that starts
    /// with a letter, or an address or range), else double-quoted with every escape it needs.
    static func scalar(_ text: String) -> String {
        let plain = Quote.isPlainYAMLWord(Substring(text))
            && (text.first?.isLetter == true || text.contains("/") || text.filter { $0 == "." }.count >= 2)
        return plain ? text : "\"" + Quote.yamlDoubleQuotedContent(text) + "\""
    }
}
