import Foundation
import Testing
@testable import TriageKit

/// The JSON shapes the reader frames: NDJSON, gcloud arrays, pretty and concatenated objects.
struct JSONReadingTests {
    static let lineA = #"{"insertId":"a","jsonPayload":{"connection":{"src_ip":"10.0.0.1","src_port":1111,"dest_ip":"10.0.0.2","dest_port":443,"protocol":6},"disposition":"DENIED"},"logName":"projects/p/logs/compute.googleapis.com%2Ffirewall"}"#
    static let lineB = #"{"insertId":"b","jsonPayload":{"connection":{"src_ip":"10.0.0.3","src_port":2222,"dest_ip":"10.0.0.4","dest_port":8443,"protocol":17},"disposition":"ALLOWED"}}"#
    static let lineC = #"{"insertId":"c","timestamp":"2026-11-22T09:14:03.412Z"}"#

    @Test func ndjson() throws {
        let (sink, error, reader) = readAll([Self.lineA, Self.lineB, Self.lineC].joined(separator: "\n") + "\n")
        #expect(error == nil)
        #expect(reader.format == .ndjson)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == ["a", "b", "c"])
        #expect(sink.records.map(\.location.line) == [1, 2, 3])
        #expect(sink.records.allSatisfy { $0.format == .ndjson })
        let a = sink.records[0]
        #expect(a.strings[.srcIP] == "10.0.0.1")
        #expect(a.integers[.srcPort] == 1111)
        #expect(a.strings[.destIP] == "10.0.0.2")
        #expect(a.integers[.destPort] == 443)
        #expect(a.integers[.networkProtocol] == 6)
        #expect(a.strings[.disposition] == "DENIED")
        #expect(a.strings[.logName] == "projects/p/logs/compute.googleapis.com%2Ffirewall")
        #expect(sink.records[1].integers[.networkProtocol] == 17)
        #expect(!sink.records[1].present.contains(.logName))
        #expect(sink.records[2].strings[.timestamp] == "2026-11-22T09:14:03.412Z")
        #expect(!sink.records[2].present.contains(.jsonPayload))
    }

    @Test func ndjsonWithCRLFBlankLinesAndNoFinalNewline() throws {
        let text = Self.lineA + "\r\n\r\n   \n" + Self.lineB + "\r\n" + Self.lineC
        let (sink, error, _) = readAll(text)
        #expect(error == nil)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == ["a", "b", "c"])
        #expect(sink.records.map(\.location.line) == [1, 4, 5])
    }

    /// `gcloud logging read --format=json`: an array, two-space indent.
    static let gcloudArray = """
        [
          {
            "insertId": "first",
            "jsonPayload": {
              "connection": {
                "dest_ip": "10.20.1.14",
                "dest_port": 8443,
                "protocol": 6,
                "src_ip": "172.16.0.2",
                "src_port": 53346
              },
              "disposition": "DENIED",
              "rule_details": {
                "action": "DENY",
                "direction": "INGRESS",
                "ip_port_info": [
                  {
                    "ip_protocol": "ALL"
                  }
                ],
                "priority": 65534,
                "reference": "network:kubeflow-vpc/firewall:deny-all-ingress",
                "source_range": [
                  "0.0.0.0/0"
                ]
              }
            },
            "logName": "projects/kf-prod-4412/logs/compute.googleapis.com%2Ffirewall",
            "timestamp": "2026-11-22T09:49:33.488259231Z"
          },
          {
            "insertId": "second",
            "jsonPayload": {
              "connection": {
                "dest_ip": "10.20.2.9",
                "dest_port": 443,
                "protocol": 6,
                "src_ip": "172.16.0.3",
                "src_port": 59119
              },
              "disposition": "ALLOWED"
            }
          }
        ]

        """

