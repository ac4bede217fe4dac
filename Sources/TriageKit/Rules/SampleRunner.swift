import Foundation
import Yams

/// Runs a rule's own samples: each trigger sample must give exactly the findings it lists, each
/// pass sample none but the fallback's, in every input format, with all rules loaded (so collisions show).
public enum SampleRunner {
    public static func check(_ rule: Rule, allRules: [Rule], formats: [FormatWriter.Kind] = FormatWriter.Kind.allCases) -> [String] {
        var failures = checkRecognisers(rule, allRules: allRules)
        for (kind, samples) in [("trigger", rule.samples.trigger), ("pass", rule.samples.pass)] {
            for sample in samples {
                for format in formats {
                    do {
                        let analysis = try run(sample, format: format, rules: allRules)
                        let findings = kind == "pass" ? claimed(analysis.findings, rules: allRules) : analysis.findings
                        failures += compare(findings, sample.expect, defaultRule: rule.id)
                            .map { "\(kind) sample '\(sample.name)' (line \(sample.line)) as \(format.rawValue): \($0)" }
                        if analysis.account.skippedTotal > 0 {
                            failures.append("\(kind) sample '\(sample.name)' as \(format.rawValue): records skipped: \(analysis.account.skipped)")
                        }
                    } catch {
                        failures.append("\(kind) sample '\(sample.name)' (line \(sample.line)): \(error)")
                    }
                }
            }
        }
        return failures
    }

    /// The findings that claim a cause: a pass sample is text no rule claims, and the fallback
    /// quoting an error no rule explains (a missing tag, a certificate refused) claims nothing.
    public static func claimed(_ findings: [Finding], rules: [Rule]) -> [Finding] {
        let fallbacks = Set(rules.filter(\.fallback).map(\.id))
        return findings.filter { !fallbacks.contains($0.rule) }
    }

    /// Each recogniser's samples: a text with facts must give them (a subset) through the whole
    /// recogniser chain, so a class claimed earlier in the chain shows; a text without facts must
    /// not match that recogniser.
    public static func checkRecognisers(_ rule: Rule, allRules: [Rule]) -> [String] {
        var failures: [String] = []
        let patterns = MessagePatterns(rules: allRules)
        for (index, recogniser) in rule.recognisers.enumerated() {
            for sample in recogniser.samples {
                let place = "recognise[\(index)] sample (line \(sample.line ?? 0))"
                if sample.facts.isEmpty {
                    if let facts = recogniser.recognise(sample.text) {
                        failures.append("\(place): should not match, gave \(facts.sorted { $0.key < $1.key })")
                    }
                    continue
                }
                let found: [String: String]
                if recogniser.scopes.contains(.operation) {
                    found = GKEFailureCause.classify(sample.text, patterns: patterns)
                } else {
                    let scope = recogniser.scopes.contains(.text) ? MessagePattern.Scope.text : .log
                    found = MessageRecognizer.recognize(sample.text, patterns: patterns, scope: scope).first ?? [:]
                }
                for (name, value) in sample.facts.sorted(by: { $0.key < $1.key }) where found[name] != value {
                    failures.append("\(place): \(name) is \(found[name].map { "'\($0)'" } ?? "missing"), expected '\(value)'"
                        + ((found["message"] ?? found["cause"]).map { " (recognised as \($0))" } ?? " (not recognised)"))
                }
            }
        }
        return failures
    }

