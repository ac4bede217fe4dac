/// A plan step read as the resource it makes or changes, for the declarative forms (Config
/// Connector, Terraform): what a step's gcloud flags say, as fields, with each value kept as text
/// and any value the evidence did not give named by its variable. Updates start from the resource
/// the config listing shows (the forms apply a whole resource, not a change); where the listing
/// does not have it, the resource says which listing makes it exact.
struct PlanResource {
    enum Body {
        case firewall(FirewallSpec)
        case route(RouteSpec)
        case zone(ZoneSpec)
        case record(RecordSpec)
        case router(RouterSpec)
        case nat(NATSpec)
        case subnet(SubnetSpec)
    }

    var body: Body
    var name: StepValue
    var project: StepValue?
    /// True for a change to a resource that exists (imported, not created).
    var exists: Bool
    /// For a change to a resource the listing given does not show: the listing that would make
    /// the whole resource known. Nil when it is exact.
    var needsListing: String? = nil
    /// Fields of the existing resource that triage does not read from the listing, so cannot carry.
    var unread: [String] = []

    /// One key per resource, so two steps that change the same one become one document.
    var identity: String {
        let kind: String
        switch body {
        case .firewall: kind = "firewall"
        case .route: kind = "route"
        case .zone: kind = "zone"
        case .record(let r): kind = "record|\(r.zone.display)|\(r.type.display)"
        case .router(let r): kind = "router|\(r.region?.display ?? "")"
        case .nat(let n): kind = "nat|\(n.router.display)|\(n.region?.display ?? "")"
        case .subnet(let s): kind = "subnet|\(s.region?.display ?? "")"
        }
        return [kind, project?.display ?? "", name.display].joined(separator: "|")
    }
}

struct FirewallSpec {
    var network: StepValue?
    var direction = "INGRESS"
    var deny = false
    var priority: StepValue?
    var sourceRanges: [StepValue] = []
    var destinationRanges: [StepValue] = []
    var sourceTags: [StepValue] = []
    var targetTags: [StepValue] = []
    var targetServiceAccounts: [StepValue] = []
    /// Protocols in the order given, each with its ports (none: every port).
    var rules: [(protocolName: StepValue, ports: [StepValue])] = []
    var logging: Bool?
    /// INCLUDE_ALL_METADATA or EXCLUDE_ALL_METADATA.
    var loggingMetadata: String?
    var disabled: Bool?
    var description: StepValue?
}

struct RouteSpec {
    var network: StepValue?
    var destination: StepValue?
    /// The next hop's kind (gateway, ip, instance, ilb, vpn-tunnel) and value.
    var nextHop: (kind: String, value: StepValue)?
    var nextHopInstanceZone: StepValue?
    var priority: StepValue?
    var tags: [StepValue] = []
    var description: StepValue?
}

struct ZoneSpec {
    var dnsName: StepValue?
    var visibility: StepValue?
    var networks: [StepValue] = []
    var description: StepValue?
}

struct RecordSpec {
    var zone: StepValue
    var type: StepValue
    var ttl: StepValue?
    var rrdatas: [StepValue] = []
}

struct RouterSpec {
    var network: StepValue?
    var region: StepValue?
}

struct NATSpec {
    var router: StepValue
    var region: StepValue?
    /// AUTO_ONLY or MANUAL_ONLY.
    var allocation: String?
    var natIPs: [StepValue] = []
    /// ALL_SUBNETWORKS_ALL_IP_RANGES, ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES.
    var coverage: String?
    var minPortsPerVM: StepValue?
    var maxPortsPerVM: StepValue?
    var dynamicPortAllocation: Bool?
    var logging: Bool?
    var logFilter: StepValue?
    /// A LIST_OF_SUBNETWORKS gateway's subnets: each with ALL_IP_RANGES, or PRIMARY_IP_RANGE
    /// and/or LIST_OF_SECONDARY_IP_RANGES with the range names (Compute v1 `RouterNatSubnetworkToNat`).
    var subnetworks: [NATSubnetwork] = []
}

struct NATSubnetwork {
    var name: StepValue
    var sourceRanges: [String]
    var secondaryRanges: [StepValue]

