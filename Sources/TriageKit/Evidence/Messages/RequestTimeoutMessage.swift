/// A request that did not complete within the API server's timeout (or a 504 from it): usually a
/// webhook that never answered, named when the request's API group belongs to a known one.
enum RequestTimeoutMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
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
