import Foundation

/// The network config read from the inputs: firewall rules, routes, networks, subnetworks,
/// routers with NAT, DNS zones and record sets. The same item read twice (JSON and a table, or
/// two pages) is kept once, the fuller reading winning.
public struct ConfigSnapshot: Sendable {
    public private(set) var firewallRules: [FirewallRule] = []
    /// The rules of firewall policies (hierarchical, global and regional network policies),
    /// each with its `policy`; evaluated with `firewallRules` by `FirewallModel(config:)`.
    public private(set) var firewallPolicyRules: [FirewallRule] = []
    public private(set) var routes: [Route] = []
    public private(set) var networks: [VPCNetwork] = []
    public private(set) var subnetworks: [Subnetwork] = []
    public private(set) var routers: [CloudRouter] = []
    /// NAT gateways read on their own (`routers nats list|describe`), not inside a router.
    public private(set) var standaloneNATs: [CloudNAT] = []
    public private(set) var zones: [ManagedZone] = []
    /// Names of the VM instances listed (`gcloud compute instances list`): a route whose next
    /// hop is an instance not among them sends its traffic nowhere.
    public private(set) var instanceNames: Set<String> = []
    public private(set) var recordSets: [RecordSet] = []
    /// Cloud NAT gateways' status from `routers get-status` (`routers.getRouterStatus`).
    public private(set) var natStatuses: [NATStatus] = []

    /// Which listings were read in full: an empty listing still says "there are none", while a
    /// listing never read, or read only in part (a region or a page that failed), says nothing
    /// of what is absent.
    public var listed: Set<Kind> { seen.subtracting(incomplete) }
    private var seen: Set<Kind> = []
    /// Listings some part of which could not be read (an API error on one region or page, an
    /// aggregated list's `unreachables`): what they hold is used, what they lack proves nothing.
    public private(set) var incomplete: Set<Kind> = []

    public mutating func markIncomplete(_ kind: Kind) { incomplete.insert(kind) }

    public enum Kind: String, Sendable, CaseIterable {
        case firewallRules = "firewall rules"
        case routes
        case networks
        case subnetworks
        case routers = "Cloud Routers"
        case nats = "Cloud NAT gateways"
        case zones = "DNS managed zones"
        case recordSets = "DNS record sets"
        case routerStatus = "Cloud Router status"
        case firewallPolicies = "firewall policies"
        case instances = "VM instances"
    }

    /// What one document added: how many items and of what kind (the run's account counts them).
    public struct Addition: Sendable, Equatable {
        public var kind: Kind
        public var count: Int
        public var source: String { kind.rawValue }
    }

    public init() {}

    /// A value in a config resource that failed its check, waiting to be reported.
    public struct Rejection: Sendable {
        public var value: RejectedValue
        public var location: RecordLocation?
        /// "firewall rule allow-x", "route r1"…
        public var resource: String
        /// The whole resource was left out (its name or defining range failed), not just the value.
        public var skippedResource: Bool
    }

    /// Rejections since the last `takeRejections()`.
    public private(set) var rejections: [Rejection] = []

    public mutating func takeRejections() -> [Rejection] {
        defer { rejections.removeAll() }
        return rejections
    }

    /// Reads one resource with `make`, queueing what it rejected.
    private mutating func checked<T>(
        _ what: String, _ d: [String: Any], _ location: RecordLocation?,
        _ make: ([String: Any], RecordLocation?, inout [RejectedValue]) -> T?
    ) -> T? {
        var rejected: [RejectedValue] = []
        let item = make(d, location, &rejected)
        let name = (d["name"] as? String).map { " " + ValueCheck.shown($0) } ?? ""
        rejections += rejected.map {
            Rejection(value: $0, location: location, resource: what + name, skippedResource: item == nil)
        }
        return item
    }

    public var isEmpty: Bool { listed.isEmpty }

