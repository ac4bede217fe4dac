/// Admission webhooks and aggregated APIs that Kubeflow and common add-ons install, with the pod
/// port the API server dials (the Service's targetPort). An error that names only the webhook or
/// its Service (`failed calling webhook "validation.gatekeeper.sh": … context deadline exceeded`)
/// still says which port the control plane needs; the port is reported as inferred, with the
/// command that confirms it. Sources: each project's chart or manifests, checked 2026-11.
public enum WellKnownWebhooks {
    public struct Entry: Sendable {
        /// Who installs it, with the versions the port applies to.
        public var project: String
        /// Webhook names end with one of these (`rev.validation.istio.io` ends with `istio.io`).
        public var webhookSuffixes: [String]
        /// Service names (in any namespace) that front it.
        public var services: [String]
        public var namespace: String
        public var port: Int
    }

    public static let entries: [Entry] = [
        Entry(project: "Istio 1.6+ (istiod)", webhookSuffixes: ["istio.io"], services: ["istiod"],
              namespace: "istio-system", port: 15017),
        Entry(project: "OPA Gatekeeper 3.x", webhookSuffixes: ["gatekeeper.sh"],
              services: ["gatekeeper-webhook-service"], namespace: "gatekeeper-system", port: 8443),
        Entry(project: "Kyverno 1.x", webhookSuffixes: ["kyverno.svc", "kyverno.svc-fail", "kyverno.svc-ignore"],
              services: ["kyverno-svc"], namespace: "kyverno", port: 9443),
        Entry(project: "cert-manager v0.12+", webhookSuffixes: ["cert-manager.io"], services: ["cert-manager-webhook"],
              namespace: "cert-manager", port: 10250),
        Entry(project: "KServe 0.7+", webhookSuffixes: ["kserve-webhook-server.defaulter", "kserve-webhook-server.validator",
              "kserve-webhook-server.pod-mutator", "serving.kserve.io"],
              services: ["kserve-webhook-server-service"], namespace: "kubeflow", port: 9443),
        Entry(project: "KFServing (before KServe)", webhookSuffixes: ["kfserving-webhook-server.defaulter",
              "kfserving-webhook-server.validator", "kfserving-webhook-server.pod-mutator"],
              services: ["kfserving-webhook-server-service"], namespace: "kubeflow", port: 443),
        Entry(project: "Knative Serving", webhookSuffixes: ["serving.knative.dev"], services: ["webhook"],
              namespace: "knative-serving", port: 8443),
        Entry(project: "Tekton Pipelines", webhookSuffixes: ["pipeline.tekton.dev"], services: ["tekton-pipelines-webhook"],
              namespace: "tekton-pipelines", port: 8443),
        Entry(project: "ingress-nginx", webhookSuffixes: ["nginx.ingress.kubernetes.io"],
              services: ["ingress-nginx-controller-admission"], namespace: "ingress-nginx", port: 8443),
        Entry(project: "Katib (Kubeflow)", webhookSuffixes: ["katib.kubeflow.org"], services: ["katib-controller"],
              namespace: "kubeflow", port: 8443),
        Entry(project: "Kubeflow Pipelines cache-server", webhookSuffixes: ["cache-server.kubeflow.org"],
              services: ["cache-server"], namespace: "kubeflow", port: 8443),
        Entry(project: "Kubeflow PodDefaults admission-webhook", webhookSuffixes: ["poddefaults.kubeflow.org",
              "admission-webhook-deployment.kubeflow.org"],
              services: ["admission-webhook-service"], namespace: "kubeflow", port: 4443),
        Entry(project: "Kubeflow Trainer / training-operator", webhookSuffixes: ["trainer.kubeflow.org",
              "training-operator.kubeflow.org"],
              services: ["training-operator", "kubeflow-trainer-controller-manager"], namespace: "kubeflow", port: 9443),
        Entry(project: "Linkerd 2.x", webhookSuffixes: ["linkerd.io"], services: ["linkerd-proxy-injector", "linkerd-sp-validator"],
              namespace: "linkerd", port: 8443),
        Entry(project: "Vault agent injector", webhookSuffixes: ["vault.hashicorp.com"], services: ["vault-agent-injector-svc"],
              namespace: "vault", port: 8080),
        Entry(project: "KEDA 2.x admission webhooks", webhookSuffixes: ["keda.sh"], services: ["keda-admission-webhooks"],
              namespace: "keda", port: 9443),
        Entry(project: "Google Managed Prometheus operator", webhookSuffixes: ["monitoring.googleapis.com"],
              services: ["gmp-operator"], namespace: "gmp-system", port: 10250),
        Entry(project: "ECK (Elastic operator)", webhookSuffixes: ["k8s.elastic.co"], services: ["elastic-webhook-server"],
              namespace: "elastic-system", port: 9443),
        Entry(project: "KEDA / prometheus-adapter metrics API", webhookSuffixes: ["external.metrics.k8s.io",
              "custom.metrics.k8s.io"], services: ["keda-operator-metrics-apiserver", "prometheus-adapter"],
              namespace: "keda", port: 6443),
    ]

    /// The entry for a webhook (or APIService) name, else for a Service name. A Service called
    /// `webhook` only means Knative in `knative-serving`.
    public static func entry(webhook: String?, service: String?, namespace: String?) -> Entry? {
        if let webhook = webhook?.lowercased() {
            for entry in entries where entry.webhookSuffixes.contains(where: { webhook == $0 || webhook.hasSuffix("." + $0) }) {
                return entry
            }
        }
        if let service = service?.lowercased() {
            for entry in entries where entry.services.contains(service) {
                if service == "webhook" && namespace != entry.namespace { continue }
                return entry
            }
        }
        return nil
    }
}
