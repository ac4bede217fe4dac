import Foundation

/// The facts about one GKE cluster that roles and remedies need, from
/// `gcloud container clusters describe` (YAML or JSON) or the GKE API.
public struct ClusterInfo: Sendable, Equatable {
    public var name: String
    public var id: String?
    public var location: String?
    public var project: String?
    public var network: String?
    public var subnetwork: String?
    public var masterCIDR: CIDR?
    public var privateEndpoint: IPAddress?
    public var publicEndpoint: IPAddress?
    public var clusterCIDR: CIDR?
    public var servicesCIDR: CIDR?
    /// Pod ranges: the cluster's default range and each node pool's own.
    public var podRanges: [(pool: String, cidr: CIDR)]
    /// Network tags set on node pools by the user.
    public var userNodeTags: [String]
    /// The service accounts the node pools run as (`config.serviceAccount`); "default" is the
    /// project's Compute Engine default account, whose address needs the project number.
    public var nodeServiceAccounts: [String]
    public var status: String?
    public var statusMessage: String?
    /// Whether the nodes have internal addresses only (`privateClusterConfig.enablePrivateNodes`,
    /// or `networkConfig.defaultEnablePrivateNodes` in newer descriptions); nil when not said.
    public var privateNodes: Bool?
    /// An Autopilot cluster (`autopilot.enabled`).
    public var autopilot = false
    /// VPC-native (alias IP ranges) rather than routes-based (`ipAllocationPolicy.useIpAliases`).
    public var vpcNative: Bool?
    public var source: String
    /// Values in the description that failed their check; each was left out (unknown).
    public var rejected: [RejectedValue] = []
    /// What the capacity checks read (node counts, pod blocks, GKE's utilization figures).
    public var capacity = Capacity()

    static let masterRangeField = "privateClusterConfig.masterIpv4CidrBlock"

    /// The description gave a control-plane range that cannot be right: the range is unknown,
    /// and the private endpoint must not stand in for it as a one-address range.
    public var hasRejectedMasterRange: Bool { rejected.contains { $0.field == Self.masterRangeField } }

    public static func == (lhs: ClusterInfo, rhs: ClusterInfo) -> Bool {
        lhs.name == rhs.name && lhs.id == rhs.id && lhs.location == rhs.location && lhs.masterCIDR == rhs.masterCIDR
            && lhs.podRanges.map(\.cidr) == rhs.podRanges.map(\.cidr)
    }

    /// The tag GKE puts on every node, `gke-<cluster>-<hash>-node`. The hash is, as far as anyone
    /// has observed, the first 8 hex digits of the cluster id; Google does not document it, so a
    /// tag derived this way is marked inferred.
    public var derivedNodeTag: String? {
        guard let id, id.count >= 8 else { return nil }
        return "gke-\(name)-\(id.prefix(8))-node"
    }

    /// A GKE Cluster resource carries at least one of these; operations, node pools and network
    /// config carry none.
    public static func looksLikeCluster(_ d: [String: Any]) -> Bool {
        d["privateClusterConfig"] != nil || d["clusterIpv4Cidr"] != nil || d["currentMasterVersion"] != nil
            || (d["nodePools"] != nil && d["operationType"] == nil)
    }

