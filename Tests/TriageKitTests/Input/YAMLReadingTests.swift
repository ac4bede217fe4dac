import Foundation
import Testing
@testable import TriageKit

/// gcloud's default output: `---` before each entry, quoted timestamps, sequences at the parent
/// key's indentation, long scalars wrapped, block scalars.
struct YAMLReadingTests {
    static let gcloudYAML = """
        ---
        insertId: first
        jsonPayload:
          connection:
            dest_ip: 10.20.1.14
            dest_port: 8443
            protocol: 6
            src_ip: 172.16.0.2
            src_port: 53346
          disposition: DENIED
          instance:
            project_id: kf-prod-4412
            region: us-central1
            vm_name: 'it''s-a-vm'
            zone: us-central1-b
          rule_details:
            action: DENY
            direction: INGRESS
            ip_port_info:
            - ip_protocol: tcp
              port_range:
              - '8443'
              - 9000-9100
            priority: 65534
            reference: network:kubeflow-vpc/firewall:deny-all-ingress
            source_range:
            - 0.0.0.0/0
            - 10.0.0.0/8
            target_tag:
            - gke-kf-private-3f9a6c2e-node
          vpc:
            project_id: kf-prod-4412
            subnetwork_name: kubeflow-subnet
            vpc_name: kubeflow-vpc
        logName: projects/kf-prod-4412/logs/compute.googleapis.com%2Ffirewall
        receiveTimestamp: '2026-11-22T09:49:43.323379275Z'
        resource:
          labels:
            location: us-central1
            project_id: kf-prod-4412
            subnetwork_id: '6834271051297485210'
            subnetwork_name: kubeflow-subnet
          type: gce_subnetwork
        severity: INFO
        textPayload: this is a long plain message that gcloud wraps because it is longer than
          eighty columns of text
        timestamp: '2026-11-22T09:49:33.488259231Z'
        ---
        insertId: second
        # a comment line
        jsonPayload:
          connection:
            dest_ip: 2600:2d00:2:1000::4
            dest_port: '443'
            protocol: 6
            src_ip: '::1'
            src_port: 40000
          disposition: ALLOWED
          instance:
            vm_name: "caf\\u00e9\\ttab \\"q\\""
        textPayload: |
          first line
            indented line

          after a blank line
        timestamp: '2026-11-22T09:50:00Z'
        ---
        insertId: third
        protoPayload:
          '@type': type.googleapis.com/google.cloud.audit.AuditLog
          methodName: v1.compute.firewalls.insert
        severity: NOTICE

        """

