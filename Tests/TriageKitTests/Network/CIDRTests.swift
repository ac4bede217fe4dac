import Foundation
import Testing
@testable import TriageKit

struct CIDRTests {
    @Test(arguments: [
        ("10.20.0.0/14", "10.20.0.0/14", 14),
        ("10.20.1.14/14", "10.20.0.0/14", 14),  // host bits set: masked away
        ("172.16.0.9/28", "172.16.0.0/28", 28),
        ("10.0.0.1", "10.0.0.1/32", 32),
        ("0.0.0.0/0", "0.0.0.0/0", 0),
        ("255.255.255.255/0", "0.0.0.0/0", 0),
        (" 10.0.0.0/8 ", "10.0.0.0/8", 8),
        ("2600:2d00:2:1000::4/64", "2600:2d00:2:1000::/64", 64),
        ("2001:db8::1", "2001:db8::1/128", 128),
        ("::/0", "::/0", 0),
        ("2001:db8:ffff::1/33", "2001:db8:8000::/33", 33),
        ("::ffff:10.1.2.3/8", "10.0.0.0/8", 8),
    ])
    func parsesAndMasks(text: String, expected: String, length: Int) throws {
        let cidr = try cidr(text)
        #expect(cidr.description == expected)
        #expect(cidr.prefixLength == length)
        #expect(CIDR(expected) == cidr)
    }

    @Test(arguments: [
        "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/x", "10.0.0.0/8/8", "/8", "10.0.0/8", "",
        "10.0.0.0/ 8", "::ffff:0:0/96", "gggg::/16", "1.2.3.4/8.0",
    ])
    func rejectsInvalid(text: String) {
        #expect(CIDR(text) == nil, "'\(text)' should not parse")
    }

    @Test(arguments: [
        ("172.16.0.0/28", "172.16.0.0", true),
        ("172.16.0.0/28", "172.16.0.15", true),
        ("172.16.0.0/28", "172.16.0.16", false),
        ("172.16.0.0/28", "172.15.255.255", false),
        ("10.20.0.0/14", "10.23.255.255", true),
        ("10.20.0.0/14", "10.24.0.0", false),
        ("10.0.0.1/32", "10.0.0.1", true),
        ("10.0.0.1/32", "10.0.0.0", false),
        ("10.0.0.1/32", "10.0.0.2", false),
        ("0.0.0.0/0", "1.2.3.4", true),
        ("0.0.0.0/0", "255.255.255.255", true),
        ("0.0.0.0/0", "::", false),
        ("0.0.0.0/0", "::1", false),
        ("0.0.0.0/0", "2001:db8::1", false),
        ("::/0", "2001:db8::1", true),
        ("::/0", "::", true),
        ("::/0", "1.2.3.4", false),
        ("::/0", "0.0.0.0", false),
        ("::/96", "1.2.3.4", false),
        ("::/96", "::1.2.3.4", true),
        ("2600:2d00:2:1000::/64", "2600:2d00:2:1000:ffff:ffff:ffff:ffff", true),
        ("2600:2d00:2:1000::/64", "2600:2d00:2:1001::", false),
        ("2001:db8:8000::/33", "2001:db8:ffff::1", true),
        ("2001:db8:8000::/33", "2001:db8:7fff::1", false),
        ("2001:db8::1:0:0/96", "2001:db8::1:ffff:ffff", true),
        ("2001:db8::1:0:0/96", "2001:db8::2:0:0", false),
        ("2001:db8::/127", "2001:db8::1", true),
        ("2001:db8::/127", "2001:db8::2", false),
        ("2001:db8::1/128", "2001:db8::1", true),
        ("2001:db8::1/128", "2001:db8::", false),
    ])
    func containsAddress(range text: String, address: String, expected: Bool) throws {
        let range = try cidr(text)
        #expect(range.contains(try ip(address)) == expected)
    }

    @Test func containsRange() throws {
        let eight = try cidr("10.0.0.0/8")
        let fourteen = try cidr("10.20.0.0/14")
        #expect(eight.contains(fourteen))
        #expect(!fourteen.contains(eight))
        #expect(eight.contains(eight))
        #expect(!eight.contains(try cidr("11.0.0.0/14")))
        let allV4 = try cidr("0.0.0.0/0")
        let allV6 = try cidr("::/0")
        #expect(!allV4.contains(allV6))
        #expect(!allV6.contains(allV4))
        #expect(!allV6.contains(fourteen))
        #expect(!allV4.contains(try cidr("2001:db8::/32")))
    }

    @Test func familiesAndMaximumLengths() throws {
        let v4 = try cidr("10.0.0.0/8")
        let v6 = try cidr("::/0")
        #expect(v4.isV4)
        #expect(v4.maximumLength == 32)
        #expect(!v6.isV4)
        #expect(v6.maximumLength == 128)
    }

    @Test func sortsByNetworkThenLength() throws {
        let sorted = ["10.0.0.0/16", "10.0.0.0/8", "9.0.0.0/8", "10.1.0.0/16"].compactMap(CIDR.init).sorted()
        #expect(sorted.map(\.description) == ["9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "10.1.0.0/16"])
    }

    /// Containment agrees with a bit-by-bit comparison of random addresses and prefixes.
    @Test func containmentMatchesBitComparison() throws {
        var random = SplitMix64(seed: 1918)
        for _ in 0..<3000 {
            let v4 = random.chance(0.5)
            let a = v4 ? IPAddress(v4: UInt32.random(in: .min ... .max, using: &random))
                : IPAddress(high: random.next(), low: random.next())
            var b = a
            // Flip one bit at a random position so containment flips exactly at that length.
            let bits = v4 ? 32 : 128
            let flip = random.int(0...(bits - 1))
            let absolute = v4 ? flip + 96 : flip
            if absolute < 64 { b.high ^= 1 << UInt64(63 - absolute) } else { b.low ^= 1 << UInt64(127 - absolute) }
            let length = random.int(0...bits)
            let cidr = CIDR(network: a, prefixLength: length)
            #expect(cidr.contains(a))
            #expect(cidr.contains(b) == (length <= flip), "\(a)/\(length) vs \(b) (bit \(flip))")
        }
    }
}
