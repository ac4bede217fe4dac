import Foundation
import Testing

/// Lying values are never believed: each kind of bad value, read through the real readers (NDJSON,
/// gcloud YAML, cluster descriptions in YAML and JSON, a firewall-rules listing), gives a problem
/// line naming file:line, the field and the value, and never reaches a printed command.
struct ValueValidationTests {
    static let sample = "SampleLogs/master-to-kubelet-blocked"
    static let cluster = sample + "/cluster.yaml"

    /// One bad value put into the first firewall log record of the sample.
    struct LogCase: Sendable, CustomTestStringConvertible {
        var name: String
        /// Key path in the record, and the value put there.
        var path: [String]
        var value: String
        var asNumber: Bool
        /// What the problem line must name.
        var field: String
        /// Whether the record is skipped (else kept, the value unknown).
        var skipped: Bool
        /// Text no printed line of the report may hold.
        var forbidden: [String]
        var testDescription: String { name }
    }

    static let logCases: [LogCase] = [
        LogCase(name: "protocol 999", path: ["jsonPayload", "connection", "protocol"], value: "999", asNumber: true,
                field: "jsonPayload.connection.protocol", skipped: true, forbidden: ["999:"]),
        LogCase(name: "protocol -6", path: ["jsonPayload", "connection", "protocol"], value: "-6", asNumber: true,
                field: "jsonPayload.connection.protocol", skipped: true, forbidden: ["-6:"]),
        LogCase(name: "port 70000", path: ["jsonPayload", "connection", "dest_port"], value: "70000", asNumber: true,
                field: "jsonPayload.connection.dest_port", skipped: true, forbidden: ["70000"]),
        LogCase(name: "source port -1", path: ["jsonPayload", "connection", "src_port"], value: "-1", asNumber: true,
                field: "jsonPayload.connection.src_port", skipped: true, forbidden: []),
        LogCase(name: "disposition MAYBE", path: ["jsonPayload", "disposition"], value: "MAYBE", asNumber: false,
                field: "jsonPayload.disposition", skipped: true, forbidden: ["MAYBE"]),
        LogCase(name: "bad timestamp", path: ["timestamp"], value: "2026-13-45T99:00:00Z", asNumber: false,
                field: "timestamp", skipped: false, forbidden: ["2026-13-45"]),
        LogCase(name: "priority 70000", path: ["jsonPayload", "rule_details", "priority"], value: "70000", asNumber: true,
                field: "jsonPayload.rule_details.priority", skipped: false, forbidden: ["70000", "69999"]),
        LogCase(name: "network name with a command", path: ["jsonPayload", "vpc", "vpc_name"], value: "kubeflow-vpc$(touch X)",
                asNumber: false, field: "jsonPayload.vpc.vpc_name", skipped: false, forbidden: ["$(touch", "touch X"]),
        LogCase(name: "project id with a quote", path: ["jsonPayload", "instance", "project_id"], value: "kf-prod-4412'; id #",
                asNumber: false, field: "jsonPayload.instance.project_id", skipped: false, forbidden: ["; id", "id #"]),
        LogCase(name: "rule reference with a newline",
                path: ["jsonPayload", "rule_details", "reference"], value: "network:kubeflow-vpc/firewall:deny\nERROR fake",
                asNumber: false, field: "jsonPayload.rule_details.reference", skipped: false, forbidden: ["ERROR fake"]),
    ]

    static func set(_ value: Any, at path: [String], in object: inout [String: Any]) {
        guard let key = path.first else { return }
        if path.count == 1 {
            object[key] = value
            return
        }
        var inner = object[key] as? [String: Any] ?? [:]
        set(value, at: Array(path.dropFirst()), in: &inner)
        object[key] = inner
    }

