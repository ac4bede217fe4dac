import Foundation

/// tools/fakegcp/server.py on 127.0.0.1 with a port of its own, serving a copy of a scenario's
/// fixtures plus whatever a test adds (errors.json, auth.json). Stopped when released.
final class FakeGCPServer: @unchecked Sendable {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    let root: URL
    let port: Int
    let requestLog: URL
    private let process: Process

    let scheme: String
    var base: String { "\(scheme)://127.0.0.1:\(port)/" }

    /// `files` maps a path under the fixture root to its JSON content. With `tls` (a PEM
    /// certificate and key) the server speaks HTTPS.
    init(scenario: String = "mixed", files: [String: Any] = [:], tls: (certificate: URL, key: URL)? = nil) throws {
        scheme = tls == nil ? "http" : "https"
        let fm = FileManager.default
        root = fm.temporaryDirectory.appendingPathComponent("fakegcp-\(UUID().uuidString)")
        try fm.copyItem(at: Self.packageRoot.appendingPathComponent("tools/scenarios/\(scenario)"), to: root)
        for (path, content) in files {
            let data = try JSONSerialization.data(withJSONObject: content, options: [.sortedKeys])
            try data.write(to: root.appendingPathComponent(path))
        }
        requestLog = root.appendingPathComponent("requests.jsonl")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.packageRoot.appendingPathComponent("tools/fakegcp/server.py").path,
            "--root", root.path, "--request-log", requestLog.path,
        ] + (tls.map { ["--tls-cert", $0.certificate.path, "--tls-key", $0.key.path] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints its port once it listens.
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ServerError.noPort
        }
        self.port = port
    }

    enum ServerError: Error { case noPort }

    deinit {
        // SIGKILL: a child started from a test thread inherits its blocked signals, SIGTERM included.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes a fixture (read by the server on each request that needs it), making its folder.
    func write(_ path: String, _ content: Any) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: content, options: [.sortedKeys]).write(to: url)
    }

    /// The requests the server saw, one dictionary each.
    func requests() -> [[String: Any]] {
        guard let data = try? Data(contentsOf: requestLog) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    func requests(pathPrefix: String) -> [[String: Any]] {
        requests().filter { ($0["path"] as? String)?.hasPrefix(pathPrefix) == true }
    }

    /// An environment that points every API at this server and can reach nothing else: no
    /// credentials besides what the test adds, the metadata server on this server too.
    func environment(home: URL) -> [String: String] {
        [
            "HOME": home.path, "CLOUDSDK_CONFIG": home.appendingPathComponent("gcloud").path,
            "GCE_METADATA_HOST": "127.0.0.1:\(port)", "NO_PROXY": "*",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING": base, "CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER": base,
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": base, "CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS": base,
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_BIGQUERY": base,
        ]
    }
}
