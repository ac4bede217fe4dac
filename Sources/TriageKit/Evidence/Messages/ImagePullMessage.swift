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
            if let (namespace, pod) = podsTableRow(text) {
                facts["pod"] = pod
                if let namespace { facts["namespace"] = namespace }
            }
        } else {
            return nil
        }
        if let image = facts["image"], let reference = ImageReference(image) {
            facts["registry"] = reference.registry
            facts["registry.google"] = ImageReference.servedBy(reference.registry)
        }
        if facts["message"] == "image-pull-failed" {
            // The last URL of the chain is the one that failed: a registry redirects (registry.k8s.io
            // to a region's *.pkg.dev, kubernetes/ingress-nginx#9151; gcr.io to storage.googleapis.com).
            let last = text.range(of: "https://", options: .backwards) ?? text.range(of: "http://", options: .backwards)
            if let url = ErrorText.url(in: text, after: last?.lowerBound), url.host != facts["registry"] { facts["host"] = url.host }
            if let dial = ErrorText.dial(in: text) {
                if let ip = dial.ip { facts["ip"] = ip }
                if let port = dial.port { facts["port"] = port }
                if let name = dial.lookup { facts["host"] = name }
            }
            // Whether the path is Private Google Access or the internet is the host dialled, not the image's name.
            if let host = facts["host"], !host.hasPrefix("<") {
                facts["registry.google"] = ImageReference.servedBy(host)
            }
        }
        return [facts]
    }

    /// A `kubectl get pods` row (`[NAMESPACE] NAME READY STATUS RESTARTS AGE …`, `-o wide` too):
    /// the pod and its namespace, found by the READY column's `n/m` shape, not by the header.
    static func podsTableRow(_ text: String) -> (String?, String)? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).prefix(4)
        guard words.count >= 3 else { return nil }
        func isReady(_ word: Substring) -> Bool {
            let parts = word.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        }
        let index = words.startIndex
        if isReady(words[index + 1]) { return (nil, String(words[index])) }
        if isReady(words[index + 2]) { return (String(words[index]), String(words[index + 1])) }
        return nil
    }

    static func containsWord(_ text: String, _ word: String) -> Bool {
        guard let range = text.range(of: word) else { return false }
        let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
        let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
        return !(before?.isLetter ?? false) && !(after?.isLetter ?? false)
    }
}
