/// One piece of evidence that is not a firewall log record: a recognised error message, a GKE
/// operation, a cluster's state, a network check that failed, a fact about the network config.
/// Rules select observations by `kind` (a rule's `evidence:`) and test `facts` by name, so new
/// evidence needs new facts, not new engine code.
public struct Observation: Sendable {
    /// Which rules look at it: "message", "operation", "cluster", "check" or "config".
    public var kind: String
    /// Named values rules match, group by and quote ("webhook", "port", "registry", …).
    public var facts: [String: String]
    /// Where it was read; nil for what the network model derived.
    public var location: RecordLocation?
    /// What kind of input it came from, as a user would name it ("kubectl describe",
    /// "gcloud container operations list", "firewall rules", …).
    public var source: String
    /// The line or message it was recognised in, as read (sanitised only when printed).
    public var quote: String?
    /// Microseconds since the epoch, when the evidence carries a time.
    public var time: Int64?

    public init(
        kind: String, facts: [String: String], location: RecordLocation? = nil, source: String, quote: String? = nil,
        time: Int64? = nil
    ) {
        self.kind = kind
        self.facts = facts
        self.location = location
        self.source = source
        self.quote = quote
        self.time = time
    }
}
