import Foundation

/// GKE operations (`gcloud container operations list/describe` as JSON or YAML, the API's list
/// response). Skeleton: recognises nothing yet (the operations issue fills it in).
public enum GKEOperations {
    /// Observations of kind "operation" for an operation document or a list of them; nil when
    /// the document is not an operation.
    public static func observations(from document: [String: Any], location: RecordLocation) -> [Observation]? { nil }

    /// Facts that depend on the time of analysis (how long a RUNNING operation has run).
    public static func derive(_ facts: inout [String: String], now: Int64) {}
}

/// A cluster's own state (`status`, `statusMessage`, `conditions`) as observations of kind "cluster".
public enum ClusterState {
    public static func observations(from document: [String: Any], location: RecordLocation) -> [Observation] { [] }
}
