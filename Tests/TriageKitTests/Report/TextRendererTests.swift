import Foundation
import Testing
@testable import TriageKit

struct TextRendererTests {
    @Test func logTextCannotReachTheTerminal() throws {
        let analysis = try ReportFixtures.evilAnalysis()
        try #require(analysis.findings.count == 1)
        let text = Renderer.render(analysis, as: .text, options: RenderOptions(color: false, width: 80))
        let controls = text.unicodeScalars.filter(ReportFixtures.isControl)
        #expect(controls.isEmpty, "raw control characters: \(controls.map { String($0.value, radix: 16) })")
        // The text is still there, made visible.
        #expect(text.contains("\\x1b]0;evil\\x07"))
        #expect(text.contains("\\u202etxt.exe"))
        // A rule reference that cannot be a rule's is not believed (unknown), so it is not shown at all.
        #expect(!text.contains("deny-\\x1b"))
    }

    @Test func colourIsTheOnlyEscapeWhenAskedFor() throws {
        let analysis = try ReportFixtures.evilAnalysis()
        let text = Renderer.render(analysis, as: .text, options: RenderOptions(color: true, width: 80))
        // Only SGR sequences (ESC [ digits ; m) may appear.
        let withoutColour = text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(withoutColour.unicodeScalars.filter(ReportFixtures.isControl).isEmpty)
        #expect(text.contains("\u{1B}[1;31mERROR\u{1B}[0m"))
    }

    /// Every line fits the width, except a line that is one word too long to break.
    @Test(arguments: [80, 60, 100], [TextDetail.brief, .compact, .full])
    func linesFitTheWidth(width: Int, detail: TextDetail) throws {
        for analysis in [try ReportFixtures.evilAnalysis(), try ReportFixtures.plainAnalysis()] {
            let text = Renderer.render(analysis, as: .text, options: RenderOptions(color: false, width: width, detail: detail))
            for line in text.split(separator: "\n") where line.count > width {
                var rest = line.drop(while: { $0 == " " })
                for label in ["Should be: ", "Denied by: ", "Seen: ", "From: ", "To: ", "Note: ", "Where: ", "Evidence: "] where rest.hasPrefix(label) {
                    rest = rest.dropFirst(label.count)
                }
                if rest.hasSuffix(" \\") { rest = rest.dropLast(2) }
                #expect(!rest.contains(" "), "line of \(line.count) columns could have been broken: \(line)")
            }
        }
    }

    @Test func wrappedCommandsStillPasteAsOneCommand() throws {
        let analysis = try ReportFixtures.plainAnalysis()
        let text = Renderer.render(analysis, as: .text, options: RenderOptions(color: false, width: 60))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.contains("gcloud compute firewall-rules create") })
        var command = ""
        var index = start
        while true {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if line.hasSuffix(" \\") {
                command += line.dropLast(2) + " "
                index += 1
            } else {
                command += line
                break
            }
        }
        let finding = try #require(analysis.findings.first { $0.rule == "webhook-blocked" })
        #expect(command == finding.remedy.commands[0])
        #expect(index > start, "a long command should have been wrapped at width 60")
    }

    @Test func showsTheFindingsParts() throws {
        let analysis = try ReportFixtures.plainAnalysis()
        let text = Renderer.render(analysis, as: .text, options: RenderOptions(width: 80, detail: .full))
        #expect(text.hasPrefix("2 findings: 1 error, 1 warning.\n"))
        #expect(text.contains("\n\nERROR webhook-blocked (2 connections denied, observed)\n"))
        #expect(text.contains("\nWARNING other-denied (1 connection denied, "))
        #expect(text.contains("  Denied by: deny-all-ingress (priority 65534), deny-b (priority 900)"))
        // Times at one precision (whole seconds), whatever precision the log wrote.
        #expect(text.contains("  Seen: 2026-11-22T09:14:03Z to 2026-11-22T09:20:00Z"))
        #expect(text.contains("  Fix: plan step 1 (below)\n"))
        // No firewall listing among the inputs: the step says the model could not check it.
        #expect(text.contains("\nFix plan (1 change, in order; --fix-script FILE saves it as a script):\n  1. for webhook-blocked (not checkable: the firewall rules were not given\n     (gcloud compute firewall-rules list --format=json > firewall-rules.json))\n     gcloud compute firewall-rules create allow-master-to-webhook-8443 "), "\(text)")
        #expect(text.contains("  Docs:\n    https://cloud.google.com/firewall/docs/firewall-rules-logging\n"))
        #expect(text.contains("control plane 172.16.0.0/28"))
    }

    @Test func nothingFound() throws {
        let empty = try analyse("", rules: [])
        #expect(Renderer.render(empty, as: .text, options: RenderOptions()) == "No problems found (no firewall log records or other evidence were read).\n")
        let allowed = try analyse(LogEntries.ndjson([LogEntries.firewall(disposition: "ALLOWED")]), rules: [])
        #expect(Renderer.render(allowed, as: .text, options: RenderOptions()) == "No problems found in 1 firewall log records.\n")
    }

    @Test func accountSummary() throws {
        let analysis = try ReportFixtures.plainAnalysis()
        let summary = Renderer.accountSummary(analysis)
        #expect(summary.hasPrefix("triage: read 1 input ("))
        #expect(summary.contains(": 3 records; 3 firewall (3 denied, 0 allowed), 0 other log entries; 0 skipped; "))
        #expect(summary.hasSuffix("3 matched in 2 findings (1 error, 1 warning)."))
        #expect(Renderer.byteCount(1023) == "1023 B")
        #expect(Renderer.byteCount(1536) == "1.5 KiB")
        #expect(Renderer.byteCount(3 << 30) == "3.0 GiB")
    }
}
