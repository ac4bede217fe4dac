import Dispatch
import Foundation
import TriageKit

/// What `--live` needs from the command line, checked before anything is fetched.
struct LivePlan {
    var options: LiveOptions
    /// `--cluster` values that are files (descriptions); a value that is not a file is a name.
    var clusterFiles: [String]

    static func make(network: NetworkOptions, live: LiveOptionGroup, environment: [String: String]) throws(TriageError) -> LivePlan {
        guard let project = network.project ?? environment["CLOUDSDK_CORE_PROJECT"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw .usage("--live needs --project (or CLOUDSDK_CORE_PROJECT)")
        }
        var files: [String] = []
        var names: [String] = []
        for value in network.clusterFiles {
            if FileManager.default.fileExists(atPath: value) { files.append(value) } else { names.append(value) }
        }
        guard names.count <= 1 else { throw .usage("--live reads one named cluster or all of them; got \(names.joined(separator: ", "))") }
        var options = LiveOptions(project: project, window: try live.window())
        options.clusterName = names.first
        options.location = live.location
        options.accessTokenFile = live.accessTokenFile
        return LivePlan(options: options, clusterFiles: files)
    }

    /// `--follow`: the first read ends now, and the looks after it read only what comes later.
    mutating func endWindowNowForFollowing(now: Date = Date()) throws(TriageError) {
        guard options.window.to == nil else {
            throw .usage("--follow reads new log entries as they come; --to ends the window, so there is nothing to follow")
        }
        options.window.to = now
    }
}

/// Runs a live session for the CLI: Ctrl-C stops fetching (a second one exits at once), and
/// a progress line is kept on stderr when it is a terminal.
enum LiveRunner {
    /// `forceProgress` draws the progress line even when stderr is not a terminal (tests).
    static func run(_ session: LiveSession, into collector: EvidenceCollector, quiet: Bool, forceProgress: Bool = false) -> LiveResult {
        let showProgress = forceProgress || (!quiet && Console.stderrIsTerminal)
        let progress = LiveProgress(width: Console.stderrWidth)
        if showProgress {
            session.onProgress = { counts in
                if let line = progress.update(counts, now: Double(DispatchTime.now().uptimeNanoseconds) / 1e9) { Console.status.show(line) }
            }
        }
        let result = interruptible(session.cancellation) { session.run(into: collector) }
        // Ended before anything else is printed: the failures below, then the findings.
        if showProgress { Console.status.clear() }
        if !quiet {
            for failure in result.failures { Console.diagnostic(failure.description) }
        }
        return result
    }

    /// Runs `body` with Ctrl-C cancelling `cancellation`; a second Ctrl-C exits at once.
    static func interruptible<T>(_ cancellation: Cancellation, _ body: () -> T) -> T {
        signal(SIGINT, SIG_IGN)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupts.setEventHandler {
            if cancellation.isCancelled { exit(130) }
            Console.err("triage: interrupted; stopping the fetch and printing what was found (Ctrl-C again to quit now)\n")
            cancellation.cancel()
        }
        interrupts.resume()
        defer {
            interrupts.cancel()
            signal(SIGINT, SIG_DFL)
        }
        return body()
    }

    /// The closing lines: where the token came from, and what is missing from the findings.
    static func summarise(_ result: LiveResult) {
        var line = "live: \(result.requests) request\(result.requests == 1 ? "" : "s")"
        if let credentials = result.credentials { line += ", credentials from \(credentials)" }
        line += ", \(result.progress.pages) page\(result.progress.pages == 1 ? "" : "s") read"
        if result.tokenRefreshes > 0 { line += ", token renewed \(result.tokenRefreshes) time\(result.tokenRefreshes == 1 ? "" : "s")" }
        if result.pageRetries > 0 {
            line += ", \(result.pageRetries) cut log page\(result.pageRetries == 1 ? "" : "s") asked for again"
                + " (\(result.entriesSkippedOnRetry) entries already read were skipped)"
        }
        if result.operationsOutsideWindow > 0 {
            line += ", \(result.operationsOutsideWindow) GKE operation\(result.operationsOutsideWindow == 1 ? "" : "s") outside the window left out"
        }
        if !result.publicZonesSkipped.isEmpty {
            line += ", record sets of \(result.publicZonesSkipped.count) public DNS zone\(result.publicZonesSkipped.count == 1 ? "" : "s") not read"
        }
        Console.diagnostic(line + ".")
        reportMissing(result.failures, interrupted: result.interrupted)
    }

    /// What the failures left out of the findings, said so that no finding is not read as all clear.
    static func reportMissing(_ failures: [TriageError], interrupted: Bool) {
        var missing: [String] = []
        for failure in failures {
            if case .noData(let source, _, _) = failure, !missing.contains(source) { missing.append(source) }
            if case .noCredentials = failure, !missing.contains("everything (no credentials)") { missing.append("everything (no credentials)") }
        }
        if interrupted { missing.append("whatever was not fetched before the interruption") }
        if !missing.isEmpty {
            Console.diagnostic("missing from this run: \(missing.joined(separator: "; ")). The findings cover only what was read; no finding about these parts does not mean nothing is wrong there.")
        }
    }
}
