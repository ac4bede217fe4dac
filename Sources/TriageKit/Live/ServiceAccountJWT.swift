import Foundation
import _CryptoExtras

/// The signed assertion of the OAuth 2.0 jwt-bearer grant for a service-account key
/// (RFC 7523): RS256 over `base64url(header).base64url(claims)`.
enum ServiceAccountJWT {
    static let scope = "https://www.googleapis.com/auth/cloud-platform"

    static func assertion(
        clientEmail: String, privateKeyPEM: String, keyID: String?, tokenURI: String, now: Date = Date()
    ) throws(TriageError) -> String {
        var header: [String: Any] = ["alg": "RS256", "typ": "JWT"]
        if let keyID { header["kid"] = keyID }
        let issued = Int(now.timeIntervalSince1970)
        let claims: [String: Any] = [
            "iss": clientEmail, "scope": scope, "aud": tokenURI, "iat": issued, "exp": issued + 3600,
        ]
        let signingInput = base64URL(json(header)) + "." + base64URL(json(claims))
        do {
            let key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
            let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
            return signingInput + "." + base64URL(signature.rawRepresentation)
        } catch {
            throw .noCredentials(
                reason: "the service-account key for \(clientEmail) could not be used to sign: \(error)",
                hint: "download a fresh JSON key: gcloud iam service-accounts keys create key.json --iam-account=\(clientEmail)")
        }
    }

    private static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
