import Foundation

/// The table `triage --bigquery PROJECT.DATASET[.TABLE]` reads: a Cloud Logging sink's
/// firewall log table (one partitioned table by default, or date shards by a `_*` wildcard).
public struct BigQueryTable: Sendable, Equatable {
    public var project: String
    public var dataset: String
    public var table: String

    /// The table a log sink made with `--use-partitioned-tables` writes firewall logs to; date
    /// shards are read with `PROJECT.DATASET.compute_googleapis_com_firewall_*`.
    public static let sinkTable = "compute_googleapis_com_firewall"

    public init(project: String, dataset: String, table: String = sinkTable) {
        self.project = project
        self.dataset = dataset
        self.table = table
    }

    /// `PROJECT.DATASET[.TABLE]`. A domain-scoped project (`example.com:proj`) keeps its colon.
    /// Every part is checked against BigQuery's own naming rules, so the name is safe between
    /// backquotes in SQL and in a URL path as it is.
    public init(parsing text: String) throws(TriageError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let example = "like my-log-project.firewall_logs or my-log-project.firewall_logs.compute_googleapis_com_firewall"
        // A domain-scoped project holds one dot itself: example.com:proj.dataset[.table].
        var names = parts
        if names.count >= 3, names[1].contains(":") { names = [names[0] + "." + names[1]] + names.dropFirst(2) }
        guard names.count == 2 || names.count == 3 else {
            throw .usage("--bigquery: '\(TerminalText.sanitize(text, limit: TerminalText.Limit.name))' is not PROJECT.DATASET[.TABLE], \(example)")
        }
        guard Self.isProject(names[0]) else {
            throw .usage("--bigquery: '\(TerminalText.sanitize(names[0], limit: TerminalText.Limit.name))' is not a project ID (lower-case letters, digits and '-')")
        }
        guard Self.isDataset(names[1]) else {
            throw .usage("--bigquery: '\(TerminalText.sanitize(names[1], limit: TerminalText.Limit.name))' is not a dataset name (letters, digits and '_')")
        }
        if names.count == 3, !Self.isTable(names[2]) {
            throw .usage("--bigquery: '\(TerminalText.sanitize(names[2], limit: TerminalText.Limit.name))' is not a table name (letters, digits, '_', '-', a trailing '*' for date shards)")
        }
        self.init(project: names[0], dataset: names[1], table: names.count == 3 ? names[2] : Self.sinkTable)
    }

    /// `project.dataset.table`, as written between backquotes in BigQuery SQL.
    public var qualifiedName: String { "\(project).\(dataset).\(table)" }

    /// Backquoted for BigQuery SQL; the parts hold no backquote or backslash (see `init(parsing:)`).
    public var sqlIdentifier: String { "`\(qualifiedName)`" }

    static func isProject(_ name: String) -> Bool {
        let scoped = name.split(separator: ":", omittingEmptySubsequences: false)
        guard scoped.count <= 2, let id = scoped.last, (6...30).contains(id.count), id.first?.isLetter == true else { return false }
        if scoped.count == 2, !scoped[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) || scoped[0].isEmpty {
            return false
        }
        return id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") } && id.last != "-"
    }

    static func isDataset(_ name: String) -> Bool {
        (1...1024).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// Letters, digits, `_` and `-`, with `*` only last (a wildcard over date shards).
    static func isTable(_ name: String) -> Bool {
        let body = name.hasSuffix("*") ? name.dropLast() : Substring(name)
        return !body.isEmpty && name.count <= 1024 && body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

/// What `triage --bigquery` runs, and how.
public struct BigQueryOptions: Sendable {
    public var table: BigQueryTable
    /// The project the query job runs in (and is billed to): `--project`, else the table's.
    public var jobProject: String
    /// Where the dataset lives (`US`, `EU`, `europe-west1`); nil lets BigQuery work it out.
    public var location: String?
    /// Refused when the dry run says the query scans more; also sent as `maximumBytesBilled`.
    public var maximumBytes: Int64 = ByteCount.defaultMaximum
    public var accessTokenFile: String?
    public var timeouts: HTTPTimeouts = .api
    public var retry: RetryPolicy = .standard
    /// Rows per result page (`maxResults`); pages are also cut at 10 MB by BigQuery.
    public var pageSize = 10_000
    /// How long each jobs.query / getQueryResults call waits server-side for the job (`timeoutMs`).
    public var pollTimeoutMilliseconds = 10_000
    /// Give up waiting for a running job after this many seconds (it keeps running in BigQuery).
    public var maximumWait: Double = 600
    /// The command used as the last credentials source; nil skips it (tests).
    public var gcloudCommand: String? = "gcloud"

    public init(table: BigQueryTable, jobProject: String? = nil) {
        self.table = table
        self.jobProject = jobProject ?? table.project
    }

    /// A BigQuery location: a multi-region (`US`, `EU`) or a region (`europe-west1`).
    public static func isLocation(_ name: String) -> Bool {
        (2...40).contains(name.count) && name.first?.isLetter == true
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

/// A byte count as `--max-bytes` takes it: `500MB`, `2GB`, `1.5TB`, `10GiB`, or plain bytes.
public enum ByteCount {
    /// 10 GB: a few days of firewall logs of a busy project, a few cents at on-demand prices.
    public static let defaultMaximum: Int64 = 10_000_000_000

    public static func parse(_ text: String) throws(TriageError) -> Int64 {
        let units: [(String, Double)] = [
            ("KIB", 1024), ("MIB", 1_048_576), ("GIB", 1_073_741_824), ("TIB", 1_099_511_627_776),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("B", 1),
        ]
        let upper = text.trimmingCharacters(in: .whitespaces).uppercased()
        var number = Substring(upper)
        var scale = 1.0
        if let unit = units.first(where: { upper.hasSuffix($0.0) }) {
            number = upper.dropLast(unit.0.count)
            scale = unit.1
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0,
            value * scale >= 1, value * scale < 9e18
        else {
            throw .usage("--max-bytes: '\(TerminalText.sanitize(text, limit: TerminalText.Limit.name))' is not a size like 500MB, 10GB or 1TB")
        }
        return Int64((value * scale).rounded())
    }

    /// `1.2 GB`, `850 MB`, `12 kB`, `900 B`: decimal units, as BigQuery's own console shows them.
    public static func format(_ bytes: Int64) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (scale, name) in units where Double(bytes) >= scale {
            let value = Double(bytes) / scale
            return (value >= 100 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.1f", value)) + " " + name
        }
        return "\(bytes) B"
    }
}
