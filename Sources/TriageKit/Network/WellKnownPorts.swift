/// What usually listens on a port that a GKE control plane or a load balancer dials. The ports are
/// the *pod target ports*: with aggregator routing the API server dials the pod, not the Service.
/// Sources: each project's chart or manifest (Service targetPort), checked 2026-11.
public enum WellKnownPorts {
    public static let listeners: [Int: [String]] = [
        22: ["SSH"],
        443: ["metrics-server (GKE's own)", "webhooks serving on 443 (old KFServing, Katib v1alpha2)"],
        3389: ["RDP"],
        4443: ["metrics-server before v0.6", "Kubeflow PodDefaults admission-webhook"],
        6443: ["KEDA metrics API server", "prometheus-adapter", "cert-manager webhook before v0.12"],
        8080: ["Vault agent injector"],
        8443: [
            "OPA Gatekeeper", "ingress-nginx admission", "Tekton Pipelines webhook", "Knative Serving webhook",
            "Katib controller", "Kubeflow Pipelines cache-server", "Linkerd proxy-injector",
        ],
        9443: [
            "Kyverno", "KEDA admission webhooks", "KServe controller",
            "kubebuilder/controller-runtime operators (OpenTelemetry operator, ECK, Kubeflow Trainer)",
        ],
        10250: ["kubelet", "cert-manager webhook (v0.12+)", "metrics-server (v0.6+)", "Managed Prometheus operator"],
        10256: ["kube-proxy health check (externalTrafficPolicy: Cluster)"],
        15017: ["Istio istiod (sidecar injector and validation)"],
    ]

    /// A short phrase for messages: "OPA Gatekeeper, ingress-nginx admission, …" or a fallback.
    public static func describe(_ port: Int) -> String {
        guard let names = listeners[port] else { return "no well-known webhook; check your webhook Services' targetPort" }
        if names.count <= 3 { return names.joined(separator: ", ") }
        return names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
    }
}
