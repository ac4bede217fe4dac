import Foundation

/// One VPC route. Subnet routes come as routes whose next hop is the network itself.
public struct Route: Sendable, Equatable {
    public enum NextHop: Sendable, Equatable {
        /// `nextHopGateway` …/default-internet-gateway.
        case internetGateway
        case instance(String)
        case ip(String)
        case vpnTunnel(String)
        case internalLoadBalancer(String)
        /// A VPC peering (GKE's control plane, or another VPC).
        case peering(String)
        /// The network itself: a subnet route.
        case network(String)
        /// A name gcloud's table printed that could be an instance, a tunnel or a peering.
        case unknown(String)

        public var kind: String {
            switch self {
            case .internetGateway: return "default-internet-gateway"
            case .instance: return "instance"
            case .ip: return "ip"
            case .vpnTunnel: return "vpn-tunnel"
            case .internalLoadBalancer: return "internal-load-balancer"
            case .peering: return "peering"
            case .network: return "subnet"
            case .unknown: return "unknown"
            }
        }

        public var target: String {
            switch self {
            case .internetGateway: return "default-internet-gateway"
            case .instance(let s), .ip(let s), .vpnTunnel(let s), .internalLoadBalancer(let s), .peering(let s),
                .network(let s), .unknown(let s):
                return s
            }
        }
    }

    public var name: String
    public var network: String?
    public var destination: CIDR
    public var priority: Int
    public var nextHop: NextHop
    /// Instance tags the route applies to; empty = every instance; nil = not shown (a table).
    public var tags: [String]?
    public var isPartial: Bool
    public var location: RecordLocation?

    public init(
        name: String, network: String? = nil, destination: CIDR, priority: Int = 1000, nextHop: NextHop,
        tags: [String]? = [], isPartial: Bool = false, location: RecordLocation? = nil
    ) {
        self.name = name
        self.network = network
        self.destination = destination
        self.priority = priority
        self.nextHop = nextHop
        self.tags = tags
        self.isPartial = isPartial
        self.location = location
    }

    /// Reads a Compute `Route` resource.
    public init?(resource d: [String: Any], location: RecordLocation?) {
        var rejected: [RejectedValue] = []
        self.init(resource: d, location: location, rejected: &rejected)
    }

    /// Reads a Compute `Route` resource, checking its values: a name or destination that fails
    /// rejects the route (nil); any other value that fails is left out and makes it partial.
    public init?(resource d: [String: Any], location: RecordLocation?, rejected: inout [RejectedValue]) {
        guard let name = d["name"] as? String, let destText = d["destRange"] as? String else { return nil }
        guard ValueCheck.isResourceName(name) else {
            rejected.append(RejectedValue(field: "name", value: name, reason: ValueCheck.resourceNameReason))
            return nil
        }
        let dest: CIDR
        switch ValueCheck.cidr(destText) {
        case .success(let cidr): dest = cidr
        case .failure(let why):
            rejected.append(RejectedValue(field: "destRange", value: destText, reason: why.text))
            return nil
        }
        let before = rejected.count
        self.name = name
        network = ConfigValue.name("network", d["network"], &rejected)
        destination = dest
        priority = ConfigValue.priority(d["priority"], &rejected) ?? 1000
        if let gateway = d["nextHopGateway"] as? String {
            nextHop = gateway.hasSuffix("default-internet-gateway") ? .internetGateway : .unknown(ConfigValue.lastSegment(gateway))
        } else if let instance = d["nextHopInstance"] as? String {
            nextHop = .instance(ConfigValue.lastSegment(instance))
        } else if let tunnel = d["nextHopVpnTunnel"] as? String {
            nextHop = .vpnTunnel(ConfigValue.lastSegment(tunnel))
        } else if let ilb = d["nextHopIlb"] as? String {
            nextHop = .internalLoadBalancer(ConfigValue.lastSegment(ilb))
        } else if let ip = d["nextHopIp"] as? String {
            if IPAddress(ip) != nil {
                nextHop = .ip(ip)
            } else {
                rejected.append(RejectedValue(field: "nextHopIp", value: ip, reason: "is not an IPv4 or IPv6 address"))
                nextHop = .unknown("")
            }
        } else if let peering = d["nextHopPeering"] as? String {
            nextHop = .peering(peering)
        } else if let network = d["nextHopNetwork"] as? String {
            nextHop = .network(ConfigValue.lastSegment(network))
        } else {
            nextHop = .unknown("")
        }
        tags = ConfigValue.names("tags", d["tags"], &rejected)
        isPartial = rejected.count > before
        self.location = location
    }

    /// Reads the NEXT_HOP column of `gcloud compute routes list`: the gateway's or network's
    /// name, an address, a peering's name, or `ZONE/instances/NAME` and `REGION/vpnTunnels/NAME`
    /// for resources that live in a zone or region.
    static func nextHop(fromTable text: String, network: String?) -> NextHop {
        if text == "default-internet-gateway" { return .internetGateway }
        if IPAddress(text) != nil { return .ip(text) }
        if text.contains("/instances/") { return .instance(ConfigValue.lastSegment(text)) }
        if text.contains("/vpnTunnels/") { return .vpnTunnel(ConfigValue.lastSegment(text)) }
        if text.contains("/forwardingRules/") { return .internalLoadBalancer(ConfigValue.lastSegment(text)) }
        if let network, text == network { return .network(text) }
        return .unknown(text)
    }

    /// Whether the route applies to an instance with these tags (nil tags: cannot tell, so yes).
    public func applies(toTags instanceTags: [String]) -> Bool {
        guard let tags, !tags.isEmpty else { return true }
        return tags.contains(where: instanceTags.contains)
    }
}