    /// `--nat-custom-subnet-ip-ranges` items (`SUBNET`, `SUBNET:RANGE`, `SUBNET:ALL`), one entry
    /// per subnet in the order first named.
    static func of(_ items: [StepValue]) -> [NATSubnetwork] {
        var out: [NATSubnetwork] = []
        for item in items {
            let (subnet, range) = item.splittingFirst(":") ?? (item, nil)
            let index = out.firstIndex { $0.name == subnet } ?? {
                out.append(NATSubnetwork(name: subnet, sourceRanges: [], secondaryRanges: []))
                return out.count - 1
            }()
            func mode(_ name: String) { if !out[index].sourceRanges.contains(name) { out[index].sourceRanges.append(name) } }
            switch range {
            case nil: mode("PRIMARY_IP_RANGE")
            case let range? where range.text == "ALL": mode("ALL_IP_RANGES")
            case let range?:
                mode("LIST_OF_SECONDARY_IP_RANGES")
                out[index].secondaryRanges.append(range)
            }
        }
        // ALL_IP_RANGES takes no other value (the API: "the only valid option with multiple
        // values is PRIMARY_IP_RANGE, LIST_OF_SECONDARY_IP_RANGES").
        for index in out.indices where out[index].sourceRanges.contains("ALL_IP_RANGES") {
            out[index].sourceRanges = ["ALL_IP_RANGES"]
            out[index].secondaryRanges = []
        }
        return out
    }
}

struct SubnetSpec {
    var network: StepValue?
    var region: StepValue?
    var primaryRange: StepValue?
    var secondaryRanges: [(name: StepValue, range: StepValue)] = []
    var privateGoogleAccess: Bool?
}

