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
        // A `kubectl get apiservices` row: `v1alpha1.tap.linkerd.io  linkerd/linkerd-tap  False (FailedDiscoveryCheck)  97m`.
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        if words.count >= 4, words[2] == "False", let dot = words[0].firstIndex(of: "."), words[0].first == "v",
            words[1].filter({ $0 == "/" }).count == 1
        {
            let version = words[0][..<dot]
            facts["api"] = words[0][words[0].index(after: dot)...] + "/" + version
            let service = words[1].split(separator: "/")
            facts["namespace"] = String(service[0])
            facts["service"] = String(service[1])
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
        // Discovery lists every group/version that failed: `…server APIs: G1/V: the server is
        // currently unable to handle the request, G2/V: …` (kubernetes#75788), one API each.
        var listed: [String] = []
        if facts["api"] == nil, let start = text.range(of: "complete list of server APIs: ") {
            for piece in text[start.upperBound...].components(separatedBy: ", ") {
                guard let colon = piece.firstIndex(of: ":") else { continue }
                let name = piece[..<colon]
                if name.contains("/"), !name.contains(" "), !name.isEmpty { listed.append(String(name)) }
            }
            facts["api"] = listed.first
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
        let apis: [String?] = listed.count > 1 ? listed.map(Optional.some) : [facts["api"]]
        return apis.map { api in
            var one = facts
            one["api"] = api
            let group = api.map { String($0.split(separator: "/").first ?? "") }
            WebhookPort.infer(into: &one, name: group, text: text, confirmWithout: "kubectl get apiservices")
            return one
        }
    }
}
