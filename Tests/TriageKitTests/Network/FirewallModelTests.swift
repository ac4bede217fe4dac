import Testing
@testable import TriageKit

struct FirewallModelTests {
    static let master = CIDR("172.16.0.0/28")!
    static let nodes = CIDR("10.10.0.0/20")!
    static let node = CIDR("10.10.0.5/32")!
    static let tag = "gke-kf-node"

    static func ingress(_ port: Int, from source: CIDR = master, tags: [String] = [tag], account: String? = nil,
                        sourceTags: [String] = [], proto: String = "tcp") -> FirewallModel.Flow {
        FirewallModel.Flow(source: source, destination: node, protocolName: proto, ports: port...port, direction: .ingress,
                           network: "vpc", vmTags: tags, vmServiceAccount: account, sourceTags: sourceTags)
    }

    static func allow(_ name: String, _ priority: Int, _ ports: String = "tcp:443", from: [CIDR]? = [master],
                      targets: [String]? = [tag], direction: FirewallRule.Direction = .ingress) -> FirewallRule {
        FirewallRule(name: name, network: "vpc", direction: direction, priority: priority, action: .allow,
                     permissions: FirewallRule.permissions(fromTable: ports),
                     sourceRanges: direction == .ingress ? from : [], destinationRanges: direction == .egress ? from : [],
                     targetTags: targets)
    }

    static func deny(_ name: String, _ priority: Int, _ ports: String = "all", direction: FirewallRule.Direction = .ingress,
                     ranges: [CIDR] = [CIDR("0.0.0.0/0")!]) -> FirewallRule {
        FirewallRule(name: name, network: "vpc", direction: direction, priority: priority, action: .deny,
                     permissions: FirewallRule.permissions(fromTable: ports),
                     sourceRanges: direction == .ingress ? ranges : [], destinationRanges: direction == .egress ? ranges : [])
    }

    @Test func impliedRulesDecideWhenNothingMatches() {
        let model = FirewallModel(rules: [])
        let ingress = model.evaluate(Self.ingress(443))
        #expect(ingress.verdict == .denied && ingress.decidedByImplied && ingress.priority == 65535)
        var egress = Self.ingress(443)
        egress.direction = .egress
        #expect(model.evaluate(egress).verdict == .allowed)
    }

    @Test func lowerPriorityNumberWinsAndDenyWinsTies() {
        let tie = FirewallModel(rules: [Self.allow("allow", 1000), Self.deny("deny", 1000)]).evaluate(Self.ingress(443))
        #expect(tie.verdict == .denied && tie.rule?.name == "deny")
        #expect(tie.bestLoser?.rule.name == "allow")
        #expect(tie.bestLoser?.miss == .shadowed(by: "deny", priority: 1000))
        let better = FirewallModel(rules: [Self.allow("allow", 999), Self.deny("deny", 1000)]).evaluate(Self.ingress(443))
        #expect(better.verdict == .allowed && better.rule?.name == "allow")
        let worse = FirewallModel(rules: [Self.deny("deny", 999), Self.allow("allow", 1000)]).evaluate(Self.ingress(443))
        #expect(worse.verdict == .denied)
    }

    @Test func targetTagsAndServiceAccountsSelectTheVMs() {
        let model = FirewallModel(rules: [Self.allow("allow", 1000)])
        let untagged = model.evaluate(Self.ingress(443, tags: ["other"]))
        #expect(untagged.verdict == .denied)
        #expect(untagged.bestLoser?.miss == .targetTags([Self.tag]))
        var bySA = Self.allow("by-sa", 1000, targets: [])
        bySA.targetServiceAccounts = ["nodes@p.iam.gserviceaccount.com"]
        let saModel = FirewallModel(rules: [bySA])
        #expect(saModel.evaluate(Self.ingress(443, account: "nodes@p.iam.gserviceaccount.com")).verdict == .allowed)
        #expect(saModel.evaluate(Self.ingress(443, account: "other@p.iam.gserviceaccount.com")).verdict == .denied)
        // Without the VMs' service account the answer cannot be known.
        #expect(saModel.evaluate(Self.ingress(443)).verdict == .undetermined)
        // No target at all: every VM of the network.
        #expect(FirewallModel(rules: [Self.allow("all-vms", 1000, targets: [])]).evaluate(Self.ingress(443, tags: [])).verdict == .allowed)
    }

