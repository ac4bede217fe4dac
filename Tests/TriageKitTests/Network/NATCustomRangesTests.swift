import Foundation
import Testing
@testable import TriageKit

/// A gateway that translates a list of subnets (`LIST_OF_SUBNETWORKS`) is fixed by one
/// `nats update --nat-custom-subnet-ip-ranges=…`, which replaces the list: the step carries every
/// entry the gateway has with every range it lacks, once for all findings on that gateway.
/// The router listing is the rule's sample (nat-not-covering-pods), shaped as
/// `gcloud compute routers list --format=json` prints it.
struct NATCustomRangesTests {
    static let rules: [Rule] = (try? RuleLoader.builtIn()) ?? []

    static func sample(named name: String) throws -> Rule.Sample {
        let rule = try #require(rules.first { $0.id == "nat-not-covering-pods" })
        return try #require(rule.samples.trigger.first { $0.name.hasPrefix(name) })
    }

    /// The sample with its gateway's `subnetworks` replaced.
    static func analyse(subnetworks: [[String: Any]]) throws -> Analysis {
        var sample = try sample(named: "NAT for a list of subnets")
        let index = try #require(sample.files.firstIndex { $0.name == "routers.json" })
        var routers = try #require(try JSONSerialization.jsonObject(with: Data(sample.files[index].text.utf8)) as? [[String: Any]])
        var nats = try #require(routers[0]["nats"] as? [[String: Any]])
        nats[0]["subnetworks"] = subnetworks
        routers[0]["nats"] = nats
        sample.files[index].text = String(decoding: try JSONSerialization.data(withJSONObject: routers, options: [.prettyPrinted]), as: UTF8.self)
        return try SampleRunner.run(sample, format: .ndjson, rules: rules)
    }

    static func subnet(_ name: String, _ modes: [String], secondary: [String] = []) -> [String: Any] {
        var entry: [String: Any] = [
            "name": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/regions/us-central1/subnetworks/\(name)",
            "sourceIpRangesToNat": modes,
        ]
        if !secondary.isEmpty { entry["secondaryIpRangeNames"] = secondary }
        return entry
    }

    @Test func theListInGcloudsWordsCarriesEveryEntry() {
        let nat = CloudNAT(name: "n", coverage: .listOfSubnetworks, subnetworks: [
            .init(name: "a", sourceIpRangesToNat: ["ALL_IP_RANGES"], secondaryIpRangeNames: []),
            .init(name: "b", sourceIpRangesToNat: ["PRIMARY_IP_RANGE", "LIST_OF_SECONDARY_IP_RANGES"], secondaryIpRangeNames: ["p1"]),
            .init(name: "c", sourceIpRangesToNat: ["LIST_OF_SECONDARY_IP_RANGES"], secondaryIpRangeNames: ["p2", "p3"]),
            // The API's default for a listed subnet is all its ranges.
            .init(name: "d", sourceIpRangesToNat: [], secondaryIpRangeNames: []),
        ])
        #expect(nat.customRanges(adding: ["b:p4", "c", "b:p1"]) == ["a:ALL", "b", "b:p1", "c:p2", "c:p3", "d:ALL", "b:p4", "c"])
        #expect(CloudNAT(name: "n", coverage: .allPrimaryRanges).customRanges(adding: ["x"]) == nil)
        #expect(CloudNAT(name: "n", coverage: .listOfSubnetworks, subnetworks: nil).customRanges(adding: ["x"]) == nil)
    }

    /// Node and pod ranges both missing: two findings (one per role) and one plan step with both.
    @Test func findingsOnOneGatewayShareOneWholeListAndOneStep() throws {
        let analysis = try Self.analyse(subnetworks: [Self.subnet("batch-subnet", ["ALL_IP_RANGES"])])
        let findings = analysis.findings.filter { $0.rule == "nat-not-covering-pods" }
        #expect(findings.count == 2, "\(analysis.findings.map(\.rule))")
        let steps = analysis.plan.steps.filter { $0.action.kind == .natUpdate }
        #expect(steps.count == 1, "\(analysis.plan.steps.map(\.action.command.rendered))")
        let step = try #require(steps.first)
        #expect(step.action.flag("nat-custom-subnet-ip-ranges")
            == "batch-subnet:ALL,kubeflow-subnet,kubeflow-subnet:kf-pods,kubeflow-subnet:kf-gpu-pods")
        #expect(!step.action.hasFlag("nat-all-subnet-ip-ranges"))
        #expect(Set(step.findings) == Set(findings.map(\.id)))
    }

    @Test func aGatewayForAllPrimaryRangesIsWidenedToAllRanges() throws {
        var sample = try Self.sample(named: "NAT for primary ranges only")
        sample.name += " (plan)"
        let analysis = try SampleRunner.run(sample, format: .ndjson, rules: Self.rules)
        let step = try #require(analysis.plan.steps.first { $0.action.kind == .natUpdate })
        #expect(step.action.hasFlag("nat-all-subnet-ip-ranges"))
        #expect(!step.action.hasFlag("nat-custom-subnet-ip-ranges"))
    }

    /// The update reads back in both forms as the listed gateway with the whole new list.
    @Test func theFormsWriteTheWholeListOfSubnets() throws {
        let analysis = try Self.analyse(subnetworks: [
            Self.subnet("kubeflow-subnet", ["PRIMARY_IP_RANGE", "LIST_OF_SECONDARY_IP_RANGES"], secondary: ["kf-pods"]),
            Self.subnet("batch-subnet", ["ALL_IP_RANGES"]),
        ])
        let terraform = Renderer.render(analysis, as: .terraform, options: RenderOptions())
        #expect(terraform.contains("""
              subnetwork {
                name = "kubeflow-subnet"
                source_ip_ranges_to_nat = ["PRIMARY_IP_RANGE", "LIST_OF_SECONDARY_IP_RANGES"]
                secondary_ip_range_names = ["kf-pods", "kf-gpu-pods"]
              }
              subnetwork {
                name = "batch-subnet"
                source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
              }
            """), "\(terraform)")
        #expect(terraform.contains("import {"))
        let manifest = Renderer.render(analysis, as: .configConnector, options: RenderOptions())
        #expect(manifest.contains("sourceSubnetworkIpRangesToNat: LIST_OF_SUBNETWORKS"), "\(manifest)")
        #expect(manifest.contains("""
              - subnetworkRef:
                  external: projects/kf-prod-4412/regions/us-central1/subnetworks/kubeflow-subnet
                sourceIpRangesToNat:
                - PRIMARY_IP_RANGE
                - LIST_OF_SECONDARY_IP_RANGES
                secondaryIpRangeNames:
                - kf-pods
                - kf-gpu-pods
            """), "\(manifest)")
    }
}
