import Foundation
import Yams

/// What the user said about the network on the command line.
public struct TopologyOptions: Sendable {
    public var masterCIDRs: [String] = []
    public var nodeCIDRs: [String] = []
    public var podCIDRs: [String] = []
    public var serviceCIDRs: [String] = []
    public var clusterFiles: [String] = []
    public var nodeTag: String?
    public var network: String?
    public var project: String?

    public init() {}
}

/// One input to read: a file, or standard input.
public struct InputSpec: Sendable, Equatable {
    public var path: String?
    public var displayName: String

    public static let standardInput = InputSpec(path: nil, displayName: "<stdin>")
}

/// Wires inputs, evidence, rules and topology together; the executable only parses flags.
public enum Pipeline {
    public static func topology(from options: TopologyOptions) throws(TriageError) -> Topology {
        var topology = Topology()
        topology.nodeTag = options.nodeTag
        topology.network = options.network
        topology.project = options.project
        for path in options.clusterFiles { topology.addCluster(try readCluster(path)) }
        func add(_ texts: [String], _ role: Role, _ flag: String) throws(TriageError) {
            for text in texts {
                for piece in text.split(separator: ",") {
                    guard let cidr = CIDR(String(piece)) else {
                        throw .usage("\(flag): '\(piece)' is not an address range like 172.16.0.0/28")
                    }
                    topology.addRange(cidr, role: role, reason: "given with \(flag)")
                }
            }
        }
        try add(options.nodeCIDRs, .node, "--node-cidr")
        try add(options.podCIDRs, .pod, "--pod-cidr")
        try add(options.serviceCIDRs, .service, "--service-cidr")
        try add(options.masterCIDRs, .controlPlane, "--master-cidr")
        return topology
    }

    /// Reads `gcloud container clusters describe` output (YAML or JSON, possibly gzip).
    public static func readCluster(_ path: String) throws(TriageError) -> ClusterInfo {
        let collector = EvidenceCollector()
        let reader: InputReader
        do {
            reader = InputReader(name: path, source: try FileDescriptorSource(path: path))
        }
        if let error = collector.read(reader) { throw error }
        guard let cluster = collector.clusters.first else {
            throw .badCluster(input: path, reason: "no cluster description found in it")
        }
        return cluster
    }

    /// Expands directories (recursively, in name order) into files. Hidden files are skipped.
    public static func expand(_ paths: [String]) throws(TriageError) -> [InputSpec] {
        var specs: [InputSpec] = []
        for path in paths {
            if path == "-" {
                specs.append(.standardInput)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .cannotOpen(path: path, reason: "no such file or directory")
            }
            if !isDirectory.boolValue {
                specs.append(InputSpec(path: path, displayName: path))
                continue
            }
            var files: [String] = []
            let enumerator = FileManager.default.enumerator(
                at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.isRegularFileKey],
                options: [.skipsHiddenFiles])
            while let url = enumerator?.nextObject() as? URL {
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                    files.append(url.path)
                }
            }
            for file in files.sorted() { specs.append(InputSpec(path: file, displayName: file)) }
        }
        return specs
    }

    /// Reads every input into one collector. Errors that stop an input are returned; the others
    /// are still read.
    public static func collect(_ inputs: [InputSpec], into collector: EvidenceCollector) -> [TriageError] {
        var errors: [TriageError] = []
        for input in inputs {
            let source: ByteSource
            if let path = input.path {
                do {
                    source = try FileDescriptorSource(path: path)
                } catch {
                    errors.append(error)
                    collector.noteUnreadable(error)
                    continue
                }
            } else {
                source = FileDescriptorSource(descriptor: 0, name: input.displayName, closeWhenDone: false)
            }
            if let error = collector.read(InputReader(name: input.displayName, source: source)) { errors.append(error) }
        }
        return errors
    }

    /// Built-in rules plus any `--rules` directories.
    public static func rules(extra: [String]) throws(TriageError) -> [Rule] {
        var sets = [try RuleLoader.builtIn()]
        for path in extra { sets.append(try RuleLoader.load(path: path)) }
        return try RuleLoader.merge(sets)
    }
}

extension EvidenceCollector {
    func noteUnreadable(_ error: TriageError) {
        problemCount(error)
    }
}
