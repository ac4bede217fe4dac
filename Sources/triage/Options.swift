import ArgumentParser
import TriageKit

/// Flags that tell triage about the network, shared by `analyze` and `classify`.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("cluster"), help: ArgumentHelp("Output of 'gcloud container clusters describe' (YAML or JSON). Repeatable. A value that is not a file is a cluster's name: the one, among several described, that checks and fixes are about (with --live, the cluster to read).", valueName: "file|name"), completion: .file())
    var clusterFiles: [String] = []

    @Option(name: .customLong("master-cidr"), help: ArgumentHelp("The control plane range (masterIpv4CidrBlock). Repeatable.", valueName: "cidr"))
    var masterCIDRs: [String] = []

    @Option(name: .customLong("node-cidr"), help: ArgumentHelp("A range the nodes live in (the subnet's primary range). Repeatable.", valueName: "cidr"))
    var nodeCIDRs: [String] = []

    @Option(name: .customLong("pod-cidr"), help: ArgumentHelp("A pod range. Repeatable.", valueName: "cidr"))
    var podCIDRs: [String] = []

    @Option(name: .customLong("service-cidr"), help: ArgumentHelp("The Service range. Repeatable.", valueName: "cidr"))
    var serviceCIDRs: [String] = []

    @Option(name: .customLong("node-tag"), help: ArgumentHelp("The network tag on the cluster's nodes (gke-CLUSTER-HASH-node).", valueName: "tag"))
    var nodeTag: String?

    @Option(help: ArgumentHelp("The VPC network to put in fixes (default: the one in the logs).", valueName: "name"))
    var network: String?

    @Option(help: ArgumentHelp("The project to put in fixes (default: the one in the logs).", valueName: "id"))
    var project: String?

    @Option(help: ArgumentHelp("Judge durations (a GKE operation running for an hour) against this time instead of the clock, e.g. 2026-11-22T10:00:00Z.", valueName: "time"))
    var now: String?

    var topologyOptions: TopologyOptions {
        var options = TopologyOptions()
        options.clusterFiles = clusterFiles
        options.masterCIDRs = masterCIDRs
        options.nodeCIDRs = nodeCIDRs
        options.podCIDRs = podCIDRs
        options.serviceCIDRs = serviceCIDRs
        options.nodeTag = nodeTag
        options.network = network
        options.project = project
        options.now = now
        return options
    }
}

/// What to read, for the analysis.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Files or directories to read (folders are walked); '-' or nothing reads standard input.", valueName: "path"), completion: .file())
    var paths: [String] = []

    @Option(name: .customLong("rules"), help: ArgumentHelp("A directory (or file) of extra rules. Repeatable.", valueName: "dir"), completion: .directory)
    var ruleDirectories: [String] = []

    @Option(name: .customLong("flow-groups"), help: ArgumentHelp("Rows of 'triage sql''s query (JSON lines, or a JSON array as 'bq query --format=json' prints): each row a whole flow group. Repeatable.", valueName: "file"), completion: .file())
    var flowGroupFiles: [String] = []

    @Flag(help: "After the report, keep reading what is appended to the files given (like tail -f), standard input as it arrives (to its end), or with --live the new log entries, and print each new finding as it appears; Ctrl-C stops.")
    var follow = false

    @Option(name: .customLong("follow-interval"), help: ArgumentHelp("With --follow: seconds between looks (default 2; 30 with --live, within the Logging API's read quota).", valueName: "seconds"))
    var followInterval: Double?

    /// Stops following after this many looks (for tests; not in --help).
    @Option(name: .customLong("follow-looks"), help: .hidden)
    var followLooks: Int?

    func validate() throws {
        if let followInterval, followInterval <= 0 || !followInterval.isFinite { throw ValidationError("--follow-interval: give a number of seconds above 0.") }
        if let followLooks, followLooks < 0 { throw ValidationError("--follow-looks: give a number of looks, 0 or more.") }
    }

    /// Seconds between looks: the API is asked less often than a file is looked at.
    func followInterval(live: Bool) -> Double { followInterval ?? (live ? 30 : 2) }
}

