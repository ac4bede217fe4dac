import Foundation
import Testing

/// What a victim would paste: every command triage prints for the bundled scenarios, after every
/// name in their firewall logs was given a hostile suffix (`$(touch X)`, quotes around it, backquotes,
/// `;`, `|`, a newline), parses with `bash -n` and, run by bash against stub programs, runs nothing
/// else (no file X appears). tools/hostile-names.py does the pasting; on the code before the quoting
/// work it reported 9 of 237 commands.
@Suite struct PastedFixTests {
    @Test func fixesForHostileNamesRunNothingElse() throws {
        let script = CLI.packageRoot.appendingPathComponent("tools/hostile-names.py")
        let result = try CLI.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, CLI.binary.path, CLI.sampleLogs.path],
            environment: CLI.environment, timeout: 300)
        #expect(result.status == 0, "\(result)")
        let summary = result.out.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix("commands ") && summary.hasSuffix(" bad 0"), "\(result)")
        // Not vacuous: the scenarios do print fixes.
        let count = Int(summary.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(count > 100, "\(summary)")
    }
}
