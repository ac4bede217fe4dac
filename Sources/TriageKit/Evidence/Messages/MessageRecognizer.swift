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
        MissingResourceMessage.recognize,
        APIServerReachMessage.recognize,
    ]

    /// The facts of each message recognised in `text` (one line, colour codes already removed);
    /// empty when it is none of them. Most texts hold one message; an Ingress backends annotation
    /// holds one per unhealthy backend.
    public static func recognize(_ text: String) -> [[String: String]] {
        guard text.utf8.count >= 8, mayHoldMessage(text) else { return [] }
        for recognizer in recognizers {
            if let found = recognizer(text) { return found }
        }
        return []
    }

    /// Words at least one of which every recognised message contains, lower-cased. Most lines of
    /// a pasted log hold none, and one byte scan for them is far cheaper than ten recognisers.
    static let anchors: [[UInt8]] = [
        "webhook", "unable to handle the request", "discoverycheck", "failing or missing response", "ssh tunnels",
        "requested timeout", "status code 504", "pull", "imagepullbackoff", "errimagepull", "vpcservicecontrols", "prohibited by organization",
        "securitypolicyviolated", "violates vpc", "jwk", "iap", "public key from", "legacy network", "reference ",
        "call failed", "desired state", "/backends", "servicemanagement", "servicecontrol", "cloudendpoint",
        "cloud-endpoints", "error dialing backend", "no agent available", "no matches for kind",
        "could not find the requested resource", "/api", "unable to connect to the server", ":10250/", "http trace: dial to", "available_controller", ".svc:",
    ].map { Array($0.utf8) }

    static func mayHoldMessage(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] |= 0x20 }
        return bytes.withUnsafeBufferPointer { line in anchors.contains { TextSearch.find($0, in: line) } }
    }
}
