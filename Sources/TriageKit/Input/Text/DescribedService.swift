/// A Service as `kubectl describe service` prints it (`Port: <unset> 443/TCP`, `TargetPort:
/// 8443/TCP`, `Endpoints: 10.1.0.168:8443`, once per port), kept so that a webhook or aggregated
/// API whose error names only the Service (`Post "https://webhook-server.webhook-demo.svc:443/…"`)
/// gets its pods' port from the Service described in the same paste (stackrox's webhook demo,
/// admission-controller-webhook-demo#6): the API server dials the targetPort, never the Service port.
struct DescribedService: Equatable {
    var name: String
    var namespace: String?
    /// Each Service port (nil when the line gave none) with the pods' port behind it: the
    /// targetPort when it is a number, else (a named port) the first endpoint's port.
    var ports: [(servicePort: String?, podPort: String)]

    static func == (a: DescribedService, b: DescribedService) -> Bool {
        a.name == b.name && a.namespace == b.namespace && a.ports.elementsEqual(b.ports) { $0 == $1 }
    }

    init?(_ object: DescribeObject) {
        guard object.kind == "Service", let name = object.name, !name.isEmpty else { return nil }
        self.name = name
        namespace = object.namespace
        var ports: [(String?, String)] = []
        var servicePort: String?
        var target: String?
        func close() {
            if let target { ports.append((servicePort, target)) }
            servicePort = nil
            target = nil
        }
        for entry in object.entries where entry.indent == 0 {
            switch entry.key {
            case "Port":
                close()
                servicePort = Self.number(entry.value.split(separator: " ").last.map(String.init))
            case "TargetPort":
                target = Self.number(entry.value)
            case "Endpoints":
                // A named targetPort (`http/TCP`): the endpoints show the number.
                if target == nil, let first = entry.value.split(separator: ",").first, let colon = first.lastIndex(of: ":") {
                    target = Self.number(String(first[first.index(after: colon)...]))
                }
            default:
                continue
            }
        }
        close()
        guard !ports.isEmpty else { return nil }
        self.ports = ports
    }

    /// `8443/TCP`, `443` → the port; nil for a name or anything out of range.
    static func number(_ value: String?) -> String? {
        guard let value else { return nil }
        let digits = value.prefix { $0 != "/" && $0 != " " }
        return ErrorText.validPort(String(digits))
    }

    /// The pods' port behind `servicePort` (443 when the URL gave none), or the only one there is.
    func podPort(servicePort: String?) -> String? {
        let wanted = servicePort ?? "443"
        if let match = ports.first(where: { $0.servicePort == wanted }) { return match.podPort }
        return ports.count == 1 ? ports[0].podPort : nil
    }

    /// Puts the pods' port of the Service a webhook or aggregated-API message names on it, when
    /// the message did not show the dial (the port was inferred from the catalogue or unknown):
    /// the Service the user described is better evidence than a product's usual port.
    static func resolvePort(_ facts: inout [String: String], from services: [DescribedService]) {
        guard facts["port_inferred"] == "true" || facts["port_unknown"] == "true", let name = facts["service"] else { return }
        let namespace = facts["namespace"]
        let candidates = services.filter { $0.name == name && (namespace == nil || $0.namespace == nil || $0.namespace == namespace) }
        guard let service = candidates.first, candidates.allSatisfy({ $0 == service }),
            let port = service.podPort(servicePort: facts["service_port"])
        else { return }
        facts["port"] = port
        facts["port_inferred"] = "true"
        facts["port_source"] = "the Service " + ([service.namespace, service.name].compactMap { $0 }.joined(separator: "/"))
            + " as described in the same input (its targetPort)"
        if facts["namespace"] == nil, let namespace = service.namespace { facts["namespace"] = namespace }
        for stale in ["port_unknown", "port_candidates"] { facts.removeValue(forKey: stale) }
    }
}
