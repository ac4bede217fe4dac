import Foundation
import Testing
@testable import TriageKit

struct EngineTests {
    static let webhook = RuleText.make(
        id: "webhook", match: "  disposition: DENIED\n  dst.port: 8443", groupBy: "[dst.port]")
    static let anyDenied = RuleText.make(
        id: "any-denied", severity: "warning", match: "  disposition: DENIED", fallback: true,
        groupBy: "[dst.port]", message: "{count} other connections were denied")

    static func rules(_ texts: [(String, String)]) throws -> [Rule] {
        try texts.map { try RuleText.rule($0.1, id: $0.0) }
    }

    @Test func fallbackFiresOnlyWhenNoOtherRuleMatched() throws {
        let rules = try Self.rules([("webhook", Self.webhook), ("any-denied", Self.anyDenied)])
        let text = LogEntries.ndjson([
            LogEntries.firewall(insertId: "a", dstPort: 8443),
            LogEntries.firewall(insertId: "b", srcPort: 40001, dstPort: 8443),
            LogEntries.firewall(insertId: "c", dstPort: 9999),
            LogEntries.firewall(insertId: "d", dstPort: 9999, disposition: "ALLOWED"),
        ])
        let analysis = try analyse(text, rules: rules)
        #expect(analysis.findings.map(\.rule) == ["webhook", "any-denied"])
        #expect(analysis.findings.map(\.count) == [2, 1])
        #expect(analysis.findings.map(\.port) == [8443, 9999])
        #expect(analysis.account.matchedRecords == 3)
        #expect(analysis.rulesRun == 2)
        #expect(analysis.worstSeverity == .error)
    }

    @Test func fallbackAloneCatchesEverythingDenied() throws {
        let rules = try Self.rules([("any-denied", Self.anyDenied)])
        let text = LogEntries.ndjson([
            LogEntries.firewall(insertId: "a", dstPort: 8443), LogEntries.firewall(insertId: "c", dstPort: 9999),
        ])
        let analysis = try analyse(text, rules: rules)
        #expect(analysis.findings.map(\.rule) == ["any-denied", "any-denied"])
    }

    @Test func everyMatchingPrimaryRuleReports() throws {
        let other = RuleText.make(id: "ports-8000s", match: "  dst.port: {range: [8000, 8999]}", groupBy: "[dst.port]")
        let rules = try Self.rules([("webhook", Self.webhook), ("ports-8000s", other), ("any-denied", Self.anyDenied)])
        let analysis = try analyse(LogEntries.ndjson([LogEntries.firewall(dstPort: 8443)]), rules: rules)
        #expect(Set(analysis.findings.map(\.rule)) == ["webhook", "ports-8000s"])
    }

    @Test func flowsWithTheSameGroupByValuesMerge() throws {
        let rule = try RuleText.rule(RuleText.make(id: "by-port", match: "  disposition: DENIED", groupBy: "[dst.port]"), id: "by-port")
        let text = LogEntries.ndjson([
            LogEntries.firewall(insertId: "1", src: "10.0.0.1", dstPort: 8443, timestamp: "2026-11-22T10:00:00Z"),
            LogEntries.firewall(insertId: "2", src: "10.0.0.1", srcPort: 2, dstPort: 8443, timestamp: "2026-11-22T10:05:00Z"),
            LogEntries.firewall(insertId: "3", src: "10.0.0.2", dstPort: 8443, timestamp: "2026-11-22T09:00:00Z"),
            LogEntries.firewall(insertId: "4", src: "10.0.0.3", dstPort: 9443, timestamp: "2026-11-22T11:00:00Z"),
        ])
        let analysis = try analyse(text, rules: [rule])
        try #require(analysis.findings.count == 2)
        let merged = analysis.findings[0]
        #expect(merged.facts == ["dst.port": "8443"])
        #expect(merged.count == 3)
        #expect(merged.distinctSources == 2)
        #expect(Set(merged.sources.map(\.ip)) == ["10.0.0.1", "10.0.0.2"])
        #expect(merged.port == 8443)
        #expect(merged.firstSeen == "2026-11-22T09:00:00Z")
        #expect(merged.lastSeen == "2026-11-22T10:05:00Z")
        #expect(merged.message.hasPrefix("3 connections to 8443"))
        let other = analysis.findings[1]
        #expect(other.facts == ["dst.port": "9443"])
        #expect(other.count == 1)
        #expect(other.id != merged.id)
    }