    @Test func sourceTagsMatchOnlyTaggedSourceVMs() {
        var rule = Self.allow("from-tag", 1000, from: [])
        rule.sourceTags = ["bastion"]
        let model = FirewallModel(rules: [rule])
        #expect(model.evaluate(Self.ingress(443, from: CIDR("10.10.0.9/32")!, sourceTags: ["bastion"])).verdict == .allowed)
        let fromMaster = model.evaluate(Self.ingress(443))
        #expect(fromMaster.verdict == .denied && fromMaster.bestLoser?.miss.code == "source-tags")
    }

    @Test func sourceRangeThatMissesOrCoversOnlyPartOfTheRealRange() {
        let narrow = FirewallModel(rules: [Self.allow("narrow", 1000, from: [CIDR("172.16.0.0/29")!])])
        #expect(narrow.evaluate(Self.ingress(443)).bestLoser?.miss == .sourceRanges([CIDR("172.16.0.0/29")!], partly: true))
        let wrong = FirewallModel(rules: [Self.allow("wrong", 1000, from: [CIDR("172.16.1.0/28")!])])
        #expect(wrong.evaluate(Self.ingress(443)).bestLoser?.miss == .sourceRanges([CIDR("172.16.1.0/28")!], partly: false))
    }

    @Test func disabledRulesDoNotExist() {
        var rule = Self.allow("off", 1000)
        rule.disabled = true
        let evaluation = FirewallModel(rules: [rule]).evaluate(Self.ingress(443))
        #expect(evaluation.verdict == .denied && evaluation.bestLoser?.miss == .disabled)
        var deny = Self.deny("deny-off", 10)
        deny.disabled = true
        #expect(FirewallModel(rules: [deny, Self.allow("on", 1000)]).evaluate(Self.ingress(443)).verdict == .allowed)
    }

    @Test func protocolsAndPortRanges() {
        let model = FirewallModel(rules: [Self.allow("range", 1000, "tcp:8000-8999,udp:53")])
        #expect(model.evaluate(Self.ingress(8443)).verdict == .allowed)
        #expect(model.evaluate(Self.ingress(9443)).verdict == .denied)
        #expect(model.evaluate(Self.ingress(53, proto: "udp")).verdict == .allowed)
        #expect(model.evaluate(Self.ingress(53, proto: "17")).verdict == .allowed)
        #expect(model.evaluate(Self.ingress(8443, proto: "udp")).verdict == .denied)
        // A whole range passes only when every port of it does; abutting ranges join.
        let split = FirewallModel(rules: [Self.allow("split", 1000, "tcp:30000-31000,tcp:31001-32767")])
        var nodePorts = Self.ingress(30000)
        nodePorts.ports = 30000...32767
        #expect(split.evaluate(nodePorts).verdict == .allowed)
        #expect(FirewallModel(rules: [Self.allow("part", 1000, "tcp:30000-31000")]).evaluate(nodePorts).verdict == .denied)
        #expect(FirewallModel(rules: [Self.allow("any", 1000, "all")]).evaluate(Self.ingress(1, proto: "icmp")).verdict == .allowed)
        let wrongPort = FirewallModel(rules: [Self.allow("web", 1000, "tcp:443")]).evaluate(Self.ingress(8443))
        #expect(wrongPort.bestLoser?.miss == .protocolOrPorts("tcp:443"))
    }

