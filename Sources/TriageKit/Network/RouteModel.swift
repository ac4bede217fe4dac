import Foundation

/// Chooses the route VPC uses for a packet leaving an instance: among routes of the network
/// that apply to the instance (untagged ones, or ones sharing a tag with it), the most specific
/// destination prefix wins, then the lowest priority number. Subnet routes cannot be beaten by
/// a less specific route, which the prefix rule already gives.
public struct RouteModel: Sendable {
    public let routes: [Route]

    /// `subnets` add their subnet routes when the route listing lacks them (a listing filtered
    /// by the user, or none given).
    public init(routes: [Route], subnets: [Subnetwork] = []) {
        var all = routes
        for subnet in subnets {
            for cidr in [subnet.primary] + (subnet.secondaryRanges ?? []).map(\.cidr)
            where !all.contains(where: { $0.destination == cidr }) {
                all.append(Route(
                    name: "subnet route \(subnet.name)", network: subnet.network, destination: cidr, priority: 0,
                    nextHop: .network(subnet.network ?? subnet.name)))
            }
        }
        self.routes = all
    }

    public struct Decision: Sendable {
        public var destination: IPAddress
        /// The route used; nil when no route applies (the packet is dropped).
        public var route: Route?
        /// Routes that also cover the destination but lost, best first.
        public var beaten: [Route]
        /// Table-read routes whose tags are not shown and could change the answer.
        public var unsureTags: [Route]

        public var reachesInternetGateway: Bool { route?.nextHop == .internetGateway }
    }

    /// The effective route for `destination` from an instance with `tags` on `network`.
    public func route(to destination: IPAddress, tags: [String], network: String? = nil) -> Decision {
        let candidates = routes.filter { route in
            route.destination.contains(destination)
                && (network == nil || route.network == nil || route.network == network)
                && route.applies(toTags: tags)
        }.sorted(by: Self.better)
        // A table hides tags: a table-read route ranked above the first fully-read one may
        // not apply to these instances at all.
        let firstFull = candidates.firstIndex { !$0.isPartial } ?? candidates.count
        return Decision(
            destination: destination, route: candidates.first, beaten: Array(candidates.dropFirst()),
            unsureTags: Array(candidates[..<firstFull]))
    }

    /// More specific first, then lower priority number, then name for a stable order (VPC
    /// spreads equal routes over their next hops).
    static func better(_ a: Route, _ b: Route) -> Bool {
        if a.destination.prefixLength != b.destination.prefixLength {
            return a.destination.prefixLength > b.destination.prefixLength
        }
        if a.priority != b.priority { return a.priority < b.priority }
        return a.name < b.name
    }

    /// The default route (0.0.0.0/0) the instance would use.
    public func defaultRoute(tags: [String], network: String? = nil) -> Route? {
        routes.filter { $0.destination.prefixLength == 0 && $0.destination.isV4 && $0.applies(toTags: tags)
            && (network == nil || $0.network == nil || $0.network == network) }
            .sorted(by: Self.better).first
    }
}
