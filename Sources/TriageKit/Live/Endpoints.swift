import Foundation

/// Where each Google API is reached. gcloud's own override variables are honoured with gcloud's
/// meaning, so one local fake API can serve both gcloud and triage: a base ending in `/` gets
/// the API's usual path appended (`v2/`, `v1/`, `compute/v1/`, `dns/v1/`, `bigquery/v2/`); any other value is
/// the full base, used as is.
public struct Endpoints: Sendable, Equatable {
    public var logging: String
    public var container: String
    public var compute: String
    public var dns: String
    /// `triage --bigquery`: jobs.query and jobs.getQueryResults.
    public var bigquery: String

    public static let google = Endpoints(
        logging: "https://logging.googleapis.com/v2/", container: "https://container.googleapis.com/v1/",
        compute: "https://compute.googleapis.com/compute/v1/", dns: "https://dns.googleapis.com/dns/v1/",
        bigquery: "https://bigquery.googleapis.com/bigquery/v2/")

    public init(logging: String, container: String, compute: String, dns: String, bigquery: String) {
        self.logging = logging
        self.container = container
        self.compute = compute
        self.dns = dns
        self.bigquery = bigquery
    }

    public init(environment: [String: String]) {
        func base(_ variable: String, _ path: String, _ standard: String) -> String {
            guard let value = environment["CLOUDSDK_API_ENDPOINT_OVERRIDES_\(variable)"], !value.isEmpty else { return standard }
            return value.hasSuffix("/") ? value + path : value + "/"
        }
        let google = Endpoints.google
        self.init(
            logging: base("LOGGING", "v2/", google.logging), container: base("CONTAINER", "v1/", google.container),
            compute: base("COMPUTE", "compute/v1/", google.compute), dns: base("DNS", "dns/v1/", google.dns),
            bigquery: base("BIGQUERY", "bigquery/v2/", google.bigquery))
    }
}