    @Test func readsGcloudDefaultYAML() throws {
        let (sink, error, reader) = readAll(Self.gcloudYAML, name: "logs.yaml")
        #expect(error == nil)
        #expect(reader.format == .yaml)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == ["first", "second", "third"])
        #expect(sink.records.allSatisfy { $0.format == .yaml })
        let text = Self.gcloudYAML
        let starts = ["insertId: first", "insertId: second", "insertId: third"].map {
            lineNumber(ofByte: byteOffset(of: $0, in: text)! - 4, in: text)  // the '---' line before it
        }
        #expect(sink.records.map(\.location.line) == starts)

        let first = sink.records[0]
        #expect(first.strings[.srcIP] == "172.16.0.2")
        #expect(first.strings[.destIP] == "10.20.1.14")
        #expect(first.integers[.destPort] == 8443)
        #expect(first.integers[.srcPort] == 53346)
        #expect(first.integers[.networkProtocol] == 6)
        #expect(first.strings[.disposition] == "DENIED")
        #expect(first.strings[.instanceVM] == "it's-a-vm")
        #expect(first.strings[.instanceZone] == "us-central1-b")
        #expect(first.strings[.ruleReference] == "network:kubeflow-vpc/firewall:deny-all-ingress")
        #expect(first.integers[.rulePriority] == 65534)
        #expect(first.strings[.ruleDirection] == "INGRESS")
        #expect(first.strings[.vpcName] == "kubeflow-vpc")
        #expect(first.strings[.timestamp] == "2026-11-22T09:49:33.488259231Z")
        #expect(first.strings[.receiveTimestamp] == "2026-11-22T09:49:43.323379275Z")
        #expect(first.strings[.resourceType] == "gce_subnetwork")
        #expect(first.strings[.resourceSubnetworkID] == "6834271051297485210")
        #expect(first.strings[.severity] == "INFO")
        #expect(first.strings[.textPayload]
            == "this is a long plain message that gcloud wraps because it is longer than eighty columns of text")
        #expect(first.values[.ruleDetails] == canonicalJSON([
            "action": "DENY", "direction": "INGRESS",
            "ip_port_info": [["ip_protocol": "tcp", "port_range": ["8443", "9000-9100"]]],
            "priority": 65534, "reference": "network:kubeflow-vpc/firewall:deny-all-ingress",
            "source_range": ["0.0.0.0/0", "10.0.0.0/8"], "target_tag": ["gke-kf-private-3f9a6c2e-node"],
        ] as [String: Any]))
        #expect(first.values[.resource] == canonicalJSON([
            "labels": [
                "location": "us-central1", "project_id": "kf-prod-4412", "subnetwork_id": "6834271051297485210",
                "subnetwork_name": "kubeflow-subnet",
            ],
            "type": "gce_subnetwork",
        ] as [String: Any]))

        let second = sink.records[1]
        #expect(second.strings[.destIP] == "2600:2d00:2:1000::4")
        #expect(second.strings[.srcIP] == "::1")
        #expect(second.integers[.destPort] == 443)
        #expect(second.strings[.instanceVM] == "café\ttab \"q\"")
        #expect(second.strings[.textPayload] == "first line\n  indented line\n\nafter a blank line\n")
        #expect(second.strings[.timestamp] == "2026-11-22T09:50:00Z")

        let third = sink.records[2]
        #expect(third.strings[.severity] == "NOTICE")
        #expect(third.present.contains(.protoPayload))
        #expect(!third.present.contains(.jsonPayload))
        #expect(third.values[.protoPayload] == canonicalJSON([
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog", "methodName": "v1.compute.firewalls.insert",
        ]))
    }

    @Test func quotedScalars() throws {
        let text = """
            ---
            insertId: 'single ''quoted'' id'
            severity: "double \\"quoted\\" \\u00fc"
            logName: 'projects/p/logs/x: y'
            jsonPayload:
              disposition: ''
            ---
            insertId: plain with 'inner' quotes and "doubles"

            """
        let (sink, error, _) = readAll(text)
        #expect(error == nil)
        #expect(sink.strings(.insertId) == ["single 'quoted' id", "plain with 'inner' quotes and \"doubles\""])
        #expect(sink.records.first?.strings[.severity] == "double \"quoted\" ü")
        #expect(sink.records.first?.strings[.logName] == "projects/p/logs/x: y")
        #expect(sink.records.first?.strings[.disposition] == "")
    }

    @Test func singlePlainDocumentWithoutMarker() throws {
        let text = "insertId: lonely\nseverity: ERROR\n"
        let (sink, error, reader) = readAll(text)
        #expect(error == nil)
        #expect(reader.format == .yaml)
        #expect(sink.strings(.insertId) == ["lonely"])
        #expect(sink.strings(.severity) == ["ERROR"])
    }

    @Test func crlfLineEndings() throws {
        let text = "---\r\ninsertId: a\r\njsonPayload:\r\n  connection:\r\n    dest_port: 22\r\n---\r\ninsertId: b\r\n"
        let (sink, error, _) = readAll(text)
        #expect(error == nil)
        #expect(sink.strings(.insertId) == ["a", "b"])
        #expect(sink.records.first?.integers[.destPort] == 22)
    }

    @Test func documentEndMarker() throws {
        let text = "---\ninsertId: a\n...\n---\ninsertId: b\n...\n"
        let (sink, _, _) = readAll(text)
        #expect(sink.strings(.insertId) == ["a", "b"])
    }

    @Test func malformedDocumentIsSkippedAndTheNextRead() throws {
        let text = """
            ---
            insertId: a
            ---
            insertId: broken
            this line has no colon
            ---
            insertId: c

            """
        let (sink, error, _) = readAll(text, name: "bad.yaml")
        #expect(error == nil)
        #expect(sink.strings(.insertId) == ["a", "c"])
        try #require(sink.problems.count == 1)
        #expect(sink.problems[0].category == "malformed YAML")
        #expect(sink.problems[0].line == 5)
        #expect(sink.problems[0].byteOffset == nil)
    }

    /// The same entry spelled as YAML and as JSON materialises into the same event.
    @Test func yamlAndJSONGiveTheSameEvent() throws {
        let yaml = collect(Self.gcloudYAML)
        let entry: [String: Any] = [
            "insertId": "first",
            "jsonPayload": [
                "connection": [
                    "dest_ip": "10.20.1.14", "dest_port": 8443, "protocol": 6, "src_ip": "172.16.0.2", "src_port": 53346,
                ],
                "disposition": "DENIED",
                "instance": [
                    "project_id": "kf-prod-4412", "region": "us-central1", "vm_name": "it's-a-vm", "zone": "us-central1-b",
                ],
                "rule_details": [
                    "action": "DENY", "direction": "INGRESS",
                    "ip_port_info": [["ip_protocol": "tcp", "port_range": ["8443", "9000-9100"]]],
                    "priority": 65534, "reference": "network:kubeflow-vpc/firewall:deny-all-ingress",
                    "source_range": ["0.0.0.0/0", "10.0.0.0/8"], "target_tag": ["gke-kf-private-3f9a6c2e-node"],
                ],
                "vpc": ["project_id": "kf-prod-4412", "subnetwork_name": "kubeflow-subnet", "vpc_name": "kubeflow-vpc"],
            ] as [String: Any],
            "logName": "projects/kf-prod-4412/logs/compute.googleapis.com%2Ffirewall",
            "receiveTimestamp": "2026-11-22T09:49:43.323379275Z",
            "resource": [
                "labels": [
                    "location": "us-central1", "project_id": "kf-prod-4412", "subnetwork_id": "6834271051297485210",
                    "subnetwork_name": "kubeflow-subnet",
                ],
                "type": "gce_subnetwork",
            ],
            "severity": "INFO",
            "timestamp": "2026-11-22T09:49:33.488259231Z",
        ]
        let json = collect(LogEntries.ndjson([entry]))
        let fromYAML = try #require(yaml.flowGroups().first { $0.event.insertID == "first" }?.event)
        let fromJSON = try #require(json.flowGroups().first?.event)
        var a = fromYAML
        var b = fromJSON
        a.location = nil
        b.location = nil
        #expect(a == b)
        #expect(a.ruleDetails.ipPortInfo == [FirewallEvent.PortInfo(ipProtocol: "tcp", portRanges: ["8443", "9000-9100"])])
        #expect(a.instance?.vmName == "it's-a-vm")
    }

    /// Line numbers come from the scanner's own count of the lines it walks; over several
    /// buffer refills, with comments, blank lines, `...` ends, CRLF documents and broken
    /// documents among them, every record and problem must still name its true line.
    @Test func lineNumbersStayExactAcrossRefills() throws {
        var lines: [String] = []
        var starts: [String: Int] = [:]
        var brokenLines: [Int] = []
        for i in 0..<30_000 {
            let crlf = i % 7 == 3
            var document: [String] = []
            // The first document, and one after a `...` end, may go without a `---`.
            let mayOmitMarker = i == 0 || (i - 1) % 17 == 8
            if !(mayOmitMarker && i % 2 == 0) { document.append("---") }
            if i % 11 == 2 { document.append("# comment \(i)") }
            document.append("insertId: d\(i)")
            if i % 97 == 50 {
                document.append("this line has no colon")
            }
            document += ["jsonPayload:", "  connection:", "    dest_port: \(i % 60000)", "    src_ip: 10.0.0.\(i % 250)"]
            if i % 13 == 4 { document += ["", "  disposition: DENIED"] }
            if i % 17 == 8 { document.append("...") }
            starts["d\(i)"] = lines.count + 1
            if i % 97 == 50 { brokenLines.append(lines.count + document.firstIndex(of: "this line has no colon")! + 1) }
            lines += document.map { crlf ? $0 + "\r" : $0 }
        }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 2 * (1 << 20), "the data must span refills")
        let sink = RecordingSink(fields: [.insertId], decodeValues: false)
        let (_, error, reader) = readAll(text, name: "big.yaml", sink: sink)
        #expect(error == nil)
        #expect(sink.problems.map(\.line) == brokenLines.map { Optional($0) })
        let read = sink.records.compactMap { record in record.strings[.insertId].map { ($0, record.location.line) } }
        #expect(read.count == 30_000 - brokenLines.count)
        for (id, line) in read where starts[id] != line {
            Issue.record("\(id) at line \(line), expected \(starts[id] ?? -1)")
            break
        }
        #expect(reader.linesCounted == lines.count)
    }
}
