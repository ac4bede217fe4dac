import Foundation
import Testing
@testable import TriageKit

/// The fix plan (issue 14): typed steps read from the rules' command templates, reconciled with
/// the config given (gcloud's own JSON, from the demo bundle, which `tools/make-samples.sh` renders
/// with the real gcloud), deduplicated across findings and ordered by what each step needs.
@Suite struct FixPlanTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The bundle's config listings, read as triage reads them.
    static func bundleConfig(_ files: [String]) throws -> ConfigSnapshot {
        var text = ""
        for file in files {
            text += try String(contentsOf: root.appendingPathComponent("SampleLogs/bundle/inputs/" + file), encoding: .utf8) + "\n"
        }
        return collect(text).config
    }

    static func action(_ template: String, _ values: [String: String] = [:]) -> RemedyAction {
        ActionTemplate(Template(template)).action { values[$0] }
    }

    static func finding(_ id: String, _ actions: [RemedyAction]) -> Finding {
        Finding(
            id: id, rule: id, severity: .error, title: id, message: id, confidence: "observed", count: 1, firstSeen: nil,
            lastSeen: nil, direction: nil, protocolName: nil, port: nil, facts: [:], sources: [], destinations: [],
            distinctSources: 0, distinctDestinations: 0, moreSources: false, moreDestinations: false, deniedBy: [],
            examples: [], remedy: Finding.Remedy(why: "", notes: [], actions: actions, configConnector: [], kpt: [], references: []))
    }

    static let values = ["project": "kf-prod-4412", "network": "kubeflow-vpc", "region": "us-central1"]

    @Test func templatesBecomeTypedStepsWithTheirValuesApart() {
        let hostile = Self.action(
            "gcloud compute firewall-rules create allow-x --project={project} --network={network} --source-ranges={src} --target-tags={node_tag} --rules=tcp:443",
            ["project": "p", "network": "vpc$(touch X)", "src": "10.0.0.0/8"])
        #expect(hostile.kind == .firewallCreate)
        #expect(hostile.name == "allow-x")
        #expect(hostile.flag("network") == "vpc$(touch X)")
        #expect(hostile.flag("target-tags") == nil)
        #expect(hostile.command.missing == ["NODE_TAG"])
        #expect(hostile.command.rendered.contains("--network='vpc$(touch X)'"))
        #expect(hostile.command.rendered.contains("--target-tags='<NODE_TAG>'"))
        #expect(hostile.command.scriptRendered.contains("--target-tags=\"${NODE_TAG}\""))
        #expect(Self.action("gcloud compute routers nats create n --router=r --region={region}", Self.values).kind == .natCreate)
        #expect(Self.action("gcloud compute routers list --project={project}", Self.values).kind == .check)
        #expect(Self.action("gcloud container clusters update c --enable-master-authorized-networks").kind == .change)
        // Shell syntax words cannot say stays whole, its values quoted where they sit.
        let loop = Self.action("for rule in $(echo {rules} | tr , ' '); do gcloud compute firewall-rules update $rule; done", ["rules": "a;b"])
        #expect(loop.kind == .change)
        #expect(loop.command.rendered.contains("'a;b'"))
    }

    @Test func oneStepPerResourceAcrossFindingsInTheOrderTheyRun() {
        let a = Self.finding("nat-missing", [
            Self.action("gcloud compute routers nats create nat-config --router=nat-router --region={region} --project={project}", Self.values),
            Self.action("gcloud compute routers create nat-router --project={project} --network={network} --region={region}", Self.values),
            Self.action("gcloud compute routes create r --project={project} --network={network} --destination-range=199.36.153.4/30 --next-hop-gateway=default-internet-gateway", Self.values),
        ])
        let b = Self.finding("jwks-fetch-failed", [
            Self.action("gcloud compute routers create {network}-router --project={project} --network={network} --region={region}", Self.values),
            Self.action("gcloud compute routers nats create {network}-nat --project={project} --router={network}-router --region={region} --auto-allocate-nat-external-ips", Self.values),
            Self.action("gcloud compute routes create r --project={project} --network={network} --destination-range=199.36.153.4/30 --next-hop-gateway=default-internet-gateway --priority=100", Self.values),
        ])
        let plan = FixPlan(findings: [a, b])
        #expect(plan.steps.map(\.action.kind) == [.routeCreate, .routerCreate, .natCreate], "\(plan.steps.map(\.command))")
        #expect(plan.steps.map(\.number) == [1, 2, 3])
        // The route with its priority stands; the NAT goes on the router the plan creates.
        #expect(plan.steps[0].action.flag("priority") == "100")
        #expect(plan.steps[2].action.flag("router") == "nat-router")
        #expect(plan.steps.allSatisfy { $0.findings == ["nat-missing", "jwks-fetch-failed"] })
        #expect(plan.numbers(for: a) == "1-3")
    }

    /// The legacy-network scenario's merged findings wrote the subnet twice: once with the
    /// region and the cluster's range names, once with '<REGION>' and other names.
    @Test func aSubnetNetworkOrClusterIsCreatedOnceAndTheStepWithTheRegionStands() {
        let values = ["project": "kf-prod-4412"]
        let config = Self.finding("legacy-network-config", [
            Self.action("gcloud compute networks create kubeflow-vpc --project={project} --subnet-mode=custom", values),
            Self.action("gcloud compute networks subnets create kubeflow-subnet --project={project} --network=kubeflow-vpc --region={region} --range=10.10.0.0/20 --secondary-range=pods=10.20.0.0/14", values),
        ])
        let operation = Self.finding("legacy-network", [
            Self.action("gcloud compute networks create kubeflow-vpc --project={project} --subnet-mode=custom", values),
            Self.action("gcloud compute networks subnets create kubeflow-subnet --project={project} --network=kubeflow-vpc --region={region} --range=10.10.0.0/20 --secondary-range=kf-pods=10.20.0.0/14", Self.values),
            Self.action("gcloud container clusters create kf-private --project={project} --network=kubeflow-vpc --subnetwork=kubeflow-subnet", values),
            // Another subnet of the same network is another step.
            Self.action("gcloud compute networks subnets create other-subnet --project={project} --network=kubeflow-vpc --region={region} --range=10.30.0.0/20", Self.values),
        ])
        let plan = FixPlan(findings: [config, operation])
        let creates = plan.steps.map { $0.action.command.rendered }
        #expect(creates.filter { $0.contains("networks create kubeflow-vpc") }.count == 1, "\(creates)")
        let subnets = creates.filter { $0.contains("subnets create kubeflow-subnet") }
        #expect(subnets.count == 1, "\(creates)")
        #expect(subnets.first?.contains("--region=us-central1") == true, "\(subnets)")
        #expect(creates.filter { $0.contains("subnets create other-subnet") }.count == 1)
        #expect(creates.filter { $0.contains("clusters create kf-private") }.count == 1)
    }

    @Test func allowRulesThatDifferOnlyInPortsAreOneRule() {
        func health(_ port: String) -> Finding {
            Self.finding("health-\(port)", [Self.action(
                "gcloud compute firewall-rules create allow-health-checks-\(port) --project={project} --network={network} --direction=INGRESS --action=ALLOW --priority=1000 --source-ranges=35.191.0.0/16,130.211.0.0/22 --target-tags=t --rules=tcp:\(port)",
                Self.values)])
        }
        let other = Self.finding("webhook", [Self.action(
            "gcloud compute firewall-rules create allow-master-to-webhook-8443 --project={project} --network={network} --direction=INGRESS --action=ALLOW --priority=1000 --source-ranges=172.16.0.0/28 --target-tags=t --rules=tcp:8443",
            Self.values)])
        let plan = FixPlan(findings: [health("10256"), health("30443"), other])
        #expect(plan.steps.count == 2)
        #expect(plan.steps[0].action.name == "allow-health-checks")
        #expect(plan.steps[0].action.flag("rules") == "tcp:10256,tcp:30443")
        #expect(plan.steps[0].findings == ["health-10256", "health-30443"])
        #expect(plan.steps[1].action.name == "allow-master-to-webhook-8443")
        // A protocol with every port holds that protocol's port ranges.
        let all = Self.finding("pods", [Self.action(
            "gcloud compute firewall-rules create allow-pods --project={project} --network={network} --direction=INGRESS --action=ALLOW --priority=1000 --source-ranges=35.191.0.0/16,130.211.0.0/22 --target-tags=t --rules=tcp,udp",
            Self.values)])
        let widened = FixPlan(findings: [health("10256"), all])
        #expect(widened.steps.count == 1)
        #expect(widened.steps[0].action.flag("rules") == "tcp,udp", "\(widened.steps.map(\.command))")
        // stuck-provisioning's two egress rules to the control plane (65533 with tcp:443,10250; 1000 with tcp:443):
        // one rule with both ports at the better priority.
        let lockdown = Self.finding("egress", [Self.action(
            "gcloud compute firewall-rules create allow-egress-to-master --project={project} --network={network} --direction=EGRESS --action=ALLOW --priority=65533 --destination-ranges=172.16.0.0/28 --target-tags=t --rules=tcp:443,tcp:10250",
            Self.values)])
        let registering = Self.finding("nodes", [Self.action(
            "gcloud compute firewall-rules create allow-egress-nodes-to-master --project={project} --network={network} --direction=EGRESS --action=ALLOW --destination-ranges=172.16.0.0/28 --target-tags=t --rules=tcp:443",
            Self.values)])
        let one = FixPlan(findings: [lockdown, registering])
        #expect(one.steps.count == 1, "\(one.steps.map(\.command))")
        #expect(one.steps.first?.action.flag("priority") == "1000")
        #expect(one.steps.first?.action.flag("rules") == "tcp:443,tcp:10250")
        #expect(one.steps.first?.findings == ["egress", "nodes"])
    }

    @Test func whatTheConfigShowsIsNotCreatedAgain() throws {
        let config = try Self.bundleConfig(["routers.json", "subnets.json", "dns-managed-zones.json", "dns-record-sets-googleapis.json", "routes.json"])
        var finding = Self.finding("f", [
            Self.action("gcloud compute networks subnets update kubeflow-subnet --project={project} --region={region} --enable-private-ip-google-access", Self.values),
            Self.action("gcloud dns managed-zones create googleapis-com --project={project} --visibility=private --networks={network} --dns-name=googleapis.com.", Self.values),
            Self.action("gcloud dns record-sets create googleapis.com. --project={project} --zone=googleapis-com --type=A --ttl=300 --rrdatas=199.36.153.4,199.36.153.5,199.36.153.6,199.36.153.7", Self.values),
            Self.action("gcloud dns record-sets create '*.googleapis.com.' --project={project} --zone=googleapis-com --type=CNAME --ttl=300 --rrdatas=googleapis.com.", Self.values),
            Self.action("gcloud dns record-sets create storage.googleapis.com. --project={project} --zone=googleapis-com --type=A --ttl=300 --rrdatas=199.36.153.8", Self.values),
            Self.action("gcloud compute routers create nat-router --project={project} --network={network} --region={region}", Self.values),
            Self.action("gcloud compute routers nats create nat-config --router=nat-router --region={region} --project={project}", Self.values),
        ])
        FixReconciler.reconcile(&finding, config: config, project: "kf-prod-4412")
        let kept = finding.remedy.actions
        // Private Google Access is on, the zone exists (as `googleapis`), its wildcard already
        // resolves to the VIP through restricted.googleapis.com, the router and its NAT exist.
        #expect(!kept.contains { $0.kind == .subnetUpdate || $0.kind == .zoneCreate || $0.kind == .routerCreate || $0.kind == .natCreate },
                "\(kept.map(\.command.rendered))")
        #expect(!kept.contains { $0.name == "*.googleapis.com." || $0.name == "googleapis.com." }, "\(kept.map(\.command.rendered))")
        // A record the zone lacks goes into the zone that exists, under its own name.
        let storage = try #require(kept.first { $0.name == "storage.googleapis.com." })
        #expect(storage.kind == .recordCreate)
        #expect(storage.flag("zone") == "googleapis")
        #expect(finding.remedy.inPlace.contains { $0.hasPrefix("Private Google Access is on for subnet kubeflow-subnet") })
        #expect(finding.remedy.inPlace.contains { $0.hasPrefix("private zone googleapis (googleapis.com.) exists") })
        #expect(finding.remedy.inPlace.contains { $0.hasPrefix("Cloud Router kf-router exists") })
        #expect(finding.remedy.inPlace.contains { $0.hasPrefix("Cloud NAT kf-nat exists") })
        #expect(finding.surerWith.isEmpty, "\(finding.surerWith)")
    }

    @Test func aRecordWithOtherDataIsUpdatedAndARouterThatExistsTakesTheNAT() throws {
        var config = try Self.bundleConfig(["dns-managed-zones.json", "dns-record-sets-googleapis.json"])
        // The router listed, with no NAT on it: the NAT goes onto it.
        _ = config.add(document: [
            "kind": "compute#router", "name": "edge-router",
            "network": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/networks/kubeflow-vpc",
            "region": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/regions/us-central1",
        ], location: RecordLocation(input: "routers.json", line: 1, byteOffset: 0))
        var finding = Self.finding("f", [
            Self.action("gcloud dns record-sets create restricted.googleapis.com. --project={project} --zone=googleapis --type=A --ttl=300 --rrdatas=199.36.153.8", Self.values),
            Self.action("gcloud compute routers create nat-router --project={project} --network={network} --region={region}", Self.values),
            Self.action("gcloud compute routers nats create nat-config --router=nat-router --region={region} --project={project}", Self.values),
        ])
        FixReconciler.reconcile(&finding, config: config, project: "kf-prod-4412")
        let kept = finding.remedy.actions
        #expect(kept.map(\.kind) == [.recordUpdate, .natCreate], "\(kept.map(\.command.rendered))")
        #expect(kept[0].command.rendered.hasPrefix("gcloud dns record-sets update restricted.googleapis.com. "))
        #expect(kept[1].flag("router") == "edge-router")
    }

    @Test func aListingNotGivenIsNamedAsWhatMakesThePlanExact() {
        var finding = Self.finding("f", [
            Self.action("gcloud dns managed-zones create gcr-io --project={project} --visibility=private --networks={network} --dns-name=gcr.io.", Self.values),
            Self.action("gcloud compute routers create nat-router --project={project} --network={network} --region={region}", Self.values),
        ])
        FixReconciler.reconcile(&finding, config: ConfigSnapshot(), project: "kf-prod-4412")
        #expect(finding.remedy.actions.count == 2)
        #expect(finding.surerWith.contains("gcloud dns managed-zones list --project=kf-prod-4412 --format=json > dns-managed-zones.json"), "\(finding.surerWith)")
        #expect(finding.surerWith.contains("gcloud compute routers list --project=kf-prod-4412 --format=json > routers.json"), "\(finding.surerWith)")
    }

    /// A name from the config (hostile) that a step takes over is one argument, as intended.
    @Test func aHostileNameFromTheConfigStaysOneArgument() throws {
        var config = ConfigSnapshot()
        _ = config.add(document: [
            "kind": "compute#router", "name": "r$(touch X);id", "network": "kubeflow-vpc", "region": "us-central1",
        ], location: RecordLocation(input: "routers.json", line: 1, byteOffset: 0))
        var finding = Self.finding("f", [
            Self.action("gcloud compute routers create nat-router --project={project} --network={network} --region={region}", Self.values),
            Self.action("gcloud compute routers nats create nat-config --router=nat-router --region={region} --project={project}", Self.values),
        ])
        FixReconciler.reconcile(&finding, config: config, project: "kf-prod-4412")
        let nat = try #require(finding.remedy.actions.first)
        #expect(nat.command.arguments == [["gcloud", "compute", "routers", "nats", "create", "nat-config", "--router=r$(touch X);id", "--region=us-central1", "--project=kf-prod-4412"]])
        let echoed = try shell("printf '%s\\n' " + nat.command.rendered.dropFirst("gcloud ".count))
        #expect(echoed.contains("--router=r$(touch X);id\n"), "\(echoed)")
    }
}
