import Foundation
import Testing
@testable import TriageKit

/// One message shape per case: the facts the recognizer must give (nil = must be absent).
struct MessageRecognizerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var facts: [String: String?]
        var testDescription: String { String(text.prefix(70)) }
    }

    static let cases: [Case] = [
        // Admission webhooks.
        Case(text: #"Error from server (InternalError): error when creating "inferenceservice.yaml": Internal error occurred: failed calling webhook "inferenceservice.kserve-webhook-server.defaulter": failed to call webhook: Post "https://kserve-webhook-server-service.kubeflow.svc:443/mutate-serving-kserve-io-v1beta1-inferenceservice?timeout=10s": dial tcp 10.20.1.22:9443: i/o timeout"#,
             facts: ["message": "webhook-call-failed", "webhook": "inferenceservice.kserve-webhook-server.defaulter",
                     "service": "kserve-webhook-server-service", "namespace": "kubeflow", "ip": "10.20.1.22", "port": "9443",
                     "failure": "timeout", "port_inferred": nil]),
        Case(text: #"Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "webhook.cert-manager.io": Post https://cert-manager-webhook.cert-manager.svc:443/mutate?timeout=30s: context deadline exceeded"#,
             // cert-manager moved its webhook from 6443 to 10250 in v0.12; nothing here says which.
             facts: ["webhook": "webhook.cert-manager.io", "service": "cert-manager-webhook", "port": nil,
                     "port_unknown": "true", "port_candidates": "tcp:10250 (v0.12 and later), tcp:6443 (before v0.12)",
                     "failure": "deadline", "path": "/mutate",
                     "confirm": "kubectl get endpoints -n cert-manager cert-manager-webhook -o 'jsonpath={.subsets[*].ports[*].port}'"]),
        Case(text: #"Internal error occurred: failed calling webhook "webhook-server.webhook-demo.svc": Post https://webhook-server.webhook-demo.svc:443/mutate?timeout=30s: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)"#,
             // An unknown webhook: the Service port (443) is not the pods' port, so none is given.
             facts: ["failure": "timeout", "port": nil, "service_port": "443", "port_unknown": "true", "port_inferred": nil,
                     "confirm": "kubectl get endpoints -n webhook-demo webhook-server -o 'jsonpath={.subsets[*].ports[*].port}'"]),
        Case(text: #"Error from server (InternalError): Internal error occurred: failed calling webhook "rev.validation.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/validate?timeout=10s": EOF"#,
             facts: ["webhook": "rev.validation.istio.io", "port": "15017", "failure": "eof"]),
        Case(text: #"Internal error occurred: failed calling webhook "validate.nginx.ingress.kubernetes.io": failed to call webhook: Post "https://ingress-nginx-controller-admission.ingress-nginx.svc:443/networking/v1/ingresses?timeout=10s": dial tcp 10.20.0.41:8443: connect: connection refused"#,
             facts: ["failure": "refused", "port": "8443", "ip": "10.20.0.41"]),
        Case(text: #"Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": no endpoints available for service "gatekeeper-webhook-service""#,
             facts: ["failure": "no-endpoints", "port": "8443"]),
        Case(text: #"Error from server: conversion webhook for cert-manager.io/v1, Kind=Certificate failed: Post "https://cert-manager-webhook.cert-manager.svc:443/convert?timeout=30s": dial tcp 10.20.1.8:10250: i/o timeout"#,
             facts: ["message": "webhook-call-failed", "webhook": "conversion cert-manager.io/v1", "port": "10250", "failure": "timeout"]),
        // Aggregated APIs and the API server's own timeouts.
        Case(text: #"Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods.metrics.k8s.io)"#,
             facts: ["message": "aggregated-api-unavailable", "api": "metrics.k8s.io", "failure": "unavailable", "port": nil]),
        Case(text: #"E1122 09:14:02.123456   48211 memcache.go:287] couldn't get resource list for external.metrics.k8s.io/v1beta1: the server is currently unable to handle the request"#,
             facts: ["message": "aggregated-api-unavailable", "api": "external.metrics.k8s.io/v1beta1", "port": "6443", "port_inferred": "true"]),
        Case(text: #"Error from server (Timeout): error when creating "notebook.yaml": Timeout: request did not complete within requested timeout - context deadline exceeded"#,
             facts: ["message": "request-timeout", "failure": "deadline"]),
        Case(text: #"Error from server: Get "https://10.10.0.5:10250/containerLogs/kubeflow/ml-pipeline-5c8d7b9f4-x2k7q/ml-pipeline-api-server": No SSH tunnels currently open. Were the targets able to accept an ssh-key for user "gke-3f9a6c2e1b7d4a90"?"#,
             facts: ["message": "ssh-tunnels-down", "port": "22", "user": "gke-3f9a6c2e1b7d4a90"]),
        // Image pulls.
        Case(text: #"Failed to pull image "us-central1-docker.pkg.dev/kf-prod-4412/kf/notebook:1.8": rpc error: code = Unknown desc = failed to pull and unpack image "us-central1-docker.pkg.dev/kf-prod-4412/kf/notebook:1.8": failed to resolve reference "us-central1-docker.pkg.dev/kf-prod-4412/kf/notebook:1.8": pulling from host us-central1-docker.pkg.dev failed with status code [manifests 1.8]: 403 Forbidden"#,
             facts: ["message": "image-pull-failed", "registry": "us-central1-docker.pkg.dev", "registry.google": "true", "failure": "forbidden"]),
        Case(text: #"Failed to pull image "quay.io/jetstack/cert-manager-controller:v1.12.2": rpc error: code = Unknown desc = Error response from daemon: Get "https://quay.io/v2/": dial tcp: lookup quay.io on 169.254.169.254:53: no such host"#,
             facts: ["registry": "quay.io", "registry.google": "false", "failure": "no-such-host", "host": "quay.io", "ip": nil]),
        Case(text: #"Failed to pull image "ghcr.io/dexidp/dex:v2.36.0": rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/dexidp/dex:v2.36.0": failed to resolve reference "ghcr.io/dexidp/dex:v2.36.0": failed to do request: Head "https://ghcr.io/v2/dexidp/dex/manifests/v2.36.0": dial tcp 140.82.113.33:443: connect: connection refused"#,
             facts: ["registry": "ghcr.io", "failure": "refused", "ip": "140.82.113.33"]),
        Case(text: #"Failed to pull image "mysql:8.0.26": rpc error: code = Unknown desc = Error response from daemon: pull access denied for mysql, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"#,
             facts: ["registry": "docker.io", "failure": "denied"]),
        Case(text: #"Failed to pull image "registry.k8s.io/ingress-nginx/controller:v1.8.1": rpc error: code = DeadlineExceeded desc = failed to pull and unpack image: context deadline exceeded"#,
             facts: ["registry": "registry.k8s.io", "registry.google": "false", "failure": "deadline"]),
        Case(text: #"Back-off pulling image "mirror.gcr.io/library/busybox:1.36""#,
             facts: ["message": "image-pull-backoff", "registry": "mirror.gcr.io", "registry.google": "true"]),
        Case(text: "ml-pipeline-5c8d7b9f4-x2k7q   0/1     ImagePullBackOff   0          6m",
             facts: ["message": "image-pull-backoff", "registry": nil]),
        // VPC Service Controls.
        Case(text: #"ERROR: (gcloud.storage.ls) HTTPError 403: Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: 5nKQ8cH1xIY3tB2m9R4w"#,
             facts: ["message": "vpc-sc-denied", "vpcsc.id": "5nKQ8cH1xIY3tB2m9R4w", "failure": "forbidden",
                     "service_name": "storage.googleapis.com"]),
        Case(text: #"<?xml version='1.0' encoding='UTF-8'?><Error><Code>SecurityPolicyViolated</Code><Message>Request violates VPC Service Controls.</Message><Details>Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: Xq3LkP0vB7nR2sT6</Details></Error>"#,
             facts: ["message": "vpc-sc-denied", "vpcsc.id": "Xq3LkP0vB7nR2sT6", "service_name": "storage.googleapis.com"]),
        Case(text: #"Update call failed: error fetching live state: error reading underlying resource: summary: Error when reading or editing Container Cluster "projects/kf-prod-4412/locations/us-central1/clusters/kf-private": googleapi: Error 403: Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: AbC123xyz., forbidden"#,
             facts: ["message": "vpc-sc-denied", "project": "kf-prod-4412", "vpcsc.id": "AbC123xyz"]),
        Case(text: #"googleapi: Error 403: Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: QWERTY12 while calling https://container.googleapis.com/v1/projects/kf-prod-4412/locations/us-central1/clusters"#,
             facts: ["service_name": "container.googleapis.com", "project": "kf-prod-4412"]),
        // JWKS and IAP.
        Case(text: "Jwks remote fetch is failed", facts: ["message": "jwks-fetch-failed", "failure": "fetch-failed"]),
        Case(text: "2026-11-22T09:20:14.512340Z\twarn\tmodel\tFailed to GET from \"https://www.gstatic.com/iap/verify/public_key-jwk\": Get \"https://www.gstatic.com/iap/verify/public_key-jwk\": dial tcp 142.250.141.94:443: i/o timeout. Retry in 1s",
             facts: ["message": "jwks-fetch-failed", "host": "www.gstatic.com", "ip": "142.250.141.94", "port": "443", "failure": "timeout"]),
        Case(text: "2026-11-22T09:20:16.001200Z\tinfo\tmodel\tThe JWKS key is not yet fetched for issuer https://cloud.google.com/iap (https://www.gstatic.com/iap/verify/public_key-jwk), using a fake JWKS for now",
             facts: ["message": "jwks-fetch-failed", "failure": "fetch-failed", "host": "www.gstatic.com"]),
        Case(text: "Invalid IAP assertion: token has expired", facts: ["message": "jwks-fetch-failed", "failure": "invalid-assertion"]),
        // Legacy network, Config Connector, Cloud Endpoints.
        Case(text: "ERROR: (gcloud.container.clusters.create) ResponseError: code=400, message=IP aliases cannot be used with a legacy network.",
             facts: ["message": "legacy-network"]),
        Case(text: "reference ComputeNetwork kubeflow/kf-network is not found",
             facts: ["message": "kcc-dependency-not-ready", "failure": "not-found", "ref.kind": "ComputeNetwork"]),
        Case(text: #"time="2026-11-22T09:31:02Z" level=error msg="Failed to create endpoint" error="Post \"https://servicemanagement.googleapis.com/v1/services\": dial tcp 142.250.152.95:443: i/o timeout""#,
             facts: ["message": "cloud-endpoints-failed", "host": "servicemanagement.googleapis.com", "failure": "timeout"]),
    ]

    @Test(arguments: cases) func recognises(_ example: Case) throws {
        let found = MessageRecognizer.recognize(example.text)
        #expect(found.count == 1)
        let facts = try #require(found.first)
        for (name, expected) in example.facts {
            #expect(facts[name] == expected, "\(name)")
        }
    }

    @Test(arguments: [
        "Successfully assigned kubeflow/ml-pipeline-5c8d7b9f4-x2k7q to gke-kf-private-default-pool-3f9a6c2e-7h2k",
        #"Pulling image "gcr.io/ml-pipeline/api-server:2.0.5""#,
        "deployment.apps/ml-pipeline configured",
        "Release \"kserve\" has been upgraded. Happy Helming!",
        "webhook configured: validation.gatekeeper.sh",
        "Timeout: 30s",
    ])
    func ignoresOrdinaryLines(_ text: String) {
        #expect(MessageRecognizer.recognize(text).isEmpty)
    }
}

