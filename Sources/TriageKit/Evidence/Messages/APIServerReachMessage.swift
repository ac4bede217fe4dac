/// Paths between a client, the API server and the kubelets that failed in the network, from the
/// wording of client-go, kubectl and the API server:
/// - the API server could not dial a kubelet (`kubectl exec/logs/port-forward`): `error dialing
///   backend: dial tcp 10.240.0.22:10250: i/o timeout`, `Get "https://IP:10250/containerLogs/…":
///   dial tcp IP:10250: i/o timeout` → `kubelet-unreachable`;
/// - a client (kubectl, helm, terraform, a CI job) could not reach the API server itself:
///   `Get "https://10.3.0.50/api?timeout=32s": dial tcp 10.3.0.50:443: i/o timeout`, `Unable to
///   connect to the server: …`, `net/http: TLS handshake timeout` → `control-plane-endpoint-unreachable`.
enum APIServerReachMessage {
    /// The kubelet's API paths the API server proxies to.
    static let kubeletPaths = ["/containerLogs/", "/exec/", "/attach/", "/portForward/", "/run/", "/logs/", "/stats/", "/metrics"]

    static func recognize(_ text: String) -> [[String: String]]? {
        let failure = ErrorText.failure(in: text)
        let dial = ErrorText.dial(in: text)
        let url = ErrorText.url(in: text)
        // Every ending is recognised (a kubelet's certificate error too); the rule takes the
        // network ones.
        // A proxy between the client and the API server (Lens's, a bastion's) says `error dialing
        // backend` too, dialling the API server's port: that is the endpoint, not a kubelet (lensapp/lens#2242).
        if let failure, text.includes("error dialing backend"), let port = dial?.port ?? ErrorText.dialedPort(in: text),
            port == "443" || port == "6443"
        {
            var facts = ["message": "control-plane-endpoint-unreachable", "failure": failure, "port": port]
            if let ip = dial?.ip { facts["ip"] = ip; facts["endpoint"] = ip }
            return [facts]
        }
        if let failure, text.includes("error dialing backend") || (url.map { u in kubeletPaths.contains { u.path.hasPrefix($0) } } ?? false)
        {
            var facts = ["message": "kubelet-unreachable", "failure": failure]
            if let ip = dial?.ip ?? url.flatMap({ IPAddress($0.host) != nil ? $0.host : nil }) { facts["ip"] = ip }
            facts["port"] = dial?.port ?? url?.port ?? "10250"
            return [facts]
        }
        return endpoint(text, failure: failure, dial: dial, url: url)
    }

    /// A client's request to the API server that failed before any answer.
    static func endpoint(_ text: String, failure: String?, dial: ErrorText.Dial?, url: ErrorText.URLParts?) -> [[String: String]]? {
        let lost = text.includes("http2: client connection lost")
        guard let failure = failure ?? (lost ? "eof" : nil),
            ["timeout", "deadline", "unreachable", "refused", "eof", "tls"].contains(failure)
        else { return nil }
        // A certificate the client does not trust is an answer: recognised, for the rule to pass over.
        let failureFact = failure == "tls" && text.includes("TLS handshake timeout") ? "timeout" : failure
        // client-go's discovery asks `/version` first (`argocd cluster add`, `kubectl version`): on
        // the API server's port that is the control plane too (argoproj/argo-cd#6554).
        let versionOn443 = text.includes("/version?")
            && (url.map { $0.path == "/version" && (dial?.port ?? $0.port ?? "443") == "443" } ?? false)
        // Discovery's other paths (`/openapi/v2`, Pulumi's schema load, pulumi-kubernetes#2365), and
        // the wrappers that say the target is the cluster's API (helm's and Pulumi's).
        let toAPI = versionOn443
            || (url.map { $0.path == "/api" || $0.path.hasPrefix("/api/") || $0.path.hasPrefix("/apis/") || $0.path == "/apis"
                || $0.path.hasPrefix("/openapi/") } ?? false)
            || text.includes("Kubernetes cluster unreachable") || text.includes("Kubernetes cluster is unreachable")
        // client-go's HTTP trace (`kubectl -v=6` and up): `Dial to tcp:172.16.0.2:443 failed: …`.
        let traced = text.includes("HTTP Trace: Dial to tcp:") && text.includes(" failed")
        // The Python client (Airflow's pod operators, Kubeflow's SDKs) through urllib3: the path
        // after the reason, the host inside it (`'Connection to HOST timed out. …')': /api/v1/…`, airflow#31387).
        let python = (text.includes("')': /api/") || text.includes("')': /apis/") || text.includes("with url: /api/")
            || text.includes("with url: /apis/")) && (text.includes("ConnectTimeoutError") || text.includes("NewConnectionError"))
        guard toAPI || traced || python || text.includes("Unable to connect to the server") else { return nil }
        // An in-cluster Service other than the API server's own (`kubernetes.default.svc`) is an
        // application's API, not the control plane.
        if let host = url?.host, host.includes(".svc"), !host.hasPrefix("kubernetes.default") { return nil }
        // Webhooks, aggregated APIs and kubelets are the API server's own calls, read elsewhere. A
        // client that reads webhook configurations from the API server (Istio's injector patching
        // `…/mutatingwebhookconfigurations/…`, knative/serving#3983) is a client all the same.
        if Self.webhookCallWords.contains(where: { text.includes($0) }) || text.includes("failing or missing response")
            || text.includes(":10250")
        {
            return nil
        }
        var facts = ["message": "control-plane-endpoint-unreachable", "failure": failureFact]
        if python {
            // urllib3 names the pool's host too: an application's Service or a Google API is not the control plane.
            if let pool = ErrorText.word(after: "ConnectionPool(host='", in: text, stops: ["'"]),
                (pool.includes(".svc") && !pool.hasPrefix("kubernetes.default")) || pool.hasSuffix("googleapis.com")
            {
                return nil
            }
            if url == nil, let host = ErrorText.word(after: "Connection to ", in: text, stops: [" "]), !host.isEmpty {
                facts["endpoint"] = host
            }
        }
        if let host = url?.host ?? dial?.ip { facts["endpoint"] = host }
        if let port = dial?.port ?? url?.port { facts["port"] = port }
        if let ip = dial?.ip ?? url.flatMap({ IPAddress($0.host) != nil ? $0.host : nil }) { facts["ip"] = ip }
        return [facts]
    }

    /// How the API server's own call to a webhook is worded: such a line is the webhook's failure.
    static let webhookCallWords = ["calling webhook", "call webhook", "admission webhook", "conversion webhook", "webhook call"]
}
