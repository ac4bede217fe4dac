import Foundation
import Testing

/// Servers (or proxies) that repeat the credentials they were sent: nothing of a secret may
/// reach stdout, stderr or the JSON report, in any format, with --verbose traces on.
@Suite(.serialized) struct RedactionTests {
    static let project = LiveCLITests.project

    /// Runs triage --live in text and in JSON; each run gets the server's next echo.
    static func runs(
        _ server: FakeGCPServer, in directory: URL, environment extra: [String: String], _ arguments: [String] = []
    ) throws -> [RunResult] {
        var environment = CLI.environment
        for (key, value) in server.environment(home: directory) { environment[key] = value }
        environment.merge(extra) { $1 }
        return try ["text", "json"].map { format in
            try CLI.run(
                CLI.binary, ["--live", "--project", project, "--from", LiveCLITests.since, "--cluster", "kf-private",
                    "--format", format, "--verbose", "--force-progress"] + arguments,
                environment: environment, timeout: 60)
        }
    }

    /// No secret, nor its first 12 characters, anywhere in what was printed; and the echo was
    /// there to be masked (so the test cannot pass by the server saying nothing).
    static func expectNothingLeaked(_ results: [RunResult], _ secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for result in results {
            for secret in secrets {
                for stream in [result.out, result.err] {
                    #expect(!stream.contains(String(secret.prefix(12))), "\(secret.prefix(12)) leaked: \(result)", sourceLocation: sourceLocation)
                }
            }
            #expect(result.err.contains("[REDACTED]"), "the server's echo is shown, masked: \(result)", sourceLocation: sourceLocation)
        }
    }

    @Test func anAPIThatEchoesTheAuthorizationHeader() throws {
        let token = "tok-Zq8Hx2Vb7Nc4Mk1Lp9Rw3Sy6Tu0"
        let echo: [String: Any] = ["status": 403, "echo": "headers"]
        let server = try FakeGCPServer(files: [
            "errors.json": [
                "GET /compute/v1/projects/\(Self.project)/global/firewalls": [echo, echo],
                "GET /compute/v1/projects/\(Self.project)/global/routes": [
                    ["status": 400, "echo": "headers", "shape": "text"], ["status": 400, "echo": "headers", "shape": "text"],
                ],
                "GET /dns/v1/projects/\(Self.project)/managedZones": [["status": 401, "echo": "all"], ["status": 401, "echo": "all"]],
                // The token alone, without "Bearer": masked only because it was registered.
                "GET /compute/v1/projects/\(Self.project)/global/networks": [
                    ["status": 403, "echo": "token"], ["status": 403, "echo": "token"],
                ],
            ]
        ])
        try CLI.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("token.txt")
            try Data((token + "\n").utf8).write(to: file)
            let results = try Self.runs(server, in: directory, environment: [:], ["--access-token-file", file.path])
            for result in results { #expect(result.status == 2, "\(result)") }
            Self.expectNothingLeaked(results, [token])
            // The JSON summary's errors hold the masked echo too.
            let summary = try JSONReport(results[1]).summary
            let errors = (summary["errors"] as? [String] ?? []).joined(separator: "\n")
            #expect(errors.lowercased().contains("authorization: bearer [redacted]"), "\(errors)")
            #expect(errors.contains("invalid credential [REDACTED]"), "\(errors)")
        }
    }

    @Test func aTokenEndpointThatEchoesTheRefreshTokenAndClientSecret() throws {
        let secret = "GOCSPX-s3cr3t/V4lu3+Xy7Zq2Wm"
        let refresh = "1//0gR3fr3shT0k3n-AbCdEfGhIjKlMn"
        let echo: [String: Any] = ["status": 400, "echo": "body", "shape": "oauth"]
        let server = try FakeGCPServer(files: ["errors.json": ["POST /token": [echo, echo]]])
        try CLI.withTemporaryDirectory { directory in
            let credentials = directory.appendingPathComponent("adc.json")
            let file: [String: Any] = [
                "type": "authorized_user", "client_id": "123-abc.apps.googleusercontent.com", "client_secret": secret,
                "refresh_token": refresh, "token_uri": server.base + "token",
            ]
            try JSONSerialization.data(withJSONObject: file).write(to: credentials)
            let results = try Self.runs(server, in: directory, environment: ["GOOGLE_APPLICATION_CREDENTIALS": credentials.path])
            for result in results { #expect(result.status == 2 && result.err.contains("token endpoint refused"), "\(result)") }
            Self.expectNothingLeaked(results, [secret, refresh, secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!])
        }
    }

    @Test func aTokenEndpointThatEchoesTheSignedAssertion() throws {
        let keyID = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
        let server = try FakeGCPServer(files: [
            "errors.json": ["POST /token": [["status": 400, "echo": "body", "shape": "oauth"], ["status": 400, "echo": "all", "shape": "google"]]]
        ])
        try CLI.withTemporaryDirectory { directory in
            let key = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
            try #require(key.status == 0, "\(key)")
            let credentials = directory.appendingPathComponent("key.json")
            let file: [String: Any] = [
                "type": "service_account", "client_email": "triage@\(Self.project).iam.gserviceaccount.com", "private_key": key.out,
                "private_key_id": keyID, "token_uri": server.base + "token",
            ]
            try JSONSerialization.data(withJSONObject: file).write(to: credentials)
            let results = try Self.runs(server, in: directory, environment: ["GOOGLE_APPLICATION_CREDENTIALS": credentials.path])
            for result in results { #expect(result.status == 2 && result.err.contains("token endpoint refused"), "\(result)") }
            // Every assertion starts with the same signed header: eyJhbGciOiJSUzI1NiIs… ({"alg":"RS256",…}).
            let keyLines = key.out.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
            Self.expectNothingLeaked(results, [keyID, "eyJhbGciOiJSUzI1NiIs"] + keyLines)
            for result in results { #expect(!result.err.contains("eyJ"), "\(result)") }
        }
    }
}
