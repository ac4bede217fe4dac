import Foundation

/// One VPC firewall rule as the Compute API describes it. Fields gcloud's default table leaves
/// out are nil (not empty) so the model can tell "no source ranges" from "not shown".
public struct FirewallRule: Sendable, Equatable {
    public enum Direction: String, Sendable { case ingress = "INGRESS", egress = "EGRESS" }
    public enum Action: String, Sendable {
        case allow = "ALLOW", deny = "DENY"
        /// Firewall policies only: stop evaluating this policy, go on with the next in the order.
        case goToNext = "GOTO_NEXT"
    }

    public var name: String
    /// The network's name (the last segment of its URL).
    public var network: String?
    public var direction: Direction
    public var priority: Int
    public var action: Action
    public var permissions: [ProtocolPorts]
    public var sourceRanges: [CIDR]?
    public var destinationRanges: [CIDR]?
    public var sourceTags: [String]?
    public var targetTags: [String]?
    public var sourceServiceAccounts: [String]?
    public var targetServiceAccounts: [String]?
    public var disabled: Bool
    /// `logConfig.enable`; nil when not shown.
    public var logging: Bool?
    /// Read from a table that does not show ranges, tags or service accounts.
    public var isPartial: Bool
    public var location: RecordLocation?
    /// Set for a firewall policy's rule (nil: a VPC firewall rule).
    public var policy: FirewallPolicyOrigin? = nil
    /// A policy rule's matchers on the other end (sources for ingress, destinations for egress)
    /// that triage cannot evaluate: secure tags, FQDNs, region codes, threat intelligence lists,
    /// address groups. Where the ranges do not match, such a rule may still apply.
    public var opaquePeers: [String] = []
    /// A policy rule's `targetSecureTags`: which VMs carry them is not in what triage reads.
    public var targetSecureTags: [String] = []

    /// Whether some matcher of the rule cannot be evaluated from what triage reads.
    public var hasOpaqueMatchers: Bool { !opaquePeers.isEmpty || !targetSecureTags.isEmpty }

    public init(
        name: String, network: String? = nil, direction: Direction = .ingress, priority: Int = 1000,
        action: Action = .allow, permissions: [ProtocolPorts] = [ProtocolPorts("all")!], sourceRanges: [CIDR]? = [],
        destinationRanges: [CIDR]? = [], sourceTags: [String]? = [], targetTags: [String]? = [],
        sourceServiceAccounts: [String]? = [], targetServiceAccounts: [String]? = [], disabled: Bool = false,
        logging: Bool? = nil, isPartial: Bool = false, location: RecordLocation? = nil
    ) {
        self.name = name
        self.network = network
        self.direction = direction
        self.priority = priority
        self.action = action
        self.permissions = permissions
        self.sourceRanges = sourceRanges
        self.destinationRanges = destinationRanges
        self.sourceTags = sourceTags
        self.targetTags = targetTags
        self.sourceServiceAccounts = sourceServiceAccounts
        self.targetServiceAccounts = targetServiceAccounts
        self.disabled = disabled
        self.logging = logging
        self.isPartial = isPartial
        self.location = location
    }

    /// Reads a Compute `Firewall` resource (API JSON or gcloud's JSON/YAML of it).
    public init?(resource d: [String: Any], location: RecordLocation?) {
        var rejected: [RejectedValue] = []
        self.init(resource: d, location: location, rejected: &rejected)
    }

    /// Reads a Compute `Firewall` resource, checking its values. A name that cannot be a rule's
    /// rejects the rule (nil); any other value that fails is left out and makes the rule partial,
    /// so the model says it cannot tell rather than judge on what is left. Failures go to `rejected`.
    public init?(resource d: [String: Any], location: RecordLocation?, rejected: inout [RejectedValue]) {
        guard let name = d["name"] as? String else { return nil }
        let allowed = d["allowed"] as? [[String: Any]]
        let denied = d["denied"] as? [[String: Any]]
        guard allowed != nil || denied != nil else { return nil }
        guard ValueCheck.isResourceName(name) else {
            rejected.append(RejectedValue(field: "name", value: name, reason: ValueCheck.resourceNameReason))
            return nil
        }
        let before = rejected.count
        self.name = name
        network = ConfigValue.name("network", d["network"], &rejected)
        direction = .ingress
        if let text = d["direction"] as? String {
            if let parsed = Direction(rawValue: text.uppercased()) {
                direction = parsed
            } else {
                rejected.append(RejectedValue(field: "direction", value: text, reason: "is not INGRESS or EGRESS"))
            }
        }
        priority = ConfigValue.priority(d["priority"], &rejected) ?? 1000
        action = (denied?.isEmpty == false) ? .deny : .allow
        permissions = ((action == .deny ? denied : allowed) ?? []).compactMap { ProtocolPorts(resource: $0, rejected: &rejected) }
        sourceRanges = ConfigValue.ranges("sourceRanges", d["sourceRanges"], &rejected)
        destinationRanges = ConfigValue.ranges("destinationRanges", d["destinationRanges"], &rejected)
        sourceTags = ConfigValue.names("sourceTags", d["sourceTags"], &rejected)
        targetTags = ConfigValue.names("targetTags", d["targetTags"], &rejected)
        sourceServiceAccounts = ConfigValue.serviceAccounts("sourceServiceAccounts", d["sourceServiceAccounts"], &rejected)
        targetServiceAccounts = ConfigValue.serviceAccounts("targetServiceAccounts", d["targetServiceAccounts"], &rejected)
        disabled = ConfigValue.bool(d["disabled"]) ?? false
        logging = (d["logConfig"] as? [String: Any]).flatMap { ConfigValue.bool($0["enable"]) } ?? false
        isPartial = rejected.count > before
        self.location = location
    }

