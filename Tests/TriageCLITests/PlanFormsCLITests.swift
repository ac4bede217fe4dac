import Foundation
import Testing
import Yams

/// `--format config-connector` and `--format terraform` (issue 14) on every SampleLogs scenario
/// and the bundle: every manifest parses with Yams and is a Config Connector resource of the right
/// shape, the Terraform parses with python-hcl2, and no two documents or resources stand for the
/// same thing; each JSON plan step carries both forms.
@Suite struct PlanFormsCLITests {
    static let kinds: Set = [
        "ComputeFirewall", "ComputeRoute", "DNSManagedZone", "DNSRecordSet", "ComputeRouter", "ComputeRouterNAT", "ComputeSubnetwork",
    ]

    /// The lines that are not comments (a comment may quote a command with its `'<NAME>'`).
    static func uncommented(_ text: String) -> String {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    }

    static let hclAvailable = (try? CLI.shell("python3 -c 'import hcl2'").status == 0) ?? false

    @Test("every scenario's plan as Config Connector manifests", arguments: FixReconcileTests.scenarios)
    func manifests(_ name: String) throws {
        let base = try FolderScenarioTests.inputs(name) + ["--now", "2026-11-22T10:30:00Z", "--quiet"]
        let result = try CLI.triage(base + ["--format", "config-connector"])
        #expect(result.status <= 1, "\(result)")
        let report = try JSONReport(try CLI.triage(base + ["--format", "json"]))
        var seen: Set<String> = []
        var documents = 0
        for case let document? in try Yams.load_all(yaml: result.out) {
            documents += 1
            let object = try #require(document as? [String: Any], "\(name): \(document)")
            let apiVersion = try #require(object["apiVersion"] as? String)
            #expect(apiVersion.hasSuffix(".cnrm.cloud.google.com/v1beta1"), "\(name)")
            let kind = try #require(object["kind"] as? String)
            #expect(Self.kinds.contains(kind), "\(name): \(kind)")
            let metadata = try #require(object["metadata"] as? [String: Any])
            let spec = try #require(object["spec"] as? [String: Any])
            #expect(!spec.isEmpty)
            // A name is a Kubernetes name, or the marker of a value the evidence did not give.
            if let metadataName = metadata["name"] as? String {
                #expect(metadataName.range(of: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression) != nil, "\(name): \(metadataName)")
            } else {
                #expect((metadata["name"] as? [String: Any])?["missing"] != nil, "\(name): \(metadata)")
            }
            // The resource in Google Cloud: its name, and for a record its DNS name and type.
            let identity = [kind, "\(spec["resourceID"] ?? metadata["name"] ?? "")", "\(spec["name"] ?? "")", "\(spec["type"] ?? "")"]
                .joined(separator: "|")
            #expect(seen.insert(identity).inserted, "\(name): two documents for \(identity)")
        }
        // Every plan step has a manifest or a comment naming its command, and a Terraform form.
        for step in report.plan {
            let manifest = try #require(step["config_connector"] as? String)
            let terraform = try #require(step["terraform"] as? String)
            #expect(!manifest.isEmpty && !terraform.isEmpty, "\(name): \(step)")
        }
        let typed = report.plan.filter { !(($0["config_connector"] as? String) ?? "").hasPrefix("# No Config Connector form") }
        #expect(documents <= typed.count && (typed.isEmpty || documents > 0), "\(name): \(documents) documents, \(typed.count) typed steps")
        #expect(!Self.uncommented(result.out).contains("<"), "\(name): no <PLACEHOLDER> text: \(result.out)")
    }

    @Test("every scenario's plan as Terraform", .enabled(if: hclAvailable, "python-hcl2 is not installed (pip install python-hcl2): skipped"),
          arguments: FixReconcileTests.scenarios)
    func terraform(_ name: String) throws {
        let base = try FolderScenarioTests.inputs(name) + ["--now", "2026-11-22T10:30:00Z", "--quiet"]
        let result = try CLI.triage(base + ["--format", "terraform"])
        #expect(result.status <= 1, "\(result)")
        let script = """
            import hcl2, json, sys
            d = hcl2.loads(sys.argv[1])
            resources = [(t, l) for r in d.get('resource', []) for t, body in r.items() if t != '__is_block__' for l in body]
            imports = [i['to'] for i in d.get('import', [])]
            variables = [n for v in d.get('variable', []) for n in v if n != '__is_block__']
            print(json.dumps({'resources': resources, 'imports': imports, 'variables': variables}))
            """
        let parsed = try CLI.shell("python3 -c \"$1\" \"$2\"", [script, result.out])
        try #require(parsed.status == 0, "\(name): \(parsed.err)\n\(result.out)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(parsed.out.utf8)) as? [String: Any])
        // python-hcl2 keeps block labels quoted.
        let resources = (object["resources"] as? [[String]] ?? []).map { $0.joined(separator: ".").replacingOccurrences(of: "\"", with: "") }
        #expect(Set(resources).count == resources.count, "\(name): a resource twice: \(resources)")
        let imports = object["imports"] as? [String] ?? []
        #expect(Set(imports).count == imports.count, "\(name)")
        for target in imports {
            let bare = target.replacingOccurrences(of: "${", with: "").replacingOccurrences(of: "}", with: "").replacingOccurrences(of: "\"", with: "")
            #expect(resources.contains(bare), "\(name): import of \(target), which is not declared: \(resources)")
        }
        // Each variable is used, and each use declared.
        for variable in object["variables"] as? [String] ?? [] {
            #expect(result.out.contains("var.\(variable.replacingOccurrences(of: "\"", with: ""))"), "\(name): \(variable) unused")
        }
        #expect(!Self.uncommented(result.out).contains("<"), "\(name): no <PLACEHOLDER> text")
    }
}
