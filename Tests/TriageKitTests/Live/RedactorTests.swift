import Foundation
import Testing
@testable import TriageKit

struct RedactorTests {
    static let secrets = [
        "tok-Zq8Hx2Vb7Nc4Mk1Lp9Rw3Sy6Tu0", "1//0gR3fr3shT0k3n-AbCdEfGhIjKlMn", "GOCSPX-s3cr3t/V4lu3+Xy7Zq2Wm==",
        "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    ]

    /// One spelling of `secret`, each character as it is, `%HH`, `\u00HH` or (a slash) `\/`,
    /// chosen at random: how a server may repeat a form body or a JSON string.
    static func spelled(_ secret: String, _ random: inout SplitMix64) -> String {
        var out = ""
        for byte in secret.utf8 {
            switch random.int(0...3) {
            case 0: out += String(format: "%%%02X", byte)
            case 1: out += String(format: "\\u%04x", byte)
            case 2 where byte == UInt8(ascii: "/"): out += "\\/"
            default: out += String(UnicodeScalar(byte))
            }
        }
        return out
    }

    /// Undoes every spelling `spelled` uses, so what is left can be searched for the secret.
    static func decoded(_ text: String) -> String {
        var text = text.replacingOccurrences(of: "\\/", with: "/")
        while let range = text.range(of: #"\\u00[0-9a-fA-F]{2}"#, options: .regularExpression) {
            let value = UInt8(text[range].suffix(2), radix: 16)!
            text.replaceSubrange(range, with: String(UnicodeScalar(value)))
        }
        return text.removingPercentEncoding ?? text
    }

    @Test func secretsInRandomTextAreMaskedInEverySpellingAndWhenCut() {
        let redactor = Redactor()
        for secret in Self.secrets { redactor.register(secret) }
        var random = SplitMix64(seed: 11)
        let words = ["error", "request", "Authorization:", "x-goog-user-project", "=", "&", "\"", " ", "{", "}", "\\n", "%", "\\"]
        for round in 0..<2_000 {
            var text = ""
            var planted: [String] = []
            for _ in 0..<random.int(1...12) {
                if random.int(0...3) == 0 {
                    let secret = random.pick(Self.secrets)
                    // Whole, or cut short by the server (never below the 12 characters tested).
                    let kept = random.int(0...1) == 0 ? secret : String(secret.prefix(random.int(12...secret.count)))
                    text += Self.spelled(kept, &random)
                    planted.append(secret)
                } else {
                    text += random.pick(words)
                }
            }
            let output = redactor.redact(text)
            let plain = Self.decoded(output)
            for secret in Self.secrets {
                #expect(!plain.contains(String(secret.prefix(12))), "round \(round): \(text) -> \(output)")
            }
            if planted.isEmpty { #expect(output == text) } else { #expect(output.contains(Redactor.mask)) }
        }
    }

    @Test(arguments: [
        ("Authorization: Bearer abc.DEF-123_x~+/=; next", "Authorization: Bearer [REDACTED]; next"),
        ("authorization: bearer  abcdefgh1", "authorization: bearer  [REDACTED]"),
        (#"{"access_token":"ya29.a0AfB_byC-xyz","expires_in":3599}"#, #"{"access_token":"[REDACTED]","expires_in":3599}"#),
        ("assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl&x=1", "assertion=[REDACTED]&x=1"),
        // Not credentials: left alone.
        ("the bearer of bad news", "the bearer of bad news"),
        ("a bearer authentication scheme", "a bearer authentication scheme"),
        ("yaya29.x and eyJonly", "yaya29.x and eyJonly"),
        ("gcloud services enable dns.googleapis.com --project=kf-prod-4412", "gcloud services enable dns.googleapis.com --project=kf-prod-4412"),
    ])
    func credentialShapesAreMaskedUnregistered(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test func shortValuesAreNotRegisteredAndPrivateKeyLinesAre() {
        let redactor = Redactor()
        redactor.register("abc")
        #expect(redactor.redact("abc abc") == "abc abc")
        redactor.registerPrivateKey("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n")
        let echoed = redactor.redact(#"{"key":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n"}"#)
        #expect(!echoed.contains("MIIEvQIBADAN") && !echoed.contains("BKcwggSjAgEA"), "\(echoed)")
    }

    @Test func errorsAreRedactedInEveryPart() {
        let redactor = Redactor()
        redactor.register("tok-Zq8Hx2Vb7Nc4Mk1Lp9Rw3Sy6Tu0")
        let error = TriageError.noData(source: "firewall rules", reason: "HTTP 403: tok-Zq8Hx2Vb7Nc4Mk1Lp9Rw3Sy6Tu0", hint: "Bearer tok-Zq8Hx2Vb7N")
        #expect(!redactor.redact(error).description.contains("tok-Zq8Hx2Vb"))
    }

    /// The server's message is redacted before it is cut at 300 characters, so the cut cannot
    /// leave the start of a secret behind; a service name from the answer is quoted in the fix.
    @Test func googleAPIErrorsAreRedactedBeforeTheCutAndQuoteTheServiceName() throws {
        let redactor = Redactor()
        let token = "tok-Zq8Hx2Vb7Nc4Mk1Lp9Rw3Sy6Tu0"
        redactor.register(token)
        let message = String(repeating: "x", count: 290) + " " + token
        let body = try JSONSerialization.data(withJSONObject: ["error": ["message": message]])
        let error = GoogleAPIError(status: 400, body: Array(body), redactor: redactor)
        #expect(!error.message.contains("tok-Zq8H"), "\(error.message)")
        let disabled = try JSONSerialization.data(withJSONObject: ["error": [
            "message": "it is disabled",
            "details": [["reason": "SERVICE_DISABLED", "metadata": ["service": "dns.googleapis.com; touch /tmp/pwned"]]],
        ]])
        let failure = APIRequestKind.managedZones.failure(GoogleAPIError(status: 403, body: Array(disabled), redactor: redactor), project: "p", host: "h")
        #expect(failure.hint?.contains("gcloud services enable 'dns.googleapis.com; touch /tmp/pwned' --project=p") == true, "\(failure)")
    }
}

/// Tokens from the metadata server, and the ones fetched again after a 401, are registered
/// the moment they arrive: an API that echoes them has them masked in the run's failures.
struct LiveRedactionTests {
    @Test func metadataAndRenewedTokensAreMaskedInFailures() throws {
        let first = "meta-first-Q7w3E9r1T5y8U2i6"
        let second = "meta-second-Z4x8C2v6B0n3M7"
        // The token alone: no "Bearer" before it, so only its registration can mask it.
        let echo: [String: Any] = ["status": 403, "echo": "token"]
        let server = try FakeGCPServer(files: [
            "auth.json": [
                "access_tokens": [first, second], "issued_tokens": [["access_token": first], ["access_token": second]],
                "token_uses": [first: 1],
            ],
            "errors.json": [
                "GET /compute/v1/projects/\(liveProject)/global/firewalls": [echo, echo, echo],
                "GET /compute/v1/projects/\(liveProject)/global/routes": [echo, echo, echo],
                "GET /compute/v1/projects/\(liveProject)/global/networks": [["pass": true], echo, echo],
            ],
        ])
        let run = try liveRun(server, token: nil)
        #expect(run.result.credentials?.hasPrefix("metadata server") == true, "\(run.failureText)")
        let stored = run.failureText + "\n" + run.collector.account.inputErrors.joined(separator: "\n")
        #expect(stored.contains("invalid credential [REDACTED]"), "\(stored)")
        for token in [first, second] { #expect(!stored.contains(String(token.prefix(12))), "\(stored)") }
    }
}
