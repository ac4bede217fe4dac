import Foundation
import Testing
@testable import TriageKit

struct GKEOperationsTableTests {
    /// The capture's rows, re-read here by splitting on runs of spaces (every cell in the
    /// catalog that is not a message is a single word).
    @Test func emptyCellsStayEmpty() throws {
        let observations = try OperationFixtures.observations("operations-list.txt")
        let running = observations.filter { $0.facts["status"] == "RUNNING" }
        #expect(running.count == 2)
        for observation in running {
            #expect(observation.facts["end_time"] == nil)
            #expect(observation.facts["error"] == nil)
            #expect(observation.facts["start_time"].flatMap(Timestamp.parse) != nil)
        }
        let ok = try #require(observations.first { $0.facts["type"] == "SET_LABELS" })
        #expect(ok.facts["error"] == nil)
        #expect(ok.facts["end_time"] == "2026-11-21T16:12:02.118530846Z")
    }

    /// The table has no links; whether TARGET is a cluster or a node pool comes from the type,
    /// and must agree with the links in the JSON capture of the same operations.
    @Test func targetKindAgreesWithTheLinks() throws {
        let fromJSON = Dictionary(uniqueKeysWithValues: try OperationFixtures.observations("operations-list.json").map {
            ($0.facts["operation"] ?? "", $0.facts)
        })
        for row in try OperationFixtures.observations("operations-list.txt") {
            let linked = try #require(fromJSON[row.facts["operation"] ?? ""])
            #expect(row.facts["target_kind"] == linked["target_kind"])
            #expect(row.facts["node_pool"] == linked["node_pool"])
            // A node pool's row does not say which cluster it belongs to.
            #expect(row.facts["cluster"] == (linked["target_kind"] == "cluster" ? linked["cluster"] : nil))
        }
    }

    @Test func clustersListTable() throws {
        let text = try OperationFixtures.text("clusters-list.txt")
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
        let states = try OperationFixtures.observations("clusters-list.txt", kind: "cluster")
        #expect(states.count == rows.count)
        for (row, state) in zip(rows, states) {
            #expect(state.facts["cluster"] == row[0])
            #expect(state.facts["location"] == row[1])
            #expect(state.facts["master_version"] == row[2])
            #expect(state.facts["num_nodes"] == row[6])
            #expect(state.facts["status"] == row[7])
            #expect(state.facts["healthy"] == "false")
            #expect(state.source == "gcloud container clusters list")
        }
    }

    static let header =
        "NAME                                                          TYPE            ZONE           TARGET      STATUS_MESSAGE  STATUS   START_TIME                      END_TIME"

    @Test func olderZoneHeaderColourAndOtherTextAfterABlankLine() {
        let row =
            "operation-1795337894120-5d2a7c1e-0b4f-4c83-9e17-a6b3d58f2c90  CREATE_CLUSTER  us-central1-a  kf-private                  \u{1B}[33mRUNNING\u{1B}[0m  2026-11-22T08:58:14.120448305Z"
        let text = [Self.header, row, "", "this line is something else"].joined(separator: "\n") + "\n"
        let observations = collect(text).observations.filter { $0.kind == "operation" }
        #expect(observations.count == 1)
        #expect(observations.first?.facts["location"] == "us-central1-a")
        #expect(observations.first?.facts["status"] == "RUNNING")
        #expect(observations.first?.facts["target"] == "kf-private")
        #expect(observations.first?.facts["start_time"] == "2026-11-22T08:58:14.120448305Z")
    }

    @Test func rowsThatDoNotLineUpAreNotRead() {
        let shifted = "  operation-1 CREATE_CLUSTER us-central1 kf-private RUNNING"
        let squeezed = "operation-1795337894120 CREATE_CLUSTER us-central1 kf-private RUNNING 2026-11-22T08:58:14Z"
        let notAnOperation = "WARNING: something                                            CREATE_CLUSTER  us-central1    kf-private"
        let table = GKEOperationsTable.parser(header: Self.header, input: "t", line: 1)
        #expect(table != nil)
        for line in [shifted, squeezed, notAnOperation] { table?.line(line, number: 2) }
        #expect(table?.finish(into: EvidenceCollector()) == 0)
    }

    @Test func otherHeadersAreNotThisTable() {
        for header in [
            "NAME  NETWORK  DIRECTION  PRIORITY  ALLOW  DENY  DISABLED",
            "NAMESPACE  NAME  READY  STATUS  RESTARTS  AGE",
            "TYPE  TARGET  STATUS  LOCATION",
        ] {
            #expect(GKEOperationsTable.parser(header: header, input: "t", line: 1) == nil)
        }
    }
}
