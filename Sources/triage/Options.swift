import ArgumentParser
import TriageKit

/// Flags that tell triage about the network, shared by `analyze` and `classify`.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("cluster"), help: ArgumentHelp("Output of 'gcloud container clusters describe' (YAML or JSON). Repeatable. With --live, a value that is not a file is the name of the cluster to read.", valueName: "file"))
    var clusterFiles: [String] = []

    @Option(name: .customLong("master-cidr"), help: ArgumentHelp("The control plane range (masterIpv4CidrBlock). Repeatable.", valueName: "cidr"))
    var masterCIDRs: [String] = []

    @Option(name: .customLong("node-cidr"), help: ArgumentHelp("A range the nodes live in (the subnet's primary range). Repeatable.", valueName: "cidr"))
    var nodeCIDRs: [String] = []

    @Option(name: .customLong("pod-cidr"), help: ArgumentHelp("A pod range. Repeatable.", valueName: "cidr"))
    var podCIDRs: [String] = []

    @Option(name: .customLong("service-cidr"), help: ArgumentHelp("The Service range. Repeatable.", valueName: "cidr"))
    var serviceCIDRs: [String] = []

    @Option(name: .customLong("node-tag"), help: ArgumentHelp("The network tag on the cluster's nodes (gke-CLUSTER-HASH-node).", valueName: "tag"))
    var nodeTag: String?

    @Option(help: ArgumentHelp("The VPC network to put in fixes (default: the one in the logs).", valueName: "name"))
    var network: String?

    @Option(help: ArgumentHelp("The project to put in fixes (default: the one in the logs).", valueName: "id"))
    var project: String?

    @Option(help: ArgumentHelp("Judge durations (a GKE operation running for an hour) against this time instead of the clock, e.g. 2026-11-22T10:00:00Z.", valueName: "time"))
    var now: String?

    var topologyOptions: TopologyOptions {
        var options = TopologyOptions()
        options.clusterFiles = clusterFiles
        options.masterCIDRs = masterCIDRs
        options.nodeCIDRs = nodeCIDRs
        options.podCIDRs = podCIDRs
        options.serviceCIDRs = serviceCIDRs
        options.nodeTag = nodeTag
        options.network = network
        options.project = project
        options.now = now
        return options
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}
