/// The pod port a failed webhook or aggregated-API call needed, when the error did not show the
/// dial (`dial tcp 10.4.1.5:8443`). The Service port in the URL is never taken for it: GKE's API
/// server calls the endpoint, the pod on the Service's targetPort. The port comes from the
/// webhook catalogue (product by webhook name, Service name or API group; range by Service name
/// and a version in the text); when no single port remains it stays unknown and the candidates are
/// listed. Either way `confirm` holds the command that shows the real one.
///
/// Facts: `port` + `port_inferred` + `port_source`, or `port_unknown`; `product`,
/// `port_candidates` (`tcp:15017 (1.5 and later (istiod)), …`), `confirm`.
enum WebhookPort {
    /// `confirmWithout`: the command that shows the port's owner when the namespace is not known
    /// (`kubectl get apiservices` names each APIService's Service).
    static func infer(into facts: inout [String: String], name: String?, apiGroup: String? = nil, text: String,
                      confirmWithout: String = "kubectl get endpoints --all-namespaces") {
        guard facts["port"] == nil else { return }
        let resolution = WebhookCatalogue.builtIn.resolve(
            webhook: name, service: facts["service"], namespace: facts["namespace"], apiGroup: apiGroup, text: text)
        if let resolution {
            facts["product"] = resolution.product
            if let version = resolution.version { facts["product_version"] = version }
            if let port = resolution.port {
                facts["port"] = String(port)
                facts["port_inferred"] = "true"
                facts["port_source"] = describe(resolution.product, resolution.candidates.map(\.versions).joined(separator: "; "))
                    + (resolution.version.map { ", the version " + $0 + " in the text" } ?? "")
            } else {
                var seen: Set<Int> = []
                facts["port_candidates"] = resolution.candidates.filter { seen.insert($0.port).inserted }
                    .map { "tcp:\($0.port) (\($0.versions))" }.joined(separator: ", ")
            }
        }
        if facts["port"] == nil { facts["port_unknown"] = "true" }
        if facts["namespace"] == nil, let namespace = resolution?.namespace { facts["namespace"] = namespace }
        if facts["service"] == nil, let service = resolution?.service { facts["service"] = service }
        // Without the Service's name, every endpoint in the namespace (the webhook's among them).
        guard let namespace = facts["namespace"] else {
            if facts["port_inferred"] == "true" { facts["confirm"] = confirmWithout }
            return
        }
        var confirm = ShellCommand("kubectl get endpoints -n").adding(.value(namespace, []))
        if let service = facts["service"] {
            // Only the pods' ports, which is what the firewall rule needs.
            confirm = confirm.adding(.value(service, [])).adding(literal: "-o").adding(literal: "jsonpath={.subsets[*].ports[*].port}")
        }
        facts["confirm"] = confirm.rendered
    }

    /// "Istio 1.5 and later (istiod)", "Vault agent injector", "a kubebuilder operator (its default)".
    static func describe(_ product: String, _ versions: String) -> String {
        if versions == "all" || product.hasSuffix(" " + versions) { return product }
        let first = versions.first.map { $0.isNumber || $0 == "v" } ?? false
        return first || versions.hasPrefix("before") || versions.hasPrefix("charts") ? product + " " + versions
            : product + " (" + versions + ")"
    }
}
