import Foundation
import Testing
@testable import TriageKit

/// Rules over observations (evidence other than firewall records), and merging by cause.
struct ObservationRuleTests {
    static let webhookMessage = """
        id: webhook-call-failed
        severity: error
        title: The control plane reaches every admission webhook
        evidence: message
        match:
          message: webhook-call-failed
          failure: [timeout, deadline]
        group_by: [webhook, port]
        cause: "control-plane-ingress:tcp:{port}"
        message: "{count} calls to webhook {webhook} on port {port} ({ip.role} {ip}) timed out; master {master_cidr}"
        remedy:
          why: The API server cannot reach the webhook's pods.
          commands:
            - kubectl get endpoints -n {namespace} {service}
        references: [https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters]
        samples:
          trigger:
            - name: one line
              files:
                - name: apply.txt
                  text: "failed calling webhook"
              expect: [{count: 1}]
          pass:
            - name: nothing
              files:
                - name: empty.txt
                  text: "nothing"
        """

    static let checkRule = """
        id: master-port-not-allowed
        severity: error
        title: A rule allows the control plane to reach the port
        evidence: check
        match:
          check: control-plane-to-nodes
        group_by: [port]
        cause: "control-plane-ingress:tcp:{port}"
        message: "No rule allows tcp:{port} from the control plane"
        remedy:
          why: Add one.
          commands: ["gcloud compute firewall-rules create x --rules=tcp:{port}"]
        references: [https://cloud.google.com/firewall/docs/firewalls]
        samples:
          trigger:
            - name: one
              files: [{name: rules.json, text: "[]"}]
              expect: [{count: 1}]
          pass:
            - name: none
              files: [{name: rules.json, text: "[]"}]
        """

    static func message(_ facts: [String: String], line: Int, source: String = "kubectl apply") -> Observation {
        Observation(
            kind: "message", facts: facts, location: RecordLocation(input: "apply.txt", line: line, byteOffset: 0),
            source: source, quote: "Error from server (InternalError): failed calling webhook \"\(facts["webhook"] ?? "")\"")
    }

    static let gatekeeper: [String: String] = [
        "message": "webhook-call-failed", "failure": "timeout", "webhook": "validation.gatekeeper.sh", "port": "8443",
        "ip": "10.20.1.14", "namespace": "gatekeeper-system", "service": "gatekeeper-webhook-service",
    ]

    static func topology() throws -> Topology {
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        options.podCIDRs = ["10.20.0.0/14"]
        return try Pipeline.topology(from: options)
    }

    @Test func loaderAcceptsObservationRulesWithFiles() throws {
        let rule = try RuleLoader.parse(Self.webhookMessage, file: "Rules/kubectl/webhook-call-failed.yaml")
        #expect(rule.evidence == "message")
        #expect(rule.cause?.source == "control-plane-ingress:tcp:{port}")
        #expect(rule.samples.trigger[0].files.map(\.name) == ["apply.txt"])
        #expect(rule.samples.trigger[0].input == "")
    }

    @Test func loaderRejectsUnknownEvidenceKinds() throws {
        let text = Self.webhookMessage.replacingOccurrences(of: "evidence: message", with: "evidence: tea-leaves")
        #expect(throws: TriageError.self) { try RuleLoader.parse(text, file: "Rules/kubectl/webhook-call-failed.yaml") }
        do {
            _ = try RuleLoader.parse(text, file: "Rules/kubectl/webhook-call-failed.yaml")
        } catch {
            #expect(error.description.contains("evidence"))
            #expect(error.description.contains(":4:") || error.description.contains("webhook-call-failed.yaml:4"))
        }
    }

    @Test func observationsBecomeOneFindingPerGroupWithRolesAndTopology() throws {
        let rule = try RuleLoader.parse(Self.webhookMessage, file: "Rules/kubectl/webhook-call-failed.yaml")
        let collector = EvidenceCollector()
        var repeated = Self.gatekeeper
        repeated["occurrences"] = "12"
        collector.add(Self.message(Self.gatekeeper, line: 3))
        collector.add(Self.message(repeated, line: 9, source: "kubectl get events"))
        var refused = Self.gatekeeper
        refused["failure"] = "refused"
        collector.add(Self.message(refused, line: 20))  // not a timeout: no match
        let analysis = Engine.analyse(collector, topology: try Self.topology(), rules: [rule])
        #expect(analysis.findings.count == 1)
        let finding = try #require(analysis.findings.first)
        #expect(finding.count == 13)
        #expect(finding.facts == ["webhook": "validation.gatekeeper.sh", "port": "8443"])
        #expect(finding.message == "13 calls to webhook validation.gatekeeper.sh on port 8443 (pod 10.20.1.14) timed out; master 172.16.0.0/28")
        #expect(finding.destinations.map(\.role) == [.pod])
        #expect(finding.evidence.map(\.kind) == ["kubectl apply", "kubectl get events"])
        #expect(finding.evidence.map(\.count) == [1, 12])
        #expect(finding.evidence[0].locations == ["apply.txt:3"])
        #expect(finding.remedy.commands == ["kubectl get endpoints -n gatekeeper-system gatekeeper-webhook-service"])
        #expect(analysis.account.matchedObservations == 2)
    }

