/// Load balancing health check logs (`logs/compute.googleapis.com%2Fhealthchecks`, written when a
/// health check has logging on): each entry is one endpoint's health changing, in
/// `jsonPayload.healthCheckProbeResult` — `healthState` (HEALTHY, UNHEALTHY), `detailedHealthState`
/// (TIMEOUT, …), `targetIp`, `targetPort`, `probeSourceIp` (Google's checkers, 35.191.0.0/16 and
/// 130.211.0.0/22) and `probeResultText` (`HTTP response: , Error: Connection refused`), on a
/// `gce_network_endpoint_group` or `gce_instance_group` resource (kubernetes/ingress-gce#18).
/// These entries carry no message, so the recognisers never saw them: they were read and counted
/// as no evidence.
enum HealthCheckLog {
    static func isProbeResult(_ json: [String: Any]) -> Bool { json["healthCheckProbeResult"] is [String: Any] }

    /// The endpoint's health as `backend-health` facts; nil when the entry says no state.
    static func facts(_ json: [String: Any], resourceType: String?) -> [String: String]? {
        guard let probe = json["healthCheckProbeResult"] as? [String: Any],
            let health = (probe["healthState"] as? String)?.uppercased(), health == "HEALTHY" || health == "UNHEALTHY"
        else { return nil }
        var facts = ["message": "backend-health", "health": health]
        switch resourceType {
        case "gce_network_endpoint_group": facts["backend.kind"] = "neg-endpoint"
        case "gce_instance_group": facts["backend.kind"] = "instance-group"
        default: break
        }
        // Addresses and ports only in their shapes: they reach the finding and its commands.
        if let ip = probe["targetIp"] as? String, IPAddress(ip) != nil { facts["ip"] = ip }
        if let port = probe["targetPort"].flatMap({ ErrorText.validPort("\($0)") }) { facts["port"] = port }
        if let source = probe["probeSourceIp"] as? String, IPAddress(source) != nil { facts["probe_source"] = source }
        guard health == "UNHEALTHY" else { return facts }
        let result = (probe["probeResultText"] as? String) ?? ""
        let detailed = (probe["detailedHealthState"] as? String)?.uppercased() ?? ""
        facts["failure"] = result.lowercased().contains("connection refused") ? "refused"
            : detailed == "TIMEOUT" || result.lowercased().contains("timeout") ? "timeout" : "unhealthy"
        if !result.isEmpty { facts["probe_result"] = TextLine.capped(result, limit: 300) }
        return facts
    }
}
