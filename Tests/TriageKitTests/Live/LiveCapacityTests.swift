import Foundation
import Testing
@testable import TriageKit

/// `--live` reads each NAT router's status (`routers.getRouterStatus`) and the capacity checks
/// find a MANUAL_ONLY gateway short of addresses, against tools/fakegcp/server.py on 127.0.0.1.
@Suite(.serialized) struct LiveCapacityTests {
    /// The `mixed` scenario with its NAT given one address at 4096 ports per VM, its router's
    /// status asking for one more, and the cluster at 24 nodes.
    static func server() throws -> FakeGCPServer {
        let scenario = FakeGCPServer.packageRoot.appendingPathComponent("tools/scenarios/mixed")
        var routers = try JSONSerialization.jsonObject(with: Data(contentsOf: scenario.appendingPathComponent("compute/routers.json"))) as! [[String: Any]]
        var nats = routers[0]["nats"] as! [[String: Any]]
        nats[0]["natIpAllocateOption"] = "MANUAL_ONLY"
        nats[0]["minPortsPerVm"] = 4096
        nats[0]["natIps"] = ["https://www.googleapis.com/compute/v1/projects/\(liveProject)/regions/us-central1/addresses/kf-nat-ip-1"]
        routers[0]["nats"] = nats
        var clusters = try JSONSerialization.jsonObject(with: Data(contentsOf: scenario.appendingPathComponent("container/clusters.json"))) as! [[String: Any]]
        clusters[0]["currentNodeCount"] = 24
        return try FakeGCPServer(files: [
            "compute/routers.json": routers,
            "compute/routerStatus.json": ["kf-router": ["kf-nat": ["minExtraNatIpsNeeded": 1, "numVmEndpointsWithNatMappings": 15]]],
            "container/clusters.json": clusters,
        ])
    }

    @Test func theRouterStatusIsReadAndTheMissingAddressIsFound() throws {
        let server = try Self.server()
        let run = try liveRun(server)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(server.requests(pathPrefix: "/compute/v1/projects/\(liveProject)/regions/us-central1/routers/kf-router/getRouterStatus").count == 1)
        #expect(run.collector.config.natStatuses.map(\.minExtraNatIpsNeeded) == [1])
        let analysis = Engine.analyse(run.collector, topology: Topology(), rules: try RuleLoader.builtIn())
        let finding = try #require(analysis.findings.first { $0.rule == "nat-ips-insufficient" })
        #expect(finding.facts["nat"] == "kf-nat")
        #expect(finding.facts["router"] == "kf-router")
        #expect(finding.remedy.commands.contains { $0.contains("--nat-external-ip-pool=kf-nat-ip-1,kf-nat-ip-2") })
    }

    @Test func aRouterStatusThatCannotBeReadIsAFailureNotSilence() throws {
        let server = try FakeGCPServer(files: [
            "errors.json": [
                "GET /compute/v1/projects/\(liveProject)/regions/us-central1/routers/kf-router/getRouterStatus": [
                    ["status": 403, "body": ["error": ["code": 403, "status": "PERMISSION_DENIED", "message": "Required 'compute.routers.get' permission for 'projects/\(liveProject)/regions/us-central1/routers/kf-router'"]]]
                ]
            ]
        ])
        let run = try liveRun(server)
        #expect(run.result.failures.count == 1, "\(run.failureText)")
        #expect(run.failureText.contains("compute.routers.get"))
        #expect(!run.collector.config.listed.contains(.routerStatus))
    }
}
