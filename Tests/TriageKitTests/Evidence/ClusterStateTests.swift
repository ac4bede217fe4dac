import Foundation
import Testing
@testable import TriageKit

struct ClusterStateTests {
    @Test func anErrorClusterSaysWhy() throws {
        let collector = collect(try OperationFixtures.text("cluster-error.yaml"), name: "cluster-error.yaml")
        #expect(collector.clusters.count == 1)
        let states = collector.observations.filter { $0.kind == "cluster" }
        // The one condition repeats the status message, so it is not a second observation.
        let state = try #require(states.first)
        #expect(states.count == 1)
        #expect(state.facts["cluster"] == "kf-private")
        #expect(state.facts["location"] == "us-central1")
        #expect(state.facts["status"] == "ERROR")
        #expect(state.facts["healthy"] == "false")
        #expect(state.facts["aspect"] == "status")
        #expect(state.facts["cause"] == "node-registration")
        #expect(state.facts["registered"] == "0")
        #expect(state.facts["expected"] == "3")
        #expect(state.source == "gcloud container clusters describe")
        #expect(state.location?.input == "cluster-error.yaml")
    }

    @Test func aDegradedClusterKeepsItsConditionCodes() throws {
        let text = try OperationFixtures.text("cluster-degraded.json")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let conditions = try #require(decoded["conditions"] as? [[String: Any]])
        let states = collect(text).observations.filter { $0.kind == "cluster" }
        let status = try #require(states.first { $0.facts["aspect"] == "status" })
        #expect(status.facts["status"] == "DEGRADED")
        #expect(status.facts["status_message"] == decoded["statusMessage"] as? String)
        let observed = states.filter { $0.facts["aspect"] == "condition" }
        #expect(observed.count == conditions.count)
        for (condition, state) in zip(conditions, observed) {
            #expect(state.facts["condition_code"] == condition["code"] as? String)
            #expect(state.facts["canonical_code"] == condition["canonicalCode"] as? String)
            #expect(state.facts["message"] == condition["message"] as? String)
            #expect(state.facts["cause"] == "quota-exceeded")
            #expect(state.facts["quota_metric"] == "CPUS")
            #expect(state.facts["quota_short"] == "4")
        }
    }

    @Test func aRunningClusterIsHealthyAndHasNoCause() throws {
        var cluster = try #require(
            try JSONSerialization.jsonObject(with: Data(OperationFixtures.text("cluster-degraded.json").utf8)) as? [String: Any])
        cluster["status"] = "RUNNING"
        cluster["statusMessage"] = nil
        cluster["conditions"] = nil
        let states = ClusterState.observations(from: cluster, location: RecordLocation(input: "c", line: 1, byteOffset: 0))
        #expect(states.count == 1)
        #expect(states.first?.facts["healthy"] == "true")
        #expect(states.first?.facts["cause"] == nil)
    }

    @Test func aConditionWithOnlyACodeIsStillClassified() {
        let cluster: [String: Any] = [
            "name": "c1", "location": "europe-west1", "status": "DEGRADED",
            "conditions": [["code": "GCE_QUOTA_EXCEEDED", "canonicalCode": "RESOURCE_EXHAUSTED"]],
        ]
        let states = ClusterState.observations(from: cluster, location: RecordLocation(input: "c", line: 1, byteOffset: 0))
        let condition = states.first { $0.facts["aspect"] == "condition" }
        #expect(condition?.facts["cause"] == "quota-exceeded")
        #expect(condition?.facts["message"] == nil)
        #expect(condition?.quote == "c1 condition: GCE_QUOTA_EXCEEDED")
    }
}
