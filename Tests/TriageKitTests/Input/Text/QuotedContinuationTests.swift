import Foundation
import Testing
@testable import TriageKit

/// gcloud prints an error's message as a YAML double-quoted scalar folded over lines; the text
/// path reads it as one line (kubeflow/kubeflow#842), and a zonal location gives its region.
struct QuotedContinuationTests {
    /// gcloud's own output in kubeflow/kubeflow#842, as the quota rule's sample holds it.
    static var deploymentManagerError: String {
        get throws {
            let rule = try #require(UnexplainedErrorTests.rules.first { $0.id == "quota-exceeded" })
            let sample = try #require(rule.samples.trigger.first { $0.name.contains("kubeflow/kubeflow#842") })
            return try #require(sample.files.first).text
        }
    }

    static func lines(_ text: String, limit: Int = 1 << 16) -> [(String, Int)] {
        var joiner = QuotedContinuation(limit: limit)
        var out: [(String, Int)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            out += joiner.take(String(line), number: index + 1)
        }
        return out + joiner.finish()
    }

    @Test func aFoldedScalarIsOneLineWithItsEscapesUndone() throws {
        let read = Self.lines(try Self.deploymentManagerError)
        #expect(read.map(\.1) == [1, 2, 3, 4, 11])
        let message = read[3].0
        #expect(message.hasPrefix(#" message: "{"ResourceType":"container.v1.nodePool","ResourceErrorCode":"403","#))
        #expect(message.contains(#"Insufficient regional quota to satisfy request for resource: \"IN_USE_ADDRESSES\". The request requires '2.0' and is short '1.0'."#))
        #expect(message.hasSuffix(#""httpMethod":"POST"}}""#))
    }

    @Test func onlyAnOddRunOfBackslashesAfterAQuoteJoins() {
        // An escaped backslash at the end is not a break; a shell continuation without a quote is not YAML.
        #expect(Self.lines("path: \"C:\\\\\"\nnext").map(\.0) == ["path: \"C:\\\\\"", "next"])
        #expect(Self.lines("gcloud container clusters create kf \\\n  --zone=us-east1-d").map(\.0)
            == ["gcloud container clusters create kf \\", "  --zone=us-east1-d"])
        // An escaped break joins without a space (YAML 1.2 §7.3.1); `\ ` keeps the one gcloud escaped.
        #expect(Self.lines("a: \"one\\\n  \\ two\\\n  three\"").map(\.0) == ["a: \"one twothree\""])
    }

    @Test func aRunawayJoinStopsAtItsBound() {
        let text = "m: \"x\\\n" + String(repeating: "  yyyyyyyyyy\\\n", count: 50) + "  end\"\nafter"
        let read = Self.lines(text, limit: 100)
        #expect(read.first!.0.utf8.count < 120)
        #expect(read.last!.0 == "after")
        // A join the input ended inside is read as it stands.
        #expect(Self.lines("m: \"cut\\").map(\.0) == ["m: \"cut"])
    }

    @Test func theRelayedQuotaErrorIsExplainedWithItsProjectAndRegion() throws {
        let analysis = try UnexplainedErrorTests.analyse(try Self.deploymentManagerError)
        #expect(analysis.findings.map(\.rule) == ["quota-exceeded"])
        let finding = try #require(analysis.findings.first)
        let commands = finding.remedy.actions.map(\.command.rendered)
        #expect(commands.contains { $0.hasPrefix("gcloud compute regions describe us-east1 --project=kubeflow-ci ") }, "\(commands)")
        #expect(commands.contains { $0.contains("--filter=quotas.metric=IN_USE_ADDRESSES") })
        // The error header holds its cause, three lines below it: the finding is where the error starts.
        #expect(finding.evidence.flatMap(\.locations) == ["pasted.txt:1"])
    }

    @Test(arguments: [("us-central1-a", "us-central1"), ("us-central1", "us-central1"), ("europe-west4-b", "europe-west4"), ("global", "global"), ("a-b-cd", "a-b-cd")])
    func aZoneLiesInItsRegion(_ location: String, _ region: String) {
        #expect(GCPLocation.region(of: location) == region)
    }

    /// An operation listed for a zonal cluster: the quota check describes the zone's region.
    @Test func aZonalOperationsQuotaCheckNamesTheRegion() throws {
        let operation = #"""
            [{"name":"operation-1","operationType":"CREATE_NODE_POOL","status":"DONE",
              "statusMessage":"Insufficient regional quota to satisfy request: resource \"CPUS\": request requires '8.0' and is short '4.0'.",
              "selfLink":"https://container.googleapis.com/v1/projects/kf-prod/zones/us-central1-a/operations/operation-1",
              "targetLink":"https://container.googleapis.com/v1/projects/kf-prod/zones/us-central1-a/clusters/kf/nodePools/pool",
              "zone":"us-central1-a","startTime":"2026-11-21T15:56:59Z","endTime":"2026-11-21T15:57:03Z"}]
            """#
        let analysis = try UnexplainedErrorTests.analyse(operation, name: "operations.json")
        let finding = try #require(analysis.findings.first { $0.rule == "quota-exceeded" })
        let commands = finding.remedy.actions.map(\.command.rendered)
        // (An operation's link names the project by number; the command asks for the id.)
        #expect(commands.contains { $0.hasPrefix("gcloud compute regions describe us-central1 --project=") }, "\(commands)")
    }
}

/// The text path's trimming on UTF-8 bytes gives what Foundation's gave.
struct TrimmingBlanksTests {
    @Test(arguments: ["", " ", "\t", "  a  ", "\ta b\t", "abc", " \u{00A0}x\u{00A0} ", "\u{3000}全角\u{3000}", "é ", " é", "a\u{2028}", "  \u{00A0}  "])
    func sameAsFoundation(_ text: String) {
        #expect(TextLine.trimmingBlanks(text, unicodeSpaces: true) == text.trimmingCharacters(in: .whitespaces))
        #expect(TextLine.trimmingBlanks(text) == text.trimmingCharacters(in: [" ", "\t"]))
    }
}
