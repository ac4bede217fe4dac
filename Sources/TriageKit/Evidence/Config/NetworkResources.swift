import Foundation

/// A VPC network (Compute `Network`).
public struct VPCNetwork: Sendable, Equatable {
    public var name: String
    public var autoCreateSubnetworks: Bool?
    /// `IPv4Range`: set only on legacy (non-subnet) networks, which GKE's VPC-native clusters
    /// cannot use.
    public var legacyRange: CIDR?
    public var peerings: [String]
    public var isPartial: Bool
    public var location: RecordLocation?
    /// `networkFirewallPolicyEnforcementOrder` is BEFORE_CLASSIC_FIREWALL: the network's firewall
    /// policies are evaluated before its VPC firewall rules (the default is after).
    public var policiesBeforeClassic = false

    public var isLegacy: Bool { legacyRange != nil }

    public init(name: String, autoCreateSubnetworks: Bool? = nil, legacyRange: CIDR? = nil, peerings: [String] = [],
                isPartial: Bool = false, location: RecordLocation? = nil) {
        self.name = name
        self.autoCreateSubnetworks = autoCreateSubnetworks
        self.legacyRange = legacyRange
        self.peerings = peerings
        self.isPartial = isPartial
        self.location = location
    }

    public init?(resource d: [String: Any], location: RecordLocation?) {
        var rejected: [RejectedValue] = []
        self.init(resource: d, location: location, rejected: &rejected)
    }

