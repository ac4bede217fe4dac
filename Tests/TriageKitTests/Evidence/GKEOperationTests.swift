import Foundation
import Testing
@testable import TriageKit

/// Captures of the real gcloud 528 against the fake API (tools/scenarios/operations-catalog,
/// rendered by tools/make-samples.sh).
enum OperationFixtures {
    static let directory = repositoryRoot.appendingPathComponent("Tests/TriageKitTests/Fixtures/operations")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func observations(_ name: String, kind: String = "operation") throws -> [Observation] {
        collect(try text(name), name: name).observations.filter { $0.kind == kind }
    }

    /// The operations as the API sent them, decoded here independently of the readers.
    static func apiOperations() throws -> [[String: Any]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("operations-api.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["operations"] as? [[String: Any]])
    }
}

struct GKEOperationTests {
    /// What each failed operation in the catalog is, as GKE's message says it.
    static let expectedCauses: [String: [String: String]] = [
        "operation-1795330118204-1a9e6b3f-7c2d-4e05-8f41-b0d9c7a5e316":
            ["cause": "node-registration", "registered": "0", "expected": "3"],
        "operation-1795331402917-6c0f2e8a-3b1d-4a97-b5e6-2d8f0c4a9e71":
            ["cause": "pod-range-exhausted",
             "subnetwork": "projects/kf-prod-4412/regions/us-central1/subnetworks/kubeflow-subnet-kf-gpu-pods",
             "instance": "gke-kf-private-gpu-pool-2-7a3c1e9d-k2vd"],
        "operation-1795332044561-2e7b9d0c-5f3a-4c18-a6d2-9b1e0f7c3a54":
            ["cause": "vpc-peering-blocked-by-org-policy", "constraint": "constraints/compute.restrictVpcPeering",
             "project_number": "481516234200",
             "peer_network": "projects/gke-prod-us-central1-59d2/global/networks/gke-n51c8e2d07a4f93b6e1d-7f2c-90ab-net"],
        "operation-1795332670338-8d4a1f6e-0c9b-4e27-93f5-c1a7e2b0d846": ["cause": "legacy-network"],
        "operation-1795333205719-4f2c8e1a-7d6b-4093-b8e5-3a0c9f1d7e62": ["cause": "network-missing", "network": "kf-vpc"],
        "operation-1795333671046-0b5e9c2d-3a8f-4d71-a6e4-7c1f2b9d0e38":
            ["cause": "invalid-alias-range", "field": "resource.secondaryIpRanges[1].ipCidrRange",
             "range": "10.24.0.0/20", "conflicts_with": "existing subnetwork 'kf-services' in region 'us-central1'"],
        "operation-1795334219857-7e1d3b0a-9c5f-4a26-8d07-e2b6f4c1a953":
            ["cause": "quota-exceeded", "quota_metric": "CPUS", "quota_scope": "regional", "quota_requested": "48",
             "quota_short": "16", "quota_limit": "72", "quota_available": "32"],
        "operation-1795334803172-3c6a0e9f-1b4d-4e58-a7f2-d9e0b5c8a164":
            ["cause": "shared-vpc-iam-missing", "permission": "compute.subnetworks.use",
             "resource": "projects/kf-net-host-7731/regions/us-central1/subnetworks/kf-shared-nodes",
             "host_project": "kf-net-host-7731", "role": "roles/compute.networkUser", "subnetwork": "kf-shared-nodes",
             "region": "us-central1"],
    ]

    static let formats = ["operations-list.txt", "operations-list.json", "operations-list.yaml", "operations-api.json"]

    @Test(arguments: formats)
    func everyOperationIsReadOnceWithItsFields(file: String) throws {
        let api = try OperationFixtures.apiOperations()
        let observations = try OperationFixtures.observations(file)
        #expect(observations.count == api.count)
        let byName = Dictionary(uniqueKeysWithValues: observations.map { ($0.facts["operation"] ?? "", $0) })
        for operation in api {
            let name = try #require(operation["name"] as? String)
            let observed = try #require(byName[name], "\(name) missing from \(file)")
            let f = observed.facts
            #expect(f["type"] == operation["operationType"] as? String)
            #expect(f["status"] == operation["status"] as? String)
            #expect(f["location"] == operation["zone"] as? String)
            #expect(f["start_time"] == operation["startTime"] as? String)
            #expect(f["end_time"] == operation["endTime"] as? String)
            #expect(f["error"] == operation["statusMessage"] as? String)
            #expect(observed.time == ((operation["endTime"] ?? operation["startTime"]) as? String).flatMap(Timestamp.parse))
            let link = try #require(operation["targetLink"] as? String)
            #expect(f["target"] == link.split(separator: "/").last.map(String.init))
            #expect(f["failed"] == (operation["statusMessage"] == nil ? "false" : "true"))
        }
    }

