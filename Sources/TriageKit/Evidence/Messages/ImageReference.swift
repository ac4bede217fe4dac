/// A container image reference split the way containerd and Docker resolve it: the first path
/// component is a registry host only if it has a dot, a port or is `localhost`; otherwise the image
/// comes from Docker Hub.
struct ImageReference: Equatable {
    var registry: String
    var repository: String

    init?(_ text: String) {
        let reference = text.trimmingCharacters(in: [" ", "\"", "'"])
        guard !reference.isEmpty, !reference.includes(" ") else { return nil }
        let parts = reference.split(separator: "/", maxSplits: 1)
        if parts.count == 2, parts[0].includes(".") || parts[0].includes(":") || parts[0] == "localhost" {
            registry = parts[0].lowercased()
            repository = String(parts[1])
        } else {
            registry = "docker.io"
            repository = reference
        }
    }

    /// `registry.google`'s value: "true" for a registry Google serves, "local" for one on the node
    /// or in the cluster (a pull-through proxy at `localhost:7439`, enix/kube-image-keeper#511; a
    /// registry Service `*.svc`), which no egress path or NAT is in the way of, else "false".
    static func servedBy(_ registry: String) -> String {
        if isLocal(registry) { return "local" }
        return isGoogleServed(registry) ? "true" : "false"
    }

    static func isLocal(_ registry: String) -> Bool {
        var host = registry.lowercased()
        if host.hasPrefix("[") { host = String(host.dropFirst().prefix { $0 != "]" }) } else if host.filter({ $0 == ":" }).count == 1 {
            host = String(host.prefix { $0 != ":" })
        }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host.hasSuffix(".svc")
            || host.hasSuffix(".svc.cluster.local") || host.hasSuffix(".cluster.local")
    }

    /// Served from Google's front ends, so reachable through Private Google Access and the
    /// private/restricted VIPs. registry.k8s.io is not: it redirects to several clouds.
    static func isGoogleServed(_ registry: String) -> Bool {
        let host = registry.split(separator: ":").first.map(String.init) ?? registry
        return host == "gcr.io" || host.hasSuffix(".gcr.io") || host.hasSuffix(".pkg.dev")
            || host.hasSuffix(".googleapis.com") || host == "googleapis.com"
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
