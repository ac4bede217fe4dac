import Foundation
import Testing
@testable import TriageKit

/// Config Connector `ComputeFirewall` objects, as `kubectl get computefirewall -o yaml` lists
/// them from a Kubeflow blueprint's management cluster.
struct ConfigConnectorFirewallTests {
    static let listing = """
        apiVersion: v1
        items:
        - apiVersion: compute.cnrm.cloud.google.com/v1beta1
          kind: ComputeFirewall
          metadata:
            annotations:
              cnrm.cloud.google.com/management-conflict-prevention-policy: none
              cnrm.cloud.google.com/project-id: kf-prod-4412
            name: kf-private-allow-master-webhooks
            namespace: kf-prod-4412
          spec:
            allow:
            - ports:
              - "8443"
              - "15017"
              protocol: tcp
            direction: INGRESS
            networkRef:
              name: kubeflow-vpc
            priority: 1000
            resourceID: allow-master-webhooks
            sourceRanges:
            - 172.16.0.0/28
            targetTags:
            - gke-kf-private-3f9a6c2e-node
          status:
            conditions:
            - lastTransitionTime: "2026-11-20T10:11:12Z"
              message: The resource is up to date
              reason: UpToDate
              status: "True"
              type: Ready
        - apiVersion: compute.cnrm.cloud.google.com/v1beta1
          kind: ComputeFirewall
          metadata:
            name: deny-all-egress
            namespace: kf-prod-4412
          spec:
            deny:
            - protocol: all
            destinationRanges:
            - 0.0.0.0/0
            direction: EGRESS
            logConfig:
              metadata: INCLUDE_ALL_METADATA
            networkRef:
              external: projects/kf-prod-4412/global/networks/kubeflow-vpc
            priority: 65534
        kind: List
        metadata:
          resourceVersion: ""

        """

    @Test func readsAllowAndDenyRules() throws {
        let collector = EvidenceCollector()
        collector.read(InputReader(name: "computefirewall.yaml", source: MemorySource(Array(Self.listing.utf8))))
        let rules = collector.config.firewallRules
        #expect(rules.map(\.name) == ["allow-master-webhooks", "deny-all-egress"])
        let allow = rules[0]
        #expect(allow.action == .allow && allow.direction == .ingress && allow.priority == 1000)
        #expect(allow.network == "kubeflow-vpc")
        #expect(allow.covers(tcp: 15017) && allow.covers(tcp: 8443) && !allow.covers(tcp: 443))
        #expect(allow.sourceRanges == [CIDR("172.16.0.0/28")!])
        #expect(allow.targetTags == ["gke-kf-private-3f9a6c2e-node"])
        #expect(allow.logging == false)
        let deny = rules[1]
        #expect(deny.action == .deny && deny.direction == .egress && deny.priority == 65534)
        #expect(deny.network == "kubeflow-vpc")
        #expect(deny.logging == true)
        #expect(collector.account.unrecognisedRecords == 0 && collector.account.inputErrors.isEmpty)
        #expect(collector.account.evidence["firewall rules"] == 2)
    }

    /// Config Connector holds only the rules it manages, not GKE's own, so its objects alone
    /// never make the listing complete enough to call a required flow denied.
    @Test func aConfigConnectorListingIsNotTheWholeFirewall() throws {
        let collector = EvidenceCollector()
        collector.read(InputReader(name: "computefirewall.yaml", source: MemorySource(Array(Self.listing.utf8))))
        #expect(!collector.config.listed.contains(.firewallRules))
    }

    @Test func otherKindsAreNotFirewallRules() {
        let route: [String: Any] = [
            "apiVersion": "compute.cnrm.cloud.google.com/v1beta1", "kind": "ComputeRoute",
            "metadata": ["name": "r"], "spec": ["destRange": "199.36.153.4/30"],
        ]
        #expect(FirewallRule(configConnector: route, location: nil) == nil)
        let noRules: [String: Any] = [
            "apiVersion": "compute.cnrm.cloud.google.com/v1beta1", "kind": "ComputeFirewall",
            "metadata": ["name": "x"], "spec": ["direction": "INGRESS"],
        ]
        #expect(FirewallRule(configConnector: noRules, location: nil) == nil)
    }
}

extension FirewallRule {
    func covers(tcp port: Int) -> Bool { permissions.contains { $0.covers(protocol: "tcp", ports: port...port) } }
}