    @Test func egressIsJudgedByDestinationAndTheSourceVM() {
        let vip = CIDR("199.36.153.4/30")!
        var flow = FirewallModel.Flow(source: Self.nodes, destination: vip, protocolName: "tcp", ports: 443...443,
                                      direction: .egress, network: "vpc", vmTags: [Self.tag])
        let lockdown = Self.deny("deny-all-egress", 1000, direction: .egress)
        let allowVIP = Self.allow("allow-vip", 1100, from: [vip], direction: .egress)
        let evaluation = FirewallModel(rules: [lockdown, allowVIP, Self.allow("ingress-only", 1, "all")]).evaluate(flow)
        #expect(evaluation.verdict == .denied && evaluation.rule?.name == "deny-all-egress")
        #expect(evaluation.losers.map(\.rule.name) == ["allow-vip"])  // the ingress rule is no loser
        #expect(evaluation.bestLoser?.miss == .shadowed(by: "deny-all-egress", priority: 1000))
        let fixed = FirewallModel(rules: [lockdown]).adding(Self.allow("allow-vip", 999, from: [vip], direction: .egress))
        #expect(fixed.evaluate(flow).verdict == .allowed)
        flow.destination = CIDR("142.250.0.0/15")!
        #expect(fixed.evaluate(flow).verdict == .denied)
    }

    @Test func otherNetworksRulesDoNotApply() {
        var rule = Self.allow("elsewhere", 1000)
        rule.network = "default"
        let evaluation = FirewallModel(rules: [rule]).evaluate(Self.ingress(443))
        #expect(evaluation.verdict == .denied && evaluation.bestLoser?.miss == .otherNetwork("default"))
    }

    @Test func tableRulesThatCouldDecideMakeTheAnswerUndetermined() {
        var partial = Self.allow("from-table", 900)
        partial.isPartial = true
        partial.sourceRanges = nil
        partial.targetTags = nil
        let model = FirewallModel(rules: [Self.deny("deny-all", 1000), partial])
        let evaluation = model.evaluate(Self.ingress(443))
        #expect(evaluation.verdict == .undetermined)
        #expect(evaluation.unknowns.map(\.rule.name) == ["from-table"])
        // A table rule that misses on its ports is known to miss.
        #expect(model.evaluate(Self.ingress(8443)).verdict == .denied)
        // One that cannot change the outcome does not matter.
        var worse = partial
        worse.priority = 2000
        #expect(FirewallModel(rules: [Self.deny("deny-all", 1000), worse]).evaluate(Self.ingress(443)).verdict == .denied)
    }
}

/// `decide` (the fast path) must agree with `evaluate` on every flow.
struct FirewallDecideAgreementTests {
    @Test func decideAgreesWithEvaluateOnRandomRules() {
        var random = SplitMix64(seed: 0x5eed)
        let ranges = ["10.0.0.0/8", "10.10.0.0/20", "172.16.0.0/28", "35.191.0.0/16", "0.0.0.0/0"].compactMap(CIDR.init)
        let tags = ["a", "b", "c"]
        for _ in 0..<200 {
            var rules: [FirewallRule] = []
            for i in 0..<random.int(0...12) {
                let direction: FirewallRule.Direction = random.chance(0.5) ? .ingress : .egress
                rules.append(FirewallRule(
                    name: "r\(i)", network: random.chance(0.9) ? "vpc" : "other", direction: direction,
                    priority: random.pick([0, 500, 1000, 1000, 65534]), action: random.chance(0.5) ? .allow : .deny,
                    permissions: FirewallRule.permissions(fromTable: random.pick(["all", "tcp:443", "tcp:8000-9000,udp:53", "icmp"])),
                    sourceRanges: [random.pick(ranges)], destinationRanges: [random.pick(ranges)],
                    targetTags: random.chance(0.5) ? [] : [random.pick(tags)], disabled: random.chance(0.1)))
            }
            let model = FirewallModel(rules: rules)
            for _ in 0..<10 {
                let port = random.pick([443, 8443, 53, 22])
                let flow = FirewallModel.Flow(
                    source: random.pick(ranges), destination: random.pick(ranges), protocolName: random.pick(["tcp", "udp", "icmp"]),
                    ports: port...port, direction: random.chance(0.5) ? .ingress : .egress, network: "vpc",
                    vmTags: [random.pick(tags)])
                let slow = model.evaluate(flow)
                let fast = model.decide(flow)
                #expect(slow.verdict == fast.verdict && slow.rule?.name == fast.rule?.name)
            }
        }
    }
}
