import FuzzSupport
import TriageKit

/// A cluster description as given with --cluster: read like Pipeline.readCluster, added to the
/// topology, and the network checks run against it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let collector = FuzzHarness.read(data, size, format: nil)
    guard let cluster = collector.clusters.first else { return 0 }
    var topology = Topology()
    topology.addCluster(cluster)
    FuzzHarness.analyseAndRender(EvidenceCollector(topology: topology), topology: topology)
    return 0
}
