/// A cluster's own state (`status`, `statusMessage`, `conditions`) as observations of kind
/// "cluster": one for the status (`aspect: status`), and one per condition whose message the
/// status message does not already say (`aspect: condition`).
///
/// Facts: `cluster`, `location`, `status` (PROVISIONING, RUNNING, RECONCILING, STOPPING, ERROR,
/// DEGRADED), `status_message`, `healthy` ("true" for RUNNING/RECONCILING/PROVISIONING),
/// `aspect`; for a condition `condition_code` (GCE_QUOTA_EXCEEDED, GCE_STOCKOUT, …),
/// `canonical_code` (google.rpc code name) and `message`; from a `clusters list` table also
/// `master_version`, `node_version`, `num_nodes`. Messages are classified into the `cause`
/// facts of `GKEFailureCause`.
public enum ClusterState {
    static let describeSource = "gcloud container clusters describe"
    static let listSource = "gcloud container clusters list"

    public static func observations(from document: [String: Any], location: RecordLocation) -> [Observation] {
        guard let name = document["name"] as? String else { return [] }
        var base = ["cluster": name]
        base["location"] = (document["location"] as? String) ?? (document["zone"] as? String)
        base["status"] = document["status"] as? String
        let statusMessage = (document["statusMessage"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        var observations = [status(base, message: statusMessage, location: location, source: describeSource, quote: nil)]
        for condition in document["conditions"] as? [[String: Any]] ?? [] {
            let message = (condition["message"] as? String) ?? ""
            if message == statusMessage { continue }
            var f = base
            f["aspect"] = "condition"
            f["condition_code"] = condition["code"] as? String
            f["canonical_code"] = condition["canonicalCode"] as? String
            if !message.isEmpty { f["message"] = message }
            f.merge(classify(message, code: f["condition_code"]), uniquingKeysWith: { first, _ in first })
            let said = [f["condition_code"] ?? f["canonical_code"], message.isEmpty ? nil : message].compactMap { $0 }
            observations.append(Observation(
                kind: "cluster", facts: f, location: location, source: describeSource,
                quote: "\(name) condition: " + said.joined(separator: ": ")))
        }
        return observations
    }

    /// The status observation, shared with the `clusters list` table reader.
    static func status(
        _ facts: [String: String], message: String?, location: RecordLocation, source: String, quote: String?
    ) -> Observation {
        var f = facts
        f["aspect"] = "status"
        let status = f["status"] ?? ""
        f["healthy"] = ["RUNNING", "RECONCILING", "PROVISIONING"].contains(status) ? "true" : "false"
        if let message {
            f["status_message"] = message
            f.merge(classify(message, code: nil), uniquingKeysWith: { first, _ in first })
        }
        let name = f["cluster"] ?? ""
        return Observation(
            kind: "cluster", facts: f, location: location, source: source,
            quote: quote ?? ([name, status].joined(separator: " ") + (message.map { ": \($0)" } ?? "")))
    }

    /// Cluster conditions carry a code even when the message is terse.
    static func classify(_ message: String, code: String?) -> [String: String] {
        let facts = GKEFailureCause.classify(message)
        if !facts.isEmpty { return facts }
        switch code {
        case "GCE_QUOTA_EXCEEDED": return ["cause": "quota-exceeded"]
        default: return [:]
        }
    }
}
