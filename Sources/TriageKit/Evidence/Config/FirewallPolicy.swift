import Foundation

/// Where a rule comes from when it is a Cloud NGFW firewall policy's rule rather than a VPC
/// firewall rule. Policies are evaluated in an order of their own
/// (https://cloud.google.com/firewall/docs/firewall-policies-rule-eval-order): hierarchical
/// policies first (the organization's, then each folder's down to the project), then VPC firewall
/// rules and the network's global and regional policies, the network policies after the VPC
/// rules unless the network's `networkFirewallPolicyEnforcementOrder` is BEFORE_CLASSIC_FIREWALL.
public struct FirewallPolicyOrigin: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case hierarchical = "HIERARCHY", network = "NETWORK", regional = "NETWORK_REGIONAL"
    }
    /// The policy's short name where it has one, else its name (a number for hierarchical ones).
    public var policy: String
    public var kind: Kind
    /// Among hierarchical policies, how far from the organization (0: the organization's).
    public var depth: Int

    public init(policy: String, kind: Kind, depth: Int = 0) {
        self.policy = policy
        self.kind = kind
        self.depth = depth
    }
}

/// Reads firewall policies into `FirewallRule`s the model evaluates with the VPC rules.
/// Shapes (field names from the Compute API reference):
/// - a FirewallPolicy, as `gcloud compute network-firewall-policies describe NAME --global
///   --format=json` or `gcloud compute firewall-policies describe` prints it
///   (https://cloud.google.com/compute/docs/reference/rest/v1/networkFirewallPolicies):
///   `name`, `shortName`, `parent` (hierarchical), `region` (regional), `rules[]`,
///   `associations[].attachmentTarget` (the networks, or the organization/folder, it applies to);
/// - `networks.getEffectiveFirewalls` (`gcloud compute networks get-effective-firewalls NETWORK
///   --format=json`, https://cloud.google.com/compute/docs/reference/rest/v1/networks/getEffectiveFirewalls):
///   `firewalls[]` (the network's VPC rules) and `firewallPolicys[]` (`name`, `shortName`,
///   `displayName`, `type` HIERARCHY | NETWORK | NETWORK_REGIONAL, `rules[]`), the hierarchical
///   ones listed from the organization down.
/// A FirewallPolicyRule: `priority`, `action` (allow | deny | goto_next |
/// apply_security_profile_group), `direction`, `disabled`, `enableLogging`, `match`
/// (`srcIpRanges`, `destIpRanges`, `layer4Configs[]{ipProtocol, ports}`, and matchers triage
/// cannot evaluate: secure tags, FQDNs, region codes, threat intelligence, address groups,
/// network types), `targetServiceAccounts`, `targetSecureTags`, `targetResources` (networks).
public enum FirewallPolicyReader {
    /// Source matchers (destination ones for egress) whose addresses triage cannot know.
    static let opaqueSources = ["srcSecureTags", "srcFqdns", "srcRegionCodes", "srcThreatIntelligences", "srcAddressGroups", "srcNetworks", "srcNetworkType"]
    static let opaqueDestinations = ["destFqdns", "destRegionCodes", "destThreatIntelligences", "destAddressGroups", "destNetworkType"]

    /// Whether a document is a firewall policy (describe) or an effective-firewalls answer.
    static func isPolicy(_ d: [String: Any]) -> Bool {
        if d["kind"] as? String == "compute#firewallPolicy" { return true }
        return d["rules"] is [Any] && (d["associations"] != nil || d["ruleTupleCount"] != nil || d["shortName"] != nil)
    }

    static func isEffectiveFirewalls(_ d: [String: Any]) -> Bool {
        d["firewallPolicys"] is [Any] || (d["firewalls"] is [Any] && d["kind"] == nil)
    }

