import Foundation

/// Masks credentials in whatever triage prints or keeps from a server. A server (or a proxy) may
/// repeat what it was sent: the `Authorization` header in an error body, the posted form of a
/// token request. So every secret the process holds or sends is registered when it is read or
/// minted, and masked wherever it shows: as it is, URL-encoded, JSON- or `\x`-escaped (each
/// character in any of these spellings), and cut short (from its first 12 characters on).
/// Anything shaped like a credential is masked too, registered or not: `Bearer …` (eight
/// characters or more, not a plain word), `ya29.…` and JWTs (`eyJ….eyJ….…`).
public final class Redactor: @unchecked Sendable {
    /// The process's secrets: what `Credentials` registers and the console masks.
    public static let shared = Redactor()
    public static let mask = "[REDACTED]"
    /// Shorter values are not registered: masking them everywhere would garble ordinary text.
    static let minimumLength = 8
    /// A secret cut short still counts from this many leading characters.
    static let prefixLength = 12

    private let lock = NSLock()
    private var secrets: [[UInt8]] = []
    /// The bytes a registered secret can start with, in any spelling.
    private var starts = [Bool](repeating: false, count: 256)

    public init() {}

    public func register(_ secret: String) {
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.minimumLength else { return }
        lock.withLock {
            guard !secrets.contains(bytes) else { return }
            secrets.append(bytes)
            starts[Int(bytes[0])] = true
        }
    }

    /// A PEM private key: the whole text and each line of key material.
    func registerPrivateKey(_ pem: String) {
        register(pem)
        for line in pem.split(whereSeparator: \.isNewline) where !line.hasPrefix("-----") {
            register(line.trimmingCharacters(in: .whitespaces))
        }
    }

