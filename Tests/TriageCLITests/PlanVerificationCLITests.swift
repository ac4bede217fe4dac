import Foundation
import Testing

/// The smallest change and a plan checked by the models (issue 14, items 2-3), from the demo
/// bundle's config as the real gcloud rendered it: a user's allow rule for the same ends gets the
/// port added rather than a new rule beside it (but not for a control-plane webhook port, where
/// GKE's docs advise a rule of its own), and every firewall and route step of every scenario's
/// plan is marked verified, or says why not.
@Suite struct PlanVerificationCLITests {
    static let node = "gke-kf-private-3f9a6c2e-node"

    /// The bundle's inputs, its firewall listing with `rule` added, in a temporary folder.
    static func bundle(adding rule: [String: Any], in directory: URL) throws -> String {
        let inputs = CLI.sampleLogs.appendingPathComponent("bundle/inputs")
        let folder = directory.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: inputs.path) where name != "firewall-rules.json" {
            try FileManager.default.copyItem(at: inputs.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        var listing = try JSONSerialization.jsonObject(
            with: Data(contentsOf: inputs.appendingPathComponent("firewall-rules.json"))) as! [[String: Any]]
        var added = listing.first { $0["name"] as? String == "allow-ingress-iap-ssh" }!
        for (key, value) in rule { added[key] = value }
        added["selfLink"] = "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/firewalls/\(rule["name"]!)"
        listing.append(added)
        try JSONSerialization.data(withJSONObject: listing, options: [.prettyPrinted, .sortedKeys])
            .write(to: folder.appendingPathComponent("firewall-rules.json"))
        return folder.path
    }

    static func report(_ inputs: String) throws -> JSONReport {
        try JSONReport(try CLI.triage([inputs, "--format", "json", "--now", "2026-11-22T10:30:00Z"]))
    }

    /// The user's own rule from the health checkers to the nodes (tcp:80): the three health-check
    /// findings' ports go onto it, with its own entry kept (`--rules` replaces the list).
    @Test func aUserRuleForTheSameEndsGetsThePortsAdded() throws {
        try CLI.withTemporaryDirectory { directory in
            let inputs = try Self.bundle(adding: [
                "name": "allow-lb-health-checks", "priority": 900, "sourceRanges": ["35.191.0.0/16", "130.211.0.0/22"],
                "allowed": [["IPProtocol": "tcp", "ports": ["80"]]],
            ], in: directory)
            let report = try Self.report(inputs)
            let commands = report.planCommands
            #expect(!commands.contains { $0.contains("firewall-rules create allow-health-checks") }, "\(commands)")
            let updates = report.plan.filter { ($0["command"] as? String)?.hasPrefix("gcloud compute firewall-rules update allow-lb-health-checks ") == true }
            #expect(updates.count == 1, "\(commands)")
            let update = try #require(updates.first)
            let command = update["command"] as? String ?? ""
            #expect(command.hasPrefix("gcloud compute firewall-rules update allow-lb-health-checks --project=kf-prod-4412 --rules=tcp:80,"), "\(command)")
            for port in ["10256", "30443", "8080"] { #expect(command.contains("tcp:\(port)"), "\(command)") }
            #expect(update["verified"] as? String == "yes", "\(update)")
            #expect((update["findings"] as? [String])?.count == 3, "\(update)")
            #expect(try CLI.shell("bash -n -c \"$1\"", [command]).status == 0)
            let health = report.findings.filter { $0["rule"] as? String == "health-check-blocked" }
            #expect(health.count == 3)
            for finding in health {
                let facts = finding["facts"] as? [String: String] ?? [:]
                #expect(facts["fix.change"] == "ports" && facts["fix.change.rule"] == "allow-lb-health-checks", "\(facts)")
            }
        }
    }

    /// A user's rule from the control plane to the nodes on another port: the webhook port gets a
    /// rule of its own, as GKE's docs (and Cloud Service Mesh's for 15017) advise.
    @Test func aWebhookPortGetsARuleOfItsOwn() throws {
        try CLI.withTemporaryDirectory { directory in
            let inputs = try Self.bundle(adding: [
                "name": "allow-master-to-istiod", "priority": 900, "sourceRanges": ["172.16.0.0/28"],
                "allowed": [["IPProtocol": "tcp", "ports": ["15017"]]],
            ], in: directory)
            let commands = try Self.report(inputs).planCommands
            #expect(commands.contains { $0.hasPrefix("gcloud compute firewall-rules create allow-master-to-webhook-8443 ") }, "\(commands)")
            #expect(!commands.contains { $0.contains("update allow-master-to-istiod") }, "\(commands)")
        }
    }

    /// Every scenario and the bundle: each firewall and route step is verified yes, or says why
    /// not; the script comments it and still parses.
    @Test("every firewall and route step is verified or says why not", arguments: FixReconcileTests.scenarios)
    func everyStepIsVerifiedOrSaysWhyNot(_ name: String) throws {
        let files = try FolderScenarioTests.inputs(name)
        let report = try JSONReport(try CLI.triage(files + ["--format", "json", "--now", "2026-11-22T10:30:00Z"]))
        let modelled = ["firewall-rule.create", "firewall-rule.update", "route.create", "route.delete"]
        for step in report.plan where modelled.contains(step["kind"] as? String ?? "") {
            let verified = step["verified"] as? String
            #expect(["yes", "no", "not-checkable"].contains(verified ?? ""), "\(name): \(step)")
            let note = step["verify_note"] as? String ?? ""
            #expect(!note.isEmpty, "\(name): \(step)")
        }
        let script = try CLI.triage(files + ["--format", "script", "--now", "2026-11-22T10:30:00Z"])
        #expect(try CLI.shell("bash -n -c \"$1\"", [script.out]).status == 0, "\(name)")
        let verifiedComments = script.out.split(separator: "\n").filter { $0.hasPrefix("# verified: ") }.count
        #expect(verifiedComments == report.plan.filter { modelled.contains($0["kind"] as? String ?? "") }.count, "\(name)\n\(script.out)")
    }

    /// The demo: with its whole config given, every firewall and route step is verified.
    @Test func theBundlesPlanIsVerified() throws {
        let report = try Self.report("SampleLogs/bundle/inputs")
        let modelled = report.plan.filter { ($0["kind"] as? String).map { $0.hasPrefix("firewall-rule.") || $0.hasPrefix("route.") } ?? false }
        #expect(!modelled.isEmpty)
        for step in modelled { #expect(step["verified"] as? String == "yes", "\(step)") }
    }

    /// vip-route-shadowed's fix deletes the winning route; the route model shows the VIP then
    /// leaves by the gateway route it shadowed.
    @Test func deletingTheShadowingRouteIsVerified() throws {
        let (_, report) = try FolderScenarioTests.run("vip-route-shadowed")
        let delete = try #require(report.plan.first { $0["kind"] as? String == "route.delete" }, "\(report.planCommands)")
        #expect(delete["command"] as? String == "gcloud compute routes delete vip-via-api-proxy --project=kf-prod-4412")
        #expect(delete["verified"] as? String == "yes", "\(delete)")
        #expect((delete["verify_note"] as? String)?.contains("leaves by restricted-googleapis") == true, "\(delete)")
        #expect(!report.planCommands.contains { $0.contains("routes create") }, "\(report.planCommands)")
    }
}
