import FuzzSupport
import TriageKit

/// A cluster description as given with --cluster: read like Pipeline.readCluster, added to the
/// topology, and (on the inputs the harness picks for the deep path) the network checks run against it.
@main
enum FuzzCluster {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            let collector = FuzzHarness.read(data, size, format: nil)
            guard let cluster = collector.clusters.first else { return 0 }
            var topology = FuzzHarness.emptyTopology
            topology.addCluster(cluster)
            guard FuzzHarness.isDeep(data, size) else { return 0 }
            let empty = EvidenceCollector(topology: topology, maximumFlowGroups: FuzzHarness.maximumFlowGroups)
            FuzzHarness.analyseAndRender(empty, topology: topology)
            return 0
        }
    }
}