    /// Reads a decoded cluster description (the GKE v1 Cluster resource). Every value later
    /// used in a command or to classify addresses is checked; one that fails is recorded in
    /// `rejected` and left unknown. A name that cannot be a cluster's rejects the description.
    public init(dictionary d: [String: Any], source: String) throws(TriageError) {
        guard let name = d["name"] as? String else { throw .badCluster(input: source, reason: "no 'name' field") }
        guard ValueCheck.isClusterName(name) else {
            throw .badCluster(input: source, reason: "name \(ValueCheck.shown(name)) \(ValueCheck.clusterNameReason)")
        }
        self.name = name
        self.source = source
        var rejected: [RejectedValue] = []
        /// A string field's value when `isValid`, else nil with the value recorded.
        func checked(_ field: String, _ value: Any?, _ isValid: (String) -> Bool, _ reason: String) -> String? {
            guard let text = value as? String else { return nil }
            if isValid(text) { return text }
            rejected.append(RejectedValue(field: field, value: text, reason: reason))
            return nil
        }
        func range(_ field: String, _ value: Any?) -> CIDR? {
            guard let text = value as? String else { return nil }
            switch ValueCheck.cidr(text) {
            case .success(let cidr): return cidr
            case .failure(let why):
                rejected.append(RejectedValue(field: field, value: text, reason: why.text))
                return nil
            }
        }
        func address(_ field: String, _ value: Any?) -> IPAddress? {
            guard let text = value as? String else { return nil }
            switch ValueCheck.address(text) {
            case .success(let address): return address
            case .failure(let why):
                rejected.append(RejectedValue(field: field, value: text, reason: why.text))
                return nil
            }
        }
        // The id's first 8 hex digits go into node tags in fixes.
        id = checked("id", d["id"], { !$0.isEmpty && $0.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) } },
                     "is not a cluster id (hexadecimal digits)")
        location = checked(d["location"] != nil ? "location" : "zone", d["location"] ?? d["zone"], ValueCheck.isResourceName,
                           "is not a zone or region name")
        network = checked("network", d["network"], ValueCheck.isResourceName, ValueCheck.resourceNameReason)
        subnetwork = checked("subnetwork", d["subnetwork"], ValueCheck.isResourceName, ValueCheck.resourceNameReason)
        if let selfLink = d["selfLink"] as? String, let range = selfLink.range(of: "/projects/") {
            project = checked("selfLink (project)", selfLink[range.upperBound...].split(separator: "/").first.map(String.init),
                              ValueCheck.isProject, ValueCheck.projectReason)
        }
        status = d["status"] as? String
        statusMessage = d["statusMessage"] as? String
        let privateConfig = d["privateClusterConfig"] as? [String: Any] ?? [:]
        let networkConfig = d["networkConfig"] as? [String: Any] ?? [:]
        privateNodes = networkConfig["defaultEnablePrivateNodes"] as? Bool ?? privateConfig["enablePrivateNodes"] as? Bool
        autopilot = (d["autopilot"] as? [String: Any])?["enabled"] as? Bool ?? false
        masterCIDR = range(Self.masterRangeField, privateConfig["masterIpv4CidrBlock"])
        privateEndpoint = address("privateClusterConfig.privateEndpoint", privateConfig["privateEndpoint"])
        publicEndpoint = address("privateClusterConfig.publicEndpoint", privateConfig["publicEndpoint"])
        let allocation = d["ipAllocationPolicy"] as? [String: Any] ?? [:]
        vpcNative = allocation["useIpAliases"] as? Bool ?? (d["ipAllocationPolicy"] == nil ? nil : false)
        clusterCIDR = d["clusterIpv4Cidr"] is String
            ? range("clusterIpv4Cidr", d["clusterIpv4Cidr"])
            : range("ipAllocationPolicy.clusterIpv4CidrBlock", allocation["clusterIpv4CidrBlock"])
        servicesCIDR = d["servicesIpv4Cidr"] is String
            ? range("servicesIpv4Cidr", d["servicesIpv4Cidr"])
            : range("ipAllocationPolicy.servicesIpv4CidrBlock", allocation["servicesIpv4CidrBlock"])
        var pods: [(String, CIDR)] = []
        if let clusterCIDR { pods.append(("cluster default", clusterCIDR)) }
        var tags: [String] = []
        var accounts: [String] = []
        for config in [d["nodeConfig"] as? [String: Any]] + (d["nodePools"] as? [[String: Any]] ?? []).map({ $0["config"] as? [String: Any] }) {
            if let account = checked("nodeConfig.serviceAccount", config?["serviceAccount"], Self.isServiceAccount,
                                     "is not a service account e-mail address or \"default\""),
                !accounts.contains(account)
            {
                accounts.append(account)
            }
        }
        nodeServiceAccounts = accounts
        for pool in d["nodePools"] as? [[String: Any]] ?? [] {
            let poolName = checked("nodePools.name", pool["name"], ValueCheck.isResourceName, ValueCheck.resourceNameReason)
                ?? "node pool"
            if let networkConfig = pool["networkConfig"] as? [String: Any],
                let block = range("nodePools.networkConfig.podIpv4CidrBlock", networkConfig["podIpv4CidrBlock"]),
                !pods.contains(where: { $0.1 == block })
            {
                pods.append((poolName, block))
            }
            if let config = pool["config"] as? [String: Any], let poolTags = config["tags"] as? [String] {
                // Network tags are RFC 1035 labels like resource names; they go into --target-tags.
                for tag in poolTags {
                    guard let tag = checked("nodePools.config.tags", tag, ValueCheck.isResourceName, "is not a network tag"),
                        !tags.contains(tag)
                    else { continue }
                    tags.append(tag)
                }
            }
        }
        podRanges = pods
        userNodeTags = tags
        capacity = Capacity(cluster: d, rejected: &rejected)
        self.rejected = rejected
        if masterCIDR == nil && clusterCIDR == nil && privateEndpoint == nil {
            guard rejected.isEmpty else {
                throw .badCluster(
                    input: source,
                    reason: "it names no usable control-plane or pod range: " + rejected.map(\.sentence).joined(separator: "; "))
            }
            throw .badCluster(input: source, reason: "it names no control-plane or pod range")
        }
    }

    /// `default` (the Compute Engine default account) or an e-mail address of name-like characters.
    static func isServiceAccount(_ text: String) -> Bool {
        if text == "default" { return true }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && text.utf8.count <= 254
            && text.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
                    || byte == 0x5F || byte == 0x40
            }
    }

    public init(name: String, source: String) {
        self.name = name
        self.source = source
        podRanges = []
        userNodeTags = []
        nodeServiceAccounts = []
    }
}

