import Foundation
import Testing
@testable import TriageKit

/// Reads text the way the CLI does (format sniffing, the text dispatcher, the kubectl parser) and
/// returns the observations it gave.
func observations(_ text: String, name: String = "paste.txt") -> [Observation] {
    let collector = EvidenceCollector()
    _ = collector.read(InputReader(name: name, source: MemorySource(text)))
    return collector.observations
}

extension Array where Element == Observation {
    func with(_ message: String) -> [Observation] { filter { $0.facts["message"] == message } }
}

struct KubectlDescribeTests {
    @Test func replicaSetEventNamesTheWebhookAndInfersItsPort() throws {
        let found = observations(KubectlFixtures.replicasetWebhook)
        #expect(found.count == 1)
        let webhook = try #require(found.first)
        #expect(webhook.kind == "message")
        #expect(webhook.source == "kubectl describe")
        #expect(webhook.facts["message"] == "webhook-call-failed")
        #expect(webhook.facts["webhook"] == "validation.gatekeeper.sh")
        #expect(webhook.facts["service"] == "gatekeeper-webhook-service")
        #expect(webhook.facts["namespace"] == "gatekeeper-system")
        #expect(webhook.facts["service_port"] == "443")
        #expect(webhook.facts["path"] == "/v1/admit")
        #expect(webhook.facts["failure"] == "deadline")
        #expect(webhook.facts["port"] == "8443")
        #expect(webhook.facts["port_inferred"] == "true")
        #expect(webhook.facts["confirm"] == "kubectl get endpoints -n gatekeeper-system gatekeeper-webhook-service -o 'jsonpath={.subsets[*].ports[*].port}'")
        #expect(webhook.facts["occurrences"] == "17")
        #expect(webhook.facts["event.reason"] == "FailedCreate")
        #expect(webhook.facts["object.kind"] == "ReplicaSet")
        #expect(webhook.facts["object.name"] == "ml-pipeline-ui-7d8f9c6b5d")
        #expect(webhook.facts["object.namespace"] == "kubeflow")
        let lines = KubectlFixtures.replicasetWebhook.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(webhook.location?.line)
        #expect(lines[line - 1].contains("FailedCreate"))
        #expect(webhook.quote?.hasPrefix("Warning  FailedCreate  4m12s (x17 over 14m)  replicaset-controller  Error creating:") == true)
    }

    @Test func configConnectorChainEndsAtTheFirstConcreteError() throws {
        let found = observations(KubectlFixtures.kccChain)
        let waiting = found.with("kcc-dependency-not-ready")
        #expect(waiting.count == 2)
        for observation in waiting {
            #expect(observation.facts["root.kind"] == "ComputeNetwork")
            #expect(observation.facts["root.name"] == "kubeflow/kf-network")
            #expect(observation.facts["root.failure"] == "forbidden")
            #expect(observation.facts["root.error"]?.contains("Required 'compute.networks.create' permission") == true)
            #expect(observation.facts["occurrences"] == "9")
            #expect(observation.time == Timestamp.parse("2026-11-22T09:01:49Z"))
        }
        #expect(Set(waiting.compactMap { $0.facts["object.kind"] }) == ["ContainerCluster", "ComputeSubnetwork"])
        #expect(waiting.first { $0.facts["object.name"] == "kf-private" }?.facts["ref.name"] == "kubeflow/kf-subnet")
        let root = try #require(found.with("kcc-update-failed").first)
        #expect(found.with("kcc-update-failed").count == 1)
        #expect(root.facts["object.kind"] == "ComputeNetwork")
        #expect(root.facts["failure"] == "forbidden")
        #expect(root.facts["code"] == "403")
        #expect(root.facts["permission"] == "compute.networks.create")
        #expect(root.facts["project"] == "kf-prod-4412")
        #expect(root.facts["occurrences"] == "8")
        #expect(found.count == 3)
    }

