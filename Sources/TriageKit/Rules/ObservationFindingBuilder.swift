import Foundation

/// Accumulates the observations one rule matched under one group-by key into a finding.
struct ObservationFindingBuilder {
    let rule: Rule
    let key: String
    let first: ObservationFacts
    var count = 0
    var firstSeen: Int64?
    var lastSeen: Int64?
    /// Per kind of input: how many, where, and the lines quoted.
    var bySource: [(kind: String, count: Int, places: [Observation.Place])] = []
    var destinations: [Finding.Endpoint] = []
    var inferred = false
    /// Observations seen without places (derived, not read), in the order they came.
    var derived = 0

    init(rule: Rule, key: String, first: ObservationFacts) {
        self.rule = rule
        self.key = key
        self.first = first
    }

    mutating func add(_ facts: ObservationFacts) {
        let observation = facts.observation
        // An events row that says "x12 over 5m" is twelve occurrences of one message.
        // One observation may stand for several identical ones (`multiplicity`).
        let occurrences = max(1, facts.facts["occurrences"].flatMap(Int.init) ?? 1).saturatingMultiplied(by: observation.multiplicity)
        count += Saturating(occurrences)
        for t in [observation.earliest, observation.latest].compactMap({ $0 }) {
            if firstSeen.map({ t < $0 }) ?? true { firstSeen = t }
            if lastSeen.map({ t > $0 }) ?? true { lastSeen = t }
        }
        var index = bySource.firstIndex { $0.kind == observation.source }
        if index == nil {
            bySource.append((observation.source, 0, []))
            index = bySource.count - 1
        }
        bySource[index!].count += Saturating(occurrences)
        // The first distinct places in reading order, whatever order the observations come in.
        var places = observation.places
        if places.isEmpty, let location = observation.location {
            // Not read but derived (the network model's checks): these come after all that was read.
            places = [Observation.Place(
                order: Observation.ReadingOrder(batch: .max, index: derived), location: location, quote: observation.quote,
                time: observation.time)]
            derived += 1
        }
        Observation.Place.merge(places, into: &bySource[index!].places)
        for (name, value) in facts.facts where (name == "ip" || name.hasSuffix(".ip")) && destinations.count < 20 {
            guard let address = IPAddress(value), !destinations.contains(where: { $0.ip == address.description }) else { continue }
            let assignment = facts.topology.classify(address)
            if assignment.confidence == .inferred { inferred = true }
            destinations.append(Finding.Endpoint(
                ip: address.description, role: assignment.role, range: assignment.range?.description,
                confidence: assignment.confidence, reason: assignment.reason))
        }
        if facts.facts["port_inferred"] == "true" { inferred = true }
    }

    func findingValue(_ name: String) -> String? {
        switch name {
        case "count": return String(count)
        case "first_seen": return firstSeen.map(Timestamp.formatWholeSeconds)
        case "last_seen": return lastSeen.map(Timestamp.formatWholeSeconds)
        case "sources": return bySource.flatMap { $0.places.map(\.location.description) }.joined(separator: ", ")
        case "quotes": return bySource.flatMap { $0.places.compactMap(\.quote) }.map { "\"\($0)\"" }.joined(separator: "; ")
        default: return first.value(name)
        }
    }

    func build() -> Finding {
        let lookup: (String) -> String? = { findingValue($0) }
        var facts: [String: String] = [:]
        for field in rule.groupBy { facts[field] = first.value(field) ?? "" }
        // What the merger needs to keep one verification note and to drop fixes that would not work.
        for name in ["fix.verified", "fix.note", "fix.change", "fix.change.rule", "fix.change.priority"] {
            if let value = first.value(name) { facts[name] = value }
        }
        var texts = rule.remedyTexts(fact: first.value, lookup: lookup)
        if let change = FixVerification.ExistingRuleChange(facts: first.value) {
            texts.changeExisting(change, project: first.value("project"))
        }
        let message = FindingBuilder.capitalised(rule.message.render(lookup, quoting: .prose))
        var finding = Finding(
            id: key, rule: rule.id, severity: rule.severity, title: rule.title, message: message,
            confidence: inferred ? "inferred" : "observed", count: count, firstSeen: firstSeen.map(Timestamp.format),
            lastSeen: lastSeen.map(Timestamp.format), direction: first.value("direction"),
            protocolName: first.value("protocol"), port: first.value("port").flatMap(Int.init), facts: facts,
            sources: [], destinations: destinations, distinctSources: 0, distinctDestinations: destinations.count,
            moreSources: false, moreDestinations: false, deniedBy: [], examples: [],
            remedy: Finding.Remedy(
                why: rule.remedy.why.render(lookup, quoting: .prose), notes: texts.notes, actions: texts.actions,
                configConnector: texts.configConnector, kpt: texts.kpt, references: rule.references))
        if let denying = first.value("denied_by") {
            finding.deniedBy = [Finding.DenyingRule(
                reference: denying, name: denying, priority: first.value("denied_by.priority").flatMap(Int.init))]
        }
        finding.cause = rule.cause?.render(lookup)
        finding.evidence = bySource.map {
            Finding.EvidenceSource(
                kind: $0.kind, rule: rule.id, summary: message, count: $0.count, locations: $0.places.map(\.location.description),
                quotes: $0.places.compactMap(\.quote))
        }
        return finding
    }
}
