import Foundation
import Testing
@testable import TriageKit

/// The network-config readers on real gcloud 528 output (captured by tools/capture-config.sh
/// against the fake API serving tools/scenarios/mixed) and on the API's own list responses.
struct ConfigSnapshotTests {
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/TriageKitTests/Fixtures/config")

    static func read(_ names: String...) throws -> EvidenceCollector {
        let collector = EvidenceCollector()
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(name)))
            collector.read(InputReader(name: name, source: MemorySource(bytes)))
        }
        return collector
    }

    @Test(arguments: ["firewall-rules-list.json", "firewall-rules-list.yaml"])
    func firewallRulesFromGcloud(_ name: String) throws {
        let collector = try Self.read(name)
        let rules = collector.config.firewallRules
        #expect(rules.count == 11)
        #expect(collector.account.evidence["firewall rules"] == 11)
        let master = try #require(rules.first { $0.name == "gke-kf-private-3f9a6c2e-master" })
        #expect(master.direction == .ingress && master.action == .allow && master.priority == 1000)
        #expect(master.sourceRanges == [CIDR("172.16.0.0/28")!])
        #expect(master.targetTags == ["gke-kf-private-3f9a6c2e-node"])
        #expect(master.permissions.map(\.description) == ["tcp:10250,tcp:443"])
        #expect(master.network == "kubeflow-vpc")
        #expect(!master.isPartial)
        let denyEgress = try #require(rules.first { $0.name == "deny-all-egress" })
        #expect(denyEgress.action == .deny && denyEgress.direction == .egress)
        #expect(denyEgress.destinationRanges == [CIDR("0.0.0.0/0")!])
        let github = try #require(rules.first { $0.name == "allow-egress-github" })
        #expect(github.logging == false)
        #expect(github.permissions.first?.covers(protocol: "tcp", ports: 22...22) == true)
    }

    @Test func firewallTableKeepsWhatItShowsAndMarksItemsPartial() throws {
        let table = try Self.read("firewall-rules-list.txt")
        let json = try Self.read("firewall-rules-list.json")
        #expect(table.config.firewallRules.count == json.config.firewallRules.count)
        for rule in table.config.firewallRules {
            let full = try #require(json.config.firewallRules.first { $0.name == rule.name })
            #expect(rule.isPartial)
            #expect(rule.sourceRanges == nil && rule.targetTags == nil)
            #expect(rule.priority == full.priority && rule.direction == full.direction && rule.action == full.action)
            #expect(rule.network == full.network && rule.disabled == full.disabled)
            #expect(rule.permissionsText == full.permissionsText, "\(rule.name)")
        }
        #expect(table.account.evidence["firewall rules"] == 11)
    }

    @Test func fullReadingReplacesTableReadingButNotTheOtherWayRound() throws {
        let both = try Self.read("firewall-rules-list.txt", "firewall-rules-list.json", "firewall-rules-list.txt")
        #expect(both.config.firewallRules.count == 11)
        #expect(both.config.firewallRules.allSatisfy { !$0.isPartial })
    }

    @Test func apiListPagesAccumulate() throws {
        let one = try Self.read("api-firewalls-page1.json")
        let both = try Self.read("api-firewalls-page1.json", "api-firewalls-page2.json")
        let gcloud = try Self.read("firewall-rules-list.json")
        #expect(one.config.firewallRules.count < both.config.firewallRules.count)
        #expect(Set(both.config.firewallRules.map(\.name)) == Set(gcloud.config.firewallRules.map(\.name)))
        #expect(both.config.firewallRules == gcloud.config.firewallRules.map { rule in
            var rule = rule
            rule.location = both.config.firewallRules.first { $0.name == rule.name }?.location
            return rule
        })
    }

    @Test(arguments: ["routes-list.json", "routes-list.yaml", "api-routes.json", "routes-list.txt"])
    func routes(_ name: String) throws {
        let routes = try Self.read(name).config.routes
        #expect(routes.count == 7)
        let internet = try #require(routes.first { $0.destination == CIDR("0.0.0.0/0") })
        #expect(internet.nextHop == .internetGateway && internet.priority == 1000)
        let subnet = try #require(routes.first { $0.destination == CIDR("10.10.0.0/20") })
        #expect(subnet.nextHop == .network("kubeflow-vpc"))
        let peering = try #require(routes.first { $0.destination == CIDR("172.16.0.0/28") })
        if name.hasSuffix(".txt") {
            // The table prints the peering's name only; it could be an instance or a tunnel.
            #expect(peering.nextHop == .unknown("gke-n3f9a6c2e81d04b7fa1c9-4b2d-a8f1-peer"))
            #expect(peering.isPartial && peering.tags == nil)
        } else {
            #expect(peering.nextHop == .peering("gke-n3f9a6c2e81d04b7fa1c9-4b2d-a8f1-peer"))
            #expect(peering.tags == [])
        }
    }

    @Test func routeTableNamesZonalNextHopsByTheirPath() throws {
        let path = repositoryRoot.appendingPathComponent("SampleLogs/gcr-pull-dns-routes/routes.txt")
        let collector = EvidenceCollector()
        collector.read(InputReader(name: "routes.txt", source: MemorySource(try [UInt8](Data(contentsOf: path)))))
        let appliance = try #require(collector.config.routes.first { $0.destination == CIDR("0.0.0.0/0") })
        #expect(appliance.nextHop == .instance("egress-appliance-1") && appliance.priority == 900)
    }

    @Test(arguments: ["subnets-list.json", "subnets-list.yaml", "api-aggregated-subnetworks.json", "subnets-list.txt"])
    func subnetworks(_ name: String) throws {
        let collector = try Self.read(name)
        let subnets = collector.config.subnetworks
        #expect(subnets.count == 1)
        let subnet = try #require(subnets.first)
        #expect(subnet.name == "kubeflow-subnet" && subnet.region == "us-central1" && subnet.network == "kubeflow-vpc")
        #expect(subnet.primary == CIDR("10.10.0.0/20"))
        if name.hasSuffix(".txt") {
            #expect(subnet.secondaryRanges == nil && subnet.privateIpGoogleAccess == nil)
        } else {
            #expect(subnet.secondaryRanges?.map(\.name) == ["kf-pods", "kf-services", "kf-gpu-pods"])
            #expect(subnet.privateIpGoogleAccess == true)
        }
        #expect(collector.account.evidence["subnetworks"] == 1)
    }

    @Test(arguments: ["routers-list.json", "routers-list.yaml", "routers-describe.json", "routers-describe.yaml",
                      "api-aggregated-routers.json"])
    func routersWithNAT(_ name: String) throws {
        let config = try Self.read(name).config
        let router = try #require(config.routers.first)
        #expect(config.routers.count == 1)
        #expect(router.name == "kf-router" && router.region == "us-central1" && router.network == "kubeflow-vpc")
        let nat = try #require(router.nats.first)
        #expect(nat.name == "kf-nat" && nat.router == "kf-router" && nat.region == "us-central1")
        #expect(nat.coverage == .allRanges && nat.logging == true)
        #expect(nat.covers(subnet: "kubeflow-subnet", primary: false, secondaryRange: "kf-pods") == true)
    }

    @Test(arguments: ["routers-nats-list.json", "routers-nats-list.yaml", "routers-nats-describe.yaml",
                      "routers-nats-list.txt"])
    func natGatewaysOnTheirOwn(_ name: String) throws {
        let config = try Self.read(name).config
        let nat = try #require(config.nats.first)
        #expect(config.nats.count == 1 && config.routers.isEmpty)
        #expect(nat.name == "kf-nat" && nat.coverage == .allRanges && nat.router == nil)
        #expect(config.listed.contains(.nats))
        // Read with its router, the gateway is not counted twice.
        let both = try Self.read(name, "routers-describe.json").config
        #expect(both.nats.count == 1 && both.nats.first?.router == "kf-router")
    }

    @Test(arguments: ["networks-list.json", "networks-list.yaml", "networks-list.txt"])
    func networks(_ name: String) throws {
        let network = try #require(try Self.read(name).config.networks.first)
        #expect(network.name == "kubeflow-vpc" && !network.isLegacy)
        #expect(network.autoCreateSubnetworks == false)
    }

    @Test(arguments: ["dns-managed-zones-list.json", "dns-managed-zones-list.yaml",
                      "dns-managed-zones-describe-googleapis.yaml", "api-dns-managed-zones.json",
                      "dns-managed-zones-list.txt"])
    func managedZones(_ name: String) throws {
        let zone = try #require(try Self.read(name).config.zones.first)
        #expect(zone.name == "googleapis" && zone.dnsName == "googleapis.com." && zone.visibility == "private")
        if name.hasSuffix(".txt") {
            #expect(zone.networks == nil)
        } else {
            #expect(zone.networks == ["kubeflow-vpc"])
        }
    }

    @Test(arguments: ["dns-record-sets-list-googleapis.json", "dns-record-sets-list-googleapis.yaml",
                      "api-dns-rrsets-googleapis.json", "dns-record-sets-list-googleapis.txt"])
    func recordSetsFindTheirZoneByLongestSuffix(_ name: String) throws {
        let config = try Self.read("dns-managed-zones-list.json", name).config
        #expect(config.recordSets.count == 4)
        let a = try #require(config.recordSets.first { $0.type == "A" })
        #expect(a.name == "restricted.googleapis.com." && a.ttl == 300)
        #expect(a.rrdatas == ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"])
        #expect(config.zone(of: a)?.name == "googleapis")
        let cname = try #require(config.recordSets.first { $0.type == "CNAME" })
        #expect(cname.name == "*.googleapis.com." && cname.rrdatas == ["restricted.googleapis.com."])
        #expect(config.records(in: config.zones[0]).count == 4)
    }

    @Test func unrelatedDocumentsAreNotConfig() {
        var config = ConfigSnapshot()
        let place = RecordLocation(input: "x", line: 1, byteOffset: 0)
        let pod = config.add(document: ["kind": "Pod", "metadata": ["name": "p"]], location: place)
        let list = config.add(document: ["kind": "List", "items": [["kind": "Pod"]]], location: place)
        let operation = config.add(document: ["name": "op", "operationType": "CREATE_CLUSTER"], location: place)
        #expect(!pod && !list && !operation)
        #expect(config.isEmpty)
        // An empty API list still says "there are none".
        let empty = config.add(document: ["kind": "compute#routeList", "id": "projects/p/global/routes"], location: place)
        #expect(empty)
        #expect(config.listed == [.routes] && config.routes.isEmpty)
    }
}
