import Foundation
import Testing
@testable import TriageKit

/// `FirewallModel.evaluateRanges`: a tested port range split where rules start or stop covering
/// it, each part with its own verdict; checked against a per-port evaluation on random rule sets.
struct PortRangeEvaluationTests {
    static let pods = CIDR("10.20.0.0/14")!
    static let nodes = CIDR("10.10.0.0/20")!
    static let tag = "gke-kf-node"

    static func podFlow(_ proto: String = "tcp", _ ports: ClosedRange<Int>? = 1...65535) -> FirewallModel.Flow {
        FirewallModel.Flow(source: pods, destination: pods, protocolName: proto, ports: ports, direction: .ingress,
                           network: "vpc", vmTags: [tag], vmServiceAccount: "nodes@p.iam.gserviceaccount.com")
    }

    static func rule(_ name: String, _ priority: Int, _ action: FirewallRule.Action, _ ports: String,
                     from: [CIDR] = [pods], targets: [String] = [tag], disabled: Bool = false) -> FirewallRule {
        FirewallRule(name: name, network: "vpc", direction: .ingress, priority: priority, action: action,
                     permissions: FirewallRule.permissions(fromTable: ports), sourceRanges: from, targetTags: targets,
                     disabled: disabled)
    }

    @Test func aDenyOnPartOfTheRangeIsReportedForThatPart() {
        let model = FirewallModel(rules: [
            Self.rule("deny-low", 900, .deny, "tcp:1-1000"), Self.rule("allow-pods", 1000, .allow, "all"),
        ])
        // The old question, "does every port pass", let the deny go: it covers only part of the range.
        #expect(model.evaluate(Self.podFlow()).verdict == .allowed)
        let parts = model.evaluateRanges(Self.podFlow())
        #expect(parts.map(\.flow.portText) == ["1-1000", "1001-65535"])
        #expect(parts.map(\.verdict) == [.denied, .allowed])
        #expect(parts.map(\.deciderName) == ["deny-low", "allow-pods"])
        #expect(parts[0].bestLoser?.rule.name == "allow-pods")
        #expect(parts[0].bestLoser?.miss == .shadowed(by: "deny-low", priority: 900))
        // udp is untouched by the tcp deny: one part.
        #expect(model.evaluateRanges(Self.podFlow("udp")).map(\.flow.portText) == ["1-65535"])
    }

    @Test func partsWithTheSameDeciderMerge() {
        // The allow at 80 and 443 splits the range, but deny-all decides every part first.
        let model = FirewallModel(rules: [
            Self.rule("deny-all", 900, .deny, "all"), Self.rule("allow-web", 1000, .allow, "tcp:80,tcp:443"),
        ])
        let parts = model.evaluateRanges(Self.podFlow())
        #expect(parts.count == 1 && parts[0].verdict == .denied && parts[0].flow.portText == "1-65535")
        // The allow is still named, with both reasons: shadowed, and only two ports.
        let loser = parts[0].losers.first { $0.rule.name == "allow-web" }
        #expect(loser?.misses.map(\.code) == ["shadowed", "ports"])
    }

    @Test func abuttingRangesAndTheImpliedRule() {
        let model = FirewallModel(rules: [Self.rule("allow-some", 1000, .allow, "tcp:80-89,tcp:90,tcp:100-200")])
        let parts = model.evaluateRanges(Self.podFlow("tcp", 1...300))
        #expect(parts.map(\.flow.portText) == ["1-79", "80-90", "91-99", "100-200", "201-300"])
        #expect(parts.map(\.verdict) == [.denied, .allowed, .denied, .allowed, .denied])
        #expect(parts[0].decidedByImplied && parts[2].decidedByImplied)
    }

    @Test func aFlowWithoutPortsIsOneEvaluation() {
        let model = FirewallModel(rules: [Self.rule("deny-low", 900, .deny, "tcp:1-1000")])
        let parts = model.evaluateRanges(Self.podFlow("icmp", nil))
        #expect(parts.count == 1 && parts[0].flow.ports == nil && parts[0].decidedByImplied)
    }

    @Test func aTableReadRuleMakesOnlyItsOwnPortsUndetermined() {
        var hidden = Self.rule("maybe-deny", 900, .deny, "tcp:8000-9000")
        hidden.sourceRanges = nil
        hidden.targetTags = nil
        hidden.isPartial = true
        let model = FirewallModel(rules: [hidden, Self.rule("allow-pods", 1000, .allow, "all")])
        let parts = model.evaluateRanges(Self.podFlow())
        #expect(parts.map(\.flow.portText) == ["1-7999", "8000-9000", "9001-65535"])
        #expect(parts.map(\.verdict) == [.allowed, .undetermined, .allowed])
    }

