import Foundation

/// What a failed Google API answer means for the user: Google's error JSON
/// (`{"error":{"code","message","status","details":[…]}}`, Compute adding `errors[]`) read into
/// a sentence and a fix.
public struct GoogleAPIError: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case credentialsRejected
        case serviceDisabled(service: String?)
        case permissionDenied
        case notFound
        case other
    }

    public var status: Int
    public var kind: Kind
    /// The server's message, sanitised and cut short.
    public var message: String

    /// `redactor` masks what the server repeated of the request (its `Authorization` header)
    /// before the message is cut short, so no part of a secret is left at the cut.
    public init(status: Int, body: [UInt8], redactor: Redactor = .shared) {
        self.status = status
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        var text = (error?["message"] as? String) ?? String(decoding: body.prefix(64 << 10), as: UTF8.self)
        text = redactor.redact(text.trimmingCharacters(in: .whitespacesAndNewlines))
        message = TerminalText.sanitize(text, limit: 300)
        let details = (error?["details"] as? [[String: Any]]) ?? []
        let reasons = details.compactMap { $0["reason"] as? String }
            + ((error?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["reason"] as? String }
        let service = details.lazy.compactMap { ($0["metadata"] as? [String: Any])?["service"] as? String }.first
        switch status {
        case 401:
            kind = .credentialsRejected
        case 403:
            // Check the details, not only the message: the status says PERMISSION_DENIED either way.
            if reasons.contains("SERVICE_DISABLED") || reasons.contains("accessNotConfigured")
                || text.contains("has not been used in project") || text.contains("it is disabled")
            {
                kind = .serviceDisabled(service: service)
            } else {
                kind = .permissionDenied
            }
        case 404: kind = .notFound
        default: kind = .other
        }
    }
}

/// One kind of request triage makes, with what the user needs to know when it fails.
public struct APIRequestKind: Sendable {
    /// How the data is named to the user ("firewall rules (Compute Engine)").
    public var what: String
    public var apiName: String
    public var service: String
    /// The IAM permission this request needs.
    public var permission: String
    /// The least predefined role that holds it.
    public var role: String

    public static let clusters = APIRequestKind(
        what: "GKE clusters", apiName: "Kubernetes Engine", service: "container.googleapis.com",
        permission: "container.clusters.list", role: "roles/container.viewer")
    public static let cluster = APIRequestKind(
        what: "the GKE cluster", apiName: "Kubernetes Engine", service: "container.googleapis.com",
        permission: "container.clusters.get", role: "roles/container.viewer")
    public static let operations = APIRequestKind(
        what: "GKE operations", apiName: "Kubernetes Engine", service: "container.googleapis.com",
        permission: "container.operations.list", role: "roles/container.viewer")
    public static let logEntries = APIRequestKind(
        what: "firewall logs (Cloud Logging)", apiName: "Cloud Logging", service: "logging.googleapis.com",
        permission: "logging.logEntries.list", role: "roles/logging.viewer")
    static func compute(_ collection: String, _ what: String) -> APIRequestKind {
        APIRequestKind(
            what: "\(what) (Compute Engine)", apiName: "Compute Engine", service: "compute.googleapis.com",
            permission: "compute.\(collection).list", role: "roles/compute.networkViewer")
    }
    public static let firewalls = compute("firewalls", "firewall rules")
    public static let routes = compute("routes", "routes")
    public static let networks = compute("networks", "VPC networks")
    /// `networks.getEffectiveFirewalls`: the network's VPC rules and the firewall policies applied to it.
    public static let effectiveFirewalls = APIRequestKind(
        what: "firewall policies (Compute Engine)", apiName: "Compute Engine", service: "compute.googleapis.com",
        permission: "compute.networks.getEffectiveFirewalls", role: "roles/compute.networkViewer")
    public static let subnetworks = compute("subnetworks", "subnetworks")
    public static let routers = compute("routers", "Cloud Routers and NAT")
    public static let managedZones = APIRequestKind(
        what: "Cloud DNS zones", apiName: "Cloud DNS", service: "dns.googleapis.com",
        permission: "dns.managedZones.list", role: "roles/dns.reader")
    public static let recordSets = APIRequestKind(
        what: "Cloud DNS record sets", apiName: "Cloud DNS", service: "dns.googleapis.com",
        permission: "dns.resourceRecordSets.list", role: "roles/dns.reader")

    /// The error a failed answer becomes: a sentence naming what is missing, and how to fix it.
    public func failure(_ error: GoogleAPIError, project: String, host: String) -> TriageError {
        switch error.kind {
        case .credentialsRejected:
            return .noData(
                source: what, reason: "credentials rejected by \(host) (HTTP 401: \(error.message))",
                hint: "the access token is expired, revoked or not a Google Cloud token: run 'gcloud auth application-default login', or write a fresh 'gcloud auth print-access-token' into the --access-token-file")
        case .serviceDisabled(let service):
            // The service name comes from the server's answer: a hostile value, quoted as one word.
            let name = TerminalText.sanitize(service ?? self.service, limit: TerminalText.Limit.name)
            return .noData(
                source: what, reason: "the \(apiName) API (\(name)) is not enabled in project \(project) (HTTP 403: \(error.message))",
                hint: "enable it with: gcloud services enable \(Template.shellWord(service ?? self.service)) --project=\(Template.shellWord(project)); until then triage cannot see this part of the project")
        case .permissionDenied:
            return .noData(
                source: what, reason: "permission \(permission) denied on project \(project) (HTTP 403: \(error.message))",
                hint: "grant a role that holds \(permission), for example: gcloud projects add-iam-policy-binding \(Template.shellWord(project)) --member=user:YOU@EXAMPLE.COM --role=\(Template.shellWord(role))")
        case .notFound:
            return .noData(source: what, reason: "not found (HTTP 404: \(error.message))", hint: "check --project, --location and --cluster")
        case .other:
            return .noData(source: what, reason: "HTTP \(error.status): \(error.message)", hint: nil)
        }
    }
}
