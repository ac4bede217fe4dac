import ArgumentParser
import Foundation
import TriageKit

/// `triage [PATH…]`: the analysis is the command itself; `rules`, `classify` and `version` are
/// subcommands. The help, the man page and the shell completions are all made from this type.
@main
struct Triage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Names the cause of private GKE networking failures from the logs you already have, with the command that fixes it.",
        usage: """
            triage [<options>] [<path> ...]
            triage --live --project <id> [<options>] [<path> ...]
            triage --bigquery <project.dataset[.table]> [<options>] [<path> ...]
            triage <subcommand>
            """,
        discussion: """
            Three ways in:
              a pipe (gcloud, kubectl, a paste):
                gcloud logging read 'logName:"compute.googleapis.com%2Ffirewall"' | triage
                kubectl describe pod -n kubeflow ml-pipeline-0 | triage --cluster cluster.yaml
              files and folders (sink exports, saved gcloud and kubectl output):
                triage denied.json events.txt exported-logs/ --cluster cluster.yaml
              the Google Cloud APIs:
                triage --live --project my-project --cluster kf-private --since 6h
              BigQuery, where a log sink keeps them (the aggregation runs there):
                triage --bigquery my-logs.firewall_logs --since 7d --cluster cluster.yaml
              or run the grouping query there yourself (BigQuery, DuckDB; 'triage sql --help'):
                triage sql --cluster cluster.yaml --table P.D.compute_googleapis_com_firewall_* | bq query ...
                triage --flow-groups groups.json --cluster cluster.yaml
            For CI:
                triage exported-logs/ --format sarif --fail-on warning > triage.sarif

            Exit status: 0 nothing at or above --fail-on; 1 a finding at or above it; 2 an input error
            (findings from what was read are still printed); 64 a usage error; 130 --live interrupted.
            """,
        version: "triage \(TriageVersion.string)",
        subcommands: [RulesCommand.self, Classify.self, SQLCommand.self, Version.self])

    @OptionGroup var analysis: Analyze

    /// A first argument that is no file but nearly a subcommand's name is a typo, not an input:
    /// `triage rule list`, `triage clasify 1.2.3.4`. An existing path is always read.
    func validate() throws {
        guard let first = analysis.paths.first, first != "-", !FileManager.default.fileExists(atPath: first) else { return }
        let commands = Self.configuration.subcommands.map { $0._commandName }
        guard let command = Suggestion.nearest(first, among: commands) else { return }
        throw ValidationError("'\(first)' is not a file or directory; did you mean 'triage \(command)'?")
    }

    func run() throws { try analysis.run() }

    /// argument-parser reads every word as a path once the command takes paths, so a first
    /// argument naming a subcommand is routed to a command that has only the subcommands.
    static func main() {
        Memory.fixMallocThresholds()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let shell = completionShell(arguments) {
            print(ShellCompletion.script(for: shell), terminator: "")
        } else if arguments == ["help"] {
            main(["--help"])
        } else if let first = arguments.first, Subcommands.names.contains(first) {
            Subcommands.main(arguments)
        } else {
            main(arguments)
        }
    }

    /// The shell of `--generate-completion-script SHELL` (or `=SHELL`) when that is the request.
    private static func completionShell(_ arguments: [String]) -> CompletionShell? {
        let flag = "--generate-completion-script"
        if arguments.count == 2, arguments[0] == flag { return CompletionShell(rawValue: arguments[1]) }
        if arguments.count == 1, arguments[0].hasPrefix(flag + "=") { return CompletionShell(rawValue: String(arguments[0].dropFirst(flag.count + 1))) }
        return nil
    }
}

/// The subcommands alone, under the same name, for `triage rules …`, `triage classify …`,
/// `triage version`, `triage help SUBCOMMAND` and the older spelling `triage analyze …`.
struct Subcommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        subcommands: Triage.configuration.subcommands + [Analyze.self])

    static var names: Set<String> {
        Set(configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases } + ["help"])
    }
}
