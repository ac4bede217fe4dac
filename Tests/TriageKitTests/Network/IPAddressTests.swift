import Foundation
import Testing
@testable import TriageKit

struct IPAddressTests {
    @Test(arguments: [
        ("0.0.0.0", UInt32(0)),
        ("255.255.255.255", 0xFFFF_FFFF),
        ("10.20.1.14", 0x0A14_010E),
        ("172.16.0.2", 0xAC10_0002),
        ("1.2.3.4", 0x0102_0304),
        ("169.254.169.254", 0xA9FE_A9FE),
    ])
    func parsesAndFormatsIPv4(text: String, value: UInt32) throws {
        let address = try #require(IPAddress(text))
        #expect(address.isV4)
        #expect(address.v4Value == value)
        #expect(address == IPAddress(v4: value))
        #expect(address.description == text)
        // Stored v4-mapped: ::ffff:a.b.c.d.
        #expect(address.high == 0)
        #expect(address.low == 0x0000_FFFF_0000_0000 | UInt64(value))
    }

    @Test(arguments: [
        "1.2.3", "256.1.1.1", "1.256.1.1", "1.2.3.256", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.-4",
        "1.2.3.4/8", " 1.2.3.4", "1.2.3.4 ", "1234.1.1.1", "a.b.c.d", "", ".", "1.2.3.4:80",
        "1::2::3", "gggg::", ":", ":::", "1:::2", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "1:", ":1", "::1:",
        "1::2:3:4:5:6:7:8", "::ffff:1.2.3", "::ffff:256.1.1.1", "1.2.3.4::", "fe80::1%eth0", "::1.2.3.4:5",
        "1:2:3:4:5:6:7:1.2.3.4", "2001:db8::g", "[::1]", "::-1",
    ])
    func rejectsInvalidText(text: String) {
        #expect(IPAddress(text) == nil, "'\(text)' should not parse")
    }

