/// The cluster autoscaler's visibility log (`container.googleapis.com/cluster-autoscaler-visibility`)
/// says why a scale-up failed as a message id with parameters, not as a sentence:
/// `jsonPayload.resultInfo.results[].errorMsg {messageId: "scale.up.error.quota.exceeded",
/// parameters: [MIG URL]}`, and the same pair under `noDecisionStatus.noScaleUp` (its reasons and
/// skipped or rejected MIGs). Its entries carry no severity, so nothing else reads them
/// (argoproj-labs/argocd-autopilot#324 saw the id in the console). Each error id becomes a text
/// (`cluster autoscaler: scale.up.error.quota.exceeded: https://…/instanceGroups/…`) that the GKE
/// cause rules classify like an operation's message; the ids are in the rules' recognisers.
enum AutoscalerVisibility {
    struct Message: Equatable {
        var id: String
        var parameters: [String]

        /// The text the cause rules read.
        var text: String { (["cluster autoscaler: " + id] + parameters).joined(separator: ": ") }

        /// An error id (`scale.up.error.…`, `no.scale.up.nap.…error…`), as opposed to a reason a pod did not fit.
        var isError: Bool { id.contains(".error.") || id.hasSuffix(".error") }

        /// The instance group a parameter names (`…/zones/Z/instanceGroups/NAME`).
        var instanceGroup: String? {
            for parameter in parameters {
                if let name = ErrorText.word(after: "/instanceGroups/", in: parameter, stops: ["/", " "]) { return name }
            }
            return nil
        }
    }

    /// Whether a payload is the visibility log's: its decision, result or no-decision status.
    static func isVisibilityPayload(_ payload: [String: Any]) -> Bool {
        payload["resultInfo"] != nil || payload["noDecisionStatus"] != nil || payload["decision"] != nil
    }

    /// Every `{messageId, parameters}` in the payload, in document order, once each, at most
    /// `maximumMessages` (an entry lists a reason per MIG; the first few say it).
    static func messages(in payload: [String: Any]) -> [Message] {
        var found: [Message] = []
        collect(payload, depth: 0, into: &found)
        return found
    }

    static let maximumMessages = 16
    static let maximumDepth = 12

    private static func collect(_ value: Any, depth: Int, into found: inout [Message]) {
        guard depth < maximumDepth, found.count < maximumMessages else { return }
        if let object = value as? [String: Any] {
            if let id = object["messageId"] as? String, !id.isEmpty {
                let parameters = (object["parameters"] as? [Any] ?? []).compactMap { $0 as? String }.prefix(4)
                let message = Message(id: TextLine.capped(id, limit: 200),
                                      parameters: parameters.map { TextLine.capped($0, limit: 400) })
                if !found.contains(message) { found.append(message) }
            }
            for key in object.keys.sorted() where key != "messageId" && key != "parameters" {
                collect(object[key]!, depth: depth + 1, into: &found)
            }
        } else if let array = value as? [Any] {
            for item in array { collect(item, depth: depth + 1, into: &found) }
        }
    }
}
