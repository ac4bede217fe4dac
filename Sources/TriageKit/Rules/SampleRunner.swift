import Foundation

/// Runs a rule's own samples: each trigger sample must give exactly the findings it lists, each
/// pass sample none, in every input format, with all rules loaded (so collisions show).
public enum SampleRunner {
    public static func check(_ rule: Rule, allRules: [Rule], formats: [FormatWriter.Kind] = FormatWriter.Kind.allCases) -> [String] {
        var failures: [String] = []
        for (kind, samples) in [("trigger", rule.samples.trigger), ("pass", rule.samples.pass)] {
            for sample in samples {
                for format in formats {
                    do {
                        let analysis = try run(sample, format: format, rules: allRules)
                        failures += compare(analysis.findings, sample.expect, defaultRule: rule.id)
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
        let topology = try Pipeline.topology(from: options)
        let bytes = FormatWriter.write(try entries(sample), as: format)
        let collector = EvidenceCollector(topology: topology)
        if let error = collector.read(InputReader(name: "sample.\(format.rawValue)", source: MemorySource(bytes))) {
            throw error
        }
        return Engine.analyse(collector, topology: topology, rules: rules)
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

    static func matches(_ finding: Finding, _ expectation: [String: String], rule: String) -> Bool {
        guard finding.rule == rule else { return false }
        for (key, value) in expectation where key != "rule" {
            switch key {
            case "count": if String(finding.count) != value { return false }
            case "severity": if finding.severity.rawValue != value { return false }
            case "confidence": if finding.confidence != value { return false }
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
