/// kubelet's image pull failures: `Failed to pull image "IMG": … dial tcp IP:443: i/o timeout`
/// (Docker and containerd wordings), `Back-off pulling image "IMG"`, and the bare
/// `ErrImagePull` / `ImagePullBackOff` states. The registry decides the cause: Google-served
/// registries ride Private Google Access, others need Cloud NAT or a mirror.
enum ImagePullMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        var facts: [String: String]
        if let image = ErrorText.quoted(after: "Failed to pull image", in: text)
            ?? ErrorText.quoted(after: "failed to pull and unpack image", in: text)
            ?? ErrorText.quoted(after: "failed to pull image", in: text)
        {
            facts = ["message": "image-pull-failed", "image": image]
            facts["failure"] = ErrorText.failure(in: text) ?? "unknown"
        } else if let image = ErrorText.quoted(after: "Back-off pulling image", in: text) {
            facts = ["message": "image-pull-backoff", "image": image, "failure": "backoff"]
        } else if containsWord(text, "ImagePullBackOff") || containsWord(text, "ErrImagePull") {
            facts = ["message": "image-pull-backoff", "failure": "backoff"]
        } else {
            return nil
        }
        if let image = facts["image"], let reference = ImageReference(image) {
            facts["registry"] = reference.registry
            facts["registry.google"] = ImageReference.isGoogleServed(reference.registry) ? "true" : "false"
        }
        if facts["message"] == "image-pull-failed" {
            if let url = ErrorText.url(in: text), url.host != facts["registry"] { facts["host"] = url.host }
            if let dial = ErrorText.dial(in: text) {
                if let ip = dial.ip { facts["ip"] = ip }
                if let port = dial.port { facts["port"] = port }
                if let name = dial.lookup { facts["host"] = name }
            }
        }
        return [facts]
    }

    static func containsWord(_ text: String, _ word: String) -> Bool {
        guard let range = text.range(of: word) else { return false }
        let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
        let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
        return !(before?.isLetter ?? false) && !(after?.isLetter ?? false)
    }
}

/// Istio and IAP token checks that cannot fetch their keys or reject the token: istio-proxy's
/// `Jwks remote fetch is failed` (istiod or the sidecar cannot reach www.googleapis.com /
/// www.gstatic.com without Cloud NAT), istiod's fetch errors naming the JWKS URL, and
/// `Invalid IAP assertion` / `Jwks doesn't have key to match kid` from the token itself.
enum JWKSMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let lower = text.lowercased()
        var facts = ["message": "jwks-fetch-failed"]
        if lower.contains("jwks remote fetch is failed") {
            facts["failure"] = ErrorText.failure(in: text) ?? "fetch-failed"
        } else if lower.contains("invalid iap") || lower.contains("iap assertion") {
            facts["failure"] = "invalid-assertion"
        } else if lower.contains("jwks doesn't have key") || lower.contains("jwks does not have key") {
            facts["failure"] = "key-mismatch"
        } else if lower.contains("jwk") || lower.contains("public key from") {
            guard let failure = ErrorText.failure(in: text) else { return nil }
            facts["failure"] = failure
        } else {
            return nil
        }
        if let url = ErrorText.url(in: text) {
            facts["host"] = url.host
            facts["url"] = "https://" + url.host + url.path
        }
        if let dial = ErrorText.dial(in: text) {
            if let ip = dial.ip { facts["ip"] = ip }
            if let port = dial.port { facts["port"] = port }
        }
        return [facts]
    }
}

/// GKE refuses VPC-native clusters on legacy (non-subnet) networks:
/// `IP aliases cannot be used with a legacy network`, and the other "legacy network" refusals.
enum LegacyNetworkMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        guard text.range(of: "legacy network", options: .caseInsensitive) != nil else { return nil }
        var facts = ["message": "legacy-network", "failure": "invalid"]
        if let network = ErrorText.word(after: "networks/", in: text, stops: ["/", "\"", "'", ",", ")", ":", ";"])
            ?? ErrorText.quoted(after: "network", in: text)
        {
            facts["network"] = network
        }
        if let project = ErrorText.project(in: text) { facts["project"] = project }
        return [facts]
    }
}