    @Test(arguments: formats)
    func failuresAreClassified(file: String) throws {
        for observation in try OperationFixtures.observations(file) {
            let name = observation.facts["operation"] ?? ""
            guard let expected = Self.expectedCauses[name] else {
                #expect(observation.facts["cause"] == nil, "\(name) in \(file) has cause \(observation.facts["cause"] ?? "")")
                continue
            }
            for (fact, value) in expected {
                #expect(observation.facts[fact] == value, "\(name) in \(file): \(fact)")
            }
        }
    }

    @Test func documentsAndLinksNameClusterAndNodePool() throws {
        let observations = try OperationFixtures.observations("operations-list.json")
        let pool = try #require(observations.first { $0.facts["type"] == "CREATE_NODE_POOL" })
        #expect(pool.facts["target_kind"] == "node-pool")
        #expect(pool.facts["cluster"] == "kf-private")
        #expect(pool.facts["node_pool"] == pool.facts["target"])
        #expect(pool.facts["link_project"] == "481516234200")
        #expect(pool.facts["project"] == nil)
        let cluster = try #require(observations.first { $0.facts["type"] == "SET_LABELS" })
        #expect(cluster.facts["target_kind"] == "cluster")
        #expect(cluster.facts["node_pool"] == nil)
    }

    @Test func tableRowsPointAtTheirLines() throws {
        let text = try OperationFixtures.text("operations-list.txt")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for observation in try OperationFixtures.observations("operations-list.txt") {
            let location = try #require(observation.location)
            let line = String(lines[location.line - 1])
            #expect(line.hasPrefix(observation.facts["operation"] ?? "?"))
            #expect(observation.source == "gcloud container operations list")
            #expect(observation.quote == line.trimmingCharacters(in: .whitespaces))
        }
    }

    @Test func endedOperationsHaveDurationAndTypical() throws {
        let observations = try OperationFixtures.observations("operations-list.yaml")
        let create = try #require(observations.first { $0.facts["operation"] == "operation-1772476867843-4b1f3d6e-9a2c-4e8b-b7d1-3c5a9e2f6b10" })
        // 18:41:07.84 → 18:49:52.12 is 8 min 44 s: whole minutes.
        let elapsed = utcMicros(2026, 3, 2, 18, 49, 52, micros: 115_704) - utcMicros(2026, 3, 2, 18, 41, 7, micros: 843_525)
        #expect(create.facts["duration_minutes"] == String(elapsed / 60_000_000))
        #expect(create.facts["typical_minutes"] == GKEOperationDurations.typicalMinutes("CREATE_CLUSTER").map(String.init))
        let running = observations.filter { $0.facts["status"] == "RUNNING" }
        #expect(running.count == 2)
        #expect(running.allSatisfy { $0.facts["duration_minutes"] == nil && $0.facts["end_time"] == nil })
    }

    @Test func describeOfARunningOperationShowsProgress() throws {
        let observations = try OperationFixtures.observations("operation-describe-running.yaml")
        let running = try #require(observations.first)
        #expect(observations.count == 1)
        #expect(running.facts["status"] == "RUNNING")
        #expect(running.facts["progress"] == "CLUSTER_CONFIGURING 7/7, CLUSTER_DEPLOYING 6/8, CLUSTER_HEALTHCHECKING 0/3")
        #expect(running.facts["stage"] == "CLUSTER_DEPLOYING")
        #expect(running.facts["failed"] == "false")
        #expect(running.source == "gcloud container operations")
    }

