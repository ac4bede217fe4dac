import Foundation
import Testing
@testable import TriageKit

/// `kubectl describe node`: the Conditions table (which no other describer prints), kubectl's tab
/// layout before 1.9, and where the node runs from its labels. Layouts from kubernetes#32522,
/// #40581 (GKE, tabs), #34314 (padded, a reason wider than its column) and #73397 (a Ready node
/// with a condition left Unknown from before).
struct DescribeNodeTests {
    static func analyse(_ text: String) throws -> Analysis {
        try RoundTenShapeTests.analyse(text)
    }

    static let tabLayout = "Name:\t\t\tgke-airportal-low-mem-high-cpu-86e6db07-hwj4\n"
        + "Labels:\t\t\tbeta.kubernetes.io/arch=amd64\n"
        + "\t\t\tcloud.google.com/gke-nodepool=low-mem-high-cpu\n"
        + "\t\t\tfailure-domain.beta.kubernetes.io/zone=us-east1-c\n"
        + "Taints:\t\t\t<none>\n"
        + "Conditions:\n"
        + "  Type\t\t\tStatus\t\tLastHeartbeatTime\t\t\tLastTransitionTime\t\t\tReason\t\t\t\tMessage\n"
        + "  ----\t\t\t------\t\t-----------------\t\t\t------------------\t\t\t------\t\t\t\t-------\n"
        + "  NetworkUnavailable \tFalse \t\tFri, 24 Feb 2017 17:39:26 -0500 \tFri, 24 Feb 2017 17:39:26 -0500 \tRouteCreated \t\t\tRouteController created a route\n"
        + "  OutOfDisk \t\tUnknown \tMon, 27 Feb 2017 12:32:48 -0500 \tMon, 27 Feb 2017 12:33:28 -0500 \tNodeStatusUnknown \t\tKubelet stopped posting node status.\n"
        + "  Ready \t\tUnknown \tMon, 27 Feb 2017 12:32:48 -0500 \tMon, 27 Feb 2017 12:33:28 -0500 \tNodeStatusUnknown \t\tKubelet stopped posting node status.\n"

    @Test func aSilentNodeIsOneFindingWithItsZoneInTheCommands() throws {
        let analysis = try Self.analyse(Self.tabLayout)
        #expect(analysis.findings.count == 1)
        let finding = try #require(analysis.findings.first)
        #expect(finding.rule == "node-stopped-reporting")
        // Two conditions with one message are one occurrence.
        #expect(finding.count == 1)
        let commands = finding.remedy.actions.map(\.command.rendered).joined(separator: "\n")
        #expect(commands.contains("gcloud compute instances get-serial-port-output gke-airportal-low-mem-high-cpu-86e6db07-hwj4 --zone=us-east1-c"))
    }

    @Test func aLabelNotInItsShapeIsNotUsed() throws {
        let text = Self.tabLayout.replacingOccurrences(of: "zone=us-east1-c", with: "zone=us-east1-c;touch${IFS}x")
        let finding = try #require(try Self.analyse(text).findings.first)
        let commands = finding.remedy.actions.map(\.command.rendered).joined(separator: "\n")
        #expect(!commands.contains("touch"))
        #expect(commands.contains("--zone='<OBJECT_ZONE>'") || commands.contains("--zone=<OBJECT_ZONE>"))
    }

    /// kubernetes#73397: OutOfDisk stays `NodeStatusUnknown` on a node whose kubelet no longer posts
    /// it, while Ready is True: the node is healthy, and read.
    @Test func aReadyNodeWithAStaleConditionIsHealthy() throws {
        let text = """
            Name:               gke-kf-default-pool-5b7e0d41-m2pq
            Conditions:
              Type                 Status    LastHeartbeatTime                 LastTransitionTime                Reason                       Message
              ----                 ------    -----------------                 ------------------                ------                       -------
              OutOfDisk            Unknown   Mon, 21 Jan 2019 19:29:36 +0000   Fri, 25 Jan 2019 13:57:23 +0000   NodeStatusUnknown            Kubelet stopped posting node status.
              MemoryPressure       False     Mon, 28 Jan 2019 10:06:08 +0000   Fri, 25 Jan 2019 14:00:27 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
              Ready                True      Mon, 28 Jan 2019 10:06:08 +0000   Mon, 28 Jan 2019 09:25:31 +0000   KubeletReady                 kubelet is posting ready status. AppArmor enabled

            """
        let analysis = try Self.analyse(text)
        #expect(analysis.findings.isEmpty)
        // Read, not an unrecognised format: the node's conditions were evidence.
        let collector = EvidenceCollector()
        #expect(collector.read(InputReader(name: "node.txt", source: MemorySource(Array(text.utf8)))) == nil)
        #expect(collector.account.evidence[KubectlTextParser.healthyNodeSource] == 1)
    }

    /// A condition no rule knows (the CNI not ready) is the node's own unexplained error, named.
    @Test func anUnknownConditionIsTheNodesUnexplainedError() throws {
        let text = """
            Name:               gke-kf-default-pool-5b7e0d41-m2pq
            Labels:             topology.kubernetes.io/zone=us-central1-b
            Conditions:
              Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message
              ----             ------  -----------------                 ------------------                ------                       -------
              MemoryPressure   False   Mon, 16 Jan 2023 10:00:00 +0000   Mon, 16 Jan 2023 09:00:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
              Ready            False   Mon, 16 Jan 2023 10:00:00 +0000   Mon, 16 Jan 2023 09:00:00 +0000   KubeletNotReady              container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized

            """
        let found = observations(text)
        #expect(found.count == 1)
        let error = try #require(found.first)
        #expect(error.facts["message"] == UnexplainedError.messageClass)
        #expect(error.facts["error"]?.hasPrefix("Node condition Ready is False (KubeletNotReady): container runtime network not ready") == true)
        #expect(error.facts["object.kind"] == "Node")
        #expect(error.facts["object.name"] == "gke-kf-default-pool-5b7e0d41-m2pq")
        #expect(error.facts["object.zone"] == "us-central1-b")
        #expect(error.location?.line == 7)
    }

    /// A pod's conditions table has no heartbeat column: it is not read as a node's.
    @Test func aPodsConditionsAreNotANodes() {
        let text = """
            Name:         ml-pipeline-5c8d7b9f4-x2k7q
            Namespace:    kubeflow
            Node:         gke-kf-default-pool-5b7e0d41-m2pq/10.128.0.9
            Containers:
              api:
                Image:    gcr.io/ml-pipeline/api-server:2.0.0
            Conditions:
              Type              Status
              Initialized       True
              Ready             False
              ContainersReady   False

            """
        #expect(!observations(text).contains { $0.facts["error"]?.hasPrefix("Node condition") == true })
    }

    @Test func tableCells() {
        #expect(DescribeObject.cells("Ready \t\tUnknown \tMon, 27 Feb 2017 12:32:48 -0500 \tNodeStatusUnknown \t\tKubelet stopped posting node status.")
            == ["Ready", "Unknown", "Mon, 27 Feb 2017 12:32:48 -0500", "NodeStatusUnknown", "Kubelet stopped posting node status."])
        #expect(DescribeObject.cells("OutOfDisk  Unknown   Fri, 07 Oct 2016 08:13:50 +0000   NodeStatusUnknown Kubelet stopped")
            == ["OutOfDisk", "Unknown", "Fri, 07 Oct 2016 08:13:50 +0000", "NodeStatusUnknown Kubelet stopped"])
        #expect(DescribeObject.cells("").isEmpty)
    }
}
