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
    public var source: String

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

    /// Reads a decoded cluster description (the GKE v1 Cluster resource).
    public init(dictionary d: [String: Any], source: String) throws(TriageError) {
        guard let name = d["name"] as? String else { throw .badCluster(input: source, reason: "no 'name' field") }
        self.name = name
        self.source = source
        id = d["id"] as? String
        location = (d["location"] as? String) ?? (d["zone"] as? String)
        network = d["network"] as? String
        subnetwork = d["subnetwork"] as? String
        if let selfLink = d["selfLink"] as? String, let range = selfLink.range(of: "/projects/") {
            project = selfLink[range.upperBound...].split(separator: "/").first.map(String.init)
        }
        status = d["status"] as? String
        statusMessage = d["statusMessage"] as? String
        let privateConfig = d["privateClusterConfig"] as? [String: Any] ?? [:]
        masterCIDR = (privateConfig["masterIpv4CidrBlock"] as? String).flatMap(CIDR.init)
        privateEndpoint = (privateConfig["privateEndpoint"] as? String).flatMap(IPAddress.init)
        publicEndpoint = (privateConfig["publicEndpoint"] as? String).flatMap(IPAddress.init)
        let allocation = d["ipAllocationPolicy"] as? [String: Any] ?? [:]
        clusterCIDR = ((d["clusterIpv4Cidr"] as? String) ?? (allocation["clusterIpv4CidrBlock"] as? String)).flatMap(CIDR.init)
        servicesCIDR = ((d["servicesIpv4Cidr"] as? String) ?? (allocation["servicesIpv4CidrBlock"] as? String)).flatMap(CIDR.init)
        var pods: [(String, CIDR)] = []
        if let clusterCIDR { pods.append(("cluster default", clusterCIDR)) }
        var tags: [String] = []
        var accounts: [String] = []
        for config in [d["nodeConfig"] as? [String: Any]] + (d["nodePools"] as? [[String: Any]] ?? []).map({ $0["config"] as? [String: Any] }) {
            if let account = config?["serviceAccount"] as? String, !accounts.contains(account) { accounts.append(account) }
        }
        nodeServiceAccounts = accounts
        for pool in d["nodePools"] as? [[String: Any]] ?? [] {
            let poolName = pool["name"] as? String ?? "node pool"
            if let networkConfig = pool["networkConfig"] as? [String: Any],
                let block = (networkConfig["podIpv4CidrBlock"] as? String).flatMap(CIDR.init),
                !pods.contains(where: { $0.1 == block })
            {
                pods.append((poolName, block))
            }
            if let config = pool["config"] as? [String: Any], let poolTags = config["tags"] as? [String] {
                for tag in poolTags where !tags.contains(tag) { tags.append(tag) }
            }
        }
        podRanges = pods
        userNodeTags = tags
        if masterCIDR == nil && clusterCIDR == nil && privateEndpoint == nil {
            throw .badCluster(input: source, reason: "it names no control-plane or pod range")
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
