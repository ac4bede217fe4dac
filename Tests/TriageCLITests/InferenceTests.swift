import Foundation
import Testing

/// `--verbose` and the JSON summary list every inference: addresses taken for nodes because a GKE
/// VM logged them, a control-plane range read from GKE's own rule, where the node tag came from.
@Suite("Inferences and hints")
struct InferenceTests {
    static func summary(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.triage(arguments + ["--format", "json"])
        let objects = result.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return try #require(objects.first { $0["type"] as? String == "summary" })
    }

    @Test func verboseAndJSONListTheInferences() throws {
        // A firewall log alone: the roles come from the log itself.
        let log = "SampleLogs/mixed/firewall-denied.json"
        let inferences = try #require(try Self.summary([log])["inferences"] as? [String])
        #expect(inferences.contains { $0.contains("seen on GKE VM gke-") }, "\(inferences)")
        let verbose = try CLI.triage([log, "-v", "--brief"])
        let lines = verbose.err.split(separator: "\n").filter { $0.hasPrefix("triage: inferred: ") }
        #expect(lines.count == inferences.count, "\(verbose.err)")
        // With GKE's own rules among the inputs, the node tag is their target tag; given, nothing
        // about it is inferred.
        let bundle = ["SampleLogs/bundle/inputs", "--now", "2026-11-22T10:30:00Z"]
        let withRules = try #require(try Self.summary(bundle)["inferences"] as? [String])
        #expect(withRules.contains { $0.hasPrefix("node tag gke-kf-private-3f9a6c2e-node: the target tag of GKE's own firewall rule") }, "\(withRules)")
        let given = try #require(try Self.summary(bundle + ["--node-tag", "gke-kf-private-3f9a6c2e-node"])["inferences"] as? [String])
        #expect(!given.contains { $0.hasPrefix("node tag ") }, "\(given)")
    }

    /// A cluster's name where a file was expected hints at --live and at the describe command;
    /// a file name does not get that hint.
    @Test func aClusterNameWithoutAFileHintsAtLive() throws {
        for arguments in [["kf-private"], ["--cluster", "kf-private", "SampleLogs/mixed/firewall-denied.json"]] {
            let result = try CLI.triage(arguments)
            #expect(result.err.contains("if kf-private is a cluster, read it live: triage --live --project PROJECT --cluster kf-private"), "\(result)")
        }
        let file = try CLI.triage(["nosuch.json"])
        #expect(file.status == 2 && !file.err.contains("--live"), "\(file)")
    }
}
