import Foundation
import Testing

/// Fixes reconciled with the config given (issue 14): on every SampleLogs scenario and the
/// bundle, no command is printed twice, every command parses with `bash -n`, and nothing the
/// config shows to exist is created again (a DNS zone, Private Google Access on a subnet that
/// has it, a route to the VIP through the gateway, a Cloud Router with a NAT in the region).
@Suite struct FixReconcileTests {
    /// Every scenario folder: its evidence files (README.md and expected.json are not evidence).
    static var scenarios: [String] {
        let root = CLI.sampleLogs
        return ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    /// What the scenario's own config listings (JSON) say exists.
    struct Existing {
        var zones: Set<String> = []
        var subnetsWithAccess: Set<String> = []
        var vipRoute = false
        var natRegions: Set<String> = []

        init(_ files: [String]) throws {
            for path in files where path.hasSuffix(".json") {
                guard let items = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: Any]]
                else { continue }
                for item in items {
                    switch item["kind"] as? String {
                    case "dns#managedZone": if let name = item["name"] as? String { zones.insert(name) }
                    case "compute#subnetwork":
                        if item["privateIpGoogleAccess"] as? Bool == true, let name = item["name"] as? String { subnetsWithAccess.insert(name) }
                    case "compute#route":
                        if item["destRange"] as? String == "199.36.153.4/30", item["nextHopGateway"] != nil { vipRoute = true }
                    case "compute#router":
                        if !((item["nats"] as? [Any]) ?? []).isEmpty, let region = (item["region"] as? String)?.split(separator: "/").last {
                            natRegions.insert(String(region))
                        }
                    default: break
                    }
                }
            }
        }
    }

    @Test("no repeated, unparsable or re-creating command", arguments: scenarios)
    func commandsAreAPlanAnOperatorWouldPaste(_ name: String) throws {
        let files = try FolderScenarioTests.inputs(name)
        let result = try CLI.triage(files + ["--format", "json", "--now", "2026-11-22T10:30:00Z"])
        let report = try JSONReport(result)
        // What is printed: the plan's changes once, and each finding's checks.
        let commands = report.planCommands + report.checks
        let repeated = Dictionary(grouping: commands, by: { $0 }).filter { $0.value.count > 1 }.keys
        #expect(repeated.isEmpty, "\(name): printed more than once: \(repeated.sorted())")
        for command in commands {
            #expect(try CLI.shell("bash -n -c \"$1\"", [command]).status == 0, "\(name): \(command)")
            #expect(!command.contains("|| gcloud") && !command.contains("<ROUTER>"), "\(name): \(command)")
        }
        let existing = try Existing(files.flatMap { path -> [String] in
            guard path.hasSuffix("/inputs") else { return [path] }
            return (try? FileManager.default.contentsOfDirectory(atPath: path).map { "\(path)/\($0)" }) ?? []
        })
        for zone in existing.zones {
            #expect(!commands.contains { $0.hasPrefix("gcloud dns managed-zones create \(zone) ") }, "\(name): zone \(zone) exists")
        }
        for subnet in existing.subnetsWithAccess {
            #expect(!commands.contains { $0.hasPrefix("gcloud compute networks subnets update \(subnet) ") && $0.contains("--enable-private-ip-google-access") },
                    "\(name): \(subnet) has Private Google Access on")
        }
        if existing.vipRoute {
            #expect(!commands.contains { $0.contains("routes create") && $0.contains("--destination-range=199.36.153.4/30") }, "\(name)")
        }
        for region in existing.natRegions {
            #expect(!commands.contains { $0.contains("routers create") && $0.contains("--region=\(region)") }, "\(name): a NAT exists in \(region)")
        }
    }

    /// The bundle as the issue found it: the googleapis zone, Private Google Access and the
    /// router's NAT are in its config; the gcr.io and pkg.dev zones are not, and are created once.
    @Test func theBundleCreatesOnlyWhatIsMissingAndEachOnce() throws {
        let result = try CLI.triage(["SampleLogs/bundle/inputs", "--format", "json", "--now", "2026-11-22T10:30:00Z"])
        let report = try JSONReport(result)
        let commands = report.planCommands
        #expect(!commands.contains { $0.contains("managed-zones create googleapis") }, "\(commands)")
        // The googleapis zone resolves *.googleapis.com to the VIP through its own CNAME: no record
        // for it is created or changed, and the finding says what is in place.
        #expect(!commands.contains { $0.contains("--zone=googleapis") }, "\(commands)")
        let google = report.findings.first { $0["rule"] as? String == "google-api-public-ip-blocked" }
        let inPlace = (google?["remedy"] as? [String: Any])?["in_place"] as? [String] ?? []
        #expect(inPlace.contains { $0.contains("*.googleapis.com. already resolves to 199.36.153.4,199.36.153.5,199.36.153.6,199.36.153.7") }, "\(inPlace)")
        #expect(inPlace.contains { $0.contains("Private Google Access is on for subnet kubeflow-subnet") }, "\(inPlace)")
        // Three health-check findings, one rule with their three ports.
        #expect(commands.filter { $0.contains("firewall-rules create allow-health-checks") }.count == 1, "\(commands)")
        #expect(commands.contains { $0.contains("--rules=tcp:10256,tcp:30443,tcp:8080") }, "\(commands)")
        // Zones before their records, records before routes, routes before firewall rules.
        let kinds = report.plan.compactMap { $0["kind"] as? String }
        let stage = ["dns-zone.create": 0, "record-set.create": 1, "route.create": 2, "firewall-rule.create": 3]
        #expect(kinds.compactMap { stage[$0] } == kinds.compactMap { stage[$0] }.sorted(), "\(kinds)")
        #expect(!commands.contains { $0.contains("--enable-private-ip-google-access") }, "\(commands)")
        #expect(commands.filter { $0.hasPrefix("gcloud dns managed-zones create gcr-io ") }.count == 1, "\(commands)")
        #expect(commands.filter { $0.hasPrefix("gcloud dns managed-zones create pkg-dev ") }.count == 1, "\(commands)")
        #expect(commands.filter { $0.hasPrefix("gcloud compute routes create route-to-restricted-googleapis ") }.count == 1, "\(commands)")
        #expect(!commands.contains { $0.contains("for domain in") }, "\(commands)")
    }
}
