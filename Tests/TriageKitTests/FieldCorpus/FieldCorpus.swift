import Foundation
import TriageKit

/// One case of `Tests/FieldCorpus/`: error text from a public report, in the layout the user had, and
/// the cause a correct tool names. The file format is described in `Tests/FieldCorpus/README.md`.
struct FieldCase: Sendable {
    var id: String
    var source: String
    var product: String
    var kind: String
    var expect: String
    var facts: [String]
    var flags: [String]
    var verbatim: [String]
    var input: String

    /// The `--- input` line that ends the header; everything after it is the input, byte for byte.
    static let inputMarker = "--- input\n"

    init(id: String, text: String) throws {
        guard let marker = text.range(of: Self.inputMarker) else { throw FieldCorpusError.malformed(id, "no '--- input' line") }
        self.id = id
        input = String(text[marker.upperBound...])
        var values: [String: [String]] = [:]
        for line in text[..<marker.lowerBound].split(separator: "\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw FieldCorpusError.malformed(id, "header line without a key: \(line)") }
            let key = String(line[..<colon])
            var value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            values[key, default: []].append(String(value))
        }
        func one(_ key: String) throws -> String {
            guard let list = values[key], list.count == 1, !list[0].isEmpty else { throw FieldCorpusError.malformed(id, "needs exactly one '\(key):'") }
            return list[0]
        }
        source = try one("source")
        product = try one("product")
        kind = try one("kind")
        expect = try one("expect")
        facts = values["fact"] ?? []
        flags = (values["flags"] ?? []).flatMap { $0.split(separator: " ").map(String.init) }
        verbatim = values["verbatim"] ?? []
        let known: Set<String> = ["source", "product", "kind", "expect", "fact", "flags", "note", "verbatim"]
        if let unknown = values.keys.first(where: { !known.contains($0) }) { throw FieldCorpusError.malformed(id, "unknown key '\(unknown)'") }
    }

    /// The topology the case's flags describe, as the CLI builds it from the same flags.
    func topologyOptions() throws -> TopologyOptions {
        var options = TopologyOptions()
        var index = 0
        while index < flags.count {
            let flag = flags[index]
            guard index + 1 < flags.count else { throw FieldCorpusError.malformed(id, "flag \(flag) without a value") }
            let value = flags[index + 1]
            switch flag {
            case "--master-cidr": options.masterCIDRs.append(value)
            case "--node-cidr": options.nodeCIDRs.append(value)
            case "--pod-cidr": options.podCIDRs.append(value)
            case "--service-cidr": options.serviceCIDRs.append(value)
            case "--node-tag": options.nodeTag = value
            case "--network": options.network = value
            case "--project": options.project = value
            case "--now": options.now = value
            default: throw FieldCorpusError.malformed(id, "unsupported flag \(flag)")
            }
            index += 2
        }
        return options
    }
}

enum FieldCorpusError: Error, CustomStringConvertible {
    case malformed(String, String)
    case run(String, String)

    var description: String {
        switch self {
        case .malformed(let id, let reason): "\(id).case: \(reason)"
        case .run(let id, let reason): "\(id): \(reason)"
        }
    }
}

/// What triage made of one case, judged against the case.
struct FieldVerdict: Sendable {
    var fieldCase: FieldCase
    /// Each finding's rule, in output order.
    var rules: [String]
    /// True when some finding names the expected class and holds every key fact.
    var right: Bool
    /// Findings that named the class but missed a key fact, with the facts they missed.
    var missingFacts: [String]
}