    /// "tcp:443,tcp:10250" / "all" / "tcp,udp,icmp" as gcloud prints ALLOW and DENY.
    public static func permissions(fromTable text: String) -> [ProtocolPorts] {
        var byProtocol: [(String, [ClosedRange<Int>])] = []
        for part in text.split(separator: ",") {
            guard let entry = ProtocolPorts(String(part)) else { continue }
            if let i = byProtocol.firstIndex(where: { $0.0 == entry.protocolName }), !byProtocol[i].1.isEmpty,
                !entry.ports.isEmpty
            {
                byProtocol[i].1 += entry.ports
            } else {
                byProtocol.append((entry.protocolName, entry.ports))
            }
        }
        return byProtocol.map { ProtocolPorts(protocolName: $0.0, ports: $0.1) }
    }

    /// As gcloud writes it in `--allow`/`--rules`: "tcp:443,tcp:10250".
    public var permissionsText: String { permissions.map(\.description).joined(separator: ",") }
}

/// One `allowed[]`/`denied[]` entry: a protocol and, for tcp/udp/sctp, its ports (empty = all).
public struct ProtocolPorts: Sendable, Equatable, CustomStringConvertible {
    /// "all", "tcp", "udp", "icmp", "esp", "ah", "sctp", "ipip", or an IANA number as text.
    public var protocolName: String
    public var ports: [ClosedRange<Int>]

    public init(protocolName: String, ports: [ClosedRange<Int>]) {
        self.protocolName = ProtocolPorts.canonical(protocolName)
        self.ports = ports
    }

    /// "tcp", "tcp:443", "tcp:30000-32767", "all", "6"; nil for a protocol or port that
    /// cannot be right.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
        guard let first = parts.first, !first.isEmpty, ValueCheck.isFirewallProtocol(String(first)) else { return nil }
        var ports: [ClosedRange<Int>] = []
        if parts.count == 2 {
            guard let range = ProtocolPorts.portRange(String(parts[1])) else { return nil }
            ports = [range]
        }
        self.init(protocolName: String(first), ports: ports)
    }

    /// One `allowed[]`/`denied[]` entry; nil, with the value in `rejected`, when its protocol or
    /// one of its ports cannot be right (dropping just the port would widen it to every port).
    init?(resource d: [String: Any], rejected: inout [RejectedValue]) {
        guard let name = (d["IPProtocol"] as? String) ?? (d["IPProtocol"] as? NSNumber)?.stringValue else { return nil }
        guard ValueCheck.isFirewallProtocol(name) else {
            rejected.append(RejectedValue(
                field: "IPProtocol", value: name, reason: "is not a protocol name gcloud knows or a protocol number (0–255)"))
            return nil
        }
        var ports: [ClosedRange<Int>] = []
        for text in ConfigValue.strings(d["ports"]) {
            guard let range = ProtocolPorts.portRange(text) else {
                rejected.append(RejectedValue(field: "ports", value: text, reason: "is not a port or port range (0–65535)"))
                return nil
            }
            ports.append(range)
        }
        self.init(protocolName: name, ports: ports)
    }

    /// "443" or "30000-32767" within 0–65535; nil otherwise.
    static func portRange(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-").map { ValueCheck.port($0.trimmingCharacters(in: .whitespaces)) }
        switch bounds.count {
        case 1: return bounds[0].map { $0...$0 }
        case 2: if let lo = bounds[0], let hi = bounds[1], lo <= hi { return lo...hi }
        default: break
        }
        return nil
    }

    /// Names for the IANA numbers the API accepts in their place.
    static func canonical(_ name: String) -> String {
        switch name.lowercased() {
        case "6": return "tcp"
        case "17": return "udp"
        case "1": return "icmp"
        case "50": return "esp"
        case "51": return "ah"
        case "132": return "sctp"
        case "4": return "ipip"
        default: return name.lowercased()
        }
    }

    /// Whether ports mean anything for this protocol.
    public var hasPorts: Bool { ["tcp", "udp", "sctp"].contains(protocolName) }

    /// True when this entry covers every port of `wanted` for `protocolName`.
    public func covers(protocol wanted: String, ports wantedPorts: ClosedRange<Int>?) -> Bool {
        if protocolName == "all" { return true }
        // Flows carry canonical names already; only raw text needs canonicalising.
        guard protocolName == wanted || protocolName == ProtocolPorts.canonical(wanted) else { return false }
        guard hasPorts, !ports.isEmpty, let wantedPorts else { return true }
        if ports.count == 1 { return ports[0].contains(wantedPorts.lowerBound) && ports[0].contains(wantedPorts.upperBound) }
        // Ranges may abut ("80-89", "90"): walk them in order.
        var next = wantedPorts.lowerBound
        for range in ports.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.lowerBound <= next {
            if range.upperBound >= next { next = range.upperBound + 1 }
            if next > wantedPorts.upperBound { return true }
        }
        return false
    }

    public var description: String {
        if ports.isEmpty { return protocolName }
        return ports.map { "\(protocolName):\($0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)")" }
            .joined(separator: ",")
    }
}