    @Test func aReferenceOutsideThePasteIsNamedAsMissing() throws {
        // Only the cluster: the subnetwork it waits on was not pasted.
        let cluster = KubectlFixtures.kccChain.components(separatedBy: "\n\n\n")[0]
        let waiting = try #require(observations(cluster).with("kcc-dependency-not-ready").first)
        #expect(waiting.facts["root.kind"] == "ComputeSubnetwork")
        #expect(waiting.facts["root.name"] == "kubeflow/kf-subnet")
        #expect(waiting.facts["root.missing"] == "true")
        #expect(waiting.facts["root.error"] == nil)
    }

    @Test func podImagePullEventsGiveRegistryDialAndBackoff() throws {
        let found = observations(KubectlFixtures.podImagePull)
        let failed = try #require(found.with("image-pull-failed").first)
        #expect(found.with("image-pull-failed").count == 1)
        #expect(failed.facts["image"] == "gcr.io/ml-pipeline/api-server:2.0.5")
        #expect(failed.facts["registry"] == "gcr.io")
        #expect(failed.facts["registry.google"] == "true")
        #expect(failed.facts["ip"] == "74.125.195.82")
        #expect(failed.facts["port"] == "443")
        #expect(failed.facts["failure"] == "timeout")
        #expect(failed.facts["occurrences"] == "4")
        #expect(failed.facts["object.kind"] == "Pod")
        #expect(failed.facts["object.name"] == "ml-pipeline-5c8d7b9f4-x2k7q")
        // ErrImagePull ×4, Back-off pulling image ×7, ImagePullBackOff ×7; the container state's
        // `Reason: ImagePullBackOff` is a state, not an occurrence.
        let backoff = found.with("image-pull-backoff")
        #expect(backoff.compactMap { $0.facts["occurrences"] }.sorted() == ["4", "7", "7"])
        #expect(backoff.first { $0.facts["image"] != nil }?.facts["registry.google"] == "true")
    }

    @Test func apiServiceFailedDiscoveryCheck() throws {
        let found = observations(KubectlFixtures.apiservice)
        #expect(found.count == 1)
        let check = try #require(found.first)
        #expect(check.facts["message"] == "aggregated-api-unavailable")
        #expect(check.facts["api"] == "external.metrics.k8s.io/v1beta1")
        #expect(check.facts["ip"] == "10.20.2.31")
        #expect(check.facts["port"] == "6443")
        #expect(check.facts["port_inferred"] == nil)
        #expect(check.facts["failure"] == "timeout")
        #expect(check.facts["condition.reason"] == "FailedDiscoveryCheck")
        #expect(check.facts["object.kind"] == "APIService")
        #expect(check.time == Timestamp.parse("2026-11-22T09:12:40Z"))
    }

    @Test func ingressBackendsAnnotationGivesEachUnhealthyBackend() throws {
        // kubectl describe prints an annotation over 140 characters on the next line, cut at 140
        // with `...`: the second backend's state is cut to `"H...` and is passed over.
        let found = observations(KubectlFixtures.ingress)
        #expect(KubectlFixtures.ingress.contains(#""k8s1-6f1f6e83-kube-system-default-http-backend-80-3c9e2d11":"H..."#))
        #expect(found.count == 1)
        #expect(found.allSatisfy { $0.facts["health"] == "UNHEALTHY" })
        let backend = try #require(found.first { $0.facts["health"] == "UNHEALTHY" })
        #expect(backend.facts["failure"] == "unhealthy")
        #expect(backend.facts["message"] == "backend-health")
        #expect(backend.facts["backend"] == "k8s1-6f1f6e83-istio-system-istio-ingressgateway-80-8a2f1b4c")
        #expect(backend.facts["backend.kind"] == "neg")
        #expect(backend.facts["service_port"] == "80")
        #expect(backend.facts["object.kind"] == "Ingress")
        #expect(backend.facts["object.namespace"] == "istio-system")
    }

    @Test func objectsSeparatedByBlankLinesStaySeparate() {
        let paste = KubectlFixtures.replicasetWebhook + "\n\n" + KubectlFixtures.podImagePull + "\n\n" + KubectlFixtures.apiservice
        let found = observations(paste)
        #expect(found.with("webhook-call-failed").first?.facts["object.kind"] == "ReplicaSet")
        #expect(found.with("image-pull-failed").first?.facts["object.kind"] == "Pod")
        #expect(found.with("aggregated-api-unavailable").first?.facts["object.kind"] == "APIService")
        #expect(found.count == 1 + 4 + 1)
        let lines = found.compactMap { $0.location?.line }
        #expect(lines == lines.sorted())
    }
}

