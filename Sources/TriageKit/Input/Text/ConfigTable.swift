import Foundation

/// gcloud's default tables for network config (`compute firewall-rules list`, `routes list`,
/// `networks list`, `networks subnets list`, `routers list`, `routers nats list`,
/// `dns managed-zones list`, `dns record-sets list`). Columns are found by the header's
/// positions, because cells may be empty (DENY on an allow rule) or hold spaces (DESCRIPTION).
/// Tables drop fields (a firewall table has no ranges or tags), so items read here are partial.
public final class ConfigTable: TextTableParser {
    /// The tables gcloud 528 prints, by their header's column names (checked against the real
    /// gcloud; see tools/capture-config.sh).
    enum Layout: CaseIterable {
        case firewallRules, routes, networks, subnets, routers, nats, zones, recordSets

        var columns: [String] {
            switch self {
            case .firewallRules: return ["NAME", "NETWORK", "DIRECTION", "PRIORITY", "ALLOW", "DENY", "DISABLED"]
            case .routes: return ["NAME", "NETWORK", "DEST_RANGE", "NEXT_HOP", "PRIORITY"]
            case .networks: return ["NAME", "SUBNET_MODE", "BGP_ROUTING_MODE", "IPV4_RANGE", "GATEWAY_IPV4"]
            case .subnets: return ["NAME", "REGION", "NETWORK", "RANGE"]
            case .routers: return ["NAME", "REGION", "NETWORK"]
            case .nats: return ["NAME", "NAT_IP_ALLOCATE_OPTION", "SOURCE_SUBNETWORK_IP_RANGES_TO_NAT"]
            case .zones: return ["NAME", "DNS_NAME", "DESCRIPTION", "VISIBILITY"]
            case .recordSets: return ["NAME", "TYPE", "TTL", "DATA"]
            }
        }

        /// The exact column list, so that `routers list` is not mistaken for a prefix of another.
        func matches(_ names: [String]) -> Bool {
            switch self {
            case .routers: return names == columns
            default: return names.starts(with: columns)
            }
        }
    }

    let layout: Layout
    let input: String
    private let starts: [Int]
    private let names: [String]
    private var rows: [(cells: [String: String], line: Int)] = []

    init(layout: Layout, names: [String], starts: [Int], input: String) {
        self.layout = layout
        self.names = names
        self.starts = starts
        self.input = input
    }

    public static func parser(header: String, input: String, line: Int) -> ConfigTable? {
        let characters = Array(header)
        var names: [String] = []
        var starts: [Int] = []
        var i = 0
        while i < characters.count {
            if characters[i] == " " { i += 1; continue }
            let start = i
            while i < characters.count && characters[i] != " " { i += 1 }
            names.append(String(characters[start..<i]))
            starts.append(start)
        }
        guard names.allSatisfy({ $0.allSatisfy { $0.isUppercase || $0 == "_" || $0.isNumber } }),
            let layout = Layout.allCases.first(where: { $0.matches(names) })
        else { return nil }
        return ConfigTable(layout: layout, names: names, starts: starts, input: input)
    }

    public func line(_ text: String, number: Int) {
        let characters = Array(text)
        var cells: [String: String] = [:]
        for (index, name) in names.enumerated() {
            let start = starts[index]
            guard start < characters.count else { break }
            let end = index + 1 < starts.count ? min(starts[index + 1], characters.count) : characters.count
            cells[name] = TextLine.trimmingBlanks(String(characters[start..<end]), unicodeSpaces: true)
        }
        guard let name = cells["NAME"], !name.isEmpty else { return }
        rows.append((cells, number))
    }

    public func finish(into collector: EvidenceCollector) -> Int {
        var count = 0
        for (cells, number) in rows {
            let location = RecordLocation(input: input, line: number, byteOffset: 0)
            if add(cells, location: location, to: &collector.config) { count += 1 }
        }
        if count > 0 { collector.countConfig(kind.rawValue, count) }
        rows.removeAll()
        return count
    }

