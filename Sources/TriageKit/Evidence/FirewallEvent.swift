import Foundation

/// One firewall rules logging record, every documented field
/// (https://cloud.google.com/firewall/docs/firewall-rules-logging, record format).
public struct FirewallEvent: Sendable, Equatable {
    public struct Connection: Sendable, Equatable {
        public var srcIP: IPAddress
        public var srcPort: Int?
        public var destIP: IPAddress
        public var destPort: Int?
        /// IANA protocol number (6 tcp, 17 udp).
        public var protocolNumber: Int?
    }

    public struct PortInfo: Sendable, Equatable {
        public var ipProtocol: String
        public var portRanges: [String]
    }

    public struct RuleDetails: Sendable, Equatable {
        public var reference: String?
        public var priority: Int?
        public var action: String?
        public var direction: String?
        public var ipPortInfo: [PortInfo] = []
        public var sourceRange: [String] = []
        public var destinationRange: [String] = []
        public var sourceTag: [String] = []
        public var targetTag: [String] = []
        public var sourceServiceAccount: [String] = []
        public var targetServiceAccount: [String] = []
        public var sourceRegionCode: [String] = []
        public var destinationRegionCode: [String] = []
        public var sourceFQDN: [String] = []
        public var destinationFQDN: [String] = []

        /// The rule's name from `network:NET/firewall:NAME` (or a policy reference as is).
        public var ruleName: String? {
            guard let reference else { return nil }
            let marker = Array("/firewall:".utf8)
            let bytes = Array(reference.utf8)
            if bytes.count > marker.count {
                for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
                    if Array(bytes[start..<(start + marker.count)]) == marker {
                        return String(decoding: bytes[(start + marker.count)...], as: UTF8.self)
                    }
                }
            }
            return reference
        }

        public var networkName: String? {
            guard let reference, reference.hasPrefix("network:"), let slash = reference.firstIndex(of: "/") else { return nil }
            return String(reference[reference.index(reference.startIndex, offsetBy: 8)..<slash])
        }
    }

    public struct InstanceDetails: Sendable, Equatable {
        public var projectID: String?
        public var vmName: String?
        public var region: String?
        public var zone: String?
    }

    public struct VPCDetails: Sendable, Equatable {
        public var projectID: String?
        public var vpcName: String?
        public var subnetworkName: String?
    }

    public struct GeographicDetails: Sendable, Equatable {
        public var continent: String?
        public var country: String?
        public var region: String?
        public var city: String?

        var isEmpty: Bool { city == nil && region == nil && country == nil && continent == nil }

        public var summary: String {
            [city, region, country, continent].compactMap { $0 }.joined(separator: ", ")
        }
    }

    public var connection: Connection
    public var disposition: String
    public var ruleDetails: RuleDetails
    public var instance: InstanceDetails?
    public var vpc: VPCDetails?
    public var remoteInstance: InstanceDetails?
    public var remoteVPC: VPCDetails?
    public var remoteLocation: GeographicDetails?
    /// Times in microseconds since the epoch; the text forms are made only when asked for (a
    /// finding shows a few examples, and formatting every group's time was a tenth of analysis).
    public var timestampMicros: Int64?
    public var receiveTimestampMicros: Int64?
    public var timestamp: String? { timestampMicros.map(Timestamp.format) }
    public var receiveTimestamp: String? { receiveTimestampMicros.map(Timestamp.format) }
    public var insertID: String?
    public var logName: String?
    public var resourceType: String?
    public var resourceLabels: [String: String]
    public var location: RecordLocation?

    public var isIngress: Bool { ruleDetails.direction?.uppercased() != "EGRESS" }

    /// The protocol's name as firewall rules spell it.
    public static func protocolName(_ number: Int?) -> String {
        switch number {
        case 1: return "icmp"
        case 6: return "tcp"
        case 17: return "udp"
        case 47: return "gre"
        case 50: return "esp"
        case 51: return "ah"
        case 58: return "icmpv6"
        case 132: return "sctp"
        case let n?: return String(n)
        case nil: return "all"
        }
    }
}
