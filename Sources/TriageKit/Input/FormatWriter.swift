import CZlib
import Foundation

/// Writes LogEntries in each format triage reads, the way gcloud and Cloud Logging write them:
/// the bench generator and the rule-sample tests use it to feed the same data in every format.
public enum FormatWriter {
    public enum Kind: String, CaseIterable, Sendable {
        case ndjson, jsonArray = "json-array", yaml, gzip
    }

    public static func write(_ entries: [Any], as kind: Kind) -> [UInt8] {
        switch kind {
        case .ndjson: return Array(entries.map { json($0, indent: nil) + "\n" }.joined().utf8)
        case .jsonArray: return Array(jsonArray(entries).utf8)
        case .yaml: return Array(entries.map { "---\n" + yaml($0) }.joined().utf8)
        case .gzip: return gzip(write(entries, as: .ndjson))
        }
    }

    /// gcloud --format=json: an array, 2-space indent, sorted keys.
    public static func jsonArray(_ entries: [Any]) -> String {
        if entries.isEmpty { return "[]\n" }
        return "[\n" + entries.map { "  " + json($0, indent: 1) }.joined(separator: ",\n") + "\n]\n"
    }

    /// Compact (indent nil) or gcloud-pretty JSON with sorted keys.
    public static func json(_ value: Any, indent: Int?) -> String {
        let pad = indent.map { String(repeating: "  ", count: $0 + 1) } ?? ""
        let closePad = indent.map { String(repeating: "  ", count: $0) } ?? ""
        let separator = indent == nil ? "," : ",\n"
        let open = indent == nil ? "" : "\n"
        switch value {
        case let dictionary as [String: Any]:
            if dictionary.isEmpty { return "{}" }
            let body = dictionary.keys.sorted().map { key in
                pad + quote(key) + (indent == nil ? ":" : ": ") + json(dictionary[key]!, indent: indent.map { $0 + 1 })
            }.joined(separator: separator)
            return "{" + open + body + open + closePad + "}"
        case let array as [Any]:
            if array.isEmpty { return "[]" }
            let body = array.map { pad + json($0, indent: indent.map { $0 + 1 }) }.joined(separator: separator)
            return "[" + open + body + open + closePad + "]"
        case let string as String: return quote(string)
        case is NSNull: return "null"
        case let bool as Bool where type(of: value) == Bool.self: return bool ? "true" : "false"
        case let number as Int: return String(number)
        case let number as Double: return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        default: return quote("\(value)")
        }
    }

    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// gcloud's default YAML: sorted keys, sequences at the parent's indentation, timestamps and
    /// numeric-looking strings single-quoted.
    public static func yaml(_ value: Any, indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case let dictionary as [String: Any]:
            var out = ""
            for key in dictionary.keys.sorted() {
                let child = dictionary[key]!
                let name = yamlKey(key)
                if let nested = child as? [String: Any], !nested.isEmpty {
                    out += "\(pad)\(name):\n" + yaml(nested, indent: indent + 2)
                } else if let list = child as? [Any], !list.isEmpty {
                    out += "\(pad)\(name):\n" + yaml(list, indent: indent)
                } else {
                    out += "\(pad)\(name): \(yamlScalar(child))\n"
                }
            }
            return out
        case let array as [Any]:
            var out = ""
            for item in array {
                if let nested = item as? [String: Any], !nested.isEmpty {
                    let body = yaml(nested, indent: indent + 2)
                    out += pad + "- " + body.dropFirst(indent + 2)
                } else {
                    out += "\(pad)- \(yamlScalar(item))\n"
                }
            }
            return out
        default:
            return pad + yamlScalar(value) + "\n"
        }
    }

    static func yamlKey(_ key: String) -> String {
        needsQuotes(key) ? "'" + key.replacingOccurrences(of: "'", with: "''") + "'" : key
    }

    static func yamlScalar(_ value: Any) -> String {
        switch value {
        case let string as String:
            if string.unicodeScalars.contains(where: { $0.value < 0x20 }) { return quote(string) }
            return needsQuotes(string) ? "'" + string.replacingOccurrences(of: "'", with: "''") + "'" : string
        case is NSNull: return "null"
        case let dictionary as [String: Any] where dictionary.isEmpty: return "{}"
        case let array as [Any] where array.isEmpty: return "[]"
        default: return json(value, indent: nil)
        }
    }

    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty { return true }
        if Int(s) != nil || Double(s) != nil { return true }
        if ["true", "false", "null", "yes", "no", "on", "off", "~"].contains(s.lowercased()) { return true }
        if looksLikeDate(s) { return true }
        if let first = s.unicodeScalars.first, "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return true }
        if s.hasPrefix(" ") || s.hasSuffix(" ") || s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return true }
        return false
    }

    /// YYYY-MM-DD at the start: YAML 1.1 would read it as a timestamp, so gcloud quotes it.
    static func looksLikeDate(_ s: String) -> Bool {
        let u = Array(s.utf8.prefix(10))
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D else { return false }
        return [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { u[$0] >= 0x30 && u[$0] <= 0x39 }
    }

    /// One gzip member holding `bytes`.
    public static func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: gzip wrapper.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return []
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                _ = deflate(&stream, Z_FINISH)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}

/// A streaming gzip writer for large generated files.
public final class GzipWriter {
    private var stream = z_stream()
    private let handle: FileHandle
    private var output = [UInt8](repeating: 0, count: 1 << 20)

    public init(handle: FileHandle, level: Int32 = 6) {
        self.handle = handle
        deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    }

    public func write(_ bytes: [UInt8]) { pump(bytes, flush: Z_NO_FLUSH) }
    public func finish() {
        pump([], flush: Z_FINISH)
        deflateEnd(&stream)
    }

    private func pump(_ bytes: [UInt8], flush: Int32) {
        var input = bytes
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced: Int = output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    _ = deflate(&stream, flush)
                    return outBuffer.count - Int(stream.avail_out)
                }
                if produced > 0 { handle.write(Data(output[0..<produced])) }
            } while stream.avail_out == 0 || (flush == Z_FINISH && stream.avail_in > 0)
        }
    }
}
