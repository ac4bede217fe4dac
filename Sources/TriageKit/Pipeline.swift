import Foundation
import Yams

/// What the user said about the network on the command line.
public struct TopologyOptions: Sendable {
    public var masterCIDRs: [String] = []
    public var nodeCIDRs: [String] = []
    public var podCIDRs: [String] = []
    public var serviceCIDRs: [String] = []
    public var clusterFiles: [String] = []
    /// `--cluster NAME` (a value that is no file but a cluster's name): the one cluster, among
    /// those described in the inputs, that checks and fixes are about.
    public var clusterName: String?
    public var nodeTag: String?
    public var network: String?
    public var project: String?
    /// `--now`: an RFC 3339 time to judge durations against instead of the clock.
    public var now: String?

    public init() {}
}

/// One input to read: a file, or standard input.
public struct InputSpec: Sendable, Equatable {
    public var path: String?
    public var displayName: String
    /// Why a path found in a walked folder cannot be read (permission denied, a symlink loop,
    /// not a regular file); it is then named as an unreadable input instead of being read.
    public var unreadable: String? = nil

    public static let standardInput = InputSpec(path: nil, displayName: "<stdin>")
}

/// Wires inputs, evidence, rules and topology together; the executable only parses flags.
public enum Pipeline {
    /// `onProblem` hears of values in `--cluster` descriptions that failed their check.
    public static func topology(
        from options: TopologyOptions, onProblem: ((InputProblem) -> Void)? = nil
    ) throws(TriageError) -> Topology {
        var topology = Topology()
        topology.nodeTag = options.nodeTag
        topology.network = options.network
        topology.project = options.project
        if let now = options.now {
            guard let parsed = Timestamp.parse(now) else {
                throw .usage("--now: '\(now)' is not a time like 2026-11-22T10:00:00Z")
            }
            topology.now = parsed
        }
        topology.selectedCluster = options.clusterName
        for path in options.clusterFiles {
            // A cluster's name where a file was expected selects that cluster among those described.
            if !FileManager.default.fileExists(atPath: path), TriageError.looksLikeClusterName(path) {
                if let chosen = topology.selectedCluster, chosen != path {
                    throw .usage("--cluster: one cluster at a time; got \(chosen) and \(path)")
                }
                topology.selectedCluster = path
                continue
            }
            topology.addCluster(try readCluster(path, onProblem: onProblem))
        }
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

    /// `--cluster NAME` must name a cluster the inputs describe; the error lists those found.
    public static func checkSelectedCluster(_ topology: Topology, read: [ClusterInfo]) throws(TriageError) {
        guard let name = topology.selectedCluster else { return }
        var found: [String] = []
        for cluster in topology.clusters + read where !found.contains(cluster.name) { found.append(cluster.name) }
        guard !found.contains(name) else { return }
        if found.isEmpty {
            throw .usage(
                "--cluster \(name): no cluster description was read to choose it from; if \(name) is a cluster, read it live: "
                    + "triage --live --project PROJECT --cluster \(name); or save its description: gcloud container clusters describe "
                    + "\(name) --location LOCATION --format=yaml > \(name).yaml and give that file")
        }
        throw .usage("--cluster \(name): no such cluster among those described (\(found.joined(separator: ", ")))")
    }

    /// Reads `gcloud container clusters describe` output (YAML or JSON, possibly gzip).
    public static func readCluster(_ path: String, onProblem: ((InputProblem) -> Void)? = nil) throws(TriageError) -> ClusterInfo {
        let collector = EvidenceCollector()
        var problems: [InputProblem] = []
        collector.onProblem = { problems.append($0) }
        let reader: InputReader
        do {
            reader = InputReader(name: path, source: try FileDescriptorSource(path: path))
        }
        if let error = collector.read(reader) { throw error }
        guard let cluster = collector.clusters.first else {
            // What stopped the description (a refused alias bomb, a broken document) says more.
            if let problem = problems.first {
                throw .badCluster(input: path, reason: (problem.line.map { "line \($0): " } ?? "") + problem.reason)
            }
            throw .badCluster(input: path, reason: "no cluster description found in it")
        }
        // Values the description holds that were not believed (an invalid range) are named once
        // the description is known to be usable; a refused one says why in its error instead.
        problems.forEach { onProblem?($0) }
        return cluster
    }

    /// Expands directories (recursively, in name order) into files. Hidden files and Markdown
    /// notes (*.md) are skipped. What a walked folder holds that cannot be read (a subfolder that
    /// will not open, a symlink loop, a FIFO, socket or device) comes back as an input with its
    /// reason, so that the run names it; a path named on the command line that does not exist
    /// is an error. `openDirectory` is opendir(3), replaceable by tests.
    public static func expand(
        _ paths: [String], openDirectory: (String) -> OpaquePointer? = { opendir($0) }
    ) throws(TriageError) -> [InputSpec] {
        var specs: [InputSpec] = []
        for path in paths {
            if path == "-" {
                specs.append(.standardInput)
                continue
            }
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw .cannotOpen(path: path, reason: reason(errno))
            }
            if (info.st_mode & S_IFMT) != S_IFDIR {
                // Named on purpose, a FIFO is read too (`triage <(gcloud …)`).
                specs.append(InputSpec(path: path, displayName: path))
                continue
            }
            var found: [InputSpec] = []
            walk(path, ancestors: [DirectoryIdentity(info)], into: &found, openDirectory: openDirectory)
            specs += found.sorted { $0.displayName < $1.displayName }
        }
        return specs
    }

