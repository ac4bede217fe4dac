import Foundation
import Testing
import Yams
@testable import TriageKit

/// The fix plan's declarative forms (issue 14): Config Connector manifests and Terraform derived
/// from the plan's typed steps. Field names are from Config Connector's resource reference
/// (https://cloud.google.com/config-connector/docs/reference/resource-docs/compute/computefirewall
/// and the pages beside it) and the Google provider's docs
/// (https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_firewall …).
@Suite struct PlanFormsTests {
    static func step(_ action: RemedyAction, _ number: Int = 1) -> FixPlan.Step {
        FixPlan.Step(number: number, action: action, findings: ["f"])
    }

    static func action(_ command: ShellCommand) -> RemedyAction { RemedyAction(command) }

    static func yaml(_ text: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: text) as? [String: Any], "\(text)")
    }

    static func spec(_ text: String) throws -> [String: Any] {
        try #require(try yaml(text)["spec"] as? [String: Any])
    }

    /// Values a log line, a VM name or an API answer could carry, with HCL's template openers.
    /// Every opener is closed by a later `}`: python-hcl2 8's grammar reads `$${` and `%%{` only
    /// up to a `}` (`/\$\$\{[^}]*\}/`), which HCL does not require; an unclosed one is checked
    /// against the HCL spec's form in `hclQuotingEscapesWhatCouldEndOrRunTheString`.
    static func hostile(_ random: inout SplitMix64) -> String {
        let extra = ["${x}", "%{x}", "$${x}", "%%{y}", "$", "%", "\u{202E}", "\u{2066}", "\u{FEFF}", "\\u0041", "\0"]
        var value = HostileValues.value(&random)
        if random.int(0...1) == 1 { value += random.pick(extra) + HostileValues.value(&random) }
        return value
    }

    /// gcloud's list flag split at commas, as the step reads it; a NUL cannot reach argv.
    static func items(_ value: String) -> [String] {
        value.replacingOccurrences(of: "\0", with: "\u{FFFD}").split(separator: ",", omittingEmptySubsequences: true).map(String.init)
    }

    static func hostileFirewall(_ description: String, _ network: String, _ tags: String) -> RemedyAction {
        action(ShellCommand("gcloud compute firewall-rules create allow-x").adding(flag: "project", "kf-prod-4412")
            .adding(flag: "network", network).adding(flag: "direction", "INGRESS").adding(flag: "action", "ALLOW")
            .adding(flag: "priority", "1000").adding(flag: "source-ranges", "172.16.0.0/28").adding(flag: "target-tags", tags)
            .adding(flag: "rules", "tcp:8443").adding(flag: "description", description))
    }

    @Test func hostileValuesReadBackEqualFromYAML() throws {
        var random = SplitMix64(seed: 0xF0_12_14)
        let form = ConfigConnectorForm(config: ConfigSnapshot())
        for _ in 0..<300 {
            let (description, network, tags) = (Self.hostile(&random), Self.hostile(&random), Self.hostile(&random))
            let manifest = form.manifest(for: Self.step(Self.hostileFirewall(description, network, tags)))
            let spec = try Self.spec(manifest)
            // YAML keeps even a NUL (as \x00); only argv and HCL cannot.
            #expect(spec["description"] as? String == description, "\(manifest)")
            #expect((spec["networkRef"] as? [String: Any])?["external"] as? String == "projects/kf-prod-4412/global/networks/" + network)
            let wanted = tags.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
            #expect(spec["targetTags"] as? [String] == (wanted.isEmpty ? nil : wanted), "\(manifest)")
            #expect((spec["allow"] as? [[String: Any]])?.first?["ports"] as? [String] == ["8443"])
            let keys: Set = ["networkRef", "direction", "priority", "sourceRanges", "targetTags", "allow", "description"]
            #expect(Set(spec.keys) == (wanted.isEmpty ? keys.subtracting(["targetTags"]) : keys), "no value adds a key: \(spec.keys.sorted())")
        }
    }

    /// python-hcl2 (`pip install python-hcl2`) parses the Terraform; strings come back unescaped
    /// but for HCL's template escapes, which the spec reads as `${` and `%{`.
    static let hclAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import hcl2"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Each text parsed by python-hcl2, as JSON.
    static func parseHCL(_ texts: [String]) throws -> [[String: Any]] {
        let script = """
            import hcl2, json, sys
            from hcl2.utils import SerializationOptions
            def fix(v):
                if isinstance(v, str): return v.replace('$${', '${').replace('%%{', '%{')
                if isinstance(v, list): return [fix(x) for x in v]
                if isinstance(v, dict): return {k: fix(x) for k, x in v.items()}
                return v
            out = []
            for t in json.load(sys.stdin):
                try: out.append(fix(hcl2.loads(t, serialization_options=SerializationOptions(strip_string_quotes=True))))
                except Exception as e: out.append({"error": str(e)[:300], "text": t})
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: texts))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python-hcl2: \(problem)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    @Test(.enabled(if: hclAvailable, "python-hcl2 is not installed (pip install python-hcl2): the HCL read-back is skipped"))
    func hostileValuesReadBackEqualFromHCL() throws {
        var random = SplitMix64(seed: 0xF0_12_15)
        let form = TerraformForm(config: ConfigSnapshot())
        var cases: [(description: String, network: String, tags: String)] = []
        for _ in 0..<300 { cases.append((Self.hostile(&random), Self.hostile(&random), Self.hostile(&random))) }
        let texts = cases.map { form.resource(for: Self.step(Self.hostileFirewall($0.description, $0.network, $0.tags))) }
        let parsed = try Self.parseHCL(texts)
        for (index, item) in cases.enumerated() {
            let resources = try #require(parsed[index]["resource"] as? [[String: Any]], "\(parsed[index])")
            #expect(resources.count == 1)
            let body = try #require((resources.first?["google_compute_firewall"] as? [String: Any])?.values.first as? [String: Any], "\(texts[index])")
            let clean = { (s: String) in s.replacingOccurrences(of: "\0", with: "\u{FFFD}") }
            #expect(body["description"] as? String == clean(item.description), "\(texts[index])")
            #expect(body["network"] as? String == clean(item.network), "\(texts[index])")
            #expect(body["target_tags"] as? [String] == Self.items(item.tags), "\(texts[index])")
        }
    }

    @Test func hclQuotingEscapesWhatCouldEndOrRunTheString() {
        #expect(Quote.hclString("a\"b\\c") == #""a\"b\\c""#)
        #expect(Quote.hclString("${x} %{if y}") == #""$${x} %%{if y}""#)
        #expect(Quote.hclString("$$ %% $") == #""$$ %% $""#, "only an opener before { is escaped")
        #expect(Quote.hclString("${x") == #""$${x""#, "an unclosed opener is literal too (HCL: $${ is ${)")
        #expect(Quote.hclString("$${") == #""$$${""#)
        #expect(Quote.hclString("a\nb\r\t\u{1B}\u{202E}\u{2028}") == #""a\nb\r\t\u001B\u202E\u2028""#)
    }

    /// A value the evidence did not give: a Terraform variable described with the command that
    /// finds it, and in Config Connector a `{missing: NAME}` mapping where the schema wants a
    /// string, which the API server's schema validation refuses, so `kubectl apply` fails.
    @Test func aMissingValueIsAVariableAndAMarkerNeverText() throws {
        let command = ShellCommand("gcloud compute firewall-rules create allow-health-checks").adding(flag: "project", "kf-prod-4412")
            .adding(flag: "network", "kubeflow-vpc").adding(flag: "source-ranges", "35.191.0.0/16")
            .adding(.literal("--target-tags="), .missing("NODE_TAG")).adding(.literal("--rules=tcp:"), .missing("PORT"))
        let finding = FixPlanTests.finding("health", [Self.action(command)])
        let analysis = Analysis(findings: [finding], account: RunAccount(), topology: Topology(), rulesRun: 0)
        let manifests = ConfigConnectorForm(config: ConfigSnapshot()).render(analysis)
        let documents = try Yams.load_all(yaml: manifests).compactMap { $0 as? [String: Any] }
        #expect(documents.count == 1)
        let spec = try #require(documents.first?["spec"] as? [String: Any])
        #expect((spec["targetTags"] as? [Any])?.first as? [String: String] == ["missing": "NODE_TAG"], "\(manifests)")
        #expect(((spec["allow"] as? [[String: Any]])?.first?["ports"] as? [Any])?.first as? [String: String] == ["missing": "PORT"])
        #expect(manifests.contains("#   NODE_TAG: gcloud compute firewall-rules list"), "\(manifests)")
        #expect(!manifests.contains("<NODE_TAG>"))

        let terraform = TerraformForm(config: ConfigSnapshot()).render(analysis)
        #expect(terraform.contains("variable \"node_tag\" {\n  type        = string\n  description = \"NODE_TAG: find it with: gcloud compute firewall-rules list"), "\(terraform)")
        #expect(terraform.contains("target_tags = [\"${var.node_tag}\"]"), "\(terraform)")
        #expect(terraform.contains("ports = [\"${var.port}\"]"), "\(terraform)")
        #expect(!terraform.contains("<NODE_TAG>"))
    }

    static func bundleRule(disabled: Bool) -> String {
        """
        [{"kind": "compute#firewall", "name": "allow-egress-github", "network": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/networks/kubeflow-vpc",
          "direction": "EGRESS", "priority": 1000, "destinationRanges": ["140.82.112.0/20"], "targetTags": ["gke-kf-private-3f9a6c2e-node"],
          "allowed": [{"IPProtocol": "tcp", "ports": ["443", "22"]}], "disabled": \(disabled), "logConfig": {"enable": false},
          "selfLink": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/firewalls/allow-egress-github"}]
        """
    }

    static let enable = RemedyAction(ShellCommand("gcloud compute firewall-rules update allow-egress-github").adding(flag: "project", "kf-prod-4412").adding(literal: "--no-disabled"))
    static let reprioritise = RemedyAction(ShellCommand("gcloud compute firewall-rules update allow-egress-github").adding(flag: "project", "kf-prod-4412").adding(flag: "priority", "900"))

    /// Config Connector and Terraform apply a whole resource: an update carries what the listing
    /// shows of the rule, with the change, and Terraform imports it rather than creating it.
    @Test func anUpdateCarriesTheListedRuleAndImportsIt() throws {
        let config = collect(Self.bundleRule(disabled: true)).config
        #expect(config.firewallRules.count == 1)
        let manifest = ConfigConnectorForm(config: config).manifest(for: Self.step(Self.enable))
        let spec = try Self.spec(manifest)
        #expect(spec["disabled"] as? Bool == false)
        #expect(spec["direction"] as? String == "EGRESS" && spec["priority"] as? Int == 1000)
        #expect(spec["destinationRanges"] as? [String] == ["140.82.112.0/20"])
        #expect((spec["allow"] as? [[String: Any]])?.first?["ports"] as? [String] == ["443", "22"], "\(manifest)")
        #expect(manifest.contains("triage does not read description"))

        let terraform = TerraformForm(config: config).resource(for: Self.step(Self.enable))
        #expect(terraform.contains("import {\n  to = google_compute_firewall.allow_egress_github\n  id = \"projects/kf-prod-4412/global/firewalls/allow-egress-github\"\n}"), "\(terraform)")
        #expect(terraform.contains("disabled = false") && terraform.contains("ports = [\"443\", \"22\"]"), "\(terraform)")
    }

    @Test func anUpdateWithoutTheListingSaysWhichMakesItExact() throws {
        let manifest = ConfigConnectorForm(config: ConfigSnapshot()).manifest(for: Self.step(Self.enable))
        let spec = try Self.spec(manifest)
        let external = (spec["networkRef"] as? [String: Any])?["external"] as? [String: String]
        #expect(external == ["unknown": "not in the listing given"], "\(manifest)")
        #expect(manifest.contains("# Exact with: gcloud compute firewall-rules list --project=kf-prod-4412 --format=json > firewall-rules.json\n"), "\(manifest)")
        #expect(spec["allow"] == nil, "nothing it does not know is written")
        let terraform = TerraformForm(config: ConfigSnapshot()).resource(for: Self.step(Self.enable))
        #expect(!terraform.contains("resource \"") && !terraform.contains("import {"), "\(terraform)")
        #expect(terraform.contains("Exact with: gcloud compute firewall-rules list --project=kf-prod-4412 --format=json > firewall-rules.json"))
    }

    /// Two steps that change one rule are one document and one resource with both changes.
    @Test func twoChangesToOneRuleAreOneResource() throws {
        let config = collect(Self.bundleRule(disabled: true)).config
        let finding = FixPlanTests.finding("shadowed", [Self.enable, Self.reprioritise])
        var analysis = Analysis(findings: [finding], account: RunAccount(), topology: Topology(), rulesRun: 0)
        analysis.config = config
        #expect(analysis.plan.steps.count == 2)
        let documents = try Yams.load_all(yaml: ConfigConnectorForm(config: config).render(analysis)).compactMap { $0 as? [String: Any] }
        #expect(documents.count == 1)
        let spec = try #require(documents.first?["spec"] as? [String: Any])
        #expect(spec["disabled"] as? Bool == false && spec["priority"] as? Int == 900)
        let terraform = TerraformForm(config: config).render(analysis)
        #expect(terraform.components(separatedBy: "import {").count == 2 && terraform.components(separatedBy: "resource \"").count == 2, "\(terraform)")
    }

    /// A step with no typed form is named by its command, never made into a resource.
    @Test func aStepWithNoTypedFormIsNamed() throws {
        let delete = RemedyAction(ShellCommand("gcloud compute routes delete old-route").adding(flag: "project", "kf-prod-4412"))
        let iam = RemedyAction(ShellCommand("gcloud projects add-iam-policy-binding kf-prod-4412").adding(flag: "role", "roles/x"))
        for action in [delete, iam] {
            let manifest = ConfigConnectorForm(config: ConfigSnapshot()).manifest(for: Self.step(action))
            #expect(manifest == "# No Config Connector form; the plan's command: \(action.command.rendered)\n")
            #expect(try Yams.load(yaml: manifest) == nil)
            let terraform = TerraformForm(config: ConfigSnapshot()).resource(for: Self.step(action))
            #expect(terraform == "# No Terraform resource for this step; the plan's command: \(action.command.rendered)\n")
        }
    }

    /// Every rule's trigger samples: each firewall step's manifest is the rule the gcloud step
    /// creates or changes (direction, priority, ranges, tags, protocols and ports), and lets the
    /// finding's logged connections through.
    @Test func firewallManifestsSayWhatTheGcloudStepSays() throws {
        let rules = try RuleLoader.builtIn()
        var checked = 0
        for rule in rules {
            for sample in rule.samples.trigger {
                guard let analysis = try? SampleRunner.run(sample, format: .ndjson, rules: rules) else { continue }
                let form = ConfigConnectorForm(config: analysis.config)
                for step in analysis.plan.steps where step.action.kind == .firewallCreate {
                    let manifest = form.manifest(for: step)
                    guard !manifest.contains("{missing:") else { continue }
                    let object = try Self.yaml(manifest)
                    let firewall = try #require(FirewallRule(configConnector: object, location: nil), "\(rule.id): \(manifest)")
                    let action = step.action
                    #expect(firewall.name == action.name)
                    #expect(firewall.direction.rawValue == (action.flag("direction") ?? "INGRESS").uppercased(), "\(rule.id)")
                    #expect(firewall.action.rawValue == (action.flag("action") ?? "ALLOW").uppercased(), "\(rule.id)")
                    #expect(firewall.priority == Int(action.flag("priority") ?? "1000"), "\(rule.id): \(manifest)")
                    #expect(Set(firewall.sourceRanges ?? []) == Set(action.list("source-ranges").compactMap(CIDR.init)), "\(rule.id)")
                    #expect(Set(firewall.destinationRanges ?? []) == Set(action.list("destination-ranges").compactMap(CIDR.init)), "\(rule.id)")
                    #expect(Set(firewall.targetTags ?? []) == Set(action.list("target-tags")), "\(rule.id)")
                    #expect(firewall.network == action.flag("network"), "\(rule.id)")
                    let commandPermissions = FirewallRule.permissions(fromTable: action.flag("rules") ?? "")
                    #expect(Set(firewall.permissions.map(\.description)) == Set(commandPermissions.map(\.description)), "\(rule.id): \(manifest)")
                    #expect(firewall.logging == (action.hasFlag("enable-logging") ? true : nil) || firewall.logging == false, "\(rule.id)")
                    guard firewall.action == .allow else { continue }
                    for finding in analysis.findings where step.findings.contains(finding.id) {
                        for example in finding.examples {
                            let source = try #require(IPAddress(String(example.source.split(separator: ":")[0])))
                            let destinationParts = example.destination.split(separator: ":")
                            let destination = try #require(IPAddress(String(destinationParts[0])))
                            guard let port = Int(destinationParts.last ?? "") else { continue }
                            let flow = FirewallModel.Flow(
                                source: CIDR(network: source, prefixLength: 32), destination: CIDR(network: destination, prefixLength: 32),
                                protocolName: example.protocolName, ports: port...port, direction: firewall.direction,
                                network: firewall.network ?? "", vmTags: firewall.targetTags ?? [])
                            #expect(FirewallModel(rules: [firewall]).evaluate(flow).verdict == .allowed, "\(rule.id): \(example.source) → \(example.destination)")
                        }
                    }
                    checked += 1
                }
            }
        }
        #expect(checked >= 15, "firewall steps checked: \(checked)")
    }

    @Test func kptSetterTurnsFirewallLoggingOn() throws {
        let rule = try #require(try RuleLoader.builtIn().first { $0.id == "firewall-logging-off" })
        let analysis = try SampleRunner.run(rule.samples.trigger[0], format: .ndjson, rules: try RuleLoader.builtIn())
        let finding = try #require(analysis.findings.first { $0.rule == "firewall-logging-off" })
        #expect(finding.remedy.kpt == ["kpt cfg set -R . log-firewalls true"])
        #expect(finding.remedy.commands.contains { $0.contains("--enable-logging") && $0.contains("deny-all-egress") })
        let step = try #require(analysis.plan.steps(for: finding).first { $0.action.kind == .firewallCreate })
        let deny = try #require(FirewallRule(configConnector: try Self.yaml(ConfigConnectorForm(config: analysis.config).manifest(for: step)), location: nil))
        #expect(deny.action == .deny && deny.priority == 65534 && deny.logging == true)
    }

    @Test func aRuleMayNotHandWriteAKindThePlanWrites() throws {
        let text = """
            id: custom-fw
            severity: error
            title: t
            evidence: check
            match: {check: [control-plane-to-nodes]}
            message: m
            remedy:
              why: w
              commands:
                - gcloud compute firewall-rules create x --network=n --rules=tcp:1
              config_connector:
                - |
                  apiVersion: compute.cnrm.cloud.google.com/v1beta1
                  kind: ComputeFirewall
                  metadata:
                    name: x
                  spec: {}
            references: [https://example.com]
            samples: {trigger: [], pass: []}
            """
        #expect(throws: TriageError.self) { try RuleLoader.parse(text, file: "custom-fw.yaml") }
        do {
            _ = try RuleLoader.parse(text, file: "custom-fw.yaml")
        } catch {
            #expect("\(error)".contains("written from the rule's commands"), "\(error)")
        }
    }
}
