/// The API server's own tunnel to the nodes is down (`kubectl logs/exec/port-forward` fail):
/// SSH tunnels on old private clusters need tcp:22 from the control plane; a request that did not
/// complete within the API server's timeout is usually a webhook that never answered.
enum ControlPlaneTunnelMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        if text.includes("No SSH tunnels currently open") {
            var facts = ["message": "ssh-tunnels-down", "failure": "timeout", "port": "22"]
            if let user = ErrorText.quoted(after: "ssh-key for user", in: text) { facts["user"] = user }
            return [facts]
        }
        let timedOut = text.includes("Timeout: request did not complete within requested timeout")
        if timedOut || text.includes("the server responded with the status code 504") {
            // A write to an API group whose webhook a known product serves (networking.istio.io)
            // timed out: that webhook is the one that did not answer.
            if let group = ErrorText.requestGroup(in: text),
                let product = WebhookCatalogue.builtIn.product(webhook: nil, service: nil, namespace: nil, apiGroup: group)
            {
                var facts = ["message": "webhook-call-failed", "failure": "timeout", "api_group": group,
                             "webhook": product.webhooks.first ?? group]
                WebhookPort.infer(into: &facts, name: nil, apiGroup: group, text: text)
                return [facts]
            }
            return [["message": "request-timeout", "failure": ErrorText.failure(in: text) ?? "timeout"]]
        }
        return nil
    }
}
