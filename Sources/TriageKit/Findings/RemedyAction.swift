/// One step of a fix, as data: the program's words (each value kept apart from the text around
/// it, a value the evidence lacks named by its variable) and what the step does. The fix plan
/// reconciles the kinds it knows with the config given (a zone that exists is not created, a NAT
/// goes on the router that exists) and orders them; the report turns steps into pasted commands
/// or a script. Analysis never writes shell text.
public struct RemedyAction: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case firewallCreate = "firewall-rule.create"
        case firewallUpdate = "firewall-rule.update"
        case routeCreate = "route.create"
        case routeDelete = "route.delete"
        case zoneCreate = "dns-zone.create"
        case recordCreate = "record-set.create"
        case recordUpdate = "record-set.update"
        case subnetUpdate = "subnet.update"
        case routerCreate = "router.create"
        case natCreate = "nat.create"
        case natUpdate = "nat.update"
        /// A change outside the kinds above (IAM bindings, cluster updates, …).
        case change
        /// Reads only: describe, list, logging read, kubectl get.
        case check

        /// The gcloud command groups of each typed kind.
        static let gcloudPaths: [(path: [String], kind: Kind)] = [
            (["compute", "firewall-rules", "create"], .firewallCreate),
            (["compute", "firewall-rules", "update"], .firewallUpdate),
            (["compute", "routes", "create"], .routeCreate),
            (["compute", "routes", "delete"], .routeDelete),
            (["dns", "managed-zones", "create"], .zoneCreate),
            (["dns", "record-sets", "create"], .recordCreate),
            (["dns", "record-sets", "update"], .recordUpdate),
            (["compute", "networks", "subnets", "update"], .subnetUpdate),
            (["compute", "routers", "nats", "create"], .natCreate),
            (["compute", "routers", "nats", "update"], .natUpdate),
            (["compute", "routers", "create"], .routerCreate),
        ]

        /// Verbs that change something; a command with none of them reads only.
        static let changingVerbs: Set<String> = [
            "create", "update", "delete", "undelete", "expand-ip-range", "add-iam-policy-binding",
            "remove-iam-policy-binding", "enable", "disable", "resize", "patch", "apply", "set", "allow",
            "add-secondary-ranges", "add-access-config",
        ]

        /// The kind of a command from its program and literal words (the rule's own text, never a value).
        static func of(_ words: [String]) -> Kind {
            if words.first == "gcloud" {
                for (path, kind) in gcloudPaths where words.count > path.count && Array(words[1...path.count]) == path {
                    return kind
                }
            }
            let verbs = words.dropFirst().prefix { !$0.hasPrefix("-") }.prefix(6)
            return verbs.contains(where: changingVerbs.contains) ? .change : .check
        }
    }

    public var kind: Kind
    /// The command, word by word.
    public var command: ShellCommand

    public init(kind: Kind, command: ShellCommand) {
        self.kind = kind
        self.command = command
    }

    /// A command whose kind follows from its literal words.
    public init(_ command: ShellCommand) {
        self.init(kind: Kind.of(Self.literalWords(command)), command: command)
    }

    public var changes: Bool { kind != .check }

    /// Each argument's text when it is the template's own (no value in it), else nil.
    static func literalWords(_ command: ShellCommand) -> [String] {
        command.words.compactMap { word in
            guard case .argument(let parts) = word else { return nil }
            return parts.allSatisfy({ if case .literal = $0 { return true } else { return false } })
                ? ShellCommand.text(parts) : "\u{FFFC}"
        }
    }

    // MARK: - Reading the typed kinds' arguments

    /// The arguments (not the separators or redirections).
    var arguments: [[ShellCommand.Part]] {
        command.words.compactMap { if case .argument(let parts) = $0 { return parts } else { return nil } }
    }

    /// The gcloud command group's length in words after `gcloud` (0 for other kinds).
    var pathLength: Int { Kind.gcloudPaths.first { $0.kind == kind }?.path.count ?? 0 }

    /// The first positional argument after the command group: the resource's name.
    public var name: String? {
        let rest = arguments.dropFirst(1 + pathLength)
        guard let first = rest.first(where: { !ShellCommand.text($0).hasPrefix("-") }) else { return nil }
        return Self.value(first)
    }

    /// A `--name=value` flag's value (nil when absent or when the value is missing).
    public func flag(_ name: String) -> String? {
        guard let parts = flagParts(name) else { return nil }
        return Self.value(parts)
    }

    /// A firewall rule's or route's `--priority`, or gcloud's default 1000 when the step gives
    /// none; nil when the value is missing or not a number.
    public var priority: Int? {
        guard hasFlag("priority") else { return 1000 }
        return flag("priority").flatMap { Int($0) }
    }

    /// Whether the flag is given, with or without a value.
    public func hasFlag(_ name: String) -> Bool {
        arguments.contains { parts in
            let text = ShellCommand.text(parts)
            return text == "--" + name || text.hasPrefix("--" + name + "=")
        }
    }

    /// A flag's value parts, after `--name=`.
    func flagParts(_ name: String) -> [ShellCommand.Part]? {
        let prefix = "--" + name + "="
        for parts in arguments {
            guard case .literal(let head)? = parts.first, head.hasPrefix(prefix) else { continue }
            let rest = String(head.dropFirst(prefix.count))
            return (rest.isEmpty ? [] : [.literal(rest)]) + parts.dropFirst()
        }
        return nil
    }

    /// A flag's value split at commas (gcloud's list flags), each item as written.
    public func list(_ name: String) -> [String] {
        flag(name).map { $0.split(separator: ",").map(String.init) } ?? []
    }

    /// The text of a word, or nil when a value in it is missing.
    static func value(_ parts: [ShellCommand.Part]) -> String? {
        if parts.contains(where: { if case .missing = $0 { return true } else { return false } }) { return nil }
        return ShellCommand.text(parts)
    }

    /// The action with `--name=value` set to a value (replaced when given, else added).
    public func setting(flag name: String, to value: String) -> RemedyAction {
        var copy = self
        let prefix = "--" + name + "="
        let word = ShellCommand.Word.argument([.literal(prefix), .value(value, [])])
        if let index = copy.command.words.firstIndex(where: { word in
            guard case .argument(let parts) = word, case .literal(let head)? = parts.first else { return false }
            return head.hasPrefix(prefix)
        }) {
            copy.command.words[index] = word
        } else {
            copy.command.words.append(word)
        }
        return copy
    }

    /// The step with the router and zone it names replaced where another name stands for the same
    /// resource (`renamed[name]`): a NAT on the router that exists, records in the zone that exists.
    func following(routers: [String: String], zones: [String: String]) -> RemedyAction {
        var action = self
        if let name = flag("router"), let kept = routers[name] { action = action.setting(flag: "router", to: kept) }
        if let name = flag("zone"), let kept = zones[name] { action = action.setting(flag: "zone", to: kept) }
        return action
    }

    /// The action with its resource name (the first positional argument) set.
    public func setting(name value: String) -> RemedyAction {
        var copy = self
        var seen = 0
        for (index, word) in copy.command.words.enumerated() {
            guard case .argument(let parts) = word else { continue }
            seen += 1
            if seen > 1 + pathLength, !ShellCommand.text(parts).hasPrefix("-") {
                copy.command.words[index] = .argument([.value(value, [])])
                return copy
            }
        }
        return copy
    }

    // MARK: - Identity

    /// What makes two steps the same change: the resource they make or touch, not the words
    /// (two rules may name the same NAT router differently, or give a route its priority once).
    /// Nil for steps compared by their words.
    public var resource: String? {
        let project = flag("project") ?? ""
        switch kind {
        case .zoneCreate:
            return ["zone", project, (flag("dns-name") ?? "").lowercased(), flag("networks") ?? ""].joined(separator: "|")
        case .recordCreate, .recordUpdate:
            return ["record", project, flag("zone") ?? "", (name ?? "").lowercased(), (flag("type") ?? "").uppercased()].joined(separator: "|")
        case .routeCreate:
            let hop = ["next-hop-gateway", "next-hop-instance", "next-hop-ip", "next-hop-ilb", "next-hop-vpn-tunnel"]
                .lazy.compactMap(flag).first ?? ""
            return ["route", project, flag("network") ?? "default", flag("destination-range") ?? "", hop].joined(separator: "|")
        case .routerCreate:
            return ["router", project, flag("network") ?? "", flag("region") ?? ""].joined(separator: "|")
        case .natCreate:
            return ["nat", project, flag("router") ?? "", flag("region") ?? ""].joined(separator: "|")
        case .firewallCreate:
            // The traffic it opens or closes, whatever it is called.
            return firewallEnds + "|" + list("rules").sorted().joined(separator: ",")
        case .subnetUpdate where hasFlag("enable-private-ip-google-access"):
            return ["private-google-access", project, name ?? "", flag("region") ?? ""].joined(separator: "|")
        case .change:
            return createdResource
        default:
            return nil
        }
    }

    /// Creations that are no typed kind but still one resource each: two rules may write the
    /// same subnet with other range names or a region one of them lacks, and it is made once.
    static let createdResources: [(path: [String], resource: String, scope: String?)] = [
        (["gcloud", "compute", "networks", "subnets", "create"], "subnet", "network"),
        (["gcloud", "compute", "networks", "create"], "network", nil),
        (["gcloud", "container", "clusters", "create"], "cluster", nil),
    ]

    /// The identity of a `change` step that creates a network, subnet or cluster by name.
    var createdResource: String? {
        let words = Self.literalWords(command)
        for entry in Self.createdResources where words.count > entry.path.count && Array(words.prefix(entry.path.count)) == entry.path {
            let positional = arguments.dropFirst(entry.path.count).first { !ShellCommand.text($0).hasPrefix("-") }
            guard let positional, let name = Self.value(positional) else { return nil }
            return [entry.resource, flag("project") ?? "", entry.scope.flatMap(flag) ?? "", name].joined(separator: "|")
        }
        return nil
    }

    /// A firewall rule's project, network, direction, action, ranges and targets: all but its
    /// protocols and ports.
    var firewallEnds: String {
        func set(_ flag: String) -> String { list(flag).sorted().joined(separator: ",") }
        return [
            "firewall", flag("project") ?? "", flag("network") ?? "default", (flag("direction") ?? "INGRESS").uppercased(),
            (flag("action") ?? "ALLOW").uppercased(), set("source-ranges"), set("destination-ranges"),
            set("target-tags"), set("target-service-accounts"),
        ].joined(separator: "|")
    }

    /// Whether this step allows traffic through the firewall (what a fix that the firewall model
    /// shows would not work, or is not needed, must not print).
    public var opensFirewall: Bool {
        kind == .firewallCreate && (flag("action") ?? "ALLOW").uppercased() == "ALLOW"
    }

    /// The order a plan runs kinds in: what others name first (a zone before its records, a
    /// router before its NAT, a route before the firewall rule for its traffic).
    var stage: Int {
        switch kind {
        case .check: return 0
        case .zoneCreate: return 1
        case .recordCreate, .recordUpdate: return 2
        case .routeDelete: return 3
        case .routeCreate: return 4
        case .subnetUpdate: return 5
        case .routerCreate: return 6
        case .natCreate, .natUpdate: return 7
        case .firewallUpdate: return 8
        case .firewallCreate: return 9
        case .change: return 10
        }
    }
}
