import Foundation

/// GKE operations: `gcloud container operations list` and `operations describe` as JSON or YAML
/// (each operation a document), and the API's list response `{"operations": [...]}`. Each
/// operation becomes one observation of kind "operation".
///
/// Facts: `operation` (name), `type` (operationType), `status` (PENDING, RUNNING, DONE,
/// ABORTING), `location` (the `zone` or `location` field: a region for regional clusters),
/// `target` (the cluster or node pool name), `target_kind` (cluster | node-pool), `cluster`,
/// `node_pool`, `link_project` (the project as the links name it: usually its number, so it is not `project`), `start_time`,
/// `end_time` (RFC 3339 as given), `duration_minutes` (whole minutes, when ended),
/// `typical_minutes` (see `GKEOperationDurations`), `progress` ("CLUSTER_DEPLOYING 6/8, …", while
/// running), `stage` (the first unfinished progress metric), `failed` ("true" when the operation
/// ended with an error or status message), `error` (the message), `error_code` (google.rpc code),
/// and the `cause` facts of `GKEFailureCause`. `derive(_:now:)` adds `running_minutes` and
/// `overdue` against the current time.
public enum GKEOperations {
    /// Observations of kind "operation" for an operation document or a list of them; nil when
    /// the document is not an operation.
    public static func observations(from document: [String: Any], location: RecordLocation) -> [Observation]? {
        var rejected: [RejectedValue] = []
        return observations(from: document, location: location, rejected: &rejected)
    }

    /// Like `observations(from:location:)`, adding to `rejected` each value that failed its check
    /// (a time, a name from a link): such a fact is left out.
    public static func observations(
        from document: [String: Any], location: RecordLocation, rejected: inout [RejectedValue]
    ) -> [Observation]? {
        if let list = document["operations"] as? [Any], document.keys.allSatisfy({ $0 == "operations" || $0 == "missingZones" }) {
            return list.compactMap { item in
                (item as? [String: Any]).flatMap { operation($0, location: location, source: apiSource, rejected: &rejected) }
            }
        }
        guard looksLikeOperation(document) else { return nil }
        return operation(document, location: location, source: documentSource, rejected: &rejected).map { [$0] } ?? []
    }

    static let documentSource = "gcloud container operations"
    static let apiSource = "GKE API operations.list"
    static let tableSource = "gcloud container operations list"

    /// An operation has a type and a name or link; clusters and node pools have neither type.
    static func looksLikeOperation(_ d: [String: Any]) -> Bool {
        d["operationType"] is String && (d["name"] is String || d["selfLink"] is String)
    }

    static func operation(
        _ d: [String: Any], location: RecordLocation, source: String, rejected: inout [RejectedValue]
    ) -> Observation? {
        guard looksLikeOperation(d) else { return nil }
        var f: [String: String] = [:]
        f["operation"] = (d["name"] as? String) ?? lastComponent(d["selfLink"] as? String ?? "")
        f["type"] = d["operationType"] as? String
        f["status"] = d["status"] as? String
        f["location"] = (d["location"] as? String).map(lastComponent) ?? (d["zone"] as? String)
        if let link = (d["targetLink"] as? String) ?? (d["selfLink"] as? String) {
            f.merge(target(fromLink: link), uniquingKeysWith: { first, _ in first })
        }
        f["start_time"] = d["startTime"] as? String
        f["end_time"] = d["endTime"] as? String
        if let metrics = (d["progress"] as? [String: Any])?["metrics"] as? [[String: Any]] {
            f.merge(progress(metrics), uniquingKeysWith: { first, _ in first })
        }
        var messages: [String] = []
        if let error = d["error"] as? [String: Any] {
            if let message = error["message"] as? String, !message.isEmpty { messages.append(message) }
            if let code = error["code"] { f["error_code"] = "\(code)" }
        }
        for key in ["statusMessage", "detail"] {
            if let message = d[key] as? String, !message.isEmpty, !messages.contains(message) { messages.append(message) }
        }
        for key in ["clusterConditions", "nodepoolConditions"] {
            for condition in d[key] as? [[String: Any]] ?? [] {
                if let message = condition["message"] as? String, !message.isEmpty, !messages.contains(message) {
                    messages.append(message)
                }
            }
        }
        return make(facts: f, messages: messages, location: location, source: source, quote: nil, rejected: &rejected)
    }

    /// Completes the facts common to every input form (table, JSON, YAML) and builds the observation.
    static func make(
        facts: [String: String], messages: [String], location: RecordLocation, source: String, quote: String?
    ) -> Observation {
        var rejected: [RejectedValue] = []
        return make(facts: facts, messages: messages, location: location, source: source, quote: quote, rejected: &rejected)
    }

    /// The facts that hold a time or a name later put into commands, with the field each comes
    /// from and its check.
    private static let checkedFacts: [(fact: String, field: String, isValid: @Sendable (String) -> Bool, reason: String)] = [
        ("start_time", "startTime", { Timestamp.parse($0) != nil }, ValueCheck.timestampReason),
        ("end_time", "endTime", { Timestamp.parse($0) != nil }, ValueCheck.timestampReason),
        ("cluster", "targetLink (cluster)", ValueCheck.isClusterName, ValueCheck.clusterNameReason),
        ("node_pool", "targetLink (node pool)", ValueCheck.isResourceName, ValueCheck.resourceNameReason),
        ("link_project", "targetLink (project)", ValueCheck.isProject, ValueCheck.projectReason),
        ("location", "location", ValueCheck.isResourceName, "is not a zone or region name"),
    ]