/// Small readers for values that arrive as JSON numbers, YAML strings or URLs.
enum ConfigValue {
    static func lastSegment(_ url: String) -> String {
        url.split(separator: "/").last.map(String.init) ?? url
    }

    /// A resource name (the last segment of a URL), or nil with the value in `rejected`.
    static func name(_ field: String, _ value: Any?, _ rejected: inout [RejectedValue]) -> String? {
        guard let text = value as? String else { return nil }
        let name = lastSegment(text)
        if ValueCheck.isResourceName(name) { return name }
        rejected.append(RejectedValue(field: field, value: text, reason: ValueCheck.resourceNameReason))
        return nil
    }

    /// The names of a list that pass the check; the others go to `rejected`.
    static func names(_ field: String, _ value: Any?, _ rejected: inout [RejectedValue]) -> [String] {
        strings(value).filter { name in
            if ValueCheck.isResourceName(name) { return true }
            rejected.append(RejectedValue(field: field, value: name, reason: ValueCheck.resourceNameReason))
            return false
        }
    }

    static func serviceAccounts(_ field: String, _ value: Any?, _ rejected: inout [RejectedValue]) -> [String] {
        strings(value).filter { account in
            if ClusterInfo.isServiceAccount(account) { return true }
            rejected.append(RejectedValue(field: field, value: account, reason: "is not a service account e-mail address"))
            return false
        }
    }

    /// The ranges of a list that pass the check; the others go to `rejected`.
    static func ranges(_ field: String, _ value: Any?, _ rejected: inout [RejectedValue]) -> [CIDR] {
        strings(value).compactMap { text in
            switch ValueCheck.cidr(text) {
            case .success(let cidr): return cidr
            case .failure(let why):
                rejected.append(RejectedValue(field: field, value: text, reason: why.text))
                return nil
            }
        }
    }

    /// A priority 0–65535; nil when absent, or with the value in `rejected` when out of range.
    static func priority(_ value: Any?, _ rejected: inout [RejectedValue]) -> Int? {
        guard let value else { return nil }
        if let priority = int(value), ValueCheck.priorities.contains(priority) {
            return priority
        }
        rejected.append(RejectedValue(field: "priority", value: "\(value)", reason: ValueCheck.priorityReason))
        return nil
    }

    static func int(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        if let int = value as? Int { return int }
        if let text = value as? String { return Int(text) }
        return nil
    }

    static func bool(_ value: Any?) -> Bool? {
        if let bool = value as? Bool { return bool }
        if let text = value as? String { return text.lowercased() == "true" ? true : text.lowercased() == "false" ? false : nil }
        if let number = value as? NSNumber { return number.boolValue }
        return nil
    }

    static func strings(_ value: Any?) -> [String] {
        if let list = value as? [Any] { return list.compactMap { $0 as? String ?? ($0 as? NSNumber)?.stringValue } }
        if let one = value as? String { return [one] }
        return []
    }
}
