/// Compute Engine locations: a zone (`us-central1-a`) lies in a region (`us-central1`).
enum GCPLocation {
    /// `us-central1-a` → `us-central1`; a region (or anything else) stays as it is.
    static func region(of location: String) -> String {
        let parts = location.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[2].count == 1 { return parts[0...1].joined(separator: "-") }
        return location
    }
}
