/// A line of pasted text that reports an error no recogniser knows, and a line that relays a
/// failed GKE operation's message (terraform, CDKTF and gcloud print the operation's error, not
/// the operation). Neither is dropped: the first becomes a `message` observation with
/// `message: unexplained-error` for the fallback rule, the second an `operation` observation the
/// GKE cause rules read like one from `operations describe`.
public enum UnexplainedError {
    /// The message facts of an error line, or nil when the line is not shaped like an error.
    /// Facts: `message` (`unexplained-error`), `error` (the line, capped).
    public static func facts(_ line: String) -> [String: String]? {
        if let error = looseRow(line) { return ["message": messageClass, "error": TextLine.capped(error, limit: maximumError)] }
        guard isErrorLine(line) else { return nil }
        return ["message": messageClass, "error": TextLine.capped(String(withoutLogHeader(unboxed(line))), limit: maximumError)]
    }

    /// An error line without what changes from one repeat to the next: a leading RFC 3339
    /// timestamp and the level word after it (`2019-05-03T08:34:30.721832Z\terror\t…`, zap's and
    /// istiod's console, knative/serving#3983), or klog's header (`E0503 08:34:30.721832   1
    /// file.go:42] `). The same error logged four times is then one finding seen four times; the
    /// quote keeps the whole line.
    static func withoutLogHeader(_ line: Substring) -> Substring {
        var rest = line
        if ErrorText.leadingTime(String(line.prefix(40))) != nil {
            rest = rest.drop { !$0.isWhitespace }.drop { $0 == " " || $0 == "\t" }
            let level = rest.prefix { !$0.isWhitespace }
            if logLevels.contains(level.lowercased()) { rest = rest.dropFirst(level.count).drop { $0 == " " || $0 == "\t" } }
        } else if isKlogHeader(line), let end = line.range(of: "] ") {
            rest = line[end.upperBound...]
        }
        return rest.isEmpty ? line : rest
    }

    static let logLevels: Set<String> = ["error", "fatal", "warn", "warning", "info", "[error]", "[fatal]", "[warn]", "err"]

    /// klog's `E1122 09:14:02.123456   12345 file.go:42] …` (E and F are its error levels).
    static func isKlogHeader(_ line: Substring) -> Bool {
        let head = Array(line.utf8.prefix(6))
        return head.count == 6 && (head[0] == UInt8(ascii: "E") || head[0] == UInt8(ascii: "F"))
            && head[1...4].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && head[5] == 0x20 && line.includes("] ")
    }

    /// A build tool's or CI runner's line that a command it ran failed, saying nothing of how.
    static func isWrapperExit(_ error: String) -> Bool {
        let line = Substring(error)
        if (line.hasPrefix("make: *** ") || line.hasPrefix("make[")) && line.includes("] Error ") { return true }
        if line.includes("Process completed with exit code ") { return true }
        return line.includes("failed: step exited with non-zero status")
    }

