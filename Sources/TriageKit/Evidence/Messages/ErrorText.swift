import Foundation

/// The pieces Go's net/http and Kubernetes error strings are built from, read by hand rather than
/// with regular expressions: a paste can be a whole log, and most lines match nothing.
/// `dial tcp 10.4.1.5:8443: i/o timeout`, `Post "https://svc.ns.svc:443/path?timeout=10s": …`,
/// `dial tcp: lookup gcr.io on 169.254.169.254:53: no such host`.
enum ErrorText {
    struct Dial: Equatable {
        var ip: String?
        var port: String?
        /// The name being resolved when the dial failed in DNS.
        var lookup: String?
    }

    struct URLParts: Equatable {
        var host: String
        var port: String?
        var path: String
    }

    /// The first `dial tcp IP:PORT` (or the `lookup HOST` of a failed resolution).
    static func dial(in text: String) -> Dial? {
        guard let rest = afterDial(in: text) else { return nil }
        if rest.hasPrefix(": lookup ") {
            let name = rest.dropFirst(": lookup ".count).prefix { $0 != " " && $0 != ":" }
            return Dial(ip: nil, port: nil, lookup: name.isEmpty ? nil : String(name))
        }
        return dialedAddress(rest).flatMap(endpoint).map { Dial(ip: $0.0, port: $0.1, lookup: nil) }
    }

    /// The port of the address dialled even when the reporter masked the address (`dial tcp
    /// 10.33.xxx.2:443:`), which `dial` does not read.
    static func dialedPort(in text: String) -> String? {
        guard let address = afterDial(in: text).flatMap(dialedAddress), let colon = address.lastIndex(of: ":") else { return nil }
        return validPort(String(address[address.index(after: colon)...]))
    }

    /// The text after `dial tcp` (or `tcp4`, `tcp6`).
    private static func afterDial(in text: String) -> Substring? {
        guard text.includes("dial tcp"), let marker = text.range(of: "dial tcp") else { return nil }
        let rest = text[marker.upperBound...]
        return rest.hasPrefix("4") || rest.hasPrefix("6") ? rest.dropFirst() : rest
    }

    /// `10.0.0.1:443` from ` 10.0.0.1:443: i/o timeout`, as it is written (not checked).
    private static func dialedAddress(_ rest: Substring) -> String? {
        guard rest.hasPrefix(" ") else { return nil }
        let token = rest.dropFirst().prefix { !$0.isWhitespace && $0 != "\"" && $0 != "," }
        return String(token.hasSuffix(":") ? token.dropLast() : token)
    }

    /// `10.0.0.1:443` or `[fd00::1]:443` → (address, port); a bare address gives no port.
    static func endpoint(_ token: String) -> (String, String?)? {
        if token.hasPrefix("[") {
            guard let close = token.firstIndex(of: "]") else { return nil }
            let address = String(token[token.index(after: token.startIndex)..<close])
            let after = token[token.index(after: close)...]
            let port = after.hasPrefix(":") ? String(after.dropFirst()) : nil
            return IPAddress(address) == nil ? nil : (address, port.flatMap(validPort))
        }
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard let first = parts.first, IPAddress(String(first)) != nil else { return nil }
        return (String(first), parts.count == 2 ? validPort(String(parts[1])) : nil)
    }

    static func validPort(_ text: String) -> String? {
        guard let value = Int(text), value > 0, value < 65536 else { return nil }
        return String(value)
    }

