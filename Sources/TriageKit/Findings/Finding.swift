/// One cause, with its evidence and its fix. Renderers turn this into text, JSON or Markdown;
/// nothing here knows how it will be shown.
public struct Finding: Sendable {
    public struct Endpoint: Sendable, Hashable {
        public var ip: String
        public var role: Role
        public var range: String?
        public var confidence: Confidence
        public var reason: String
    }

    public struct Example: Sendable {
        public var location: String?
        public var insertID: String?
        public var timestamp: String?
        public var source: String
        public var destination: String
        public var protocolName: String
        public var vmName: String?
        public var remoteLocation: String?
    }

    public struct DenyingRule: Sendable, Hashable {
        public var reference: String
        public var name: String
        public var priority: Int?
    }

    /// One input's part in a finding: what it showed and where.
    public struct EvidenceSource: Sendable {
        /// The kind of input ("firewall log", "kubectl describe", "firewall rules", …).
        public var kind: String
        /// The rule that read it, and what it saw, in its words.
        public var rule: String
        public var summary: String
        public var count: Int
        /// A few file:line places, and the lines themselves for text evidence.
        public var locations: [String]
        public var quotes: [String]
    }

    public struct Remedy: Sendable {
        public var why: String
        public var notes: [String]
        /// The steps that check and fix it, in order.
        public var actions: [RemedyAction]
        /// Config Connector manifests for the same fix (Kubeflow blueprints manage the network so).
        public var configConnector: [String] = []
        /// Kubeflow blueprint kpt setter commands, where one exists.
        public var kpt: [String] = []
        public var references: [String]
        /// Steps of this finding's fix that the config given shows are done already, each with
        /// what shows it (a zone that exists, Private Google Access on): never printed as steps.
        public var inPlace: [String] = []
    }

    /// Stable across runs: the rule id and the facts that change the remedy.
    public var id: String
    public var rule: String
    public var severity: Severity
    public var title: String
    public var message: String
    /// "observed" when every role was known, "inferred" when any was worked out from the logs.
    public var confidence: String
    public var count: Int
    public var firstSeen: String?
    public var lastSeen: String?
    public var direction: String?
    public var protocolName: String?
    public var port: Int?
    /// The group-by facts that identify this cause.
    public var facts: [String: String]
    public var sources: [Endpoint]
    public var destinations: [Endpoint]
    public var distinctSources: Int
    public var distinctDestinations: Int
    /// True when more distinct addresses were seen than were kept (the counts are then lower bounds).
    public var moreSources: Bool
    public var moreDestinations: Bool
    /// True when an end was counted per address class (past the flow table's exact bound): its
    /// endpoints are a sample and its distinct count a lower bound.
    public var sampledSources = false
    public var sampledDestinations = false
    /// With a sampled end, its estimated number of distinct addresses (a HyperLogLog sketch, about
    /// 6.5% standard error), when its samples did not hold them all; `distinctSources` is then
    /// the lower bound.
    public var estimatedDistinctSources: Int?
    public var estimatedDistinctDestinations: Int?

    /// Says that an end's endpoints are a sample, with the least number of distinct addresses,
    /// or the estimated number when there is one.
    static func sampledNote(_ atLeast: Int, estimate: Int? = nil) -> String {
        if let estimate { return "≈ \(estimate) distinct (estimated), counted per address class past the exact flow bound" }
        return "at least \(atLeast) distinct, counted per address class past the exact flow bound"
    }
    public var deniedBy: [DenyingRule]
    public var examples: [Example]
    public var remedy: Remedy
    /// The cause key findings merge on (nil for rules without one).
    public var cause: String? = nil
    /// The cluster the finding is about, when the run has several.
    public var cluster: String? = nil
    /// Every input that showed this cause, by kind.
    public var evidence: [EvidenceSource] = []
    /// Other rules whose findings were merged into this one.
    public var mergedRules: [String] = []
    /// Commands whose output would make this finding surer, for evidence kinds not given.
    public var surerWith: [String] = []
}
