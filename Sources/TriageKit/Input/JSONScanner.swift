import Foundation

/// Why a scan stopped before the end of a record.
public enum ScanError: Error, Sendable {
    /// The bytes ran out before the record closed; the caller refills and scans again.
    case incomplete
    case malformed(offset: Int, reason: String)
}

/// A byte-level JSON scanner that walks one object, descends only into the keys of a
/// `FieldSchema`, records where their values sit, and skips everything else without decoding it.
/// Foundation's decoders build every value; on firewall logs that costs 10x the time.
struct JSONScanner {
    let schema: FieldSchema
    var base: UnsafePointer<UInt8>
    var end: Int
    /// The keys the previous records had, tried before a lookup.
    let shape: KeyShapeMemory
    /// False for NDJSON: a record may not run over a line break, so the reader can scan a line
    /// before it has found where the line ends.
    var newlineIsWhitespace = true

    init(schema: FieldSchema) {
        self.schema = schema
        self.shape = KeyShapeMemory(nodeCount: schema.nodes.count)
        self.base = UnsafePointer(bitPattern: 1)!
        self.end = 0
    }

    /// Scans the object starting at `start` (which must be `{`) and returns the offset after it.
    mutating func scanRecord(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, into fields: inout RecordFields
    ) throws(ScanError) -> Int {
        self.base = base
        self.end = end
        fields.reset(base: base)
        var i = start
        try scanObject(&i, node: 0, fields: fields)
        fields.recordOffset = start
        fields.recordCount = i - start
        return i
    }

    @inline(__always)
    func byte(_ i: Int) throws(ScanError) -> UInt8 {
        guard i < end else { throw .incomplete }
        return base[i]
    }

    @inline(__always)
    func skipWhitespace(_ i: inout Int) {
        while i < end {
            let b = base[i]
            if b > 0x20 { return }
            if b == 0x20 || b == 0x0D || b == 0x09 || (b == 0x0A && newlineIsWhitespace) { i += 1 } else { return }
        }
    }

    private func scanObject(_ i: inout Int, node: Int, fields: RecordFields) throws(ScanError) {
        i += 1  // the '{'
        skipWhitespace(&i)
        if try byte(i) == 0x7D { i += 1; return }
        var position = 0
        while true {
            guard try byte(i) == 0x22 else { throw .malformed(offset: i, reason: "expected a quoted key") }
            let keyStart = i + 1
            var child = -1
            let predicted = shape.match(node: node, position: position, key: base + keyStart, available: end - keyStart, child: &child)
            if predicted >= 0 {
                i = keyStart + predicted + 1
            } else {
                let escaped = try scanString(&i)
                if !escaped {
                    let keyCount = i - 1 - keyStart
                    child = schema.child(of: node, key: base + keyStart, count: keyCount)
                    shape.remember(node: node, position: position, key: base + keyStart, count: keyCount, child: child)
                }
            }
            position += 1
            skipWhitespace(&i)
            guard try byte(i) == 0x3A else { throw .malformed(offset: i, reason: "expected ':' after a key") }
            i += 1
            skipWhitespace(&i)
            if child >= 0 {
                let childNode = schema.nodes[child]
                let valueStart = i
                if childNode.hasChildren, try byte(i) == 0x7B {
                    try scanObject(&i, node: child, fields: fields)
                    if let field = childNode.field {
                        fields.set(field, offset: valueStart, count: i - valueStart, flags: .rawJSON)
                    }
                } else if let field = childNode.field {
                    try scanLeaf(&i, field: field, fields: fields)
                } else {
                    try skipValue(&i)
                }
            } else {
                try skipValue(&i)
            }
            skipWhitespace(&i)
            let b = try byte(i)
            if b == 0x2C {
                i += 1
                skipWhitespace(&i)
            } else if b == 0x7D {
                i += 1
                return
            } else {
                throw .malformed(offset: i, reason: "expected ',' or '}' in an object")
            }
        }
    }