/// Shapes from the fourth round of field cases (kubernetes/ingress-nginx#1395, kubeflow/kubeflow#7161).
struct OlderAndRedactedShapesTests {
    @Test func aRedactedHostIsStillTheHost() throws {
        let url = try #require(ErrorText.url(in: #"Error (exit code 1): Post "https://<IPADDR>:443/apis/argoproj.io/v1alpha1/namespaces/a/workflowtaskresults": dial tcp <IPADDR>:443: i/o timeout"#))
        #expect(url.host == "<ipaddr>")
        #expect(url.port == "443")
        #expect(url.path == "/apis/argoproj.io/v1alpha1/namespaces/a/workflowtaskresults")
        let found = MessageRecognizer.recognize(#"Post "https://<IPADDR>:443/apis/argoproj.io/v1alpha1/x": dial tcp <IPADDR>:443: i/o timeout"#)
        #expect(found.first?["message"] == "control-plane-endpoint-unreachable")
    }

    @Test func kubectlBefore19DescribesWithTabsAndABareBackendsKey() {
        let text = "Name:\t\t\tweb\nNamespace:\t\tdefault\nAnnotations:\n  backends:\t\t{\"k8s-be-30910--7b4223ab4c1af15d\":\"UNHEALTHY\"}\nEvents:\t<none>\n"
        let found = observations(text)
        let backend = found.first { $0.facts["message"] == "backend-health" }
        #expect(backend?.facts["health"] == "UNHEALTHY")
        #expect(backend?.facts["port"] == "30910")
        #expect(backend?.facts["object.name"] == "web")
        // A `backends:` line outside an object's annotations is not the controller's annotation.
        #expect(MessageRecognizer.recognize("backends: none configured").isEmpty)
    }
}

/// Aggregated APIs as the fourth of December's reports show them.
struct AggregatedAPIShapeTests {
    /// kubernetes#75788: discovery names every group that failed; each is one API.
    @Test func everyGroupDiscoveryListsIsOneAPI() {
        let found = MessageRecognizer.recognize(
            "error: unable to retrieve the complete list of server APIs: custom.metrics.k8s.io/v1beta1: the server is currently unable to handle the request, external.metrics.k8s.io/v1beta1: the server is currently unable to handle the request")
        #expect(found.map { $0["api"] } == ["custom.metrics.k8s.io/v1beta1", "external.metrics.k8s.io/v1beta1"])
        // A port inferred without a namespace still says how to confirm it.
        #expect(found.allSatisfy { $0["port_inferred"] != "true" || $0["confirm"] == "kubectl get apiservices" })
    }

