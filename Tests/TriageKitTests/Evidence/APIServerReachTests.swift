import Testing
@testable import TriageKit

/// Which path failed: the API server to a kubelet, the Konnectivity proxy, a client to the API
/// server, a webhook, or a resource the API server does not serve. Each message goes to one class,
/// and answers (certificate errors) are recognised but are not network failures.
struct APIServerReachTests {
    static func first(_ text: String) -> [String: String]? { MessageRecognizer.recognize(text).first }

    @Test(arguments: [
        ("Error from server: error dialing backend: dial tcp 10.240.0.22:10250: i/o timeout", "kubelet-unreachable", "timeout"),
        ("Error from server: error dialing backend: dial tcp 192.168.1.14:10250: getsockopt: no route to host", "kubelet-unreachable", "unreachable"),
        (#"Error from server: Get "https://192.168.1.109:10250/containerLogs/default/web-1/web?follow=true": dial tcp 192.168.1.109:10250: i/o timeout"#, "kubelet-unreachable", "timeout"),
        ("Error from server: error dialing backend: x509: certificate has expired or is not yet valid", "kubelet-unreachable", "tls"),
        ("command failed (pod=kube-system/cilium-x, container=cilium-agent): error dialing backend: No agent available", "konnectivity-agent-unavailable", "unavailable"),
        (#"couldn't get current server API group list: Get "https://10.3.0.50/api?timeout=32s": dial tcp 10.3.0.50:443: i/o timeout"#, "control-plane-endpoint-unreachable", "timeout"),
        ("I0622 02:36:23.988713    1628 round_trippers.go:508] HTTP Trace: Dial to tcp:172.16.0.2:443 failed: dial tcp 172.16.0.2:443: i/o timeout", "control-plane-endpoint-unreachable", "timeout"),
        (#"from server for: "cert.yaml": Get "https://34.155.15.145/apis/cert-manager.io/v1/namespaces/kubeflow/certificates/serving-cert": net/http: TLS handshake timeout"#, "control-plane-endpoint-unreachable", "timeout"),
        ("Unable to connect to the server: x509: certificate signed by unknown authority", "control-plane-endpoint-unreachable", "tls"),
        (#"Post https://prometheus-operator-operator.monitoring.svc:443/admission-prometheusrules/mutate?timeout=30s: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)"#, "webhook-call-failed", "timeout"),
        (#"unable to recognize "/tmp/kout1": no matches for kind "Issuer" in version "cert-manager.io/v1alpha2""#, "resource-not-served", "not-found"),
        // A proxy in front of the API server (Lens's) dialling its port: the endpoint, not a kubelet
        // (lensapp/lens#2242, #1314); Windows' own words for the timeout and the refusal.
        ("error: unable to upgrade connection: error dialing backend: dial tcp 10.33.xxx.2:443: i/o timeout", "control-plane-endpoint-unreachable", "timeout"),
        ("Error: unable to upgrade connection: error dialing backend: dial tcp 10.142.45.34:443: connectex: A connection attempt failed because the connected party did not properly respond after a peri", "control-plane-endpoint-unreachable", "timeout"),
        ("error dialing backend: dial tcp 10.240.0.22:10250: connectex: No connection could be made because the target machine actively refused it.", "kubelet-unreachable", "refused"),
        // Discovery's schema path, under Pulumi's and helm's wrappers (pulumi-kubernetes#2365).
        (#"error: configured Kubernetes cluster is unreachable: unable to load schema information from the API server: Get "https://35.203.171.106/openapi/v2?timeout=32s": net/http: request canceled (Client.Timeout exceeded while awaiting headers)"#, "control-plane-endpoint-unreachable", "timeout"),
        (#"Error: Kubernetes cluster unreachable: Get "https://10.10.0.2/version": dial tcp 10.10.0.2:443: i/o timeout"#, "control-plane-endpoint-unreachable", "timeout"),
        // The Python client through urllib3 (apache/airflow#31387).
        (#"WARNING - Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f0e47049ba0>, 'Connection to 34.1.2.3 timed out. (connect timeout=None)')': /api/v1/namespaces/airflow/pods?labelSelector=x"#, "control-plane-endpoint-unreachable", "timeout"),
    ] as [(String, String, String)])
    func eachMessageHasOneClass(text: String, message: String, failure: String) throws {
        let facts = try #require(Self.first(text), "\(text)")
        #expect(facts["message"] == message)
        #expect(facts["failure"] == failure)
    }

    @Test func theClassesKeepTheirFacts() throws {
        let kubelet = try #require(Self.first("Error from server: error dialing backend: dial tcp 10.240.0.22:10250: i/o timeout"))
        #expect(kubelet["ip"] == "10.240.0.22" && kubelet["port"] == "10250")
        let endpoint = try #require(Self.first(#"│ Error: Post "https://10.3.0.50/api/v1/namespaces": dial tcp 10.3.0.50:443: i/o timeout"#))
        #expect(endpoint["endpoint"] == "10.3.0.50" && endpoint["port"] == "443")
        // A wrapped paste cuts the first `in version "…"`; the last whole one is kept.
        let wrapped = #"Error [unable to recognize "/tmp/k": no matches for kind "Certificate" in version "cer"#
            + #"t-manager.io/v1alpha2", unable to recognize "/tmp/k": no matches for kind "Issuer" in version "cert-manager.io/v1alpha2"]"#
        let crd = try #require(Self.first(wrapped))
        #expect(crd["kind"] == "Issuer" && crd["api_version"] == "cert-manager.io/v1alpha2" && crd["api_group"] == "cert-manager.io")
        let resource = try #require(Self.first("the server could not find the requested resource (post gateways.networking.istio.io)"))
        #expect(resource["api_group"] == "networking.istio.io")
    }

    /// A webhook's own URL or a Service URL that is not an admission call is not a client failing
    /// to reach the API server, and not a webhook either.
    @Test func otherPathsAreNotTheEndpoint() {
        let webhook = #"Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": context deadline exceeded"#
        #expect(Self.first(webhook)?["message"] == "webhook-call-failed")
        let service = #"Get "https://ml-pipeline.kubeflow.svc:8888/apis/v1beta1/healthz": dial tcp 10.0.12.4:8888: i/o timeout"#
        #expect(Self.first(service) == nil)
        let inCluster = #"Get "https://kubernetes.default.svc/api?timeout=32s": dial tcp 10.96.0.1:443: i/o timeout"#
        #expect(Self.first(inCluster)?["message"] == "control-plane-endpoint-unreachable")
        let answered = #"GET https://172.16.0.2/api?timeout=32s 200 OK in 45 milliseconds"#
        #expect(Self.first(answered) == nil)
    }

    /// client-go's discovery asks `/version` first (argoproj/argo-cd#6554, the address masked by its
    /// reporter): on the API server's port it is the endpoint; another port's `/version` is not.
    @Test func discoveryOfTheVersionIsTheEndpoint() {
        let argocd = #"FATA[0035] rpc error: code = Unknown desc = Get "https://34.xx.xx.xx/version?timeout=32s": dial tcp 34.xx.xx.xx:443: i/o timeout"#
        #expect(Self.first(argocd)?["message"] == "control-plane-endpoint-unreachable")
        #expect(Self.first(argocd)?["failure"] == "timeout")
        let app = #"Get "https://10.0.12.4:8080/version?timeout=5s": dial tcp 10.0.12.4:8080: i/o timeout"#
        #expect(Self.first(app) == nil)
    }
}

extension APIServerReachTests {
    /// An application's own Service answering `/api/…` is not the control plane.
    @Test func aServicesAPIPathIsNotTheControlPlane() {
        let text = #"HTTPConnectionPool(host='ml-pipeline.kubeflow.svc', port=8888): Max retries exceeded with url: /apis/v1beta1/runs (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))"#
        #expect(!MessageRecognizer.recognize(text).contains { $0["message"] == "control-plane-endpoint-unreachable" })
    }
}
