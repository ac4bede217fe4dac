import Dispatch
import Foundation
import TriageKit

/// `--follow`: after the report, reads what the followers bring (lines appended to files,
/// standard input as it arrives, new log entries from the API) and prints each finding not
/// shown before as it appears, until Ctrl-C, the end of standard input, or `looks` looks;
/// then the account. Returns the worst severity printed along the way, and the last analysis.
enum FollowRunner {
    static func run(
        _ followers: [Follower], collector: EvidenceCollector, topology: Topology, rules: [Rule], shown: [Finding],
        format: OutputFormat, options: RenderOptions, keep: @escaping (Finding) -> Bool, interval: Double, looks: Int?, quiet: Bool
    ) -> (worst: Severity?, last: Analysis?) {
        let stop = Cancellation()
        signal(SIGINT, SIG_IGN)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupts.setEventHandler {
            stop.cancel()
            for follower in followers { follower.stop() }
        }
        interrupts.resume()
        defer {
            interrupts.cancel()
            signal(SIGINT, SIG_DFL)
        }
        if !quiet {
            let what = followers.map(\.what).joined(separator: " and ")
            let until = followers.contains { $0 is StreamFollower } ? "its end or Ctrl-C stops" : "Ctrl-C stops"
            Console.diagnostic("following \(what) for new findings every \(Self.seconds(interval)); \(until)")
        }
        var printed = Set(shown.map(\.id))
        var worst = shown.map(\.severity).max()
        var last: Analysis?
        var looked = 0
        while !stop.isCancelled && !followers.allSatisfy(\.ended) && looked < (looks ?? .max) {
            // Short naps, so Ctrl-C is heard at once; none while standard input has more waiting.
            let until = DispatchTime.now().uptimeNanoseconds + (followers.contains(where: \.hasMore) ? 0 : UInt64(interval * 1e9))
            while !stop.isCancelled && DispatchTime.now().uptimeNanoseconds < until { usleep(50_000) }
            if stop.isCancelled { break }
            looked += 1
            var read = false
            for follower in followers where !follower.ended {
                let (got, notes) = follower.poll(into: collector)
                if !quiet { for note in notes { Console.diagnostic(note) } }
                read = read || got
            }
            guard read else { continue }
            var analysis = Engine.analyse(collector, topology: topology, rules: rules)
            last = analysis
            let new = analysis.findings.filter { !printed.contains($0.id) && keep($0) }
            guard !new.isEmpty else { continue }
            for finding in new { printed.insert(finding.id) }
            worst = ([worst].compactMap { $0 } + new.map(\.severity)).max()
            analysis.findings = new
            if format == .text {
                let time = Timestamp.formatWholeSeconds(Int64(Date().timeIntervalSince1970 * 1_000_000))
                Console.out("--- \(time): \(new.count) new finding\(new.count == 1 ? "" : "s")\n")
            }
            Console.out(Renderer.render(analysis, as: format, options: options))
        }
        if !quiet, let last {
            Console.err(TerminalText.sanitize(Renderer.accountSummary(last)) + "\n")
        }
        return (worst, last)
    }

    /// `2 s`, `0.5 s`, `30 s`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
