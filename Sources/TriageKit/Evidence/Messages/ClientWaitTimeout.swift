/// A client that stopped waiting for a long-running operation, which GKE had not failed: terraform's
/// `Error waiting for updating GKE node pool version: timeout while waiting for state to become
/// 'DONE' (last state: 'RUNNING', timeout: 45m0s)` (terraform-google-kubernetes-engine#939) and
/// gcloud's `Operation https://…/operations/NAME has not finished in 1800 seconds. The operations may
/// still be underway remotely and may still succeed` (kubeflow-distribution#435). Both say the
/// operation was still running when the client gave up: an operation past its time, not a failed one,
/// and no message to quote as an error.
///
/// Facts: `status` (the last state, RUNNING or PENDING), `type`, `target`, `running_minutes` (at
/// least the client's wait), `client_timeout_minutes`, `client_gave_up`, and from gcloud's link
/// `operation`, `location`, `project` (each only in its shape), plus `typical_minutes` when the type has one.
enum ClientWaitTimeout {
    static func facts(_ line: String) -> [String: String]? {
        terraform(line) ?? gcloud(line)
    }

    private static func terraform(_ line: String) -> [String: String]? {
        guard let start = line.range(of: "Error waiting for "), let marker = line.range(of: ": timeout while waiting for state to become '"),
            start.upperBound <= marker.lowerBound
        else { return nil }
        let what = line[start.upperBound..<marker.lowerBound].lowercased()
        guard what.contains("gke") || what.contains("cluster") || what.contains("node pool") || what.contains("nodepool") else { return nil }
        guard let last = ErrorText.word(after: "(last state: '", in: line, stops: ["'"]), last == "RUNNING" || last == "PENDING",
            let timeout = ErrorText.word(after: ", timeout: ", in: line, stops: [")"]), let minutes = goDurationMinutes(timeout)
        else { return nil }
        let nodePool = what.contains("node pool") || what.contains("nodepool")
        let type: String
        if what.contains("master version") {
            type = "UPGRADE_MASTER"
        } else if nodePool && what.contains("version") {
            type = "UPGRADE_NODES"
        } else if what.hasPrefix("creating") {
            type = nodePool ? "CREATE_NODE_POOL" : "CREATE_CLUSTER"
        } else if what.hasPrefix("deleting") {
            type = nodePool ? "DELETE_NODE_POOL" : "DELETE_CLUSTER"
        } else if what.hasPrefix("updating"), !nodePool {
            type = "UPDATE_CLUSTER"
        } else {
            type = "An operation"
        }
        var facts = base(status: last, type: type, target: nodePool ? "the node pool" : "the cluster", minutes: minutes)
        facts.merge(place(in: line)) { _, found in found }
        return facts
    }

    private static func gcloud(_ line: String) -> [String: String]? {
        guard let marker = line.range(of: " has not finished in "), let link = line.range(of: "Operation https://"),
            link.upperBound <= marker.lowerBound
        else { return nil }
        let url = line[line.index(link.lowerBound, offsetBy: "Operation ".count)..<marker.lowerBound]
        guard let seconds = Int(line[marker.upperBound...].prefix { $0.isNumber }), seconds > 0, seconds < 10_000_000 else { return nil }
        let command = ErrorText.word(after: "(gcloud.", in: line, stops: [")"]) ?? ""
        let nodePool = command.contains("node-pools")
        let type = command.hasSuffix("container.clusters.create") ? "CREATE_CLUSTER"
            : command.hasSuffix("container.node-pools.create") ? "CREATE_NODE_POOL"
            : command.hasSuffix("container.clusters.upgrade") ? "An upgrade" : "An operation"
        let target = nodePool ? "the node pool" : command.contains("container.clusters") ? "the cluster"
            : command.contains("config.controller") ? "the Config Controller instance" : "its target"
        var facts = base(status: "RUNNING", type: type, target: target, minutes: seconds / 60)
        let path = String(url)
        if let name = path.split(separator: "/").last.map(String.init), name.hasPrefix("operation-"),
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), name.count <= 128
        {
            facts["operation"] = name
        }
        facts.merge(place(in: path)) { _, found in found }
        return facts
    }

    /// The project (an id: a number is not one for `--project`) and location a resource path in
    /// the text names, each only in its shape.
    private static func place(in text: String) -> [String: String] {
        var facts: [String: String] = [:]
        if let project = ErrorText.project(in: text), ValueCheck.isProject(project), !project.allSatisfy(\.isNumber) { facts["project"] = project }
        if let location = ErrorText.location(in: text), GCPLocation.isLocation(location) { facts["location"] = location }
        return facts
    }

    private static func base(status: String, type: String, target: String, minutes: Int) -> [String: String] {
        var facts = ["status": status, "type": type, "target": target, "running_minutes": String(minutes),
                     "client_timeout_minutes": String(minutes), "client_gave_up": "true", "failed": "false"]
        if let typical = GKEOperationDurations.typicalMinutes(type) { facts["typical_minutes"] = String(typical) }
        return facts
    }

    /// Go's duration as terraform prints a timeout (`45m0s`, `1h0m0s`, `20m`), in whole minutes.
    static func goDurationMinutes(_ text: String) -> Int? {
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in text {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number), number.count <= 9 else { return nil }
            switch character {
            case "h": total += value * 60
            case "m": total += value
            case "s": total += value / 60
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty else { return nil }
        return Int(total)
    }
}