    @Test func gcloudJSONArray() throws {
        let (sink, error, reader) = readAll(Self.gcloudArray)
        #expect(error == nil)
        #expect(reader.format == .jsonStream)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == ["first", "second"])
        let text = Self.gcloudArray
        let starts = [
            lineNumber(ofByte: try #require(byteOffset(of: "{\n    \"insertId\": \"first\"", in: text)), in: text),
            lineNumber(ofByte: try #require(byteOffset(of: "{\n    \"insertId\": \"second\"", in: text)), in: text),
        ]
        #expect(sink.records.map(\.location.line) == starts)
        #expect(sink.records.map(\.location.byteOffset) == [
            Int64(try #require(byteOffset(of: "{\n    \"insertId\": \"first\"", in: text))),
            Int64(try #require(byteOffset(of: "{\n    \"insertId\": \"second\"", in: text))),
        ])
        let first = sink.records[0]
        #expect(first.strings[.ruleReference] == "network:kubeflow-vpc/firewall:deny-all-ingress")
        #expect(first.integers[.rulePriority] == 65534)
        #expect(first.strings[.ruleAction] == "DENY")
        #expect(first.strings[.ruleDirection] == "INGRESS")
        #expect(first.strings[.timestamp] == "2026-11-22T09:49:33.488259231Z")
        #expect(first.values[.ruleDetails] == canonicalJSON([
            "action": "DENY", "direction": "INGRESS", "ip_port_info": [["ip_protocol": "ALL"]], "priority": 65534,
            "reference": "network:kubeflow-vpc/firewall:deny-all-ingress", "source_range": ["0.0.0.0/0"],
        ] as [String: Any]))
        #expect(first.strings[.ruleDetails] == nil)  // raw blocks have no string form
        #expect(sink.records[1].strings[.srcIP] == "172.16.0.3")
        #expect(sink.records[1].integers[.destPort] == 443)
    }

    @Test func emptyArrayAndArrayOnOneLine() throws {
        let empty = readAll("[]\n")
        #expect(empty.error == nil)
        #expect(empty.sink.records.isEmpty)
        #expect(empty.sink.problems.isEmpty)
        let oneLine = readAll("[" + Self.lineA + "," + Self.lineB + "]")
        #expect(oneLine.error == nil)
        #expect(oneLine.reader.format == .jsonStream)
        #expect(oneLine.sink.strings(.insertId) == ["a", "b"])
    }

    @Test func concatenatedPrettyObjects() throws {
        let text = """
            {
              "insertId": "one",
              "severity": "INFO"
            }
            {
              "insertId": "two",
              "severity": "WARNING"
            }{"insertId": "three"}

            """
        let (sink, error, reader) = readAll(text)
        #expect(error == nil)
        #expect(reader.format == .jsonStream)
        #expect(sink.problems.isEmpty)
        #expect(sink.strings(.insertId) == ["one", "two", "three"])
        #expect(sink.strings(.severity) == ["INFO", "WARNING", nil])
        #expect(sink.records.map(\.location.line) == [1, 5, 8])
    }

    @Test func singleObject() throws {
        let pretty = readAll("{\n  \"insertId\": \"only\"\n}\n")
        #expect(pretty.error == nil)
        #expect(pretty.reader.format == .jsonStream)
        #expect(pretty.sink.strings(.insertId) == ["only"])
        let compact = readAll(#"{"insertId":"only"}"#)
        #expect(compact.error == nil)
        #expect(compact.reader.format == .ndjson)
        #expect(compact.sink.strings(.insertId) == ["only"])
        let withBOM = readAll([0xEF, 0xBB, 0xBF] + Array(#"{"insertId":"bom"}"#.utf8) + [0x0A])
        #expect(withBOM.sink.strings(.insertId) == ["bom"])
    }

    @Test func escapesInStrings() throws {
        let line = #"{"insertId":"q\"uote\\back\u00e9\nnew\ttab\/slash\ud83d\ude80","jsonPayload":{"instance":{"vm_name":"gke-\"x\"-\\y"}}}"#
        let (sink, error, _) = readAll(line + "\n")
        #expect(error == nil)
        let record = try #require(sink.records.first)
        #expect(record.strings[.insertId] == "q\"uote\\backé\nnew\ttab/slash🚀")
        #expect(record.strings[.instanceVM] == "gke-\"x\"-\\y")
        // And what Foundation makes of the same line.
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(record.strings[.insertId] == decoded["insertId"] as? String)
    }

    @Test func rawUnicode() throws {
        let line = #"{"insertId":"日本語-café-🚀-\u202e","jsonPayload":{"instance":{"vm_name":"gke-Ünïcödé"}}}"#
        let (sink, _, _) = readAll(line + "\n")
        #expect(sink.records.first?.strings[.insertId] == "日本語-café-🚀-\u{202E}")
        #expect(sink.records.first?.strings[.instanceVM] == "gke-Ünïcödé")
    }

    @Test func keysInAnyOrderAndUnknownKeysSkipped() throws {
        let line = #"""
            {"zzz":{"connection":{"src_ip":"9.9.9.9"}},"jsonPayload":{"unknown":{"connection":{"src_ip":"8.8.8.8","dest_ip":"8.8.4.4"},"list":["}{\"",{"a":[1,2,{"b":"]"}]},null,true,-1.5e3]},"disposition":"DENIED","connection":{"protocol":6,"dest_port":53,"dest_ip":"10.0.0.53","src_port":5353,"src_ip":"10.0.0.9"}},"connection":{"src_ip":"7.7.7.7"},"src_ip":"6.6.6.6","insertId":"k"}
            """#
        let (sink, error, _) = readAll(line + "\n")
        #expect(error == nil)
        #expect(sink.problems.isEmpty)
        let record = try #require(sink.records.first)
        #expect(record.strings[.srcIP] == "10.0.0.9")
        #expect(record.strings[.destIP] == "10.0.0.53")
        #expect(record.integers[.destPort] == 53)
        #expect(record.integers[.srcPort] == 5353)
        #expect(record.strings[.disposition] == "DENIED")
        #expect(record.strings[.insertId] == "k")
    }

    @Test func whitespaceEverywhere() throws {
        let line = "{ \"insertId\" : \"w\" ,\t\"jsonPayload\" :{ \"connection\":{\"dest_port\" : 80 , \"src_ip\":\"1.2.3.4\" } } }"
        let (sink, error, _) = readAll(line + "\n")
        #expect(error == nil)
        #expect(sink.records.first?.strings[.insertId] == "w")
        #expect(sink.records.first?.integers[.destPort] == 80)
        #expect(sink.records.first?.strings[.srcIP] == "1.2.3.4")
    }

    @Test func portsAsStringsAndOddNumbers() throws {
        let lines = [
            #"{"jsonPayload":{"connection":{"dest_port":"8443","src_port":"53346","protocol":"6"}}}"#,
            #"{"jsonPayload":{"connection":{"dest_port":null,"src_port":-1,"protocol":6.0}}}"#,
            #"{"jsonPayload":{"connection":{"dest_port":"","src_port":"12a","protocol":1e2}}}"#,
        ]
        let (sink, error, _) = readAll(lines.joined(separator: "\n"))
        #expect(error == nil)
        #expect(sink.problems.isEmpty)
        #expect(sink.records.map { $0.integers[.destPort] } == [8443, nil, nil])
        #expect(sink.records.map { $0.integers[.srcPort] } == [53346, nil, nil])
        #expect(sink.records.map { $0.integers[.networkProtocol] } == [6, nil, nil])
        // The string form keeps what was written.
        #expect(sink.records[0].strings[.destPort] == "8443")
        #expect(sink.records[0].values[.destPort] == canonicalJSON("8443"))
        #expect(sink.records[1].values[.destPort] == "null")
        #expect(sink.records[1].values[.srcPort] == canonicalJSON(-1))
    }

    @Test func nestedValuesAreKeptRaw() throws {
        let line = #"{"resource":{"type":"gce_subnetwork","labels":{"project_id":"p","subnetwork_id":"6834271051297485210"}},"jsonPayload":{"remote_location":{"city":"Zürich","country":"che"},"remote_instance":{"vm_name":"other"}}}"#
        let (sink, _, _) = readAll(line + "\n")
        let record = try #require(sink.records.first)
        #expect(record.strings[.resourceType] == "gce_subnetwork")
        #expect(record.values[.resource] == canonicalJSON([
            "type": "gce_subnetwork", "labels": ["project_id": "p", "subnetwork_id": "6834271051297485210"],
        ] as [String: Any]))
        #expect(record.strings[.resourceProject] == "p")
        #expect(record.strings[.resourceSubnetworkID] == "6834271051297485210")
        #expect(record.strings[.remoteCity] == "Zürich")
        #expect(record.strings[.remoteCountry] == "che")
        #expect(record.strings[.remoteInstanceVM] == "other")
        #expect(!record.present.contains(.remoteRegion))
    }
}
