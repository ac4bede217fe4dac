/// Turns one error message (a kubectl/helm/kfctl line, an event message, a condition message) into
/// the facts rules match: `message` names the class, `failure` how it failed, and the class's own
/// facts (webhook, registry, vpcsc.id, …). A message belongs to one class; the most specific wins
/// (a VPC Service Controls denial inside a Config Connector update error is a VPC-SC denial).
public enum MessageRecognizer {
    /// The classes in the order they are tried.
    static let recognizers: [@Sendable (String) -> [[String: String]]?] = [
        VPCServiceControlsMessage.recognize,
        WebhookMessage.recognize,
        AggregatedAPIMessage.recognize,
        ControlPlaneTunnelMessage.recognize,
        ImagePullMessage.recognize,
        JWKSMessage.recognize,
        LegacyNetworkMessage.recognize,
        ConfigConnectorMessage.recognize,
        BackendHealthMessage.recognize,
        CloudEndpointsMessage.recognize,
    ]

    /// The facts of each message recognised in `text` (one line, colour codes already removed);
    /// empty when it is none of them. Most texts hold one message; an Ingress backends annotation
    /// holds one per unhealthy backend.
    public static func recognize(_ text: String) -> [[String: String]] {
        guard text.count >= 8 else { return [] }
        for recognizer in recognizers {
            if let found = recognizer(text) { return found }
        }
        return []
    }
}
