import Foundation

/// Every error triage reports: a sentence saying what went wrong, and a hint saying what to do.
public enum TriageError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(input: String, reason: String)
    case truncatedGzip(input: String, afterBytes: Int64)
    case corruptGzip(input: String, reason: String)
    case unknownFormat(input: String, firstBytes: String)
    case recordTooLarge(input: String, line: Int, limit: Int)
    case badRuleFile(file: String, line: Int?, field: String, reason: String)
    case duplicateRule(id: String, files: [String])
    case badCluster(input: String, reason: String)
    case usage(String)
    /// `--live`: a source (an API, or one request of it) that gave no data, or not all of it.
    case noData(source: String, reason: String, hint: String?)
    /// `--live` or `--bigquery`: no way to get an access token.
    case noCredentials(reason: String, hint: String)

    public var description: String { sentence + (hint.map { " (\($0))" } ?? "") }

    public var sentence: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .readFailed(let input, let reason): return "\(input): read failed: \(reason)"
        case .truncatedGzip(let input, let bytes):
            return "\(input): gzip data ends early (after \(bytes) uncompressed bytes); what came before was analysed"
        case .corruptGzip(let input, let reason): return "\(input): gzip data is corrupt: \(reason)"
        case .unknownFormat(let input, let first):
            return "\(input): unrecognised format (starts with \"\(first)\")"
        case .recordTooLarge(let input, let line, let limit):
            return "\(input):\(line): a record larger than \(limit / (1 << 20)) MiB; the rest of this input was not read"
        case .badRuleFile(let file, let line, let field, let reason):
            return "\(file)\(line.map { ":\($0)" } ?? ""): rule field '\(field)': \(reason)"
        case .duplicateRule(let id, let files): return "rule id '\(id)' is defined twice: \(files.joined(separator: ", "))"
        case .badCluster(let input, let reason): return "\(input): not a usable cluster description: \(reason)"
        case .usage(let message): return message
        case .noData(let source, let reason, _): return "no data from \(source): \(reason)"
        case .noCredentials(let reason, _): return "no credentials for the Google APIs (--live, --bigquery): \(reason)"
        }
    }

    /// A GKE cluster name (lower-case letters, digits and `-`, a letter first, at most 40), with
    /// no path or extension: safe to repeat in a command as it is.
    static func looksLikeClusterName(_ text: String) -> Bool {
        guard (1...40).contains(text.count), text.first?.isLetter == true, text.last != "-" else { return false }
        return text.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
    }

    public var hint: String? {
        switch self {
        case .unknownFormat:
            return "accepted: gcloud logging read output (default YAML or --format=json), NDJSON, a JSON array "
                + "or stream of LogEntry objects, a Cloud Storage log sink export; gcloud container clusters "
                + "and operations output, gcloud network config listings (firewall rules, routes, subnets, "
                + "routers, DNS) as table, JSON or YAML; kubectl describe, get events and apply error text; "
                + "any of them gzip-compressed"
        case .truncatedGzip: return "the file was probably cut short while copying; fetch it again"
        case .badCluster: return "pass the output of: gcloud container clusters describe CLUSTER --location LOCATION"
        case .badRuleFile: return "see Rules/README.md for the rule format"
        case .cannotOpen(let path, let reason) where reason.lowercased().contains("no such file") && Self.looksLikeClusterName(path):
            // A cluster's name given where a file was expected (`--cluster kf-private`, `triage kf-private`).
            return "if \(path) is a cluster, read it live: triage --live --project PROJECT --cluster \(path); "
                + "or save its description: gcloud container clusters describe \(path) --location LOCATION --format=yaml > \(path).yaml"
        case .noData(_, _, let hint): return hint
        case .noCredentials(_, let hint): return hint
        default: return nil
        }
    }
}
