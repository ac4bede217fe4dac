import Foundation
import Testing
@testable import TriageKit

/// An error line ending in a colon whose cause is on the lines below it (terraform-google-kubernetes-engine#681).
struct ErrorContinuationTests {
    static let wrapped = """
        Error: Error waiting for creating GKE cluster: Retry budget exhausted (80 attempts): 
        Secondary range "us-central1-01-gke-01-pods" does not exist in network "https://www.googleapis.com/compute/v1/projects/kf-prod/global/networks/default", 
        subnetwork "https://www.googleapis.com/compute/v1/projects/kf-prod/global/networks/default".

        """

    @Test func theCauseBelowTheErrorIsReadWithIt() throws {
        let analysis = try UnexplainedErrorTests.analyse(Self.wrapped)
        #expect(analysis.findings.map(\.rule) == ["invalid-alias-range"])
        let finding = try #require(analysis.findings.first)
        #expect(finding.evidence.flatMap(\.locations) == ["pasted.txt:1"])
        #expect(finding.message.contains("us-central1-01-gke-01-pods"))
    }

    /// kubeflow/katib#1160: the webhook message broken over four lines, how it failed on the last.
    @Test func aMessageIsJoinedUntilItSaysHowItFailed() throws {
        let text = """
            Internal error occurred: 
            failed calling webhook "mutating.experiment.katib.kubeflow.org": 
            Post https://katib-controller.kubeflow.svc:443/mutate-experiments?timeout=30s: 
            ssh: rejected: connect failed (Connection refused)
            next line of the paste

            """
        let found = observations(text)
        let webhook = try #require(found.first { $0.facts["message"] == "webhook-call-failed" })
        #expect(webhook.facts["failure"] == "refused")
        #expect(webhook.facts["webhook"] == "mutating.experiment.katib.kubeflow.org")
        #expect(webhook.location?.line == 1)
        #expect(found.count == 1)
    }

    @Test func linesThatExplainNothingAreQuotedWithTheirHeaderInOrder() {
        let text = """
            Error: something went wrong:
            some detail that explains nothing
            Error: another failure we know nothing of

            """
        let found = observations(text)
        #expect(found.map { $0.location?.line } == [1, 3], "\(found.map(\.facts))")
        #expect(found.allSatisfy { $0.facts["message"] == UnexplainedError.messageClass })
        // The header is quoted with the line under it, which says what went wrong; that line is not quoted again.
        #expect(found.first?.quote == "Error: something went wrong: some detail that explains nothing")
    }

    @Test func aBlankLineEndsTheError() throws {
        let text = """
            Error: Error waiting for creating GKE cluster: Retry budget exhausted (80 attempts):

            Secondary range "pods" does not exist in network "default"

            """
        let analysis = try UnexplainedErrorTests.analyse(text)
        // Not joined across the blank line: the cause line is read alone, at its own line.
        let finding = try #require(analysis.findings.first { $0.rule == "invalid-alias-range" })
        #expect(finding.evidence.flatMap(\.locations) == ["pasted.txt:3"])
    }
}
