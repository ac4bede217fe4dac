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
            out += analysis.account.firewallRecords == 0
                ? " (no firewall log records were read).\n"
                : " in \(analysis.account.firewallRecords) firewall log records.\n"
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
            let connections = "\(finding.count) connection\(finding.count == 1 ? "" : "s") denied, \(finding.confidence)"
            out += "\(label) \(paint(clean(finding.rule), "1")) (\(connections))\n"
            out += wrap(clean(finding.message), indent: "  ", width: width)
            out += field("Should be", clean(finding.title), width)
            if !finding.deniedBy.isEmpty {
                let rules = finding.deniedBy.map { rule in
                    "\(rule.name)" + (rule.priority.map { " (priority \($0))" } ?? "")
                }.joined(separator: ", ")
                out += field("Denied by", clean(rules), width)
            }
            if let first = finding.firstSeen {
                let last = finding.lastSeen ?? first
                out += field("Seen", first == last ? first : "\(first) to \(last)", width)
            }
            out += field("From", endpoints(finding.sources, total: finding.distinctSources), width)
            out += field("To", endpoints(finding.destinations, total: finding.distinctDestinations), width)
            if !finding.examples.isEmpty {
                out += "  Examples:\n"
                for example in finding.examples {
                    var line = "\(example.source) -> \(example.destination) \(example.protocolName)"
                    if let vm = example.vmName { line += " on \(vm)" }
                    if let place = example.remoteLocation, !place.isEmpty { line += " [\(place)]" }
                    if let location = example.location { line += " (\(location))" }
                    out += wrap(clean(line), indent: "    ", width: width)
                }
            }
            out += "  Why:\n" + wrap(clean(finding.remedy.why), indent: "    ", width: width)
            for note in finding.remedy.notes {
                out += wrap("Note: " + clean(note), indent: "    ", width: width)
            }
            out += "  Fix:\n"
            for command in finding.remedy.commands {
                out += shellWrap(clean(command), indent: "    ", width: width)
            }
            out += "  Docs:\n"
            for reference in finding.remedy.references { out += "    \(clean(reference))\n" }
        }
        return out
    }

    private func clean(_ text: String) -> String { TerminalText.sanitize(text, keepNewlines: true) }

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
            let ips = group.ips.prefix(4).joined(separator: ", ") + (group.ips.count > 4 ? ", …" : "")
            return "\(ips) (\(group.key))"
        }.joined(separator: "; ")
        if total > list.count { text += "; \(total - list.count) more" }
        return clean(text)
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
