import ArgumentParser
import Foundation
import TriageKit

@main
struct Triage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Names the cause of private GKE networking failures from the logs you already have, with the command that fixes it.",
        discussion: """
            Examples:
              gcloud logging read 'logName:"compute.googleapis.com%2Ffirewall" AND jsonPayload.disposition="DENIED"' | triage
              triage exported-logs/ --cluster cluster.yaml
              triage --live --project my-project --cluster kf-private --since 6h
              triage rules list
              triage classify 172.16.0.2 10.20.1.14 --cluster cluster.yaml

            Exit status: 0 nothing at or above --fail-on; 1 findings at or above it; 2 an input error
            (findings still printed); 64 a usage error; 130 --live interrupted.
            """,
        version: "triage \(TriageVersion.string)",
        subcommands: [Analyze.self, RulesCommand.self, Classify.self, Version.self],
        defaultSubcommand: Analyze.self)
}
