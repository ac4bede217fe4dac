import Foundation
import Testing
import _CryptoExtras
@testable import TriageKit

/// The credentials order and each kind of credentials, against the fake server's token
/// endpoint and metadata path.
@Suite(.serialized) struct CredentialsTests {
    /// A service-account key file and the server's copy of its public key.
    static func serviceAccount(tokenURI: String, email: String = "triage-test@kf-prod-4412.iam.gserviceaccount.com") throws -> (file: [String: Any], publicKey: [String: String]) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let primitives = try key.publicKey.getKeyPrimitives()
        let file: [String: Any] = [
            "type": "service_account", "project_id": liveProject, "private_key_id": "0123abcd",
            "private_key": key.pkcs8PEMRepresentation, "client_email": email, "client_id": "1234567890",
            "token_uri": tokenURI,
        ]
        let hex = { (data: Data) in data.map { String(format: "%02x", $0) }.joined() }
        return (file, ["client_email": email, "n": hex(primitives.modulus), "e": hex(primitives.publicExponent)])
    }

    @Test func aServiceAccountKeySignsAJWTTheServerVerifies() throws {
        let placeholder = try FakeGCPServer()
        let account = try Self.serviceAccount(tokenURI: placeholder.base + "token")
        try JSONSerialization.data(withJSONObject: [
            "access_tokens": ["sa-token"], "issued_token": "sa-token", "service_account": account.publicKey,
        ]).write(to: placeholder.root.appendingPathComponent("auth.json"))
        let keyFile = placeholder.root.appendingPathComponent("key.json")
        try JSONSerialization.data(withJSONObject: account.file).write(to: keyFile)
        let run = try liveRun(placeholder, token: nil, environment: ["GOOGLE_APPLICATION_CREDENTIALS": keyFile.path])
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.credentials == "service account triage-test@kf-prod-4412.iam.gserviceaccount.com")
        let grants = placeholder.requests(pathPrefix: "/token")
        #expect(grants.count == 1)
        #expect(grants.first?["jwt"] as? String == "valid")
        #expect(run.collector.account.firewallRecords == (try deniedEntries(placeholder)))
    }

    @Test func aKeyTheServerDoesNotKnowIsRejected() throws {
        let server = try FakeGCPServer()
        let known = try Self.serviceAccount(tokenURI: server.base + "token")
        let other = try Self.serviceAccount(tokenURI: server.base + "token")
        try JSONSerialization.data(withJSONObject: ["access_tokens": ["sa-token"], "service_account": known.publicKey])
            .write(to: server.root.appendingPathComponent("auth.json"))
        let keyFile = server.root.appendingPathComponent("key.json")
        try JSONSerialization.data(withJSONObject: other.file).write(to: keyFile)
        let run = try liveRun(server, token: nil, environment: ["GOOGLE_APPLICATION_CREDENTIALS": keyFile.path])
        #expect(server.requests(pathPrefix: "/token").first?["jwt"] as? String == "Invalid JWT Signature.")
        #expect(run.failureText.contains("credentials rejected"))
        #expect(run.failureText.contains("invalid_grant"))
        #expect(server.requests(pathPrefix: "/v2/").isEmpty, "nothing is fetched without a token")
    }

    @Test func anAuthorizedUserIsRefreshedFromTheConfigDirectory() throws {
        let server = try FakeGCPServer(files: [
            "auth.json": [
                "access_tokens": ["user-token"], "issued_token": "user-token",
                "authorized_user": ["client_id": "cid", "client_secret": "csecret", "refresh_token": "rtoken"],
            ]
        ])
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("live-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try JSONSerialization.data(withJSONObject: [
            "type": "authorized_user", "client_id": "cid", "client_secret": "csecret", "refresh_token": "rtoken",
            "token_uri": server.base + "token",
        ]).write(to: home.appendingPathComponent("application_default_credentials.json"))
        let run = try liveRun(server, token: nil, environment: ["CLOUDSDK_CONFIG": home.path])
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.credentials?.hasPrefix("application default credentials (user") == true)
        let grant = server.requests(pathPrefix: "/token").first?["body"] as? [String: String]
        #expect(grant?["grant_type"] == "refresh_token")
        #expect(grant?["client_id"] == "cid")
    }

    @Test func theMetadataServerIsAskedWhenNothingElseIsThere() throws {
        let server = try FakeGCPServer(files: ["auth.json": ["access_tokens": ["vm-token"], "metadata_token": "vm-token"]])
        let run = try liveRun(server, token: nil)
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.credentials == "metadata server (127.0.0.1:\(server.port))")
        let asked = server.requests(pathPrefix: "/computeMetadata/")
        #expect((asked.first?["headers"] as? [String: String])?["metadata-flavor"] == "Google")
    }

    @Test func noCredentialsAtAllSaysWhatWasTried() throws {
        let server = try FakeGCPServer()
        let run = try liveRun(server, token: nil)
        #expect(run.failureText.contains("no credentials for the Google APIs (--live, --bigquery)"))
        #expect(run.failureText.contains("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"))
        #expect(run.failureText.contains("metadata server 127.0.0.1:\(server.port): HTTP 404"))
        #expect(run.failureText.contains("gcloud auth application-default login"))
        #expect(server.requests(pathPrefix: "/v1/").isEmpty)
    }

    @Test func unsupportedCredentialTypesSayWhatToDoInstead() throws {
        let server = try FakeGCPServer()
        let file = server.root.appendingPathComponent("federated.json")
        try JSONSerialization.data(withJSONObject: ["type": "external_account", "audience": "//iam.googleapis.com/x"]).write(to: file)
        let run = try liveRun(server, token: nil, environment: ["GOOGLE_APPLICATION_CREDENTIALS": file.path])
        #expect(run.failureText.contains("'external_account'"))
        #expect(run.failureText.contains("not supported"))
        #expect(run.failureText.contains("--access-token-file"))
    }

    @Test func theTokenFileFromTheEnvironmentComesBeforeADC() throws {
        let server = try FakeGCPServer(files: ["auth.json": ["access_tokens": ["env-token"]]])
        let tokenFile = server.root.appendingPathComponent("env-token.txt")
        try Data("env-token\n".utf8).write(to: tokenFile)
        let run = try liveRun(server, token: nil, environment: [
            "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": tokenFile.path, "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json",
        ])
        #expect(run.result.failures.isEmpty, "\(run.failureText)")
        #expect(run.result.credentials?.hasPrefix("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE") == true)
    }
}
