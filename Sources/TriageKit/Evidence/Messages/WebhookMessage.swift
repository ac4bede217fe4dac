/// `failed calling webhook "NAME": failed to call webhook: Post "https://SVC.NS.svc:443/PATH?timeout=10s":
/// dial tcp 10.4.1.5:8443: i/o timeout`, its older unquoted form, conversion webhooks, and every
/// ending (deadline, Client.Timeout, refused, EOF, no endpoints).
enum WebhookMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        // cert-manager before 0.12 served its webhook as an aggregated API: the APIService's
        // unavailability is the aggregated-API message, read by that recogniser.
        if text.includes("the server is currently unable to handle the request") { return nil }
        var facts: [String: String] = ["message": "webhook-call-failed"]
        if let name = ErrorText.quoted(after: "failed calling webhook", in: text)
            ?? ErrorText.quoted(after: "Failed calling webhook", in: text)
            ?? ErrorText.quoted(after: "failed calling admission webhook", in: text)
        {
            facts["webhook"] = name
        } else if let name = ErrorText.word(after: "conversion webhook for ", in: text, stops: [" "]) {
            guard text.includes(" failed") else { return nil }
            facts["webhook"] = "conversion " + name.trimmingCharacters(in: [","])
        } else if !text.includes("failed calling webhook") && !text.includes("failed to call webhook")
            && !isBareWebhookCall(text)
        {
            return nil
        }
        let anchor = text.range(of: "webhook")?.upperBound
        if let url = ErrorText.url(in: text, after: anchor) {
            let labels = url.host.split(separator: ".")
            if labels.count >= 3, labels[2] == "svc" {
                facts["service"] = String(labels[0])
                facts["namespace"] = String(labels[1])
            } else {
                facts["host"] = url.host
            }
            if let port = url.port { facts["service_port"] = port }
            facts["path"] = url.path
        }
        if let dial = ErrorText.dial(in: text) {
            if let ip = dial.ip { facts["ip"] = ip }
            if let port = dial.port { facts["port"] = port }
        }
        // GKE's own webhooks (`warden-mutating.common-webhooks.networking.gke.io`, called at
        // `https://localhost:5443/…`) are served beside the API server, not by pods of the cluster.
        if let host = facts["host"], ImageReference.isLocal(host) || (facts["webhook"] ?? "").hasSuffix(".gke.io") {
            facts["webhook.served_by"] = "control-plane"
        } else if (facts["webhook"] ?? "").hasSuffix(".gke.io"), facts["service"] == nil {
            facts["webhook.served_by"] = "control-plane"
        }
        facts["failure"] = ErrorText.failure(in: text) ?? "unknown"
        // The certificate's complaint (`certificate is valid for a, b, not c`), for a TLS failure.
        if facts["failure"] == "tls", let x509 = text.range(of: "x509: ") {
            facts["tls_error"] = TextLine.capped(String(text[x509.upperBound...]).trimmingCharacters(in: .whitespaces), limit: 300)
        }
        if let service = ErrorText.quoted(after: "no endpoints available for service", in: text) {
            facts["service"] = facts["service"] ?? service
        }
        WebhookPort.infer(into: &facts, name: facts["webhook"], text: text)
        return [facts]
    }

    /// The API server's own log of a webhook call, without the words "webhook" (`Post
    /// https://svc.ns.svc:443/admission-prometheusrules/mutate?timeout=30s: net/http: request
    /// canceled …`): an in-cluster Service URL whose path is an admission verb, failing to connect.
    static func isBareWebhookCall(_ text: String) -> Bool {
        guard text.includes(".svc"), let url = ErrorText.url(in: text) else { return false }
        let labels = url.host.split(separator: ".")
        guard labels.count >= 3, labels[2] == "svc" else { return false }
        let path = url.path.lowercased()
        guard ["mutate", "validate", "admission", "inject", "convert"].contains(where: { path.includes($0) }) else { return false }
        return ErrorText.failure(in: text).map { ["timeout", "deadline", "refused", "unreachable", "no-endpoints"].contains($0) } ?? false
    }
}
