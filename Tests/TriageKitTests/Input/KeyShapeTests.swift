import Foundation
import Testing
@testable import TriageKit

/// The scanner tries each record's keys against the layout of the records before it. Records
/// whose layout changes (keys reordered, added, dropped, escaped, prefixes of each other) must
/// give exactly what each gives when read alone.
struct KeyShapeTests {
    static let records: [String] = [
        #"{"insertId":"a","jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","dest_port":443},"disposition":"DENIED"}}"#,
        #"{"insertId":"b","jsonPayload":{"connection":{"dest_ip":"10.0.0.4","src_ip":"10.0.0.3","dest_port":80},"disposition":"ALLOWED"}}"#,
        // Keys that share a prefix with the remembered ones, and an unknown key in their place.
        #"{"insertIdx":"c","jsonPayload":{"connection":{"src_ipv":"10.0.0.5","src_ip":"10.0.0.6","dest_port":22}}}"#,
        #"{"insert":"d","insertId":"d2","jsonPayload":{"connection":{"src_i":"x","src_ip":"10.0.0.7"}}}"#,
        // An escaped spelling of a known key is not that key.
        #"{"insertId":"e","jsonPayload":{"connection":{"src\u005fip":"10.0.0.8","dest_ip":"10.0.0.9"}}}"#,
        #"{"insertId":"f","jsonPayload":{"connection":{"src_ip":"10.0.0.10"}}}"#,
        // Keys long enough not to be remembered, and spacing around them.
        #"{ "a_key_that_is_much_longer_than_thirty_two_bytes" : 1 , "insertId" : "g" , "jsonPayload" : { "connection" : { "src_ip" : "10.0.0.11" } } }"#,
        #"{"insertId":"h","jsonPayload":{"connection":{"src_ip":"10.0.0.12","dest_ip":"10.0.0.13","dest_port":443},"disposition":"DENIED"}}"#,
    ]

    static func read(_ text: String) throws -> RecordingSink {
        let sink = RecordingSink(decodeValues: false)
        try InputReader(name: "t", source: MemorySource(text)).run(into: sink)
        return sink
    }

    @Test func changingLayoutsReadAsEachAlone() throws {
        // Every order of the records, rotated, so each follows each of several others.
        for rotation in 0..<Self.records.count {
            let ordered = Array(Self.records[rotation...] + Self.records[..<rotation])
            let together = try Self.read(ordered.joined(separator: "\n") + "\n")
            #expect(together.problems.isEmpty)
            try #require(together.records.count == ordered.count)
            for (index, record) in ordered.enumerated() {
                let alone = try Self.read(record + "\n")
                #expect(together.records[index].strings == alone.records[0].strings, "\(record)")
                #expect(together.records[index].present == alone.records[0].present, "\(record)")
            }
        }
    }
}
