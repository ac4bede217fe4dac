import Foundation

/// Cloud Logging entries other than firewall records (Kubernetes events, container stdout and
/// stderr, kubelet and control-plane component logs, audit logs) read for the error messages
/// they carry: the same recognisers as pasted text read `textPayload`, `jsonPayload.message` (or `msg`, with `error`)
/// (and the journal's `jsonPayload.MESSAGE`), and `protoPayload.status.message`. A VPC Service
/// Controls audit entry's `protoPayload.metadata.vpcServiceControlsUniqueId` joins its message.
/// An entry of severity ERROR or above that no recogniser knows becomes
/// `message: unexplained-log-error` for the fallback rule, with what finds it again.
///
/// Facts besides the recognised ones: `log` (the log ID), `insert_id`, `severity`,
/// `resource.type`, `log_project`, `service_name` (an audit entry's API), `object.kind`/`object.name`/`object.namespace` (an event's
/// involved object, or a container's pod), `event.reason`, `event.type`, `occurrences`.
public enum LogEntryMessages {
    static let source = "Cloud Logging"

    /// Severities that are errors (LogSeverity ERROR and above).
    static let errorSeverities: Set<String> = ["ERROR", "CRITICAL", "ALERT", "EMERGENCY"]

    public static func observations(
        _ entry: [String: Any], logID: String, location: RecordLocation, patterns: MessagePatterns = .current
    ) -> [Observation] {
        let json = entry["jsonPayload"] as? [String: Any]
        let proto = entry["protoPayload"] as? [String: Any]
        var texts: [String] = []
        if let text = entry["textPayload"] as? String { texts.append(text) }
        // The journal writes MESSAGE; zap and controller-runtime (Config Connector, most operators)
        // write `msg` and put the failure in `error` (or `err`): one line, as the console shows it.
        let said = ["message", "MESSAGE", "msg"].lazy.compactMap { json?[$0] as? String }.first
        let error = ["error", "err"].lazy.compactMap { json?[$0] as? String }.first
        if let line = [said, error].compactMap({ $0 }).nonEmptyJoined(": ") { texts.append(line) }
        if var text = (proto?["status"] as? [String: Any])?["message"] as? String {
            let metadata = proto?["metadata"] as? [String: Any]
            if let id = (metadata?["vpcServiceControlsUniqueId"] as? String)
                ?? (metadata?["vpcServiceControlsUniqueIdentifier"] as? String),
                !text.contains(id)
            {
                text += " vpcServiceControlsUniqueIdentifier: " + id
            }
            texts.append(text)
        }
        var base: [String: String] = ["log": logID]
        base["insert_id"] = entry["insertId"] as? String
        let severity = (entry["severity"] as? String)?.uppercased()
        base["severity"] = severity
        let resource = entry["resource"] as? [String: Any]
        let labels = resource?["labels"] as? [String: Any]
        base["resource.type"] = resource?["type"] as? String
        // An audit entry names the API called; a recognised message's own value wins.
        base["service_name"] = proto?["serviceName"] as? String
        // The project goes into commands (`--project=`): only a value that can be a project id is used.
        if let name = entry["logName"] as? String, let project = ErrorText.word(after: "projects/", in: name, stops: ["/"]),
            ValueCheck.isProject(project)
        {
            base["log_project"] = project
        }
        if let object = json?["involvedObject"] as? [String: Any] {
            base["object.kind"] = object["kind"] as? String
            base["object.name"] = object["name"] as? String
            base["object.namespace"] = object["namespace"] as? String
            base["event.reason"] = json?["reason"] as? String
            base["event.type"] = json?["type"] as? String
        } else if let pod = labels?["pod_name"] as? String {
            base["object.kind"] = "Pod"
            base["object.name"] = pod
            base["object.namespace"] = labels?["namespace_name"] as? String
        }
        let occurrences = (json?["count"] as? Int).map { max(1, $0) } ?? 1
        base["occurrences"] = String(occurrences)
        let time = (entry["timestamp"] as? String).flatMap(Timestamp.parse)
        let from = source + " (" + logID + ")"

        var observations: [Observation] = []
        for raw in texts {
            let text = TerminalEscapes.strip(raw).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { continue }
            let quote = TextLine.capped(text, limit: KubectlTextParser.maximumQuote)
            let recognised = MessageRecognizer.recognize(text, patterns: patterns, scope: .log)
            if !recognised.isEmpty {
                for facts in recognised {
                    observations.append(Observation(kind: "message", facts: base.merging(facts) { _, found in found },
                                                    location: location, source: from, quote: quote, time: time))
                }
            } else if let facts = UnexplainedError.operationFacts(text) {
                observations.append(Observation(kind: "operation", facts: facts, location: location, source: from,
                                                quote: quote, time: time))
            }
        }
        if let json, AutoscalerVisibility.isVisibilityPayload(json) {
            for message in AutoscalerVisibility.messages(in: json) where message.isError {
                let text = message.text
                let quote = TextLine.capped(text, limit: KubectlTextParser.maximumQuote)
                if var facts = UnexplainedError.operationFacts(text, patterns: patterns) {
                    // The autoscaler's scale-up, not an operation of the cluster's.
                    facts["type"] = "The cluster autoscaler's scale-up"
                    facts["target"] = message.instanceGroup.map { "instance group " + $0 } ?? "a node pool"
                    facts["project"] = facts["project"] ?? (labels?["project_id"] as? String).flatMap { ValueCheck.isProject($0) ? $0 : nil }
                    // Values that go into commands, only in the shapes they can have.
                    facts["cluster"] = facts["cluster"] ?? (labels?["cluster_name"] as? String).flatMap { ValueCheck.isClusterName($0) ? $0 : nil }
                    facts["location"] = facts["location"] ?? (labels?["location"] as? String).flatMap { GCPLocation.isLocation($0) ? $0 : nil }
                    observations.append(Observation(kind: "operation", facts: facts, location: location, source: from,
                                                    quote: quote, time: time))
                } else {
                    var facts = base
                    facts["message"] = unexplainedClass
                    facts["error"] = TextLine.capped(text, limit: UnexplainedError.maximumError)
                    observations.append(Observation(kind: "message", facts: facts, location: location, source: from,
                                                    quote: quote, time: time))
                }
            }
        }
        if let json, HealthCheckLog.isProbeResult(json), let health = HealthCheckLog.facts(json, resourceType: base["resource.type"]) {
            var facts = base.merging(health) { _, probe in probe }
            if facts["project"] == nil, let project = labels?["project_id"] as? String, ValueCheck.isProject(project) { facts["project"] = project }
            let quote = [health["health"], health["ip"].map { "endpoint " + $0 + (health["port"].map { ":" + $0 } ?? "") },
                         health["probe_result"]].compactMap { $0 }.joined(separator: ", ")
            observations.append(Observation(kind: "message", facts: facts, location: location, source: from, quote: quote, time: time))
        }
        if observations.isEmpty, let severity, errorSeverities.contains(severity), let text = texts.first {
            var facts = base
            facts["message"] = unexplainedClass
            facts["error"] = TextLine.capped(text.trimmingCharacters(in: .whitespacesAndNewlines), limit: UnexplainedError.maximumError)
            observations.append(Observation(kind: "message", facts: facts, location: location, source: from,
                                            quote: TextLine.capped(text, limit: KubectlTextParser.maximumQuote), time: time))
        }
        return observations
    }

    public static let unexplainedClass = "unexplained-log-error"
}

private extension Array where Element == String {
    /// The non-empty elements joined, or nil when there are none.
    func nonEmptyJoined(_ separator: String) -> String? {
        let kept = filter { !$0.isEmpty }
        return kept.isEmpty ? nil : kept.joined(separator: separator)
    }
}
