import Foundation
import Testing

// Support for the end-to-end tests: find the built `triage`, run it as a subprocess, make input
// files in temporary directories, and read its JSON Lines output.

/// What one run of a program printed and how it ended.
struct RunResult: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var timedOut = false

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }

    var description: String {
        "exit \(status)\(timedOut ? " (killed after timeout)" : "")\n--- stdout:\n\(out.prefix(3000))\n--- stderr:\n\(err.prefix(3000))"
    }
}

/// Collects bytes read on another thread.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Data()
    private var flag = false

    var data: Data {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }

    var finished: Bool {
        get { lock.withLock { flag } }
        set { lock.withLock { flag = newValue } }
    }
}

enum CLI {
    /// The package root: the nearest directory above this file with a Package.swift.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static let sampleLogs = packageRoot.appendingPathComponent("SampleLogs")
    static let rulesDirectory = packageRoot.appendingPathComponent("Rules")
    static let mixedCluster = "SampleLogs/mixed/cluster.yaml"

    /// The built executable: next to the test bundle (so `swift test --scratch-path X` uses
    /// X/debug/triage), else `.build/debug/triage` under the package root. TRIAGE_BIN overrides.
    static let binary: URL = {
        let fm = FileManager.default
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["TRIAGE_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        var directories: [URL] = []
        let bundle = Bundle.main.bundleURL
        directories += [bundle, bundle.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        for loaded in Bundle.allBundles where loaded.bundlePath.hasSuffix(".xctest") {
            directories.append(loaded.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in directories {
            let candidate = directory.appendingPathComponent("triage")
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                fm.isExecutableFile(atPath: candidate.path)
            {
                return candidate.standardizedFileURL
            }
        }
        fatalError("cannot find the triage executable; looked in \(directories.map(\.path)); set TRIAGE_BIN")
    }()

    /// Children see no colour settings from the developer's shell and a fixed width.
    static let environment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env["FORCE_COLOR"] = nil
        env["NO_COLOR"] = "1"
        env["COLUMNS"] = "80"
        env["TERM"] = "dumb"
        return env
    }()

    /// Runs under the package root so relative SampleLogs paths work.
    static func triage(_ arguments: [String], stdin: Data? = nil) throws -> RunResult {
        try run(binary, arguments, stdin: stdin)
    }

    /// Runs a shell pipeline (`/bin/sh -c`), with `$TRIAGE` naming the executable.
    static func shell(_ script: String, _ arguments: [String] = []) throws -> RunResult {
        var env = environment
        env["TRIAGE"] = binary.path
        return try run(URL(fileURLWithPath: "/bin/sh"), ["-c", script, "sh"] + arguments, environment: env)
    }

    /// Runs a program with pipes for stdout and stderr (read at the same time, so neither fills
    /// up), stdin from `stdin` through a pipe or else /dev/null, and a time limit.
    static func run(
        _ executable: URL, _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil,
        timeout: TimeInterval = 30
    ) throws -> RunResult {
        ignoreSIGPIPE
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment ?? Self.environment
        process.currentDirectoryURL = packageRoot
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe: Pipe? = stdin == nil ? nil : Pipe()
        if let inPipe {
            process.standardInput = inPipe
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        let pid = process.processIdentifier

        // Dedicated threads, not Dispatch's pool: with many tests blocked in reads at once, a
        // queued stdin writer could wait for a pool thread while the child waits for its input.
        let errBox = DataBox()
        let state = DataBox()
        let group = DispatchGroup()
        let errHandle = errPipe.fileHandleForReading
        group.enter()
        Thread.detachNewThread {
            errBox.data = errHandle.readDataToEndOfFile()
            group.leave()
        }
        if let inPipe, let stdin {
            let writer = inPipe.fileHandleForWriting
            group.enter()
            Thread.detachNewThread {
                // The child may exit without reading everything; EPIPE is then expected.
                try? writer.write(contentsOf: stdin)
                try? writer.close()
                group.leave()
            }
        }
        let timedOut = DataBox()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if !state.finished {
                timedOut.finished = true
                kill(pid, SIGKILL)
            }
        }
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        state.finished = true
        return RunResult(status: process.terminationStatus, stdout: out, stderr: errBox.data, timedOut: timedOut.finished)
    }

    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    // MARK: files

    /// A fresh directory, removed when `body` returns.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("triage-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    /// `/usr/bin/gzip -c source > destination`.
    static func gzip(_ source: URL, to destination: URL) throws {
        let result = try run(URL(fileURLWithPath: "/usr/bin/gzip"), ["-c", "-n", source.path])
        guard result.status == 0 else { throw Failure("gzip failed: \(result)") }
        try result.stdout.write(to: destination)
    }

    /// `jq -c '.[]' source > destination`: a JSON array as NDJSON. Without jq, the same with
    /// Foundation.
    static func ndjson(fromArray source: URL, to destination: URL) throws {
        if let jq = ["/usr/bin/jq", "/usr/local/bin/jq", "/opt/homebrew/bin/jq"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            let result = try run(URL(fileURLWithPath: jq), ["-c", ".[]", source.path])
            guard result.status == 0 else { throw Failure("jq failed: \(result)") }
            try result.stdout.write(to: destination)
            return
        }
        try ndjsonLines(try jsonArray(source)).write(to: destination)
    }

    static func jsonArray(_ url: URL) throws -> [[String: Any]] {
        guard let array = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]] else {
            throw Failure("\(url.path) is not a JSON array of objects")
        }
        return array
    }

    static func ndjsonLines(_ objects: [[String: Any]]) throws -> Data {
        var data = Data()
        for object in objects {
            data += try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            data += Data("\n".utf8)
        }
        return data
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: scenarios and formats

/// A folder of SampleLogs/ with an expected.json.
struct Scenario: Sendable, CustomTestStringConvertible, Hashable {
    var name: String

    var directory: URL { CLI.sampleLogs.appendingPathComponent(name) }
    var json: URL { directory.appendingPathComponent("firewall-denied.json") }
    var yaml: URL { directory.appendingPathComponent("firewall-denied.yaml") }
    var cluster: String { "SampleLogs/\(name)/cluster.yaml" }
    var testDescription: String { name }

    /// Every scenario folder, discovered so a new one is tested (and must carry expected.json).
    static let all: [Scenario] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: CLI.sampleLogs.path)) ?? []
        return names.sorted().filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: CLI.sampleLogs.appendingPathComponent(name).appendingPathComponent("firewall-denied.json").path,
                isDirectory: &isDirectory) && !isDirectory.boolValue
        }.map(Scenario.init)
    }()

    static let mixed = Scenario(name: "mixed")

    func expected() throws -> [ExpectedFinding] {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        guard let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw Failure("\(name)/expected.json is not an array of objects")
        }
        return try array.map(ExpectedFinding.init(json:))
    }

    /// The number of LogEntries in firewall-denied.json.
    func entryCount() throws -> Int { try CLI.jsonArray(json).count }
}

