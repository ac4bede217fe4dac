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

    /// Fills the placeholders; an unknown value becomes `<FIELD_NAME>` so the gap is visible.
    /// `forShell` quotes values that are not plain words, since log text reaches these commands.
    public func render(_ lookup: (String) -> String?, forShell: Bool = false) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .text(let text): result += text
            case .field(let name):
                if let value = lookup(name), !value.isEmpty {
                    result += forShell ? Self.shellWord(value) : value
                } else {
                    result += "<" + name.uppercased().replacingOccurrences(of: ".", with: "_") + ">"
                }
            }
        }
        return result
    }

    static func shellWord(_ value: String) -> String {
        let safe = value.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._:/,@=+-%".unicodeScalars.contains($0)
        }
        if safe { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
