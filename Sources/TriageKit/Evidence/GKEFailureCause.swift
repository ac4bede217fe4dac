import Foundation

/// Sorts the message of a failed GKE operation, a cluster's status message or condition, or a
/// pasted gcloud error into a known cause, with the values the remedy needs. The same
/// vocabulary serves operations, cluster state and text parsers, so one cause read from several
/// inputs carries the same facts.
///
/// `cause` values and their extra facts (the rules' `recognise:` lists add more:
/// `vpc-peering-blocked-by-org-policy`, `vm-external-ip-blocked-by-org-policy`, `legacy-network`,
/// `service-account-deleted`):
/// - `node-registration`: "only N nodes out of M have registered" → `registered`, `expected`; "N nodes
///   out of M are unhealthy" → `unhealthy`, `expected`; both `nodes` (the count in words)
/// - `pod-range-exhausted`: "IP space of '…' is exhausted", IP_SPACE_EXHAUSTED → `subnetwork`, `instance`
///   (the engine makes it `node-subnet-exhausted` when the subnetwork is a described cluster's own
///   node subnet: `CapacityChecks.reclassified`)
/// - `network-missing`: a network or subnetwork that does not exist → `network` or `subnetwork`
/// - `invalid-alias-range`: a secondary/alias range that is invalid, overlaps or is missing →
///   `field`, `range`, `conflicts_with`, `range_name`
/// - `quota-exceeded`: regional/project quota → `quota_metric`, `quota_scope`, `quota_limit`,
///   `quota_available`, `quota_requested`, `quota_short`, `quota_region`
/// - `shared-vpc-iam-missing`: a Compute permission missing on a (host) project's network, or
///   `container.hostServiceAgent.use` on the host project → `permission`, `resource`, `host_project`,
///   `role`, and `subnetwork`, `region` when it names one
/// - `instances-not-running`: the node instance group did not start its VMs and named no known
///   cause → `expected`, `running`, `gce_error`
public enum GKEFailureCause {
    /// The cause facts for `message`, or an empty dictionary when it names no known cause. The
    /// rules' `in: [operation]` recognisers come first (org policies, legacy networks, deleted
    /// service accounts are data in their rule files), then the classifiers that reason.
    public static func classify(_ message: String, patterns: MessagePatterns = .current) -> [String: String] {
        if let facts = patterns.recognise(message, scope: .operation) { return facts }
        for classifier in classifiers {
            if let facts = classifier(message) { return facts }
        }
        // The message inside another's quoting (a Python bytes literal of a JSON body: `resource
        // \\"IN_USE_ADDRESSES\\": request requires \'12.0\'`, google/caliban#66): read once more unescaped.
        if message.utf8.contains(0x5C), let plain = ErrorText.unescaped(message) { return classify(plain, patterns: patterns) }
        return [:]
    }

    /// Most specific first: an instance-group message quotes the Compute error that caused it.
    private static let classifiers: [@Sendable (String) -> [String: String]?] = [
        sharedVPC, quota, podRange, aliasRange, networkMissing, nodeRegistration, instancesNotRunning,
    ]

    private static func sharedVPC(_ m: String) -> [String: String]? {
        if let g = GKEPattern.computePermission.groups(in: m) {
            var f = ["cause": "shared-vpc-iam-missing", "permission": g[1], "resource": g[2], "host_project": g[3],
                     "role": "roles/compute.networkUser"]
            // projects/HOST/regions/R/subnetworks/S: the subnet the role can be granted on.
            let parts = g[2].split(separator: "/").map(String.init)
            if let i = parts.firstIndex(of: "subnetworks"), i + 1 < parts.count { f["subnetwork"] = parts[i + 1] }
            if let i = parts.firstIndex(of: "regions"), i + 1 < parts.count { f["region"] = parts[i + 1] }
            return f
        }
        // Config Connector relays the API's 403: `required "container.hostServiceAgent.use" permission(s) for "projects/HOST"`.
        if let g = GKEPattern.hostServiceAgentUse.groups(in: m) {
            return ["cause": "shared-vpc-iam-missing", "permission": g[1], "resource": "projects/" + g[2], "host_project": g[2],
                    "role": "roles/container.hostServiceAgentUser"]
        }
        if m.includes("hostServiceAgentUser") || m.range(of: "Host Service Agent User", options: .caseInsensitive) != nil {
            return ["cause": "shared-vpc-iam-missing", "role": "roles/container.hostServiceAgentUser"]
        }
        return nil
    }

