/// The GKE Ingress controller's per-backend health, `ingress.kubernetes.io/backends:
/// {"k8s1-…-kubeflow-istio-ingressgateway-80-…":"UNHEALTHY"}`: one message per backend, with
/// `health` HEALTHY, UNHEALTHY or Unknown (healthy backends are evidence the health checks get
/// through). A NEG backend (`k8s1-`) names the Service port; an instance-group backend
/// (`k8s-be-PORT--`) names the node port the health check dials. `kubectl describe` cuts an
/// annotation longer than 140 characters (`…"k8s1-…":"H...`), so the cut backend is passed over.
enum BackendHealthMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
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
