import Foundation

/// Plain text for a terminal: grouped by severity, then by count; fits the given width.
struct TextRenderer {
    let options: RenderOptions

    func paint(_ text: String, _ code: String) -> String {
        options.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func render(_ analysis: Analysis) -> String {
        var out = ""
        if analysis.findings.isEmpty {
            let unreadable = analysis.account.inputErrors.count
            let line: String
            let evidence = analysis.account.evidence.values.reduce(0, +)
            if unreadable > 0 && analysis.account.evidenceRead == 0 {
                line = "No findings: no evidence was read (see the errors above)."
            } else if unreadable > 0 {
                line = "No findings in what could be read; \(unreadable) input\(unreadable == 1 ? "" : "s") could not be read in full (see the errors above)."
            } else if analysis.account.firewallRecords == 0 && evidence == 0 {
                line = "No problems found (no firewall log records or other evidence were read)."
            } else if evidence == 0 {
                line = "No problems found in \(analysis.account.firewallRecords) firewall log records."
            } else {
                line = "No problems found in \(analysis.account.firewallRecords) firewall log records and \(evidence) other pieces of evidence."
            }
            // Fitted to the terminal like everything else printed.
            return wrap(line, indent: "", width: max(40, options.width))
        }
        let width = max(40, options.width)
        let plan = analysis.plan
        out += TextSummary(options: options, width: width).render(analysis)
        // The plan on the first screen too: what it changes, by kind; the commands follow the findings.
        if options.detail != .brief, !plan.steps.isEmpty {
            out += wrap("Fix plan (below): " + Self.planSummary(plan) + ".", indent: "", width: width)
        }
        switch options.detail {
        case .brief:
            out += "\n"
            for finding in analysis.findings { out += brief(finding, plan, width) }
        case .compact:
            for finding in analysis.findings { out += "\n" + compact(finding, plan, width) }
        case .full:
            for finding in analysis.findings { out += "\n" + full(finding, plan, width) }
        }
        out += planSection(plan, analysis.findings, width, brief: options.detail == .brief)
        if options.detail == .full { out += planManifests(plan, ConfigConnectorForm(config: analysis.config), width) }
        if options.detail == .compact, analysis.findings.contains(where: hasDetails) {
            out += "\n" + wrap("Examples, notes, Config Connector manifests and docs: add --details.", indent: "", width: width)
        }
        return out
    }

    /// The plan, once, after the findings: each change numbered, with the findings it fixes.
    /// `2 DNS zones, 4 DNS records, 1 route and 3 firewall rules`, by kind, in plan order (a
    /// kind that changes what exists says so: `1 firewall rule change`).
    static func planSummary(_ plan: FixPlan) -> String {
        let names: [RemedyAction.Kind: (String, String)] = [
            .zoneCreate: ("DNS zone", "DNS zones"), .recordCreate: ("DNS record", "DNS records"),
            .recordUpdate: ("DNS record change", "DNS record changes"), .routeDelete: ("route deletion", "route deletions"),
            .routeCreate: ("route", "routes"), .subnetUpdate: ("subnet change", "subnet changes"),
            .routerCreate: ("Cloud Router", "Cloud Routers"), .natCreate: ("Cloud NAT", "Cloud NATs"),
            .natUpdate: ("Cloud NAT change", "Cloud NAT changes"), .firewallUpdate: ("firewall rule change", "firewall rule changes"),
            .firewallCreate: ("firewall rule", "firewall rules"), .change: ("other change", "other changes"), .check: ("check", "checks"),
        ]
        var order: [RemedyAction.Kind] = []
        var counts: [RemedyAction.Kind: Int] = [:]
        for step in plan.steps {
            if counts[step.action.kind] == nil { order.append(step.action.kind) }
            counts[step.action.kind, default: 0] += 1
        }
        let parts = order.map { kind -> String in
            let count = counts[kind] ?? 0
            let name = names[kind] ?? (kind.rawValue, kind.rawValue)
            return "\(count) \(count == 1 ? name.0 : name.1)"
        }
        return parts.count > 1 ? parts.dropLast().joined(separator: ", ") + " and " + parts.last! : parts.joined()
    }

    /// `--brief` prints the steps alone: its finding lines already name their steps.
    private func planSection(_ plan: FixPlan, _ findings: [Finding], _ width: Int, brief: Bool) -> String {
        guard !plan.steps.isEmpty else { return "" }
        let count = plan.steps.count
        let head = "Fix plan (\(count) change\(count == 1 ? "" : "s"), in order"
            + (brief ? "):" : "; --fix-script FILE saves it as a script):")
        var out = "\n" + wrap(head, indent: "", width: width).replacingOccurrences(of: "Fix plan", with: paint("Fix plan", "1"))
        let indent = String(repeating: " ", count: String(count).count + 2)
        for step in plan.steps {
            let number = "\(step.number)." + String(repeating: " ", count: indent.count - String(step.number).count - 1)
            if brief {
                out += shellWrap(TerminalText.sanitize(step.command), indent: indent, width: width, first: number)
                continue
            }
            // What the models say of the step follows its findings, wrapped under the command.
            let header = "for " + step.rules(in: findings).map(name).joined(separator: ", ")
                + (step.verificationLabel.map { " (\(TerminalText.sanitize($0)))" } ?? "")
            out += hangingWrap(["  \(step.number)."] + header.split(separator: " ").map(String.init), indent: "     ", width: width)
            out += shellWrap(TerminalText.sanitize(step.command), indent: "     ", width: width)
        }
        return out
    }

    /// `--details`: the plan's steps as Config Connector manifests, each under its step number;
    /// YAML lines are never re-flowed, only a long value moved under its key (`YAMLLines`).
    private func planManifests(_ plan: FixPlan, _ form: ConfigConnectorForm, _ width: Int) -> String {
        guard !plan.steps.isEmpty else { return "" }
        var out = "\n" + wrap("The plan as Config Connector manifests (kubectl apply -f - on the cluster that runs it; --format config-connector prints them as one file):", indent: "", width: width)
        for step in plan.steps {
            out += wrap("\(step.number).", indent: "  ", width: width)
            for line in form.manifest(for: step).split(separator: "\n") {
                let text = TerminalText.sanitize(String(line))
                // A comment wraps as comments; a YAML line only moves its value under its key.
                out += text.hasPrefix("# ") ? wrap(String(text.dropFirst(2)), indent: "     # ", width: width)
                    : YAMLLines.fit("     " + text, width: width)
            }
        }
        return out
    }

    /// `Fix: plan steps 1, 2 (below)`, or nothing when the finding has no change to make.
    private func planReference(_ finding: Finding, _ plan: FixPlan, _ width: Int) -> String {
        let numbers = plan.numbers(for: finding)
        var out = ""
        if !numbers.isEmpty {
            let many = plan.steps(for: finding).count > 1
            out += field("Fix", "plan step\(many ? "s" : "") \(numbers) (below)", width)
        }
        if !finding.remedy.inPlace.isEmpty {
            out += field("In place", finding.remedy.inPlace.map(name).joined(separator: "; "), width)
        }
        // An error with no step would leave the reader asking why: the firewall model found the
        // traffic allowed by the rules given, so the note says what to look at instead.
        if numbers.isEmpty, finding.facts["fix.verified"] == FixVerification.Outcome.alreadyAllowed.rawValue,
            let note = finding.facts["fix.note"]
        {
            out += field("No change", note, width)
        }
        return out
    }

    /// The severity as a label: the word, coloured when colour is on.
    func label(_ severity: Severity) -> (text: String, painted: String) {
        let text = severity.rawValue.uppercased()
        switch severity {
        case .error: return (text, paint(text, "1;31"))
        case .warning: return (text, paint(text, "1;33"))
        case .info: return (text, paint(text, "1;36"))
        }
    }

    /// `ERROR rule (12 connections denied, observed)`, wrapped under itself when it is wider
    /// than the terminal; the label and the rule are painted after the wrapping is measured.
    private func header(_ finding: Finding, _ width: Int) -> String {
        let severity = label(finding.severity)
        let rule = name(finding.rule)
        // The label and the rule stay on the first line together, however long the rule's name.
        let words = ["\(severity.text) \(rule)"] + "(\(Self.headline(finding)))".split(separator: " ").map(String.init)
        var text = hangingWrap(words, indent: "  ", width: width)
        let plainStart = "\(severity.text) \(rule)"
        if text.hasPrefix(plainStart + " ") || text.hasPrefix(plainStart + "\n") {
            text = "\(severity.painted) \(paint(rule, "1"))" + text.dropFirst(plainStart.count)
        } else if text.hasPrefix(severity.text) {
            text = severity.painted + text.dropFirst(severity.text.count)
        }
        return text
    }

    /// One line (the severity, the rule, and the flow from the typed facts or else the message,
    /// cut to the width: three health-check findings differ in their port, which a cut message
    /// would lose), then the first fix command whole and how many more there are.
    private func brief(_ finding: Finding, _ plan: FixPlan, _ width: Int) -> String {
        let severity = label(finding.severity)
        let rule = name(finding.rule)
        // The plan's steps for it (printed once, below), or that it needs a check first.
        let numbers = plan.numbers(for: finding)
        let steps = numbers.isEmpty ? "[check]" : "[step\(plan.steps(for: finding).count == 1 ? "" : "s") \(numbers)]"
        let head = "\(severity.text) \(rule) \(steps)"
        guard head.count + 2 < width else { return "\(severity.painted) \(paint(rule, "1")) \(steps)\n" }
        let room = width - head.count - 2
        let cause = (finding.cluster.map { "[\(name($0))] " } ?? "") + TextSummary.cause(finding, self)
        return "\(severity.painted) \(paint(rule, "1")) \(steps): " + Self.cut(cause, to: room) + "\n"
    }

    /// The cause, how much evidence of which kind, where it is, and the commands that fix it.
    private func compact(_ finding: Finding, _ plan: FixPlan, _ width: Int) -> String {
        var out = header(finding, width)
        out += wrap(message(finding.message), indent: "  ", width: width)
        if !finding.evidence.isEmpty {
            out += field("Evidence", finding.evidence.map { "\($0.count) from \(name($0.kind))" }.joined(separator: ", "), width)
        }
        var places: [String] = []
        for place in finding.evidence.flatMap(\.locations) + finding.examples.compactMap(\.location) where !places.contains(place) {
            places.append(place)
        }
        if !places.isEmpty {
            let shown = places.prefix(2).map(name).joined(separator: ", ")
            out += field("Where", shown + (places.count > 2 ? ", +\(places.count - 2) more" : ""), width)
        }
        out += commandBlock("Check", finding.remedy.checks, width)
        out += planReference(finding, plan, width)
        return out
    }

    /// What `--details` adds to a finding.
    private func hasDetails(_ finding: Finding) -> Bool {
        !finding.examples.isEmpty || !finding.remedy.notes.isEmpty || !finding.remedy.kpt.isEmpty
            || !finding.remedy.configConnector.isEmpty || !finding.remedy.references.isEmpty || !finding.surerWith.isEmpty
    }

    /// A titled list of shell commands, or nothing when there are none.
    private func commandBlock(_ title: String, _ commands: [String], _ width: Int) -> String {
        guard !commands.isEmpty else { return "" }
        // Escaped but never cut: a shortened command would be a different command.
        return "  \(title):\n" + commands.map { shellWrap(TerminalText.sanitize($0), indent: "    ", width: width) }.joined()
    }

    /// Every part of a finding (`--details`).
    private func full(_ finding: Finding, _ plan: FixPlan, _ width: Int) -> String {
        var out = header(finding, width)
        out += wrap(message(finding.message), indent: "  ", width: width)
        out += field("Should be", message(finding.title), width)
        if !finding.deniedBy.isEmpty {
            let rules = finding.deniedBy.map { rule in
                name(rule.name) + (rule.priority.map { " (priority \($0))" } ?? "")
            }.joined(separator: ", ")
            out += field("Denied by", rules, width)
        }
        if let first = finding.firstSeen.map({ name(DisplayTime.seconds($0)) }) {
            let last = finding.lastSeen.map({ name(DisplayTime.seconds($0)) }) ?? first
            out += field("Seen", first == last ? first : "\(first) to \(last)", width)
        }
        if !finding.sources.isEmpty {
            out += field("From", endpoints(
                finding.sources, total: finding.distinctSources, sampled: finding.sampledSources,
                estimate: finding.estimatedDistinctSources), width)
        }
        if !finding.destinations.isEmpty {
            out += field("To", endpoints(
                finding.destinations, total: finding.distinctDestinations, sampled: finding.sampledDestinations,
                estimate: finding.estimatedDistinctDestinations), width)
        }
        if finding.evidence.count > 1 || finding.evidence.contains(where: { !$0.quotes.isEmpty }) {
            out += "  Evidence:\n"
            for source in finding.evidence {
                // The lead's own part is the message above: say only how much of it there was.
                let what = source.rule == finding.rule
                    ? "\(source.count) record\(source.count == 1 ? "" : "s")"
                    : (source.quotes.isEmpty
                        ? message(source.summary)
                        : source.quotes.map { "\"\(TerminalText.sanitize($0, limit: TerminalText.Limit.quote))\"" }.joined(separator: "; "))
                var line = "\(name(source.kind)): " + what
                if !source.locations.isEmpty { line += " (\(source.locations.map(name).joined(separator: ", ")))" }
                out += wrap(line, indent: "    ", width: width)
            }
        }
        if !finding.examples.isEmpty {
            out += "  Examples:\n"
            for example in finding.examples {
                var line = "\(name(example.source)) -> \(name(example.destination)) \(name(example.protocolName))"
                if let vm = example.vmName { line += " on \(name(vm))" }
                if let place = example.remoteLocation, !place.isEmpty { line += " [\(name(place))]" }
                if let location = example.location { line += " (\(name(location)))" }
                out += wrap(line, indent: "    ", width: width)
            }
        }
        out += "  Why:\n" + wrap(message(finding.remedy.why), indent: "    ", width: width)
        // The "No change" line below says the already-allowed note once.
        for note in finding.remedy.notes where note != finding.facts["fix.note"] || !plan.steps(for: finding).isEmpty {
            out += wrap("Note: " + message(note), indent: "    ", width: width)
        }
        out += commandBlock("Check", finding.remedy.checks, width)
        out += planReference(finding, plan, width)
        out += commandBlock("Kubeflow blueprint (kpt)", finding.remedy.kpt, width)
        for manifest in finding.remedy.configConnector {
            // YAML indentation is meaning: lines are never re-flowed, only a long value moved
            // under its key (`YAMLLines`). Its line breaks are the template's (values are quoted
            // YAML scalars); each line is escaped on its own.
            out += wrap("Config Connector (kubectl apply -f - on the cluster that runs it):", indent: "  ", width: width)
            for line in manifest.split(separator: "\n", omittingEmptySubsequences: false)
            where !line.isEmpty {
                out += YAMLLines.fit("    " + TerminalText.sanitize(String(line)), width: width)
            }
        }
        out += commandBlock("Surer with", finding.surerWith, width)
        out += "  Docs:\n"
        for reference in finding.remedy.references { out += "    \(TerminalText.sanitize(reference))\n" }
        return out
    }

    /// `text` cut to `limit` characters, the last being an ellipsis when anything was cut.
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        guard limit > 1 else { return String(text.prefix(max(0, limit))) }
        return text.prefix(limit - 1).trimmingCharacters(in: .whitespaces) + "…"
    }

