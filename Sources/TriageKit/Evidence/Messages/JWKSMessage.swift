/// Istio and IAP token checks that cannot fetch their keys or reject the token: istio-proxy's
/// `Jwks remote fetch is failed` (istiod or the sidecar cannot reach www.googleapis.com /
/// www.gstatic.com without Cloud NAT), istiod's fetch errors naming the JWKS URL, and
/// `Invalid IAP assertion` / `Jwks doesn't have key to match kid` from the token itself.
enum JWKSMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        let lower = text.lowercased()
        var facts = ["message": "jwks-fetch-failed"]
        if lower.contains("jwks remote fetch is failed") {
            facts["failure"] = ErrorText.failure(in: text) ?? "fetch-failed"
        } else if lower.contains("invalid iap") || lower.contains("iap assertion") {
            facts["failure"] = "invalid-assertion"
        } else if lower.contains("jwks doesn't have key") || lower.contains("jwks does not have key") {
            facts["failure"] = "key-mismatch"
        } else if lower.contains("jwk") || lower.contains("public key from") {
            guard let failure = ErrorText.failure(in: text) else { return nil }
            facts["failure"] = failure
        } else {
            return nil
        }
        if let url = ErrorText.url(in: text) {
            facts["host"] = url.host
            facts["url"] = "https://" + url.host + url.path
        }
        if let dial = ErrorText.dial(in: text) {
            if let ip = dial.ip { facts["ip"] = ip }
            if let port = dial.port { facts["port"] = port }
        }
        return [facts]
    }
}
