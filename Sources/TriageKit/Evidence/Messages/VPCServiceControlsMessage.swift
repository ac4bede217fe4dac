/// A request stopped by a VPC Service Controls perimeter, in the JSON/gRPC wording
/// (`Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: ID`) or
/// Cloud Storage's XML (`<Code>SecurityPolicyViolated</Code>`).
enum VPCServiceControlsMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let json = text.includes("vpcServiceControlsUniqueIdentifier") || text.includes("prohibited by organization's policy")
        let xml = text.includes("SecurityPolicyViolated") || text.includes("violates VPC Service Controls")
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
        if facts["service_name"] == nil, let service = knownServiceName(in: text) ?? gcloudServiceName(in: text) {
            facts["service_name"] = service
        }
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

    /// gcloud names its command group, not the API: `ERROR: (gcloud.storage.ls) …`; a `gs://` URI
    /// is Cloud Storage too.
    static func gcloudServiceName(in text: String) -> String? {
        if text.includes("gs://") { return "storage.googleapis.com" }
        guard let group = ErrorText.word(after: "(gcloud.", in: text, stops: [".", ")"]) else { return nil }
        let services = [
            "storage": "storage.googleapis.com", "container": "container.googleapis.com",
            "compute": "compute.googleapis.com", "artifacts": "artifactregistry.googleapis.com",
            "logging": "logging.googleapis.com", "ai": "aiplatform.googleapis.com",
            "secrets": "secretmanager.googleapis.com", "pubsub": "pubsub.googleapis.com",
            "dns": "dns.googleapis.com", "iam": "iam.googleapis.com", "builds": "cloudbuild.googleapis.com",
        ]
        return services[group]
    }
}