    /// Checks the name (nil when it fails) and the legacy range (left out, the network partial).
    public init?(resource d: [String: Any], location: RecordLocation?, rejected: inout [RejectedValue]) {
        guard let name = d["name"] as? String else { return nil }
        guard ValueCheck.isResourceName(name) else {
            rejected.append(RejectedValue(field: "name", value: name, reason: ValueCheck.resourceNameReason))
            return nil
        }
        let before = rejected.count
        self.name = name
        autoCreateSubnetworks = ConfigValue.bool(d["autoCreateSubnetworks"])
        legacyRange = ConfigValue.ranges("IPv4Range", (d["IPv4Range"] as? String).map { [$0] }, &rejected).first
        peerings = (d["peerings"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        policiesBeforeClassic = (d["networkFirewallPolicyEnforcementOrder"] as? String)?.uppercased() == "BEFORE_CLASSIC_FIREWALL"
        isPartial = rejected.count > before
        self.location = location
    }
}

/// A subnetwork with its secondary (alias) ranges.
public struct Subnetwork: Sendable, Equatable {
    public struct SecondaryRange: Sendable, Equatable {
        public var name: String
        public var cidr: CIDR
    }

    public var name: String
    public var region: String?
    public var network: String?
    public var primary: CIDR
    /// nil when not shown (gcloud's table).
    public var secondaryRanges: [SecondaryRange]?
    public var privateIpGoogleAccess: Bool?
    public var isPartial: Bool
    public var location: RecordLocation?

    public init(name: String, region: String?, network: String?, primary: CIDR, secondaryRanges: [SecondaryRange]? = [],
                privateIpGoogleAccess: Bool? = nil, isPartial: Bool = false, location: RecordLocation? = nil) {
        self.name = name
        self.region = region
        self.network = network
        self.primary = primary
        self.secondaryRanges = secondaryRanges
        self.privateIpGoogleAccess = privateIpGoogleAccess
        self.isPartial = isPartial
        self.location = location
    }

    public init?(resource d: [String: Any], location: RecordLocation?) {
        var rejected: [RejectedValue] = []
        self.init(resource: d, location: location, rejected: &rejected)
    }

    /// Checks the name and primary range (nil when either fails), and the region, network and
    /// secondary ranges (left out, the subnet partial, when they fail).
    public init?(resource d: [String: Any], location: RecordLocation?, rejected: inout [RejectedValue]) {
        guard let name = d["name"] as? String, let primaryText = d["ipCidrRange"] as? String else { return nil }
        guard ValueCheck.isResourceName(name) else {
            rejected.append(RejectedValue(field: "name", value: name, reason: ValueCheck.resourceNameReason))
            return nil
        }
        guard let primary = ConfigValue.ranges("ipCidrRange", [primaryText], &rejected).first else { return nil }
        let before = rejected.count
        self.name = name
        region = ConfigValue.name("region", d["region"], &rejected)
        network = ConfigValue.name("network", d["network"], &rejected)
        self.primary = primary
        var secondary: [SecondaryRange] = []
        for range in d["secondaryIpRanges"] as? [[String: Any]] ?? [] {
            guard let rangeName = ConfigValue.name("secondaryIpRanges.rangeName", range["rangeName"], &rejected),
                let cidr = ConfigValue.ranges("secondaryIpRanges.ipCidrRange", (range["ipCidrRange"] as? String).map { [$0] }, &rejected).first
            else { continue }
            secondary.append(SecondaryRange(name: rangeName, cidr: cidr))
        }
        secondaryRanges = secondary
        // The API omits false booleans; a JSON resource without the field means off.
        privateIpGoogleAccess = ConfigValue.bool(d["privateIpGoogleAccess"]) ?? false
        isPartial = rejected.count > before
        self.location = location
    }
}

/// A Cloud Router and the Cloud NAT gateways configured on it.
public struct CloudRouter: Sendable, Equatable {
    public var name: String
    public var region: String?
    public var network: String?
    public var nats: [CloudNAT]
    public var isPartial: Bool
    public var location: RecordLocation?

    public init(name: String, region: String?, network: String?, nats: [CloudNAT] = [], isPartial: Bool = false,
                location: RecordLocation? = nil) {
        self.name = name
        self.region = region
        self.network = network
        self.nats = nats
        self.isPartial = isPartial
        self.location = location
    }

    public init?(resource d: [String: Any], location: RecordLocation?) {
        guard let name = d["name"] as? String else { return nil }
        self.name = name
        let region = (d["region"] as? String).map(ConfigValue.lastSegment)
        self.region = region
        network = (d["network"] as? String).map(ConfigValue.lastSegment)
        nats = (d["nats"] as? [[String: Any]] ?? []).compactMap { CloudNAT(resource: $0, router: name, region: region) }
        isPartial = false
        self.location = location
    }
}

/// One `router.nats[]` entry.
public struct CloudNAT: Sendable, Equatable {
    public enum Coverage: String, Sendable {
        case allRanges = "ALL_SUBNETWORKS_ALL_IP_RANGES"
        case allPrimaryRanges = "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES"
        case listOfSubnetworks = "LIST_OF_SUBNETWORKS"
    }

    /// One `subnetworks[]` entry of a LIST_OF_SUBNETWORKS gateway.
    public struct SubnetworkCoverage: Sendable, Equatable {
        public var name: String
        /// ALL_IP_RANGES, PRIMARY_IP_RANGE, LIST_OF_SECONDARY_IP_RANGES.
        public var sourceIpRangesToNat: [String]
        public var secondaryIpRangeNames: [String]
    }

    public var name: String
    /// nil when read from `routers nats list|describe`, which print the gateway alone.
    public var router: String?
    public var region: String?
    public var coverage: Coverage?
    public var subnetworks: [SubnetworkCoverage]?
    public var logging: Bool?
    public var isPartial: Bool
    /// How many source ports and addresses it has; see `CloudNAT.Ports`.
    public var ports = Ports()

    public init(name: String, router: String? = nil, region: String? = nil, coverage: Coverage?,
                subnetworks: [SubnetworkCoverage]? = [], logging: Bool? = nil, isPartial: Bool = false) {
        self.name = name
        self.router = router
        self.region = region
        self.coverage = coverage
        self.subnetworks = subnetworks
        self.logging = logging
        self.isPartial = isPartial
    }

    public init?(resource d: [String: Any], router: String?, region: String?) {
        guard let name = d["name"] as? String else { return nil }
        self.name = name
        self.router = router
        self.region = region
        coverage = (d["sourceSubnetworkIpRangesToNat"] as? String).flatMap(Coverage.init)
        subnetworks = (d["subnetworks"] as? [[String: Any]] ?? []).compactMap { s in
            guard let url = s["name"] as? String else { return nil }
            return SubnetworkCoverage(
                name: ConfigValue.lastSegment(url), sourceIpRangesToNat: ConfigValue.strings(s["sourceIpRangesToNat"]),
                secondaryIpRangeNames: ConfigValue.strings(s["secondaryIpRangeNames"]))
        }
        logging = (d["logConfig"] as? [String: Any]).flatMap { ConfigValue.bool($0["enable"]) } ?? false
        isPartial = false
        ports = Ports(resource: d)
    }

    /// The gateway's address and port settings (Compute v1 `RouterNat`,
    /// https://cloud.google.com/compute/docs/reference/rest/v1/routers): `natIpAllocateOption`,
    /// `natIps`, `minPortsPerVm`, `maxPortsPerVm`, `enableDynamicPortAllocation`.
    public struct Ports: Sendable, Equatable {
        /// MANUAL_ONLY or AUTO_ONLY; nil when not shown.
        public var allocation: String?
        /// The names of the reserved addresses of a MANUAL_ONLY gateway.
        public var natIPs: [String] = []
        public var minPortsPerVM: Int?
        public var maxPortsPerVM: Int?
        public var dynamicPortAllocation: Bool = false

        /// Source ports one NAT address offers per protocol: 65,536 less the 1,024 well-known
        /// ones (https://cloud.google.com/nat/docs/ports-and-addresses).
        public static let portsPerAddress = 64_512

        /// The ports reserved for each VM: `minPortsPerVm`, else the documented default, 64 with
        /// static allocation and 32 with dynamic allocation (`enableDynamicPortAllocation`:
        /// "If minPortsPerVm is not set, a minimum of 32 ports will be allocated").
        public var effectiveMinPortsPerVM: Int { minPortsPerVM ?? (dynamicPortAllocation ? 32 : 64) }

        public init() {}

        init(resource d: [String: Any]) {
            allocation = (d["natIpAllocateOption"] as? String).flatMap { ["MANUAL_ONLY", "AUTO_ONLY"].contains($0) ? $0 : nil }
            natIPs = ConfigValue.strings(d["natIps"]).map(ConfigValue.lastSegment).filter(ValueCheck.isResourceName)
            minPortsPerVM = ConfigValue.int(d["minPortsPerVm"]).flatMap { (1...65_536).contains($0) ? $0 : nil }
            maxPortsPerVM = ConfigValue.int(d["maxPortsPerVm"]).flatMap { (1...65_536).contains($0) ? $0 : nil }
            dynamicPortAllocation = ConfigValue.bool(d["enableDynamicPortAllocation"]) ?? false
        }
    }

    /// What the gateway translates for a subnet: its primary range, and which secondary ranges.
    /// nil when the table did not say.
    public func covers(subnet: String, primary: Bool, secondaryRange: String?) -> Bool? {
        guard let coverage else { return nil }
        switch coverage {
        case .allRanges: return true
        case .allPrimaryRanges: return secondaryRange == nil
        case .listOfSubnetworks:
            guard let subnetworks else { return nil }
            guard let entry = subnetworks.first(where: { $0.name == subnet }) else { return false }
            // The API's default for a listed subnet is ALL_IP_RANGES.
            let modes = entry.sourceIpRangesToNat.isEmpty ? ["ALL_IP_RANGES"] : entry.sourceIpRangesToNat
            if modes.contains("ALL_IP_RANGES") { return true }
            if let secondaryRange {
                return modes.contains("LIST_OF_SECONDARY_IP_RANGES") && entry.secondaryIpRangeNames.contains(secondaryRange)
            }
            return primary && modes.contains("PRIMARY_IP_RANGE")
        }
    }
}

extension CloudNAT {
    /// The whole `--nat-custom-subnet-ip-ranges` list of a LIST_OF_SUBNETWORKS gateway with
    /// `additions` (`SUBNET` for a primary range, `SUBNET:RANGE` for a secondary one): the flag
    /// replaces the list, so every entry the gateway has is carried, in gcloud's words
    /// (`SUBNET:ALL`, `SUBNET`, `SUBNET:RANGE`; `gcloud compute routers nats update --help`).
    /// Nil for other coverage, or when the listing did not show the entries.
    public func customRanges(adding additions: [String]) -> [String]? {
        guard coverage == .listOfSubnetworks, let subnetworks, !isPartial else { return nil }
        var entries: [String] = []
        for entry in subnetworks {
            let modes = entry.sourceIpRangesToNat.isEmpty ? ["ALL_IP_RANGES"] : entry.sourceIpRangesToNat
            if modes.contains("ALL_IP_RANGES") { entries.append(entry.name + ":ALL"); continue }
            if modes.contains("PRIMARY_IP_RANGE") { entries.append(entry.name) }
            if modes.contains("LIST_OF_SECONDARY_IP_RANGES") { entries += entry.secondaryIpRangeNames.map { entry.name + ":" + $0 } }
        }
        for addition in additions where !entries.contains(addition) { entries.append(addition) }
        return entries
    }
}

/// One `natStatus[]` entry of a router's status (`gcloud compute routers get-status ROUTER
/// --format=json`, the API's `routers.getRouterStatus`: `{"kind": "compute#routerStatusResponse",
/// "result": {"network": …, "natStatus": [...]}}`; Compute v1 `RouterStatusNatStatus`). The response
/// does not name its router: a status is matched to its gateway by name and network.
public struct NATStatus: Sendable, Equatable {
    public var name: String
    public var network: String?
    /// "The number of extra IPs to allocate … greater than 0 only if user-specified IPs are NOT
    /// enough to allow all configured VMs to use NAT" (meaningful only for MANUAL_ONLY).
    public var minExtraNatIpsNeeded: Int?
    /// "Number of VM endpoints (i.e., Nics) that can use NAT."
    public var vmEndpointsWithNatMappings: Int?
    public var userAllocatedNatIps: [String]
    public var autoAllocatedNatIps: [String]

    /// The gateways' statuses of one router status response; nil when `d` is not one.
    static func statuses(in d: [String: Any]) -> [NATStatus]? {
        let result = d["result"] as? [String: Any]
        guard d["kind"] as? String == "compute#routerStatusResponse" || result?["natStatus"] != nil, let result else { return nil }
        let network = (result["network"] as? String).map(ConfigValue.lastSegment).flatMap { ValueCheck.isResourceName($0) ? $0 : nil }
        return (result["natStatus"] as? [[String: Any]] ?? []).compactMap { entry in
            guard let name = entry["name"] as? String, ValueCheck.isResourceName(name) else { return nil }
            return NATStatus(
                name: name, network: network,
                minExtraNatIpsNeeded: ConfigValue.int(entry["minExtraNatIpsNeeded"]).flatMap { $0 >= 0 ? $0 : nil },
                vmEndpointsWithNatMappings: ConfigValue.int(entry["numVmEndpointsWithNatMappings"]).flatMap { $0 >= 0 ? $0 : nil },
                userAllocatedNatIps: ConfigValue.strings(entry["userAllocatedNatIps"]),
                autoAllocatedNatIps: ConfigValue.strings(entry["autoAllocatedNatIps"]))
        }
    }
}
