/// The picture of a run: the roles (control plane, nodes, pods, Google APIs, internet, health
/// checkers, …) as boxes and each denied flow as a red edge labelled with its protocol:port and the
/// firewall rule that denied it. Built from the findings' typed facts (endpoint roles, protocol,
/// port, denying rules), never from rendered text; drawn as Mermaid (in the Markdown report) or
/// Graphviz DOT (`--format dot`). Every label can hold text from a log, so each drawing escapes it
/// for its own syntax.
struct FlowGraph {
    struct Box: Equatable {
        var role: Role
        /// The ranges that gave the role (control plane, node, pod, Service, health checker).
        var ranges: [String]

        /// A fixed identifier (from the role's own raw value), never text from evidence.
        var id: String { "role_" + role.rawValue.replacingOccurrences(of: "-", with: "_") }
        var name: String { FlowGraph.roleName(role) }
    }

    /// One denied flow: from a role to a role on protocol:port, denied by these rules.
    struct Edge: Hashable {
        var from: Role
        var to: Role
        var port: String
        var rules: [String]

        /// "denied by deny-all-ingress" or, when the log named no rule, "denied".
        var denial: String { rules.isEmpty ? "denied" : "denied by " + rules.joined(separator: ", ") }
    }

    private(set) var boxes: [Box] = []
    private(set) var edges: [Edge] = []

    /// A finding is a denied flow when it has a protocol, a port, and endpoints on both sides.
    init(_ findings: [Finding]) {
        for finding in findings {
            guard let protocolName = finding.protocolName, let port = finding.port,
                !finding.sources.isEmpty, !finding.destinations.isEmpty
            else { continue }
            let rules = finding.deniedBy.map(\.name)
            for source in Self.roles(finding.sources) {
                for destination in Self.roles(finding.destinations) {
                    let edge = Edge(from: source, to: destination, port: "\(protocolName):\(port)", rules: rules)
                    if !edges.contains(edge) { edges.append(edge) }
                }
            }
            for endpoint in finding.sources + finding.destinations { add(endpoint) }
        }
        // Only roles that take part in a flow are drawn.
        let used = Set(edges.flatMap { [$0.from, $0.to] })
        boxes.removeAll { !used.contains($0.role) }
    }

    private static func roles(_ endpoints: [Finding.Endpoint]) -> [Role] {
        var roles: [Role] = []
        for endpoint in endpoints where !roles.contains(endpoint.role) { roles.append(endpoint.role) }
        return roles
    }

    private mutating func add(_ endpoint: Finding.Endpoint) {
        let index = boxes.firstIndex { $0.role == endpoint.role } ?? {
            boxes.append(Box(role: endpoint.role, ranges: []))
            return boxes.count - 1
        }()
        let ranged: Set<Role> = [.controlPlane, .node, .pod, .service, .healthCheck]
        if let range = endpoint.range, ranged.contains(endpoint.role), !boxes[index].ranges.contains(range) {
            boxes[index].ranges.append(range)
        }
    }

    /// The role as a box is named: the plural for many machines.
    static func roleName(_ role: Role) -> String {
        switch role {
        case .controlPlane: return "control plane"
        case .node: return "nodes"
        case .pod: return "pods"
        case .service: return "Services"
        case .healthCheck: return "health checkers"
        case .iap: return "IAP TCP forwarding"
        case .restrictedVIP: return "Google APIs (restricted VIP)"
        case .privateVIP: return "Google APIs (private VIP)"
        case .metadata: return "metadata server"
        case .googlePublic: return "Google public IPs"
        case .internet: return "internet"
        case .privateOther: return "other private addresses"
        }
    }

    /// A box's label lines: its name, then at most two of its ranges.
    private func lines(_ box: Box) -> [String] {
        let shown = box.ranges.prefix(2).joined(separator: ", ") + (box.ranges.count > 2 ? ", +\(box.ranges.count - 2) more" : "")
        return shown.isEmpty ? [box.name] : [box.name, shown]
    }

    // MARK: Mermaid

    /// A `flowchart` for a ```mermaid block: one box per role, one red edge per denied flow.
    func mermaid() -> String {
        var out = "flowchart LR\n"
        for box in boxes {
            out += "    \(box.id)[\"\(Self.mermaidText(lines(box).joined(separator: " ")))\"]\n"
        }
        for edge in edges {
            let from = Box(role: edge.from, ranges: []).id
            let to = Box(role: edge.to, ranges: []).id
            out += "    \(from) -->|\"\(Self.mermaidText(edge.port + " " + edge.denial))\"| \(to)\n"
        }
        if !edges.isEmpty {
            out += "    linkStyle \(edges.indices.map(String.init).joined(separator: ",")) stroke:red,stroke-width:2px,color:red\n"
        }
        return out
    }

    /// Text inside a quoted Mermaid label: one line (controls shown escaped, as everywhere), cut
    /// to a name's length, and every character Mermaid or the HTML it renders to could read as
    /// syntax written as an entity code (`#34;`): the quote that would end the label, `#` that
    /// starts an entity, `<`, `>` and `&` (HTML), the backtick (a Markdown string, or the end of the
    /// fence around the block), `%` (a directive or comment) and `|` (the end of an edge label).
    static func mermaidText(_ text: String) -> String {
        let shown = TerminalText.sanitize(text, limit: TerminalText.Limit.name)
        var out = ""
        for c in shown.unicodeScalars {
            switch c {
            case "\"", "#", "<", ">", "&", "`", "%", "|", "\\":
                out += "#\(c.value);"
            default:
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    // MARK: DOT

    /// The same graph for Graphviz (`triage … --format dot | dot -Tsvg > flows.svg`).
    func dot() -> String {
        var out = "digraph triage {\n    rankdir=LR;\n    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        out += "    edge [color=red, fontcolor=red, fontname=\"Helvetica\"];\n"
        for box in boxes {
            out += "    \(Self.dotString(box.id)) [label=\(Self.dotString(lines(box)))];\n"
        }
        for edge in edges {
            let from = Box(role: edge.from, ranges: []).id
            let to = Box(role: edge.to, ranges: []).id
            out += "    \(Self.dotString(from)) -> \(Self.dotString(to)) [label=\(Self.dotString([edge.port, edge.denial]))];\n"
        }
        return out + "}\n"
    }

    /// A double-quoted DOT string of lines joined by DOT's own `\n`; each line is one line of text
    /// (controls shown escaped) with `\` and `"` escaped, so nothing in it is read as DOT.
    static func dotString(_ lines: [String]) -> String {
        "\"" + lines.map { line in
            TerminalText.sanitize(line, limit: TerminalText.Limit.name)
                .replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
        }.joined(separator: "\\n") + "\""
    }

    static func dotString(_ text: String) -> String { dotString([text]) }
}
