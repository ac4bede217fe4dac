import Foundation

/// Merges findings that name the same cause (their rules' `cause:` rendered to the same key) into
/// one: the most severe, most concrete one leads, the others become evidence listed by source,
/// and agreement between kinds of input raises the confidence.
enum FindingMerger {
    static func merge(_ findings: [Finding], rules: [Rule]) -> [Finding] {
        let evidenceOfRule = Dictionary(rules.map { ($0.id, $0.evidence) }, uniquingKeysWith: { a, _ in a })
        var groups: [String: [Finding]] = [:]
        var order: [String] = []
        for finding in findings {
            let key = finding.cause.map { "cause:" + $0 } ?? "id:" + finding.id
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(finding)
        }
        var merged: [Finding] = []
        for key in order {
            let group = groups[key]!
            guard group.count > 1 else {
                merged.append(group[0])
                continue
            }
            let ranked = group.sorted { a, b in
                if a.severity != b.severity { return a.severity > b.severity }
                // The most concrete evidence leads: firewall records carry addresses and the denying
                // rule, a failed check names the rule that decides, an operation names the failure.
                let aRank = Self.leadRank(evidenceOfRule[a.rule]), bRank = Self.leadRank(evidenceOfRule[b.rule])
                if aRank != bRank { return aRank < bRank }
                if a.count != b.count { return a.count > b.count }
                return a.id < b.id
            }
            // Findings of the lead's own rule were split on purpose by its group_by (another port,
            // another denying rule): they stay findings of their own, and each takes the evidence of
            // other rules about its own port (the lead takes the rest).
            var targets = [ranked[0]] + ranked.dropFirst().filter { $0.rule == ranked[0].rule }
            var kinds = targets.map { Set([evidenceOfRule[$0.rule] ?? ""]) }
            for other in ranked.dropFirst() where other.rule != ranked[0].rule {
                let index = targets.firstIndex { Self.port(of: $0) != nil && Self.port(of: $0) == Self.port(of: other) } ?? 0
                kinds[index].insert(evidenceOfRule[other.rule] ?? "")
                absorb(other, into: &targets[index])
            }
            for index in targets.indices {
                if kinds[index].count > 1 { targets[index].confidence = "confirmed" }
                // A rule that read only text cannot know the firewall: once the rules given show an
                // allow rule would not work (or is not needed), no merged finding may print one.
                if let verified = targets[index].facts["fix.verified"], verified != "yes" {
                    targets[index].remedy.actions.removeAll(where: \.opensFirewall)
                }
            }
            merged += targets
        }
        return merged
    }

    /// One check printed once: a check an earlier finding already gives is dropped from the
    /// later one, which says where it is. Changes are the plan's (`FixPlan`), shared there.
    /// Findings are taken in the order they are shown.
    static func dropRepeatedSteps(_ findings: inout [Finding]) {
        var givenBy: [RemedyAction: String] = [:]
        var manifestBy: [String: String] = [:]
        for index in findings.indices {
            var kept: [RemedyAction] = []
            var repeated: [String: Int] = [:]
            for action in findings[index].remedy.actions {
                if !action.changes, let earlier = givenBy[action], earlier != findings[index].id {
                    repeated[earlier, default: 0] += 1
                    continue
                }
                if givenBy[action] == nil { givenBy[action] = findings[index].id }
                if !kept.contains(action) { kept.append(action) }
            }
            findings[index].remedy.actions = kept
            // A manifest an earlier finding gives is printed there.
            findings[index].remedy.configConnector = findings[index].remedy.configConnector.filter { manifest in
                if let earlier = manifestBy[manifest], earlier != findings[index].id { return false }
                manifestBy[manifest] = findings[index].id
                return true
            }
            // The same rule named as nearly allowing it, once (a log and a check both tell it).
            var named = Set<String>()
            findings[index].remedy.notes = findings[index].remedy.notes.filter { note in
                guard let range = note.range(of: ") would allow ") else { return true }
                return named.insert(String(note[..<range.lowerBound])).inserted
            }
            for (earlier, count) in repeated.sorted(by: { $0.key < $1.key }) {
                let rule = findings.first { $0.id == earlier }?.rule ?? earlier
                findings[index].remedy.notes.append(
                    "\(count) check\(count == 1 ? "" : "s") for this finding \(count == 1 ? "is" : "are") already printed under \(rule) above.")
            }
        }
    }

    /// The port a finding is about, whichever evidence it came from.
    static func port(of finding: Finding) -> String? {
        finding.port.map(String.init) ?? finding.facts["dst.port"] ?? finding.facts["port"]
    }

