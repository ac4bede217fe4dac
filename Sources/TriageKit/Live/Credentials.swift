import Foundation

/// An access token and where it came from. Tokens stay in memory: never written, never printed.
public final class Credentials: @unchecked Sendable {
    /// Where the token came from, for the account ("service account a@p.iam.gserviceaccount.com").
    public let origin: String
    /// Sent as `x-goog-user-project` when the credentials name one.
    public let quotaProject: String?
    let token: String

    init(origin: String, token: String, quotaProject: String?) {
        self.origin = origin
        self.token = token
        self.quotaProject = quotaProject
    }

    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Finds credentials in this order: `--access-token-file`, `CLOUDSDK_AUTH_ACCESS_TOKEN_FILE`,
    /// an application-default credentials file (`GOOGLE_APPLICATION_CREDENTIALS`, else the one
    /// in the gcloud config directory), the metadata server, and last `gcloud auth
    /// print-access-token`.
    static func discover(
        accessTokenFile: String?, environment: [String: String], client: APIClient, gcloud: String? = "gcloud"
    ) throws(TriageError) -> Credentials {
        var tried: [String] = []
        if let path = accessTokenFile {
            return try fromTokenFile(path, origin: "--access-token-file \(path)")
        }
        if let path = environment["CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"], !path.isEmpty {
            return try fromTokenFile(path, origin: "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE (\(path))")
        }
        tried.append("no --access-token-file or CLOUDSDK_AUTH_ACCESS_TOKEN_FILE")
        if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty {
            return try fromADCFile(path, client: client)
        }
        let configDirectory = environment["CLOUDSDK_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config/gcloud"
        let adc = configDirectory + "/application_default_credentials.json"
        if FileManager.default.fileExists(atPath: adc) { return try fromADCFile(adc, client: client) }
        tried.append("no GOOGLE_APPLICATION_CREDENTIALS and no \(adc)")
        let metadataHost = environment["GCE_METADATA_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "169.254.169.254"
        switch fromMetadataServer(host: metadataHost, client: client) {
        case .success(let credentials): return credentials
        case .failure(let reason): tried.append("metadata server \(metadataHost): \(reason)")
        }
        if let gcloud {
            switch fromGcloud(gcloud, environment: environment) {
            case .success(let credentials): return credentials
            case .failure(let reason): tried.append("gcloud auth print-access-token: \(reason)")
            }
        }
        throw .noCredentials(
            reason: tried.joined(separator: "; "),
            hint: "run 'gcloud auth application-default login', set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or pass --access-token-file with the output of 'gcloud auth print-access-token'")
    }

    private static func fromTokenFile(_ path: String, origin: String) throws(TriageError) -> Credentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .noCredentials(reason: "cannot read the access token file \(path)", hint: "write a token into it with: gcloud auth print-access-token > \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isNewline || $0 == " " }) else {
            throw .noCredentials(reason: "the access token file \(path) does not hold one token", hint: "write a token into it with: gcloud auth print-access-token > \(path)")
        }
        return Credentials(origin: origin, token: token, quotaProject: nil)
    }

    private static func fromADCFile(_ path: String, client: APIClient) throws(TriageError) -> Credentials {
        guard let data = FileManager.default.contents(atPath: path),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            throw .noCredentials(reason: "cannot read the credentials file \(path) as JSON", hint: "point GOOGLE_APPLICATION_CREDENTIALS at a service-account key, or run 'gcloud auth application-default login'")
        }
        let type = object["type"] as? String ?? "(no type)"
        let quota = object["quota_project_id"] as? String
        let tokenURI = object["token_uri"] as? String ?? defaultTokenURI
        switch type {
        case "authorized_user":
            guard let id = object["client_id"] as? String, let secret = object["client_secret"] as? String,
                let refresh = object["refresh_token"] as? String
            else { throw malformed(path, "client_id, client_secret and refresh_token") }
            let token = try exchange(
                ["grant_type": "refresh_token", "client_id": id, "client_secret": secret, "refresh_token": refresh],
                tokenURI: tokenURI, what: "the user credentials in \(path)", client: client,
                fix: "run 'gcloud auth application-default login' again")
            return Credentials(origin: "application default credentials (user, \(path))", token: token, quotaProject: quota)
        case "service_account":
            guard let email = object["client_email"] as? String, let key = object["private_key"] as? String else {
                throw malformed(path, "client_email and private_key")
            }
            let assertion = try ServiceAccountJWT.assertion(
                clientEmail: email, privateKeyPEM: key, keyID: object["private_key_id"] as? String, tokenURI: tokenURI)
            let token = try exchange(
                ["grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion],
                tokenURI: tokenURI, what: "the service-account key for \(email)", client: client,
                fix: "the key may have been deleted or disabled; create a new one with: gcloud iam service-accounts keys create key.json --iam-account=\(email)")
            return Credentials(origin: "service account \(email)", token: token, quotaProject: quota)
        default:
            throw .noCredentials(
                reason: "credentials of type '\(TerminalText.sanitize(type))' in \(path) are not supported by triage",
                hint: "triage reads authorized_user and service_account files; for other kinds (workload identity federation, impersonation) run 'gcloud auth print-access-token > token.txt' and pass --access-token-file token.txt")
        }
    }

    private static func malformed(_ path: String, _ fields: String) -> TriageError {
        .noCredentials(reason: "the credentials file \(path) lacks \(fields)", hint: "run 'gcloud auth application-default login', or download the key again")
    }

    /// POSTs an OAuth 2.0 grant to the token endpoint and returns the access token.
    private static func exchange(
        _ form: [String: String], tokenURI: String, what: String, client: APIClient, fix: String
    ) throws(TriageError) -> String {
        let body = form.sorted { $0.key < $1.key }.map { "\($0.key)=\(formEncode($0.value))" }.joined(separator: "&")
        let request = HTTPRequest(
            method: "POST", url: tokenURI, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(body.utf8), timeouts: client.timeouts)
        do throws(FetchFailure) {
            let (_, object) = try client.json(request, authorized: false, limit: 1 << 20)
            guard let token = object["access_token"] as? String, !token.isEmpty else {
                throw .credentials(.noCredentials(reason: "the token endpoint \(tokenURI) answered without an access_token for \(what)", hint: fix))
            }
            return token
        } catch {
            switch error {
            case .credentials(let error): throw error
            case .transport(let failure):
                throw .noCredentials(reason: "could not reach the token endpoint \(tokenURI) for \(what): \(failure.sentence)", hint: "check the network and proxy settings (HTTPS_PROXY)")
            case .http(let status, let body):
                let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
                let code = object?["error"] as? String ?? "HTTP \(status)"
                let description = (object?["error_description"] as? String).map { ": \($0)" } ?? ""
                throw .noCredentials(reason: "credentials rejected: the token endpoint refused \(what) (\(TerminalText.sanitize(code + description)))", hint: fix)
            }
        }
    }

    private static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    private static func fromMetadataServer(host: String, client: APIClient) -> Result<Credentials, MetadataMiss> {
        let request = HTTPRequest(
            method: "GET", url: "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token",
            headers: [("Metadata-Flavor", "Google")], timeouts: .metadata)
        do throws(FetchFailure) {
            let (_, object) = try client.json(request, authorized: false, limit: 1 << 20, policy: RetryPolicy(maximumAttempts: 1))
            guard let token = object["access_token"] as? String, !token.isEmpty else { return .failure(MetadataMiss("no access_token in its answer")) }
            return .success(Credentials(origin: "metadata server (\(host))", token: token, quotaProject: nil))
        } catch {
            switch error {
            case .transport(let failure): return .failure(MetadataMiss(failure.sentence))
            case .http(let status, _): return .failure(MetadataMiss("HTTP \(status)"))
            case .credentials(let error): return .failure(MetadataMiss(error.sentence))
            }
        }
    }

    struct MetadataMiss: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private static func fromGcloud(_ gcloud: String, environment: [String: String]) -> Result<Credentials, MetadataMiss> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [gcloud, "auth", "print-access-token", "--quiet"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(MetadataMiss("could not run gcloud: \(error.localizedDescription)"))
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(MetadataMiss(process.terminationStatus == 127 ? "gcloud is not installed" : "gcloud exited with status \(process.terminationStatus)"))
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else { return .failure(MetadataMiss("gcloud printed no token")) }
        return .success(Credentials(origin: "gcloud auth print-access-token", token: token, quotaProject: nil))
    }
}

extension Credentials.MetadataMiss: CustomStringConvertible {
    var description: String { reason }
}
