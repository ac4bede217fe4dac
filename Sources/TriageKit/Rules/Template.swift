import Foundation

/// Text with `{field}` placeholders, split once at load time.
public struct Template: Sendable {
    enum Part: Sendable {
        case text(String)
        case field(String)
    }

    let parts: [Part]
    public let source: String

    public init(_ source: String) {
        self.source = source
        var parts: [Part] = []
        var text = ""
        var index = source.startIndex
        while index < source.endIndex {
            let c = source[index]
            if c == "{", let close = source[index...].firstIndex(of: "}") {
                let name = String(source[source.index(after: index)..<close])
                if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }) {
                    if !text.isEmpty { parts.append(.text(text)) }
                    text = ""
                    parts.append(.field(name))
                    index = source.index(after: close)
                    continue
                }
            }
            text.append(c)
            index = source.index(after: index)
        }
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    public var fields: [String] {
        parts.compactMap { if case .field(let name) = $0 { return name } else { return nil } }
    }

    /// How a filled value is written: as it is (prose), as one shell word (commands), or as
    /// one YAML scalar (Config Connector manifests).
    public enum Quoting: Sendable {
        case none, shell, yaml
    }

    /// Fills the placeholders; an unknown value becomes `<FIELD_NAME>` so the gap is visible.
    /// `forShell` quotes values that are not plain words, since log text reaches these commands.
    public func render(_ lookup: (String) -> String?, forShell: Bool = false) -> String {
        render(lookup, quoting: forShell ? .shell : .none)
    }

    public func render(_ lookup: (String) -> String?, quoting: Quoting) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .text(let text): result += text
            case .field(let name):
                if let value = lookup(name), !value.isEmpty {
                    switch quoting {
                    case .none: result += value
                    case .shell: result += Self.shellWord(value)
                    case .yaml: result += Self.yamlScalar(value)
                    }
                } else {
                    result += "<" + name.uppercased().replacingOccurrences(of: ".", with: "_") + ">"
                }
            }
        }
        return result
    }

    /// Plain when YAML would read the value back as the same scalar, else double-quoted. A
    /// comma-separated list of plain items stays plain (`a, b`), so a template writes a list of
    /// ranges as `[{pod_cidrs}]`; numbers stay numbers (`priority: {fix.priority}`).
    static func yamlScalar(_ value: String) -> String {
        func plain(_ item: Substring) -> Bool {
            guard let first = item.first, first.isASCII, first.isLetter || first.isNumber else { return false }
            let words = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
            return item.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._/-".unicodeScalars.contains($0)
            } && !words.contains(item.lowercased())
        }
        let items = value.split(separator: ",", omittingEmptySubsequences: false)
        if items.allSatisfy(plain) { return items.joined(separator: ", ") }
        var escaped = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    escaped += String(format: "\\x%02X", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped + "\""
    }

    static func shellWord(_ value: String) -> String {
        let safe = value.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._:/,@=+-%".unicodeScalars.contains($0)
        }
        if safe { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
