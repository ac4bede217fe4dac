/// A value from the evidence that failed its check where it was read. It is reported (where,
/// which field, the value, why) and never used: the fact it would have filled stays unknown, or
/// the record it sits in is skipped when the record means nothing without it.
public struct RejectedValue: Sendable, Equatable {
    /// The field as the source spells it: "jsonPayload.connection.protocol",
    /// "privateClusterConfig.masterIpv4CidrBlock".
    public var field: String
    /// nil when the field is missing but required.
    public var value: String?
    /// Why it cannot be right: "is not an IP protocol number (0–255)".
    public var reason: String

    public init(field: String, value: String?, reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    /// "jsonPayload.connection.protocol "999" is not an IP protocol number (0–255)".
    public var sentence: String {
        guard let value else { return "\(field) \(reason)" }
        return "\(field) \(ValueCheck.shown(value)) \(reason)"
    }
}

/// Why a value failed its check, in words for a problem line.
public struct RejectionReason: Error, Sendable, Equatable {
    public var text: String
    public init(_ text: String) { self.text = text }
}

/// The checks values get where they are read. Each answers the parsed value, or nil when the
/// text cannot be one; `reason…` says why in words for the problem line.
public enum ValueCheck {
    public static let ports = 0...65535
    public static let priorities = 0...65535
    public static let protocolNumbers = 0...255

    /// An integer spelled as digits, with an optional leading minus (which no checked field
    /// allows, but the problem line should show the number as given).
    static func integer(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18 else { return nil }
        var digits = Substring(text)
        if digits.hasPrefix("-") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    public static func port(_ text: String) -> Int? {
        integer(text).flatMap { ports.contains($0) ? $0 : nil }
    }

    public static func priority(_ text: String) -> Int? {
        integer(text).flatMap { priorities.contains($0) ? $0 : nil }
    }

    public static func protocolNumber(_ text: String) -> Int? {
        integer(text).flatMap { protocolNumbers.contains($0) ? $0 : nil }
    }

    static let portReason = "is not a port number (0–65535)"
    static let priorityReason = "is not a firewall priority (0–65535)"
    static let protocolReason = "is not an IP protocol number (0–255)"
    static let timestampReason = "is not an RFC 3339 timestamp"

    /// The firewall protocol names gcloud and the Compute API accept besides IANA numbers.
    static let protocolNames: Set<String> = ["all", "tcp", "udp", "icmp", "esp", "ah", "sctp", "ipip"]

    /// A firewall rule's `IPProtocol`: a name gcloud knows or an IANA number 0–255.
    public static func isFirewallProtocol(_ text: String) -> Bool {
        protocolNames.contains(text.lowercased()) || protocolNumber(text) != nil
    }

    /// Why `text` is not a CIDR range GCP would hold, or nil when it is one. Host bits set
    /// count as wrong: the Compute API refuses such ranges ("10.0.0.5/24"; see
    /// terraform-provider-google#4032, CartoDB/cartodb#15649), so a listing cannot hold one.
    public static func cidrProblem(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else {
            return "is not an IP range (a.b.c.d/n or an IPv6 prefix)"
        }
        guard parts.count == 2 else { return nil }
        let maximum = address.isV4 ? 32 : 128
        guard let length = integer(String(parts[1])), length >= 0, length <= maximum else {
            return "has a prefix length outside 0–\(maximum)"
        }
        if address.masked(to: length) != address {
            return "has host bits set (GCP accepts only \(address.masked(to: length))/\(length))"
        }
        return nil
    }

    /// The range, or the reason it is not one.
    public static func cidr(_ text: String) -> Result<CIDR, RejectionReason> {
        if let problem = cidrProblem(text) { return .failure(RejectionReason(problem)) }
        guard let cidr = CIDR(text) else { return .failure(RejectionReason("is not an IP range")) }
        return .success(cidr)
    }

    /// An address, or the reason it is not one.
    public static func address(_ text: String) -> Result<IPAddress, RejectionReason> {
        IPAddress(text).map { .success($0) } ?? .failure(RejectionReason("is not an IPv4 or IPv6 address"))
    }

    /// Names of Compute resources (networks, subnetworks, firewall rules, routes, routers,
    /// instances, zones, regions): RFC 1035 labels, 1–63 characters, `[a-z]([-a-z0-9]*[a-z0-9])?`.
    public static func isResourceName(_ text: String) -> Bool {
        isLabel(text, maximum: 63)
    }

    /// GKE cluster names: the same shape, at most 40 characters.
    public static func isClusterName(_ text: String) -> Bool {
        isLabel(text, maximum: 40)
    }

    /// Project ids (6–30 characters, a letter first, no hyphen last, optionally after a
    /// `domain.example:` prefix for domain-scoped projects) or project numbers, which resource
    /// links use in their place.
    public static func isProject(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if !bytes.isEmpty, bytes.count <= 20, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return true }
        var id = Substring(text)
        if let colon = text.lastIndex(of: ":") {
            let domain = text[..<colon]
            guard !domain.isEmpty, domain.utf8.count <= 253,
                domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ isLabel(String($0), maximum: 63) })
            else { return false }
            id = text[text.index(after: colon)...]
        }
        return id.utf8.count >= 6 && isLabel(String(id), maximum: 30)
    }

    private static func isLabel(_ text: String, maximum: Int) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last, bytes.count <= maximum else { return false }
        guard first >= 0x61 && first <= 0x7A, last != 0x2D else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    static let resourceNameReason = "is not a Compute resource name ([a-z]([-a-z0-9]*[a-z0-9])?, at most 63 characters)"
    static let clusterNameReason = "is not a GKE cluster name ([a-z]([-a-z0-9]*[a-z0-9])?, at most 40 characters)"
    static let projectReason = "is not a project id (6–30 of [-a-z0-9], a letter first) or number"

    /// The value as a problem line shows it: quoted, every control, quote, backslash and
    /// invisible direction mark escaped, at most 80 characters of it.
    public static func shown(_ value: String) -> String {
        var text = "\""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == 80 {
                text += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            default:
                // The same escapes as everything else shown on a terminal (`TerminalText`).
                if TerminalText.isControl(scalar) || isInvisible(scalar) {
                    text += TerminalText.escape(scalar)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text + "\""
    }

    /// Direction marks and overrides, line and paragraph separators: invisible in a terminal,
    /// and able to reorder what follows them.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF: return true
        default: return false
        }
    }
}
