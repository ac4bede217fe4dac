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
            if let range = reference.range(of: "/firewall:") { return String(reference[range.upperBound...]) }
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
    public var timestamp: String?
    public var receiveTimestamp: String?
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

extension FirewallEvent {
    /// Builds the full event from a scanned record; nil when the connection is unusable.
    init?(record: RecordFields, location: RecordLocation?) {
        guard let src = record.bytes(.srcIP).flatMap(IPAddress.parse),
            let dst = record.bytes(.destIP).flatMap(IPAddress.parse)
        else { return nil }
        connection = Connection(
            srcIP: src, srcPort: record.integer(.srcPort), destIP: dst, destPort: record.integer(.destPort),
            protocolNumber: record.integer(.networkProtocol))
        disposition = record.string(.disposition) ?? ""
        let details = record.value(.ruleDetails) as? [String: Any] ?? [:]
        func strings(_ key: String) -> [String] {
            (details[key] as? [Any] ?? []).map { "\($0)" }
        }
        ruleDetails = RuleDetails(
            reference: record.string(.ruleReference), priority: record.integer(.rulePriority),
            action: record.string(.ruleAction), direction: record.string(.ruleDirection),
            ipPortInfo: (details["ip_port_info"] as? [[String: Any]] ?? []).map {
                PortInfo(ipProtocol: "\($0["ip_protocol"] ?? "")", portRanges: ($0["port_range"] as? [Any] ?? []).map { "\($0)" })
            },
            sourceRange: strings("source_range"), destinationRange: strings("destination_range"),
            sourceTag: strings("source_tag"), targetTag: strings("target_tag"),
            sourceServiceAccount: strings("source_service_account"),
            targetServiceAccount: strings("target_service_account"),
            sourceRegionCode: strings("source_region_code"), destinationRegionCode: strings("destination_region_code"),
            sourceFQDN: strings("source_fqdn"), destinationFQDN: strings("destination_fqdn"))
        if record.has(.instanceVM) || record.has(.instanceProject) || record.has(.instanceZone) {
            instance = InstanceDetails(
                projectID: record.string(.instanceProject), vmName: record.string(.instanceVM),
                region: record.string(.instanceRegion), zone: record.string(.instanceZone))
        }
        if record.has(.vpcName) || record.has(.vpcProject) {
            vpc = VPCDetails(
                projectID: record.string(.vpcProject), vpcName: record.string(.vpcName),
                subnetworkName: record.string(.vpcSubnetwork))
        }
        if let remote = record.value(.remoteInstance) as? [String: Any] {
            remoteInstance = InstanceDetails(
                projectID: remote["project_id"] as? String, vmName: remote["vm_name"] as? String,
                region: remote["region"] as? String, zone: remote["zone"] as? String)
        }
        if let remote = record.value(.remoteVPC) as? [String: Any] {
            remoteVPC = VPCDetails(
                projectID: remote["project_id"] as? String, vpcName: remote["vpc_name"] as? String,
                subnetworkName: remote["subnetwork_name"] as? String)
        }
        if let geo = record.value(.remoteLocation) as? [String: Any] {
            remoteLocation = GeographicDetails(
                continent: geo["continent"] as? String, country: geo["country"] as? String,
                region: geo["region"] as? String, city: geo["city"] as? String)
        }
        timestamp = record.string(.timestamp)
        receiveTimestamp = record.string(.receiveTimestamp)
        insertID = record.string(.insertId)
        logName = record.string(.logName)
        resourceType = record.string(.resourceType)
        var labels: [String: String] = [:]
        if let resource = record.value(.resource) as? [String: Any], let raw = resource["labels"] as? [String: Any] {
            for (key, value) in raw { labels[key] = "\(value)" }
        }
        resourceLabels = labels
        self.location = location
    }
}