    public func redact(_ text: String) -> String {
        let (secrets, starts) = lock.withLock { (self.secrets, self.starts) }
        var result: [UInt8] = []
        var changed = false
        var copiedUpTo = 0
        let done: Bool = text.utf8.withContiguousStorageIfAvailable { bytes in
            var i = 0
            while i < bytes.count {
                let byte = bytes[i]
                var span = 0
                var keep = 0
                if starts[Int(byte)] || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "%") {
                    span = Self.longestSecret(in: bytes, at: i, secrets)
                }
                if span == 0 { (keep, span) = Self.credentialShape(in: bytes, at: i) }
                if span > 0 {
                    if !changed { result.reserveCapacity(bytes.count) }
                    changed = true
                    result.append(contentsOf: bytes[copiedUpTo..<(i + keep)])
                    result.append(contentsOf: Self.mask.utf8)
                    i += span
                    copiedUpTo = i
                } else {
                    i += 1
                }
            }
            if changed { result.append(contentsOf: bytes[copiedUpTo..<bytes.count]) }
            return true
        } ?? false
        guard done else {
            var copy = text
            copy.makeContiguousUTF8()
            return redact(copy)
        }
        return changed ? String(decoding: result, as: UTF8.self) : text
    }

    /// The error with every server-supplied part redacted.
    public func redact(_ error: TriageError) -> TriageError {
        switch error {
        case .noData(let source, let reason, let hint): return .noData(source: redact(source), reason: redact(reason), hint: hint.map(redact))
        case .noCredentials(let reason, let hint): return .noCredentials(reason: redact(reason), hint: redact(hint))
        case .readFailed(let input, let reason): return .readFailed(input: redact(input), reason: redact(reason))
        case .unknownFormat(let input, let first): return .unknownFormat(input: redact(input), firstBytes: redact(first))
        case .corruptGzip(let input, let reason): return .corruptGzip(input: redact(input), reason: redact(reason))
        case .badCluster(let input, let reason): return .badCluster(input: redact(input), reason: redact(reason))
        case .cannotOpen(let path, let reason): return .cannotOpen(path: redact(path), reason: redact(reason))
        default: return error
        }
    }

    // MARK: matching

    /// How many bytes from `start` spell a registered secret (whole, or at least its first
    /// `prefixLength` characters), the longest such; 0 for none.
    private static func longestSecret(in bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ secrets: [[UInt8]]) -> Int {
        var best = 0
        for secret in secrets {
            var matched = 0
            var i = start
            var lastFull = start
            decoding: while matched < secret.count, i < bytes.count {
                let (decoded, length) = unit(in: bytes, at: i)
                for byte in decoded {
                    guard matched < secret.count, secret[matched] == byte else { break decoding }
                    matched += 1
                }
                i += length
                lastFull = i
            }
            if matched >= min(prefixLength, secret.count), lastFull - start > best { best = lastFull - start }
        }
        return best
    }

    /// One character as the text spells it, decoded: `\uXXXX`, `\/` and the other JSON escapes,
    /// `\xHH` (how triage shows control bytes), `%HH`, or the byte itself; and its length.
    private static func unit(in bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (decoded: [UInt8], length: Int) {
        let byte = bytes[i]
        if byte == UInt8(ascii: "%"), let value = hex(bytes, i + 1, 2) { return ([UInt8(value)], 3) }
        guard byte == UInt8(ascii: "\\"), i + 1 < bytes.count else { return ([byte], 1) }
        switch bytes[i + 1] {
        case UInt8(ascii: "u"):
            if let value = hex(bytes, i + 2, 4), let scalar = Unicode.Scalar(value) { return (Array(String(Character(scalar)).utf8), 6) }
        case UInt8(ascii: "x"):
            if let value = hex(bytes, i + 2, 2) { return ([UInt8(value)], 4) }
        case UInt8(ascii: "n"): return ([0x0A], 2)
        case UInt8(ascii: "r"): return ([0x0D], 2)
        case UInt8(ascii: "t"): return ([0x09], 2)
        case UInt8(ascii: "b"): return ([0x08], 2)
        case UInt8(ascii: "f"): return ([0x0C], 2)
        case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): return ([bytes[i + 1]], 2)
        default: break
        }
        return ([byte], 1)
    }

    private static func hex(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> UInt32? {
        guard from + count <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[from..<(from + count)] {
            guard let digit = hexDigit(byte) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// A credential recognised by its shape at `start`: (bytes kept before the mask, bytes
    /// replaced), or (0, 0). `Bearer <token>` keeps the word; `ya29.…` and a JWT go whole.
    private static func credentialShape(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (keep: Int, span: Int) {
        let byte = bytes[start]
        guard byte == UInt8(ascii: "B") || byte == UInt8(ascii: "b") || byte == UInt8(ascii: "y") || byte == UInt8(ascii: "e") else { return (0, 0) }
        // Only at the start of a word: "ya29." inside a longer word is not a token.
        if start > 0, isWordByte(bytes[start - 1]) { return (0, 0) }
        if matches(bytes, start, "bearer", caseInsensitive: true) {
            var i = start + 6
            var spaces = 0
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1; spaces += 1 }
            guard spaces > 0 else { return (0, 0) }
            // A token is long and not a plain word: "the bearer of bad news" is prose.
            let end = run(bytes, from: i, tokenByte)
            let word = bytes[i..<end].allSatisfy { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }
            return end - i >= 8 && !word ? (i - start, end - start) : (0, 0)
        }
        if matches(bytes, start, "ya29.", caseInsensitive: false) {
            return (0, run(bytes, from: start + 5, tokenByte) - start)
        }
        if matches(bytes, start, "eyJ", caseInsensitive: false) {
            // header . claims . signature, each base64url; the first two are JSON objects.
            let header = run(bytes, from: start, base64URLByte)
            guard header < bytes.count, bytes[header] == UInt8(ascii: "."), matches(bytes, header + 1, "eyJ", caseInsensitive: false) else { return (0, 0) }
            let claims = run(bytes, from: header + 1, base64URLByte)
            guard claims < bytes.count, bytes[claims] == UInt8(ascii: ".") else { return (0, 0) }
            return (0, run(bytes, from: claims + 1, base64URLByte) - start)
        }
        return (0, 0)
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int, _ word: StaticString, caseInsensitive: Bool) -> Bool {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        let pointer = word.utf8Start
        for k in 0..<count {
            var byte = bytes[at + k]
            if caseInsensitive, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
            if byte != pointer[k] { return false }
        }
        return true
    }

    private static func run(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, _ accept: (UInt8) -> Bool) -> Int {
        var i = from
        while i < bytes.count, accept(bytes[i]) { i += 1 }
        return i
    }

    private static func isWordByte(_ byte: UInt8) -> Bool { base64URLByte(byte) && byte != UInt8(ascii: "-") }

    private static func base64URLByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// The characters of an OAuth bearer token (RFC 6750's b64token).
    private static func tokenByte(_ byte: UInt8) -> Bool {
        base64URLByte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }
}
