/// Values written into Terraform (HCL native syntax). A quoted HCL string is a template: `${…}`
/// and `%{…}` inside it would run as expressions and directives, so a value from evidence keeps
/// them literal (`$${`, `%%{`), and every character that could end the string, break the line or
/// hide text on a terminal is an escape (HCL's `\n`, `\r`, `\t`, `\"`, `\\`, `\uNNNN`).
/// https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md (Template Literals, escapes).
extension Quote {
    /// The value as one HCL quoted string literal that reads back as exactly the value.
    public static func hclString(_ value: String) -> String {
        "\"" + hclStringContent(value) + "\""
    }

    /// The inside of an HCL quoted string (the caller writes the quotes and any `${var.x}`).
    public static func hclStringContent(_ value: String) -> String {
        var out = ""
        let scalars = Array(withoutNUL(value).unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // `$${` and `%%{` are HCL's literal `${` and `%{`.
            case "$" where next == "{": out += "$$"
            case "%" where next == "{": out += "%%"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || hclEscaped.contains(scalar.value) {
                    out += "\\u" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Line and paragraph separators, the byte-order mark and the bidirectional controls: legal
    /// in a string, but they break or reorder what a reviewer sees.
    static let hclEscaped: Set<UInt32> = [
        0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF,
    ]
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
