/// Compute Engine locations: a zone (`us-central1-a`) lies in a region (`us-central1`).
enum GCPLocation {
    /// `us-central1-a` → `us-central1`; a region (or anything else) stays as it is.
    static func region(of location: String) -> String {
        let parts = location.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[2].count == 1 { return parts[0...1].joined(separator: "-") }
        return location
    }

    /// A region or zone name as Compute writes it (`us-central1`, `europe-west4-a`): lower-case
    /// words, a digit at the end of the second, an optional one-letter zone.
    static func isLocation(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, text.utf8.count <= 40 else { return false }
        guard parts[0].allSatisfy({ $0 >= "a" && $0 <= "z" }), !parts[0].isEmpty,
            parts[1].allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }), parts[1].last?.isNumber == true
        else { return false }
        return parts.count == 2 || (parts[2].count == 1 && parts[2].allSatisfy { $0 >= "a" && $0 <= "z" })
    }
}
