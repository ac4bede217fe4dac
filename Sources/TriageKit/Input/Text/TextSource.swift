/// Names the tool a pasted line came from, the way a user would: "kubectl apply", "helm",
/// "kfctl", "kubectl", or "pasted text". A shell prompt line (`$ helm install …`) names the tool
/// for the lines after it.
struct TextSource {
    private(set) var fromPrompt: String?

    /// Remembers the tool when `text` is a command line; true when it was one.
    mutating func notePrompt(_ text: String) -> Bool {
        var command = Substring(text.trimmingCharacters(in: [" "]))
        for prompt in ["$ ", "% ", "# ", "> "] where command.hasPrefix(prompt) {
            command = command.dropFirst(prompt.count)
            let words = command.split(separator: " ")
            guard let tool = words.first else { return false }
            switch tool {
            case "kubectl", "k":
                let verb = words.dropFirst().first { !$0.hasPrefix("-") }.map(String.init) ?? ""
                fromPrompt = ["apply", "create", "replace", "patch"].contains(verb) ? "kubectl apply"
                    : verb == "logs" ? "kubectl logs" : "kubectl"
            case "helm": fromPrompt = "helm"
            case "kfctl": fromPrompt = "kfctl"
            case "terraform", "cdktf", "gcloud": fromPrompt = String(tool)
            default: fromPrompt = nil
            }
            return true
        }
        return false
    }

    func source(of text: String) -> String {
        if text.includes("(kubeflow.error)") || text.includes("kfApp") || text.hasPrefix("kfctl")
            || TextSource.isLogrusLine(text)
        {
            return "kfctl"
        }
        for prefix in ["Error: INSTALLATION FAILED", "Error: UPGRADE FAILED", "Error: INSTALL FAILED",
                       "Error: failed pre-install", "Error: failed post-install", "Error: rendered manifests"]
        where text.hasPrefix(prefix) {
            return "helm"
        }
        for marker in ["error when creating", "error when applying", "error when patching", "error when replacing",
                       "error when retrieving current configuration"] where text.contains(marker) {
            return "kubectl apply"
        }
        // terraform ≥ 0.15 and CDKTF box their errors (`│ Error:`); 0.11 lists them (`* google_…:`).
        if text.hasPrefix("│") || text.hasPrefix("* google_") { return "terraform" }
        if text.includes("ERROR: (gcloud.") { return "gcloud" }
        if let fromPrompt { return fromPrompt }
        if text.hasPrefix("Error from server") || text.hasPrefix("error: ") || TextSource.isKlogLine(text) {
            return "kubectl"
        }
        return "pasted text"
    }

    /// kfctl logs through logrus: `ERRO[0145] message  filename="…"`.
    static func isLogrusLine(_ text: String) -> Bool {
        for level in ["INFO[", "WARN[", "ERRO[", "FATA[", "DEBU["] where text.hasPrefix(level) { return true }
        return false
    }

    /// kubectl's own warnings: `E1122 09:14:02.123456   12345 memcache.go:287] …`.
    static func isKlogLine(_ text: String) -> Bool {
        let characters = Array(text.prefix(6))
        guard characters.count == 6, "IWEF".contains(characters[0]) else { return false }
        return characters[1...].allSatisfy(\.isNumber) && text.includes("] ")
    }
}