    /// A directory's device and inode: seeing one again below itself is a symlink loop.
    private struct DirectoryIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    private static func walk(
        _ directory: String, ancestors: Set<DirectoryIdentity>, into found: inout [InputSpec],
        openDirectory: (String) -> OpaquePointer?
    ) {
        guard let handle = openDirectory(directory) else {
            found.append(InputSpec(path: directory, displayName: directory, unreadable: reason(errno)))
            return
        }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") { continue }  // hidden files, and . and ..
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else {
                found.append(InputSpec(path: path, displayName: path, unreadable: reason(errno)))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                let identity = DirectoryIdentity(info)
                if ancestors.contains(identity) {
                    found.append(InputSpec(path: path, displayName: path, unreadable: "symlink loop (leads back to a folder above it)"))
                } else {
                    walk(path, ancestors: ancestors.union([identity]), into: &found, openDirectory: openDirectory)
                }
            case S_IFREG:
                // A folder of evidence often carries notes about it (README.md); they are not evidence.
                if !name.hasSuffix(".md") { found.append(InputSpec(path: path, displayName: path)) }
            default:
                // Reading a FIFO found in a folder could wait forever; a device could be endless.
                let kind: String
                switch info.st_mode & S_IFMT {
                case S_IFIFO: kind = "a FIFO"
                case S_IFSOCK: kind = "a socket"
                case S_IFCHR, S_IFBLK: kind = "a device"
                default: kind = "a special file"
                }
                found.append(InputSpec(path: path, displayName: path, unreadable: "not a regular file (\(kind))"))
            }
        }
    }

    /// strerror's sentence, with ELOOP said plainly.
    static func reason(_ code: Int32) -> String {
        if code == ELOOP { return "symlink loop (too many levels of symbolic links)" }
        if code == ENOENT { return "no such file or directory" }
        return String(cString: strerror(code)).lowercased()
    }

    /// For tests: called once a file's halves are open and before they are read (to change the
    /// file under the readers, as log rotation does).
    @TaskLocal static var halvesOpened: (@Sendable (String) -> Void)?

    /// Plain (uncompressed) files at least this large are read by two threads, one half each. A variable so tests can take the parallel path with small files.
    nonisolated(unsafe) public static var parallelThreshold: Int64 = 32 << 20

    /// Reads every input into one collector. Errors that stop an input are returned; the others
    /// are still read.
    public static func collect(_ inputs: [InputSpec], into collector: EvidenceCollector) -> [TriageError] {
        var errors: [TriageError] = []
        for input in inputs {
            let source: ByteSource
            if let path = input.path, input.unreadable == nil, let split = splitPoint(path) {
                if let error = collectInHalves(path: path, name: input.displayName, split: split, into: collector) {
                    errors.append(error)
                }
                continue
            }
            if let path = input.path {
                do throws(TriageError) {
                    if let reason = input.unreadable { throw .cannotOpen(path: path, reason: reason) }
                    source = try FileDescriptorSource(path: path)
                } catch {
                    errors.append(error)
                    collector.countUnreadable(error, input: input.displayName)
                    continue
                }
            } else {
                source = FileDescriptorSource(descriptor: 0, name: input.displayName, closeWhenDone: false)
            }
            if let error = collector.read(InputReader(name: input.displayName, source: source)) { errors.append(error) }
        }
        return errors
    }

    /// How to cut a large plain file in two: where, and what the halves look like.
    struct Split {
        var offset: Int64
        var fileSize: Int64
        var format: InputFormat
        var firstPart: InputReader.ArrayPart
        var secondPart: InputReader.ArrayPart
    }

    /// Where to cut a large uncompressed file in two, at a record boundary near its middle:
    /// after a newline (NDJSON), before a `---` line (gcloud YAML), or before an array element
    /// that opens at the same column as the first one (gcloud JSON arrays).
    static func splitPoint(_ path: String) -> Split? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int64(info.st_size) >= parallelThreshold,
            ProcessInfo.processInfo.activeProcessorCount > 1
        else { return nil }
        let size = Int64(info.st_size)
        guard let head = try? FileRangeSource(path: path, start: 0, end: min(size, 1 << 20)) else { return nil }
        let sniffer = InputReader(name: path, source: head)
        // Only plain text can be cut; gzip has to be inflated from its start.
        guard let format = try? sniffer.detectFormat(), !sniffer.wasCompressed else { return nil }
        func bytes(from start: Int64, count: Int) -> [UInt8] {
            guard let source = try? FileRangeSource(path: path, start: start, end: min(size, start + Int64(count))) else { return [] }
            var buffer = [UInt8](repeating: 0, count: count)
            let n = buffer.withUnsafeMutableBytes { (try? source.read(into: $0)) ?? 0 }
            return Array(buffer.prefix(n))
        }
        let middle = size / 2
        let window = bytes(from: middle, count: 4 << 20)
        switch format {
        case .ndjson:
            guard let newline = window.firstIndex(of: 0x0A) else { return nil }
            return Split(offset: middle + Int64(newline) + 1, fileSize: size, format: .ndjson, firstPart: [], secondPart: [])
        case .yaml:
            var i = 0
            while let newline = window[i...].firstIndex(of: 0x0A) {
                let start = newline + 1
                if start + 3 <= window.count, window[start] == 0x2D, window[start + 1] == 0x2D, window[start + 2] == 0x2D,
                    start + 3 == window.count || window[start + 3] == 0x0A || window[start + 3] == 0x20
                {
                    return Split(offset: middle + Int64(start), fileSize: size, format: .yaml, firstPart: [], secondPart: [])
                }
                i = start
            }
            return nil
        case .jsonStream:
            // Only arrays laid out one element per block, as gcloud and jq print them.
            let first = bytes(from: 0, count: 1 << 16)
            guard let open = first.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first[open] == 0x5B,
                let element = first[(open + 1)...].firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
                first[element] == 0x7B
            else { return nil }
            var lineStart = element
            while lineStart > 0 && first[lineStart - 1] != 0x0A { lineStart -= 1 }
            guard lineStart > open else { return nil }  // the first element must open on its own line
            let column = element - lineStart
            var i = 0
            while let newline = window[i...].firstIndex(of: 0x0A) {
                let start = newline + 1
                if start + column < window.count, window[start..<(start + column)].allSatisfy({ $0 == 0x20 }),
                    window[start + column] == 0x7B
                {
                    return Split(offset: middle + Int64(start), fileSize: size, format: .jsonStream, firstPart: .endsInside, secondPart: .startsInside)
                }
                i = start
            }
            return nil
        case .text:
            return nil
        }
    }

    /// Two readers, two collectors, one per half; the second's findings and problems are merged
    /// into the first's with their line numbers shifted by the first half's line count.
    static func collectInHalves(path: String, name: String, split: Split, into collector: EvidenceCollector) -> TriageError? {
        final class Half: @unchecked Sendable {  // each touched by one thread only, then joined
            var reader: InputReader?
            let collector: EvidenceCollector
            var problems: [InputProblem] = []
            var error: TriageError?
            init(_ collector: EvidenceCollector) { self.collector = collector }
        }
        // Bounded as the whole is: the halves fold past the same bound, as one read would.
        let halves = [Half(collector.sibling()), Half(collector.sibling())]
        let ranges: [(Int64, Int64)] = [(0, split.offset), (split.offset, split.fileSize)]
        let parts = [split.firstPart, split.secondPart]
        for (index, half) in halves.enumerated() {
            // --since/--from/--to hold for both halves, as for one read.
            half.collector.window = collector.window
            if index == 0 {
                half.collector.onProblem = collector.onProblem
            } else {
                half.collector.onProblem = { [unowned half] in half.problems.append($0) }
            }
            do {
                let source = try FileRangeSource(path: path, start: ranges[index].0, end: ranges[index].1)
                half.reader = InputReader(
                    name: name, source: source, format: split.format, startOffset: ranges[index].0, arrayPart: parts[index])
            } catch {
                return error
            }
        }
        halvesOpened?(path)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let half = halves[index]
            if let reader = half.reader { half.error = half.collector.read(reader) }
        }
        let lines = halves[0].reader?.linesCounted ?? 0
        collector.absorb(halves[0].collector, lineOffset: 0, byteOffset: 0)
        collector.absorb(halves[1].collector, lineOffset: lines, byteOffset: 0)
        collector.countInput()
        for var problem in halves[1].problems where !collector.repeatsAReport(problem) {
            problem.line = problem.line.map { $0 + lines }
            collector.problem(problem, counted: false)
        }
        return halves[0].error ?? halves[1].error
    }

    /// Built-in rules plus any `--rules` directories.
    public static func rules(extra: [String]) throws(TriageError) -> [Rule] {
        var sets = [try RuleLoader.builtIn()]
        for path in extra { sets.append(try RuleLoader.load(path: path)) }
        return try RuleLoader.merge(sets)
    }
}