    /// "312 connections denied, observed" for firewall findings; "3 occurrences, …" otherwise.
    static func headline(_ finding: Finding) -> String {
        let unit: String
        if finding.evidence.first?.kind == "firewall log" || (finding.evidence.isEmpty && !finding.examples.isEmpty) {
            unit = "connection\(finding.count == 1 ? "" : "s") denied"
        } else {
            unit = finding.count == 1 ? "occurrence" : "occurrences"
        }
        var text = "\(finding.count) \(unit), \(finding.confidence)"
        if let cluster = finding.cluster { text = "cluster \(cluster): " + text }
        let kinds = Set(finding.evidence.map(\.kind))
        if kinds.count > 1 { text += " by \(kinds.count) kinds of evidence" }
        return text
    }

    /// A value as shown: escaped to one line and cut (see `TerminalText`); the whole value is in JSON.
    func name(_ text: String) -> String { TerminalText.sanitize(text, limit: TerminalText.Limit.name) }
    func message(_ text: String) -> String { TerminalText.sanitize(text, limit: TerminalText.Limit.message) }

    private func endpoints(_ list: [Finding.Endpoint], total: Int, sampled: Bool, estimate: Int?) -> String {
        var groups: [(key: String, ips: [String])] = []
        for endpoint in list {
            var key = endpoint.role.phrase
            if let range = endpoint.range, endpoint.role != .internet { key += " " + range }
            if endpoint.confidence == .inferred { key += ", inferred" }
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].ips.append(endpoint.ip)
            } else {
                groups.append((key, [endpoint.ip]))
            }
        }
        var text = groups.map { group in
            let ips = group.ips.prefix(4).map(name).joined(separator: ", ") + (group.ips.count > 4 ? ", …" : "")
            return "\(ips) (\(name(group.key)))"
        }.joined(separator: "; ")
        if sampled, estimate != nil {
            text += "; \(Finding.sampledNote(total, estimate: estimate))"
        } else if sampled {
            text += "; ≈ more: \(Finding.sampledNote(total))"
        } else if total > list.count {
            text += "; \(total - list.count) more"
        }
        return text
    }

    private func field(_ name: String, _ value: String, _ width: Int) -> String {
        let head = "  \(name): "
        let wrapped = wrap(value, indent: String(repeating: " ", count: head.count), width: width)
        return head + wrapped.dropFirst(head.count)
    }

    /// Word-wraps to `width`, keeping existing line breaks.
    func wrap(_ text: String, indent: String, width: Int) -> String {
        var out = ""
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = indent
            var lineHasWord = false
            for word in paragraph.split(separator: " ") {
                if lineHasWord && line.count + 1 + word.count > width {
                    out += line + "\n"
                    line = indent
                    lineHasWord = false
                }
                line += (lineHasWord ? " " : "") + word
                lineHasWord = true
            }
            out += line + "\n"
        }
        return out
    }

    /// Word-wraps to `width`: the first line from the margin, the others under `indent`.
    func hangingWrap(_ words: [String], indent: String, width: Int) -> String {
        var line = ""
        var index = 0
        while index < words.count, line.isEmpty || line.count + 1 + words[index].count <= width {
            line += (line.isEmpty ? "" : " ") + words[index]
            index += 1
        }
        let rest = words[index...].joined(separator: " ")
        return line + "\n" + (rest.isEmpty ? "" : wrap(rest, indent: indent, width: width))
    }

    /// Splits at spaces outside quotes, so a wrapped command keeps quoted text whole.
    static func shellWords(_ command: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        for c in command {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
                continue
            }
            current.append(c)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Breaks a long command at spaces with ` \` so it still pastes as one command.
    /// `first` stands in for the indent on the first line (a step's number).
    func shellWrap(_ command: String, indent: String, width: Int, first lead: String? = nil) -> String {
        var out = ""
        var line = lead ?? indent
        var first = true
        for word in Self.shellWords(command) {
            if !first && line.count + 1 + word.count + 2 > width {
                out += line + " \\\n"
                line = indent + "    "
                first = true
            }
            line += (first ? "" : " ") + word
            first = false
        }
        return out + line + "\n"
    }
}