    /// Takes in what another snapshot read: the second half of a large input read on another
    /// thread, whose lines are counted from its own start (`lineOffset` puts them in the file's).
    /// Its rejections were reported where it read them.
    mutating func absorb(_ other: ConfigSnapshot, lineOffset: Int) {
        func shifted<T>(_ item: T, _ location: WritableKeyPath<T, RecordLocation?>) -> T {
            var item = item
            item[keyPath: location]?.line += lineOffset
            return item
        }
        for rule in other.firewallRules { insert(shifted(rule, \.location)) }
        if !other.firewallPolicyRules.isEmpty { insert(policyRules: other.firewallPolicyRules.map { shifted($0, \.location) }) }
        for route in other.routes { insert(shifted(route, \.location)) }
        for network in other.networks { insert(shifted(network, \.location)) }
        for subnet in other.subnetworks { insert(shifted(subnet, \.location)) }
        for router in other.routers { insert(shifted(router, \.location)) }
        for nat in other.standaloneNATs { insert(nat) }
        for zone in other.zones { insert(shifted(zone, \.location)) }
        for record in other.recordSets { insert(shifted(record, \.location)) }
        for status in other.natStatuses { insert(status) }
        instanceNames.formUnion(other.instanceNames)
        seen.formUnion(other.seen)
        incomplete.formUnion(other.incomplete)
    }

    /// Takes a decoded document (an API resource, a list response, gcloud's JSON/YAML of one);
    /// false when it is not network config.
    public mutating func add(document: [String: Any], location: RecordLocation) -> Bool {
        read(document: document, location: location) != nil
    }

    /// Like `add(document:location:)`, saying what was added; nil when it is not network config.
    public mutating func read(document d: [String: Any], location: RecordLocation?) -> Addition? {
        let kindName = d["kind"] as? String ?? ""
        if let statuses = NATStatus.statuses(in: d) {
            for status in statuses { insert(status) }
            seen.insert(.routerStatus)
            return Addition(kind: .routerStatus, count: statuses.count)
        }
        // networks.getEffectiveFirewalls: the network's VPC rules and the policies applied to it.
        if FirewallPolicyReader.isEffectiveFirewalls(d) {
            var count = 0
            seen.insert(.firewallRules)
            for case let item as [String: Any] in d["firewalls"] as? [Any] ?? [] {
                if readResource(item, hint: .firewallRules, zone: nil, location: location) != nil { count += 1 }
            }
            let policyRules = FirewallPolicyReader.rules(ofEffective: d, location: location)
            insert(policyRules: policyRules)
            return Addition(kind: .firewallRules, count: count + policyRules.count)
        }
        // compute#firewallList and friends, paged or not.
        if let items = d["items"] as? [[String: Any]] ?? (kindName.hasSuffix("List") && d["items"] == nil ? [] : nil) {
            let hinted = Self.kind(ofList: kindName)
            var addition: Addition?
            for item in items {
                guard let added = readResource(item, hint: hinted, zone: nil, location: location) else { continue }
                addition = Addition(kind: added, count: (addition?.count ?? 0) + 1)
            }
            if let addition { return addition }
            if let hinted { seen.insert(hinted); return Addition(kind: hinted, count: 0) }
            return nil
        }
        // Aggregated lists: {"items": {"regions/R": {"subnetworks": [...]} | {"warning": ...}}}.
        if let scopes = d["items"] as? [String: Any] {
            var addition: Addition?
            let hinted = Self.kind(ofList: kindName)
            // With returnPartialSuccess, scopes that failed are named in `unreachables`.
            if let hinted, let unreachable = d["unreachables"] as? [Any], !unreachable.isEmpty { incomplete.insert(hinted) }
            for case let scope as [String: Any] in scopes.values {
                for (key, value) in scope where key != "warning" {
                    guard let items = value as? [[String: Any]] else { continue }
                    for item in items {
                        guard let added = readResource(item, hint: hinted ?? Self.kind(ofCollection: key), zone: nil, location: location)
                        else { continue }
                        addition = Addition(kind: added, count: (addition?.count ?? 0) + 1)
                    }
                }
            }
            if let addition { return addition }
            if let hinted { seen.insert(hinted); return Addition(kind: hinted, count: 0) }
            return nil
        }
        if let zones = d["managedZones"] as? [[String: Any]] {
            seen.insert(.zones)
            let count = zones.filter { readResource($0, hint: .zones, zone: nil, location: location) != nil }.count
            return Addition(kind: .zones, count: count)
        }
        if let records = d["rrsets"] as? [[String: Any]] {
            seen.insert(.recordSets)
            let count = records.filter { readResource($0, hint: .recordSets, zone: nil, location: location) != nil }.count
            return Addition(kind: .recordSets, count: count)
        }
        return readResource(d, hint: nil, zone: nil, location: location).map { Addition(kind: $0, count: 1) }
    }