/// Loads the corpus, runs every case through the library pipeline with JSON output (what
/// `triage --format json` prints), and judges each case.
enum FieldCorpus {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.appendingPathComponent("Tests/FieldCorpus")
            }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static func load() throws -> [FieldCase] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".case") }.sorted()
        return try names.map { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            return try FieldCase(id: String(name.dropLast(".case".count)), text: text)
        }
    }

    static func run(_ cases: [FieldCase]) throws -> [FieldVerdict] {
        let rules = try Pipeline.rules(extra: [])
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("field-corpus-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try cases.map { fieldCase in
            let path = scratch.appendingPathComponent(fieldCase.id + ".txt")
            try Data(fieldCase.input.utf8).write(to: path)
            let topology = try Pipeline.topology(from: fieldCase.topologyOptions())
            let collector = EvidenceCollector(topology: topology)
            _ = Pipeline.collect(try Pipeline.expand([path.path]), into: collector)
            let analysis = Engine.analyse(collector, topology: topology, rules: rules)
            let output = Renderer.render(analysis, as: .json, options: RenderOptions())
            return try judge(fieldCase, jsonLines: output)
        }
    }

    /// RIGHT when a finding's rule, one of its merged rules, or its cause is the expected class and
    /// every key fact appears (case-insensitively) in that finding's facts, message or remedy. Quoted
    /// evidence is not searched: it repeats the input, so it would find any fact in it.
    static func judge(_ fieldCase: FieldCase, jsonLines: String) throws -> FieldVerdict {
        var rules: [String] = []
        var right = false
        var missing: [String] = []
        for line in jsonLines.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw FieldCorpusError.run(fieldCase.id, "output line is not a JSON object: \(line.prefix(200))")
            }
            guard object["type"] as? String == "finding" else { continue }
            let rule = object["rule"] as? String ?? ""
            rules.append(rule)
            let names = [rule, object["cause"] as? String ?? ""] + (object["merged_rules"] as? [String] ?? [])
            guard names.contains(fieldCase.expect) else { continue }
            var haystack: [String] = []
            collectStrings(object["facts"], into: &haystack)
            collectStrings(object["message"], into: &haystack)
            collectStrings(object["remedy"], into: &haystack)
            let text = haystack.joined(separator: "\n").lowercased()
            let absent = fieldCase.facts.filter { !text.contains($0.lowercased()) }
            if absent.isEmpty { right = true } else { missing.append("\(rule): " + absent.joined(separator: ", ")) }
        }
        return FieldVerdict(fieldCase: fieldCase, rules: rules, right: right, missingFacts: right ? [] : missing)
    }

    private static func collectStrings(_ value: Any?, into strings: inout [String]) {
        switch value {
        case let text as String: strings.append(text)
        case let number as NSNumber: strings.append(number.stringValue)
        case let list as [Any]: for item in list { collectStrings(item, into: &strings) }
        case let object as [String: Any]: for (_, item) in object { collectStrings(item, into: &strings) }
        default: break
        }
    }

    /// right/total per expected class, per input kind and overall, the cases with no finding, and
    /// each wrong case with what triage said instead.
    static func report(_ verdicts: [FieldVerdict]) -> String {
        func table(_ title: String, _ key: (FieldVerdict) -> String) -> [String] {
            var groups: [String: (right: Int, total: Int)] = [:]
            for verdict in verdicts {
                var entry = groups[key(verdict), default: (0, 0)]
                entry.total += 1
                if verdict.right { entry.right += 1 }
                groups[key(verdict)] = entry
            }
            let width = max(title.count, groups.keys.map(\.count).max() ?? 0)
            var lines = ["| \(title.padding(toLength: width, withPad: " ", startingAt: 0)) | right/total |",
                         "|\(String(repeating: "-", count: width + 2))|------------:|"]
            for (name, entry) in groups.sorted(by: { $0.key < $1.key }) {
                lines.append("| \(name.padding(toLength: width, withPad: " ", startingAt: 0)) | \(entry.right)/\(entry.total) |")
            }
            return lines
        }
        let right = verdicts.filter(\.right).count
        var lines = ["Field corpus: \(right)/\(verdicts.count) right (\(verdicts.isEmpty ? 0 : right * 100 / verdicts.count)%)", ""]
        lines += table("class", { $0.fieldCase.expect }) + [""]
        lines += table("kind", { $0.fieldCase.kind }) + [""]
        let silent = verdicts.filter { $0.rules.isEmpty }
        lines.append("Cases with 0 findings (\(silent.count)):")
        lines += silent.map { "  \($0.fieldCase.id) [\($0.fieldCase.kind)]" }
        lines.append("")
        lines.append("Wrong cases (expected → found):")
        for verdict in verdicts where !verdict.right {
            let found = verdict.rules.isEmpty ? "no finding" : verdict.rules.joined(separator: ", ")
            let facts = verdict.missingFacts.isEmpty ? "" : " (missing facts: \(verdict.missingFacts.joined(separator: "; ")))"
            lines.append("  \(verdict.fieldCase.id): \(verdict.fieldCase.expect) → \(found)\(facts)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
