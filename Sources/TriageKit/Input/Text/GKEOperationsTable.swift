import Foundation

/// `gcloud container operations list` in its default table layout.
/// Skeleton: recognises nothing yet (the operations issue fills it in).
public final class GKEOperationsTable: TextTableParser {
    public static func parser(header: String, input: String, line: Int) -> GKEOperationsTable? { nil }
    public func line(_ text: String, number: Int) {}
    public func finish(into collector: EvidenceCollector) -> Int { 0 }
}