    /// A row of a table pasted without its header, which only its shape tells (cells apart by two
    /// spaces or tabs): a `kubectl describe` Events row of type Warning (`Warning  Sync  17m (x2 over
    /// 32m)  loadbalancer-controller  Error during sync: …`, kubernetes/ingress-gce#1148), its
    /// message; a Node condition that is wrong (`NetworkUnavailable  True  <time>  <time>
    /// NoRouteCreated  Node created without a route`, kubernetes#27994), as the describe reader words
    /// it. Nil for any other line.
    static func looseRow(_ line: String) -> String? {
        let first = line.utf8.first
        guard first == UInt8(ascii: "W") || (first.map { $0 >= 0x41 && $0 <= 0x5A } ?? false),
            line.includes("  ") || line.includes("\t")
        else { return nil }
        let cells = DescribeObject.cells(Substring(line))
        guard cells.count >= 5 else { return nil }
        func isWord(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isLetter } }
        if cells[0] == "Warning", isWord(cells[1]), cells[2].first?.isNumber == true || cells[2].hasPrefix("<") {
            return cells[4...].joined(separator: " ")
        }
        // Both times in their columns, and a message after the reason.
        guard isWord(cells[0]), cells[0].first?.isUppercase == true, cells[2].contains(":"), cells[3].contains(":"),
            cells.count >= 6 || cells[4].contains(" "), let row = NodeConditionRow(cells: cells), row.isWrong
        else { return nil }
        // A fifth cell that is no reason word is all message.
        guard let reason = row.reason, isWord(reason) else {
            return NodeConditionRow.sentence(type: row.type, status: row.status, reason: nil, message: cells[4...].joined(separator: " "))
        }
        return NodeConditionRow.sentence(type: row.type, status: row.status, reason: reason, message: row.message)
    }

    /// A Warning event no recogniser knows: its message is an error of its own (a cluster
    /// autoscaler's `FailedScaleUp`, a controller's `FailedCreate`), whatever words it starts with.
    /// A GKE failure it relays (`…failed: GCE quota exceeded`) becomes that cause when the parser
    /// reads the observation (`operationFacts`).
    static func warningEvent(_ row: EventRow) -> [String: String]? {
        guard row.type == "Warning", !row.message.isEmpty else { return nil }
        return ["message": messageClass, "error": TextLine.capped(row.message, limit: maximumError)]
    }

    /// The line without terraform's and CDKTF's box drawing (`│ Error: …`) and leading blanks.
    static func unboxed(_ text: String) -> Substring {
        var line = Substring(text)
        while let first = line.first, first == "│" || first == " " || first == "\t" { line = line.dropFirst() }
        return line
    }

    public static let messageClass = "unexplained-error"

    /// An error quoted in a finding's message is cut here; the finding's quote keeps more.
    static let maximumError = 600

    /// The shapes tools print an error line in: a leading `Error:` (terraform, helm, kubectl,
    /// CDKTF's `│ Error:` box), `ERROR: (gcloud.…)`, `Error from server`, klog's `E`/`F` lines,
    /// logrus `ERRO[`/`FATA[`, `level=error`, JSON `"level":"error"` / `"severity":"ERROR"`, and a
    /// log line whose level word (`ERROR`, `FATAL`, `[error]`) is among its first words.
    public static func isErrorLine(_ text: String) -> Bool {
        // CDKTF and terraform ≥ 0.15 draw a box: `│ Error: …`, `╷`, `╵`.
        let line = unboxed(text)
        guard line.utf8.count >= 8 else { return false }
        for prefix in ["Error:", "error:", "ERROR:", "Error from server", "Error response from daemon", "fatal:",
                       "FATAL:", "Fatal error", "panic:", "ERRO[", "FATA[",
                       // GKE relaying Compute Engine's refusal as the whole message, and the Go client's.
                       "Google Compute Engine: ", "googleapi: Error"] where line.hasPrefix(prefix) {
            return true
        }
        // terraform 0.11's list under `Error applying plan:` (`* google_container_node_pool.NAME:
        // googleapi: Error 400: …`, hashicorp/terraform-provider-google#3650): the API's refusal.
        if line.hasPrefix("* "), line.includes(": googleapi: Error ") { return true }
        // A Java or Python exception: `com.google.cloud.storage.StorageException: …`,
        // `google.auth.exceptions.TransportError: (…`.
        if isExceptionLine(line) { return true }
        if isKlogHeader(line) { return true }
        // zap's and logr's structured fields carry the error itself (`"err": "…"`, octant#3336).
        for marker in ["level=error", "level=fatal", "\"level\":\"error\"", "\"level\":\"fatal\"", "\"err\": \"", "\"err\":\"",
                       "\"severity\":\"ERROR\"", "\"severity\":\"CRITICAL\""] where line.includes(marker) {
            return true
        }
        let levelWords: Set<Substring> = ["ERROR", "ERROR:", "FATAL", "FATAL:", "CRITICAL", "[error]", "[ERROR]",
                                          "[fatal]", "[FATAL]", "error", "Error", "E!"]
        // Words that say something failed, in the wording of Go's errors and of tools' messages.
        for phrase in failurePhrases where line.includes(phrase) { return true }
        if line.utf8.count <= 4096, let failure = ErrorText.failure(in: String(line)), connectionFailures.contains(failure) {
            return true
        }
        // A level word leads the line or follows a time or a logger name, never a key (`Status: ERROR`).
        // Six words: a copied log viewer puts a date and time before the tool's own (`2024-05-31
        // 21:59:39.904 GET2024-05-31 17:59:39 ERROR 404: Not Found.`).
        // zap's and istiod's console separate the time, the level and the logger with tabs.
        let words = line.split(maxSplits: 6, omittingEmptySubsequences: true) { $0 == " " || $0 == "\t" }.prefix(6)
        for (index, word) in words.enumerated() where levelWords.contains(word) {
            if index == 0 || !words[words.startIndex + index - 1].hasSuffix(":") { return true }
        }
        return false
    }

    /// The line opens with an exception's (dotted) class name and a colon.
    static func isExceptionLine(_ line: Substring) -> Bool {
        guard let colon = line.prefix(200).firstIndex(of: ":") else { return false }
        let name = line[..<colon]
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "$") }) else { return false }
        let last = name.split(separator: ".").last ?? ""
        return last.count > 5 && last.first?.isUppercase == true && (last.hasSuffix("Exception") || last.hasSuffix("Error"))
    }

    static let failurePhrases = ["failed to ", "Failed to ", "unable to ", "Unable to ", "couldn't ", "could not ",
                                 "cannot ", "no matches for kind", "error dialing", "Error dialing",
                                 // A refusal is an error at any log level (argo-workflows#13073 logs one as a warning).
                                 "denied the request", "Non-transient error"]

    /// How a connection failed (`ErrorText.failure`) that makes a line an error whatever its level.
    static let connectionFailures: Set<String> = ["timeout", "deadline", "refused", "unreachable", "no-such-host", "tls",
                                                  "no-endpoints"]

    /// Words one of which every message `GKEFailureCause` knows contains (lower-cased), so the
    /// regular expressions only run on lines that may hold one.
    static let causeAnchors = [
        "constraints/compute", "legacy network", "permission for", "hostserviceagent", "host service agent", "quota",
        "exhausted", "ipranges", "ipcidrrange", "secondary range", "network", "registered", "unhealthy", "instances running",
        "service account", "gaia id", "is reporting that node",
    ]

    /// Terraform's google provider relays a failed GKE operation as `Error waiting for creating GKE
    /// cluster: MESSAGE` (NodePool, updating, deleting): a failed operation even when no rule knows
    /// the message (`Failed to create cluster`, terraform-google-kubernetes-engine#304), so the
    /// operation fallback names the operation and its message instead of quoting a line.
    /// Facts as `operationFacts`, without a cause.
    public static func relayedFailedOperation(_ line: String) -> [String: String]? {
        // gcloud's: `ERROR: (gcloud.container.clusters.create) Operation [<Operation … >] finished
        // with error: MESSAGE`, the repr over many lines and the message after its last.
        if let end = line.range(of: "] finished with error: ") {
            let message = TextLine.trimmingBlanks(String(line[end.upperBound...]))
            guard !message.isEmpty else { return nil }
            let nodePool = line.includes("gcloud.container.node-pools.")
            let type = line.includes(".clusters.create)") ? "CREATE_CLUSTER"
                : line.includes(".node-pools.create)") ? "CREATE_NODE_POOL" : "An operation"
            var facts = failedOperation(message, type: type, nodePool: nodePool)
            if let name = ErrorText.word(after: "name: u'", in: line, stops: ["'"]) ?? ErrorText.word(after: "name: '", in: line, stops: ["'"]),
                name.hasPrefix("operation-")
            {
                facts["operation"] = name
            }
            return facts
        }
        guard let start = line.range(of: "Error waiting for ") else { return nil }
        let rest = line[start.upperBound...]
        guard let colon = rest.range(of: ": ") else { return nil }
        let what = rest[..<colon.lowerBound].lowercased()
        let message = TextLine.trimmingBlanks(String(rest[colon.upperBound...]))
        let nodePool = what.hasSuffix("gke nodepool") || what.hasSuffix("gke node pool")
        guard nodePool || what.hasSuffix("gke cluster"), !message.isEmpty else { return nil }
        let verb = what.split(separator: " ").first.map(String.init) ?? ""
        let types = ["creating": nodePool ? "CREATE_NODE_POOL" : "CREATE_CLUSTER",
                     "deleting": nodePool ? "DELETE_NODE_POOL" : "DELETE_CLUSTER",
                     "updating": nodePool ? "An update" : "UPDATE_CLUSTER"]
        var facts = failedOperation(message, type: types[verb] ?? "An operation", nodePool: nodePool)
        if let project = ErrorText.project(in: line), !project.allSatisfy(\.isNumber) { facts["project"] = project }
        if let location = ErrorText.location(in: line) { facts["location"] = location }
        return facts
    }

    /// `operationFacts` for a line some recogniser already read (Config Connector's `Update call
    /// failed: … googleapi: Error 403: Kubernetes Engine Service Agent is missing …`), only when the
    /// line names GKE as the one that failed and a rule explains the cause it relays: the wrapper's
    /// finding says what failed, this one why. (A Config Connector ComputeNetwork refused
    /// `compute.networks.create` is Config Connector's own account, not GKE's.)
    public static func explainedRelay(_ line: String, patterns: MessagePatterns = .current) -> [String: String]? {
        guard gkeMarkers.contains(where: { line.includes($0) }),
            let facts = operationFacts(line, patterns: patterns), let cause = facts["cause"],
            patterns.explainedCauses.contains(cause)
        else { return nil }
        return facts
    }

    /// Words by which a wrapped error says GKE itself failed.
    static let gkeMarkers = ["Kubernetes Engine", "GKE", "container.googleapis.com", "container.hostServiceAgent"]

    /// The facts of a GKE operation failure relayed in a line of tool output, or nil when the line
    /// names no cause `GKEFailureCause` knows. Facts: the cause's facts, `error`, `status` (DONE),
    /// `failed`, and `type`/`target` as far as the line says them.
    public static func operationFacts(_ line: String, patterns: MessagePatterns = .current) -> [String: String]? {
        let lower = line.lowercased()
        let anchored = causeAnchors.contains(where: { lower.includes($0) })
            || lower.utf8.withContiguousStorageIfAvailable({ patterns.mayMatch($0, scope: .operation) }) == true
        guard anchored else { return nil }
        let cause = GKEFailureCause.classify(line, patterns: patterns)
        guard !cause.isEmpty else { return nil }
        let nodePool = lower.includes("nodepool") || lower.includes("node pool") || lower.includes("node-pools")
            || lower.includes("node_pool")
        // The type only when the line says it: terraform's "creating GKE cluster", gcloud's command group.
        let type =
            if lower.includes("node-pools.create") || (nodePool && lower.includes("creating")) {
                "CREATE_NODE_POOL"
            } else if lower.includes("clusters.create") || lower.includes("creating gke cluster")
                || lower.includes("creating cluster")
            {
                "CREATE_CLUSTER"
            } else {
                "An operation"
            }
        var facts = cause.merging(failedOperation(String(unboxed(line)), type: type, nodePool: nodePool)) { _, relayed in relayed }
        // A request path relayed in the error (`"requestPath":"…/projects/P/zones/Z/clusters/C/nodePools"`)
        // names where the operation ran, for the fix's commands.
        // A project number (as operation links give it) is left out, as it is for listed operations.
        if facts["project"] == nil, let project = ErrorText.project(in: line), !project.allSatisfy(\.isNumber) {
            facts["project"] = project
        }
        if facts["location"] == nil, let location = ErrorText.location(in: line) { facts["location"] = location }
        return facts
    }

    /// The facts every relayed failed operation has: its message, DONE and failed, what ran and on what.
    static func failedOperation(_ message: String, type: String, nodePool: Bool) -> [String: String] {
        ["error": TextLine.capped(message, limit: maximumError), "status": "DONE", "failed": "true",
         "type": type, "target": nodePool ? "the node pool" : "the cluster"]
    }
}
