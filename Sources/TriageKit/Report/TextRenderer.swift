import Foundation

/// Plain text for a terminal: grouped by severity, then by count; fits the given width.
struct TextRenderer {
    let options: RenderOptions

    private func paint(_ text: String, _ code: String) -> String {
        options.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func render(_ analysis: Analysis) -> String {
        var out = ""
        if analysis.findings.isEmpty {
            let unreadable = analysis.account.inputErrors.count
            if unreadable > 0 {
                return "No findings in what could be read; \(unreadable) input\(unreadable == 1 ? "" : "s") could not be read in full (see the errors above).\n"
            }
            out += "No problems found"
            let evidence = analysis.account.evidence.values.reduce(0, +)
            if analysis.account.firewallRecords == 0 && evidence == 0 {
                out += " (no firewall log records or other evidence were read).\n"
            } else if evidence == 0 {
                out += " in \(analysis.account.firewallRecords) firewall log records.\n"
            } else {
                out += " in \(analysis.account.firewallRecords) firewall log records and \(evidence) other pieces of evidence.\n"
            }
            return out
        }
        let width = max(40, options.width)
        for (index, finding) in analysis.findings.enumerated() {
            if index > 0 { out += "\n" }
            let label: String
            switch finding.severity {
            case .error: label = paint("ERROR", "1;31")
            case .warning: label = paint("WARNING", "1;33")
            case .info: label = paint("INFO", "1;36")
            }
            out += "\(label) \(paint(name(finding.rule), "1")) (\(Self.headline(finding)))\n"
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
                out += field("From", endpoints(finding.sources, total: finding.distinctSources), width)
            }
            if !finding.destinations.isEmpty {
                out += field("To", endpoints(finding.destinations, total: finding.distinctDestinations), width)
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
            for note in finding.remedy.notes {
                out += wrap("Note: " + message(note), indent: "    ", width: width)
            }
            // A titled list of shell commands, or nothing when there are none.
            func commandBlock(_ title: String, _ commands: [String]) {
                guard !commands.isEmpty else { return }
                out += "  \(title):\n"
                // Escaped but never cut: a shortened command would be a different command.
                for command in commands { out += shellWrap(TerminalText.sanitize(command), indent: "    ", width: width) }
            }
            commandBlock("Fix", finding.remedy.commands)
            commandBlock("Kubeflow blueprint (kpt)", finding.remedy.kpt)
            for manifest in finding.remedy.configConnector {
                // Verbatim, not wrapped: YAML indentation is meaning. Its line breaks are the
                // template's (values are quoted YAML scalars); each line is escaped on its own.
                out += "  Config Connector (kubectl apply -f - on the cluster that runs it):\n"
                for line in manifest.split(separator: "\n", omittingEmptySubsequences: false)
                where !line.isEmpty {
                    out += "    \(TerminalText.sanitize(String(line)))\n"
                }
            }
            commandBlock("Surer with", finding.surerWith)
            out += "  Docs:\n"
            for reference in finding.remedy.references { out += "    \(TerminalText.sanitize(reference))\n" }
        }
        return out
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
        let kinds = Set(finding.evidence.map(\.kind))
        if kinds.count > 1 { text += " by \(kinds.count) kinds of evidence" }
        return text
    }

    /// A value as shown: escaped to one line and cut (see `TerminalText`); the whole value is in JSON.
    private func name(_ text: String) -> String { TerminalText.sanitize(text, limit: TerminalText.Limit.name) }
    private func message(_ text: String) -> String { TerminalText.sanitize(text, limit: TerminalText.Limit.message) }

    private func endpoints(_ list: [Finding.Endpoint], total: Int) -> String {
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
        if total > list.count { text += "; \(total - list.count) more" }
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
    func shellWrap(_ command: String, indent: String, width: Int) -> String {
        var out = ""
        var line = indent
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
