/// The GKE Ingress controller's per-backend health, `ingress.kubernetes.io/backends:
/// {"k8s1-…-kubeflow-istio-ingressgateway-80-…":"UNHEALTHY"}`: one message per backend, with
/// `health` HEALTHY, UNHEALTHY or Unknown (healthy backends are evidence the health checks get
/// through). A NEG backend (`k8s1-`) names the Service port; an instance-group backend
/// (`k8s-be-PORT--`) names the node port the health check dials. `kubectl describe` cuts an
/// annotation longer than 140 characters (`…"k8s1-…":"H...`), so the cut backend is passed over.
enum BackendHealthMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        if let found = healthState(text) ?? negNotReady(text) { return [found] }
        // Before Kubernetes 1.9 the GCE ingress controller wrote the key bare: `backends:\t{"k8s-be-…":"UNHEALTHY"}`.
        // The map alone, wherever a script printed it (kubeflow's backend-updater under `bash -x`:
        // `+ BACKENDS='{"k8s-be-31798--…":"UNHEALTHY"}'`, kubeflow/community-distribution#593).
        guard let annotation = text.range(of: "ingress.kubernetes.io/backends")
            ?? (text.drop { $0 == " " || $0 == "\t" }.hasPrefix("backends:") ? text.range(of: "backends:") : nil)
            ?? Self.bareMap(in: text)
        else { return nil }
        var found: [[String: String]] = []
        var rest = text[annotation.upperBound...]
        while let open = rest.firstIndex(of: "\"") {
            let afterOpen = rest[rest.index(after: open)...]
            guard let close = afterOpen.firstIndex(of: "\"") else { break }
            let backend = String(afterOpen[..<close])
            var tail = afterOpen[afterOpen.index(after: close)...]
            guard tail.hasPrefix(":\"") else { rest = tail; continue }
            tail = tail.dropFirst(2)
            let health = String(tail.prefix { $0 != "\"" })
            guard health.count < tail.count else { break }  // cut off by kubectl: no closing quote
            rest = tail.dropFirst(health.count + 1)
            var facts = ["message": "backend-health", "backend": backend, "health": health]
            if health == "UNHEALTHY" { facts["failure"] = "unhealthy" }
            let parts = backend.split(separator: "-", omittingEmptySubsequences: false)
            if backend.hasPrefix("k8s-be-"), parts.count > 2, let port = ErrorText.validPort(String(parts[2])) {
                facts["port"] = port
                facts["backend.kind"] = "instance-group"
            } else if backend.hasPrefix("k8s1-"), parts.count >= 5 {
                facts["backend.kind"] = "neg"
                if let port = ErrorText.validPort(String(parts[parts.count - 2])) { facts["service_port"] = port }
            }
            found.append(facts)
        }
        return found.isEmpty ? nil : found
    }

    /// `gcloud compute backend-services get-health`'s `healthState: UNHEALTHY` (YAML or JSON, one
    /// endpoint each; FairwindsOps/goldilocks#825): an unhealthy endpoint of a backend service the
    /// line does not name.
    static func healthState(_ text: String) -> [String: String]? {
        var line = Substring(TextLine.trimmingBlanks(text))
        if line.hasPrefix("- ") { line = line.dropFirst(2) }
        guard line == "healthState: UNHEALTHY" || line.hasPrefix("\"healthState\": \"UNHEALTHY\"") else { return nil }
        return ["message": "backend-health", "health": "UNHEALTHY", "failure": "unhealthy", "backend.kind": "backend-service"]
    }

    /// The NEG readiness gate's event: `LoadBalancerNegNotReady … Waiting for pod to become healthy
    /// in at least one of the NEG(s): [k8s1-…]` (kubernetes/ingress-gce#931): the load balancer's
    /// health check has not passed for the pod, in the NEG named.
    static func negNotReady(_ text: String) -> [String: String]? {
        guard let start = text.range(of: "Waiting for pod to become healthy in at least one of the NEG(s): [") else { return nil }
        let names = text[start.upperBound...].prefix { $0 != "]" }
        guard let neg = names.split(separator: " ").first.map(String.init), neg.hasPrefix("k8s1-") || neg.hasPrefix("k8s2-") else {
            return nil
        }
        var facts = ["message": "backend-health", "backend": neg, "health": "UNHEALTHY", "failure": "unhealthy", "backend.kind": "neg"]
        let parts = neg.split(separator: "-", omittingEmptySubsequences: false)
        if neg.hasPrefix("k8s1-"), parts.count >= 5, let port = ErrorText.validPort(String(parts[parts.count - 2])) { facts["service_port"] = port }
        return facts
    }

    /// Where a backends map starts in text that does not name the annotation: `{"k8s-be-` or
    /// `{"k8s1-` with a health value after the name.
    static func bareMap(in text: String) -> Range<String.Index>? {
        for opening in ["{\"k8s-be-", "{\"k8s1-"] {
            guard let found = text.range(of: opening) else { continue }
            let rest = text[found.upperBound...]
            guard let close = rest.firstIndex(of: "\"") else { continue }
            let value = rest[close...]
            if value.hasPrefix("\":\"HEALTHY\"") || value.hasPrefix("\":\"UNHEALTHY\"") || value.hasPrefix("\":\"Unknown\"") {
                return found.lowerBound..<text.index(after: found.lowerBound)
            }
        }
        return nil
    }
}