    /// Like `make(facts:messages:location:source:quote:)`; a checked fact that fails is left
    /// out (and so is `target` when it named the same value) and added to `rejected`.
    static func make(
        facts: [String: String], messages: [String], location: RecordLocation, source: String, quote: String?,
        rejected: inout [RejectedValue]
    ) -> Observation {
        var f = facts
        for check in checkedFacts {
            guard let value = f[check.fact], !check.isValid(value) else { continue }
            rejected.append(RejectedValue(field: check.field, value: value, reason: check.reason))
            f[check.fact] = nil
            if f["target"] == value { f["target"] = nil }
        }
        let status = f["status"] ?? ""
        if let message = messages.first {
            f["error"] = messages.count == 1 ? message : messages.joined(separator: " | ")
            f.merge(GKEFailureCause.classify(messages.joined(separator: "\n")), uniquingKeysWith: { first, _ in first })
        }
        // A DONE operation that carries a message failed: GKE reports failures as DONE + message.
        f["failed"] = (status == "DONE" || status == "ABORTING") && !messages.isEmpty ? "true" : "false"
        if let type = f["type"], let typical = GKEOperationDurations.typicalMinutes(type) {
            f["typical_minutes"] = String(typical)
        }
        let start = f["start_time"].flatMap(Timestamp.parse)
        let end = f["end_time"].flatMap(Timestamp.parse)
        if let start, let end, end >= start {
            f["duration_minutes"] = String((end - start) / 60_000_000)
        }
        let summary = [f["operation"], f["type"], f["target"], f["status"]].compactMap { $0 }.joined(separator: " ")
        return Observation(
            kind: "operation", facts: f, location: location, source: source,
            // An ended operation is evidence as of its end (when it failed); a running one as of its start.
            quote: quote ?? (f["error"].map { "\(summary): \($0)" } ?? summary), time: end ?? start)
    }

    /// Adds what depends on the current time (`now`, µs since the epoch): `running_minutes` for a
    /// PENDING or RUNNING operation and `overdue` ("true"/"false") when its type has a typical
    /// duration: running longer than `GKEOperationDurations.overdueFactor` × typical.
    public static func derive(_ facts: inout [String: String], now: Int64) {
        guard let status = facts["status"], status == "RUNNING" || status == "PENDING",
            let start = facts["start_time"].flatMap(Timestamp.parse)
        else { return }
        let minutes = max(0, (now - start) / 60_000_000)
        facts["running_minutes"] = String(minutes)
        if facts["typical_minutes"] == nil, let type = facts["type"], let typical = GKEOperationDurations.typicalMinutes(type) {
            facts["typical_minutes"] = String(typical)
        }
        if let typical = facts["typical_minutes"].flatMap(Int64.init) {
            facts["overdue"] = minutes > typical * Int64(GKEOperationDurations.overdueFactor) ? "true" : "false"
        }
    }

    /// `…/clusters/C` or `…/clusters/C/nodePools/NP` → target, target_kind, cluster, node_pool, link_project.
    static func target(fromLink link: String) -> [String: String] {
        let parts = link.split(separator: "/").map(String.init)
        var f: [String: String] = [:]
        if let i = parts.firstIndex(of: "projects"), i + 1 < parts.count { f["link_project"] = parts[i + 1] }
        // Where it ran, for an operation whose `zone`/`location` field is missing (a repr cut short).
        if let i = parts.firstIndex(where: { $0 == "zones" || $0 == "locations" }), i + 1 < parts.count { f["location"] = parts[i + 1] }
        if let i = parts.firstIndex(of: "clusters"), i + 1 < parts.count {
            f["cluster"] = parts[i + 1]
            f["target"] = parts[i + 1]
            f["target_kind"] = "cluster"
            if let j = parts.firstIndex(of: "nodePools"), j + 1 < parts.count {
                f["node_pool"] = parts[j + 1]
                f["target"] = parts[j + 1]
                f["target_kind"] = "node-pool"
            }
        }
        return f
    }

    /// `progress.metrics` pairs NAME with NAME_TOTAL: "CLUSTER_CONFIGURING 7/7, CLUSTER_DEPLOYING 6/8".
    static func progress(_ metrics: [[String: Any]]) -> [String: String] {
        var values: [(String, String)] = []
        for metric in metrics {
            guard let name = metric["name"] as? String else { continue }
            let value = metric["intValue"] ?? metric["doubleValue"] ?? metric["stringValue"]
            values.append((name, value.map { "\($0)" } ?? ""))
        }
        let totals = Dictionary(values.filter { $0.0.hasSuffix("_TOTAL") }, uniquingKeysWith: { a, _ in a })
        var shown: [String] = []
        var stage: String?
        for (name, value) in values where !name.hasSuffix("_TOTAL") {
            if let total = totals[name + "_TOTAL"] {
                shown.append("\(name) \(value)/\(total)")
                if stage == nil, let done = Double(value), let all = Double(total), done < all { stage = name }
            } else {
                shown.append("\(name) \(value)")
            }
        }
        var f: [String: String] = [:]
        if !shown.isEmpty { f["progress"] = shown.joined(separator: ", ") }
        if let stage { f["stage"] = stage }
        return f
    }

    static func lastComponent(_ text: String) -> String {
        text.split(separator: "/").last.map(String.init) ?? text
    }
}
