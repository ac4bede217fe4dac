/// `failed calling webhook "NAME": failed to call webhook: Post "https://SVC.NS.svc:443/PATH?timeout=10s":
/// dial tcp 10.4.1.5:8443: i/o timeout`, its older unquoted form, conversion webhooks, and every
/// ending (deadline, Client.Timeout, refused, EOF, no endpoints).
enum WebhookMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        var facts: [String: String] = ["message": "webhook-call-failed"]
        if let name = ErrorText.quoted(after: "failed calling webhook", in: text) {
            facts["webhook"] = name
        } else if let name = ErrorText.word(after: "conversion webhook for ", in: text, stops: [" "]) {
            guard text.includes(" failed") else { return nil }
            facts["webhook"] = "conversion " + name.trimmingCharacters(in: [","])
        } else if !text.includes("failed calling webhook") && !text.includes("failed to call webhook") {
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
        facts["failure"] = ErrorText.failure(in: text) ?? "unknown"
        if let service = ErrorText.quoted(after: "no endpoints available for service", in: text) {
            facts["service"] = facts["service"] ?? service
        }
        WebhookPort.infer(into: &facts, name: facts["webhook"], text: text)
        return [facts]
    }
}
