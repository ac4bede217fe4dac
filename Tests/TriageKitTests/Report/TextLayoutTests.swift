import Foundation
import Testing
import Yams
@testable import TriageKit

/// The text report's three amounts of detail: a summary first, each finding compact by default,
/// everything with `--details`, one line and the first fix with `--brief`.
struct TextLayoutTests {
    static func text(_ analysis: Analysis, _ detail: TextDetail, width: Int = 80) -> String {
        Renderer.render(analysis, as: .text, options: RenderOptions(color: false, width: width, detail: detail))
    }

    /// The plain analysis with every part `--details` adds filled in on its first finding.
    static func richAnalysis() throws -> Analysis {
        var analysis = try ReportFixtures.plainAnalysis()
        analysis.findings[0].remedy.kpt = ["kpt cfg set -R . log-firewalls true"]
        analysis.findings[0].remedy.configConnector = ["apiVersion: compute.cnrm.cloud.google.com/v1beta1\nkind: ComputeFirewall\n"]
        analysis.findings[0].surerWith = ["gcloud compute firewall-rules list --format=json"]
        return analysis
    }

    @Test(arguments: [TextDetail.brief, .compact, .full])
    func theSummaryComesFirst(detail: TextDetail) throws {
        let analysis = try ReportFixtures.plainAnalysis()
        let lines = Self.text(analysis, detail).split(separator: "\n").map(String.init)
        #expect(lines.first == "2 findings: 1 error, 1 warning.")
        let top = lines.firstIndex(of: "Top causes:")
        if detail == .brief {
            // Every finding is one line already.
            #expect(top == nil)
        } else {
            let first = try #require(top)
            // Severity, count, rule and the flow from the typed facts, one line each, in order.
            for (offset, finding) in analysis.findings.enumerated() {
                let line = lines[first + 1 + offset]
                #expect(line.hasPrefix("  \(finding.severity.rawValue.uppercased()) "), "\(line)")
                #expect(line.contains("×\(finding.count)") && line.contains(finding.rule), "\(line)")
                #expect(line.contains("\(finding.protocolName ?? "?"):\(finding.port ?? 0)"), "\(line)")
            }
            #expect(lines[first + 1].contains("control plane → pods"), "\(lines[first + 1])")
            // The findings follow the summary.
            let header = try #require(lines.firstIndex { $0.hasPrefix("ERROR webhook-blocked") })
            #expect(header > first + analysis.findings.count)
        }
    }

    @Test func topCausesStopAtFiveAndSayHowManyMore() throws {
        var analysis = try ReportFixtures.plainAnalysis()
        let extra = analysis.findings[1]
        analysis.findings += Array(repeating: extra, count: 5)
        let text = Self.text(analysis, .compact)
        let section = text.components(separatedBy: "Top causes:\n")[1].components(separatedBy: "\n\n")[0]
        // The plan's one line closes the summary.
        let lines = section.split(separator: "\n").filter { !$0.hasPrefix("Fix plan") }
        #expect(section.hasSuffix("\nFix plan (below): 1 firewall rule."), "\(section)")
        #expect(lines.count == TextSummary.topCauses + 1, "\(section)")
        #expect(lines.last == "  … and \(analysis.findings.count - TextSummary.topCauses) more below.")
    }

    @Test func clustersAreNamedOnceOrCountedEach() throws {
        var analysis = try ReportFixtures.plainAnalysis()
        analysis.findings[0].facts["cluster"] = "kf-a"
        #expect(Self.text(analysis, .compact).hasPrefix("2 findings: 1 error, 1 warning in cluster kf-a.\n"))
        analysis.findings[1].facts["cluster"] = "kf-b"
        analysis.findings.append(analysis.findings[0])
        analysis.findings[2].facts["cluster"] = nil
        let text = Self.text(analysis, .brief)
        #expect(text.hasPrefix("3 findings: 2 errors, 1 warning.\n  kf-a: 1 (1 error)\n  kf-b: 1 (1 warning)\n  no cluster named: 1 (1 error)\n"), "\(text)")
    }

    @Test func compactShowsCauseCountsPlacesAndFixAndHidesTheRest() throws {
        let analysis = try Self.richAnalysis()
        let compact = Self.text(analysis, .compact)
        let full = Self.text(analysis, .full)
        let finding = analysis.findings[0]
        for text in [compact, full] {
            #expect(text.contains("  Fix: plan step 1 (below)\n"), "\(text)")
            #expect(text.contains("\n  1. for webhook-blocked (not checkable: "), "\(text)")
            #expect(text.contains(")\n     gcloud compute firewall-rules create allow-master-to-webhook-8443 \\\n"), "\(text)")
            #expect(text.contains("\nERROR webhook-blocked (2 connections denied, observed)\n"))
        }
        #expect(compact.contains("  Evidence: \(finding.evidence[0].count) from \(finding.evidence[0].kind)\n"), "\(compact)")
        let place = try #require(finding.evidence.flatMap(\.locations).first ?? finding.examples.compactMap(\.location).first)
        #expect(compact.contains("  Where: \(place)"), "\(compact)")
        let hint = "\nExamples, notes, Config Connector manifests and docs: add --details.\n"
        for hidden in ["  Examples:", "Note: ", "  Docs:", "  Why:", "Config Connector", "Kubeflow blueprint (kpt)", "Surer with", "kpt cfg set"] {
            #expect(!compact.replacingOccurrences(of: hint, with: "").contains(hidden), "\(hidden) in the compact text")
            #expect(full.contains(hidden), "\(hidden) missing with --details")
        }
        #expect(compact.hasSuffix(hint))
        #expect(!full.contains(hint))
        #expect(compact.split(separator: "\n").count < full.split(separator: "\n").count)
    }