    // MARK: property: the split agrees with a per-port evaluation

    /// A random rule over a few sources, targets, protocols and port ranges, so rules overlap.
    static func randomRule(_ index: Int, _ rng: inout SplitMix64) -> FirewallRule {
        func port() -> Int { [1, 2, 22, 80, 443, 1000, 1001, 8080, 10250, 30000, 65534, 65535].randomElement(using: &rng)!
            + (Bool.random(using: &rng) ? 0 : Int.random(in: 0...500, using: &rng)) }
        func range() -> String {
            let a = min(port(), 65535), b = min(port(), 65535)
            return a == b ? "\(a)" : "\(min(a, b))-\(max(a, b))"
        }
        var permissions: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: permissions.append("all")
            case 1: permissions.append("tcp")
            case 2: permissions.append("icmp")
            case 3: permissions.append("udp:" + range())
            default: permissions.append("tcp:" + range())
            }
        }
        var rule = FirewallRule(
            name: "r\(index)", network: "vpc", direction: Int.random(in: 0..<6, using: &rng) == 0 ? .egress : .ingress,
            priority: [0, 500, 900, 1000, 1000, 65534].randomElement(using: &rng)!,
            action: Bool.random(using: &rng) ? .allow : .deny,
            permissions: FirewallRule.permissions(fromTable: permissions.joined(separator: ",")),
            sourceRanges: [[pods], [nodes], [CIDR("0.0.0.0/0")!], [CIDR("192.168.0.0/16")!]].randomElement(using: &rng)!,
            targetTags: [[tag], [], ["other-tag"]].randomElement(using: &rng)!,
            disabled: Int.random(in: 0..<10, using: &rng) == 0)
        if Int.random(in: 0..<15, using: &rng) == 0 {
            rule.sourceRanges = nil
            rule.targetTags = nil
            rule.isPartial = true
        }
        return rule
    }

    @Test(arguments: 0..<6)
    func theSplitAgreesWithEveryPortEvaluatedAlone(seedBlock: Int) {
        var rng = SplitMix64(seed: 0x5EED_0000 + UInt64(seedBlock))
        for round in 0..<50 {
            let rules = (0..<Int.random(in: 1...9, using: &rng)).map { Self.randomRule($0, &rng) }
            let model = FirewallModel(rules: rules)
            let proto = Bool.random(using: &rng) ? "tcp" : "udp"
            let a = Int.random(in: 1...65535, using: &rng), b = Int.random(in: 1...65535, using: &rng)
            let tested = Bool.random(using: &rng) ? 1...65535 : min(a, b)...max(a, b)
            let flow = Self.podFlow(proto, tested)
            let parts = model.evaluateRanges(flow)
            // The parts tile the tested range in order, and neighbours differ (merged as far as they go).
            #expect(parts.first?.flow.ports?.lowerBound == tested.lowerBound)
            #expect(parts.last?.flow.ports?.upperBound == tested.upperBound)
            for (x, y) in zip(parts, parts.dropFirst()) {
                #expect(x.flow.ports!.upperBound + 1 == y.flow.ports!.lowerBound)
                #expect(x.verdict != y.verdict || x.rule?.name != y.rule?.name
                    || (x.verdict != .undetermined && x.unknowns.map(\.rule.name) != y.unknowns.map(\.rule.name)))
            }
            // Every boundary of every rule and its neighbours, plus random ports; the whole range
            // port by port in the first rounds.
            var ports: Set<Int> = [tested.lowerBound, tested.upperBound]
            if round < 2 && seedBlock == 0 {
                ports.formUnion(tested)
            } else {
                for rule in rules {
                    for permission in rule.permissions {
                        for range in permission.ports {
                            for p in [range.lowerBound - 1, range.lowerBound, range.upperBound, range.upperBound + 1] where tested.contains(p) {
                                ports.insert(p)
                            }
                        }
                    }
                }
                for _ in 0..<200 { ports.insert(Int.random(in: tested, using: &rng)) }
            }
            for port in ports.sorted() {
                let alone = model.evaluate(Self.podFlow(proto, port...port))
                guard let part = parts.first(where: { $0.flow.ports!.contains(port) }) else {
                    Issue.record("port \(port) is in no part")
                    continue
                }
                #expect(part.verdict == alone.verdict, "round \(round) port \(port): \(rules.map(\.name))")
                #expect(part.rule?.name == alone.rule?.name, "round \(round) port \(port)")
                #expect(part.priority == alone.priority)
                // Undetermined parts merge, so they name every hidden rule of any of their ports.
                if part.verdict == .undetermined {
                    #expect(Set(alone.unknowns.map(\.rule.name)).isSubset(of: part.unknowns.map(\.rule.name)))
                } else {
                    #expect(part.unknowns.isEmpty && alone.unknowns.isEmpty)
                }
                // `decide`, the per-record path, agrees port by port as well.
                let decided = model.decide(Self.podFlow(proto, port...port))
                #expect(decided.verdict == alone.verdict && decided.rule?.name == alone.rule?.name)
            }
        }
    }
}