    private static func quota(_ m: String) -> [String: String]? {
        if let g = GKEPattern.insufficientQuota.groups(in: m) {
            var f = ["cause": "quota-exceeded", "quota_metric": g[2], "quota_scope": g[1].isEmpty ? "regional" : g[1].lowercased()]
            if let n = GKEPattern.quotaNumbers.groups(in: m) {
                f["quota_requested"] = number(n[1])
                f["quota_short"] = number(n[2])
            }
            if let n = GKEPattern.quotaLimit.groups(in: m) {
                f["quota_limit"] = number(n[1])
                f["quota_available"] = number(n[2])
            }
            return f
        }
        if let g = GKEPattern.quotaExceeded.groups(in: m) {
            var f = ["cause": "quota-exceeded", "quota_metric": g[1], "quota_limit": number(g[2])]
            if !g[3].isEmpty {
                f["quota_region"] = g[3]
                f["quota_scope"] = "regional"
            }
            return f
        }
        if let g = GKEPattern.clusterCountQuota.groups(in: m) {
            return ["cause": "quota-exceeded", "quota_metric": "CPUS", "quota_region": g[3], "quota_scope": "regional",
                    "quota_requested": g[4], "location": g[2]]
        }
        if m.includes("GCE_QUOTA_EXCEEDED") || m.includes("QUOTA_EXCEEDED") { return ["cause": "quota-exceeded"] }
        // The autoscaler's visibility log: `scale.up.error.quota.exceeded` with the MIG's URL
        // (`…/zones/Z/instanceGroups/…`), which names the zone and so the region.
        if m.includes("scale.up.error.quota.exceeded") {
            var f = ["cause": "quota-exceeded"]
            if let zone = ErrorText.word(after: "/zones/", in: m, stops: ["/", " "]), !zone.isEmpty {
                f["location"] = zone
                f["quota_region"] = GCPLocation.region(of: zone)
                f["quota_scope"] = "regional"
            }
            return f
        }
        // The cluster autoscaler's FailedScaleUp: `Node scale up in zones Z associated with this pod
        // failed: GCE quota exceeded.` (huggingface/Google-Cloud-Containers#126).
        if m.range(of: "failed: GCE quota exceeded", options: .caseInsensitive) != nil {
            var f = ["cause": "quota-exceeded"]
            if let g = GKEPattern.scaleUpZone.groups(in: m) {
                f["location"] = g[1]
                f["quota_region"] = GCPLocation.region(of: g[1])
                f["quota_scope"] = "regional"
            }
            return f
        }
        return nil
    }

    private static func podRange(_ m: String) -> [String: String]? {
        if let g = GKEPattern.ipSpaceExhausted.groups(in: m) {
            var f = ["cause": "pod-range-exhausted", "subnetwork": g[1]]
            if let i = GKEPattern.instance.groups(in: m) { f["instance"] = i[1] }
            return f
        }
        if let g = GKEPattern.noPrivateSpaceForPods.groups(in: m) {
            return ["cause": "pod-range-exhausted", "network": g[1], "range": g[2], "block": g[3]]
        }
        if m.includes("IP_SPACE_EXHAUSTED") || GKEPattern.podRangeExhausted.groups(in: m) != nil {
            return ["cause": "pod-range-exhausted"]
        }
        return nil
    }

    private static func aliasRange(_ m: String) -> [String: String]? {
        var f: [String: String] = [:]
        // `Pod secondary range name (public-services) should not be the same as service secondary
        // range name.` (gruntwork-io/terraform-google-gke#118): the range in parentheses.
        if let g = GKEPattern.secondaryRangeNamed.groups(in: m) { f["range"] = g[1] }
        // A subnet holds at most 30 secondary ranges (elastic/cloud-on-k8s#2616).
        if m.includes("secondary ranges per subnetwork") { f["conflicts_with"] = "the limit of secondary ranges per subnet" }
        if let g = GKEPattern.invalidRangeField.groups(in: m) {
            f["field"] = g[1]
            f["range"] = g[2]
        }
        if let g = GKEPattern.rangeConflict.groups(in: m) {
            f["range"] = f["range"] ?? g[1]
            f["conflicts_with"] = g[2]
        }
        if let g = GKEPattern.secondaryRangeNotFound.groups(in: m) { f["range_name"] = g[2] }
        if f.isEmpty, m.range(of: "secondary range", options: .caseInsensitive) != nil,
            m.range(of: "overlap", options: .caseInsensitive) != nil
        {
            f["conflicts_with"] = "another range"
        }
        guard !f.isEmpty else { return nil }
        f["cause"] = "invalid-alias-range"
        return f
    }