    @Test func withoutPortInGroupByPortsMergeAndPortIsUnset() throws {
        let rule = try RuleText.rule(RuleText.make(
            id: "by-rule", match: "  disposition: DENIED", groupBy: "[denied_by]", message: "ports {dst.ports}"), id: "by-rule")
        let text = LogEntries.ndjson([
            LogEntries.firewall(insertId: "1", dstPort: 9443), LogEntries.firewall(insertId: "2", dstPort: 8443),
        ])
        let analysis = try analyse(text, rules: [rule])
        try #require(analysis.findings.count == 1)
        #expect(analysis.findings[0].port == nil)
        #expect(analysis.findings[0].count == 2)
        #expect(analysis.findings[0].message == "Ports 8443,9443")
        #expect(analysis.findings[0].facts == ["denied_by": "deny-all-ingress"])
    }

    /// An allow rule must beat the deny: priority one below it, 1000 when that is enough.
    @Test(arguments: [
        (900, "899"), (65534, "1000"), (1001, "1000"), (1000, "999"), (1, "0"),
    ] as [(Int, String)])
    func fixPriority(denying: Int, expected: String) throws {
        let rule = try RuleText.rule(RuleText.make(id: "fix"), id: "fix")
        let analysis = try analyse(LogEntries.ndjson([LogEntries.firewall(priority: denying)]), rules: [rule])
        let command = try #require(analysis.findings.first?.remedy.commands.first)
        #expect(command == "gcloud compute firewall-rules create allow-8443 --priority=\(expected)")
    }

    @Test func fixPriorityWithoutADenyingPriority() throws {
        let rule = try RuleText.rule(RuleText.make(id: "fix"), id: "fix")
        let analysis = try analyse(LogEntries.ndjson([LogEntries.firewall(priority: nil)]), rules: [rule])
        #expect(analysis.findings.first?.remedy.commands == ["gcloud compute firewall-rules create allow-8443 --priority=1000"])
    }

    @Test func priorityZeroCannotBeBeaten() throws {
        let rule = try RuleText.rule(RuleText.make(id: "fix"), id: "fix")
        let analysis = try analyse(LogEntries.ndjson([LogEntries.firewall(priority: 0)]), rules: [rule])
        let finding = try #require(analysis.findings.first)
        #expect(finding.remedy.commands == ["gcloud compute firewall-rules create allow-8443 --priority='<FIX_PRIORITY>'"])
        #expect(finding.remedy.notes.contains { $0.contains("priority 0") })
    }

    @Test func notesAndCommandsFollowTheirConditions() throws {
        let text = RuleText.make(
            id: "cond",
            notes: "  notes:\n    - when: {dst.port: 8443}\n      text: eight-four-four-three\n    - when: {dst.port: 15017}\n      text: istio\n",
            commands: "    - when: {protocol: udp}\n      text: echo udp\n    - echo always {dst.port}")
        let rule = try RuleText.rule(text, id: "cond")
        let analysis = try analyse(LogEntries.ndjson([LogEntries.firewall(dstPort: 8443)]), rules: [rule])
        let finding = try #require(analysis.findings.first)
        #expect(finding.remedy.notes == ["eight-four-four-three"])
        #expect(finding.remedy.commands == ["echo always 8443"])
        #expect(finding.remedy.why == "because the rule denies them")
        #expect(finding.remedy.references == ["https://cloud.google.com/firewall/docs/firewall-rules-logging"])
    }

    @Test func rolesFromFlagsReachTheRules() throws {
        let rule = try RuleText.rule(RuleText.make(
            id: "master", match: "  src.role: control-plane\n  dst.role: [node, pod]", groupBy: "[protocol]",
            message: "from {src.ranges} to {dst.roles} ({master_cidr}, {pod_cidrs})"), id: "master")
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        options.podCIDRs = ["10.20.0.0/14"]
        let analysis = try analyse(LogEntries.ndjson([LogEntries.firewall()]), rules: [rule], options: options)
        let finding = try #require(analysis.findings.first)
        #expect(finding.message == "From 172.16.0.0/28 to pods (172.16.0.0/28, 10.20.0.0/14)")
        #expect(finding.confidence == "observed")
        #expect(finding.sources.first?.role == .controlPlane)
        #expect(finding.destinations.first?.range == "10.20.0.0/14")
    }

