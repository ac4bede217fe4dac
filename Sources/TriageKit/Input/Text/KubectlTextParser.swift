import Foundation

/// kubectl describe / get events / apply output, helm and kfctl errors, and single pasted lines.
/// Skeleton: recognises nothing yet (the kubectl-text issue fills it in).
public final class KubectlTextParser: TextEvidenceParser {
    let input: String
    public init(input: String) { self.input = input }
    public func line(_ text: String, number: Int) {}
    public func finish(into collector: EvidenceCollector) -> Int { 0 }
}