    /// RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups
    /// compressed (the first when runs tie), a single zero group left alone.
    @Test(arguments: [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("fe80:0:0:0:0:0:0:0", "fe80::"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("1:0:0:2:0:0:0:0", "1:0:0:2::"),
        ("2600:2d00:0002:1000:0000:0000:0000:0004", "2600:2d00:2:1000::4"),
        ("abcd:ef01:2345:6789:abcd:ef01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("::1.2.3.4", "::102:304"),
    ])
    func formatsIPv6(text: String, expected: String) throws {
        let address = try #require(IPAddress(text))
        #expect(!address.isV4)
        #expect(address.description == expected)
        #expect(IPAddress(expected) == address)
    }

    @Test func ipv6BitsLandInTheRightWords() throws {
        #expect(IPAddress("2001:db8::1") == IPAddress(high: 0x2001_0DB8_0000_0000, low: 1))
        #expect(IPAddress("::ffff:0:1") == IPAddress(v4: 1))
        #expect(IPAddress("1:2:3:4:5:6:7:8") == IPAddress(high: 0x0001_0002_0003_0004, low: 0x0005_0006_0007_0008))
        #expect(IPAddress("64:ff9b::192.0.2.33") == IPAddress(high: 0x0064_FF9B_0000_0000, low: 0xC000_0221))
    }

    @Test(arguments: ["::ffff:10.1.2.3", "::FFFF:10.1.2.3", "::ffff:a01:203", "0:0:0:0:0:ffff:0a01:0203"])
    func v4MappedIsIPv4(text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.isV4)
        #expect(address == IPAddress("10.1.2.3"))
        #expect(address.description == "10.1.2.3")
    }

    @Test(arguments: ["::fffe:10.1.2.3", "::ffff:ffff:10.1.2.3", "0:0:0:1:0:ffff:a01:203", "::10.1.2.3"])
    func almostMappedIsIPv6(text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(!address.isV4)
        #expect(address != IPAddress("10.1.2.3"))
    }

    @Test func parseFromBytesMatchesParseFromText() {
        for text in ["10.0.0.1", "2001:db8::1", "::ffff:1.2.3.4", "nonsense", "1.2.3"] {
            var copy = text
            let fromBytes = copy.withUTF8 { IPAddress.parse($0) }
            #expect(fromBytes == IPAddress(text))
        }
    }

    /// Any 128-bit value prints as text that parses back to it, and the text follows RFC 5952.
    @Test func randomAddressesRoundTrip() throws {
        var random = SplitMix64(seed: 5952)
        for _ in 0..<2000 {
            var groups = (0..<8).map { _ in UInt16.random(in: .min ... .max, using: &random) }
            // Zero out runs so compression is exercised.
            if random.chance(0.7) {
                let start = random.int(0...7)
                let length = random.int(1...(8 - start))
                for i in start..<(start + length) { groups[i] = 0 }
            }
            if random.chance(0.2) { groups[0...5] = [0, 0, 0, 0, 0, 0xFFFF] }  // v4-mapped
            let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            let address = IPAddress(high: high, low: low)
            let text = address.description
            #expect(IPAddress(text) == address, "\(groups) printed as \(text)")
            if address.isV4 {
                #expect(text.split(separator: ".").count == 4)
                continue
            }
            #expect(text == text.lowercased())
            #expect(text.components(separatedBy: "::").count <= 2)
            // Every group written out has no leading zero.
            for group in text.replacingOccurrences(of: "::", with: ":").split(separator: ":") {
                #expect(group == "0" || !group.hasPrefix("0"), "\(text)")
            }
            // The compressed run is the longest (leftmost on ties) and at least two groups.
            let runs = zeroRuns(groups)
            if let best = runs.max(by: { $0.count < $1.count || ($0.count == $1.count && $0.start > $1.start) }), best.count >= 2 {
                let head = groups[0..<best.start].map { String($0, radix: 16) }.joined(separator: ":")
                let tail = groups[(best.start + best.count)...].map { String($0, radix: 16) }.joined(separator: ":")
                #expect(text == head + "::" + tail)
            } else {
                #expect(!text.contains("::"))
            }
        }
    }

    private func zeroRuns(_ groups: [UInt16]) -> [(start: Int, count: Int)] {
        var runs: [(start: Int, count: Int)] = []
        var i = 0
        while i < groups.count {
            if groups[i] == 0 {
                let start = i
                while i < groups.count && groups[i] == 0 { i += 1 }
                runs.append((start, i - start))
            } else {
                i += 1
            }
        }
        return runs
    }

    @Test func ordersNumerically() throws {
        let texts = ["10.0.0.10", "10.0.0.9", "9.255.255.255", "2001:db8::1", "::1"]
        let sorted = texts.compactMap(IPAddress.init).sorted().map(\.description)
        // ::1 is numerically below every v4-mapped address, which are all below 2001:db8::.
        #expect(sorted == ["::1", "9.255.255.255", "10.0.0.9", "10.0.0.10", "2001:db8::1"])
    }

    @Test func masking() throws {
        let address = try #require(IPAddress("10.20.1.14"))
        #expect(address.masked(to: 14) == IPAddress("10.20.0.0"))
        #expect(address.masked(to: 32) == address)
        #expect(address.masked(to: 0) == IPAddress("0.0.0.0"))
        #expect(address.masked(to: 0).isV4)
        let v6 = try #require(IPAddress("2600:2d00:2:1000:abcd:1:2:3"))
        #expect(v6.masked(to: 64) == IPAddress("2600:2d00:2:1000::"))
        #expect(v6.masked(to: 65) == IPAddress("2600:2d00:2:1000:8000::"))
        #expect(v6.masked(to: 63) == IPAddress("2600:2d00:2:1000::"))
        #expect(v6.masked(to: 20) == IPAddress("2600:2000::"))
        #expect(v6.masked(to: 0) == IPAddress("::"))
        #expect(v6.masked(to: 128) == v6)
        #expect(v6.masked(to: 127) == IPAddress("2600:2d00:2:1000:abcd:1:2:2"))
    }
}