extension ClusterInfo {
    /// The figures of a cluster description that say how much room its address ranges have.
    /// Field names are the GKE v1 REST resource's
    /// (https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters,
    /// `Cluster`, `IPAllocationPolicy`, `NodePool`, `NodeNetworkConfig`, `NodePoolAutoscaling`).
    public struct Capacity: Sendable, Equatable {
        /// `currentNodeCount`: nodes in the whole cluster now (output only).
        public var currentNodeCount: Int?
        /// `ipAllocationPolicy.useIpAliases`: VPC-native; false (or absent with no policy) is routes-based.
        public var vpcNative: Bool?
        /// `ipAllocationPolicy.defaultPodIpv4RangeUtilization`: 0…1, the cluster's default pod range.
        public var defaultPodRangeUtilization: Double?
        /// `ipAllocationPolicy.clusterSecondaryRangeName`: the default pod range's name in the subnet.
        public var defaultPodRangeName: String?
        /// `defaultMaxPodsConstraint.maxPodsPerNode`.
        public var defaultMaxPodsPerNode: Int?
        /// `locations`: the zones nodes run in (per-zone counts multiply by these).
        public var zones: Int?
        /// `autopilot.enabled`: GKE sizes the node pools itself; their maxima are not the user's.
        public var autopilot = false
        public var nodePools: [NodePool] = []

        public struct NodePool: Sendable, Equatable {
            public var name: String
            /// `networkConfig.podIpv4CidrBlock` / `networkConfig.podRange`: the pool's own pod range.
            public var podRange: CIDR?
            public var podRangeName: String?
            /// `networkConfig.podIpv4RangeUtilization`: 0…1, of the range the pool's pods use.
            public var podRangeUtilization: Double?
            /// `podIpv4CidrSize`: the prefix length of each node's pod block.
            public var podBlockPrefix: Int?
            /// `maxPodsConstraint.maxPodsPerNode`.
            public var maxPodsPerNode: Int?
            public var initialNodeCount: Int?
            public var autoscaling: Bool
            /// `autoscaling.autoprovisioned`: a pool node auto-provisioning made, with GKE's maxima.
            public var autoprovisioned = false
            /// `autoscaling.totalMaxNodeCount`, else `autoscaling.maxNodeCount` (per zone).
            public var totalMaxNodes: Int?
            public var maxNodesPerZone: Int?
            /// `locations` of the pool, when it names its own.
            public var zones: Int?
        }