struct KubectlEventsTableTests {
    @Test func plainTable() throws {
        let found = observations(KubectlFixtures.getEvents)
        #expect(found.with("webhook-call-failed").count == 1)
        #expect(found.with("image-pull-failed").count == 2)
        #expect(found.allSatisfy { $0.source == "kubectl get events" })
        let webhook = try #require(found.with("webhook-call-failed").first)
        #expect(webhook.facts["object.kind"] == "ReplicaSet")
        #expect(webhook.facts["object.name"] == "ml-pipeline-ui-7d8f9c6b5d")
        #expect(webhook.facts["occurrences"] == "1")
        #expect(webhook.facts["event.type"] == "Warning")
        #expect(found.with("image-pull-failed").first?.facts["object.kind"] == "Pod")
    }

    @Test func allNamespacesTable() throws {
        let found = observations(KubectlFixtures.getEventsAll)
        #expect(found.with("webhook-call-failed").count == 1)
        #expect(found.with("image-pull-failed").count == 2)
        #expect(found.allSatisfy { $0.facts["object.namespace"] == "kubeflow" })
        let webhook = try #require(found.with("webhook-call-failed").first)
        #expect(webhook.facts["object.namespace"] == "kubeflow")
        #expect(webhook.facts["ip"] == "10.20.1.14")
        #expect(webhook.facts["port"] == "8443")
        #expect(webhook.facts["port_inferred"] == nil)
        #expect(webhook.facts["failure"] == "timeout")
        let pull = try #require(found.with("image-pull-failed").first { $0.facts["object.name"] == "mysql-6f7c9d8b5-q4w8n" })
        #expect(pull.facts["registry"] == "docker.io")
        #expect(pull.facts["registry.google"] == "false")
        #expect(pull.facts["host"] == "registry-1.docker.io")
        #expect(pull.facts["ip"] == "54.236.113.205")
    }

    @Test func wideTableCountsRepeats() throws {
        let found = observations(KubectlFixtures.getEventsWide)
        #expect(found.with("image-pull-failed").compactMap { $0.facts["occurrences"] } == ["4", "3"])
        let webhook = try #require(found.with("webhook-call-failed").first)
        #expect(webhook.facts["occurrences"] == "17")
        #expect(webhook.facts["event.reason"] == "FailedCreate")
    }

    @Test func tableWhosePaddingWasLostStillReads() throws {
        // A chat tool turned the padding into two spaces everywhere.
        let squeezed = KubectlFixtures.getEventsAll.split(separator: "\n").map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                .replacingOccurrences(of: "LAST SEEN", with: "LAST_SEEN")
        }
        var rows: [String] = []
        for line in squeezed {
            let words = line.split(separator: " ", maxSplits: 5).map(String.init)
            rows.append(words.joined(separator: "  ").replacingOccurrences(of: "LAST_SEEN", with: "LAST SEEN"))
        }
        let found = observations(rows.joined(separator: "\n") + "\n")
        #expect(found.with("webhook-call-failed").first?.facts["object.namespace"] == "kubeflow")
        #expect(found.with("image-pull-failed").contains { $0.facts["registry"] == "docker.io" })
    }

    @Test func kubectlEventsCommandCountsRepeatsInLastSeen() throws {
        // `kubectl events` prints client-side: `4m12s (x17 over 14m)` in LAST SEEN, `ReplicaSet/NAME`.
        let found = observations(KubectlFixtures.kubectlEvents)
        let webhook = try #require(found.with("webhook-call-failed").first)
        #expect(webhook.facts["occurrences"] == "17")
        #expect(webhook.facts["object.kind"] == "ReplicaSet")
        #expect(webhook.facts["object.name"] == "ml-pipeline-ui-7d8f9c6b5d")
        #expect(found.with("image-pull-failed").compactMap { $0.facts["occurrences"] } == ["4", "3"])
    }
}