    @inline(__always)
    private func scanLeaf(_ i: inout Int, field: Field, fields: RecordFields) throws(ScanError) {
        let start = i
        switch try byte(i) {
        case 0x22:
            let escaped = try scanString(&i)
            fields.set(field, offset: start + 1, count: i - start - 2, flags: escaped ? [.string, .escaped] : .string)
        case 0x7B, 0x5B:
            try skipValue(&i)
            fields.set(field, offset: start, count: i - start, flags: .rawJSON)
        default:
            try skipValue(&i)
            fields.set(field, offset: start, count: i - start, flags: [])
        }
    }

    /// Moves `i` past the string that starts at `i` (on its opening quote); returns whether it
    /// held escapes. Looks at eight bytes at a time and jumps straight to the first quote,
    /// backslash or control byte among them.
    @inline(__always)
    func scanString(_ i: inout Int) throws(ScanError) -> Bool {
        var j = i + 1
        var escaped = false
        while true {
            if j + 8 <= end {
                let special = Self.specialBytes(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
                if special == 0 {
                    j += 8
                    continue
                }
                j += special.trailingZeroBitCount >> 3
            }
            guard j < end else { throw .incomplete }
            let b = base[j]
            if b == 0x22 {
                i = j + 1
                return escaped
            } else if b == 0x5C {
                escaped = true
                j += 2
            } else if b < 0x20 {
                throw .malformed(offset: j, reason: "control character inside a string")
            } else {
                j += 1
            }
        }
    }

    /// The high bit of each byte of `word` that is '"', '\\' or below 0x20 (bytes above the
    /// first such byte may be marked falsely; the lowest mark is always exact).
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        let hasControl = (word &- ones &* 0x20) & ~word & highs
        return hasQuote | hasBackslash | hasControl
    }

    /// The high bit of each byte of `word` that is '"', '[', ']', '{' or '}' (the lowest mark is
    /// exact, as in `specialBytes`).
    @inline(__always)
    static func structuralBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        // Setting bit 5 turns '[' into '{' and ']' into '}', and no other byte into either.
        let folded = word | (ones &* 0x20)
        return zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(folded ^ (ones &* 0x7B)) | zeroBytes(folded ^ (ones &* 0x7D))
    }

    /// Moves `i` past one JSON value of any kind without decoding it.
    func skipValue(_ i: inout Int) throws(ScanError) {
        let b = try byte(i)
        if b == 0x22 {
            _ = try scanString(&i)
            return
        }
        if b == 0x7B || b == 0x5B {
            var depth = 0
            while true {
                // Only quotes and brackets matter inside a skipped value: jump to the next one.
                if i + 8 <= end {
                    let structural = Self.structuralBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                    if structural == 0 {
                        i += 8
                        continue
                    }
                    i += structural.trailingZeroBitCount >> 3
                }
                let c = try byte(i)
                switch c {
                case 0x22:
                    _ = try scanString(&i)
                    continue
                case 0x7B, 0x5B:
                    depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return
                    }
                default:
                    break
                }
                i += 1
            }
        }
        // A number or a literal: runs to the next delimiter.
        let start = i
        while true {
            let c = try byte(i)
            if c == 0x2C || c == 0x7D || c == 0x5D || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { break }
            guard (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45
                || (c >= 0x61 && c <= 0x7A)
            else { throw .malformed(offset: i, reason: "unexpected character '\(Character(Unicode.Scalar(c)))'") }
            i += 1
        }
        if i == start { throw .malformed(offset: i, reason: "expected a value") }
        let first = base[start]
        if first >= 0x61 && first <= 0x7A {
            let word = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
            guard word == "true" || word == "false" || word == "null" else {
                throw .malformed(offset: start, reason: "unknown literal '\(word.prefix(20))'")
            }
        }
    }
}

/// Decodes the bytes between a JSON string's quotes.
enum JSONStringDecoder {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var quoted = [UInt8]()
        quoted.reserveCapacity(bytes.count + 2)
        quoted.append(0x22)
        quoted.append(contentsOf: bytes)
        quoted.append(0x22)
        if let value = try? JSONSerialization.jsonObject(with: Data(quoted), options: [.fragmentsAllowed]) as? String {
            return value
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
