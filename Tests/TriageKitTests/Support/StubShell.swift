import Foundation
@testable import TriageKit

/// Runs printed commands the way a user would paste them, in bash, but with a PATH that holds
/// only stub programs: each stub writes the arguments it received (NUL-separated) and does
/// nothing else; `touch` also creates its files, so an injected `$(touch X)` would leave X.
/// Many commands share one `bash -n` and one bash run (each command in its own folder), so the
/// number of bash processes stays small.
final class StubShell {
    static let programs = ["gcloud", "kubectl", "grep", "kpt", "tr", "triage", "echo", "id", "touch"]

    let directory: TemporaryDirectory
    private var batch = 0

    init() throws {
        directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("bin"), withIntermediateDirectories: true)
        for program in Self.programs {
            // dash, not bash: the stubs run often and are not what is under test.
            var script = "#!/bin/sh\nprintf '%s\\0' \"$#\" \"${0##*/}\" \"$@\" >> \"$ARGV_DIR/$$\"\n"
            if program == "touch" { script += "for f in \"$@\"; do : >> \"$f\"; done\n" }
            let path = directory.path("bin/\(program)")
            try Data(script.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }

    struct Outcome {
        /// The commands the stubs saw, each as its argv (program name first), sorted (pipelines
        /// run their members at once).
        var calls: [[String]]
        /// Files the command left in its folder.
        var files: [String]
        var stderr: String
    }

    /// `nil` when bash reads every command without a syntax error, else bash's complaint
    /// and the command it was about.
    func syntaxProblem(_ commands: [String]) throws -> String? {
        let script = Self.functions(commands)
        let path = directory.path("syntax-\(batch).sh")
        batch += 1
        try Data(script.text.utf8).write(to: URL(fileURLWithPath: path))
        let (status, stderr) = try run(["-n", path])
        guard status != 0 else { return nil }
        // "file: line N: syntax error …": name the command that holds line N.
        let line = stderr.split(separator: ":").dropFirst().first.flatMap { Int($0.replacingOccurrences(of: " line ", with: "")) }
        let index = line.flatMap { l in script.firstLines.lastIndex { $0 <= l } }
        return "\(stderr)\(index.map { "in: \(commands[$0])" } ?? "")"
    }

    /// Runs each command in a folder of its own.
    func outcomes(_ commands: [String]) throws -> [Outcome] {
        let name = "run-\(batch)"
        batch += 1
        let root = directory.path(name)
        var script = Self.functions(commands).text + "enable -n echo\n"
        for index in commands.indices {
            try FileManager.default.createDirectory(atPath: "\(root)/c\(index)/.argv", withIntermediateDirectories: true)
            script += "(cd \(root)/c\(index) && export ARGV_DIR=\(root)/c\(index)/.argv && f\(index)) </dev/null >/dev/null 2>\(root)/c\(index).err\n"
        }
        try Data(script.utf8).write(to: URL(fileURLWithPath: "\(root).sh"))
        _ = try run(["\(root).sh"])
        return try commands.indices.map { index in
            let folder = "\(root)/c\(index)"
            var calls: [[String]] = []
            for file in try FileManager.default.contentsOfDirectory(atPath: "\(folder)/.argv") {
                calls += Self.records(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/.argv/\(file)")))
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != ".argv" }.sorted()
            let stderr = (try? String(contentsOfFile: "\(root)/c\(index).err", encoding: .utf8)) ?? ""
            return Outcome(calls: calls.sorted { $0.lexicographicallyPrecedes($1) }, files: files, stderr: stderr)
        }
    }

    /// Each command as a function `fN`, so one file holds them all and a command runs only when called.
    static func functions(_ commands: [String]) -> (text: String, firstLines: [Int]) {
        var text = ""
        var line = 1
        var firstLines: [Int] = []
        for (index, command) in commands.enumerated() {
            firstLines.append(line)
            let body = "f\(index)() {\n\(command)\n}\n"
            text += body
            line += body.filter { $0 == "\n" }.count
        }
        return (text, firstLines)
    }

    /// Records of `count\0program\0arg\0…` as the stubs write them.
    static func records(_ data: Data) -> [[String]] {
        var fields = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if fields.last == "" { fields.removeLast() }
        var records: [[String]] = []
        var index = 0
        while index < fields.count, let count = Int(fields[index]), index + 1 + count < fields.count {
            records.append(Array(fields[(index + 1)...(index + 1 + count)]))
            index += count + 2
        }
        return records
    }

    private func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["--norc", "--noprofile"] + arguments
        process.environment = ["PATH": directory.path("bin"), "HOME": directory.path(""), "LANG": "C.UTF-8"]
        let errorPath = directory.path("stderr-\(batch)")
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }
}

/// Values a log, a paste or a server could hold, drawn at random from a seeded generator:
/// shell syntax, both quotes, filter and regex syntax, controls, and Unicode that fools the eye.
enum HostileValues {
    static let fragments = [
        "$(touch X)", "`touch X`", "$(touch${IFS}X)", "'", "\"", ";", "|", "&&", "\n", " ", "#", "\\", "*", "!", "${IFS}",
        "`id`", "!!", "$HOME", "~", "{a,b}", ">", "<", "(", ")", "[x]", "%", "\t", "\r", "-", "=", ":", "~root",
        "kubeflow-vpc", "é", "日本", "\u{2028}", "\u{2029}", "\u{200E}", "\u{200F}", "\u{202E}", "\u{061C}", "\u{85}",
        "\u{7F}", "\u{1B}[31m", "\\\"", "'\\''", "\"'\"", "a b", "--help", "x\"; touch X; echo \"", "'; touch X; '",
    ]

    /// One to four fragments; never empty (an empty value prints as a visible gap instead).
    static func value(_ random: inout SplitMix64) -> String {
        var value = ""
        for _ in 0..<random.int(1...4) { value += random.pick(fragments) }
        return value
    }
}
