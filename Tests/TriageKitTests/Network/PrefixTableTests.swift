import Foundation
import Testing
@testable import TriageKit

struct PrefixTableTests {
    private func table(_ entries: [(String, String)]) -> PrefixTable<String> {
        var table = PrefixTable<String>()
        for (cidr, value) in entries { table.insert(CIDR(cidr)!, value) }
        return table
    }

    static let nested = [
        ("10.0.0.0/8", "a"), ("10.20.0.0/14", "b"), ("10.20.1.0/24", "c"), ("10.20.1.14/32", "d"),
    ]

    @Test(arguments: [
        ("10.20.1.14", "d", "10.20.1.14/32"),
        ("10.20.1.15", "c", "10.20.1.0/24"),
        ("10.21.0.1", "b", "10.20.0.0/14"),
        ("10.99.0.1", "a", "10.0.0.0/8"),
    ])
    func longestOverlappingPrefixWins(address: String, value: String, cidr: String) throws {
        let match = try #require(table(Self.nested).longestMatch(try ip(address)))
        #expect(match.value == value)
        #expect(match.cidr.description == cidr)
    }

    @Test func noMatchOutsideEveryPrefix() throws {
        let table = table(Self.nested)
        #expect(table.longestMatch(try ip("11.0.0.1")) == nil)
        #expect(table.longestMatch(try ip("2001:db8::1")) == nil)
        #expect(PrefixTable<String>().longestMatch(try ip("10.0.0.1")) == nil)
        #expect(PrefixTable<String>().isEmpty)
        #expect(!table.isEmpty)
    }

    @Test func insertionOrderDoesNotMatter() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<10 {
            let shuffled = table(Self.nested.shuffled(using: &random))
            #expect(shuffled.longestMatch(try ip("10.20.1.14"))?.value == "d")
            #expect(shuffled.longestMatch(try ip("10.20.200.1"))?.value == "b")
        }
    }

    @Test func insertingTheSameRangeReplacesItsValue() throws {
        var table = table([("10.0.0.0/8", "old")])
        table.insert(try cidr("10.1.2.3/8"), "new")  // same network once masked
        #expect(table.longestMatch(try ip("10.5.5.5"))?.value == "new")
    }

    /// IPv4 /k and IPv6 /(96+k) share a length bucket; the families must not meet there.
    @Test func bothFamiliesInOneTable() throws {
        let table = table([
            ("0.0.0.0/0", "v4 default"), ("::/0", "v6 default"), ("2600:2d00::/32", "x"),
            ("2600:2d00:2:1000::/64", "y"), ("2001:db8::/120", "v6 /120"), ("10.1.1.0/24", "v4 /24"),
        ])
        func lookup(_ text: String) throws -> String? {
            try table.longestMatch(ip(text)).map { "\($0.value) @ \($0.cidr)" }
        }
        #expect(try lookup("1.2.3.4") == "v4 default @ 0.0.0.0/0")
        #expect(try lookup("10.1.1.7") == "v4 /24 @ 10.1.1.0/24")
        #expect(try lookup("::ffff:10.1.1.7") == "v4 /24 @ 10.1.1.0/24")
        #expect(try lookup("2001:db8::7") == "v6 /120 @ 2001:db8::/120")
        #expect(try lookup("2001:db8::1:7") == "v6 default @ ::/0")
        #expect(try lookup("::a01:107") == "v6 default @ ::/0")  // 10.1.1.7's bits, but IPv6
        #expect(try lookup("2600:2d00:2:1000::4") == "y @ 2600:2d00:2:1000::/64")
        #expect(try lookup("2600:2d00:5::1") == "x @ 2600:2d00::/32")
        #expect(try lookup("::") == "v6 default @ ::/0")
        #expect(try lookup("0.0.0.0") == "v4 default @ 0.0.0.0/0")
    }

    @Test func ipv6DefaultRouteDoesNotCatchIPv4() throws {
        let table = table([("::/0", "v6")])
        #expect(table.longestMatch(try ip("8.8.8.8")) == nil)
        let v4Only = self.table([("0.0.0.0/0", "v4")])
        #expect(v4Only.longestMatch(try ip("::")) == nil)
        #expect(v4Only.longestMatch(try ip("::1")) == nil)
    }

    /// Against a linear scan over random overlapping prefixes of both families.
    @Test func agreesWithLinearScan() throws {
        var random = SplitMix64(seed: 0x5EED)
        var ranges: [CIDR: Int] = [:]
        var table = PrefixTable<Int>()
        var seeds: [IPAddress] = []
        for value in 0..<400 {
            let v4 = random.chance(0.5)
            // A small address pool so prefixes overlap a lot.
            let address = v4
                ? IPAddress(v4: 0x0A00_0000 | UInt32(random.int(0...0xFFFF)) << 8)
                : IPAddress(high: 0x2001_0DB8_0000_0000 | UInt64(random.int(0...0xFFFF)) << 16, low: random.next() & 0xFF)
            let length = v4 ? random.int(8...32) : random.int(32...128)
            let cidr = CIDR(network: address, prefixLength: length)
            ranges[cidr] = value
            table.insert(cidr, value)
            seeds.append(address)
        }
        for _ in 0..<3000 {
            var address = random.pick(seeds)
            if random.chance(0.8) {
                if address.isV4 { address.low ^= UInt64(random.int(0...0xFFFF)) } else { address.low ^= random.next() >> random.int(0...63) }
            }
            let expected = ranges.filter { $0.key.contains(address) }.max { $0.key.prefixLength < $1.key.prefixLength }
            let got = table.longestMatch(address)
            #expect(got?.cidr == expected?.key, "\(address)")
            #expect(got?.value == expected?.value, "\(address)")
        }
    }
}