    @Test func describeAsJSONOfAFailedOperation() throws {
        let observations = try OperationFixtures.observations("operation-describe-legacy.json")
        let failed = try #require(observations.first)
        #expect(observations.count == 1)
        #expect(failed.facts["cause"] == "legacy-network")
        #expect(failed.facts["error_code"] == "3")
        #expect(failed.facts["error"] == "IP aliases cannot be used with a legacy network.")
        #expect(failed.quote?.contains("IP aliases cannot be used with a legacy network.") == true)
    }

    @Test func aClusterIsNotAnOperationAndAnOperationIsNotACluster() throws {
        let cluster = try OperationFixtures.text("cluster-degraded.json")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(cluster.utf8)) as? [String: Any])
        #expect(GKEOperations.observations(from: decoded, location: RecordLocation(input: "x", line: 1, byteOffset: 0)) == nil)
        for operation in try OperationFixtures.apiOperations() {
            #expect(!ClusterInfo.looksLikeCluster(operation))
        }
    }
}

struct GKEOperationDeriveTests {
    static let start = "2026-11-22T08:58:14.120448305Z"

    func facts(status: String, type: String = "CREATE_CLUSTER") -> [String: String] {
        var f = ["status": status, "type": type, "start_time": Self.start]
        if let typical = GKEOperationDurations.typicalMinutes(type) { f["typical_minutes"] = String(typical) }
        return f
    }

    @Test func runningPastTwiceTypicalIsOverdue() {
        var f = facts(status: "RUNNING")
        GKEOperations.derive(&f, now: utcMicros(2026, 11, 22, 10, 0, 0))
        // 08:58:14 → 10:00:00 is 61 min 45 s.
        #expect(f["running_minutes"] == "61")
        #expect(f["overdue"] == "true")
    }

    @Test func runningWithinTwiceTypicalIsNotOverdue() throws {
        var f = facts(status: "RUNNING")
        let typical = try #require(GKEOperationDurations.typicalMinutes("CREATE_CLUSTER"))
        let limit = Int64(typical * GKEOperationDurations.overdueFactor)
        GKEOperations.derive(&f, now: utcMicros(2026, 11, 22, 8, 58, 14) + limit * 60_000_000)
        #expect(f["running_minutes"] == String(limit - 1))
        #expect(f["overdue"] == "false")
        var g = facts(status: "RUNNING")
        GKEOperations.derive(&g, now: utcMicros(2026, 11, 22, 8, 58, 15) + (limit + 1) * 60_000_000)
        #expect(g["overdue"] == "true")
    }

    @Test func pendingCountsAsRunning() {
        var f = facts(status: "PENDING", type: "UPGRADE_MASTER")
        GKEOperations.derive(&f, now: utcMicros(2026, 11, 22, 9, 30, 0))
        #expect(f["running_minutes"] == "31")
        #expect(f["overdue"] == "false")
    }

    @Test func doneOperationsAreLeftAlone() {
        var f = facts(status: "DONE")
        let before = f
        GKEOperations.derive(&f, now: utcMicros(2026, 11, 22, 10, 0, 0))
        #expect(f == before)
    }

    @Test func unknownTypeGetsMinutesButNoVerdict() {
        var f = ["status": "RUNNING", "type": "FLEET_FEATURE_UPGRADE", "start_time": Self.start]
        GKEOperations.derive(&f, now: utcMicros(2026, 11, 22, 12, 0, 0))
        #expect(f["running_minutes"] == "181")
        #expect(f["overdue"] == nil)
    }

    @Test func typicalIsFilledInWhenMissingAndAClockBehindCountsZero() {
        var f = ["status": "RUNNING", "type": "SET_LABELS", "start_time": Self.start]
        GKEOperations.derive(&f, now: utcMicros(2026, 11, 22, 8, 0, 0))
        #expect(f["running_minutes"] == "0")
        #expect(f["typical_minutes"] == "2")
        #expect(f["overdue"] == "false")
    }

    @Test func withoutAStartTimeNothingIsDerived() {
        var f = ["status": "RUNNING", "type": "CREATE_CLUSTER"]
        GKEOperations.derive(&f, now: utcMicros(2026, 11, 22, 10, 0, 0))
        #expect(f["running_minutes"] == nil && f["overdue"] == nil)
    }
}
