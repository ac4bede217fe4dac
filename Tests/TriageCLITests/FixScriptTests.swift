import Foundation
import Testing

/// `--format script` and `--fix-script FILE`: the plan as one bash script, run end to end
/// against stub `gcloud` and `kubectl` that record their argv.
@Suite struct FixScriptTests {
    /// Runs `script` with stubs first on PATH; returns its status, stderr and the argv lines the
    /// stubs recorded (each argument quoted with printf %q, one call per line).
    static func runWithStubs(_ script: String, environment extra: [String: String] = [:]) throws -> (status: Int32, err: String, calls: [String]) {
        try CLI.withTemporaryDirectory { directory in
            let bin = directory.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            let log = directory.appendingPathComponent("calls.log")
            for tool in ["gcloud", "kubectl"] {
                let stub = bin.appendingPathComponent(tool)
                try Data("#!/usr/bin/env bash\n{ printf '%s' \"\(tool)\"; printf ' %q' \"$@\"; printf '\\n'; } >> \"$CALLS\"\n".utf8).write(to: stub)
                chmod(stub.path, 0o755)
            }
            let file = directory.appendingPathComponent("fix.sh")
            try Data(script.utf8).write(to: file)
            var environment = CLI.environment
            environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["CALLS"] = log.path
            for (key, value) in extra { environment[key] = value }
            let result = try CLI.run(URL(fileURLWithPath: "/bin/bash"), [file.path], environment: environment, timeout: 60)
            let calls = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            return (result.status, result.err, calls)
        }
    }

    @Test func theBundlesPlanRunsEachChangeOnceInOrder() throws {
        let result = try CLI.triage(["SampleLogs/bundle/inputs", "--now", "2026-11-22T10:30:00Z", "--format", "script"])
        let script = result.out
        #expect(script.hasPrefix("#!/usr/bin/env bash\n"), "\(script)")
        #expect(script.contains("\nset -euo pipefail\n"))
        #expect(try CLI.shell("bash -n -c \"$1\"", [script]).status == 0)
        #expect(!script.contains("<"), "no placeholder reaches the script: \(script)")
        // The plan the JSON report gives, in its order, each step once, is what runs.
        let json = try JSONReport(try CLI.triage(["SampleLogs/bundle/inputs", "--now", "2026-11-22T10:30:00Z", "--format", "json"]))
        let expected = json.planCommands
        #expect(!expected.isEmpty)
        #expect(Set(expected).count == expected.count)
        let run = try Self.runWithStubs(script)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.calls.count == expected.count, "\(run.calls)")
        // The same commands pasted one by one into bash make the same calls.
        let pasted = try Self.runWithStubs("set -e\n" + expected.joined(separator: "\n") + "\n")
        #expect(pasted.status == 0 && run.calls == pasted.calls, "\(run.calls) vs \(pasted.calls)")
        // Checks are comments, not run: a grep that finds nothing would stop a set -e script.
        #expect(script.contains("# check: kubectl get endpoints"), "\(script)")
    }

    /// A value the evidence did not give is a variable set at the top; the step that needs it
    /// stops the script while it is empty, and runs with the value once it is set.
    @Test func anUnknownValueIsAVariableTheScriptAsksFor() throws {
        // The health-check log alone: no cluster description or rules, so no node tag.
        let result = try CLI.triage(["SampleLogs/health-checks-blocked/firewall-denied.json", "--format", "script"])
        let script = result.out
        #expect(script.contains("NODE_TAG=\"${NODE_TAG:-}\"  # gcloud compute firewall-rules list"), "\(script)")
        #expect(script.contains("need NODE_TAG"), "\(script)")
        #expect(script.contains("--target-tags=\"${NODE_TAG}\""), "\(script)")
        let unset = try Self.runWithStubs(script)
        #expect(unset.status == 64 && unset.err.contains("set NODE_TAG first"), "\(unset)")
        #expect(unset.calls.allSatisfy { !$0.contains("--target-tags") })
        let set = try Self.runWithStubs(script, environment: ["NODE_TAG": "gke-kf-private-3f9a6c2e-node"])
        #expect(set.status == 0, "\(set.err)")
        #expect(set.calls.contains { $0.contains("--target-tags=gke-kf-private-3f9a6c2e-node") }, "\(set.calls)")
    }

    @Test func fixScriptWritesTheFileBesideTheReport() throws {
        try CLI.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("plan.sh").path
            let result = try CLI.triage(["SampleLogs/bundle/inputs", "--now", "2026-11-22T10:30:00Z", "--brief", "--fix-script", path])
            #expect(result.out.contains("ERROR"), "the report still prints: \(result)")
            let script = try String(contentsOfFile: path, encoding: .utf8)
            #expect(script.hasPrefix("#!/usr/bin/env bash\n"))
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o077 == 0, "owner only")
        }
    }
}
