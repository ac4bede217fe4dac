/// One Kubernetes event as printed by `kubectl describe` (Type, Reason, Age, From, Message) or
/// `kubectl get events` (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; `-A` adds NAMESPACE, `-o wide`
/// adds SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME).
struct EventRow {
    var type: String?
    var reason: String?
    var message: String
    var objectKind: String?
    var objectName: String?
    var namespace: String?
    /// How many times the event happened: `(x12 over 5m)` in the age, or the COUNT column.
    var occurrences: Int

    /// The row's cells by column name, upper-cased (`LAST SEEN`, `MESSAGE`, `Age` → `AGE`).
    init?(cells: [String: String]) {
        guard let message = cells["MESSAGE"], !message.isEmpty else { return nil }
        self.message = message
        type = cells["TYPE"].flatMap { $0.isEmpty ? nil : $0 }
        reason = cells["REASON"].flatMap { $0.isEmpty ? nil : $0 }
        namespace = cells["NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 }
        occurrences = 1
        if let count = cells["COUNT"].flatMap({ Int($0) }), count > 0 {
            occurrences = count
        } else if let age = cells["AGE"] ?? cells["LAST SEEN"], let repeated = EventRow.repeatCount(age) {
            occurrences = repeated
        }
        if let object = cells["OBJECT"], !object.isEmpty {
            let parts = object.split(separator: "/", maxSplits: 1)
            if parts.count == 2 {
                objectKind = KindNames.canonical(String(parts[0]))
                objectName = String(parts[1])
            } else {
                objectKind = KindNames.canonical(object)
            }
        } else if let kind = cells["KIND"], let name = cells["NAME"] {
            objectKind = KindNames.canonical(kind)
            objectName = name
        }
    }

    /// `5m (x12 over 30m)` → 12.
    static func repeatCount(_ age: String) -> Int? {
        guard let open = age.range(of: "(x") else { return nil }
        let digits = age[open.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }
}

/// Kind names as the describe printer writes them; `kubectl get events` prints them lower-cased
/// (`containercluster/kf-private`).
enum KindNames {
    static let known = [
        "Pod", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "Endpoints",
        "Ingress", "Node", "APIService", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
        "Namespace", "ConfigMap", "Secret", "ServiceAccount", "Event", "HorizontalPodAutoscaler",
        "ContainerCluster", "ContainerNodePool", "ComputeNetwork", "ComputeSubnetwork", "ComputeFirewall",
        "ComputeRoute", "ComputeRouter", "ComputeRouterNAT", "ComputeAddress", "DNSManagedZone", "DNSRecordSet",
        "IAMPolicyMember", "IAMServiceAccount", "CloudEndpoint", "StorageBucket", "ServiceNetworkingConnection",
        "InferenceService", "Notebook", "Profile", "Experiment", "Certificate", "Issuer", "ClusterIssuer",
        "Gateway", "VirtualService", "RequestAuthentication", "AuthorizationPolicy", "BackendConfig",
        "ManagedCertificate",
    ]
    private static let byLowercase = Dictionary(uniqueKeysWithValues: known.map { ($0.lowercased(), $0) })

    static func canonical(_ kind: String) -> String {
        let bare = kind.split(separator: ".").first.map(String.init) ?? kind
        return byLowercase[bare.lowercased()] ?? bare
    }
}