/// Config Connector's condition messages: `reference ComputeNetwork ns/name is not ready`
/// (DependencyNotReady) and `Update call failed: error applying desired state: … googleapi:
/// Error 403: Required 'compute.networks.create' permission for '…', forbidden` (UpdateFailed).
enum ConfigConnectorMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        if let reference = reference(in: text) {
            return [["message": "kcc-dependency-not-ready", "ref.kind": reference.kind, "ref.name": reference.name,
                     "failure": reference.missing ? "not-found" : "not-ready"]]
        }
        guard text.contains("Update call failed") || text.contains("Create call failed")
            || text.contains("error applying desired state") || text.contains("Delete call failed")
        else { return nil }
        var facts = ["message": "kcc-update-failed"]
        facts["failure"] = ErrorText.failure(in: text) ?? (text.contains("Error 400") ? "invalid" : "unknown")
        if let code = ErrorText.word(after: "googleapi: Error ", in: text, stops: [":", ","]) { facts["code"] = code }
        if let permission = text.range(of: "Required '").flatMap({ start in
            text[start.upperBound...].firstIndex(of: "'").map { String(text[start.upperBound..<$0]) }
        }) {
            facts["permission"] = permission
        }
        if let project = ErrorText.project(in: text) { facts["project"] = project }
        return [facts]
    }

    struct Reference {
        var kind: String
        var name: String
        var missing: Bool
    }

    /// `reference KIND NS/NAME is not ready` or `… is not found`.
    static func reference(in text: String) -> Reference? {
        guard let start = text.range(of: "reference ") else { return nil }
        let words = text[start.upperBound...].split(separator: " ", maxSplits: 4)
        guard words.count >= 4, words[0].first?.isUppercase == true, words[2] == "is" else { return nil }
        let state = words[3] + (words.count > 4 ? " " + words[4] : "")
        let notReady = state.hasPrefix("not ready")
        let missing = state.hasPrefix("not found")
        guard notReady || missing else { return nil }
        return Reference(kind: String(words[0]), name: String(words[1]), missing: missing)
    }
}

/// The GKE Ingress controller's per-backend health, `ingress.kubernetes.io/backends:
/// {"k8s1-…-kubeflow-istio-ingressgateway-80-…":"UNHEALTHY"}`: one message per unhealthy backend.
/// A NEG backend (`k8s1-`) names the Service port; an instance-group backend (`k8s-be-PORT--`)
/// names the node port the health check dials.
enum BackendHealthMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        guard text.contains("ingress.kubernetes.io/backends") || text.contains("\":\"UNHEALTHY\"") else { return nil }
        var found: [[String: String]] = []
        var rest = Substring(text)
        while let status = rest.range(of: "\":\"UNHEALTHY\"") {
            let before = rest[..<status.lowerBound]
            if let open = before.lastIndex(of: "\"") {
                let backend = String(before[before.index(after: open)...])
                var facts = ["message": "backend-unhealthy", "failure": "unhealthy", "backend": backend]
                let parts = backend.split(separator: "-", omittingEmptySubsequences: false)
                if backend.hasPrefix("k8s-be-"), parts.count > 2, let port = ErrorText.validPort(String(parts[2])) {
                    facts["port"] = port
                    facts["backend.kind"] = "instance-group"
                } else if backend.hasPrefix("k8s1-"), parts.count >= 5 {
                    facts["backend.kind"] = "neg"
                    if let port = ErrorText.validPort(String(parts[parts.count - 2])) { facts["service_port"] = port }
                    facts["service"] = parts[2..<(parts.count - 2)].joined(separator: "-")
                }
                found.append(facts)
            }
            rest = rest[status.upperBound...]
        }
        return found.isEmpty ? nil : found
    }
}

/// Kubeflow's cloud-endpoints-controller registers the IAP endpoint with Service Management; on a
/// private cluster without NAT or Private Google Access its calls time out.
enum CloudEndpointsMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let lower = text.lowercased()
        guard lower.contains("servicemanagement.googleapis.com") || lower.contains("servicecontrol.googleapis.com")
            || lower.contains("cloudendpoint") || lower.contains("cloud-endpoints-controller")
        else { return nil }
        guard let failure = ErrorText.failure(in: text) else { return nil }
        var facts = ["message": "cloud-endpoints-failed", "failure": failure]
        if let url = ErrorText.url(in: text) { facts["host"] = url.host }
        if let dial = ErrorText.dial(in: text) {
            if let ip = dial.ip { facts["ip"] = ip }
            if let port = dial.port { facts["port"] = port }
        }
        if let project = ErrorText.project(in: text) { facts["project"] = project }
        return [facts]
    }
}
