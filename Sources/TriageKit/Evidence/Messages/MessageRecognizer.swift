/// Turns one error message (a kubectl/helm/kfctl line, an event message, a condition message) into
/// the facts rules match: `message` names the class, `failure` how it failed, and the class's own
/// facts (webhook, registry, vpcsc.id, …). A message belongs to one class; the most specific wins
/// (a VPC Service Controls denial inside a Config Connector update error is a VPC-SC denial).
public enum MessageRecognizer {
    /// The classes in the order they are tried.
    static let recognizers: [@Sendable (String) -> [[String: String]]?] = [
        VPCServiceControlsMessage.recognize,
        WebhookMessage.recognize,
        AggregatedAPIMessage.recognize,
        ControlPlaneTunnelMessage.recognize,
        ImagePullMessage.recognize,
        JWKSMessage.recognize,
        LegacyNetworkMessage.recognize,
        ConfigConnectorMessage.recognize,
        BackendHealthMessage.recognize,
        CloudEndpointsMessage.recognize,
    ]

    /// The facts of each message recognised in `text` (one line, colour codes already removed);
    /// empty when it is none of them. Most texts hold one message; an Ingress backends annotation
    /// holds one per unhealthy backend.
    public static func recognize(_ text: String) -> [[String: String]] {
        guard text.count >= 8 else { return [] }
        for recognizer in recognizers {
            if let found = recognizer(text) { return found }
        }
        return []
    }
}

/// `failed calling webhook "NAME": failed to call webhook: Post "https://SVC.NS.svc:443/PATH?timeout=10s":
/// dial tcp 10.4.1.5:8443: i/o timeout`, its older unquoted form, conversion webhooks, and every
/// ending (deadline, Client.Timeout, refused, EOF, no endpoints).
enum WebhookMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        var facts: [String: String] = ["message": "webhook-call-failed"]
        if let name = ErrorText.quoted(after: "failed calling webhook", in: text) {
            facts["webhook"] = name
        } else if let name = ErrorText.word(after: "conversion webhook for ", in: text, stops: [" "]) {
            guard text.contains(" failed") else { return nil }
            facts["webhook"] = "conversion " + name.trimmingCharacters(in: [","])
        } else if !text.contains("failed calling webhook") && !text.contains("failed to call webhook") {
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
        WebhookPort.infer(into: &facts, name: facts["webhook"])
        return [facts]
    }
}

/// Fills `port` when the text did not say which pod port was dialled: from the well-known
/// webhooks, else the Service port in the URL (the targetPort often equals it). Either way the
/// port is marked inferred and `confirm` holds the command that shows the real one.
enum WebhookPort {
    static func infer(into facts: inout [String: String], name: String?) {
        guard facts["port"] == nil else { return }
        let known = WellKnownWebhooks.entry(webhook: name, service: facts["service"], namespace: facts["namespace"])
        if let known {
            facts["port"] = String(known.port)
            facts["port_source"] = known.project
        } else if let servicePort = facts["service_port"] {
            facts["port"] = servicePort
            facts["port_source"] = "the Service port in the URL"
        } else {
            return
        }
        facts["port_inferred"] = "true"
        let namespace = facts["namespace"] ?? known?.namespace ?? "<NAMESPACE>"
        let service = facts["service"] ?? known?.services.first ?? "<SERVICE>"
        facts["confirm"] = "kubectl get endpoints -n \(namespace) \(service)"
    }
}

/// Aggregated APIs (metrics-server, KEDA, prometheus-adapter) the API server cannot reach:
/// APIService `FailedDiscoveryCheck` (`failing or missing response from https://IP:PORT/apis/G/V`),
/// `the server is currently unable to handle the request (get pods.metrics.k8s.io)`, and
/// discovery's `couldn't get resource list for G/V: …`.
enum AggregatedAPIMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let discovery = text.contains("failing or missing response from") || text.contains("FailedDiscoveryCheck")
        let unavailable = text.contains("the server is currently unable to handle the request")
        guard discovery || unavailable else { return nil }
        var facts: [String: String] = ["message": "aggregated-api-unavailable"]
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
        WebhookPort.infer(into: &facts, name: group)
        return [facts]
    }
}

/// The API server's own tunnel to the nodes is down (`kubectl logs/exec/port-forward` fail):
/// SSH tunnels on old private clusters need tcp:22 from the control plane; a request that did not
/// complete within the API server's timeout is usually a webhook that never answered.
enum ControlPlaneTunnelMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        if text.contains("No SSH tunnels currently open") {
            var facts = ["message": "ssh-tunnels-down", "failure": "timeout", "port": "22"]
            if let user = ErrorText.quoted(after: "ssh-key for user", in: text) { facts["user"] = user }
            return [facts]
        }
        if text.contains("Timeout: request did not complete within requested timeout") {
            return [["message": "request-timeout", "failure": ErrorText.failure(in: text) ?? "timeout"]]
        }
        return nil
    }
}

/// A request stopped by a VPC Service Controls perimeter, in the JSON/gRPC wording
/// (`Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: ID`) or
/// Cloud Storage's XML (`<Code>SecurityPolicyViolated</Code>`).
enum VPCServiceControlsMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let json = text.contains("vpcServiceControlsUniqueIdentifier") || text.contains("prohibited by organization's policy")
        let xml = text.contains("SecurityPolicyViolated") || text.contains("violates VPC Service Controls")
        guard json || xml else { return nil }
        var facts = ["message": "vpc-sc-denied", "failure": "forbidden"]
        if let id = ErrorText.word(after: "vpcServiceControlsUniqueIdentifier:", in: text, stops: ["<", "\"", ",", "."]) {
            facts["vpcsc.id"] = id
        }
        if let url = ErrorText.url(in: text) {
            facts["host"] = url.host
            facts["service_name"] = serviceName(host: url.host)
        } else if xml {
            // Only Cloud Storage answers in XML.
            facts["service_name"] = "storage.googleapis.com"
        }
        if facts["service_name"] == nil, let service = knownServiceName(in: text) { facts["service_name"] = service }
        if let project = ErrorText.project(in: text) { facts["project"] = project }
        return [facts]
    }

    /// The API a host belongs to, as VPC-SC names restricted services.
    static func serviceName(host: String) -> String {
        if host == "gcr.io" || host.hasSuffix(".gcr.io") { return "containerregistry.googleapis.com" }
        if host.hasSuffix(".pkg.dev") { return "artifactregistry.googleapis.com" }
        if host.hasSuffix("storage.googleapis.com") || host == "storage.cloud.google.com" { return "storage.googleapis.com" }
        return host
    }

    static func knownServiceName(in text: String) -> String? {
        guard let range = text.range(of: ".googleapis.com") else { return nil }
        let name = text[..<range.lowerBound].reversed().prefix { $0.isLetter || $0.isNumber || $0 == "-" }
        return name.isEmpty ? nil : String(name.reversed()) + ".googleapis.com"
    }
}
