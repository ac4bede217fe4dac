import Testing
@testable import TriageKit

struct RouteModelTests {
    static let vip = IPAddress("199.36.153.4")!
    static func route(_ name: String, _ dest: String, _ priority: Int, _ hop: Route.NextHop, tags: [String] = []) -> Route {
        Route(name: name, network: "vpc", destination: CIDR(dest)!, priority: priority, nextHop: hop, tags: tags)
    }

    @Test func mostSpecificPrefixThenLowestPriority() {
        let model = RouteModel(routes: [
            Self.route("default", "0.0.0.0/0", 1000, .internetGateway),
            Self.route("vip-igw", "199.36.153.4/30", 1000, .internetGateway),
            Self.route("vip-appliance", "199.36.153.4/30", 900, .instance("fw-appliance")),
        ])
        let decision = model.route(to: Self.vip, tags: [])
        #expect(decision.route?.name == "vip-appliance" && !decision.reachesInternetGateway)
        #expect(decision.beaten.map(\.name) == ["vip-igw", "default"])
    }

    @Test func taggedRoutesApplyOnlyToTaggedInstances() {
        let model = RouteModel(routes: [
            Self.route("default", "0.0.0.0/0", 1000, .internetGateway),
            Self.route("egress-via-proxy", "0.0.0.0/0", 800, .ip("10.0.0.9"), tags: ["proxied"]),
        ])
        #expect(model.route(to: Self.vip, tags: ["gke-node"]).route?.name == "default")
        #expect(model.route(to: Self.vip, tags: ["proxied"]).route?.name == "egress-via-proxy")
        #expect(model.defaultRoute(tags: ["proxied"])?.nextHop == .ip("10.0.0.9"))
    }

    @Test func noRouteMeansDropAndSubnetsAddTheirRoutes() {
        let model = RouteModel(routes: [], subnets: [
            Subnetwork(name: "s", region: "r", network: "vpc", primary: CIDR("10.10.0.0/20")!,
                       secondaryRanges: [.init(name: "pods", cidr: CIDR("10.20.0.0/14")!)]),
        ])
        #expect(model.route(to: Self.vip, tags: []).route == nil)
        #expect(model.route(to: IPAddress("10.21.3.4")!, tags: []).route?.nextHop == .network("vpc"))
    }

    @Test func anotherNetworksRoutesDoNotApply() {
        var other = Self.route("other", "199.36.153.4/30", 0, .internetGateway)
        other.network = "default"
        let model = RouteModel(routes: [other, Self.route("default", "0.0.0.0/0", 1000, .vpnTunnel("t"))])
        #expect(model.route(to: Self.vip, tags: [], network: "vpc").route?.name == "default")
    }
}