    private static func networkMissing(_ m: String) -> [String: String]? {
        if let g = GKEPattern.noNetworkNamed.groups(in: m) { return ["cause": "network-missing", "network": g[1]] }
        if let g = GKEPattern.noSubnetworkNamed.groups(in: m) {
            var f = ["cause": "network-missing", "subnetwork": g[2]]
            if !g[1].isEmpty { f["subnetwork_project"] = g[1] }
            if !g[3].isEmpty { f["region"] = g[3] }
            return f
        }
        if let g = GKEPattern.networkDoesNotExist.groups(in: m) {
            return ["cause": "network-missing", g[1].lowercased() == "subnetwork" ? "subnetwork" : "network": g[2]]
        }
        if let g = GKEPattern.resourceNotFound.groups(in: m) {
            return ["cause": "network-missing", g[1] == "subnetworks" ? "subnetwork" : "network": g[2]]
        }
        return nil
    }

    private static func nodeRegistration(_ m: String) -> [String: String]? {
        if let g = GKEPattern.nodesRegistered.groups(in: m) {
            return ["cause": "node-registration", "registered": g[1], "expected": g[2],
                    "nodes": "\(g[1]) of \(g[2]) nodes registered with the control plane"]
        }
        // The same wait ending on nodes that registered but never became Ready (sethvargo/vault-on-gke#69).
        if let g = GKEPattern.nodesUnhealthy.groups(in: m) {
            return ["cause": "node-registration", "unhealthy": g[1], "expected": g[2], "nodes": "\(g[1]) of \(g[2]) nodes unhealthy"]
        }
        // GKE's oldest wording names the node: `…but the cluster API is reporting that node "NAME" is
        // unhealthy.` (kubernetes/kubernetes#21411). A component (`component "kube-apiserver" … is
        // unhealthy`) is the control plane's own failure, not a node's.
        if m.includes("is reporting that node \""), let node = ErrorText.quoted(after: "is reporting that node", in: m),
            m.includes("\" is unhealthy")
        {
            return ["cause": "node-registration", "node": node, "nodes": "node " + node + " unhealthy"]
        }
        return nil
    }

    private static func instancesNotRunning(_ m: String) -> [String: String]? {
        guard let g = GKEPattern.notAllInstancesRunning.groups(in: m) else { return nil }
        var f = ["cause": "instances-not-running", "expected": g[1], "running": g[2]]
        if let e = GKEPattern.currentErrors.groups(in: m) { f["gce_error"] = e[1] }
        return f
    }

    /// "48.0" → "48": quota numbers are whole in practice, and rules compare them as numbers.
    private static func number(_ text: String) -> String {
        if text.hasSuffix(".0") { return String(text.dropLast(2)) }
        return text
    }
}

/// A regular expression compiled once; `groups` gives the whole match and each group ("" when a
/// group did not take part).
struct GKEPattern: @unchecked Sendable {
    // NSRegularExpression is immutable once made and documented as safe to share across threads.
    private let expression: NSRegularExpression

    init(_ pattern: String, caseInsensitive: Bool = false) {
        // The patterns are literals in this file; a bad one is a programming error caught by the tests.
        expression = try! NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
    }

    func groups(in text: String) -> [String]? {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = expression.firstMatch(in: text, range: range) else { return nil }
        return (0..<match.numberOfRanges).map { i in
            Range(match.range(at: i), in: text).map { String(text[$0]) } ?? ""
        }
    }

