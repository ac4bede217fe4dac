/// Aggregated APIs (metrics-server, KEDA, prometheus-adapter) the API server cannot reach:
/// APIService `FailedDiscoveryCheck` (`failing or missing response from https://IP:PORT/apis/G/V`),
/// `the server is currently unable to handle the request (get pods.metrics.k8s.io)`, and
/// discovery's `couldn't get resource list for G/V: …`.
enum AggregatedAPIMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let discovery = text.includes("failing or missing response from") || text.includes("FailedDiscoveryCheck")
        let unavailable = text.includes("the server is currently unable to handle the request")
        // The API server's availability controller: `available_controller.go:311]
        // v1beta1.admission.certmanager.k8s.io failed with: Get https://IP:443: … Client.Timeout …`.
        let availability = text.includes("available_controller") && text.includes(" failed with: ")
        guard discovery || unavailable || availability else { return nil }
        var facts: [String: String] = ["message": "aggregated-api-unavailable"]
        if availability, let end = text.range(of: " failed with: ") {
            // The APIService's name is VERSION.GROUP, the last word before "failed with".
            let name = text[..<end.lowerBound].split(separator: " ").last ?? ""
            if let dot = name.firstIndex(of: "."), name.first == "v" { facts["api"] = String(name[name.index(after: dot)...]) }
        }
        let anchor = text.range(of: "failing or missing response from")?.lowerBound
        if let url = ErrorText.url(in: text, after: anchor) {
            if IPAddress(url.host) != nil {
                facts["ip"] = url.host
                if let port = url.port { facts["port"] = port }
            } else {
                let labels = url.host.split(separator: ".")
                if labels.count >= 3, labels[2] == "svc" {
                    facts["service"] = String(labels[0])
                    facts["namespace"] = String(labels[1])
                }
                if let port = url.port { facts["service_port"] = port }
            }
            if url.path.hasPrefix("/apis/") { facts["api"] = String(url.path.dropFirst("/apis/".count)) }
        }
        if let dial = ErrorText.dial(in: text) {
            if let ip = dial.ip { facts["ip"] = ip }
            if let port = dial.port { facts["port"] = port }
        }
        if facts["api"] == nil, let name = ErrorText.quoted(after: "failed calling admission webhook", in: text)
            ?? ErrorText.quoted(after: "failed calling webhook", in: text), let dot = name.firstIndex(of: ".")
        {
            // `issuers.admission.certmanager.k8s.io`: the webhook is served by that API group's APIService.
            facts["api"] = String(name[name.index(after: dot)...])
        }
        if facts["api"] == nil, let list = ErrorText.word(after: "complete list of server APIs: ", in: text, stops: [":", ","]) {
            facts["api"] = list
        }
        if facts["api"] == nil, let list = ErrorText.word(after: "resource list for ", in: text, stops: [":"]) {
            facts["api"] = list
        }
        if facts["api"] == nil, let open = text.range(of: "(get "), let close = text[open.upperBound...].firstIndex(of: ")") {
            // `pods.metrics.k8s.io` → resource `pods`, group `metrics.k8s.io`.
            let target = text[open.upperBound..<close]
            if let dot = target.firstIndex(of: ".") { facts["api"] = String(target[target.index(after: dot)...]) }
        }
        facts["failure"] = ErrorText.failure(in: text) ?? "unavailable"
        let group = facts["api"].map { String($0.split(separator: "/").first ?? "") }
        WebhookPort.infer(into: &facts, name: group, text: text)
        return [facts]
    }
}
