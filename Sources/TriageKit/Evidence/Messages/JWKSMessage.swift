/// Istio and IAP token checks that cannot fetch their keys or reject the token: istio-proxy's
/// `Jwks remote fetch is failed` (istiod or the sidecar cannot reach www.googleapis.com /
/// www.gstatic.com without Cloud NAT), istiod's `Failed to GET from "URL": …`, `Failed to refresh
/// JWT public key from "URL": …` and `The JWKS key is not yet fetched for issuer …`, and
/// `Invalid IAP assertion` / `Jwks doesn't have key to match kid` from the token itself.
enum JWKSMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let lower = text.lowercased()
        var facts = ["message": "jwks-fetch-failed"]
        if lower.includes("jwks remote fetch is failed") {
            facts["failure"] = ErrorText.failure(in: text) ?? "fetch-failed"
        } else if lower.includes("invalid iap") || lower.includes("iap assertion") {
            facts["failure"] = "invalid-assertion"
        } else if lower.includes("jwks doesn't have key") || lower.includes("jwks does not have key") {
            facts["failure"] = "key-mismatch"
        } else if lower.includes("jwks key is not yet fetched") {
            // istiod gave up and serves a fake JWKS, so every token is rejected.
            facts["failure"] = "fetch-failed"
        } else if lower.includes("jwk") || lower.includes("public key from") {
            guard let failure = ErrorText.failure(in: text) else { return nil }
            facts["failure"] = failure
        } else {
            return nil
        }
        if let url = keysURL(in: text) {
            facts["host"] = url.host
            facts["url"] = "https://" + url.host + url.path
        }
        if let dial = ErrorText.dial(in: text) {
            if let ip = dial.ip { facts["ip"] = ip }
            if let port = dial.port { facts["port"] = port }
        }
        return [facts]
    }

    /// The URL the keys come from: the one naming a JWK set, else the first (istiod writes the
    /// issuer before the JWKS URL).
    static func keysURL(in text: String) -> ErrorText.URLParts? {
        var start = text.startIndex
        var first: ErrorText.URLParts?
        while let scheme = text.range(of: "://", range: start..<text.endIndex), let url = ErrorText.url(in: text, after: text.index(scheme.lowerBound, offsetBy: -5, limitedBy: start) ?? start) {
            if first == nil { first = url }
            if url.path.lowercased().includes("jwk") || url.host.includes("jwk") { return url }
            start = scheme.upperBound
        }
        return first
    }
}