    private static func kind(ofList kind: String) -> Kind? {
        switch kind {
        case "compute#firewallList": return .firewallRules
        case "compute#firewallPolicyList": return .firewallPolicies
        case "compute#routeList": return .routes
        case "compute#networkList": return .networks
        case "compute#subnetworkList", "compute#subnetworkAggregatedList": return .subnetworks
        case "compute#routerList", "compute#routerAggregatedList": return .routers
        case "compute#instanceList", "compute#instanceAggregatedList": return .instances
        case "dns#managedZonesListResponse": return .zones
        case "dns#resourceRecordSetsListResponse": return .recordSets
        default: return nil
        }
    }

    private static func kind(ofCollection key: String) -> Kind? {
        switch key {
        case "subnetworks": return .subnetworks
        case "routers": return .routers
        case "instances": return .instances
        default: return nil
        }
    }

    /// One resource, by its `kind` or, where gcloud dropped it, by its shape.
    private mutating func readResource(_ d: [String: Any], hint: Kind?, zone: String?, location: RecordLocation?) -> Kind? {
        let kind: Kind?
        switch d["kind"] as? String {
        case "compute#firewall": kind = .firewallRules
        case "compute#firewallPolicy": kind = .firewallPolicies
        case "compute#route": kind = .routes
        case "compute#network": kind = .networks
        case "compute#subnetwork": kind = .subnetworks
        case "compute#router": kind = .routers
        case "compute#instance": kind = .instances
        case "dns#managedZone": kind = .zones
        case "dns#resourceRecordSet": kind = .recordSets
        case FirewallRule.configConnectorKind?:
            guard let rule = FirewallRule(configConnector: d, location: location) else { return nil }
            // Config Connector holds only the rules it manages, not GKE's own: they never make
            // the listing complete enough to judge a flow denied on their own.
            Self.upsert(&firewallRules, &firewallIndex, rule, key: rule.name, partial: \.isPartial)
            return .firewallRules
        case .some(let other) where !other.isEmpty: return nil
        default: kind = hint ?? Self.kind(ofShape: d)
        }
        guard let kind else { return nil }
        switch kind {
        case .firewallRules:
            guard let rule = checked("firewall rule", d, location, { FirewallRule(resource: $0, location: $1, rejected: &$2) })
            else { return nil }
            insert(rule)
        case .routes:
            guard let route = checked("route", d, location, { Route(resource: $0, location: $1, rejected: &$2) }) else { return nil }
            insert(route)
        case .networks:
            guard let network = checked("network", d, location, { VPCNetwork(resource: $0, location: $1, rejected: &$2) })
            else { return nil }
            insert(network)
        case .subnetworks:
            guard let subnet = checked("subnetwork", d, location, { Subnetwork(resource: $0, location: $1, rejected: &$2) })
            else { return nil }
            insert(subnet)
        case .routers:
            guard let router = CloudRouter(resource: d, location: location) else { return nil }
            insert(router)
        case .nats:
            guard let nat = CloudNAT(resource: d, router: nil, region: nil) else { return nil }
            insert(nat)
        case .instances:
            // Only the name matters: whether a route's next-hop instance still exists.
            guard let name = d["name"] as? String, ValueCheck.isResourceName(name) else { return nil }
            instanceNames.insert(name)
            seen.insert(.instances)
        case .zones:
            guard let zone = ManagedZone(resource: d, location: location) else { return nil }
            insert(zone)
        case .recordSets:
            guard let record = RecordSet(resource: d, zone: zone, location: location) else { return nil }
            insert(record)
        case .routerStatus:
            return nil
        case .firewallPolicies:
            insert(policyRules: FirewallPolicyReader.rules(ofPolicy: d, location: location))
        }
        return kind
    }

