import Foundation
import Yams

/// The products that install admission webhooks and aggregated APIs, with the pod port for each of
/// their version ranges: `Rules/catalogue/webhooks.yaml`, embedded like the rules. An error that
/// names only a webhook or its Service (`failed calling webhook "x.kb.io": … Post
/// "https://svc.ns.svc:443/…": context deadline exceeded`) still says which product it is, and so
/// which port the control plane needs; when versions disagree, the candidates are listed instead.
public struct WebhookCatalogue: Sendable {
    public struct PortRange: Sendable, Equatable {
        /// Words for people: "1.5 and later (istiod)".
        public var versions: String
        public var port: Int
        /// Inclusive lower and exclusive upper bound; nil is open.
        public var from: [Int]?
        public var until: [Int]?
        /// The range applies only to these Service names (empty: to any).
        public var services: [String]

        func contains(_ version: [Int]) -> Bool {
            if let from, Self.compare(version, from) < 0 { return false }
            if let until, Self.compare(version, until) >= 0 { return false }
            return true
        }

        static func compare(_ a: [Int], _ b: [Int]) -> Int {
            for index in 0..<max(a.count, b.count) {
                let x = index < a.count ? a[index] : 0
                let y = index < b.count ? b[index] : 0
                if x != y { return x < y ? -1 : 1 }
            }
            return 0
        }
    }

    public struct Product: Sendable {
        public var product: String
        public var webhooks: [String]
        public var services: [String]
        public var serviceSuffixes: [String]
        public var servicePrefixes: [String]
        public var namespace: String?
        public var namespaceRequired: Bool
        public var apiGroups: [String]
        public var versionFrom: [String]
        public var ports: [PortRange]
        public var source: String
    }

    public var products: [Product]

    /// What the catalogue says of one failed call.
    public struct Resolution: Sendable, Equatable {
        public var product: String
        /// The pod port when one range remains; nil when several do.
        public var port: Int?
        /// The remaining ranges, newest first (one when `port` is set).
        public var candidates: [PortRange]
        /// The version read from the text, when one was.
        public var version: String?
        public var namespace: String?
        public var service: String?
    }

    /// The product for a webhook or APIService name, else a Service name, else an API group.
    public func product(webhook: String?, service: String?, namespace: String?, apiGroup: String? = nil) -> Product? {
        if let webhook = webhook?.lowercased(), !webhook.isEmpty {
            for product in products where product.webhooks.contains(where: { webhook == $0 || webhook.hasSuffix("." + $0) }) {
                return product
            }
        }
        if let service = service?.lowercased(), !service.isEmpty {
            let named = products.first { product in
                guard product.services.contains(service) || product.servicePrefixes.contains(where: { service.hasPrefix($0) })
                else { return false }
                return !product.namespaceRequired || namespace == product.namespace
            }
            if let named { return named }
            if let scaffolded = products.first(where: { $0.serviceSuffixes.contains(where: { service.hasSuffix($0) }) }) {
                return scaffolded
            }
        }
        if let group = apiGroup?.lowercased(), !group.isEmpty {
            return products.first { $0.apiGroups.contains(group) }
        }
        return nil
    }

    public func resolve(webhook: String?, service: String?, namespace: String?, apiGroup: String? = nil, text: String = "")
        -> Resolution?
    {
        guard let product = product(webhook: webhook, service: service, namespace: namespace, apiGroup: apiGroup) else {
            return nil
        }
        var ranges = product.ports
        if let service = service?.lowercased() {
            let forService = ranges.filter { range in
                range.services.contains(service) || range.services.contains { service.hasPrefix($0 + "-") }
            }
            if !forService.isEmpty { ranges = forService }
        }
        var versionText: String?
        if let (text, version) = Self.version(in: text, after: product.versionFrom) {
            let inRange = ranges.filter { $0.contains(version) }
            if !inRange.isEmpty {
                ranges = inRange
                versionText = text
            }
        }
        let ports = Set(ranges.map(\.port))
        return Resolution(
            product: product.product, port: ports.count == 1 ? ports.first : nil, candidates: ranges, version: versionText,
            namespace: namespace ?? product.namespace,
            service: service ?? (product.services.count == 1 ? product.services.first : nil))
    }

    /// The first version number that follows one of `prefixes` in `text` (`istio/proxyv2:1.4.0`,
    /// `prometheus-engine/v0.3.1/`): its text and its numbers.
    static func version(in text: String, after prefixes: [String]) -> (String, [Int])? {
        for prefix in prefixes where text.includes(prefix) {
            var rest = text[...]
            while let found = rest.range(of: prefix) {
                rest = rest[found.upperBound...]
                var digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
                while digits.hasSuffix(".") { digits = digits.dropLast() }
                let numbers = digits.split(separator: ".").compactMap { Int($0) }
                if !numbers.isEmpty, digits.first?.isNumber == true { return (String(digits), numbers) }
            }
        }
        return nil
    }

    /// The built-in catalogue.
    public static let builtIn: WebhookCatalogue = {
        guard let file = EmbeddedRules.files.first(where: { $0.path == path }) else { return WebhookCatalogue(products: []) }
        do { return try parse(file.text, file: file.path) } catch { fatalError("\(path) does not load: \(error)") }
    }()

    static let path = "Rules/catalogue/webhooks.yaml"

    /// Reads the catalogue; a wrong shape names the entry.
    public static func parse(_ text: String, file: String) throws -> WebhookCatalogue {
        guard let root = try Yams.load(yaml: text) as? [String: Any], let list = root["products"] as? [[String: Any]] else {
            throw TriageError.badRuleFile(file: file, line: nil, field: "products", reason: "expected a mapping with a `products` list")
        }
        func strings(_ value: Any?) -> [String] {
            (value as? [Any])?.map { "\($0)".lowercased() } ?? []
        }
        func numbers(_ value: Any?) -> [Int]? {
            guard let value else { return nil }
            let parts = "\(value)".split(separator: ".").map { Int($0) }
            return parts.contains(nil) || parts.isEmpty ? nil : parts.compactMap { $0 }
        }
        return WebhookCatalogue(products: try list.enumerated().map { index, entry in
            guard let name = entry["product"] as? String, let ports = entry["ports"] as? [[String: Any]], !ports.isEmpty else {
                throw TriageError.badRuleFile(file: file, line: nil, field: "products", reason: "product \(index + 1) needs `product` and `ports`")
            }
            return Product(
                product: name, webhooks: strings(entry["webhooks"]), services: strings(entry["services"]),
                serviceSuffixes: strings(entry["service_suffixes"]), servicePrefixes: strings(entry["service_prefixes"]),
                namespace: entry["namespace"] as? String, namespaceRequired: entry["namespace_required"] as? Bool ?? false,
                apiGroups: strings(entry["api_groups"]), versionFrom: (entry["version_from"] as? [Any])?.map { "\($0)" } ?? [],
                ports: try ports.map { range in
                    guard let port = range["port"] as? Int, (1...65535).contains(port), let versions = range["versions"] as? String
                    else { throw TriageError.badRuleFile(file: file, line: nil, field: "ports", reason: "\(name): a port range needs `versions` and a port 1-65535") }
                    return PortRange(
                        versions: versions, port: port, from: numbers(range["from"]), until: numbers(range["until"]),
                        services: strings(range["services"]))
                },
                source: entry["source"] as? String ?? "")
        })
    }
}