    /// linkerd/linkerd2#3473: a `kubectl get apiservices` row names the API and its Service.
    @Test func anAPIServiceRowNamesItsService() throws {
        let facts = try #require(MessageRecognizer.recognize("v1alpha1.tap.linkerd.io   linkerd/linkerd-tap   False (FailedDiscoveryCheck)   97m").first)
        #expect(facts["api"] == "tap.linkerd.io/v1alpha1")
        #expect(facts["namespace"] == "linkerd")
        #expect(facts["service"] == "linkerd-tap")
        // The tap APIService's pods serve on 8089 (linkerd/linkerd2#7301), not the injector's 8443.
        #expect(facts["port"] == "8089")
        #expect(facts["confirm"]?.contains("linkerd-tap") == true)
    }
}

/// The fourth of December's second round: where the failing host is, and maps printed bare.
struct PulledHostAndBareMapTests {
    /// kubernetes/ingress-nginx#9151: registry.k8s.io sent the pull on to a region's Artifact
    /// Registry; that host, Google-served, is the path that matters.
    @Test func theLastURLOfAPullIsTheHostThatAnswered() throws {
        let text = #"Failed to pull image "registry.k8s.io/ingress-nginx/controller:v1.4.0": rpc error: code = Unknown desc = failed to pull and unpack image "registry.k8s.io/ingress-nginx/controller:v1.4.0": failed to resolve reference "registry.k8s.io/ingress-nginx/controller:v1.4.0": unexpected status from HEAD request to https://asia-southeast1-docker.pkg.dev/v2/k8s-artifacts-prod/images/ingress-nginx/controller/manifests/v1.4.0: 403 Forbidden"#
        let facts = try #require(MessageRecognizer.recognize(text).first)
        #expect(facts["registry"] == "registry.k8s.io")
        #expect(facts["host"] == "asia-southeast1-docker.pkg.dev")
        #expect(facts["registry.google"] == "true")
        let timeout = try #require(MessageRecognizer.recognize(#"Failed to pull image "registry.k8s.io/pause:3.9": rpc error: code = Unknown desc = failed to pull and unpack image "registry.k8s.io/pause:3.9": failed to resolve reference "registry.k8s.io/pause:3.9": failed to do request: Head "https://registry.k8s.io/v2/pause/manifests/3.9": dial tcp 34.96.108.209:443: i/o timeout"#).first)
        #expect(timeout["registry.google"] == "false")
    }

