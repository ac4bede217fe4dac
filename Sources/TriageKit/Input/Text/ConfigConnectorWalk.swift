/// Config Connector resources wait on each other: a ContainerCluster whose subnetwork is
/// `DependencyNotReady` because the ComputeSubnetwork waits on a ComputeNetwork that failed with a
/// 403. The waiting resources say nothing about the cause; this walk follows each `reference KIND
/// NS/NAME is not ready` through the objects in the same paste to the first one with a concrete
/// error, and puts that error on every waiting resource (`root.kind`, `root.name`, `root.error`).
enum ConfigConnectorWalk {
    /// What the walk needs of a described object once its lines are done with: the object's
    /// own lines are not kept, so a long paste costs memory per object, not per line.
    struct Described {
        var kind: String?
        var name: String?
        var namespace: String?
        var found: [DescribeEvidence.Found]

        init(object: DescribeObject, found: [DescribeEvidence.Found]) {
            kind = object.kind
            name = object.name
            namespace = object.namespace
            self.found = found
        }
    }

    /// The objects a walk can reach, read as they end: the first object under each reference
    /// (as `resolve` picks), trimmed to the two messages the walk reads, so a long paste of the
    /// same objects costs memory per distinct object.
    struct Index {
        private var described: [Described] = []
        private var byReference: [String: Int] = [:]

        mutating func add(_ item: Described) {
            guard let kind = item.kind, let name = item.name else { return }
            var keys = [key(kind, name)]
            if let namespace = item.namespace { keys.append(key(kind, namespace + "/" + name)) }
            let new = keys.filter { byReference[$0] == nil }
            guard !new.isEmpty else { return }
            var kept = item
            let concrete = item.found.firstIndex { $0.facts["message"] != "kcc-dependency-not-ready" }
            let reference = item.found.firstIndex { $0.facts["ref.kind"] != nil }
            kept.found = Set([concrete, reference].compactMap { $0 }).sorted().map { item.found[$0] }
            described.append(kept)
            for key in new { byReference[key] = described.count - 1 }
        }

        /// The facts naming the root of a waiting resource's chain, for a message that waits.
        func rootFacts(for facts: [String: String]) -> [String: String]? {
            guard facts["message"] == "kcc-dependency-not-ready", let kind = facts["ref.kind"], let name = facts["ref.name"]
            else { return nil }
            return root(from: (kind, name), in: described, index: byReference)
        }
    }

    static func resolve(_ described: inout [Described]) {
        var byReference: [String: Int] = [:]
        for (index, item) in described.enumerated() {
            guard let kind = item.kind, let name = item.name else { continue }
            byReference[key(kind, name)] = byReference[key(kind, name)] ?? index
            if let namespace = item.namespace {
                byReference[key(kind, namespace + "/" + name)] = byReference[key(kind, namespace + "/" + name)] ?? index
            }
        }
        for index in described.indices {
            for foundIndex in described[index].found.indices {
                let facts = described[index].found[foundIndex].facts
                guard facts["message"] == "kcc-dependency-not-ready", let kind = facts["ref.kind"], let name = facts["ref.name"]
                else { continue }
                for (fact, value) in root(from: (kind, name), in: described, index: byReference) {
                    described[index].found[foundIndex].facts[fact] = value
                }
            }
        }
    }

    private static func key(_ kind: String, _ name: String) -> String { kind.lowercased() + " " + name }

    /// Facts naming where the chain of references ends.
    private static func root(from start: (kind: String, name: String), in described: [Described], index: [String: Int])
        -> [String: String]
    {
        var reference = start
        var visited = Set<String>()
        while visited.insert(key(reference.kind, reference.name)).inserted {
            guard let at = index[key(reference.kind, reference.name)] else {
                return ["root.kind": reference.kind, "root.name": reference.name, "root.missing": "true"]
            }
            let item = described[at]
            let name = item.namespace.map { $0 + "/" + (item.name ?? "") } ?? reference.name
            if let concrete = item.found.first(where: { $0.facts["message"] != "kcc-dependency-not-ready" }) {
                var facts = ["root.kind": reference.kind, "root.name": name, "root.error": concrete.text]
                if let message = concrete.facts["message"] { facts["root.message"] = message }
                if let failure = concrete.facts["failure"] { facts["root.failure"] = failure }
                return facts
            }
            guard let next = item.found.first(where: { $0.facts["ref.kind"] != nil }),
                let kind = next.facts["ref.kind"], let nextName = next.facts["ref.name"]
            else {
                return ["root.kind": reference.kind, "root.name": name, "root.state": "no error shown"]
            }
            reference = (kind, nextName)
        }
        return ["root.kind": reference.kind, "root.name": reference.name, "root.state": "reference cycle"]
    }
}