    static let nodePoolErrorState = GKEPattern(#"NodePool "?([a-z0-9-]+)"? was created in the error state "?([A-Z_]+)"?"#)
    static let nodePoolHasStatus = GKEPattern(#"Nodepool "?([a-z0-9-]+)"? has status "?([A-Z_]+)"?(?: with message "?(.*))?"#)
    static let fromCluster = GKEPattern(#"from cluster "?([a-z0-9-]+)"?"#)
    static let scaleUpZone = GKEPattern(#"scale.up in zones? ([a-z]+-[a-z]+[0-9]+-[a-z])\b"#, caseInsensitive: true)
    static let secondaryRangeNamed = GKEPattern(
        #"(?:pods?|services?|cluster) secondary range name \(([^)\s]+)\) (?:should|must|is|does|already|cannot|can't)"#,
        caseInsensitive: true)
    static let nodesRegistered = GKEPattern(#"only (\d+) nodes? out of (\d+) (?:have|has) registered"#)
    static let nodesUnhealthy = GKEPattern(#"(\d+) nodes? out of (\d+) (?:are|is) unhealthy"#)
    static let notAllInstancesRunning = GKEPattern(#"Not all instances running in IGM after [^.]*\.\d*s?\.? *Expected (\d+), running (\d+)"#)
    static let currentErrors = GKEPattern(#"Current errors: \[([A-Z_]+)\]"#)
    static let computePermission = GKEPattern(
        #"Required '(compute\.(?:subnetworks|networks|firewalls|routes)\.[A-Za-z]+)' permission for '(projects/([^/']+)/[^']*)'"#)
    static let hostServiceAgentUse = GKEPattern(#"required "(container\.hostServiceAgent\.use)" permission\(s\) for "projects/([^/"]+)""#)
    static let insufficientQuota = GKEPattern(
        #"Insufficient (?:(regional|project|zonal) )?quota to satisfy (?:the )?request(?: for resource)?: (?:resource )?\\?"([A-Z0-9_]+)\\?""#,
        caseInsensitive: true)
    static let quotaNumbers = GKEPattern(#"requires '([\d.]+)' and is short '([\d.]+)'"#)
    static let quotaLimit = GKEPattern(#"quota (?:of|is) '([\d.]+)' with '([\d.]+)' available"#)
    static let quotaExceeded = GKEPattern(#"Quota '([A-Z0-9_]+)' exceeded\.\s+Limit: ([\d.]+)(?: in region ([a-z0-9-]+))?"#)
    /// GKE choosing a pod range itself: `The network "N" does not have available private IP space in
    /// 10.0.0.0/8 to reserve a /14 block for pods`.
    static let noPrivateSpaceForPods = GKEPattern(
        #"network "([^"]+)" does not have available private IP space in (\S+) to reserve a (/\d+) block for (?:pods|containers)"#)
    static let ipSpaceExhausted = GKEPattern(#"IP space of '([^']+)' is exhausted"#)
    static let instance = GKEPattern(#"Instance '([^']+)' creation failed"#)
    static let podRangeExhausted = GKEPattern(#"pod (?:ip )?(?:address )?range[^.]*exhausted"#, caseInsensitive: true)
    static let invalidRangeField = GKEPattern(
        #"Invalid value for field '(resource\.[^']*(?:secondaryIpRanges|aliasIpRanges)[^']*)': '([^']*)'"#)
    static let rangeConflict = GKEPattern(#"Invalid IPCidrRange: (\S+) conflicts with (.+?)\.?(?:$|\n)"#)
    /// `Pod secondary range "X" not found`, and the older `Secondary range "X" does not exist in network …`.
    static let secondaryRangeNotFound = GKEPattern(
        #"(Pod |Services? |)secondary range "([^"]+)" (?:not found|does not exist)"#, caseInsensitive: true)
    static let noNetworkNamed = GKEPattern(#"has no network named "([^"]+)""#, caseInsensitive: true)
    /// `project "P" does not have a subnetwork named "S" in region "R"` (terraform-provider-google#7545).
    static let noSubnetworkNamed = GKEPattern(
        #"(?:project "([^"]+)" )?(?:does not have a|has no) subnetwork named "([^"]+)"(?: in region "([^"]+)")?"#, caseInsensitive: true)
    /// GKE's older per-location cluster cap, which is the project's CPU quota in words.
    static let clusterCountQuota = GKEPattern(
        #"You cannot create more than (\d+) clusters in (?:zone|location) ([a-z0-9-]+)[;.,].*?quota for region ([a-z0-9-]+) to (\d+) CPUs?"#,
        caseInsensitive: true)
    static let networkDoesNotExist = GKEPattern(#"\b(network|subnetwork) "([^"]+)" does not exist"#, caseInsensitive: true)
    static let resourceNotFound = GKEPattern(#"The resource 'projects/[^/]+/(?:global|regions/[^/]+)/(networks|subnetworks)/([^']+)' was not found"#)
}
