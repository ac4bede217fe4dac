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
        facts["confirm"] = ShellCommand("kubectl get endpoints -n").adding(.value(namespace, [])).adding(.value(service, [])).rendered
    }
}