    @Test func briefIsOneLinePerFindingThenThePlan() throws {
        var analysis = try ReportFixtures.plainAnalysis()
        // The second finding needs the first's change too, and one of its own.
        let shared = try #require(analysis.findings[0].remedy.actions.first { $0.changes })
        analysis.findings[1].remedy.actions += [shared, RemedyAction(ShellCommand("gcloud compute routers create r --region=x"))]
        let text = Self.text(analysis, .brief)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heads = lines.filter { $0.hasPrefix("ERROR ") || $0.hasPrefix("WARNING ") }
        #expect(heads.count == analysis.findings.count)
        #expect(heads[0] == "ERROR webhook-blocked [step 2]: control plane → pods tcp:8443", "\(heads)")
        #expect(heads[1].hasPrefix("WARNING other-denied [steps 1, 2]: "), "\(heads)")
        // Each change once, whole (wrapped so it still pastes), numbered in the order it runs:
        // the router before the firewall rule.
        let joined = text.replacing(#/ \\\n +/#, with: " ")
        #expect(joined.contains("\nFix plan (2 changes, in order):\n1. gcloud compute routers create r --region=x\n"), "\(text)")
        #expect(joined.contains("\n2. " + shared.command.rendered + "\n"), "\(text)")
        #expect(joined.components(separatedBy: shared.command.rendered).count == 2)
        // Checks are not in the brief view.
        #expect(!text.contains("kubectl get endpoints") && !text.contains("echo look at"))
        for hidden in ["Fix:", "Where:", "Evidence:", "Docs:", "Top causes:"] { #expect(!text.contains(hidden), "\(hidden)") }
    }

    /// A brief line is cut to the width, never wrapped: it stays one line.
    @Test func briefLinesAreCutToTheWidth() throws {
        var analysis = try ReportFixtures.plainAnalysis()
        // Not a flow (no port): the line shows the message.
        analysis.findings[1].port = nil
        analysis.findings[1].message = String(repeating: "word ", count: 60)
        let text = Self.text(analysis, .brief, width: 60)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("WARNING other-denied") })
        #expect(line.count <= 60 && line.hasSuffix("…"), "\(line)")
    }

    @Test(arguments: [40, 60, 80])
    func headersWrapUnderThemselves(width: Int) throws {
        var analysis = try ReportFixtures.plainAnalysis()
        analysis.findings[0].rule = "a-rather-long-rule-name-that-fills-the-line"
        for detail in [TextDetail.compact, .full] {
            let lines = Self.text(analysis, detail, width: width).split(separator: "\n").map(String.init)
            let start = try #require(lines.firstIndex { $0.hasPrefix("ERROR a-rather-long-rule-name-that-fills-the-line") })
            // The label and the rule's name stay together; past them the line fits the width.
            #expect(lines[start].count <= max(width, "ERROR \(analysis.findings[0].rule)".count), "\(lines[start])")
            #expect(lines[start + 1].hasPrefix("  ") && lines[start + 1].count <= width, "\(lines[start + 1])")
        }
    }

    /// A manifest line too wide has its value moved under its key, and a flow list broken
    /// between items: the YAML means the same, and only an unbreakable value is still too wide.
    @Test func manifestLinesFitAndMeanTheSame() throws {
        let manifest = """
            apiVersion: dns.cnrm.cloud.google.com/v1beta1
            kind: DNSRecordSet
            spec:
              networkRef:
                external: projects/kf-prod-4412/global/networks/kubeflow-vpc-with-a-long-name
              allow:
                - protocol: "tcp and a long quoted description that goes on"
                  ports: ["8443"]
              rrdatas: [199.36.153.4, 199.36.153.5, 199.36.153.6, 199.36.153.7]
              unbreakable: projects/kf-prod-4412/global/networks/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa

            """
        var analysis = try ReportFixtures.plainAnalysis()
        analysis.findings[0].remedy.configConnector = [manifest]
        let text = Self.text(analysis, .full, width: 50)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("    apiVersion:") })
        let end = try #require(lines[start...].firstIndex { !$0.hasPrefix("    ") })
        let shown = lines[start..<end].map { String($0.dropFirst(4)) }
        for line in lines[start..<end] where line.count > 50 {
            #expect(!line.trimmingCharacters(in: .whitespaces).contains(" "), "could have been broken: \(line)")
        }
        #expect(shown.contains("    [199.36.153.4, 199.36.153.5, 199.36.153.6,"), "\(shown)")
        #expect(shown.contains("        \"tcp and a long quoted description"), "\(shown)")
        let original = try Yams.load(yaml: manifest) as? [String: Any]
        let rendered = try Yams.load(yaml: shown.joined(separator: "\n")) as? [String: Any]
        #expect(original.map { NSDictionary(dictionary: $0) } == rendered.map { NSDictionary(dictionary: $0) }, "\(shown.joined(separator: "\n"))")
    }
}
