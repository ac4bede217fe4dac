/// The prefix a CI harness or a tool's debug log puts before every line it relays, taken off so
/// the line underneath is read as what it is: a line of gcloud's Operation repr, of a JSON body,
/// of `kubectl describe`. Messages are found anywhere in a line, but structure is read from a
/// line's start, so a prefixed operation was one unexplained error line (issue 11's field round:
/// kubernetes#69663's kubetest log, terraform#15601's TF_LOG=DEBUG paste).
///
/// Only shapes no evidence line itself has are taken off: a klog header (`E1107 09:45:44.065123
/// 12345 file.go:12] `) names the component and stays; kubetest's has no pid or file.
enum LinePrefix {
    /// `line` without its harness prefixes (several may nest: terraform's plugin prefix, then the
    /// provider's own Go log prefix), or `line` itself when it has none.
    static func stripped(_ line: String) -> String {
        // Most lines start with none of the bytes a prefix starts with: they cost one byte's look.
        guard let first = line.utf8.first, first == 0x53 || first == 0x5B || (first >= 0x30 && first <= 0x39) || "IWEF".utf8.contains(first)
        else { return line }
        let bytes = Array(line.utf8.prefix(160))
        var start = 0
        var strippedTerraform = false
        while let length = prefixLength(bytes, at: start, afterTerraform: strippedTerraform) {
            if length.terraform { strippedTerraform = true }
            start += length.count
        }
        guard start > 0 else { return line }
        return String(line.utf8.dropFirst(start)) ?? line
    }

    private static func prefixLength(_ b: [UInt8], at i: Int, afterTerraform: Bool) -> (count: Int, terraform: Bool)? {
        // kubetest (kubernetes e2e): `W1107 09:45:44.065] `.
        if matches(b, at: i, shape: "Xdddd dd:dd:dd.ddd] "), "IWEF".utf8.contains(b[i]) { return (20, false) }
        // GitHub Actions' raw log: `2023-02-01T03:12:34.5742284Z ` (seven digits of fraction).
        if matches(b, at: i, shape: "dddd-dd-ddTdd:dd:dd.dddddddZ ") { return (29, false) }
        // Cloud Build: `Step #2: `, `Step #2 - "deploy": `.
        if let count = cloudBuildStep(b, at: i) { return (count, false) }
        // Jenkins' timestamper: `11:01:36 `, `12:54:03  ` (two spaces, tgke#939), with milliseconds or not.
        if i == 0, matches(b, at: i, shape: "dd:dd:dd") {
            var j = 8
            if matches(b, at: j, shape: ".ddd") { j += 4 }
            let spaces = b[j...].prefix { $0 == 0x20 }.count
            // One or two spaces, then the line: a column of times (a table's) has more.
            if (1...2).contains(spaces), j + spaces < b.count { return (j + spaces, false) }
        }
        // Buildkite's and Jenkins' bracketed time: `[2021-07-01T17:54:30Z] `, `[2020-01-23T00:50:00.464Z] `.
        if b[i] == 0x5B, let time = timestamp(b, at: i + 1, terminator: 0x5D), matches(b, at: i + 1 + time, literal: " ") {
            return (time + 2, false)
        }
        // terraform's TF_LOG: `[TIME ][LEVEL] plugin: terraform: `, `… plugin.terraform-provider-google_v2.10.0_x4: `,
        // `… provider.terraform-provider-google_v4.1.0_x5: `; after one of those, the provider's own
        // `2019/08/21 11:10:44 [DEBUG] `. Only below warnings: a WARN or ERROR level is the line's own word.
        var j = i
        if let time = timestamp(b, at: j) { j += time }
        guard let level = debugLevel(b, at: j) else { return nil }
        j += level
        if afterTerraform, j > i + level { return (j - i, false) }
        for marker in ["plugin: terraform: ", "plugin.", "provider."] where matches(b, at: j, literal: marker) {
            j += marker.utf8.count
            if marker.hasSuffix(".") {
                // The plugin's name runs to its colon: `terraform-provider-google_v2.10.0_x4: `.
                while j < b.count, b[j] != 0x3A, b[j] != 0x20 { j += 1 }
                guard matches(b, at: j, literal: ": ") else { return nil }
                j += 2
            }
            return (j - i, true)
        }
        return nil
    }

    /// `2017/07/20 12:03:11 ` or `2019-08-21T11:10:44.905Z ` (RFC 3339 with any fraction and offset),
    /// its length with the `terminator` after it.
    private static func timestamp(_ b: [UInt8], at i: Int, terminator: UInt8 = 0x20) -> Int? {
        if terminator == 0x20, matches(b, at: i, shape: "dddd/dd/dd dd:dd:dd ") { return 20 }
        guard matches(b, at: i, shape: "dddd-dd-ddTdd:dd:dd") else { return nil }
        var j = i + 19
        if j < b.count, b[j] == 0x2E {
            j += 1
            while j < b.count, isDigit(b[j]) { j += 1 }
        }
        if j < b.count, b[j] == 0x5A {
            j += 1
        } else if j < b.count, b[j] == 0x2B || b[j] == 0x2D {
            j += 1
            while j < b.count, isDigit(b[j]) || b[j] == 0x3A { j += 1 }
        }
        guard j < b.count, b[j] == terminator else { return nil }
        return j + 1 - i
    }

    private static func debugLevel(_ b: [UInt8], at i: Int) -> Int? {
        for level in ["[TRACE] ", "[DEBUG] ", "[INFO] "] where matches(b, at: i, literal: level) { return level.utf8.count }
        return nil
    }

    private static func cloudBuildStep(_ b: [UInt8], at i: Int) -> Int? {
        guard matches(b, at: i, literal: "Step #") else { return nil }
        var j = i + 6
        let digits = j
        while j < b.count, isDigit(b[j]) { j += 1 }
        guard j > digits else { return nil }
        if matches(b, at: j, literal: ": ") { return j + 2 - i }
        guard matches(b, at: j, literal: " - \"") else { return nil }
        j += 4
        while j < b.count, b[j] != 0x22 { j += 1 }
        guard matches(b, at: j, literal: "\": ") else { return nil }
        return j + 3 - i
    }

    /// `shape`'s `d` is any digit and `X` any byte; every other byte is itself.
    private static func matches(_ b: [UInt8], at i: Int, shape: String) -> Bool {
        let pattern = Array(shape.utf8)
        guard i + pattern.count <= b.count else { return false }
        for (offset, expected) in pattern.enumerated() {
            let actual = b[i + offset]
            switch expected {
            case 0x64: if !isDigit(actual) { return false }
            case 0x58: continue
            default: if actual != expected { return false }
            }
        }
        return true
    }

    private static func matches(_ b: [UInt8], at i: Int, literal: String) -> Bool {
        let pattern = literal.utf8
        guard i + pattern.count <= b.count else { return false }
        return zip(b[i...], pattern).allSatisfy { $0 == $1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
