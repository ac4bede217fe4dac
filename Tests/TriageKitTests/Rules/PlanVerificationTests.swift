import Foundation
import Testing
@testable import TriageKit

/// The plan's firewall and route steps evaluated again by the models with the whole plan applied
/// (issue 14, items 2-3): the config is the demo bundle's, as the real gcloud rendered it, with
/// the one resource each case is about added.
@Suite struct PlanVerificationTests {
    static let values = FixPlanTests.values
    static let node = "gke-kf-private-3f9a6c2e-node"
    static let location = RecordLocation(input: "added.json", line: 1, byteOffset: 0)
    static let network = "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/networks/kubeflow-vpc"

    static func healthCheck(_ port: String, priority: Int = 1000, tag: String = node) -> Finding {
        FixPlanTests.finding("health-\(port)", [FixPlanTests.action(
            "gcloud compute firewall-rules create allow-health-checks-\(port) --project={project} --network={network} --direction=INGRESS --action=ALLOW --priority=\(priority) --source-ranges=35.191.0.0/16,130.211.0.0/22 --target-tags={tag} --rules=tcp:\(port)",
            values.merging(["tag": tag]) { $1 })])
    }

    static func vipRoute(_ id: String = "vip") -> Finding {
        var finding = FixPlanTests.finding(id, [FixPlanTests.action(
            "gcloud compute routes create route-to-restricted-googleapis --project={project} --network={network} --destination-range=199.36.153.4/30 --next-hop-gateway=default-internet-gateway --priority=100",
            values)])
        finding.facts = ["vip.range": "199.36.153.4/30", "network": "kubeflow-vpc"]
        return finding
    }

    static func route(_ name: String, _ range: String, priority: Int, instance: String) -> [String: Any] {
        [
            "kind": "compute#route", "name": name, "destRange": range, "priority": priority, "network": network,
            "nextHopInstance": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/zones/us-central1-a/instances/\(instance)",
        ]
    }

    @Test func aJoinedAllowRuleIsVerifiedWithThePlanApplied() throws {
        let config = try FixPlanTests.bundleConfig(["firewall-rules.json"])
        let plan = FixPlan(findings: [Self.healthCheck("10256"), Self.healthCheck("30443")], config: config)
        #expect(plan.steps.count == 1)
        let step = try #require(plan.steps.first)
        #expect(step.action.flag("rules") == "tcp:10256,tcp:30443")
        #expect(step.verification?.outcome == .yes, "\(String(describing: step.verification))")
        #expect(step.verification?.note.contains("allows all 4 flows") == true, "\(String(describing: step.verification))")
    }

    /// A deny of better priority that takes one of the joined ports: the step is not verified,
    /// and the note names the deny and the traffic it takes.
    @Test func aPortADenyStillTakesIsNotVerified() throws {
        var config = try FixPlanTests.bundleConfig(["firewall-rules.json"])
        _ = config.add(document: [
            "kind": "compute#firewall", "name": "deny-30443", "network": Self.network, "direction": "INGRESS", "priority": 900,
            "sourceRanges": ["0.0.0.0/0"], "denied": [["IPProtocol": "tcp", "ports": ["30443"]]],
        ], location: Self.location)
        let plan = FixPlan(findings: [Self.healthCheck("10256"), Self.healthCheck("30443")], config: config)
        let verification = try #require(plan.steps.first?.verification)
        #expect(verification.outcome == .no)
        #expect(verification.note.contains("deny-30443 (priority 900) still denies 35.191.0.0/16 → 0.0.0.0/0 tcp:30443"), "\(verification.note)")
    }

    @Test func withoutTheListingOrAValueTheStepSaysWhatIsMissing() throws {
        let bare = FixPlan(findings: [Self.healthCheck("10256")], config: ConfigSnapshot())
        let note = try #require(bare.steps.first?.verification)
        #expect(note.outcome == .notCheckable)
        #expect(note.note.contains("gcloud compute firewall-rules list --project=kf-prod-4412 --format=json > firewall-rules.json"), "\(note.note)")
        let config = try FixPlanTests.bundleConfig(["firewall-rules.json"])
        let untagged = FixPlanTests.finding("health-tagless", [FixPlanTests.action(
            "gcloud compute firewall-rules create allow-hc --project={project} --network={network} --direction=INGRESS --action=ALLOW --priority=1000 --source-ranges=35.191.0.0/16 --target-tags={node_tag} --rules=tcp:10256",
            Self.values)])
        let missing = try #require(FixPlan(findings: [untagged], config: config).steps.first?.verification)
        #expect(missing.outcome == .notCheckable && missing.note == "NODE_TAG is not known", "\(missing)")
        // Without the config, nothing is claimed.
        #expect(FixPlan(findings: [Self.healthCheck("10256")]).steps.first?.verification == nil)
    }

