import ArgumentParser
import Foundation
import TriageKit

struct Analyze: ParsableCommand {
    // The root command (`triage [PATH…]`) is this one; `triage analyze` is still accepted.
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read logs and name each cause (the same as 'triage' alone).",
        shouldDisplay: false)

    @OptionGroup(title: "Inputs") var inputs: InputOptions

    @OptionGroup(title: "Topology (what triage knows about the cluster)") var network: NetworkOptions

    @OptionGroup(title: "Live (read the project from the Google Cloud APIs)") var liveOptions: LiveOptionGroup

    @OptionGroup(title: "Output") var output: OutputOptions

    // The analysis below reads the options by these names.
    var paths: [String] { inputs.paths }
    var ruleDirectories: [String] { inputs.ruleDirectories }
    var format: OutputFormat { output.format }
    var failOn: FailThreshold { output.failOn }
    var color: ColorChoice { output.color }
    var quiet: Bool { output.quiet }
    var verbose: Bool { output.verbose }
    var maxProblems: Int { output.maxProblems }

    func run() throws {
        Console.ignoreBrokenPipe()
        let topology: Topology
        var rules: [Rule] = []
        // Without --rules nothing can be wrong with them, so the built-in set loads while the
        // input is read; with --rules they load first, so a broken rule file stops the run at once.
        let pendingRules = ruleDirectories.isEmpty ? RuleLoader.startBuiltIn() : nil
        var liveSession: LiveSession?
        var bigQuery: (session: BigQuerySession, query: FlowQuery)?
        do throws(TriageError) {
            try liveOptions.validateCombination()
            var topologyOptions = network.topologyOptions
            var trace: (@Sendable (String) -> Void)?
            // A trace may span lines (a request and its headers): each is its own diagnostic line.
            if verbose {
                // --bigquery alone traces its own requests, so they are not called live ones.
                let prefix = liveOptions.live ? "live: " : "bigquery: "
                trace = { @Sendable text in
                    for line in text.split(separator: "\n") { Console.diagnostic(prefix + line) }
                }
            }
            if liveOptions.live {
                var plan = try LivePlan.make(network: network, live: liveOptions, environment: ProcessInfo.processInfo.environment)
                topologyOptions.clusterFiles = plan.clusterFiles
                if self.inputs.follow { try plan.endWindowNowForFollowing() }
                liveSession = LiveSession(options: plan.options, environment: ProcessInfo.processInfo.environment, trace: trace)
            }
            let bigQueryPlan = try BigQueryPlan.make(network: network, live: liveOptions)
            let quietly = quiet
            topology = try Pipeline.topology(from: topologyOptions) { if !quietly { Console.diagnostic($0.description) } }
            if let plan = bigQueryPlan {
                let query = try BigQueryRunner.flowQuery(topology: topology, window: plan.window, table: plan.options.table)
                bigQuery = (BigQuerySession(options: plan.options, environment: ProcessInfo.processInfo.environment, trace: trace), query)
            }
            if pendingRules == nil { rules = try Pipeline.rules(extra: ruleDirectories) }
        } catch {
            Console.diagnostic("\(error)")
            if case .usage = error { throw ExitCode(64) }
            throw ExitCode(2)
        }

        if self.inputs.follow && bigQuery != nil {
            Console.diagnostic("--follow follows files, standard input and --live; it does not re-run a --bigquery query")
            throw ExitCode(64)
        }
        var inputs: [InputSpec] = []
        if paths.isEmpty && (liveSession != nil || bigQuery != nil || !self.inputs.flowGroupFiles.isEmpty) {
            // --live, --bigquery or --flow-groups alone read no standard input; name '-' to add it.
        } else if paths.isEmpty {
            if Console.stdinIsTerminal {
                Console.err("""
                    triage: no input. Pipe logs in or name files, for example:
                      gcloud logging read 'logName:"compute.googleapis.com%2Ffirewall"' --format=json | triage
                      triage exported-logs/ --cluster cluster.yaml
                    See 'triage --help'.

                    """)
                throw ExitCode(64)
            }
            inputs = [.standardInput]
        } else {
            do {
                inputs = try Pipeline.expand(paths)
            } catch {
                Console.diagnostic("\(error)")
                throw ExitCode(2)
            }
        }

        // With --rules, their recognisers read the input too (the rules are loaded by now).
        let collector = EvidenceCollector(topology: topology, patterns: pendingRules == nil ? MessagePatterns(rules: rules) : .builtIn)
        if !liveOptions.live {
            do throws(TriageError) {
                let now = topology.now.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) } ?? Date()
                collector.window = try liveOptions.fileWindow(now: now)
            } catch {
                Console.diagnostic("\(error)")
                throw ExitCode(64)
            }
        }
        var printed: [String: Int] = [:]
        let quiet = self.quiet
        let verbose = self.verbose
        let maxProblems = self.maxProblems
        collector.onProblem = { problem in
            guard !quiet else { return }
            let shown = printed[problem.input, default: 0]
            printed[problem.input] = shown + 1
            if verbose || shown < maxProblems {
                Console.diagnostic(problem.description)
            } else if shown == maxProblems {
                Console.diagnostic("\(problem.input): more problems; counted in the summary (--verbose prints all)")
            }
        }
        let readStart = DispatchTime.now().uptimeNanoseconds
        let interval = self.inputs.followInterval(live: liveOptions.live)
        // With --follow, standard input is read as it arrives: first what comes before a pause.
        let stream = self.inputs.follow && inputs.contains { $0.path == nil } ? StreamFollower() : nil
        if stream != nil { inputs.removeAll { $0.path == nil } }
        var errors = Pipeline.collect(inputs, into: collector)
        for path in self.inputs.flowGroupFiles {
            guard let data = FileManager.default.contents(atPath: path) else {
                errors.append(.cannotOpen(path: path, reason: "cannot read the file"))
                continue
            }
            do throws(TriageError) {
                collector.addFlowGroups(try QueryRow.rows(json: data), input: path, bytes: data.count)
            } catch {
                errors.append(error)
            }
        }
        // Followed from where this read ended, so nothing appended while it is analysed is lost.
        var followers: [Follower] = self.inputs.follow && !inputs.isEmpty ? [FileFollower(inputs)] : []
        if let stream {
            // The first bytes are waited for a moment (a command starting), not a whole --live interval.
            for note in stream.poll(into: collector, firstWait: Int32(min(interval, 2) * 1000)).notes where !quiet { Console.diagnostic(note) }
            followers.append(stream)
        }
        for error in errors where !quiet { Console.diagnostic(error.description) }
        var liveResult: LiveResult?
        if let liveSession {
            liveResult = LiveRunner.run(liveSession, into: collector, quiet: quiet, forceProgress: liveOptions.forceProgress)
            if self.inputs.follow, let end = liveSession.options.window.to { followers.append(LiveLogFollower(session: liveSession, after: end)) }
        }
        var bigQueryResult: BigQueryResult?
        if let bigQuery {
            bigQueryResult = BigQueryRunner.run(bigQuery.session, bigQuery.query, into: collector, quiet: quiet)
            // Over --max-bytes: refused before anything ran or was billed; no findings without the logs asked for.
            if bigQueryResult?.refused == true { throw ExitCode(2) }
        }
        let readSeconds = Double(DispatchTime.now().uptimeNanoseconds - readStart) / 1e9
        do {
            try Pipeline.checkSelectedCluster(topology, read: collector.clusters)
        } catch {
            Console.diagnostic("\(error)")
            throw ExitCode(64)
        }
        // Nothing read was evidence (empty, blank or only malformed input): that is no all-clear.
        // Standard input still arriving is judged when it ends.
        var withoutEvidence = stream == nil ? collector.finishReading() : []
        for line in withoutEvidence where !quiet { Console.diagnostic(line) }

        if let pendingRules {
            do throws(TriageError) {
                rules = try pendingRules.wait()
            } catch {
                Console.diagnostic("\(error)")
                throw ExitCode(2)
            }
        }
        // --rule names rules that exist (a typo would silently show nothing).
        let ruleIDs = rules.map(\.id)
        for id in output.onlyRules where !ruleIDs.contains(id) {
            let hint = Suggestion.nearest(id, among: ruleIDs).map { "; did you mean '\($0)'?" } ?? "; `triage rules list` lists them"
            Console.diagnostic("--rule: no rule '\(TerminalText.sanitize(id))'" + hint)
            throw ExitCode(64)
        }
        let analyseStart = DispatchTime.now().uptimeNanoseconds
        var analysis = Engine.analyse(collector, topology: topology, rules: rules)
        let allFindings = analysis.findings.count
        let shown: (Finding) -> Bool = { [output] finding in
            finding.severity >= output.severity.least
                && (output.onlyRules.isEmpty || output.onlyRules.contains(finding.rule)
                    || finding.mergedRules.contains(where: output.onlyRules.contains))
        }
        analysis.findings = analysis.findings.filter(shown)
        let analyseSeconds = Double(DispatchTime.now().uptimeNanoseconds - analyseStart) / 1e9
        let options = RenderOptions(color: Console.useColor(color), width: Console.width, verbose: verbose, detail: output.detail)
        Console.out(Renderer.render(analysis, as: format, options: options))
        if let path = output.fixScript {
            do {
                // Owner-only until reviewed: it holds the project's names and is meant to be run.
                try Data(Renderer.render(analysis, as: .script, options: options).utf8).write(to: URL(fileURLWithPath: path))
                chmod(path, 0o700)
            } catch {
                Console.diagnostic("--fix-script \(TerminalText.sanitize(path)): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        if !quiet {
            if verbose {
                let megabytes = Double(analysis.account.bytes) / 1e6
                Console.diagnostic(String(
                    format: "read %.1f MB in %.2f s (%.0f MB/s); analysed %d flow groups in %.2f s",
                    megabytes, readSeconds, megabytes / max(readSeconds, 1e-9), analysis.account.flowGroups, analyseSeconds))
                for inference in analysis.topology.inferences { Console.diagnostic("inferred: \(inference)") }
            }
            Console.err(TerminalText.sanitize(Renderer.accountSummary(analysis)) + "\n")
            if analysis.findings.count < allFindings {
                Console.diagnostic("showing \(analysis.findings.count) of \(allFindings) findings (--rule, --severity); --fail-on judges those shown")
            }
            if let liveResult { LiveRunner.summarise(liveResult) }
            if let bigQueryResult { BigQueryRunner.summarise(bigQueryResult) }
        }
        var worst = analysis.worstSeverity
        if !followers.isEmpty {
            let followed = FollowRunner.run(
                followers, collector: collector, topology: topology, rules: rules, shown: analysis.findings, format: format,
                options: options, keep: shown, interval: interval, looks: self.inputs.followLooks, quiet: quiet)
            worst = followed.worst ?? worst
            if stream != nil {
                withoutEvidence = collector.finishReading()
                for line in withoutEvidence where !quiet { Console.diagnostic(line) }
            }
        }
        if liveResult?.interrupted == true || bigQueryResult?.interrupted == true { throw ExitCode(130) }
        if !errors.isEmpty || !withoutEvidence.isEmpty || !(liveResult?.failures.isEmpty ?? true) || !(bigQueryResult?.failures.isEmpty ?? true) {
            throw ExitCode(2)
        }
        if let worst, worst >= failOn { throw ExitCode(1) }
    }
}
