import Dispatch
import Foundation
import TriageKit

/// `--follow`: after the report, reads what is appended to the files and prints each finding
/// not shown before as it appears, until Ctrl-C; then the account. Returns the worst severity
/// printed along the way.
enum FollowRunner {
    static func run(
        _ follower: FileFollower, collector: EvidenceCollector, topology: Topology, rules: [Rule], shown: [Finding],
        format: OutputFormat, options: RenderOptions, keep: @escaping (Finding) -> Bool, interval: Double, quiet: Bool
    ) -> Severity? {
        let stop = Cancellation()
        signal(SIGINT, SIG_IGN)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupts.setEventHandler { stop.cancel() }
        interrupts.resume()
        defer {
            interrupts.cancel()
            signal(SIGINT, SIG_DFL)
        }
        if !quiet {
            Console.diagnostic("following \(follower.paths.count) file\(follower.paths.count == 1 ? "" : "s") for new findings every \(interval) s; Ctrl-C stops")
        }
        var printed = Set(shown.map(\.id))
        var worst = shown.map(\.severity).max()
        var last: Analysis?
        while !stop.isCancelled {
            // Short naps, so Ctrl-C is heard at once.
            let until = DispatchTime.now().uptimeNanoseconds + UInt64(interval * 1e9)
            while !stop.isCancelled && DispatchTime.now().uptimeNanoseconds < until { usleep(50_000) }
            if stop.isCancelled { break }
            let (read, notes) = follower.poll(into: collector)
            if !quiet { for note in notes { Console.diagnostic(note) } }
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
        return worst
    }
}