    /// Two findings add their ports to one rule that exists: one update with both, since
    /// `--rules` replaces the list and the second update would take the first one's port away.
    @Test func portsAddedToOneRuleByTwoFindingsAreOneUpdate() throws {
        func update(_ id: String, _ rules: String) -> Finding {
            FixPlanTests.finding(id, [FixPlanTests.action(
                "gcloud compute firewall-rules update allow-ingress-iap-ssh --project={project} --rules=\(rules)", Self.values)])
        }
        let config = try FixPlanTests.bundleConfig(["firewall-rules.json"])
        let plan = FixPlan(findings: [update("a", "tcp:22,tcp:3389"), update("b", "tcp:22,tcp:5985")], config: config)
        #expect(plan.steps.count == 1, "\(plan.steps.map(\.command))")
        #expect(plan.steps.first?.command == "gcloud compute firewall-rules update allow-ingress-iap-ssh --project=kf-prod-4412 --rules=tcp:22,tcp:3389,tcp:5985")
        #expect(plan.steps.first?.findings == ["a", "b"])
        #expect(plan.steps.first?.verification?.outcome == .yes, "\(String(describing: plan.steps.first?.verification))")
    }

    @Test func aRouteTheBundleNeedsIsVerified() throws {
        let config = try FixPlanTests.bundleConfig(["routes.json", "subnets.json"])
        let plan = FixPlan(findings: [Self.vipRoute()], config: config)
        let step = try #require(plan.steps.first)
        #expect(step.action.flag("priority") == "100")
        #expect(step.verification?.outcome == .yes, "\(String(describing: step.verification))")
        #expect(step.verification?.note.contains("199.36.153.4 leaves by route-to-restricted-googleapis") == true)
        let unlisted = FixPlan(findings: [Self.vipRoute()], config: ConfigSnapshot())
        #expect(unlisted.steps.first?.verification?.note.contains("gcloud compute routes list --project=kf-prod-4412 --format=json > routes.json") == true)
    }

    /// A route to the VIP as specific as the new one and better on priority, through an instance:
    /// the plan does not create a route that loses; it takes the priority just better.
    @Test func aRouteTheSameRangeWouldBeatIsCreatedAtABetterPriority() throws {
        var config = try FixPlanTests.bundleConfig(["routes.json", "subnets.json"])
        _ = config.add(document: Self.route("vip-via-proxy", "199.36.153.4/30", priority: 50, instance: "proxy-1"), location: Self.location)
        let plan = FixPlan(findings: [Self.vipRoute()], config: config)
        #expect(plan.steps.map(\.action.kind) == [.routeCreate], "\(plan.steps.map(\.command))")
        #expect(plan.steps[0].action.flag("priority") == "49")
        #expect(plan.steps[0].verification?.outcome == .yes, "\(String(describing: plan.steps[0].verification))")
    }

    /// A more specific route takes the VIP whatever the priority: the plan deletes it first, and
    /// both steps are verified.
    @Test func aMoreSpecificRouteThatWouldShadowTheNewOneIsDeletedFirst() throws {
        var config = try FixPlanTests.bundleConfig(["routes.json", "subnets.json"])
        _ = config.add(document: Self.route("vip-host-via-proxy", "199.36.153.4/32", priority: 1000, instance: "proxy-1"), location: Self.location)
        let plan = FixPlan(findings: [Self.vipRoute()], config: config)
        #expect(plan.steps.map(\.action.kind) == [.routeDelete, .routeCreate], "\(plan.steps.map(\.command))")
        #expect(plan.steps[0].command == "gcloud compute routes delete vip-host-via-proxy --project=kf-prod-4412")
        #expect(plan.steps[0].findings == ["vip"])
        #expect(plan.steps.allSatisfy { $0.verification?.outcome == .yes }, "\(plan.steps.map(\.verification))")
    }

    /// vip-route-shadowed's fix (delete the winner) checked with the route model: verified when
    /// the gateway route then carries the VIP, not when another route still takes it.
    @Test func deletingTheShadowingRouteIsCheckedWithTheRouteModel() throws {
        func shadowed(_ config: ConfigSnapshot) -> FixPlan.Verification? {
            var finding = FixPlanTests.finding("shadowed", [FixPlanTests.action(
                "gcloud compute routes delete vip-via-api-proxy --project={project}", Self.values)])
            finding.facts = ["vip.range": "199.36.153.4/30", "network": "kubeflow-vpc"]
            return FixPlan(findings: [finding], config: config).steps.first?.verification
        }
        var config = ConfigSnapshot()
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("SampleLogs/vip-route-shadowed/routes.json"), encoding: .utf8)
        for document in try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [[String: Any]] {
            _ = config.add(document: document, location: Self.location)
        }
        let works = try #require(shadowed(config))
        #expect(works.outcome == .yes, "\(works)")
        #expect(works.note.contains("leaves by restricted-googleapis"), "\(works.note)")
        _ = config.add(document: Self.route("vip-via-second-proxy", "199.36.153.4/30", priority: 600, instance: "proxy-2"), location: Self.location)
        let still = try #require(shadowed(config))
        #expect(still.outcome == .no, "\(still)")
        #expect(still.note.contains("vip-via-second-proxy"), "\(still.note)")
    }
}
