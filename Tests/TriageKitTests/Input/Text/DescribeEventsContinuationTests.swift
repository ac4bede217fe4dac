import Foundation
import Testing
@testable import TriageKit

/// An event message with line breaks: kubectl prints the rest below its row, indented less than
/// the Message column; it is the same message (k8s-config-connector#619).
struct DescribeEventsContinuationTests {
    static let header = """
        Events:
          Type     Reason        Age   From                          Message
          ----     ------        ----  ----                          -------

        """

    @Test func wrappedLinesJoinTheirEvent() throws {
        let text = Self.header + """
              Warning  UpdateFailed  10m   containernodepool-controller  Update call failed: error applying desired state: summary: Error waiting for creating GKE NodePool:
                       (1) Google Compute Engine: Current errors: [UNSUPPORTED_OPERATION]: Instance 'a' creation failed
              Normal   Updating      9m    containernodepool-controller  Update in progress

            """
        let found = observations(text)
        let failed = try #require(found.first { $0.facts["message"] == "kcc-update-failed" })
        #expect(failed.facts["gce_error"] == "UNSUPPORTED_OPERATION")
        #expect(failed.quote?.contains("NodePool: (1) Google Compute Engine") == true)
        #expect(failed.location?.line == 4)
        // The continuation is not a line of its own (it gave an unexplained operation before).
        #expect(found.allSatisfy { $0.kind == "message" })
    }

    @Test func aJoinedMessageIsBounded() throws {
        let piece = "           " + String(repeating: "x", count: 1000)
        let text = Self.header + "  Warning  UpdateFailed  10m   containernodepool-controller  Update call failed: error applying desired state\n"
            + Array(repeating: piece, count: 100).joined(separator: "\n") + "\n"
        let failed = try #require(observations(text).first { $0.facts["message"] == "kcc-update-failed" })
        #expect((failed.quote?.utf8.count ?? .max) < DescribeObject.maximumEventMessage + 4096)
    }
}
