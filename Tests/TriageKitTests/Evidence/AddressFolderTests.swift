import Foundation
import Testing
@testable import TriageKit

/// The flow table folds addresses in stable ranges by testing masks; it must fold exactly as the
/// topology's longest-prefix lookup says.
struct AddressFolderTests {
    /// The fold the topology defines: the stable range's key, or the address itself.
    static func expected(_ topology: Topology, _ address: IPAddress) -> IPAddress {
        topology.stableRange(address).map(AddressFolder.key(for:)) ?? address
    }

    @Test func foldsLikeTheTopologyLookup() throws {
        var topology = Topology()
        // Nested known ranges (longest wins), a known range inside a special one (known wins),
        // and the metadata address (special, never folded).
        topology.addRange(try #require(CIDR("10.20.0.0/14")), role: .pod, reason: "test")
        topology.addRange(try #require(CIDR("10.20.4.0/24")), role: .node, reason: "test")
        topology.addRange(try #require(CIDR("172.16.0.0/28")), role: .controlPlane, reason: "test")
        topology.addRange(try #require(CIDR("35.191.7.0/24")), role: .node, reason: "test")
        topology.addRange(try #require(CIDR("2600:1900:4000::/44")), role: .pod, reason: "test")
        let folder = AddressFolder(topology: topology)
        var random = SplitMix64(seed: 7)
        let bases: [UInt32] = [0x0A14_0000, 0x0A14_0400, 0xAC10_0000, 0x23BF_0000, 0x23BF_0700, 0x23EB_F000, 0xA9FE_A9FE, 0xC724_9904, 0x0800_0000]
        for _ in 0..<20_000 {
            // Mostly near a range's start, so addresses land inside, at the edges and just outside.
            let base = bases[Int(random.next() % UInt64(bases.count))]
            let spread = UInt32(1) << UInt32(random.next() % 20)
            let address = IPAddress(v4: base &+ UInt32(truncatingIfNeeded: random.next()) % spread &- (random.chance(0.1) ? 1 : 0))
            #expect(folder.fold(address) == Self.expected(topology, address), "\(address)")
        }
        for text in ["2600:1900:4000::1", "2600:1900:4010::1", "2600:2d00:1:b029::5", "fd20:ce::254", "::1"] {
            let address = try #require(IPAddress(text))
            #expect(folder.fold(address) == Self.expected(topology, address), "\(text)")
        }
    }

    @Test func metadataAndPublicAddressesStayThemselves() throws {
        let folder = AddressFolder(topology: Topology())
        for text in ["169.254.169.254", "8.8.8.8", "10.0.0.1"] {
            let address = try #require(IPAddress(text))
            #expect(folder.fold(address) == address)
        }
        let healthCheck = try #require(IPAddress("35.191.200.9"))
        #expect(folder.fold(healthCheck) == AddressFolder.key(for: try #require(CIDR("35.191.0.0/16"))))
    }
}
