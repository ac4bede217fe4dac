/// Kubeflow's cloud-endpoints-controller registers the IAP endpoint with Service Management; on a
/// private cluster without NAT or Private Google Access its calls time out.
enum CloudEndpointsMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let lower = text.lowercased()
        guard lower.includes("servicemanagement.googleapis.com") || lower.includes("servicecontrol.googleapis.com")
            || lower.includes("cloudendpoint") || lower.includes("cloud-endpoints-controller")
        else { return nil }
        guard let failure = ErrorText.failure(in: text) else { return nil }
        var facts = ["message": "cloud-endpoints-failed", "failure": failure]
        if let url = ErrorText.url(in: text) { facts["host"] = url.host }
        if let dial = ErrorText.dial(in: text) {
            if let ip = dial.ip { facts["ip"] = ip }
            if let port = dial.port { facts["port"] = port }
        }
        if let project = ErrorText.project(in: text) { facts["project"] = project }
        return [facts]
    }
}
