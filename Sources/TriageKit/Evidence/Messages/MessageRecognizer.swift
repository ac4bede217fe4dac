/// Turns one error message (a kubectl/helm/kfctl line, an event message, a condition message) into
/// the facts rules match: `message` names the class, `failure` how it failed, and the class's own
/// facts (webhook, registry, vpcsc.id, …). A message belongs to one class; the most specific wins
/// (a VPC Service Controls denial inside a Config Connector update error is a VPC-SC denial).
public enum MessageRecognizer {
    /// Tried before anything else: a VPC Service Controls denial is that, whatever else the text says.
    static let first: [@Sendable (String) -> [[String: String]]?] = [VPCServiceControlsMessage.recognize]

    /// The classes written in Swift (where recognising takes reasoning), tried after the rules'
    /// data recognisers, which name specific phrases.
    static let recognizers: [@Sendable (String) -> [[String: String]]?] = [
        WebhookMessage.recognize,
        AggregatedAPIMessage.recognize,
        RequestTimeoutMessage.recognize,
        ImagePullMessage.recognize,
        ConfigConnectorMessage.recognize,
        BackendHealthMessage.recognize,
        APIServerReachMessage.recognize,
    ]

    /// The facts of each message recognised in `text` (one line, colour codes already removed);
    /// empty when it is none of them. Most texts hold one message; an Ingress backends annotation
    /// holds one per unhealthy backend. VPC Service Controls first, then the rules' data recognisers
    /// (`patterns`) for where the text was found, then the classes written in Swift.
    public static func recognize(
        _ text: String, patterns: MessagePatterns = .current, scope: MessagePattern.Scope = .text
    ) -> [[String: String]] {
        let found = recognizeAsWritten(text, patterns: patterns, scope: scope)
        // A message quoted inside a JSON string or a structured log's field (zap's `"error": "no
        // matches for kind \"RayCluster\" in version \"ray.io/v1\""`, ray-project/kuberay#1552):
        // read once more with that quoting undone.
        if found.isEmpty, text.utf8.contains(0x5C), let plain = ErrorText.unescaped(text) {
            return recognizeAsWritten(plain, patterns: patterns, scope: scope)
        }
        return found
    }

    private static func recognizeAsWritten(
        _ text: String, patterns: MessagePatterns, scope: MessagePattern.Scope
    ) -> [[String: String]] {
        guard text.utf8.count >= 8 else { return [] }
        var bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] |= 0x20 }
        return bytes.withUnsafeBufferPointer { lowercased -> [[String: String]] in
            let anchored = anchors.contains { TextSearch.find($0, in: lowercased) }
            if anchored {
                for recognizer in first {
                    if let found = recognizer(text) { return found }
                }
            }
            if let found = patterns.recognise(text, lowercased: lowercased, scope: scope) { return [found] }
            if anchored {
                for recognizer in recognizers {
                    if let found = recognizer(text) { return found }
                }
            }
            return []
        }
    }

    /// Words at least one of which every message a Swift recogniser knows contains, lower-cased.
    /// Most lines of a pasted log hold none, and one byte scan for them is far cheaper than ten
    /// recognisers. The data recognisers' words come from their patterns (`PatternKeywords`).
    static let anchors: [[UInt8]] = [
        "webhook", "unable to handle the request", "discoverycheck", "failing or missing response", "requested timeout",
        "status code 504", "pull", "imagepullbackoff", "errimagepull", "vpcservicecontrols", "prohibited by organization",
        "securitypolicyviolated", "violates vpc", "reference ", "call failed",
        "desired state", "/backends", "backends:", "error dialing backend", "/api", "/version?", "unable to connect to the server", ":10250/",
        "http trace: dial to", "available_controller", ".svc:", "/openapi/", "cluster unreachable", "cluster is unreachable", "{\"k8s-be-", "{\"k8s1-", "connecttimeouterror", "newconnectionerror", "healthstate", "waiting for pod to become healthy",
    ].map { Array($0.utf8) }
}
