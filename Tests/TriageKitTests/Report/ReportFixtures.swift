import Foundation
@testable import TriageKit

/// Analyses to render: one from a log whose text tries to take over the terminal.
enum ReportFixtures {
    static let evil = "\u{1B}]0;evil\u{07}"
    static let evilVM = "gke-node-\(evil)-\u{1B}[2J\u{9B}31m\u{202E}txt.exe\u{2066}"

    /// True for anything a terminal would act on rather than print.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v < 0x20 && v != 0x0A) || v == 0x7F || (0x80..<0xA0).contains(v) || (0x2028...0x202E).contains(v)
            || (0x2066...0x2069).contains(v) || v == 0x061C || v == 0x200E || v == 0x200F
    }

    static let ruleText = RuleText.make(
        id: "webhook-blocked", match: "  disposition: DENIED\n  dst.port: {range: [8000, 9999]}",
        groupBy: "[dst.port]",
        message: "{count} connections from {sources} to {dst.port} on {instance} were denied by {denied_by} between {first_seen} and {last_seen}, which is a long sentence that has to be wrapped several times to fit an eighty column terminal.",
        notes: "  notes:\n    - the VM was {instance}\n",
        commands: "    - gcloud compute firewall-rules create allow-master-to-webhook-{dst.port} --network={network} --priority={fix.priority} --source-ranges={src.ranges} --target-tags={node_tag} --rules={protocol}:{dst.port} --description={instance}\n    - kubectl get endpoints --all-namespaces | grep ':{dst.port|regex}'")

    static func evilAnalysis() throws -> Analysis {
        let entries = [
            LogEntries.firewall(
                insertId: "evil-1", srcPort: 40001, dstPort: 8443,
                reference: "network:kubeflow-vpc/firewall:deny-\(evil)all", vmName: evilVM,
                timestamp: "2026-11-22T09:14:03.412Z"),
            LogEntries.firewall(
                insertId: "evil-2", srcPort: 40002, dstPort: 8443,
                reference: "network:kubeflow-vpc/firewall:deny-\(evil)all", vmName: evilVM,
                timestamp: "2026-11-22T09:15:07.102Z"),
        ]
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        options.podCIDRs = ["10.20.0.0/14"]
        options.nodeTag = "gke-kf-private-3f9a6c2e-node"
        return try analyse(LogEntries.ndjson(entries), rules: [RuleText.rule(ruleText, id: "webhook-blocked")], options: options)
    }

    /// Two findings from plain data: one error with two denying rules, one fallback warning.
    static func plainAnalysis() throws -> Analysis {
        let entries = [
            LogEntries.firewall(insertId: "p1", srcPort: 1, dstPort: 8443, timestamp: "2026-11-22T09:14:03.412Z"),
            LogEntries.firewall(insertId: "p2", src: "172.16.0.3", srcPort: 2, dstPort: 8443, reference: "network:kubeflow-vpc/firewall:deny-b", priority: 900, timestamp: "2026-11-22T09:20:00Z"),
            LogEntries.firewall(
                insertId: "p3", src: "10.20.1.14", dst: "140.82.112.3", dstPort: 443,
                reference: "network:kubeflow-vpc/firewall:deny-egress", direction: "EGRESS", timestamp: "2026-11-22T10:00:00Z"),
        ]
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        options.podCIDRs = ["10.20.0.0/14"]
        options.nodeTag = "gke-kf-private-3f9a6c2e-node"
        let fallback = RuleText.make(
            id: "other-denied", severity: "warning", match: "  disposition: DENIED", fallback: true, groupBy: "[dst.port]",
            message: "{count} other connections were denied", commands: "    - echo look at {dst.ip}")
        return try analyse(
            LogEntries.ndjson(entries),
            rules: [RuleText.rule(ruleText, id: "webhook-blocked"), RuleText.rule(fallback, id: "other-denied")], options: options)
    }
}
