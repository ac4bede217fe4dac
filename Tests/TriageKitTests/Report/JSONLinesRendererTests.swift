import Foundation
import Testing
@testable import TriageKit

struct JSONLinesRendererTests {
    private func lines(_ analysis: Analysis) throws -> [[String: Any]] {
        let output = Renderer.render(analysis, as: .json, options: RenderOptions())
        #expect(output.hasSuffix("\n"))
        return try output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test func everyLineIsAnObjectWithTheDocumentedKeys() throws {
        let objects = try lines(try ReportFixtures.plainAnalysis())
        try #require(objects.count == 4)
        #expect(objects.map { $0["type"] as? String } == ["finding", "finding", "plan", "summary"])
        let documented: Set<String> = [
            "type", "rule", "severity", "title", "message", "count", "first_seen", "last_seen", "src", "dst", "port",
            "protocol", "denied_by", "evidence", "remedy",
        ]
        for finding in objects where finding["type"] as? String == "finding" {
            let keys = Set(finding.keys)
            #expect(documented.isSubset(of: keys), "missing: \(documented.subtracting(keys))")
            for end in ["src", "dst"] {
                let endpoints = try #require(finding[end] as? [[String: Any]])
                #expect(!endpoints.isEmpty)
                for endpoint in endpoints {
                    #expect(endpoint["ip"] is String)
                    #expect(endpoint["role"] is String)
                    #expect(endpoint.keys.contains("cidr"))
                }
            }
            let remedy = try #require(finding["remedy"] as? [String: Any])
            #expect(remedy["why"] is String)
            #expect(remedy["commands"] is [String])
            #expect(remedy["references"] is [String])
            #expect(finding["evidence"] is [[String: Any]])
            #expect(finding["denied_by"] is [[String: Any]])
        }
    }

    @Test func valuesMatchTheFinding() throws {
        let objects = try lines(try ReportFixtures.plainAnalysis())
        let error = objects[0]
        #expect(error["rule"] as? String == "webhook-blocked")
        #expect(error["severity"] as? String == "error")
        #expect(error["title"] as? String == "Connections of the test kind get through")
        #expect(error["count"] as? Int == 2)
        #expect(error["first_seen"] as? String == "2026-11-22T09:14:03.412Z")
        #expect(error["last_seen"] as? String == "2026-11-22T09:20:00Z")
        #expect(error["port"] as? Int == 8443)
        #expect(error["protocol"] as? String == "tcp")
        let src = try #require(error["src"] as? [[String: Any]])
        #expect(Set(src.compactMap { $0["ip"] as? String }) == ["172.16.0.2", "172.16.0.3"])
        #expect(src.allSatisfy { $0["role"] as? String == "control-plane" && $0["cidr"] as? String == "172.16.0.0/28" })
        let dst = try #require(error["dst"] as? [[String: Any]])
        #expect(dst.first?["ip"] as? String == "10.20.1.14")
        #expect(dst.first?["role"] as? String == "pod")
        let deniedBy = try #require(error["denied_by"] as? [[String: Any]])
        #expect(deniedBy.compactMap { $0["name"] as? String } == ["deny-all-ingress", "deny-b"])
        #expect(deniedBy.compactMap { $0["priority"] as? Int } == [65534, 900])
        let evidence = try #require(error["evidence"] as? [[String: Any]])
        #expect(evidence.first?["src"] as? String == "172.16.0.2:1")
        #expect(evidence.first?["dst"] as? String == "10.20.1.14:8443")
        #expect(evidence.first?["insert_id"] as? String == "p1")
        let remedy = try #require(error["remedy"] as? [String: Any])
        let commands = try #require(remedy["commands"] as? [String])
        #expect(commands.first?.hasPrefix("gcloud compute firewall-rules create allow-master-to-webhook-8443 --network=kubeflow-vpc ") == true)
        #expect(commands.last == "kubectl get endpoints --all-namespaces | grep :8443")
        #expect(remedy["checks"] as? [String] == ["kubectl get endpoints --all-namespaces | grep :8443"])
        #expect(remedy["plan_steps"] as? [Int] == [1])
        let plan = try #require(objects.first { $0["type"] as? String == "plan" }?["steps"] as? [[String: Any]])
        #expect(plan.count == 1)
        #expect(plan.first?["kind"] as? String == "firewall-rule.create")
        #expect(plan.first?["command"] as? String == commands.first)
        #expect(plan.first?["findings"] as? [String] == [error["id"] as? String ?? "?"])
        #expect(remedy["references"] as? [String] == ["https://cloud.google.com/firewall/docs/firewall-rules-logging"])

        let warning = objects[1]
        #expect(warning["rule"] as? String == "other-denied")
        #expect(warning["severity"] as? String == "warning")
        #expect(warning["port"] as? Int == 443)
        let wdst = try #require(warning["dst"] as? [[String: Any]])
        #expect(wdst.first?["role"] as? String == "internet")
        #expect(wdst.first?["cidr"] is NSNull)

        let summary = objects[3]
        #expect(summary["findings"] as? Int == 2)
        #expect(summary["records"] as? Int == 3)
        #expect(summary["firewall_records"] as? Int == 3)
        #expect(summary["denied_records"] as? Int == 3)
        #expect(summary["matched_records"] as? Int == 3)
        #expect(summary["by_severity"] as? [String: Int] == ["error": 1, "warning": 1, "info": 0])
    }

    @Test func controlCharactersAreEscapedNotPrinted() throws {
        let output = Renderer.render(try ReportFixtures.evilAnalysis(), as: .json, options: RenderOptions())
        #expect(!output.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let objects = try lines(try ReportFixtures.evilAnalysis())
        let evidence = try #require(objects.first?["evidence"] as? [[String: Any]])
        // The data survives exactly, for machines.
        #expect(evidence.first?["instance"] as? String == ReportFixtures.evilVM)
    }
}
