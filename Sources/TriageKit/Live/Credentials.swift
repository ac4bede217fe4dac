import Foundation

/// An access token and where it came from. Tokens stay in memory: never written, never printed.
/// Tokens from a grant (user credentials, a service-account key) or from the metadata server
/// carry a lifetime and can be fetched again: `token(now:)` renews one that has less than a
/// minute left, and `refresh(after:)` renews one the API rejected. A token from a file or from
/// gcloud has no known lifetime: a file's cannot be renewed, gcloud's is asked for again when the
/// API rejects it.
public final class Credentials: @unchecked Sendable {
    /// Where the token came from, for the account ("service account a@p.iam.gserviceaccount.com").
    public let origin: String
    /// Sent as `x-goog-user-project` when the credentials name one.
    public let quotaProject: String?
    /// A token and its lifetime in seconds, as a token endpoint answers.
    struct Token {
        let value: String
        let expiresIn: Double?
    }
    typealias Renewal = @Sendable () throws(TriageError) -> Token

    /// A token is renewed before use when fewer than this many seconds are left.
    static let refreshMargin: Double = 60
    private let lock = NSLock()
    private var current: String
    /// Monotonic seconds (`APIClient.now()`) when the current token expires; nil when unknown.
    private var expiry: Double?
    private let renewal: Renewal?
    /// How many times the token was renewed during the run.
    public private(set) var refreshCount = 0

    /// Where every token this holds is registered, so no server can echo one into the output.
    private let redactor: Redactor

    init(origin: String, token: String, quotaProject: String?, redactor: Redactor = .shared) {
        redactor.register(token)
        self.origin = origin
        self.current = token
        self.quotaProject = quotaProject
        self.renewal = nil
        self.redactor = redactor
    }

    init(origin: String, token: Token, quotaProject: String?, renewal: Renewal?, redactor: Redactor = .shared) {
        redactor.register(token.value)
        self.redactor = redactor
        self.origin = origin
        self.current = token.value
        self.expiry = token.expiresIn.map { APIClient.now() + $0 }
        self.quotaProject = quotaProject
        self.renewal = renewal
    }

    var canRefresh: Bool { renewal != nil }

    /// The token as it stands (for tests).
    var token: String { lock.withLock { current } }

    /// The token to send now, renewed first when it has less than `refreshMargin` seconds left.
    /// A failed renewal keeps a token that has not yet expired.
    func token(now: Double) throws(TriageError) -> String {
        lock.lock()
        defer { lock.unlock() }
        guard let renewal, let expiry, expiry - now < Self.refreshMargin else { return current }
        do throws(TriageError) {
            try renew(renewal)
        } catch {
            if expiry > now { return current }
            throw error
        }
        return current
    }