    /// The line the problem must start with, and checks common to every case.
    static func expectProblem(_ result: RunResult, file: URL, line: Int, field: String, value: String) {
        let shown = "\"" + value.replacingOccurrences(of: "\n", with: "\\n") + "\""
        let problem = result.err.split(separator: "\n").first { $0.contains("\(file.path):\(line): ") && $0.contains(field) }
        #expect(problem != nil, "no problem line for \(field) at \(file.lastPathComponent):\(line)\n\(result)")
        if let problem { #expect(problem.contains(shown), "value not shown escaped in: \(problem)") }
    }

    @Test(arguments: logCases) func badValueInNDJSON(_ kind: LogCase) throws {
        try CLI.withTemporaryDirectory { directory in
            var records = try CLI.jsonArray(CLI.packageRoot.appendingPathComponent(Self.sample + "/firewall-denied.json"))
            Self.set(kind.asNumber ? Int(kind.value)! as Any : kind.value, at: kind.path, in: &records[0])
            let file = directory.appendingPathComponent("firewall.ndjson")
            try CLI.ndjsonLines(records).write(to: file)
            let result = try CLI.triage([file.path, "--cluster", Self.cluster, "--format", "json"])
            Self.expectProblem(result, file: file, line: 1, field: kind.field, value: kind.value)
            let report = try JSONReport(result)
            if kind.skipped {
                #expect(report.summaryInt("firewall_records") == records.count - 1, "\(result)")
                #expect((report.summary["skipped"] as? [String: Int])?["firewall record with an invalid \(kind.field)"] == 1)
            } else {
                #expect(report.summaryInt("firewall_records") == records.count, "\(result)")
                #expect((report.summary["invalid_values"] as? [String: Int])?["invalid \(kind.field)"] == 1, "\(result)")
            }
            for text in kind.forbidden { #expect(!result.out.contains(text), "report holds \(text)\n\(result)") }
            // The text report too: nothing of the value in any command.
            let text = try CLI.triage([file.path, "--cluster", Self.cluster])
            for forbidden in kind.forbidden { #expect(!text.out.contains(forbidden), "text report holds \(forbidden)\n\(text)") }
        }
    }

    /// gcloud's YAML: each record a document; the value replaced in the first one's text.
    @Test(arguments: [
        ("    protocol: 6", "    protocol: 999", "jsonPayload.connection.protocol", "999"),
        ("    dest_port: 443", "    dest_port: 70000", "jsonPayload.connection.dest_port", "70000"),
        ("  disposition: DENIED", "  disposition: MAYBE", "jsonPayload.disposition", "MAYBE"),
        ("timestamp: '2026-11-22T09:46:07.177730882Z'", "timestamp: 'not a time'", "timestamp", "not a time"),
        ("    priority: 900", "    priority: 70000", "jsonPayload.rule_details.priority", "70000"),
    ])
    func badValueInGcloudYAML(_ from: String, _ to: String, _ field: String, _ value: String) throws {
        try CLI.withTemporaryDirectory { directory in
            let original = try String(contentsOf: CLI.packageRoot.appendingPathComponent(Self.sample + "/firewall-denied.yaml"), encoding: .utf8)
            let range = try #require(original.range(of: from))
            let file = directory.appendingPathComponent("firewall.yaml")
            try CLI.write(original.replacingCharacters(in: range, with: to), to: file)
            let result = try CLI.triage([file.path, "--cluster", Self.cluster])
            // The first document starts on line 1 (its `---`).
            Self.expectProblem(result, file: file, line: 1, field: field, value: value)
            let commands = result.out.split(separator: "\n").filter { $0.contains("gcloud") || $0.contains("--") }
            #expect(!commands.contains { $0.contains(value) }, "\(result)")
        }
    }

    /// An invalid control-plane range: a problem line, and the fix keeps the range unknown
    /// instead of narrowing it to the private endpoint as a /32.
    @Test(arguments: ["yaml", "json"]) func invalidMasterRangeInClusterDescription(_ format: String) throws {
        try CLI.withTemporaryDirectory { directory in
            let yaml = try String(contentsOf: CLI.packageRoot.appendingPathComponent(Self.cluster), encoding: .utf8)
            let bad = yaml.replacingOccurrences(of: "masterIpv4CidrBlock: 172.16.0.0/28", with: "masterIpv4CidrBlock: 10.0.0.0/33")
            #expect(bad != yaml)
            let file = directory.appendingPathComponent("cluster.\(format)")
            if format == "yaml" {
                try CLI.write(bad, to: file)
            } else {
                // The description's facts triage reads, as gcloud's JSON spells them.
                let description: [String: Any] = [
                    "name": "kf-private", "location": "us-central1", "network": "kubeflow-vpc", "subnetwork": "kubeflow-subnet",
                    "id": "3f9a6c2e81d04b7fa1c9e5d2b7a04c6e18f2d9b3a7c5e1f04d8b2a6c9e3f7a15",
                    "selfLink": "https://container.googleapis.com/v1/projects/kf-prod-4412/locations/us-central1/clusters/kf-private",
                    "clusterIpv4Cidr": "10.20.0.0/14", "servicesIpv4Cidr": "10.24.0.0/20",
                    "privateClusterConfig": [
                        "enablePrivateNodes": true, "masterIpv4CidrBlock": "10.0.0.0/33", "privateEndpoint": "172.16.0.2",
                    ],
                    "nodePools": [["name": "default-pool", "config": ["serviceAccount": "default"]]],
                ]
                try JSONSerialization.data(withJSONObject: description, options: [.prettyPrinted, .sortedKeys]).write(to: file)
            }
            let logs = Self.sample + "/firewall-denied.json"
            let run = try CLI.triage([logs, "--cluster", file.path])
            Self.expectProblem(run, file: file, line: 1, field: "privateClusterConfig.masterIpv4CidrBlock", value: "10.0.0.0/33")
            #expect(run.err.contains("gcloud container clusters describe kf-private"), "\(run)")
            #expect(!run.out.contains("10.0.0.0/33"), "\(run)")
            #expect(!run.out.contains("172.16.0.2/32"), "fix narrowed to the endpoint\n\(run)")
            #expect(!run.out.contains("10.0.0.0/32"), "\(run)")
            // Read as an input (not --cluster), the same problem line.
            let asInput = try CLI.triage([logs, file.path])
            Self.expectProblem(asInput, file: file, line: 1, field: "privateClusterConfig.masterIpv4CidrBlock", value: "10.0.0.0/33")
            #expect(!asInput.out.contains("172.16.0.2/32"), "\(asInput)")
        }
    }

    /// A firewall-rules listing (`--format=json`) whose values cannot be right.
    @Test(arguments: [
        ("sourceRanges", "130.211.0.0/33" as String, false),
        ("sourceRanges", "130.211.0.5/22", false),
        ("priority", "70000", false),
        ("IPProtocol", "999", false),
        ("ports", "70000", false),
        ("name", "allow-health-checks$(touch X)", true),
        ("targetTags", "gke-node;id", false),
    ])
    func badValueInFirewallRulesListing(_ field: String, _ value: String, _ skipsRule: Bool) throws {
        try CLI.withTemporaryDirectory { directory in
            let config = "SampleLogs/health-checks-config"
            var rules = try CLI.jsonArray(CLI.packageRoot.appendingPathComponent(config + "/firewall-rules.json"))
            let index = try #require(rules.firstIndex { $0["name"] as? String == "allow-health-checks" })
            switch field {
            case "IPProtocol": rules[index]["allowed"] = [["IPProtocol": value, "ports": ["10256"]]]
            case "ports": rules[index]["allowed"] = [["IPProtocol": "tcp", "ports": [value]]]
            case "priority": rules[index]["priority"] = Int(value)!
            case "name": rules[index]["name"] = value
            default: rules[index][field] = [value]
            }
            let file = directory.appendingPathComponent("firewall-rules.json")
            try JSONSerialization.data(withJSONObject: rules, options: [.prettyPrinted, .sortedKeys]).write(to: file)
            // The array's records are framed one by one; find the line the rule's record starts on.
            let text = try String(contentsOf: file, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var starts: [Int] = []
            for (number, line) in lines.enumerated() where line == "  {" { starts.append(number + 1) }
            let line = starts[index]
            var arguments = [file.path, "--cluster", config + "/cluster.yaml"]
            for other in ["routes.json", "subnets.json", "routers.json"] { arguments.append(config + "/" + other) }
            let result = try CLI.triage(arguments)
            Self.expectProblem(result, file: file, line: line, field: field, value: value)
            let problem = result.err.split(separator: "\n").first { $0.contains(field) } ?? ""
            #expect(problem.contains(skipsRule ? "skipped" : "not used"), "\(problem)")
            let commands = result.out.split(separator: "\n").filter { $0.contains("gcloud") || $0.contains("--") }
            #expect(!commands.contains { $0.contains(value) }, "\(result)")
        }
    }
}
