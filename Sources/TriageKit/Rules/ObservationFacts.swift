import Foundation

/// The names a rule over observations can use: the observation's own facts, values derived from
/// them (the role of every address, how long an operation has run), and the topology's values
/// that remedies need (master range, node tag, network, project).
struct ObservationFacts {
    let observation: Observation
    private(set) var facts: [String: String]
    let topology: Topology

    init(_ observation: Observation, topology: Topology, now: Int64) {
        self.observation = observation
        self.topology = topology
        var facts = observation.facts
        for (name, value) in observation.facts where name == "ip" || name.hasSuffix(".ip") {
            guard let address = IPAddress(value) else { continue }
            let assignment = topology.classify(address)
            facts[name + ".role"] = assignment.role.rawValue
            if let range = assignment.range { facts[name + ".range"] = range.description }
            facts[name + ".confidence"] = assignment.confidence.rawValue
        }
        if observation.kind == "operation" || observation.kind == "cluster" { GKEOperations.derive(&facts, now: now) }
        // The object a message is about, for prose: `ComputeNetwork kubeflow/kf-network`, as much as is known.
        if facts["object"] == nil, let name = facts["object.name"], !name.isEmpty {
            let namespaced = facts["object.namespace"].map { $0.isEmpty ? name : "\($0)/\(name)" } ?? name
            facts["object"] = facts["object.kind"].map { $0.isEmpty ? namespaced : "\($0) \(namespaced)" } ?? namespaced
        }
        // A Config Connector resource waiting on a reference whose chain the evidence does not hold
        // (a controller's log line, a condition pasted alone): the reference is as far as it goes.
        if facts["root.kind"] == nil, let kind = facts["ref.kind"], let name = facts["ref.name"] {
            facts["root.kind"] = kind
            facts["root.name"] = name
            facts["root.missing"] = "true"
        }
        // `ns/name` as Config Connector writes a reference: the namespace and name apart, for kubectl.
        if let name = facts["root.name"] {
            if let slash = name.firstIndex(of: "/") {
                facts["root.namespace"] = String(name[..<slash])
                facts["root.resource"] = String(name[name.index(after: slash)...])
            } else {
                facts["root.namespace"] = facts["root.namespace"] ?? facts["object.namespace"]
                facts["root.resource"] = name
            }
        }
        // A load balancer backend for prose: as much of its name and its Ingress as is known.
        if facts["message"] == "backend-health" {
            // A health check log names no backend service, only the endpoint it probed.
            let endpoint = facts["ip"].map { "the endpoint " + $0 + (facts["port"].map { " port " + $0 } ?? "") }
            let named = facts["backend"].map { "backend " + $0 } ?? endpoint ?? "a backend the lines do not name"
            facts["backend.described"] = facts["object"].map { named + " of " + $0 } ?? named
        }
        // A cluster for prose: named, or (a description's tail pasted without its name) not.
        if observation.kind == "cluster" {
            facts["cluster.described"] = facts["cluster"].flatMap { $0.isEmpty ? nil : "Cluster " + $0 } ?? "A cluster the lines do not name"
        }
        // A zonal operation's location is a zone; regional commands (quotas, subnets) need its region.
        if facts["region"] == nil, let location = facts["location"] { facts["region"] = GCPLocation.region(of: location) }
        self.facts = facts
    }

    func value(_ name: String) -> String? {
        if let value = facts[name] { return value }
        return Self.topologyValue(name, topology)
    }

    /// Values every rule may use, whatever its evidence.
    static func topologyValue(_ name: String, _ topology: Topology) -> String? {
        switch name {
        case "master_cidr": return topology.masterCIDR?.description
        case "node_tag": return topology.bestNodeTag?.tag
        case "pod_cidrs": return topology.podCIDRs.isEmpty ? nil : topology.podCIDRs.map(\.description).joined(separator: ",")
        case "cluster": return topology.clusterName
        case "network": return topology.network ?? topology.clusters.first?.network
        case "project": return topology.project ?? topology.clusters.first?.project
        case "location": return topology.clusters.first?.location
        case "region": return topology.clusters.first?.location.map(GCPLocation.region(of:))
        case "fix.priority": return "1000"
        case _ where ConfigState.fields.contains(name):
            return topology.clusterNetworks.count == 1 ? topology.clusterNetworks[0].configFacts[name] : nil
        default: return nil
        }
    }

    func matches(_ predicates: [FieldPredicate]) -> Bool {
        predicates.allSatisfy { $0.evaluate(value($0.field)) }
    }
}