    /// After the API rejected `rejected` (HTTP 401): a fresh token, or the one another request
    /// has already fetched in its place. Nil when these credentials cannot be renewed.
    func refresh(after rejected: String) throws(TriageError) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let renewal else { return nil }
        if current != rejected { return current }
        try renew(renewal)
        return current
    }

    /// Called with the lock held, so concurrent requests wait for one renewal.
    private func renew(_ renewal: Renewal) throws(TriageError) {
        let fresh = try renewal()
        redactor.register(fresh.value)
        current = fresh.value
        expiry = fresh.expiresIn.map { APIClient.now() + $0 }
        refreshCount += 1
    }

    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Finds credentials in this order: `--access-token-file`, `CLOUDSDK_AUTH_ACCESS_TOKEN_FILE`,
    /// an application-default credentials file (`GOOGLE_APPLICATION_CREDENTIALS`, else the one
    /// in the gcloud config directory), the metadata server, and last `gcloud auth
    /// print-access-token`.
    static func discover(
        accessTokenFile: String?, environment: [String: String], client: APIClient, gcloud: String? = "gcloud",
        project: String? = nil
    ) throws(TriageError) -> Credentials {
        var tried: [String] = []
        if let path = accessTokenFile {
            return try fromTokenFile(path, origin: "--access-token-file \(path)", redactor: client.redactor)
        }
        if let path = environment["CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"], !path.isEmpty {
            return try fromTokenFile(path, origin: "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE (\(path))", redactor: client.redactor)
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
            switch fromGcloud(gcloud, environment: environment, project: project, redactor: client.redactor) {
            case .success(let credentials): return credentials
            case .failure(let reason): tried.append("gcloud auth print-access-token: \(reason)")
            }
        }
        throw .noCredentials(
            reason: tried.joined(separator: "; "),
            hint: "run 'gcloud auth application-default login', set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or pass --access-token-file with the output of 'gcloud auth print-access-token'")
    }

    private static func fromTokenFile(_ path: String, origin: String, redactor: Redactor) throws(TriageError) -> Credentials {
        let fix = "write a token into it with: gcloud auth print-access-token > \(Template.shellWord(path))"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .noCredentials(reason: "cannot read the access token file \(path)", hint: fix)
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // Whatever the file holds is a secret, even when it is not one well-formed token.
        for line in token.split(whereSeparator: \.isWhitespace) { redactor.register(String(line)) }
        guard !token.isEmpty, !token.contains(where: { $0.isNewline || $0 == " " }) else {
            throw .noCredentials(reason: "the access token file \(path) does not hold one token", hint: fix)
        }
        return Credentials(origin: origin, token: token, quotaProject: nil, redactor: redactor)
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
        let redactor = client.redactor
        switch type {
        case "authorized_user":
            guard let id = object["client_id"] as? String, let secret = object["client_secret"] as? String,
                let refresh = object["refresh_token"] as? String
            else { throw malformed(path, "client_id, client_secret and refresh_token") }
            redactor.register(secret)
            redactor.register(refresh)
            let renewal: Credentials.Renewal = { [weak client] () throws(TriageError) -> Token in
                guard let client else { throw .noCredentials(reason: "the run is over", hint: "") }
                return try exchange(
                    ["grant_type": "refresh_token", "client_id": id, "client_secret": secret, "refresh_token": refresh],
                    tokenURI: tokenURI, what: "the user credentials in \(path)", client: client,
                    fix: "run 'gcloud auth application-default login' again")
            }
            return Credentials(
                origin: "application default credentials (user, \(path))", token: try renewal(), quotaProject: quota, renewal: renewal,
                redactor: redactor)
        case "service_account":
            guard let email = object["client_email"] as? String, let key = object["private_key"] as? String else {
                throw malformed(path, "client_email and private_key")
            }
            let keyID = object["private_key_id"] as? String
            redactor.registerPrivateKey(key)
            if let keyID { redactor.register(keyID) }
            let renewal: Credentials.Renewal = { [weak client] () throws(TriageError) -> Token in
                guard let client else { throw .noCredentials(reason: "the run is over", hint: "") }
                // A fresh assertion each time: it is valid for an hour from when it is signed.
                let assertion = try ServiceAccountJWT.assertion(
                    clientEmail: email, privateKeyPEM: key, keyID: keyID, tokenURI: tokenURI)
                redactor.register(assertion)
                return try exchange(
                    ["grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion],
                    tokenURI: tokenURI, what: "the service-account key for \(email)", client: client,
                    fix: "the key may have been deleted or disabled; create a new one with: gcloud iam service-accounts keys create key.json --iam-account=\(Template.shellWord(email))")
            }
            return Credentials(origin: "service account \(email)", token: try renewal(), quotaProject: quota, renewal: renewal, redactor: redactor)
        default:
            throw .noCredentials(
                reason: "credentials of type '\(TerminalText.sanitize(type))' in \(path) are not supported by triage",
                hint: "triage reads authorized_user and service_account files; for other kinds (workload identity federation, impersonation) run 'gcloud auth print-access-token > token.txt' and pass --access-token-file token.txt")
        }
    }

    private static func malformed(_ path: String, _ fields: String) -> TriageError {
        .noCredentials(reason: "the credentials file \(path) lacks \(fields)", hint: "run 'gcloud auth application-default login', or download the key again")
    }

    /// POSTs an OAuth 2.0 grant to the token endpoint and returns the access token with its lifetime.
    private static func exchange(
        _ form: [String: String], tokenURI: String, what: String, client: APIClient, fix: String
    ) throws(TriageError) -> Token {
        let body = form.sorted { $0.key < $1.key }.map { "\($0.key)=\(formEncode($0.value))" }.joined(separator: "&")
        let request = HTTPRequest(
            method: "POST", url: tokenURI, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(body.utf8), timeouts: client.timeouts)
        do throws(FetchFailure) {
            let (_, object) = try client.json(request, authorized: false, limit: 1 << 20)
            guard let token = object["access_token"] as? String, !token.isEmpty else {
                throw .credentials(.noCredentials(reason: "the token endpoint \(tokenURI) answered without an access_token for \(what)", hint: fix))
            }
            return Token(value: token, expiresIn: lifetime(object["expires_in"]))
        } catch {
            switch error {
            case .credentials(let error): throw error
            case .transport(let failure):
                throw client.redactor.redact(.noCredentials(
                    reason: "could not reach the token endpoint \(tokenURI) for \(what): \(failure.sentence)", hint: "check the network and proxy settings (HTTPS_PROXY)"))
            case .http(let status, let body):
                // The endpoint may repeat the posted form (refresh token, client secret, assertion).
                let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
                // OAuth's {"error", "error_description"}, or Google's {"error": {"status", "message"}}.
                let google = object?["error"] as? [String: Any]
                let code = object?["error"] as? String ?? google?["status"] as? String ?? "HTTP \(status)"
                let description = (object?["error_description"] as? String ?? google?["message"] as? String).map { ": \($0)" } ?? ""
                let answer = client.redactor.redact(code + description)
                throw .noCredentials(
                    reason: "credentials rejected: the token endpoint refused \(what) (\(TerminalText.sanitize(answer, limit: TerminalText.Limit.message)))",
                    hint: fix)
            }
        }
    }

    private static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// `expires_in` as a number or a numeric string; nil when absent.
    static func lifetime(_ value: Any?) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String { return Double(text) }
        return nil
    }

    private static func fromMetadataServer(host: String, client: APIClient) -> Result<Credentials, MetadataMiss> {
        switch metadataToken(host: host, client: client) {
        case .failure(let miss): return .failure(miss)
        case .success(let token):
            let renewal: Credentials.Renewal = { [weak client] () throws(TriageError) -> Token in
                guard let client else { throw .noCredentials(reason: "the run is over", hint: "") }
                switch metadataToken(host: host, client: client) {
                case .success(let token): return token
                case .failure(let miss):
                    throw .noCredentials(
                        reason: "credentials rejected: the metadata server \(host) gave no new token (\(miss.reason))",
                        hint: "check the VM's service account and its scopes")
                }
            }
            return .success(Credentials(origin: "metadata server (\(host))", token: token, quotaProject: nil, renewal: renewal, redactor: client.redactor))
        }
    }

    private static func metadataToken(host: String, client: APIClient) -> Result<Token, MetadataMiss> {
        let request = HTTPRequest(
            method: "GET", url: "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token",
            headers: [("Metadata-Flavor", "Google")], timeouts: .metadata)
        do throws(FetchFailure) {
            let (_, object) = try client.json(request, authorized: false, limit: 1 << 20, policy: RetryPolicy(maximumAttempts: 1))
            guard let token = object["access_token"] as? String, !token.isEmpty else { return .failure(MetadataMiss("no access_token in its answer")) }
            return .success(Token(value: token, expiresIn: lifetime(object["expires_in"])))
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

    private static func fromGcloud(_ gcloud: String, environment: [String: String], project: String?, redactor: Redactor) -> Result<Credentials, MetadataMiss> {
        let token: String
        switch printAccessToken(gcloud, environment: environment) {
        case .failure(let miss): return .failure(miss)
        case .success(let printed): token = printed
        }
        let quota = gcloudQuotaProject(gcloud, environment: environment, project: project)
        // gcloud does not say when its token expires; a rejected one is asked for again, and
        // gcloud refreshes it if it has expired in the meantime.
        let renewal: Credentials.Renewal = { () throws(TriageError) -> Token in
            switch printAccessToken(gcloud, environment: environment) {
            case .success(let value): return Token(value: value, expiresIn: nil)
            case .failure(let miss):
                throw .noCredentials(
                    reason: "gcloud auth print-access-token: \(miss.reason)", hint: "run 'gcloud auth login' and try again")
            }
        }
        return .success(Credentials(
            origin: "gcloud auth print-access-token", token: Token(value: token, expiresIn: nil), quotaProject: quota,
            renewal: renewal, redactor: redactor))
    }

    private static func printAccessToken(_ gcloud: String, environment: [String: String]) -> Result<String, MetadataMiss> {
        let printed: (status: Int32, output: String)
        switch runGcloud(gcloud, ["auth", "print-access-token", "--quiet"], environment: environment) {
        case .failure(let miss): return .failure(miss)
        case .success(let result): printed = result
        }
        guard printed.status == 0 else {
            return .failure(MetadataMiss(printed.status == 127 ? "gcloud is not installed" : "gcloud exited with status \(printed.status)"))
        }
        let token = printed.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else { return .failure(MetadataMiss("gcloud printed no token")) }
        return .success(token)
    }

    /// The quota project gcloud itself would bill: `CLOUDSDK_BILLING_QUOTA_PROJECT`, else
    /// `gcloud config get billing/quota_project`. `CURRENT_PROJECT` means the project being read;
    /// `LEGACY` (or nothing set) means none is sent.
    static func gcloudQuotaProject(_ gcloud: String, environment: [String: String], project: String?) -> String? {
        var value = environment["CLOUDSDK_BILLING_QUOTA_PROJECT"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if value.isEmpty, case .success(let result) = runGcloud(gcloud, ["config", "get", "billing/quota_project", "--quiet"], environment: environment),
            result.status == 0
        {
            value = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        switch value {
        case "", "(unset)", "LEGACY": return nil
        case "CURRENT_PROJECT": return project
        default:
            // A project id is letters, digits, hyphens (and a domain prefix with ':' and '.');
            // anything else is not one and is not sent.
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-:."))
            guard value.count <= 100, value.unicodeScalars.allSatisfy(allowed.contains) else { return nil }
            return value
        }
    }

    /// Runs gcloud with stdin and stderr closed; its exit status and standard output.
    private static func runGcloud(_ gcloud: String, _ arguments: [String], environment: [String: String]) -> Result<(status: Int32, output: String), MetadataMiss> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [gcloud] + arguments
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
        return .success((process.terminationStatus, String(decoding: data, as: UTF8.self)))
    }
}

extension Credentials.MetadataMiss: CustomStringConvertible {
    var description: String { reason }
}
