/// The messages in described objects: condition messages (Config Connector's `Status:
/// Conditions:`, APIService availability), other `Message:` fields, the GKE Ingress backends
/// annotation, and each Events row. A condition that repeats an event's message counts once, as
/// the event (which carries how often it happened).
enum DescribeEvidence {
    struct Found {
        var facts: [String: String]
        var line: Int
        var quote: String
        var time: Int64?
        /// The message text alone, for the Config Connector walk's `root.error`.
        var text: String
        var fromEvents: Bool
    }

    /// Config Connector condition reasons that mean the resource itself failed.
    static let failedReasons: Set<String> = ["UpdateFailed", "DeleteFailed", "ManagementConflict", "DependencyInvalid"]

    static func messages(in object: DescribeObject, patterns: MessagePatterns = .current) -> [Found] {
        var found: [Found] = []
        var eventTexts = Set<String>()
        for event in object.events {
            eventTexts.insert(event.row.message)
            var recognised = MessageRecognizer.recognize(event.row.message, patterns: patterns)
            if recognised.isEmpty, let unknown = UnexplainedError.warningEvent(event.row) { recognised = [unknown] }
            for var facts in recognised {
                facts["occurrences"] = String(event.row.occurrences)
                if let reason = event.row.reason { facts["event.reason"] = reason }
                if let type = event.row.type { facts["event.type"] = type }
                found.append(Found(facts: facts, line: event.line, quote: collapse(event.text), time: nil,
                                   text: event.row.message, fromEvents: true))
            }
        }
        for condition in conditions(of: object) {
            guard let message = condition["Message"], !message.value.isEmpty else { continue }
            if object.hasNodeConditions, object.readyStatus == "True", condition["Status"]?.value == "Unknown" { continue }
            let time = condition["Last Transition Time"].flatMap { Timestamp.parse($0.value) }
            let reason = condition["Reason"]?.value
            if eventTexts.contains(message.value) {
                // The event row already counts it; lend it the condition's time.
                for index in found.indices where found[index].fromEvents && found[index].text == message.value {
                    found[index].time = found[index].time ?? time
                }
                continue
            }
            var recognised = MessageRecognizer.recognize(message.value, patterns: patterns)
            if recognised.isEmpty, object.isConfigConnector, let reason, failedReasons.contains(reason),
                condition["Status"]?.value != "True"
            {
                recognised = [["message": "kcc-update-failed", "failure": ErrorText.failure(in: message.value) ?? "unknown"]]
            }
            // A Node's conditions table keeps only the conditions that are wrong: one no rule
            // explains is still an error of the node's own.
            if recognised.isEmpty, object.hasNodeConditions, let type = condition["Type"]?.value, let status = condition["Status"]?.value {
                let error = NodeConditionRow.sentence(type: type, status: status, reason: reason, message: message.value)
                recognised = [["message": UnexplainedError.messageClass, "error": TextLine.capped(error, limit: UnexplainedError.maximumError)]]
            }
            for var facts in recognised {
                facts["occurrences"] = "1"
                if let reason { facts["condition.reason"] = reason }
                if let type = condition["Type"]?.value { facts["condition.type"] = type }
                found.append(Found(facts: facts, line: message.line, quote: message.text.trimmingCharacters(in: [" "]),
                                   time: time, text: message.value, fromEvents: false))
            }
        }
        for entry in object.entries where !entry.parents.contains("Conditions") {
            let isMessage = ["Message", "Status Message", "Error"].contains(entry.key)
            // `backends` bare under Annotations is how the GCE ingress controller wrote it before Kubernetes 1.9.
            let isBackends = entry.key == "ingress.kubernetes.io/backends" || entry.value.hasPrefix("ingress.kubernetes.io/backends")
                || (entry.key == "backends" && entry.parents == ["Annotations"])
            guard (isMessage && !eventTexts.contains(entry.value)) || isBackends else { continue }
            let text = isBackends ? entry.key + ": " + entry.value : entry.value
            for var facts in MessageRecognizer.recognize(text, patterns: patterns) {
                facts["occurrences"] = "1"
                found.append(Found(facts: facts, line: entry.line, quote: entry.text.trimmingCharacters(in: [" "]),
                                   time: nil, text: entry.value, fromEvents: false))
            }
        }
        for index in found.indices {
            if let kind = object.kind { found[index].facts["object.kind"] = kind }
            if let name = object.name { found[index].facts["object.name"] = name }
            if let namespace = object.namespace { found[index].facts["object.namespace"] = namespace }
            if object.kind == "Node" {
                for (fact, value) in nodePlacement(object) { found[index].facts[fact] = value }
            }
        }
        return found
    }

    /// Where a described Node runs, from its labels: `object.zone` and, on GKE, `node_pool`; each
    /// only in its name's shape, as commands use them.
    static func nodePlacement(_ object: DescribeObject) -> [String: String] {
        guard let labels = object.value("Labels") else { return [:] }
        var facts: [String: String] = [:]
        for label in labels.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let equals = label.firstIndex(of: "=") else { continue }
            let (key, value) = (label[..<equals], String(label[label.index(after: equals)...]))
            if key == "topology.kubernetes.io/zone" || key == "failure-domain.beta.kubernetes.io/zone", GCPLocation.isLocation(value) {
                facts["object.zone"] = value
            }
            if key == "cloud.google.com/gke-nodepool", ValueCheck.isResourceName(value) { facts["node_pool"] = value }
        }
        return facts
    }

    typealias Condition = [String: DescribeObject.Entry]

    /// The generic printer writes a list of conditions as consecutive groups of fields under
    /// `Conditions:`; a field name seen again starts the next condition.
    static func conditions(of object: DescribeObject) -> [Condition] {
        var all: [Condition] = []
        var current: Condition = [:]
        for entry in object.entries where entry.parents.last == "Conditions" {
            if current[entry.key] != nil {
                all.append(current)
                current = [:]
            }
            current[entry.key] = entry
        }
        if !current.isEmpty { all.append(current) }
        return all
    }

    /// An events row without the table's padding.
    static func collapse(_ line: String) -> String {
        var result = ""
        var spaces = 0
        for character in line.trimmingCharacters(in: [" "]) {
            if character == " " {
                spaces += 1
                continue
            }
            if spaces > 0 { result += spaces >= 2 ? "  " : " " }
            spaces = 0
            result.append(character)
        }
        return result
    }
}
