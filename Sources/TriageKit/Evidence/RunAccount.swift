/// What a run read and what it did with it: printed at the end of every run.
public struct RunAccount: Sendable, Equatable {
    public var inputs = 0
    public var bytes: Int64 = 0
    public var records = 0
    public var firewallRecords = 0
    public var deniedRecords = 0
    public var allowedRecords = 0
    public var flowGroups = 0
    public var clusterDescriptions = 0
    /// LogEntries of other logs, by log id (passed over, not errors).
    public var otherLogEntries: [String: Int] = [:]
    /// Evidence other than firewall logs, by source ("GKE operations", "firewall rules", "kubectl text", …).
    public var evidence: [String: Int] = [:]
    /// Lines read from text inputs.
    public var textLines = 0
    /// Records that are not LogEntries nor a known resource.
    public var unrecognisedRecords = 0
    /// Records and inputs skipped, by reason.
    public var skipped: [String: Int] = [:]
    /// Values that failed their check in evidence that was still used (the fact they would have
    /// filled left unknown), by kind: "invalid jsonPayload.timestamp". Values that made a record
    /// or resource be skipped are counted in `skipped` instead.
    public var invalidValues: [String: Int] = [:]
    /// Records that reached a finding.
    public var matchedRecords = 0
    /// Observations (evidence other than firewall records) that reached a finding.
    public var matchedObservations = 0
    /// Errors that stopped an input early.
    public var inputErrors: [String] = []
    /// Config listings of which a part could not be read (a region or page that failed): what
    /// they lack is "no data", never "none".
    public var partialListings: [String] = []
    /// Inputs that gave no evidence, each with why; named only when the whole run read none.
    public var inputsWithoutEvidence: [InputWithoutEvidence] = []

    /// Firewall records, cluster descriptions and other evidence: what findings are made of.
    /// LogEntries of other logs, unrecognised and skipped records are not evidence.
    public var evidenceRead: Int { firewallRecords + clusterDescriptions + evidence.values.reduce(0, +) }

    public var otherRecords: Int { otherLogEntries.values.reduce(0, +) + unrecognisedRecords + clusterDescriptions }
    public var skippedTotal: Int { skipped.values.reduce(0, +) }
    public var invalidValuesTotal: Int { invalidValues.values.reduce(0, +) }
}

/// An input that gave no evidence, and why (empty, every record skipped, unreadable, …).
public struct InputWithoutEvidence: Sendable, Equatable {
    public var input: String
    public var reason: String
}