/// The input encodings every scenario is run in.
enum LogFormat: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case json, yaml
    case jsonGzip = "json.gz"
    case yamlGzip = "yaml.gz"
    case ndjson

    var testDescription: String { rawValue }

    /// The scenario's log in this encoding: the file itself, or one made in `directory`.
    func file(for scenario: Scenario, in directory: URL) throws -> URL {
        switch self {
        case .json: return scenario.json
        case .yaml: return scenario.yaml
        case .jsonGzip:
            let url = directory.appendingPathComponent("firewall-denied.json.gz")
            try CLI.gzip(scenario.json, to: url)
            return url
        case .yamlGzip:
            let url = directory.appendingPathComponent("firewall-denied.yaml.gz")
            try CLI.gzip(scenario.yaml, to: url)
            return url
        case .ndjson:
            let url = directory.appendingPathComponent("firewall-denied.ndjson")
            try CLI.ndjson(fromArray: scenario.json, to: url)
            return url
        }
    }
}

// MARK: findings

/// A finding as expected.json states it: the rule, the count, and group-by facts.
struct ExpectedFinding: Sendable, Hashable, CustomStringConvertible {
    var rule: String
    var count: Int
    var facts: [String: String]

    init(rule: String, count: Int, facts: [String: String]) {
        self.rule = rule
        self.count = count
        self.facts = facts
    }

    init(json: [String: Any]) throws {
        guard let rule = json["rule"] as? String, let count = json["count"] as? Int else {
            throw Failure("expected finding without rule or count: \(json)")
        }
        self.rule = rule
        self.count = count
        var facts: [String: String] = [:]
        for (key, value) in json where key != "rule" && key != "count" { facts[key] = "\(value)" }
        self.facts = facts
    }

