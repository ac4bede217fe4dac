import Foundation

/// A Cloud DNS managed zone.
public struct ManagedZone: Sendable, Equatable {
    public var name: String
    /// With the trailing dot, lower case: "gcr.io.".
    public var dnsName: String
    /// "private" or "public"; nil when not shown.
    public var visibility: String?
    /// Networks a private zone is visible to (names); nil when not shown.
    public var networks: [String]?
    public var isPartial: Bool
    public var location: RecordLocation?

    public init(name: String, dnsName: String, visibility: String?, networks: [String]?, isPartial: Bool = false,
                location: RecordLocation? = nil) {
        self.name = name
        self.dnsName = DNSName.normalise(dnsName)
        self.visibility = visibility
        self.networks = networks
        self.isPartial = isPartial
        self.location = location
    }

    public init?(resource d: [String: Any], location: RecordLocation?) {
        guard let name = d["name"] as? String, let dnsName = d["dnsName"] as? String else { return nil }
        let config = d["privateVisibilityConfig"] as? [String: Any]
        let networks = (config?["networks"] as? [[String: Any]] ?? []).compactMap { n in
            (n["networkUrl"] as? String).map(ConfigValue.lastSegment)
        }
        self.init(name: name, dnsName: dnsName, visibility: (d["visibility"] as? String)?.lowercased() ?? "public",
                  networks: networks, location: location)
    }
}

/// A DNS record set. `zone` is the zone it was listed from, or the zone with the longest
/// matching dnsName when the listing did not say.
public struct RecordSet: Sendable, Equatable {
    public var name: String
    public var type: String
    public var ttl: Int?
    public var rrdatas: [String]
    public var zone: String?
    public var location: RecordLocation?

    public init(name: String, type: String, ttl: Int?, rrdatas: [String], zone: String? = nil, location: RecordLocation? = nil) {
        self.name = DNSName.normalise(name)
        self.type = type.uppercased()
        self.ttl = ttl
        self.rrdatas = rrdatas
        self.zone = zone
        self.location = location
    }

    public init?(resource d: [String: Any], zone: String?, location: RecordLocation?) {
        guard let name = d["name"] as? String, let type = d["type"] as? String else { return nil }
        self.init(name: name, type: type, ttl: ConfigValue.int(d["ttl"]), rrdatas: ConfigValue.strings(d["rrdatas"]),
                  zone: zone, location: location)
    }
}

enum DNSName {
    /// Lower case with one trailing dot.
    static func normalise(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? lower : lower + "."
    }

    /// Whether `name` is `domain` or inside it.
    static func isWithin(_ name: String, _ domain: String) -> Bool {
        name == domain || name.hasSuffix("." + domain)
    }
}