    /// The rules of one described policy, one copy per network it is associated with
    /// (a network policy with no association is enforced nowhere: none).
    static func rules(ofPolicy d: [String: Any], location: RecordLocation?) -> [FirewallRule] {
        let name = (d["shortName"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? (d["name"] as? String) ?? "?"
        let targets = ((d["associations"] as? [[String: Any]]) ?? []).compactMap { $0["attachmentTarget"] as? String }
        let parent = d["parent"] as? String
        let hierarchical = parent != nil || targets.contains { $0.hasPrefix("organizations/") || $0.hasPrefix("folders/") }
        if hierarchical {
            let depth = (parent ?? targets.first ?? "").hasPrefix("organizations/") ? 0 : 1
            return rules(d["rules"], origin: FirewallPolicyOrigin(policy: name, kind: .hierarchical, depth: depth), networks: [nil], location: location)
        }
        let kind: FirewallPolicyOrigin.Kind = d["region"] != nil ? .regional : .network
        let networks = targets.map { ConfigValue.lastSegment($0) }
        guard !networks.isEmpty else { return [] }
        return rules(d["rules"], origin: FirewallPolicyOrigin(policy: name, kind: kind), networks: networks, location: location)
    }

    /// The policy rules of an effective-firewalls answer, for the network its VPC rules name.
    static func rules(ofEffective d: [String: Any], location: RecordLocation?) -> [FirewallRule] {
        let networks = Set(((d["firewalls"] as? [[String: Any]]) ?? []).compactMap { ($0["network"] as? String).map(ConfigValue.lastSegment) })
        let network = networks.count == 1 ? networks.first : nil
        var out: [FirewallRule] = []
        var depth = 0
        for policy in (d["firewallPolicys"] as? [[String: Any]]) ?? [] {
            let name = [policy["shortName"], policy["displayName"], policy["name"]].compactMap { $0 as? String }.first { !$0.isEmpty } ?? "?"
            let kind = FirewallPolicyOrigin.Kind(rawValue: (policy["type"] as? String ?? "").uppercased()) ?? .network
            let origin = FirewallPolicyOrigin(policy: name, kind: kind, depth: kind == .hierarchical ? depth : 0)
            if kind == .hierarchical { depth += 1 }
            out += rules(policy["rules"], origin: origin, networks: [network], location: location)
        }
        return out
    }

    private static func rules(_ value: Any?, origin: FirewallPolicyOrigin, networks: [String?], location: RecordLocation?) -> [FirewallRule] {
        var out: [FirewallRule] = []
        for case let d as [String: Any] in (value as? [Any]) ?? [] {
            guard let rule = rule(d, origin: origin, location: location) else { continue }
            // A hierarchical rule may name the networks it applies to.
            let targets = ConfigValue.strings(d["targetResources"]).map(ConfigValue.lastSegment)
            for network in targets.isEmpty ? networks : targets.map(Optional.some) {
                var copy = rule
                copy.network = network
                out.append(copy)
            }
        }
        return out
    }

    /// One FirewallPolicyRule; nil for what is not a firewall rule (packet mirroring's actions).
    static func rule(_ d: [String: Any], origin: FirewallPolicyOrigin, location: RecordLocation?) -> FirewallRule? {
        guard let priority = ConfigValue.int(d["priority"]) else { return nil }
        let action: FirewallRule.Action
        switch (d["action"] as? String ?? "").lowercased() {
        case "allow": action = .allow
        // Layer 7 inspection follows, but at layers 3 and 4 the traffic goes on.
        case "apply_security_profile_group": action = .allow
        case "deny": action = .deny
        case "goto_next": action = .goToNext
        default: return nil
        }
        let direction = FirewallRule.Direction(rawValue: (d["direction"] as? String ?? "INGRESS").uppercased()) ?? .ingress
        let match = d["match"] as? [String: Any] ?? [:]
        var rejected: [RejectedValue] = []
        var permissions: [ProtocolPorts] = []
        for config in (match["layer4Configs"] as? [[String: Any]]) ?? [] {
            var entry: [String: Any] = ["ports": config["ports"] ?? []]
            entry["IPProtocol"] = config["ipProtocol"]
            if let permission = ProtocolPorts(resource: entry, rejected: &rejected) { permissions.append(permission) }
        }
        if match["layer4Configs"] == nil { permissions = [ProtocolPorts("all")!] }
        let opaque = (direction == .ingress ? opaqueSources : opaqueDestinations).filter { key in
            if let list = match[key] as? [Any] { return !list.isEmpty }
            return match[key] != nil
        }
        var rule = FirewallRule(
            name: "firewall policy \(origin.policy) rule priority \(priority)", network: nil, direction: direction,
            priority: priority, action: action, permissions: permissions,
            sourceRanges: ConfigValue.ranges("srcIpRanges", match["srcIpRanges"], &rejected),
            destinationRanges: ConfigValue.ranges("destIpRanges", match["destIpRanges"], &rejected),
            sourceTags: [], targetTags: [],
            targetServiceAccounts: ConfigValue.serviceAccounts("targetServiceAccounts", d["targetServiceAccounts"], &rejected),
            disabled: ConfigValue.bool(d["disabled"]) ?? false, logging: ConfigValue.bool(d["enableLogging"]) ?? false,
            isPartial: !rejected.isEmpty, location: location)
        rule.policy = origin
        rule.opaquePeers = opaque
        rule.targetSecureTags = ((d["targetSecureTags"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        return rule
    }
}