    /// gcloud's JSON/YAML keeps `kind` for most resources but not for NAT gateways; API
    /// exports trimmed by jq may lose it anywhere.
    private static func kind(ofShape d: [String: Any]) -> Kind? {
        if d["allowed"] != nil || d["denied"] != nil { return d["name"] != nil ? .firewallRules : nil }
        if d["destRange"] != nil { return .routes }
        if d["sourceSubnetworkIpRangesToNat"] != nil || d["natIpAllocateOption"] != nil { return .nats }
        if d["nats"] != nil || d["bgp"] != nil { return .routers }
        if d["ipCidrRange"] != nil && d["region"] != nil { return .subnetworks }
        if d["autoCreateSubnetworks"] != nil || d["IPv4Range"] != nil || d["routingConfig"] != nil { return .networks }
        if d["dnsName"] != nil { return .zones }
        if d["rrdatas"] != nil && d["type"] != nil { return .recordSets }
        if FirewallPolicyReader.isPolicy(d) { return .firewallPolicies }
        return nil
    }

    // MARK: inserting (also used by the table readers)

    /// Positions by name, so that thousands of rules or routes are not searched one by one.
    private var firewallIndex: [String: Int] = [:]
    private var policyRuleIndex: [String: Int] = [:]
    private var routeIndex: [String: Int] = [:]
    private var recordIndex: [String: Int] = [:]

    public mutating func insert(_ rule: FirewallRule) {
        seen.insert(.firewallRules)
        Self.upsert(&firewallRules, &firewallIndex, rule, key: rule.name, partial: \.isPartial)
    }

    /// A policy's rules, one per policy, priority and network (a policy read twice is kept once).
    public mutating func insert(policyRules: [FirewallRule]) {
        seen.insert(.firewallPolicies)
        for rule in policyRules {
            Self.upsert(&firewallPolicyRules, &policyRuleIndex, rule, key: "\(rule.name) \(rule.network ?? "")", partial: \.isPartial)
        }
    }

    public mutating func insert(_ route: Route) {
        seen.insert(.routes)
        Self.upsert(&routes, &routeIndex, route, key: route.name, partial: \.isPartial)
    }

    private static func upsert<T>(_ list: inout [T], _ index: inout [String: Int], _ item: T, key: String, partial: KeyPath<T, Bool>) {
        if let i = index[key] {
            if !item[keyPath: partial] || list[i][keyPath: partial] { list[i] = item }
        } else {
            index[key] = list.count
            list.append(item)
        }
    }

    public mutating func insert(_ network: VPCNetwork) {
        seen.insert(.networks)
        Self.upsert(&networks, network, same: { $0.name == network.name }, partial: \.isPartial)
    }

    public mutating func insert(_ subnet: Subnetwork) {
        seen.insert(.subnetworks)
        Self.upsert(&subnetworks, subnet, same: { $0.name == subnet.name && $0.region == subnet.region }, partial: \.isPartial)
    }

    public mutating func insert(_ router: CloudRouter) {
        seen.insert(.routers)
        seen.insert(.nats)
        Self.upsert(&routers, router, same: { $0.name == router.name && $0.region == router.region }, partial: \.isPartial)
        standaloneNATs.removeAll { nat in router.nats.contains { $0.name == nat.name } }
    }