    @Test func firewallLogAndTextAboutOneCauseMergeIntoOneConfirmedFinding() throws {
        let builtIn = try RuleLoader.builtIn()
        let message = try RuleLoader.parse(Self.webhookMessage, file: "Rules/kubectl/webhook-call-failed.yaml")
        let check = try RuleLoader.parse(Self.checkRule, file: "Rules/network/master-port-not-allowed.yaml")
        let topology = try Self.topology()
        let collector = EvidenceCollector(topology: topology)
        collector.read(InputReader(name: "denied.json", source: MemorySource(LogEntries.ndjson([
            LogEntries.firewall(insertId: "a", dstPort: 8443), LogEntries.firewall(insertId: "b", srcPort: 40001, dstPort: 8443),
        ]))))
        collector.add(Self.message(Self.gatekeeper, line: 3))
        let analysis = Engine.analyse(collector, topology: topology, rules: builtIn + [message, check])
        #expect(analysis.findings.count == 1, "\(analysis.findings.map(\.id))")
        let finding = try #require(analysis.findings.first)
        #expect(finding.rule == "master-to-webhook-port-blocked")
        #expect(finding.mergedRules == ["webhook-call-failed"])
        #expect(finding.confidence == "confirmed")
        #expect(finding.cause == "control-plane-ingress:tcp:8443")
        #expect(finding.evidence.map(\.kind) == ["firewall log", "kubectl apply"])
        #expect(finding.remedy.commands.contains("kubectl get endpoints -n gatekeeper-system gatekeeper-webhook-service"))
        // The config would settle it: the hint names the command that lists the firewall rules.
        #expect(finding.surerWith.count == 1)
        #expect(finding.surerWith.first?.hasPrefix("gcloud compute firewall-rules list") == true)
    }

    @Test func differentCausesStaySeparate() throws {
        let message = try RuleLoader.parse(Self.webhookMessage, file: "Rules/kubectl/webhook-call-failed.yaml")
        let topology = try Self.topology()
        let collector = EvidenceCollector(topology: topology)
        collector.read(InputReader(name: "denied.json", source: MemorySource(LogEntries.ndjson([
            LogEntries.firewall(insertId: "a", dstPort: 9443),
        ]))))
        collector.add(Self.message(Self.gatekeeper, line: 3))
        let analysis = Engine.analyse(collector, topology: topology, rules: try RuleLoader.builtIn() + [message])
        #expect(Set(analysis.findings.map(\.rule)) == ["master-to-webhook-port-blocked", "webhook-call-failed"])
        #expect(analysis.findings.allSatisfy { $0.confidence != "confirmed" && $0.mergedRules.isEmpty })
    }

    @Test func findingsOfOneRuleSplitByGroupByAreNotMerged() throws {
        let message = try RuleLoader.parse(Self.webhookMessage, file: "Rules/kubectl/webhook-call-failed.yaml")
        let collector = EvidenceCollector()
        var other = Self.gatekeeper
        other["webhook"] = "mutation.gatekeeper.sh"
        collector.add(Self.message(Self.gatekeeper, line: 3))
        collector.add(Self.message(other, line: 4))
        let analysis = Engine.analyse(collector, topology: try Self.topology(), rules: [message])
        #expect(analysis.findings.count == 2)
        #expect(Set(analysis.findings.compactMap(\.cause)) == ["control-plane-ingress:tcp:8443"])
    }

    @Test func unknownValuesShowAsPlaceholders() throws {
        let rule = try RuleLoader.parse(Self.webhookMessage, file: "Rules/kubectl/webhook-call-failed.yaml")
        let collector = EvidenceCollector()
        var facts = Self.gatekeeper
        facts["namespace"] = nil
        collector.add(Self.message(facts, line: 1))
        let analysis = Engine.analyse(collector, topology: Topology(), rules: [rule])
        #expect(analysis.findings.first?.remedy.commands == ["kubectl get endpoints -n '<NAMESPACE>' gatekeeper-webhook-service"])
        // Prose phrases an unknown value; commands keep a quoted gap to fill.
        #expect(analysis.findings.first?.message.hasSuffix("master the control plane range (give --master-cidr or the cluster description)") == true)
    }

    @Test func oneOperationSeenTwiceKeepsItsLatestState() {
        func operation(_ status: String, line: Int, end: String? = nil) -> Observation {
            var facts = ["operation": "operation-1", "status": status, "type": "CREATE_CLUSTER"]
            facts["end_time"] = end
            return Observation(kind: "operation", facts: facts, location: RecordLocation(input: "ops", line: line, byteOffset: 0), source: "gcloud")
        }
        let other = Observation(kind: "message", facts: ["message": "x"], source: "kubectl")
        let kept = Engine.latestStates([operation("RUNNING", line: 1), other, operation("DONE", line: 5, end: "2026-11-22T10:00:00Z")])
        #expect(kept.count == 2)
        #expect(kept.map(\.kind) == ["message", "operation"])
        #expect(kept.last?.facts["status"] == "DONE")
        // A RUNNING reading after the DONE one does not bring the operation back to life.
        let again = Engine.latestStates([operation("DONE", line: 1, end: "2026-11-22T10:00:00Z"), operation("RUNNING", line: 9)])
        #expect(again.map { $0.facts["status"] } == ["DONE"])
    }
}