/// How the analysis is printed and when it fails.
struct OutputOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "text (the default), json (JSON Lines), markdown (for a ticket, with a Mermaid picture of the denied flows), sarif (SARIF 2.1.0, for code scanning), dot (the denied flows for Graphviz), script (the fix plan as one bash script to review and run), config-connector (the fix plan as Config Connector manifests) or terraform (the fix plan as Terraform resources, importing what exists).",
            valueName: "format"),
        completion: Choice.completion(OutputFormat.self), transform: { try Choice.parse($0) })
    var format: OutputFormat = .text

    @Option(
        name: .customLong("fix-script"),
        help: ArgumentHelp("Also write the fix plan as one reviewable bash script to this file (as --format script prints it).", valueName: "file"),
        completion: .file())
    var fixScript: String?

    @Flag(help: "Text: the summary, then one line per finding and its first fix command (fits one screen).")
    var brief = false

    @Flag(help: "Text: every part of each finding: examples, notes, Config Connector and kpt forms, docs, and the commands that would make it surer (--verbose implies it).")
    var details = false

    @Option(
        name: .customLong("rule"),
        help: ArgumentHelp("Show only findings of this rule, also where it was merged into another rule's finding. Repeatable.", valueName: "id"))
    var onlyRules: [String] = []

    @Option(
        name: .customLong("severity"),
        help: ArgumentHelp("Show only findings at least this severe: error, warning or info (the default).", valueName: "severity"),
        completion: Choice.completion(SeverityFilter.self), transform: { try Choice.parse($0) })
    var severity: SeverityFilter = .info

    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp("Exit 1 when a finding is at least this severe: error (the default), warning, info; none never does.", valueName: "severity"),
        completion: Choice.completion(FailThreshold.self), transform: { try Choice.parse($0) })
    var failOn: FailThreshold = .error

    @Option(
        help: ArgumentHelp("Colour: auto (the default: when stdout is a terminal), always, never. NO_COLOR and FORCE_COLOR are honoured.", valueName: "when"),
        completion: Choice.completion(ColorChoice.self), transform: { try Choice.parse($0) })
    var color: ColorChoice = .auto

    @Flag(name: .shortAndLong, help: "Print only findings; no account or per-record problems on stderr.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print every per-record problem and the inferences made, and every part of each finding (--details).")
    var verbose = false

    @Option(name: .customLong("max-problems"), help: ArgumentHelp("Per-record problems printed per input before they are only counted.", valueName: "n"))
    var maxProblems = 20

    func validate() throws {
        if brief && details { throw ValidationError("--brief and --details ask for opposite amounts of text; give one.") }
    }

    /// How much of each finding text shows: --brief, else --details or --verbose for all of it.
    var detail: TextDetail { brief ? .brief : (details || verbose ? .full : .compact) }
}

/// `--fail-on`: the least severity that makes the run exit 1; `none` never does.
enum FailThreshold: String, CaseIterable, Sendable {
    case error, warning, info, none

    var severity: Severity? { self == .none ? nil : Severity(rawValue: rawValue) }
}

/// Whether a finding's severity reaches the `--fail-on` threshold.
func >= (severity: Severity, threshold: FailThreshold) -> Bool {
    guard let least = threshold.severity else { return false }
    return severity >= least
}

/// `--severity`: the least severity a finding needs to be shown.
enum SeverityFilter: String, CaseIterable, Sendable {
    case error, warning, info

    var least: Severity { Severity(rawValue: rawValue) ?? .info }
}

enum ColorChoice: String, CaseIterable, Sendable {
    case auto, always, never
}

/// `--format` of the commands that print lists (rules, classify).
enum ListFormat: String, CaseIterable, Sendable {
    case text, json
}