    var description: String {
        "\(rule) ×\(count) " + facts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Whether an actual finding is this one: same rule and count, and every fact given here.
    func matches(_ actual: ExpectedFinding) -> Bool {
        rule == actual.rule && count == actual.count && facts.allSatisfy { actual.facts[$0.key] == $0.value }
    }

    /// Differences between actual and expected findings (empty when each expected finding
    /// matches exactly one actual one and nothing is left over).
    static func differences(actual: [ExpectedFinding], expected: [ExpectedFinding]) -> [String] {
        var unmatched = actual
        var problems: [String] = []
        for want in expected {
            if let index = unmatched.firstIndex(where: want.matches) {
                unmatched.remove(at: index)
            } else {
                problems.append("missing: \(want)")
            }
        }
        problems += unmatched.map { "unexpected: \($0)" }
        return problems
    }
}

/// `--format json` output: one object per finding, then a summary.
struct JSONReport {
    var findings: [[String: Any]]
    var summary: [String: Any]
    /// The fix plan's steps (empty when there is no plan line).
    var plan: [[String: Any]] = []

    /// The plan's commands, in order.
    var planCommands: [String] { plan.compactMap { $0["command"] as? String } }
    /// Every finding's checks, in order.
    var checks: [String] { findings.flatMap { ($0["remedy"] as? [String: Any])?["checks"] as? [String] ?? [] } }

    init(_ result: RunResult) throws {
        findings = []
        var summary: [String: Any]?
        for line in result.out.split(separator: "\n") where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Failure("not a JSON object: \(line)")
            }
            switch object["type"] as? String {
            case "finding": findings.append(object)
            case "summary": summary = object
            case "plan": plan = object["steps"] as? [[String: Any]] ?? []
            default: throw Failure("unknown line type: \(line)")
            }
        }
        guard let summary else { throw Failure("no summary line in:\n\(result)") }
        self.summary = summary
    }

    var brief: [ExpectedFinding] {
        findings.map { object in
            ExpectedFinding(
                rule: object["rule"] as? String ?? "?", count: object["count"] as? Int ?? -1,
                facts: object["facts"] as? [String: String] ?? [:])
        }
    }

    var totalCount: Int { brief.map(\.count).reduce(0, +) }

    func summaryInt(_ key: String) -> Int? { summary[key] as? Int }

    /// Each finding without its evidence (evidence names file:line, which differs by format),
    /// as canonical JSON, sorted.
    func canonicalFindings() throws -> [String] {
        try findings.map { finding in
            var finding = finding
            finding["evidence"] = nil
            finding["evidence_by_source"] = (finding["evidence_by_source"] as? [[String: Any]])?.map { source in
                var source = source
                source["locations"] = nil
                return source
            }
            return String(decoding: try JSONSerialization.data(withJSONObject: finding, options: [.sortedKeys]), as: UTF8.self)
        }.sorted()
    }
}

// MARK: rules

/// Built-in rule files, read as text (not through triage).
enum RuleFiles {
    struct Info: Sendable {
        var id: String
        var severity: String
        var references: [String]
        var path: URL
    }

    static let all: [Info] = {
        var infos: [Info] = []
        let enumerator = FileManager.default.enumerator(at: CLI.rulesDirectory, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            // Rules/catalogue/ holds data the rules use, not rules.
            guard url.pathExtension == "yaml" || url.pathExtension == "yml", !url.pathComponents.contains("catalogue"),
                let text = try? String(contentsOf: url, encoding: .utf8)
            else { continue }
            var id = "", severity = "", references: [String] = []
            var inReferences = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("id: ") { id = String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces) }
                if line.hasPrefix("severity: ") { severity = String(line.dropFirst(10)).trimmingCharacters(in: .whitespaces) }
                if line.hasPrefix("references:") {
                    inReferences = true
                    continue
                }
                if inReferences {
                    if line.hasPrefix("  - ") {
                        references.append(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces))
                    } else if !line.hasPrefix(" ") {
                        inReferences = false
                    }
                }
            }
            infos.append(Info(id: id, severity: severity, references: references, path: url))
        }
        return infos.sorted { $0.id < $1.id }
    }()

    static func severity(of rule: String) -> String? { all.first { $0.id == rule }?.severity }

    static let severityRank = ["info": 0, "warning": 1, "error": 2]

    /// The exit status `triage --fail-on failOn` must give for these findings (no input errors).
    static func expectedStatus(_ findings: [ExpectedFinding], failOn: String = "error") -> Int32 {
        let threshold = severityRank[failOn] ?? 2
        let worst = findings.compactMap { severity(of: $0.rule).flatMap { severityRank[$0] } }.max() ?? -1
        return worst >= threshold ? 1 : 0
    }
}

extension Data {
    /// Whether the byte sequence occurs.
    func contains(sequence: [UInt8]) -> Bool { range(of: Data(sequence)) != nil }
}