extension PlanResource {
    /// The resource a step makes or changes; nil for a step with no typed form (a check, another
    /// change, a route deletion, or flags the forms cannot say), which the forms name as its command.
    /// `base` is the resource an earlier step of the same plan already changed.
    static func of(_ action: RemedyAction, config: ConfigSnapshot, base: PlanResource? = nil) -> PlanResource? {
        guard action.isPlainCommand, let name = action.nameValue, let known = knownFlags[action.kind],
            action.flagNames.allSatisfy(known.contains)
        else { return nil }
        let project = action.value(flag: "project")
        switch action.kind {
        case .firewallCreate:
            var spec = FirewallSpec()
            spec.network = action.value(flag: "network") ?? StepValue("default")
            spec.direction = (action.value(flag: "direction")?.text ?? "INGRESS").uppercased()
            spec.deny = (action.value(flag: "action")?.text ?? "ALLOW").uppercased() == "DENY"
            spec.apply(action)
            return PlanResource(body: .firewall(spec), name: name, project: project, exists: false)
        case .firewallUpdate:
            var resource: PlanResource
            if let base, case .firewall = base.body {
                resource = base
            } else if config.listed.contains(.firewallRules), let text = name.text,
                let rule = config.firewallRules.first(where: { $0.name == text && $0.policy == nil && !$0.isPartial }) {
                resource = PlanResource(body: .firewall(FirewallSpec(rule)), name: name, project: project, exists: true)
                resource.unread = ["description"] + (rule.logging == true ? ["logConfig.metadata"] : [])
            } else {
                resource = PlanResource(body: .firewall(FirewallSpec()), name: name, project: project, exists: true)
                resource.needsListing = listing("gcloud compute firewall-rules list", "firewall-rules.json", project)
            }
            guard case .firewall(var spec) = resource.body else { return nil }
            spec.apply(action)
            resource.body = .firewall(spec)
            return resource
        case .routeCreate:
            var spec = RouteSpec()
            spec.network = action.value(flag: "network") ?? StepValue("default")
            spec.destination = action.value(flag: "destination-range")
            for hop in ["gateway", "ip", "instance", "ilb", "vpn-tunnel"] {
                if let value = action.value(flag: "next-hop-" + hop) { spec.nextHop = (hop, value) }
            }
            spec.nextHopInstanceZone = action.value(flag: "next-hop-instance-zone")
            spec.priority = action.value(flag: "priority")
            spec.tags = action.values(flag: "tags")
            spec.description = action.value(flag: "description")
            return PlanResource(body: .route(spec), name: name, project: project, exists: false)
        case .zoneCreate:
            let spec = ZoneSpec(
                dnsName: action.value(flag: "dns-name"), visibility: action.value(flag: "visibility"),
                networks: action.values(flag: "networks"), description: action.value(flag: "description"))
            return PlanResource(body: .zone(spec), name: name, project: project, exists: false)
        case .recordCreate, .recordUpdate:
            guard let zone = action.value(flag: "zone"), let type = action.value(flag: "type") else { return nil }
            let spec = RecordSpec(zone: zone, type: type, ttl: action.value(flag: "ttl"), rrdatas: action.values(flag: "rrdatas"))
            // `record-sets update` gives the whole record set, so it is exact without a listing.
            return PlanResource(body: .record(spec), name: name, project: project, exists: action.kind == .recordUpdate)
        case .routerCreate:
            let spec = RouterSpec(network: action.value(flag: "network"), region: action.value(flag: "region"))
            return PlanResource(body: .router(spec), name: name, project: project, exists: false)
        case .natCreate:
            guard let router = action.value(flag: "router") else { return nil }
            var spec = NATSpec(router: router, region: action.value(flag: "region"))
            spec.apply(action)
            return PlanResource(body: .nat(spec), name: name, project: project, exists: false)
        case .natUpdate:
            guard let router = action.value(flag: "router") else { return nil }
            var resource: PlanResource
            if let base, case .nat = base.body {
                resource = base
            } else if let nat = existingNAT(name: name.text, router: router.text, region: action.value(flag: "region")?.text, config: config),
                nat.coverage != .listOfSubnetworks || action.hasFlag("nat-custom-subnet-ip-ranges") {
                var spec = NATSpec(router: router, region: action.value(flag: "region"))
                spec.allocation = nat.ports.allocation
                spec.natIPs = nat.ports.natIPs.map(StepValue.init)
                spec.coverage = nat.coverage?.rawValue
                spec.minPortsPerVM = nat.ports.minPortsPerVM.map { StepValue(String($0)) }
                spec.maxPortsPerVM = nat.ports.maxPortsPerVM.map { StepValue(String($0)) }
                spec.dynamicPortAllocation = nat.ports.dynamicPortAllocation ? true : nil
                spec.logging = nat.logging
                resource = PlanResource(body: .nat(spec), name: name, project: project, exists: true)
                resource.unread = ["timeouts", "rules"] + (nat.logging == true ? ["logConfig.filter"] : [])
            } else {
                resource = PlanResource(body: .nat(NATSpec(router: router, region: action.value(flag: "region"))), name: name, project: project, exists: true)
                resource.needsListing = listing("gcloud compute routers list", "routers.json", project)
            }
            guard case .nat(var spec) = resource.body else { return nil }
            spec.apply(action)
            resource.body = .nat(spec)
            return resource
        case .subnetUpdate:
            var resource: PlanResource
            let region = action.value(flag: "region")
            if let base, case .subnet = base.body {
                resource = base
            } else if config.listed.contains(.subnetworks), let text = name.text,
                let subnet = config.subnetworks.first(where: { $0.name == text && !$0.isPartial && (region?.text == nil || $0.region == region?.text) }) {
                var spec = SubnetSpec(
                    network: subnet.network.map(StepValue.init), region: region ?? subnet.region.map(StepValue.init),
                    primaryRange: StepValue(subnet.primary.description))
                spec.secondaryRanges = (subnet.secondaryRanges ?? []).map { (StepValue($0.name), StepValue($0.cidr.description)) }
                spec.privateGoogleAccess = subnet.privateIpGoogleAccess
                resource = PlanResource(body: .subnet(spec), name: name, project: project, exists: true)
                resource.unread = ["description", "logConfig", "stackType"]
            } else {
                resource = PlanResource(body: .subnet(SubnetSpec(region: region)), name: name, project: project, exists: true)
                resource.needsListing = listing("gcloud compute networks subnets list", "subnets.json", project)
            }
            guard case .subnet(var spec) = resource.body else { return nil }
            if action.hasFlag("enable-private-ip-google-access") { spec.privateGoogleAccess = true }
            if action.hasFlag("no-enable-private-ip-google-access") { spec.privateGoogleAccess = false }
            for pair in action.values(flag: "add-secondary-ranges") {
                guard let (rangeName, range) = pair.splittingFirst("=") else { return nil }
                spec.secondaryRanges.append((rangeName, range))
            }
            resource.body = .subnet(spec)
            return resource
        case .routeDelete, .change, .check:
            return nil
        }
    }

