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
        for pool in document["nodePools"] as? [[String: Any]] ?? [] {
            observations += nodePool(pool, cluster: name, base: base, location: location, source: describeSource)
        }
        return observations
    }

    static let nodePoolSource = "gcloud container node-pools describe"

    /// A node pool that is not RUNNING (in a cluster description, or a `node-pools describe` of its
    /// own): `aspect: node-pool`, `node_pool`, `status` (ERROR, RUNNING_WITH_ERROR, …),
    /// `status_message`, and the cause facts its message or conditions give. A running pool says nothing.
    static func nodePool(
        _ pool: [String: Any], cluster: String?, base: [String: String], location: RecordLocation, source: String
    ) -> [Observation] {
        guard let name = pool["name"] as? String, let status = pool["status"] as? String,
            !["RUNNING", "PROVISIONING", "RECONCILING"].contains(status)
        else { return [] }
        var f = base
        f["aspect"] = "node-pool"
        f["node_pool"] = name
        f["status"] = status
        if let cluster { f["cluster"] = cluster }
        let conditions = (pool["conditions"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        let message = (pool["statusMessage"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? conditions.first
        if let message {
            f["status_message"] = message
            f.merge(classify(message, code: (pool["conditions"] as? [[String: Any]])?.first?["code"] as? String),
                    uniquingKeysWith: { first, _ in first })
        }
        let said = [cluster, name].compactMap { $0 }.joined(separator: "/") + " " + status + (message.map { ": \($0)" } ?? "")
        return [Observation(kind: "cluster", facts: f, location: location, source: source, quote: said)]
    }

    /// A node pool's state as the Terraform provider words it: `NodePool P was created in the error
    /// state "ERROR"` (terraform-google-kubernetes-engine#1324), `Error reading NodePool "P" from
    /// cluster "C": Nodepool "P" has status "RUNNING_WITH_ERROR" with message "…"`. The facts of
    /// `nodePool(_:…)`; nil for any other line or a RUNNING pool.
    static func nodePool(inText line: String) -> [String: String]? {
        guard line.includes("NodePool ") || line.includes("Nodepool ") else { return nil }
        var f: [String: String] = ["aspect": "node-pool"]
        if let g = GKEPattern.nodePoolErrorState.groups(in: line) {
            f["node_pool"] = g[1]
            f["status"] = g[2]
        } else if let g = GKEPattern.nodePoolHasStatus.groups(in: line) {
            f["node_pool"] = g[1]
            f["status"] = g[2]
            let message = g[3].hasSuffix("\"") ? String(g[3].dropLast()) : g[3]
            if !message.isEmpty {
                f["status_message"] = message
                f.merge(classify(message, code: nil), uniquingKeysWith: { first, _ in first })
            }
        } else {
            return nil
        }
        guard let status = f["status"], !["RUNNING", "PROVISIONING", "RECONCILING"].contains(status) else { return nil }
        if let g = GKEPattern.fromCluster.groups(in: line) { f["cluster"] = g[1] }
        return f
    }

    /// `gcloud container node-pools describe` (and the API's NodePool): a name, a status, a node
    /// `config` and a selfLink (or an instance count) — not a cluster.
    static func looksLikeNodePool(_ document: [String: Any]) -> Bool {
        guard document["name"] is String, document["status"] is String, document["config"] is [String: Any] else { return false }
        let link = document["selfLink"] as? String ?? ""
        return link.contains("/nodePools/") || document["initialNodeCount"] != nil || document["instanceGroupUrls"] != nil
    }

    /// A `node-pools describe` document: its cluster and location come from its selfLink.
    public static func observations(fromNodePool document: [String: Any], location: RecordLocation) -> [Observation] {
        var base: [String: String] = [:]
        var cluster: String?
        if let link = document["selfLink"] as? String {
            let parts = link.split(separator: "/").map(String.init)
            if let c = parts.firstIndex(of: "clusters"), c + 1 < parts.count { cluster = parts[c + 1] }
            if let p = parts.firstIndex(of: "projects"), p + 1 < parts.count, ValueCheck.isProject(parts[p + 1]) {
                base["project"] = parts[p + 1]
            }
            if let l = parts.firstIndex(of: "locations") ?? parts.firstIndex(of: "zones"), l + 1 < parts.count {
                base["location"] = parts[l + 1]
            }
        }
        return nodePool(document, cluster: cluster, base: base, location: location, source: nodePoolSource)
    }

    /// The tail of a cluster description pasted without its name (`status: ERROR` / `statusMessage:
    /// Failed to create cluster` / `subnetwork: default`, banzaicloud/pipeline#2055): a cluster's
    /// status and message, with a key only a cluster has, and nothing of an operation's.
    static func isUnnamedClusterTail(_ document: [String: Any]) -> Bool {
        guard document["name"] == nil, document["operationType"] == nil, document["targetLink"] == nil,
            let status = document["status"] as? String, clusterStatuses.contains(status),
            let message = document["statusMessage"] as? String, !message.isEmpty
        else { return false }
        return clusterOnlyKeys.contains { document[$0] != nil }
    }

    static let clusterStatuses: Set<String> = ["PROVISIONING", "RUNNING", "RECONCILING", "STOPPING", "ERROR", "DEGRADED"]
    static let clusterOnlyKeys = ["subnetwork", "network", "endpoint", "clusterIpv4Cidr", "servicesIpv4Cidr", "currentMasterVersion",
                                  "currentNodeVersion", "masterAuth", "privateClusterConfig", "ipAllocationPolicy", "nodeIpv4CidrSize"]

    /// The status observation of a cluster tail (`isUnnamedClusterTail`): the cluster left unknown.
    static func observations(fromClusterTail document: [String: Any], location: RecordLocation) -> [Observation] {
        var base: [String: String] = ["status": document["status"] as? String ?? ""]
        if let named = (document["location"] as? String) ?? (document["zone"] as? String), GCPLocation.isLocation(named) { base["location"] = named }
        let message = document["statusMessage"] as? String
        return [status(base, message: message, location: location, source: describeSource,
                       quote: "status: \(base["status"] ?? "")" + (message.map { ", statusMessage: \($0)" } ?? ""))]
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
