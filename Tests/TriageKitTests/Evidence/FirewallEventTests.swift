import Foundation
import Testing
@testable import TriageKit

/// One record with every documented field of firewall rules logging
/// (https://cloud.google.com/firewall/docs/firewall-rules-logging#log-format).
struct FirewallEventTests {
    static let fullRecord = #"""
        {"insertId":"1x2y3z","logName":"projects/kf-prod-4412/logs/compute.googleapis.com%2Ffirewall","receiveTimestamp":"2026-11-22T09:49:43.323379Z","timestamp":"2026-11-22T09:49:33.488259Z","severity":"INFO","resource":{"type":"gce_subnetwork","labels":{"location":"us-central1-b","project_id":"kf-prod-4412","subnetwork_id":"6834271051297485210","subnetwork_name":"kubeflow-subnet"}},"jsonPayload":{"connection":{"src_ip":"10.10.0.5","src_port":43012,"dest_ip":"140.82.112.3","dest_port":443,"protocol":6},"disposition":"DENIED","rule_details":{"reference":"network:kubeflow-vpc/firewall:deny-egress-internet","priority":900,"action":"DENY","direction":"EGRESS","ip_port_info":[{"ip_protocol":"TCP","port_range":["443","8000-9000"]},{"ip_protocol":"UDP"}],"source_range":["10.0.0.0/8"],"destination_range":["0.0.0.0/0"],"source_tag":["src-tag"],"target_tag":["gke-kf-private-3f9a6c2e-node","web"],"source_service_account":["src@p.iam.gserviceaccount.com"],"target_service_account":["nodes@p.iam.gserviceaccount.com"],"source_region_code":["CH"],"destination_region_code":["US"],"source_fqdn":["src.example.com"],"destination_fqdn":["github.com"]},"instance":{"project_id":"kf-prod-4412","vm_name":"gke-kf-private-default-pool-5b7e0d41-m2pq","region":"us-central1","zone":"us-central1-b"},"vpc":{"project_id":"kf-prod-4412","vpc_name":"kubeflow-vpc","subnetwork_name":"kubeflow-subnet"},"remote_instance":{"project_id":"other-proj","vm_name":"remote-vm","region":"europe-west6","zone":"europe-west6-a"},"remote_vpc":{"project_id":"other-proj","vpc_name":"other-vpc","subnetwork_name":"other-subnet"},"remote_location":{"continent":"America","country":"usa","region":"California","city":"San Francisco"},"load_balancer_details":{"forwarding_rule_name":"fr"}}}
        """#

    static func event(_ text: String = fullRecord) throws -> (FirewallEvent, FlowGroup) {
        let collector = collect(text + "\n", name: "full.json")
        let group = try #require(collector.flowGroups().first)
        return (group.event, group)
    }

    @Test func everyDocumentedField() throws {
        let (event, group) = try Self.event()
        #expect(group.count == 1)
        #expect(event.connection.srcIP == IPAddress("10.10.0.5"))
        #expect(event.connection.srcPort == 43012)
        #expect(event.connection.destIP == IPAddress("140.82.112.3"))
        #expect(event.connection.destPort == 443)
        #expect(event.connection.protocolNumber == 6)
        #expect(event.disposition == "DENIED")

        let rule = event.ruleDetails
        #expect(rule.reference == "network:kubeflow-vpc/firewall:deny-egress-internet")
        #expect(rule.priority == 900)
        #expect(rule.action == "DENY")
        #expect(rule.direction == "EGRESS")
        #expect(rule.ipPortInfo == [
            FirewallEvent.PortInfo(ipProtocol: "TCP", portRanges: ["443", "8000-9000"]),
            FirewallEvent.PortInfo(ipProtocol: "UDP", portRanges: []),
        ])
        #expect(rule.sourceRange == ["10.0.0.0/8"])
        #expect(rule.destinationRange == ["0.0.0.0/0"])
        #expect(rule.sourceTag == ["src-tag"])
        #expect(rule.targetTag == ["gke-kf-private-3f9a6c2e-node", "web"])
        #expect(rule.sourceServiceAccount == ["src@p.iam.gserviceaccount.com"])
        #expect(rule.targetServiceAccount == ["nodes@p.iam.gserviceaccount.com"])
        #expect(rule.sourceRegionCode == ["CH"])
        #expect(rule.destinationRegionCode == ["US"])
        #expect(rule.sourceFQDN == ["src.example.com"])
        #expect(rule.destinationFQDN == ["github.com"])
        #expect(rule.ruleName == "deny-egress-internet")
        #expect(rule.networkName == "kubeflow-vpc")

        #expect(event.instance == FirewallEvent.InstanceDetails(
            projectID: "kf-prod-4412", vmName: "gke-kf-private-default-pool-5b7e0d41-m2pq", region: "us-central1",
            zone: "us-central1-b"))
        #expect(event.vpc == FirewallEvent.VPCDetails(projectID: "kf-prod-4412", vpcName: "kubeflow-vpc", subnetworkName: "kubeflow-subnet"))
        #expect(event.remoteInstance == FirewallEvent.InstanceDetails(
            projectID: "other-proj", vmName: "remote-vm", region: "europe-west6", zone: "europe-west6-a"))
        #expect(event.remoteVPC == FirewallEvent.VPCDetails(projectID: "other-proj", vpcName: "other-vpc", subnetworkName: "other-subnet"))
        #expect(event.remoteLocation == FirewallEvent.GeographicDetails(
            continent: "America", country: "usa", region: "California", city: "San Francisco"))
        #expect(event.remoteLocation?.summary == "San Francisco, California, usa, America")

        #expect(event.timestamp == "2026-11-22T09:49:33.488259Z")
        #expect(event.receiveTimestamp == "2026-11-22T09:49:43.323379Z")
        #expect(event.insertID == "1x2y3z")
        #expect(event.logName == "projects/kf-prod-4412/logs/compute.googleapis.com%2Ffirewall")
        #expect(event.resourceType == "gce_subnetwork")
        #expect(event.resourceLabels == [
            "location": "us-central1-b", "project_id": "kf-prod-4412", "subnetwork_id": "6834271051297485210",
            "subnetwork_name": "kubeflow-subnet",
        ])
        #expect(event.location == RecordLocation(input: "full.json", line: 1, byteOffset: 0))
        #expect(!event.isIngress)
    }

    /// The record's own timestamp strings survive, whatever their precision (Cloud Logging writes
    /// nanoseconds); at least they must name the same instant.
    @Test func nanosecondTimestampsKeepTheirInstant() throws {
        let text = Self.fullRecord
            .replacingOccurrences(of: "2026-11-22T09:49:33.488259Z", with: "2026-11-22T09:49:33.488259231Z")
        let (event, group) = try Self.event(text)
        let expected = utcMicros(2026, 11, 22, 9, 49, 33, micros: 488_259)
        #expect(event.timestamp.flatMap(Timestamp.parse) == expected)
        #expect(group.firstSeen == expected)
        #expect(group.lastSeen == expected)
    }

    @Test func optionalPartsMissing() throws {
        let text = #"{"jsonPayload":{"connection":{"src_ip":"2600:2d00:1:b029::10","dest_ip":"2001:db8::7"},"disposition":"ALLOWED"}}"#
        let (event, group) = try Self.event(text)
        #expect(event.connection.srcIP == IPAddress("2600:2d00:1:b029::10"))
        #expect(event.connection.destIP == IPAddress("2001:db8::7"))
        #expect(event.connection.srcPort == nil)
        #expect(event.connection.destPort == nil)
        #expect(event.connection.protocolNumber == nil)
        #expect(event.disposition == "ALLOWED")
        #expect(event.ruleDetails.reference == nil)
        #expect(event.ruleDetails.priority == nil)
        #expect(event.ruleDetails.ipPortInfo.isEmpty)
        #expect(event.instance == nil)
        #expect(event.vpc == nil)
        #expect(event.remoteInstance == nil)
        #expect(event.remoteVPC == nil)
        #expect(event.remoteLocation == nil)
        #expect(event.timestamp == nil)
        #expect(event.insertID == nil)
        #expect(event.logName == nil)
        #expect(event.resourceLabels.isEmpty)
        #expect(event.isIngress)
        #expect(group.firstSeen == nil)
    }

    @Test func portsAndProtocolGivenAsStrings() throws {
        let text = #"{"jsonPayload":{"connection":{"src_ip":"10.0.0.1","src_port":"1234","dest_ip":"10.0.0.2","dest_port":"8443","protocol":"17"},"disposition":"DENIED","rule_details":{"priority":"1000","reference":"network:n/firewall:r"}}}"#
        let (event, _) = try Self.event(text)
        #expect(event.connection.srcPort == 1234)
        #expect(event.connection.destPort == 8443)
        #expect(event.connection.protocolNumber == 17)
        #expect(event.ruleDetails.priority == 1000)
    }

    @Test(arguments: [
        ("network:kubeflow-vpc/firewall:deny-all-ingress", "deny-all-ingress", "kubeflow-vpc"),
        ("network:default/firewall:x", "x", "default"),
        ("organization:123/firewallPolicy:456", "organization:123/firewallPolicy:456", nil),
        ("projects/p/global/firewallPolicies/pol", "projects/p/global/firewallPolicies/pol", nil),
    ] as [(String, String, String?)])
    func ruleNameAndNetwork(reference: String, name: String, network: String?) {
        let details = FirewallEvent.RuleDetails(reference: reference)
        #expect(details.ruleName == name)
        #expect(details.networkName == network)
    }

    @Test func noReferenceNoName() {
        #expect(FirewallEvent.RuleDetails().ruleName == nil)
        #expect(FirewallEvent.RuleDetails().networkName == nil)
    }

    @Test(arguments: [
        (1, "icmp"), (6, "tcp"), (17, "udp"), (47, "gre"), (50, "esp"), (51, "ah"), (58, "icmpv6"), (132, "sctp"), (99, "99"),
    ])
    func protocolNames(number: Int, name: String) {
        #expect(FirewallEvent.protocolName(number) == name)
    }

    @Test func noProtocolMeansAll() {
        #expect(FirewallEvent.protocolName(nil) == "all")
    }

    @Test(arguments: [("INGRESS", true), ("EGRESS", false), ("egress", false), (nil, true)] as [(String?, Bool)])
    func direction(direction: String?, ingress: Bool) throws {
        var details = FirewallEvent.RuleDetails()
        details.direction = direction
        let event = FirewallEvent(
            connection: .init(srcIP: try ip("10.0.0.1"), srcPort: nil, destIP: try ip("10.0.0.2"), destPort: nil, protocolNumber: nil),
            disposition: "DENIED", ruleDetails: details, resourceLabels: [:])
        #expect(event.isIngress == ingress)
    }

    @Test func unusableConnectionIsSkippedAndCounted() throws {
        let lines = [
            #"{"logName":"projects/p/logs/compute.googleapis.com%2Ffirewall","jsonPayload":{"connection":{"src_ip":"not-an-ip","dest_ip":"10.0.0.2"},"disposition":"DENIED"}}"#,
            #"{"logName":"projects/p/logs/compute.googleapis.com%2Ffirewall","jsonPayload":{"connection":{"dest_ip":"10.0.0.2"},"disposition":"DENIED"}}"#,
        ]
        let collector = collect(lines.joined(separator: "\n"))
        #expect(collector.flowGroups().isEmpty)
        #expect(collector.account.skipped["firewall record without a connection"] == 2)
        #expect(collector.account.firewallRecords == 0)
    }
}
