import ArgumentParser
import Foundation
import TriageKit

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "List, explain or check rules.",
        subcommands: [List.self, Explain.self, Check.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules (built in and --rules).")

        @Option(name: .customLong("rules"), help: ArgumentHelp("Extra rules. Repeatable.", valueName: "dir"), completion: .directory)
        var ruleDirectories: [String] = []

        @Option(
            help: ArgumentHelp("text (the default) or json (JSON Lines).", valueName: "format"),
            completion: Choice.completion(ListFormat.self), transform: { try Choice.parse($0) })
        var format: ListFormat = .text

        func run() throws {
            Console.ignoreBrokenPipe()
            let rules = try loadOrExit(ruleDirectories)
            if format == .json { return Console.out(CatalogueJSON.rules(rules)) }
            // Rules from --rules are someone else's files: their text is shown escaped, one line each.
            let ids = rules.map { TerminalText.sanitize($0.id, limit: TerminalText.Limit.name) }
            let width = ids.map(\.count).max() ?? 0
            for (rule, id) in zip(rules, ids) {
                let padded = id.padding(toLength: width, withPad: " ", startingAt: 0)
                let severity = rule.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                Console.out("\(padded)  \(severity) \(TerminalText.sanitize(rule.title, limit: TerminalText.Limit.message))\n")
            }
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one rule: what it matches, why, and the fix.")

        @Argument(
            help: ArgumentHelp("The rule id ('triage rules list' shows them).", valueName: "id"),
            completion: .custom { _, _, prefix in
                // The built-in ids; a rule of a --rules directory completes by hand.
                ((try? RuleLoader.builtIn()) ?? []).map(\.id).filter { $0.hasPrefix(prefix) }.sorted()
            })
        var id: String

        @Option(name: .customLong("rules"), help: ArgumentHelp("Extra rules. Repeatable.", valueName: "dir"), completion: .directory)
        var ruleDirectories: [String] = []

        @Option(
            help: ArgumentHelp("text (the default) or json (JSON Lines).", valueName: "format"),
            completion: Choice.completion(ListFormat.self), transform: { try Choice.parse($0) })
        var format: ListFormat = .text

        func run() throws {
            Console.ignoreBrokenPipe()
            let rules = try loadOrExit(ruleDirectories)
            guard let rule = rules.first(where: { $0.id == id }) else {
                Console.diagnostic("no rule '\(id)'; 'triage rules list' shows them")
                throw ExitCode(64)
            }
            Console.out(format == .json ? CatalogueJSON.explain(rule) : RuleExplanation.text(rule))
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load rule files, check them, and run their samples.")

        @Argument(help: ArgumentHelp("A directory or file of rules.", valueName: "path"), completion: .file()) var path: String

        func run() throws {
            Console.ignoreBrokenPipe()
            let rules: [Rule]
            let checking: [Rule]
            do {
                checking = try RuleLoader.load(path: path)
                // A rule checked here stands in for the built-in one of the same id: editing a
                // built-in rule in a checkout is checked as edited.
                let ids = Set(checking.map(\.id))
                rules = try RuleLoader.merge([try RuleLoader.builtIn().filter { !ids.contains($0.id) }, checking])
            } catch {
                Console.diagnostic("\(error)")
                throw ExitCode(2)
            }
            var failures = 0
            var checked = 0
            for rule in checking {
                for failure in SampleRunner.check(rule, allRules: rules) {
                    Console.diagnostic("\(rule.file): \(failure)")
                    failures += 1
                }
                checked += 1
            }
            Console.out("\(checked) rule\(checked == 1 ? "" : "s") checked, \(failures) sample failure\(failures == 1 ? "" : "s")\n")
            if failures > 0 { throw ExitCode(1) }
        }
    }
}

func loadOrExit(_ directories: [String]) throws -> [Rule] {
    do {
        return try Pipeline.rules(extra: directories)
    } catch {
        Console.diagnostic("\(error)")
        throw ExitCode(2)
    }
}