    /// The flags each kind's form can say; a step with any other is named, not approximated.
    static let knownFlags: [RemedyAction.Kind: Set<String>] = {
        let firewall: Set<String> = [
            "project", "priority", "source-ranges", "destination-ranges", "source-tags", "target-tags",
            "target-service-accounts", "rules", "allow", "enable-logging", "no-enable-logging", "logging-metadata",
            "description", "disabled", "no-disabled",
        ]
        let nat: Set<String> = [
            "project", "router", "region", "auto-allocate-nat-external-ips", "nat-external-ip-pool", "nat-all-subnet-ip-ranges",
            "nat-primary-subnet-ip-ranges", "nat-custom-subnet-ip-ranges", "enable-logging", "log-filter", "min-ports-per-vm", "max-ports-per-vm",
            "enable-dynamic-port-allocation",
        ]
        return [
            .firewallCreate: firewall.union(["network", "direction", "action"]),
            .firewallUpdate: firewall,
            .routeCreate: [
                "project", "network", "destination-range", "next-hop-gateway", "next-hop-ip", "next-hop-instance",
                "next-hop-instance-zone", "next-hop-ilb", "next-hop-vpn-tunnel", "priority", "tags", "description",
            ],
            .zoneCreate: ["project", "visibility", "networks", "dns-name", "description"],
            .recordCreate: ["project", "zone", "type", "ttl", "rrdatas"],
            .recordUpdate: ["project", "zone", "type", "ttl", "rrdatas"],
            .routerCreate: ["project", "network", "region"],
            .natCreate: nat,
            .natUpdate: nat,
            .subnetUpdate: ["project", "region", "enable-private-ip-google-access", "no-enable-private-ip-google-access", "add-secondary-ranges"],
        ]
    }()

    static func existingNAT(name: String?, router: String?, region: String?, config: ConfigSnapshot) -> CloudNAT? {
        guard let name, config.listed.contains(.routers) || config.listed.contains(.nats) else { return nil }
        let inRouters = config.routers.filter { $0.name == router && (region == nil || $0.region == nil || $0.region == region) }.flatMap(\.nats)
        return (inRouters + config.standaloneNATs.filter { $0.router == nil || $0.router == router })
            .first { $0.name == name && !$0.isPartial }
    }

    /// `gcloud … list --project=P --format=json > file.json`, as the findings' "Surer with" name it.
    static func listing(_ words: String, _ file: String, _ project: StepValue?) -> String {
        ShellCommand(words).adding(flag: "project", ifGiven: project?.text).adding(literal: "--format=json").adding(redirect: file).rendered
    }
}