    public mutating func insert(_ nat: CloudNAT) {
        seen.insert(.nats)
        if routers.contains(where: { $0.nats.contains { $0.name == nat.name } }) { return }
        Self.upsert(&standaloneNATs, nat, same: { $0.name == nat.name }, partial: \.isPartial)
    }

    public mutating func insert(_ zone: ManagedZone) {
        seen.insert(.zones)
        Self.upsert(&zones, zone, same: { $0.name == zone.name }, partial: \.isPartial)
    }

    public mutating func insert(_ record: RecordSet) {
        seen.insert(.recordSets)
        // One record set per name and type within a zone; a listing that names no zone (gcloud's
        // output) matches the same set read with its zone.
        let key = "\(record.name) \(record.type)"
        if let i = recordIndex[key], recordSets[i].zone == nil || record.zone == nil || recordSets[i].zone == record.zone {
            var merged = record
            merged.zone = record.zone ?? recordSets[i].zone
            recordSets[i] = merged
        } else {
            recordIndex[key] = recordSets.count
            recordSets.append(record)
        }
    }

    /// One status per gateway name and network; a later reading replaces an earlier one.
    public mutating func insert(_ status: NATStatus) {
        seen.insert(.routerStatus)
        natStatuses.removeAll { $0.name == status.name && ($0.network == nil || status.network == nil || $0.network == status.network) }
        natStatuses.append(status)
    }

    /// Keeps one copy: a full reading replaces a partial one, never the other way round.
    private static func upsert<T>(_ list: inout [T], _ item: T, same: (T) -> Bool, partial: KeyPath<T, Bool>) {
        if let i = list.firstIndex(where: same) {
            if !item[keyPath: partial] || list[i][keyPath: partial] { list[i] = item }
        } else {
            list.append(item)
        }
    }

    // MARK: questions

    /// Every NAT gateway, with its router's region where known.
    public var nats: [CloudNAT] { routers.flatMap(\.nats) + standaloneNATs }

    /// The zone a record belongs to: the one it was listed from, else the zone whose dnsName is
    /// the longest suffix of its name.
    public func zone(of record: RecordSet) -> ManagedZone? {
        if let name = record.zone, let zone = zones.first(where: { $0.name == name }) { return zone }
        return zones.filter { DNSName.isWithin(record.name, $0.dnsName) }.max { $0.dnsName.count < $1.dnsName.count }
    }

    /// Record sets of a zone.
    public func records(in zone: ManagedZone) -> [RecordSet] {
        recordSets.filter { self.zone(of: $0)?.name == zone.name }
    }

    /// The status read for a gateway: by its name, on its router's network when both are known.
    public func status(of nat: CloudNAT) -> NATStatus? {
        let network = nat.router.flatMap { name in routers.first { $0.name == name && $0.region == nat.region }?.network }
        return natStatuses.first { $0.name == nat.name && ($0.network == nil || network == nil || $0.network == network) }
    }

    /// The private zone for `domain` ("gcr.io.") visible to `network` (nil: any network).
    public func privateZone(for domain: String, network: String?) -> ManagedZone? {
        zones.first { zone in
            zone.dnsName == domain && zone.visibility != "public"
                && (zone.networks == nil || network == nil || zone.networks!.contains(network!))
        }
    }

    /// The NAT gateways that can serve `region` on `network` (an unknown value matches anything).
    public func nats(in region: String?, network: String?) -> [CloudNAT] {
        nats.filter { nat in
            let router = routers.first { $0.name == nat.router }
            return (nat.region == nil || region == nil || nat.region == region)
                && (router?.network == nil || network == nil || router?.network == network)
        }
    }

    /// Whether any firewall rule was read from a table that hides ranges and tags.
    public var hasPartialFirewallRules: Bool { firewallRules.contains(where: \.isPartial) }
}