    @Test func rolesInferredFromTheLogsMakeAnInferredFinding() throws {
        let rule = try RuleText.rule(RuleText.make(
            id: "to-nodes", match: "  disposition: DENIED\n  dst.role: node", groupBy: "[protocol]"), id: "to-nodes")
        // No flags: the destination is a node only because the log names a GKE VM.
        let analysis = try analyse(LogEntries.ndjson([LogEntries.firewall(dst: "10.10.0.7")]), rules: [rule])
        let finding = try #require(analysis.findings.first)
        #expect(finding.confidence == "inferred")
        #expect(finding.destinations.first?.confidence == .inferred)
        #expect(analysis.topology.classify(try ip("10.10.0.7")).role == .node)
    }

    @Test func masterRangeInferredFromGKEsOwnRule() throws {
        let rule = try RuleText.rule(RuleText.make(
            id: "from-master", match: "  disposition: DENIED\n  src.role: control-plane", groupBy: "[protocol]"), id: "from-master")
        let text = LogEntries.ndjson([
            LogEntries.firewall(
                insertId: "allowed", dstPort: 10250, disposition: "ALLOWED",
                reference: "network:kubeflow-vpc/firewall:gke-kf-private-3f9a6c2e-master", priority: 1000,
                sourceRanges: ["172.16.0.0/28"], targetTags: ["gke-kf-private-3f9a6c2e-node"]),
            LogEntries.firewall(insertId: "denied", dstPort: 15017),
        ])
        let analysis = try analyse(text, rules: [rule])
        let finding = try #require(analysis.findings.first)
        #expect(finding.count == 1)
        #expect(finding.confidence == "inferred")
        #expect(analysis.topology.masterCIDR == CIDR("172.16.0.0/28"))
        #expect(analysis.topology.bestNodeTag?.tag == "gke-kf-private-3f9a6c2e-node")
        #expect(!analysis.topology.inferences.isEmpty)
    }

    @Test func findingsSortBySeverityThenCount() throws {
        let info = RuleText.make(id: "info-rule", severity: "info", match: "  dst.port: 1")
        let warning = RuleText.make(id: "warning-rule", severity: "warning", match: "  dst.port: {range: [2, 3]}")
        let error = RuleText.make(id: "error-rule", severity: "error", match: "  dst.port: 4")
        let rules = try Self.rules([("info-rule", info), ("warning-rule", warning), ("error-rule", error)])
        let entries = [1, 1, 1, 2, 3, 3, 4].enumerated().map { LogEntries.firewall(insertId: "\($0.offset)", srcPort: $0.offset, dstPort: $0.element) }
        let analysis = try analyse(LogEntries.ndjson(entries), rules: rules)
        #expect(analysis.findings.map(\.rule) == ["error-rule", "warning-rule", "warning-rule", "info-rule"])
        #expect(analysis.findings.map(\.count) == [1, 2, 1, 3])
    }

    @Test func deniedByListsEachRuleOnce() throws {
        let rule = try RuleText.rule(RuleText.make(id: "all", groupBy: "[protocol]"), id: "all")
        let text = LogEntries.ndjson([
            LogEntries.firewall(insertId: "1", dstPort: 1, reference: "network:n/firewall:a", priority: 10),
            LogEntries.firewall(insertId: "2", dstPort: 2, reference: "network:n/firewall:b", priority: 20),
            LogEntries.firewall(insertId: "3", dstPort: 3, reference: "network:n/firewall:a", priority: 10),
        ])
        let finding = try #require(try analyse(text, rules: [rule]).findings.first)
        #expect(finding.deniedBy.map(\.name) == ["a", "b"])
        #expect(finding.deniedBy.map(\.priority) == [10, 20])
    }
}
