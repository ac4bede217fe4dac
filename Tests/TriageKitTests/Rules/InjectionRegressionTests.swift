import Foundation
import Testing
@testable import TriageKit

/// The two injections reported in issue 11, through the whole pipeline: a hostile network name
/// in a firewall log and a hostile VPC-SC id in pasted text reach the printed commands as data.
@Suite(.serialized)
struct InjectionRegressionTests {
    static func rule(_ id: String) throws -> (rule: Rule, all: [Rule]) {
        let all = try RuleLoader.builtIn()
        return (try #require(all.first { $0.id == id }), all)
    }

    /// Runs every command of the finding through the stubs; returns the calls of all of them.
    static func calls(of finding: Finding) throws -> [[String]] {
        let shell = try StubShell()
        let commands = finding.remedy.commands + finding.remedy.kpt
        let syntax = try shell.syntaxProblem(commands)
        #expect(syntax == nil)
        let outcomes = try shell.outcomes(commands)
        for (command, outcome) in zip(commands, outcomes) {
            #expect(!outcome.files.contains("X"), "ran touch: \(command)")
            #expect(!outcome.stderr.contains("not found"), "ran something else: \(command): \(outcome.stderr)")
        }
        return outcomes.flatMap(\.calls)
    }

    @Test func networkNameFromAFirewallLog() throws {
        let (rule, all) = try Self.rule("internet-egress-blocked")
        var sample = try #require(rule.samples.trigger.first)
        #expect(sample.input.contains("\"vpc_name\":\"kubeflow-vpc\""))
        sample.input = sample.input.replacingOccurrences(of: "\"vpc_name\":\"kubeflow-vpc\"", with: "\"vpc_name\":\"kubeflow-vpc$(touch X)\"")
        let analysis = try SampleRunner.run(sample, format: .ndjson, rules: all)
        let finding = try #require(analysis.findings.first { $0.rule == rule.id })
        let listing = try #require(finding.remedy.commands.first { $0.contains("--filter") })
        #expect(!listing.contains("network~'kubeflow-vpc"), "\(listing)")
        let calls = try Self.calls(of: finding)
        // Such a name cannot be a VPC network's, so it is not believed at all: the network comes
        // from the denying rule's reference (network:kubeflow-vpc/firewall:…) instead, and nothing ran.
        #expect(!calls.joined().joined().contains("touch"), "\(calls)")
        #expect(calls.contains { $0.contains("--filter=network~kubeflow-vpc AND direction=EGRESS") }, "\(calls)")
    }

    /// The same hostile name, rendered as if it had been believed: the quoting alone keeps it
    /// data (validation is the second fence, not the only one).
    @Test func networkNameRenderedWithoutValidation() throws {
        let rule = try Self.rule("internet-egress-blocked").rule
        let hostile = "kubeflow-vpc$(touch X)"
        let template = try #require(rule.remedy.commands.first { $0.text.source.contains("--filter") }?.text)
        let command = template.render({ $0 == "network" ? hostile : ($0 == "project" ? "kf-prod-4412" : nil) }, quoting: .shell)
        let shell = try StubShell()
        #expect(try shell.syntaxProblem([command]) == nil)
        let outcome = try #require(try shell.outcomes([command]).first)
        #expect(!outcome.files.contains("X"), "ran touch: \(command)")
        // The network, as a regular expression (`$`, `(`, `)` literal), as one filter operand.
        #expect(outcome.calls.contains { $0.contains("--filter=network~\"kubeflow-vpc\\\\$[(]touch X[)]\" AND direction=EGRESS") }, "\(outcome.calls)")
    }

    @Test func vpcServiceControlsIdFromPastedText() throws {
        let (rule, all) = try Self.rule("vpc-sc-denied")
        var sample = try #require(rule.samples.trigger.first)
        sample.files = [Rule.File(
            name: "error.txt",
            text: "ERROR: (gcloud.storage.ls) HTTPError 403: Request is prohibited by organization's policy. "
                + "vpcServiceControlsUniqueIdentifier: 5nKQ8$(touch${IFS}X)\n")]
        let analysis = try SampleRunner.run(sample, format: .ndjson, rules: all)
        let finding = try #require(analysis.findings.first { $0.rule == rule.id })
        let read = try #require(finding.remedy.commands.first { $0.contains("logging read") })
        #expect(!read.contains("\"'5nKQ8"), "\(read)")
        let calls = try Self.calls(of: finding)
        let query = try #require(calls.first { $0.starts(with: ["gcloud", "logging", "read"]) })
        #expect(query[3] == "protoPayload.metadata.vpcServiceControlsUniqueId=\"5nKQ8$(touch${IFS}X)\"", "\(query)")
    }
}
