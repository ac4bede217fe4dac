/// Config Connector's condition messages: `reference ComputeNetwork ns/name is not ready`
/// (DependencyNotReady) and `Update call failed: error applying desired state: … googleapi:
/// Error 403: Required 'compute.networks.create' permission for '…', forbidden` (UpdateFailed).
enum ConfigConnectorMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        if let reference = reference(in: text) {
            return [["message": "kcc-dependency-not-ready", "ref.kind": reference.kind, "ref.name": reference.name,
                     "failure": reference.missing ? "not-found" : "not-ready"]]
        }
        guard text.includes("Update call failed") || text.includes("Create call failed")
            || text.includes("error applying desired state") || text.includes("Delete call failed")
        else { return nil }
        var facts = ["message": "kcc-update-failed"]
        facts["failure"] = ErrorText.failure(in: text) ?? (text.includes("Error 400") ? "invalid" : "unknown")
        if let code = ErrorText.word(after: "googleapi: Error ", in: text, stops: [":", ","]) { facts["code"] = code }
        if let permission = text.range(of: "Required '").flatMap({ start in
            text[start.upperBound...].firstIndex(of: "'").map { String(text[start.upperBound..<$0]) }
        }) {
            facts["permission"] = permission
        }
        if let project = ErrorText.project(in: text) { facts["project"] = project }
        // A node pool whose VMs Compute Engine refused: `Current errors: [UNSUPPORTED_OPERATION]: Instance … creation failed: …`.
        if let errors = GKEPattern.currentErrors.groups(in: text) { facts["gce_error"] = errors[1] }
        return [facts]
    }

    struct Reference {
        var kind: String
        var name: String
        var missing: Bool
    }

    /// `reference KIND NS/NAME is not ready` or `… is not found`.
    static func reference(in text: String) -> Reference? {
        guard let start = text.range(of: "reference ") else { return nil }
        let words = text[start.upperBound...].split(separator: " ", maxSplits: 4)
        guard words.count >= 4, words[0].first?.isUppercase == true, words[2] == "is" else { return nil }
        let state = words[3] + (words.count > 4 ? " " + words[4] : "")
        let notReady = state.hasPrefix("not ready")
        let missing = state.hasPrefix("not found")
        guard notReady || missing else { return nil }
        return Reference(kind: String(words[0]), name: String(words[1]), missing: missing)
    }
}