    /// Adds another rule's finding about the same cause to `lead`.
    static func absorb(_ other: Finding, into lead: inout Finding) {
        if !lead.mergedRules.contains(other.rule) && other.rule != lead.rule { lead.mergedRules.append(other.rule) }
        for source in other.evidence {
            // One entry per kind of input and rule, however many findings it came in.
            if let index = lead.evidence.firstIndex(where: { $0.kind == source.kind && $0.rule == source.rule }) {
                lead.evidence[index].count += Saturating(source.count)
                for (place, quote) in zip(source.locations, source.quotes + Array(repeating: "", count: max(0, source.locations.count - source.quotes.count)))
                where lead.evidence[index].locations.count < 3 && !lead.evidence[index].locations.contains(place) {
                    lead.evidence[index].locations.append(place)
                    if !quote.isEmpty { lead.evidence[index].quotes.append(quote) }
                }
            } else {
                lead.evidence.append(source)
            }
        }
        // One verification of the fix per finding: the lead's, which is the more specific.
        let otherVerification = lead.facts["fix.note"] == nil ? nil : other.facts["fix.note"]
        for note in other.remedy.notes where !lead.remedy.notes.contains(note) && note != otherVerification {
            lead.remedy.notes.append(note)
        }
        // The same fix proposed by two rules is printed once: the lead's.
        let resources = Set(lead.remedy.actions.compactMap(\.resource))
        for action in other.remedy.actions where !lead.remedy.actions.contains(action) {
            if let resource = action.resource, resources.contains(resource) { continue }
            lead.remedy.actions.append(action)
        }
        for place in other.remedy.inPlace where !lead.remedy.inPlace.contains(place) { lead.remedy.inPlace.append(place) }
        // One manifest per fix: the lead's, else the first merged finding's.
        if lead.remedy.configConnector.isEmpty { lead.remedy.configConnector = other.remedy.configConnector }
        for command in other.remedy.kpt where !lead.remedy.kpt.contains(command) { lead.remedy.kpt.append(command) }
        for reference in other.remedy.references where !lead.remedy.references.contains(reference) {
            lead.remedy.references.append(reference)
        }
        if let t = other.firstSeen, lead.firstSeen.map({ t < $0 }) ?? true { lead.firstSeen = t }
        if let t = other.lastSeen, lead.lastSeen.map({ t > $0 }) ?? true { lead.lastSeen = t }
        for rule in other.deniedBy where !lead.deniedBy.contains(where: { $0.name == rule.name }) {
            lead.deniedBy.append(rule)
        }
        if lead.destinations.isEmpty {
            lead.destinations = other.destinations
            lead.distinctDestinations = other.distinctDestinations
            lead.sampledDestinations = other.sampledDestinations
            lead.estimatedDistinctDestinations = other.estimatedDistinctDestinations
        }
        for (name, value) in other.facts where lead.facts[name] == nil { lead.facts[name] = value }
    }

    static func leadRank(_ evidence: String?) -> Int {
        ["firewall", "check", "operation", "message", "config", "cluster"].firstIndex(of: evidence ?? "") ?? 6
    }

    /// For each finding with a cause, the commands that would produce the kinds of evidence other
    /// rules about the same kind of cause read, when the run had none of it.
    /// `present` is the evidence kinds the run had at all: no hint asks for what was given.
    static func addHints(_ findings: inout [Finding], rules: [Rule], project: String?, present: Set<String>) {
        var kindsByFamily: [String: Set<String>] = [:]
        for rule in rules {
            guard let cause = rule.cause else { continue }
            kindsByFamily[family(cause.source), default: []].insert(rule.evidence)
        }
        let evidenceOfRule = Dictionary(rules.map { ($0.id, $0.evidence) }, uniquingKeysWith: { a, _ in a })
        for index in findings.indices {
            guard let cause = findings[index].cause else { continue }
            let have = Set(([findings[index].rule] + findings[index].mergedRules).compactMap { evidenceOfRule[$0] })
            let missing = (kindsByFamily[family(cause)] ?? []).subtracting(have).subtracting(present)
            findings[index].surerWith = missing.sorted().compactMap { command(for: $0, project: project) }
        }
    }

    /// "control-plane-ingress:tcp:8443" and "control-plane-ingress:{protocol}:{dst.port}" share
    /// the family "control-plane-ingress".
    static func family(_ cause: String) -> String {
        String(cause.split(separator: ":", maxSplits: 1).first ?? Substring(cause))
    }

    static func command(for evidence: String, project: String?) -> String? { surerCommand(for: evidence, project: project)?.rendered }

    static func surerCommand(for evidence: String, project: String?) -> ShellCommand? {
        func gcloud(_ words: String) -> ShellCommand { ShellCommand("gcloud " + words).adding(flag: "project", ifGiven: project) }
        switch evidence {
        case "firewall":
            return ShellCommand("gcloud logging read")
                .adding(literal: "logName:\"compute.googleapis.com%2Ffirewall\" AND jsonPayload.disposition=\"DENIED\"")
                .adding(flag: "project", ifGiven: project).adding(literal: "--freshness=1d").adding(literal: "--format=json").adding(redirect: "firewall-denied.json")
        case "check":
            return gcloud("compute firewall-rules list").adding(literal: "--format=json").adding(redirect: "firewall-rules.json")
        case "config":
            return ShellCommand(gcloud("compute routes list").adding(literal: "--format=json").adding(redirect: "routes.json").words
                + [.separator(";")] + gcloud("dns record-sets list --zone=ZONE").words)
                .adding(literal: "--format=json").adding(redirect: "records.json")
        case "message":
            return ShellCommand("kubectl get events --all-namespaces").adding(redirect: "events.txt")
        case "operation":
            return gcloud("container operations list").adding(literal: "--format=json").adding(redirect: "operations.json")
        case "cluster":
            return gcloud("container clusters describe CLUSTER --location=LOCATION").adding(literal: "--format=json").adding(redirect: "cluster.json")
        default:
            return nil
        }
    }
}
