/// How deep a JSON document nests, measured on its bytes before it is decoded: decoders
/// recurse per level, so a document of a million `[` would otherwise cost a million frames.
enum JSONNesting {
    /// The 1-based line (within the document) where it first nests deeper than `limit`, or nil.
    static func lineTooDeep(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = YAMLDocument.maximumDepth) -> Int? {
        var depth = 0
        var line = 1
        var inString = false
        var escaped = false
        for byte in bytes {
            if byte == 0x0A { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == 0x5C {
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B:
                depth += 1
                if depth > limit { return line }
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        return nil
    }
}