    /// The first URL with the given scheme prefix: host, port when written, path without the query.
    static func url(in text: String, after start: String.Index? = nil) -> URLParts? {
        let searchStart = start ?? text.startIndex
        guard text.includes("http") else { return nil }
        guard let scheme = text.range(of: "https://", range: searchStart..<text.endIndex)
            ?? text.range(of: "http://", range: searchStart..<text.endIndex)
        else { return nil }
        func inURL(_ c: Character) -> Bool { !c.isWhitespace && c != "\"" && c != "'" && c != "<" && c != ">" }
        let after = text[scheme.upperBound...]
        var body = after.prefix(while: inURL)
        // A host the reporter redacted (`https://<IPADDR>:443/apis/…`): the placeholder is the host.
        if body.isEmpty, after.hasPrefix("<"), let close = after.firstIndex(of: ">") {
            body = Substring(String(after[...close]) + after[after.index(after: close)...].prefix(while: inURL))
        }
        let authority = body.prefix { $0 != "/" && $0 != "?" }
        var path = body.dropFirst(authority.count).prefix { $0 != "?" }
        while path.hasSuffix(":") || path.hasSuffix(",") || path.hasSuffix(".") { path = path.dropLast() }
        var hostPort = authority
        while hostPort.hasSuffix(":") || hostPort.hasSuffix(",") { hostPort = hostPort.dropLast() }
        var host = String(hostPort)
        var port: String?
        if hostPort.contains("]") && hostPort.first != "[" {
            return nil  // `]` outside an IPv6 literal: no host (fuzz-text: `https://]x:443/` trapped here)
        } else if hostPort.first == "[", let bracket = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<bracket])
            let after = hostPort[hostPort.index(after: bracket)...]
            if after.hasPrefix(":") { port = validPort(String(after.dropFirst())) }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            port = validPort(String(hostPort[hostPort.index(after: colon)...]))
        }
        guard !host.isEmpty else { return nil }
        return URLParts(host: host.lowercased(), port: port, path: String(path))
    }

    /// The text between the double quotes that follow `marker` (`failed calling webhook "NAME"`).
    static func quoted(after marker: String, in text: String) -> String? {
        guard text.includes(marker), let found = text.range(of: marker) else { return nil }
        var rest = text[found.upperBound...].drop { $0 == " " }
        // The quotes as a JSON string or a Go %q of the message escaped them (`\"name\"`): a log
        // line or a server response dump pasted as it was.
        let escaped = rest.hasPrefix("\\\"")
        if escaped { rest = rest.dropFirst() }
        guard rest.first == "\"" else { return nil }
        rest = rest.dropFirst()
        guard var close = rest.firstIndex(of: "\"") else { return nil }
        if escaped {
            guard close > rest.startIndex, rest[rest.index(before: close)] == "\\" else { return nil }
            close = rest.index(before: close)
        }
        let value = rest[..<close]
        return value.isEmpty ? nil : String(value)
    }

    /// The word after `marker`, up to a space or one of `stops`.
    static func word(after marker: String, in text: String, stops: Set<Character> = []) -> String? {
        guard text.includes(marker), let found = text.range(of: marker) else { return nil }
        let value = text[found.upperBound...].drop { $0 == " " }.prefix { !$0.isWhitespace && !stops.contains($0) }
        return value.isEmpty ? nil : String(value)
    }

    /// How a connection or request failed, from the words Go, gRPC, containerd and Google APIs use.
    /// The order matters: `context deadline exceeded (Client.Timeout exceeded while awaiting
    /// headers)` is a timeout of the dial, not of the caller's deadline.
    static func failure(in text: String) -> String? {
        let lower = text.lowercased()
        func has(_ words: String...) -> Bool { words.contains { lower.includes($0) } }
        if has("no endpoints available for service") { return "no-endpoints" }
        // Go's resolver, and glibc's as Python and the JVM report it (`[Errno -3] Temporary failure in
        // name resolution`, `Name or service not known`, `UnknownHostException`).
        if has("no such host", "server misbehaving", "failure in name resolution", "name or service not known",
            "nodename nor servname", "unknownhostexception", "getaddrinfo failed")
        { return "no-such-host" }
        // Windows words it its own way (`connectex: No connection could be made because the target
        // machine actively refused it.`, `…did not properly respond after a period of time…`).
        if has("connection refused", "actively refused") { return "refused" }
        if has("i/o timeout", "connection timed out", "client.timeout exceeded", "timeout awaiting",
            "request canceled while waiting for connection", "tls handshake timeout", "connecttimeouterror",
            "read timed out", "connect timed out", "did not properly respond")
        { return "timeout" }
        if has("context deadline exceeded") { return "deadline" }
        if has("no route to host", "network is unreachable") { return "unreachable" }
        if has("x509:", "tls: ") { return "tls" }
        if has("403 forbidden", "error 403", "code = permissiondenied", "status code 403", ", forbidden", "forbidden:")
        { return "forbidden" }
        if has("denied") { return "denied" }
        if has("401 unauthorized", "unauthorized") { return "unauthorized" }
        if has("429 too many requests", "toomanyrequests") { return "rate-limited" }
        if has("not found", "manifest unknown", "404") { return "not-found" }
        if lower.hasSuffix("eof") || has(": eof", " eof ", "eof\"", "connection reset by peer", "forcibly closed by the remote host")
        { return "eof" }
        return nil
    }

    /// The API group of the request an API status names (`… did not return more information (post
    /// virtualservices.networking.istio.io)`): the resource's group, when it has a dotted one.
    static func requestGroup(in text: String) -> String? {
        for verb in ["(post ", "(put ", "(patch ", "(get ", "(delete ", "(create "] where text.includes(verb) {
            guard let open = text.range(of: verb), let close = text[open.upperBound...].firstIndex(of: ")") else { continue }
            let target = text[open.upperBound..<close]
            guard let dot = target.firstIndex(of: "."), !target.contains(" ") else { continue }
            let group = target[target.index(after: dot)...]
            if group.contains(".") { return String(group).lowercased() }
        }
        return nil
    }

    /// `projects/P/…` or `project "P"` or `project=P`.
    static func project(in text: String) -> String? {
        let stops: Set<Character> = ["/", "\"", "'", ",", ")", ".", ":", ";"]
        if let value = word(after: "projects/", in: text, stops: stops) { return value }
        if let value = quoted(after: "project", in: text) { return value }
        return word(after: "project=", in: text, stops: stops)
    }

    /// The zone, region or location of a resource path in the text (`…/projects/P/zones/us-east1-d/clusters/…`,
    /// a request path gcloud relays in an error).
    static func location(in text: String) -> String? {
        let stops: Set<Character> = ["/", "\"", "'", ",", ")", ":", ";", "\\"]
        for marker in ["/zones/", "/locations/", "/regions/"] {
            if let value = word(after: marker, in: text, stops: stops) { return value }
        }
        return nil
    }

    /// The text with its quoting undone (`\\` → `\` down to one level, then `\"` → `"` and `\'` →
    /// `'`), or nil when that changes nothing: a message quoted inside another's quoting.
    /// One pass over the bytes (backslash and quotes are ASCII, never inside a multi-byte
    /// character): Foundation's replacing works on characters, so a backslash that a combining
    /// mark joins was found by a byte search and never replaced, and the loop that did this ran
    /// forever (fuzz-text, a 42-byte input; kept in Fuzz/regressions/).
    static func unescaped(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.contains(0x5C) else { return nil }
        var plain: [UInt8] = []
        plain.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == 0x5C else { plain.append(byte); continue }
            // A run of backslashes is one; before a quote, none.
            while index < bytes.count, bytes[index] == 0x5C { index += 1 }
            if index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27 { continue }
            plain.append(byte)
        }
        return plain == bytes ? nil : String(decoding: plain, as: UTF8.self)
    }

    /// A leading RFC 3339 timestamp (istiod, logrus JSON-less output, Cloud Logging text export).
    static func leadingTime(_ text: String) -> Int64? {
        let token = text.prefix { !$0.isWhitespace }
        guard token.count >= 20, token.first?.isNumber == true else { return nil }
        return Timestamp.parse(String(token))
    }
}