    /// kubeflow/community-distribution#593: the backends map echoed by a script under `bash -x`.
    @Test func aBackendsMapPrintedBareIsRead() {
        let found = MessageRecognizer.recognize(#"+ BACKENDS='{"k8s-be-30893--4295f5d0f52d5379":"HEALTHY","k8s-be-31798--4295f5d0f52d5379":"UNHEALTHY"}'"#)
        #expect(found.map { $0["health"] } == ["HEALTHY", "UNHEALTHY"])
        #expect(found.last?["port"] == "31798")
        #expect(MessageRecognizer.recognize(#"{"k8s-be-x": 1}"#).isEmpty)
    }

    /// FairwindsOps/goldilocks#825 and kubernetes/ingress-gce#931: get-health's state, the NEG readiness gate's event.
    @Test func getHealthAndTheNEGReadinessGate() throws {
        let state = try #require(MessageRecognizer.recognize("  - healthState: UNHEALTHY").first)
        #expect(state["health"] == "UNHEALTHY")
        #expect(state["backend"] == nil)
        #expect(MessageRecognizer.recognize("  - healthState: HEALTHY").isEmpty)
        let gate = try #require(MessageRecognizer.recognize("Waiting for pod to become healthy in at least one of the NEG(s): [k8s1-74b928a2-default-ww-api-8080-a3c1e454]").first)
        #expect(gate["backend"] == "k8s1-74b928a2-default-ww-api-8080-a3c1e454")
        #expect(gate["backend.kind"] == "neg")
        #expect(gate["service_port"] == "8080")
    }
}