        public init() {}

        /// The largest node or pod count believed: GKE's limits are far below it (65,000 nodes a
        /// cluster, 256 pods a node), and a larger number is a lie that would overflow the sums.
        static let maximumCount = 1_000_000

        init(cluster d: [String: Any], rejected: inout [RejectedValue]) {
            /// A count in 0…maximumCount, else nil with the value recorded.
            func count(_ field: String, _ value: Any?) -> Int? {
                guard let value, let number = ConfigValue.int(value) ?? (value is String || value is NSNumber ? Int.min : nil) else {
                    return nil
                }
                if (0...Self.maximumCount).contains(number) { return number }
                rejected.append(RejectedValue(field: field, value: "\(value)", reason: "is not a count from 0 to \(Self.maximumCount)"))
                return nil
            }
            let policy = d["ipAllocationPolicy"] as? [String: Any]
            currentNodeCount = count("currentNodeCount", d["currentNodeCount"])
            vpcNative = policy.map { ConfigValue.bool($0["useIpAliases"]) ?? false } ?? (d["clusterIpv4Cidr"] != nil ? false : nil)
            defaultPodRangeUtilization = Self.fraction(policy?["defaultPodIpv4RangeUtilization"])
            defaultPodRangeName = (policy?["clusterSecondaryRangeName"] as? String).flatMap { ValueCheck.isResourceName($0) ? $0 : nil }
            defaultMaxPodsPerNode = count("defaultMaxPodsConstraint.maxPodsPerNode", (d["defaultMaxPodsConstraint"] as? [String: Any])?["maxPodsPerNode"])
            zones = (d["locations"] as? [Any]).map(\.count)
            autopilot = ConfigValue.bool((d["autopilot"] as? [String: Any])?["enabled"]) ?? false
            nodePools = (d["nodePools"] as? [[String: Any]] ?? []).compactMap { pool in
                guard let name = pool["name"] as? String, ValueCheck.isResourceName(name) else { return nil }
                let network = pool["networkConfig"] as? [String: Any]
                let autoscaling = pool["autoscaling"] as? [String: Any]
                let block = ConfigValue.int(pool["podIpv4CidrSize"]).flatMap { (1...32).contains($0) ? $0 : nil }
                return NodePool(
                    name: name,
                    podRange: (network?["podIpv4CidrBlock"] as? String).flatMap { CIDR($0) }.flatMap { $0.isV4 ? $0 : nil },
                    podRangeName: (network?["podRange"] as? String).flatMap { ValueCheck.isResourceName($0) ? $0 : nil },
                    podRangeUtilization: Self.fraction(network?["podIpv4RangeUtilization"]),
                    podBlockPrefix: block,
                    maxPodsPerNode: count("nodePools[].maxPodsConstraint.maxPodsPerNode", (pool["maxPodsConstraint"] as? [String: Any])?["maxPodsPerNode"]),
                    initialNodeCount: count("nodePools[].initialNodeCount", pool["initialNodeCount"]),
                    autoscaling: ConfigValue.bool(autoscaling?["enabled"]) ?? false,
                    autoprovisioned: ConfigValue.bool(autoscaling?["autoprovisioned"]) ?? false,
                    totalMaxNodes: count("nodePools[].autoscaling.totalMaxNodeCount", autoscaling?["totalMaxNodeCount"]),
                    maxNodesPerZone: count("nodePools[].autoscaling.maxNodeCount", autoscaling?["maxNodeCount"]),
                    zones: (pool["locations"] as? [Any]).map(\.count))
            }
        }

        /// A utilization figure: a number 0…1 (JSON) or its text (YAML); anything else is unknown.
        static func fraction(_ value: Any?) -> Double? {
            let number = (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init)
            guard let number, number.isFinite, number >= 0, number <= 1 else { return nil }
            return number
        }
    }
}