    var kind: ConfigSnapshot.Kind {
        switch layout {
        case .firewallRules: return .firewallRules
        case .routes: return .routes
        case .networks: return .networks
        case .subnets: return .subnetworks
        case .routers: return .routers
        case .nats: return .nats
        case .zones: return .zones
        case .recordSets: return .recordSets
        }
    }

    private func add(_ c: [String: String], location: RecordLocation, to config: inout ConfigSnapshot) -> Bool {
        let name = c["NAME"] ?? ""
        func value(_ key: String) -> String? { c[key].flatMap { $0.isEmpty ? nil : $0 } }
        switch layout {
        case .firewallRules:
            guard let direction = value("DIRECTION").flatMap(FirewallRule.Direction.init),
                let priority = value("PRIORITY").flatMap(Int.init)
            else { return false }
            let deny = value("DENY")
            config.insert(FirewallRule(
                name: name, network: value("NETWORK"), direction: direction, priority: priority,
                action: deny == nil ? .allow : .deny,
                permissions: FirewallRule.permissions(fromTable: deny ?? value("ALLOW") ?? ""),
                sourceRanges: nil, destinationRanges: nil, sourceTags: nil, targetTags: nil,
                sourceServiceAccounts: nil, targetServiceAccounts: nil,
                disabled: value("DISABLED")?.lowercased() == "true", logging: nil, isPartial: true, location: location))
        case .routes:
            guard let destination = value("DEST_RANGE").flatMap(CIDR.init),
                let priority = value("PRIORITY").flatMap(Int.init)
            else { return false }
            let network = value("NETWORK")
            config.insert(Route(
                name: name, network: network, destination: destination, priority: priority,
                nextHop: Route.nextHop(fromTable: value("NEXT_HOP") ?? "", network: network), tags: nil,
                isPartial: true, location: location))
        case .networks:
            let mode = value("SUBNET_MODE")
            config.insert(VPCNetwork(
                name: name, autoCreateSubnetworks: mode.map { $0 == "AUTO" },
                // A legacy network shows SUBNET_MODE LEGACY and its range under IPV4_RANGE.
                legacyRange: value("IPV4_RANGE").flatMap(CIDR.init), isPartial: true, location: location))
        case .subnets:
            guard let primary = value("RANGE").flatMap(CIDR.init) else { return false }
            config.insert(Subnetwork(
                name: name, region: value("REGION"), network: value("NETWORK"), primary: primary, secondaryRanges: nil,
                privateIpGoogleAccess: nil, isPartial: true, location: location))
        case .routers:
            config.insert(CloudRouter(
                name: name, region: value("REGION"), network: value("NETWORK"), nats: [], isPartial: true, location: location))
        case .nats:
            config.insert(CloudNAT(
                name: name, coverage: value("SOURCE_SUBNETWORK_IP_RANGES_TO_NAT").flatMap(CloudNAT.Coverage.init),
                subnetworks: nil, isPartial: true))
        case .zones:
            guard let dnsName = value("DNS_NAME") else { return false }
            config.insert(ManagedZone(
                name: name, dnsName: dnsName, visibility: value("VISIBILITY")?.lowercased(), networks: nil,
                isPartial: true, location: location))
        case .recordSets:
            guard let type = value("TYPE") else { return false }
            // DATA joins the rrdatas with commas; TXT data may hold commas, which the table
            // cannot tell apart, so only address and name records are split.
            let data = value("DATA") ?? ""
            let rrdatas = ["A", "AAAA", "CNAME", "NS"].contains(type.uppercased())
                ? data.split(separator: ",").map(String.init) : [data]
            config.insert(RecordSet(name: name, type: type, ttl: value("TTL").flatMap(Int.init), rrdatas: rrdatas,
                                    location: location))
        }
        return true
    }
}