extension FirewallSpec {
    /// The rule as the listing shows it.
    init(_ rule: FirewallRule) {
        network = rule.network.map(StepValue.init)
        direction = rule.direction == .egress ? "EGRESS" : "INGRESS"
        deny = rule.action == .deny
        priority = StepValue(String(rule.priority))
        sourceRanges = (rule.sourceRanges ?? []).map { StepValue($0.description) }
        destinationRanges = (rule.destinationRanges ?? []).map { StepValue($0.description) }
        sourceTags = (rule.sourceTags ?? []).map(StepValue.init)
        targetTags = (rule.targetTags ?? []).map(StepValue.init)
        targetServiceAccounts = (rule.targetServiceAccounts ?? []).map(StepValue.init)
        rules = rule.permissions.map { permission in
            (StepValue(permission.protocolName), permission.ports.map { StepValue($0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)") })
        }
        logging = rule.logging
        disabled = rule.disabled
    }

    /// What a create or update step's flags set.
    mutating func apply(_ action: RemedyAction) {
        if let value = action.value(flag: "priority") { priority = value }
        if action.hasFlag("source-ranges") { sourceRanges = action.values(flag: "source-ranges") }
        if action.hasFlag("destination-ranges") { destinationRanges = action.values(flag: "destination-ranges") }
        if action.hasFlag("source-tags") { sourceTags = action.values(flag: "source-tags") }
        if action.hasFlag("target-tags") { targetTags = action.values(flag: "target-tags") }
        if action.hasFlag("target-service-accounts") { targetServiceAccounts = action.values(flag: "target-service-accounts") }
        for flag in ["rules", "allow"] where action.hasFlag(flag) { rules = Self.rules(action.values(flag: flag)) }
        if action.hasFlag("enable-logging") { logging = true }
        if action.hasFlag("no-enable-logging") { logging = false }
        if let metadata = action.value(flag: "logging-metadata")?.text {
            loggingMetadata = metadata.lowercased() == "exclude-all" ? "EXCLUDE_ALL_METADATA" : "INCLUDE_ALL_METADATA"
        }
        if action.hasFlag("disabled") { disabled = true }
        if action.hasFlag("no-disabled") { disabled = false }
        if let value = action.value(flag: "description") { description = value }
    }

    /// `tcp:443,tcp:10250,udp` as protocols with their ports, in the order first given.
    static func rules(_ items: [StepValue]) -> [(protocolName: StepValue, ports: [StepValue])] {
        var out: [(protocolName: StepValue, ports: [StepValue])] = []
        for item in items {
            let (protocolName, port) = item.splittingFirst(":") ?? (item, nil)
            if let index = out.firstIndex(where: { $0.protocolName == protocolName }) {
                // A protocol given once without ports (every port) keeps no port list.
                if let port, !out[index].ports.isEmpty { out[index].ports.append(port) } else { out[index].ports = [] }
            } else {
                out.append((protocolName, port.map { [$0] } ?? []))
            }
        }
        return out
    }
}

extension NATSpec {
    mutating func apply(_ action: RemedyAction) {
        if action.hasFlag("auto-allocate-nat-external-ips") {
            allocation = "AUTO_ONLY"
            natIPs = []
        }
        if action.hasFlag("nat-external-ip-pool") {
            allocation = "MANUAL_ONLY"
            natIPs = action.values(flag: "nat-external-ip-pool")
        }
        if action.hasFlag("nat-all-subnet-ip-ranges") { coverage = "ALL_SUBNETWORKS_ALL_IP_RANGES" }
        if action.hasFlag("nat-primary-subnet-ip-ranges") { coverage = "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES" }
        if action.hasFlag("nat-all-subnet-ip-ranges") || action.hasFlag("nat-primary-subnet-ip-ranges") { subnetworks = [] }
        if action.hasFlag("nat-custom-subnet-ip-ranges") {
            coverage = "LIST_OF_SUBNETWORKS"
            subnetworks = NATSubnetwork.of(action.values(flag: "nat-custom-subnet-ip-ranges"))
        }
        if let value = action.value(flag: "min-ports-per-vm") { minPortsPerVM = value }
        if let value = action.value(flag: "max-ports-per-vm") { maxPortsPerVM = value }
        if action.hasFlag("enable-dynamic-port-allocation") { dynamicPortAllocation = true }
        if action.hasFlag("enable-logging") {
            logging = true
            // gcloud's `--log-filter` defaults to ALL when logging is turned on.
            logFilter = action.value(flag: "log-filter") ?? logFilter ?? StepValue("ALL")
        }
    }
}

extension PlanResource {
    /// Plan steps as the resources the forms write: two steps that change one resource (enable a
    /// rule, then move its priority) are one resource, so no two documents or blocks stand for the
    /// same thing; a step with no typed form is kept alone, without a resource.
    struct Entry {
        var resource: PlanResource?
        var steps: [FixPlan.Step]
    }

    static func entries(_ plan: FixPlan, config: ConfigSnapshot) -> [Entry] {
        var entries: [Entry] = []
        var byIdentity: [String: Int] = [:]
        for step in plan.steps {
            guard let alone = PlanResource.of(step.action, config: config) else {
                entries.append(Entry(resource: nil, steps: [step]))
                continue
            }
            if let index = byIdentity[alone.identity], let base = entries[index].resource {
                entries[index].resource = PlanResource.of(step.action, config: config, base: base) ?? base
                entries[index].steps.append(step)
                continue
            }
            byIdentity[alone.identity] = entries.count
            entries.append(Entry(resource: alone, steps: [step]))
        }
        return entries
    }
}
