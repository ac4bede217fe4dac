import Foundation

/// What the config given says already exists where a cluster's nodes are, so remedies never
/// create it again: each fact is "present", "missing" (its listing was read in full and it is
/// not there) or "unknown" (the listing was not given, or read only in part). Rules test these
/// in a command's `when:` (`when: {exists.zone.gcr: [missing, unknown]}`).
///
/// - `exists.zone.googleapis`, `exists.zone.gcr`, `exists.zone.pkg`: a private zone for
///   googleapis.com., gcr.io., pkg.dev. visible to the cluster's network
/// - `exists.vip_route`: a route to the restricted VIP 199.36.153.4/30 through the default
///   internet gateway on the network
/// - `exists.nat`: a Cloud NAT gateway on the network in the nodes' region; `nat.router` its router
/// - `pga`: Private Google Access on the nodes' subnet (on, off, unknown)
public enum ConfigState {
    public static let fields = [
        "exists.zone.googleapis", "exists.zone.gcr", "exists.zone.pkg", "exists.vip_route", "exists.nat", "nat.router", "pga",
    ]

    static func facts(config: ConfigSnapshot, network: ClusterNetwork) -> [String: String] {
        var facts: [String: String] = [:]
        func state(_ listed: Bool, _ present: Bool) -> String { present ? "present" : listed ? "missing" : "unknown" }
        let zonesListed = config.listed.contains(.zones)
        for (key, domain) in [("googleapis", "googleapis.com."), ("gcr", "gcr.io."), ("pkg", "pkg.dev.")] {
            facts["exists.zone." + key] = state(zonesListed, config.privateZone(for: domain, network: network.network) != nil)
        }
        let vip = CIDR("199.36.153.4/30")!
        let vipRoute = config.routes.contains { route in
            route.nextHop == .internetGateway && route.destination.contains(vip)
                && (route.network == nil || network.network == nil || route.network == network.network)
        }
        facts["exists.vip_route"] = state(config.listed.contains(.routes), vipRoute)
        let nat = config.nats(in: network.region, network: network.network).first
        facts["exists.nat"] = state(config.listed.contains(.routers) || config.listed.contains(.nats), nat != nil)
        facts["nat.router"] = nat?.router
        if let subnet = network.nodeSubnets.first, let access = subnet.privateIpGoogleAccess {
            facts["pga"] = access ? "on" : "off"
        } else {
            facts["pga"] = "unknown"
        }
        return facts
    }
}