    /// The sample's entries, decoded, to re-serialise in each format.
    public static func entries(_ sample: Rule.Sample) throws(TriageError) -> [Any] {
        var entries: [Any] = []
        for (index, line) in sample.input.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let value = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else {
                throw .badRuleFile(file: sample.name, line: sample.line + index, field: "input", reason: "line \(index + 1) is not a JSON object")
            }
            entries.append(value)
        }
        return entries
    }

    public static func run(_ sample: Rule.Sample, format: FormatWriter.Kind, rules: [Rule]) throws(TriageError) -> Analysis {
        var options = TopologyOptions()
        options.masterCIDRs = sample.topology["master_cidr"] ?? []
        options.podCIDRs = sample.topology["pod_cidr"] ?? []
        options.nodeCIDRs = sample.topology["node_cidr"] ?? []
        options.serviceCIDRs = sample.topology["service_cidr"] ?? []
        options.nodeTag = sample.topology["node_tag"]?.first
        options.network = sample.topology["network"]?.first
        options.project = sample.topology["project"]?.first
        options.now = sample.topology["now"]?.first
        let topology = try Pipeline.topology(from: options)
        let collector = EvidenceCollector(topology: topology, patterns: MessagePatterns(rules: rules))
        if !sample.input.isEmpty {
            let bytes = FormatWriter.write(try entries(sample), as: format)
            if let error = collector.read(InputReader(name: "sample.\(format.rawValue)", source: MemorySource(bytes))) {
                throw error
            }
        }
        for file in sample.files {
            let bytes = try rewrite(file, as: format, sample: sample)
            if let error = collector.read(InputReader(name: file.name, source: MemorySource(bytes))) { throw error }
        }
        return Engine.analyse(collector, topology: topology, rules: rules)
    }

    /// A sample file in one input format: JSON and YAML documents (by their name) are re-serialised
    /// as NDJSON, a gcloud JSON array or gcloud YAML; text stays text; `gzip` compresses either.
    static func rewrite(_ file: Rule.File, as format: FormatWriter.Kind, sample: Rule.Sample) throws(TriageError) -> [UInt8] {
        let documents: [Any]?
        if file.name.hasSuffix(".json") {
            guard let value = try? JSONSerialization.jsonObject(with: Data(file.text.utf8)) else {
                throw .badRuleFile(file: sample.name, line: sample.line, field: "files", reason: "\(file.name) is not valid JSON")
            }
            documents = (value as? [Any]) ?? [value]
        } else if file.name.hasSuffix(".yaml") || file.name.hasSuffix(".yml") {
            let loaded: [Node]
            do {
                loaded = try YAMLDocument.composeAll(file.text)
            } catch let refused as YAMLDocument.Refused {
                throw .badRuleFile(
                    file: sample.name, line: sample.line, field: "files", reason: "\(file.name) line \(refused.line): \(refused.reason)")
            } catch {
                throw .badRuleFile(file: sample.name, line: sample.line, field: "files", reason: "\(file.name) is not valid YAML")
            }
            documents = loaded.map { plain($0.any) }
        } else {
            documents = nil
        }
        guard let documents else {
            let bytes = Array(file.text.utf8)
            return format == .gzip ? FormatWriter.gzip(bytes) : bytes
        }
        return FormatWriter.write(documents, as: format)
    }

    /// YAML values JSON can hold (dates as RFC 3339 text).
    static func plain(_ value: Any) -> Any {
        switch value {
        case let dictionary as [String: Any]: return dictionary.mapValues(plain)
        case let array as [Any]: return array.map(plain)
        case let date as Date: return ISO8601DateFormatter().string(from: date)
        default: return value
        }
    }

    /// Differences between findings and expectations, as sentences.
    public static func compare(_ findings: [Finding], _ expected: [[String: String]], defaultRule: String) -> [String] {
        var failures: [String] = []
        var unmatched = findings
        for expectation in expected {
            let rule = expectation["rule"] ?? defaultRule
            if let index = unmatched.firstIndex(where: { matches($0, expectation, rule: rule) }) {
                unmatched.remove(at: index)
            } else {
                let got = findings.map(describe).joined(separator: "; ")
                failures.append("expected \(expectation.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) (rule \(rule)); got: \(got.isEmpty ? "no findings" : got)")
            }
        }
        for finding in unmatched { failures.append("unexpected finding: \(describe(finding))") }
        return failures
    }

    /// A finding of the rule, or one the rule's finding was merged into (same cause).
    static func matches(_ finding: Finding, _ expectation: [String: String], rule: String) -> Bool {
        guard finding.rule == rule || finding.mergedRules.contains(rule) else { return false }
        for (key, value) in expectation where key != "rule" {
            switch key {
            case "count": if String(finding.count) != value { return false }
            case "severity": if finding.severity.rawValue != value { return false }
            case "confidence": if finding.confidence != value { return false }
            case "cause": if finding.cause != value { return false }
            default:
                guard let fact = finding.facts[key], fact.lowercased() == value.lowercased() else { return false }
            }
        }
        return true
    }

    static func describe(_ finding: Finding) -> String {
        "\(finding.rule) count=\(finding.count) " + finding.facts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
