import Foundation
import Testing
import Yams
@testable import TriageKit

/// Every Config Connector manifest a rule prints, rendered from the rule's own trigger samples:
/// it must be a valid Config Connector resource, and a `ComputeFirewall` must be the same rule
/// the gcloud command beside it creates, and let the finding's logged connection through.
struct ConfigConnectorRemedyTests {
    struct Rendered: CustomTestStringConvertible {
        var rule: String
        var sample: String
        var finding: Finding
        var testDescription: String { "\(rule) / \(sample) / \(finding.rule)" }
    }

    /// Findings of every trigger sample (NDJSON form) that carry a manifest.
    static let rendered: [Rendered] = {
        let rules = (try? RuleLoader.builtIn()) ?? []
        var out: [Rendered] = []
        for rule in rules where !rule.remedy.configConnector.isEmpty {
            for sample in rule.samples.trigger {
                guard let analysis = try? SampleRunner.run(sample, format: .ndjson, rules: rules) else { continue }
                for finding in analysis.findings where !finding.remedy.configConnector.isEmpty {
                    out.append(Rendered(rule: rule.id, sample: sample.name, finding: finding))
                }
            }
        }
        return out
    }()

    @Test func manyRulesCarryManifests() throws {
        let rules = try RuleLoader.builtIn().filter { !$0.remedy.configConnector.isEmpty }
        #expect(rules.count >= 16)
        #expect(Set(Self.rendered.map(\.rule)).count == rules.count, "every rule with a manifest renders one from its samples")
    }

    @Test(arguments: rendered) func manifestsAreConfigConnectorResources(_ item: Rendered) throws {
        for manifest in item.finding.remedy.configConnector {
            let object = try #require(try Yams.load(yaml: manifest) as? [String: Any], "\(manifest)")
            let apiVersion = try #require(object["apiVersion"] as? String)
            #expect(apiVersion.hasSuffix(".cnrm.cloud.google.com/v1beta1"))
            let metadata = try #require(object["metadata"] as? [String: Any])
            let name = try #require(metadata["name"] as? String)
            // Kubernetes object names: lower-case DNS labels.
            #expect(name.range(of: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", options: .regularExpression) != nil, "\(name)")
            let annotations = try #require(metadata["annotations"] as? [String: Any])
            #expect(annotations["cnrm.cloud.google.com/project-id"] as? String == "kf-prod-4412")
            #expect(!manifest.contains("<"), "a sample with full topology leaves no placeholder: \(manifest)")
        }
    }

    /// The flags of a `gcloud compute firewall-rules create` command.
    static func flags(_ command: String) -> [String: String] {
        var out: [String: String] = [:]
        for word in command.split(whereSeparator: \.isWhitespace) where word.hasPrefix("--") {
            let parts = word.dropFirst(2).split(separator: "=", maxSplits: 1)
            out[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return out
    }

    @Test(arguments: rendered) func firewallManifestsMatchTheCommandAndAllowTheFlow(_ item: Rendered) throws {
        let finding = item.finding
        for manifest in finding.remedy.configConnector where manifest.contains("kind: ComputeFirewall") {
            let object = try #require(try Yams.load(yaml: manifest) as? [String: Any])
            let rule = try #require(FirewallRule(configConnector: object, location: nil), "\(manifest)")
            guard rule.action == .allow else { continue }
            #expect(rule.logging == true, "triage's allow rules log, so the next run can see them work")
            #expect(rule.network == "kubeflow-vpc")
            // The gcloud command that creates the rule of the same name says the same thing.
            let command = try #require(
                finding.remedy.commands.first { $0.contains("firewall-rules create \(rule.name) ") },
                "no gcloud command creates \(rule.name)")
            let f = Self.flags(command)
            #expect(f["direction"] == rule.direction.rawValue)
            #expect(f["priority"].flatMap(Int.init) == rule.priority)
            let ranges = (rule.direction == .ingress ? rule.sourceRanges : rule.destinationRanges) ?? []
            let commandRanges = f[rule.direction == .ingress ? "source-ranges" : "destination-ranges"] ?? ""
            #expect(Set(ranges) == Set(commandRanges.split(separator: ",").compactMap { CIDR(String($0)) }))
            #expect(Set(rule.targetTags ?? []) == Set((f["target-tags"] ?? "").split(separator: ",").map(String.init)))
            let commandPermissions = FirewallRule.permissions(fromTable: f["rules"] ?? "")
            #expect(Set(rule.permissions.map { $0.description }) == Set(commandPermissions.map { $0.description }))
            // And the logged connection goes through it.
            for example in finding.examples {
                let source = try #require(IPAddress(String(example.source.split(separator: ":")[0])))
                let destinationParts = example.destination.split(separator: ":")
                let destination = try #require(IPAddress(String(destinationParts[0])))
                let port = try #require(Int(destinationParts[1]))
                let flow = FirewallModel.Flow(
                    source: CIDR(network: source, prefixLength: 32), destination: CIDR(network: destination, prefixLength: 32),
                    protocolName: example.protocolName, ports: port...port, direction: rule.direction,
                    network: "kubeflow-vpc", vmTags: rule.targetTags ?? [])
                #expect(FirewallModel(rules: [rule]).evaluate(flow).verdict == .allowed, "\(example.source) → \(example.destination)")
            }
        }
    }

    @Test func kptSetterTurnsFirewallLoggingOn() throws {
        let rule = try #require(try RuleLoader.builtIn().first { $0.id == "firewall-logging-off" })
        let analysis = try SampleRunner.run(rule.samples.trigger[0], format: .ndjson, rules: try RuleLoader.builtIn())
        let finding = try #require(analysis.findings.first { $0.rule == "firewall-logging-off" })
        #expect(finding.remedy.kpt == ["kpt cfg set -R . log-firewalls true"])
        #expect(finding.remedy.commands.contains { $0.contains("--enable-logging") && $0.contains("deny-all-egress") })
        let manifest = try #require(finding.remedy.configConnector.first)
        let object = try #require(try Yams.load(yaml: manifest) as? [String: Any])
        let deny = try #require(FirewallRule(configConnector: object, location: nil))
        #expect(deny.action == .deny && deny.priority == 65534 && deny.logging == true)
    }
}