/// The required-flow checks over port ranges, on the `mixed` scenario's config fixed, plus one
/// rule in the shape `gcloud compute firewall-rules list --format=json` prints
/// (https://cloud.google.com/compute/docs/reference/rest/v1/firewalls).
struct PartialPortCheckTests {
    typealias Base = NetworkChecksTests

    static func denyLowPorts() -> [String: Any] { [
        "kind": "compute#firewall", "name": "deny-low-ports", "priority": 900, "direction": "INGRESS",
        "network": "https://www.googleapis.com/compute/v1/projects/kf-prod-4412/global/networks/kubeflow-vpc",
        "sourceRanges": ["10.0.0.0/8"], "denied": [["IPProtocol": "tcp", "ports": ["1-1000"]]],
        "targetTags": ["gke-kf-private-3f9a6c2e-node"], "disabled": false,
    ] }

    @Test func aDenyOnLowPortsIsReportedForPodsAndNodes() throws {
        let config = try Base.config(replacing: "none", with: [Self.denyLowPorts()])
        let found = try Base.run(config).filter {
            ["pod-to-pod", "nodes-to-pods", "pods-to-nodes"].contains($0.facts["check"] ?? "")
        }
        // Before the split nothing was said: the deny covers only part of tcp:1-65535.
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.facts["protocol"] == "tcp" && $0.facts["direction"] == "INGRESS" })
        #expect(found.allSatisfy { $0.facts["dst.port"] == "1-1000" && $0.facts["dst.port.tested"] == "1-65535" })
        #expect(found.allSatisfy { $0.facts["denied_by"] == "deny-low-ports" && $0.facts["denied_by.priority"] == "900" })
        // The rest is allowed (10255 only to the default pod range: GKE's -inkubelet and -exkubelet).
        #expect(found.allSatisfy { $0.facts["allowed.ports"]?.hasPrefix("1001-") == true && $0.facts["fix.verified"] == "yes" })
        #expect(Set(found.map { $0.facts["check"]! }) == ["pod-to-pod", "nodes-to-pods", "pods-to-nodes"])
        let pods = try #require(found.first { $0.facts["check"] == "pod-to-pod" })
        // 10255 is GKE's -inkubelet's (priority 999), the rest -all's.
        #expect(pods.facts["allowed.by"] == "gke-kf-private-3f9a6c2e-all,gke-kf-private-3f9a6c2e-inkubelet")
        #expect(pods.facts["allowed.ports"] == "1001-65535")
        #expect(pods.quote?.contains("tcp:1-1000 (ingress): denied by deny-low-ports (priority 900)") == true)
        #expect(pods.quote?.contains(
            "; tcp:1001-65535 allowed by gke-kf-private-3f9a6c2e-all (priority 1000), gke-kf-private-3f9a6c2e-inkubelet (priority 999)") == true)
    }

    @Test func withGKEsRulesInPlaceNodesAndPodsReachEachOther() throws {
        let config = try Base.config(replacing: "none", with: [])
        let found = try Base.run(config).filter { ["nodes-to-pods", "pods-to-nodes"].contains($0.facts["check"] ?? "") }
        #expect(found.isEmpty)
    }

    @Test func withoutTheVMsRuleNodesCannotReachPods() throws {
        let rules = try Base.resources("firewall-rules-list.json").filter { ($0["name"] as? String)?.hasSuffix("-vms") != true }
        let config = try Base.config(replacing: "firewall-rules-list.json", with: rules)
        let found = try Base.run(config).filter { $0.facts["check"] == "nodes-to-pods" && $0.facts["direction"] == "INGRESS" }
        // All of udp; all of tcp but 10255, which GKE's -inkubelet opens to the nodes.
        #expect(Set(found.map { "\($0.facts["protocol"]!):\($0.facts["dst.port"]!)" }) == ["udp:1-65535", "tcp:1-10254", "tcp:10256-65535"])
        #expect(found.allSatisfy { $0.facts["denied_by"] == "deny-all-ingress" })
        #expect(found.allSatisfy { $0.facts["allowed.ports"] == ($0.facts["protocol"] == "tcp" ? "10255" : nil) })
    }
}
