/// Config Connector manifests in the text report are YAML, whose indentation is meaning, so
/// they are never re-flowed like prose. A `key: value` line too wide for the terminal has its
/// value moved onto the next line, indented under the key: the same YAML (a plain, quoted or
/// flow value may start on the line after its key when indented more than it); a flow sequence
/// of plain words is also broken between its items, and a quoted value between its words. What is still too wide is then the value
/// alone, a word that cannot be broken.
enum YAMLLines {
    static func fit(_ line: String, width: Int) -> String {
        guard line.count > width else { return line + "\n" }
        let indent = line.prefix { $0 == " " }
        var rest = line.dropFirst(indent.count)
        let dash = rest.hasPrefix("- ") ? "- " : ""
        rest = rest.dropFirst(dash.count)
        guard let colon = rest.range(of: ": "), !rest[..<colon.lowerBound].isEmpty,
            rest[..<colon.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "_-./".contains($0) })
        else { return line + "\n" }
        let key = rest[..<colon.lowerBound]
        let value = rest[colon.upperBound...].drop { $0 == " " }
        // A block scalar's header, an anchor, alias, tag or comment stays where it is.
        guard let first = value.first, !"|>&*!#".contains(first) else { return line + "\n" }
        let under = String(repeating: " ", count: indent.count + dash.count + 2)
        var out = "\(indent)\(dash)\(key):\n"
        // A flow sequence of plain words may continue on the next lines, and so may a quoted
        // value (one line break reads as one space), indented under the key.
        let flowList = value.hasPrefix("[") && value.hasSuffix("]") && !value.contains(where: { "\"'#{}".contains($0) })
        let quoted = value.count > 1 && (value.first == "\"" || value.first == "'") && value.last == value.first
            && !value.contains("\\") && !value.contains("  ")
        if under.count + value.count > width, flowList || quoted {
            var line = under
            for word in value.split(separator: " ") {
                if line.count > under.count && line.count + 1 + word.count > width {
                    out += line + "\n"
                    line = under
                }
                line += (line.count > under.count ? " " : "") + word
            }
            return out + line + "\n"
        }
        return out + "\(under)\(value)\n"
    }
}
