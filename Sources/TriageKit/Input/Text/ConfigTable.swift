import Foundation

/// gcloud's default tables for network config (`compute firewall-rules list`, `routes list`, …).
/// Skeleton: recognises nothing yet (the network-config issue fills it in).
public final class ConfigTable: TextTableParser {
    public static func parser(header: String, input: String, line: Int) -> ConfigTable? { nil }
    public func line(_ text: String, number: Int) {}
    public func finish(into collector: EvidenceCollector) -> Int { 0 }
}
