/// What an address is, from the cluster's point of view.
public enum Role: String, CaseIterable, Sendable, Codable, Comparable {
    case controlPlane = "control-plane"
    case node
    case pod
    case service
    case healthCheck = "health-check"
    case iap
    case restrictedVIP = "restricted-vip"
    case privateVIP = "private-vip"
    case metadata
    case googlePublic = "google"
    case internet
    case privateOther = "private"

    public var phrase: String {
        switch self {
        case .controlPlane: return "control plane"
        case .node: return "node"
        case .pod: return "pod"
        case .service: return "Service"
        case .healthCheck: return "Google health checker"
        case .iap: return "IAP TCP forwarding"
        case .restrictedVIP: return "restricted.googleapis.com VIP"
        case .privateVIP: return "private.googleapis.com VIP"
        case .metadata: return "metadata server"
        case .googlePublic: return "Google public address"
        case .internet: return "internet"
        case .privateOther: return "other private address"
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How sure a role is.
public enum Confidence: String, Sendable, Codable, Comparable {
    /// From a flag, a cluster description, or a fixed Google range.
    case known
    /// Worked out from log contents (a VM name, a GKE rule's range).
    case inferred

    public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs == .inferred && rhs == .known }
}

/// An address's role, the range that gave it, and why.
public struct RoleAssignment: Sendable, Hashable {
    public var role: Role
    public var range: CIDR?
    public var confidence: Confidence
    public var reason: String
    /// The cluster whose range gave the role (nil: a flag, an inference or a fixed range).
    public var cluster: String? = nil
}
