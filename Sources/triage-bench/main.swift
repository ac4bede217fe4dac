import ArgumentParser
import Foundation
import TriageKit

/// `make bench`: generates realistic firewall logs (deterministically) in every format triage
/// reads, then times triage on each beside jq on the same NDJSON, and prints throughput, peak
/// memory and the ratio.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "triage-bench", abstract: "Generate data and benchmark triage against jq.")

    @Option(help: "Size of the generated NDJSON, in MB (10^6 bytes).") var sizeMB = 1024
    @Option(help: "Where the generated files go.") var directory = ".bench"
    @Option(help: "The triage binary to measure.") var triage = ".build/release/triage"
    @Option(help: "The jq binary to compare with.") var jq = "/usr/bin/jq"
    @Flag(help: "Only generate the files.") var generateOnly = false
    @Option(help: "Runs per measurement (best and median are printed).") var runs = 5
    @Option(help: "Measure only the inputs whose label contains this text (e.g. YAML, gzip, 1024, high).") var only: String?
    @Option(help: "Cardinalities to generate and measure side by side: low (few distinct flows), high (noisy exports), or both.")
    var cardinality: [CardinalityProfile] = [.low, .high]
    @Option(help: "High cardinality: distinct internet addresses that scan and probe the nodes.") var internetSources = 40_000
    @Option(help: "High cardinality: distinct internet addresses pods call (CDNs, package hosts).") var internetDestinations = 60_000
    @Option(help: "High cardinality: distinct destination ports the scanners try.") var ports = 50
    @Option(help: "High cardinality: distinct node VMs.") var vms = 300
    @Option(help: "High cardinality: distinct pod addresses outside every pod range given.") var unrangedPods = 4_000
    @Flag(help: "Also time `cat FILE | triage -` for each NDJSON file (stdin from a pipe).") var pipe = false

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cluster = "\(directory)/cluster.json"
        try LogGenerator(seed: 20261123).clusterJSON.write(toFile: cluster, atomically: true, encoding: .utf8)
        var files: [(label: String, path: String, size: Int)] = []
        for profile in cardinality {
            let knobs = profile == .low ? Cardinality() : Cardinality(
                internetSources: internetSources, internetDestinations: internetDestinations, ports: ports, vms: vms,
                unrangedPods: unrangedPods)
            // Low cardinality keeps today's files (and every format); high is NDJSON only.
            let sizes = profile == .low ? [100, sizeMB] : [sizeMB]
            for size in sizes {
                let base = "\(directory)/firewall-\(size)mb" + knobs.fileTag
                let suffixes = profile == .low ? LogGenerator.allSuffixes : [".ndjson"]
                if suffixes.contains(where: { fileSize(base + $0) == 0 }) {
                    print("generating \(size) MB of \(profile)-cardinality firewall logs in \(directory) …")
                    var generator = LogGenerator(seed: 20261123, cardinality: knobs)
                    try generator.write(sizeBytes: size * 1_000_000, base: base, suffixes: suffixes)
                }
                files.append(("NDJSON \(size) MB \(profile)", base + ".ndjson", size))
                if size == sizeMB && profile == .low {
                    files.append(("gcloud JSON array", base + ".json", size))
                    files.append(("gcloud YAML", base + ".yaml", size))
                    files.append(("gzip (NDJSON inside)", base + ".gz", size))
                }
            }
        }
        if generateOnly { return }

        print("\n| input | bytes read | triage MB/s best | median | triage CPU s | triage peak RSS | jq MB/s | jq CPU s | jq peak RSS | triage/jq (best) | by CPU |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        var details: [String] = []
        for file in files where only.map({ file.label.localizedCaseInsensitiveContains($0) }) ?? true {
            let uncompressed = file.path.hasSuffix(".gz") ? fileSize(file.path.replacingOccurrences(of: ".gz", with: ".ndjson")) : fileSize(file.path)
            let arguments = ["--format", "json", "--quiet", "--cluster", cluster]
            let t = try measure([triage] + arguments + [file.path], runs: runs)
            var jqColumns = "– | – | – | – | –"
            if file.path.hasSuffix(".ndjson") {
                let filter = "select(.jsonPayload.disposition==\"DENIED\") | [.jsonPayload.connection.src_ip,.jsonPayload.connection.dest_ip,.jsonPayload.connection.dest_port]"
                let j = try measure([jq, "-c", filter, file.path], runs: 1)
                let ratio = j.seconds / t.seconds
                jqColumns = String(
                    format: "%.0f | %.1f | %@ | %.1f× | %.1f×", Double(uncompressed) / 1e6 / j.seconds, j.cpuSeconds, mib(j.peakRSS), ratio,
                    j.cpuSeconds / t.cpuSeconds)
                details.append("\(file.label): \(try verboseSummary(arguments: arguments, path: file.path))")
            }
            print(String(
                format: "| %@ | %@ | %.0f | %.0f | %.2f | %@ | %@ |", file.label, mib(Int64(uncompressed)),
                Double(uncompressed) / 1e6 / t.seconds, Double(uncompressed) / 1e6 / t.medianSeconds, t.cpuSeconds, mib(t.peakRSS), jqColumns))
            if pipe && file.path.hasSuffix(".ndjson") {
                // The shell waits for cat and triage: wait4 reports the larger peak RSS of the two.
                let command = "cat \(shellQuoted(file.path)) | " + ([triage] + arguments + ["-"]).map(shellQuoted).joined(separator: " ")
                let p = try measure(["/bin/sh", "-c", command], runs: runs)
                print(String(
                    format: "| %@ through a pipe | %@ | %.0f | %.0f | %.2f | %@ | – | – | – | – | – |", file.label, mib(Int64(uncompressed)),
                    Double(uncompressed) / 1e6 / p.seconds, Double(uncompressed) / 1e6 / p.medianSeconds, p.cpuSeconds, mib(p.peakRSS)))
            }
        }
        print("\nMB/s counts uncompressed bytes (10^6) per wall-clock second over \(runs) runs of triage (best and median; on a")
        print("shared machine noise only ever slows a run, so the best is the closest to the program's own cost); peak RSS")
        print("is the largest of the runs, from wait4(2). CPU s is user + system time of the fastest run (with a pipe, cat's")
        print("too): on a machine shared with other work it moves less than wall time, and the ratio by CPU says what the")
        print("programs cost apart from waiting for a core.")
        if !details.isEmpty {
            print("\nOne more run each with --verbose (read and analysis time, flow groups, records skipped):")
            for line in details { print("- \(line)") }
        }
    }

    func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// triage's own account of a run: its --verbose timing line and its summary line.
    func verboseSummary(arguments: [String], path: String) throws -> String {
        let log = "\(directory)/verbose.log"
        _ = try measure([triage] + arguments.filter { $0 != "--quiet" } + ["--verbose", path], runs: 1, stderrPath: log)
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
        let timing = lines.first { $0.contains("flow groups in") }.map(String.init) ?? "no timing line"
        let summary = lines.last { $0.contains("skipped") }.map(String.init) ?? "no summary line"
        return "\(timing); \(summary)"
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    func mib(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    /// Wall-clock best and median, the CPU time (user + system) of the best run, and peak RSS.
    struct Measurement { var seconds: Double; var medianSeconds: Double; var cpuSeconds: Double; var peakRSS: Int64 }

    /// Runs a command with stdout to /dev/null `runs` times; returns the best and median wall
    /// time and the largest peak RSS.
    func measure(_ argv: [String], runs: Int, stderrPath: String? = nil) throws -> Measurement {
        var times: [(wall: Double, cpu: Double)] = []
        var peak: Int64 = 0
        for _ in 0..<max(1, runs) {
            var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            if let stderrPath { posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
            defer { posix_spawn_file_actions_destroy(&actions) }
            var pid: pid_t = 0
            let cArgs = argv.map { strdup($0) } + [nil]
            defer { for p in cArgs { free(p) } }
            let start = DispatchTime.now().uptimeNanoseconds
            let status = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
            guard status == 0 else { throw ValidationError("cannot run \(argv[0]): \(String(cString: strerror(status)))") }
            var waitStatus: Int32 = 0
            var usage = rusage()
            wait4(pid, &waitStatus, 0, &usage)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let exitCode = (waitStatus >> 8) & 0xFF
            guard exitCode <= 1 else { throw ValidationError("\(argv.joined(separator: " ")) exited \(exitCode)") }
            func secondsOf(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
            times.append((seconds, secondsOf(usage.ru_utime) + secondsOf(usage.ru_stime)))
            peak = max(peak, Int64(usage.ru_maxrss) * 1024)
        }
        times.sort { $0.wall < $1.wall }
        return Measurement(seconds: times[0].wall, medianSeconds: times[times.count / 2].wall, cpuSeconds: times[0].cpu, peakRSS: peak)
    }
}

enum CardinalityProfile: String, ExpressibleByArgument, CaseIterable {
    case low, high
}

/// How many distinct values the noisy parts of an export draw from. All zero is the low-cardinality
/// traffic `make bench` has always generated (the same bytes for the same seed).
struct Cardinality {
    var internetSources = 0
    var internetDestinations = 0
    var ports = 0
    var vms = 0
    var unrangedPods = 0

    var isLow: Bool { internetSources == 0 && internetDestinations == 0 && ports == 0 && vms == 0 && unrangedPods == 0 }

    /// Part of the file name, so files of other knobs are never taken for these.
    var fileTag: String {
        isLow ? "" : "-high-\(internetSources)s-\(internetDestinations)d-\(ports)p-\(vms)vm-\(unrangedPods)u"
    }
}

/// Deterministic, realistic firewall log traffic of a private GKE cluster: webhooks from the
/// control plane, node egress to Google and the internet, health checks, pod-to-pod, IAP, and a
/// majority of ALLOWED traffic, over many nodes and pods.
struct LogGenerator {
    var random: SplitMix64
    let cardinality: Cardinality

    init(seed: UInt64, cardinality: Cardinality = Cardinality()) {
        random = SplitMix64(seed: seed)
        self.cardinality = cardinality
    }

    static let allSuffixes = [".ndjson", ".json", ".yaml", ".gz"]

    /// The k-th of a spread of public addresses (80.0.0.0 to 99.255.255.255: no private, shared,
    /// Google or documentation range), a different spread for each salt.
    static func publicAddress(_ k: Int, salt: UInt32) -> String {
        let v = (UInt32(truncatingIfNeeded: k) &+ salt) &* 2_654_435_761
        return "\(80 + (v >> 24) % 20).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)"
    }

    mutating func next() -> UInt64 { random.next() }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    let project = "kf-prod-4412"
    let network = "kubeflow-vpc"

    var clusterJSON: String {
        """
        {"name":"kf-private","id":"3f9a6c2e81d04b7fa1c9e5d2b7a04c6e18f2d9b3a7c5e1f04d8b2a6c9e3f7a15","location":"us-central1",
         "network":"kubeflow-vpc","subnetwork":"kubeflow-subnet","clusterIpv4Cidr":"10.20.0.0/14","servicesIpv4Cidr":"10.24.0.0/20",
         "selfLink":"https://container.googleapis.com/v1/projects/kf-prod-4412/locations/us-central1/clusters/kf-private",
         "privateClusterConfig":{"enablePrivateNodes":true,"masterIpv4CidrBlock":"172.16.0.0/28","privateEndpoint":"172.16.0.2"},
         "nodePools":[{"name":"default-pool","networkConfig":{"podIpv4CidrBlock":"10.20.0.0/14"}},
                      {"name":"gpu-pool","networkConfig":{"podIpv4CidrBlock":"10.32.0.0/16"}}]}
        """
    }

    mutating func entry(index: Int, baseTime: Int64) -> [String: Any] {
        let noisy = !cardinality.isLow
        let node = below(noisy && cardinality.vms > 0 ? cardinality.vms : 64)
        let nodeIP = "10.10.\(node / 250).\(2 + node % 250)"
        var podIP = below(4) == 0 ? "10.32.\(below(4)).\(2 + below(250))" : "10.20.\(below(64)).\(2 + below(250))"
        // Pods of a pool whose range nobody gave (10.60.0.0/16 is in no range of the cluster).
        func unrangedPod() -> String {
            let k = below(cardinality.unrangedPods)
            return "10.60.\(k / 250).\(2 + k % 250)"
        }
        if noisy && cardinality.unrangedPods > 0 && below(5) == 0 { podIP = unrangedPod() }
        let vm = "gke-kf-private-\(node % 5 == 0 ? "gpu" : "default")-pool-\(String(format: "%08x", UInt32(truncatingIfNeeded: node &* 2_654_435_761)))-\(String(node, radix: 36))x7k"
        let zone = ["us-central1-a", "us-central1-b", "us-central1-c"][node % 3]
        var src: String, dst: String, port: Int, direction: String, rule: String, priority: Int, denied: Bool
        var remote: [String: Any]?
        // High cardinality: 40% of records are scanners on many ports, pods calling many internet
        // addresses, and pods outside every given range calling each other; the rest as below.
        let noise = noisy ? below(100) : 100
        switch noise < 40 ? 100 + noise : below(100) {
        case 100..<115 where cardinality.internetSources > 0 && cardinality.ports > 0:
            let scanned = 1 + (below(cardinality.ports) &* 7_919) % 65_000
            (src, dst, port, direction) = (Self.publicAddress(below(cardinality.internetSources), salt: 17), nodeIP, scanned, "INGRESS")
            (rule, priority, denied) = ("deny-all-ingress", 65534, true)
            remote = ["continent": "Europe", "country": "nld"]
        case 100..<135 where cardinality.internetDestinations > 0:
            (src, dst, port, direction) = (podIP, Self.publicAddress(below(cardinality.internetDestinations), salt: 91), [443, 80][below(2)], "EGRESS")
            denied = below(10) < 3
            (rule, priority) = denied ? ("deny-all-egress", 65534) : ("allow-egress-internet", 1000)
            remote = ["continent": "America", "country": "usa"]
        case 100..<140 where cardinality.unrangedPods > 0:
            (src, dst, port, direction) = (unrangedPod(), unrangedPod(), [8080, 9000, 53][below(3)], "INGRESS")
            (rule, priority, denied) = ("gke-kf-private-3f9a6c2e-all", 1000, false)
        case 100...:
            (src, dst, port, direction) = (podIP, "10.20.\(below(64)).\(2 + below(250))", [8080, 9000, 53][below(3)], "INGRESS")
            (rule, priority, denied) = ("gke-kf-private-3f9a6c2e-all", 1000, false)
        case 0..<8:
            (src, dst, port, direction) = ("172.16.0.2", podIP, [8443, 9443, 15017, 6443][below(4)], "INGRESS")
            (rule, priority, denied) = ("deny-all-ingress", 65534, true)
        case 8..<14:
            (src, dst, port, direction) = (nodeIP, "172.16.0.2", 443, "EGRESS")
            (rule, priority, denied) = ("deny-all-egress", 65534, true)
        case 14..<24:
            (src, dst, port, direction) = (below(2) == 0 ? nodeIP : podIP, ["142.250.101.82", "74.125.20.82", "173.194.202.82"][below(3)], 443, "EGRESS")
            (rule, priority, denied) = ("deny-all-egress", 65534, true)
            remote = ["continent": "America", "country": "usa"]
        case 24..<32:
            (src, dst, port, direction) = ("35.191.\(below(256)).\(below(256))", below(2) == 0 ? nodeIP : podIP, [30443, 8080, 10256][below(3)], "INGRESS")
            (rule, priority, denied) = ("deny-all-ingress", 65534, true)
        case 32..<38:
            (src, dst, port, direction) = (podIP, "140.82.\(112 + below(4)).\(below(8))", 443, "EGRESS")
            (rule, priority, denied) = ("deny-all-egress", 1000, true)
            remote = ["continent": "America", "country": "usa", "region": "California", "city": "San Francisco"]
        case 38..<42:
            (src, dst, port, direction) = ("35.235.240.\(below(256))", nodeIP, 22, "INGRESS")
            (rule, priority, denied) = ("deny-all-ingress", 65534, true)
        case 42..<70:
            (src, dst, port, direction) = ("172.16.0.2", nodeIP, [443, 10250][below(2)], "INGRESS")
            (rule, priority, denied) = ("gke-kf-private-3f9a6c2e-master", 1000, false)
        default:
            (src, dst, port, direction) = (podIP, "10.20.\(below(64)).\(2 + below(250))", [8080, 9000, 53][below(3)], "INGRESS")
            (rule, priority, denied) = ("gke-kf-private-3f9a6c2e-all", 1000, false)
        }
        let time = baseTime + Int64(index) * 2_500 + Int64(below(2_500))
        var details: [String: Any] = [
            "action": denied ? "DENY" : "ALLOW", "direction": direction, "priority": priority,
            "reference": "network:\(network)/firewall:\(rule)", "ip_port_info": [["ip_protocol": "ALL"]],
        ]
        if direction == "INGRESS" {
            details["source_range"] = denied ? ["0.0.0.0/0"] : [rule.hasSuffix("master") ? "172.16.0.0/28" : "10.20.0.0/14"]
            details["target_tag"] = ["gke-kf-private-3f9a6c2e-node"]
        } else {
            details["destination_range"] = ["0.0.0.0/0"]
        }
        var payload: [String: Any] = [
            "connection": ["src_ip": src, "src_port": 32768 + below(28000), "dest_ip": dst, "dest_port": port, "protocol": 6],
            "disposition": denied ? "DENIED" : "ALLOWED",
            "instance": ["project_id": project, "region": "us-central1", "vm_name": vm, "zone": zone],
            "rule_details": details,
            "vpc": ["project_id": project, "subnetwork_name": "kubeflow-subnet", "vpc_name": network],
        ]
        if let remote { payload["remote_location"] = remote }
        let insert = String(next() & 0xFFFF_FFFF_FFFF, radix: 36)
        return [
            "insertId": insert,
            "jsonPayload": payload,
            "logName": "projects/\(project)/logs/compute.googleapis.com%2Ffirewall",
            "receiveTimestamp": Timestamp.format(time + 4_000_000),
            "resource": [
                "labels": ["location": "us-central1", "project_id": project, "subnetwork_id": "6834271051297485210", "subnetwork_name": "kubeflow-subnet"],
                "type": "gce_subnetwork",
            ],
            "timestamp": Timestamp.format(time),
        ]
    }

    /// Writes NDJSON of about `sizeBytes`, and the same records as a gcloud JSON array, gcloud
    /// YAML and gzip.
    /// Only the formats in `suffixes` are written (the others cost most of the time).
    mutating func write(sizeBytes: Int, base: String, suffixes: [String] = LogGenerator.allSuffixes) throws {
        var generator = self
        let outputs = try Self.allSuffixes.map { suffix -> FileHandle? in
            guard suffixes.contains(suffix) else { return nil }
            _ = FileManager.default.createFile(atPath: base + suffix, contents: nil)
            return try FileHandle(forWritingTo: URL(fileURLWithPath: base + suffix))
        }
        let gzip = outputs[3].map { GzipWriter(handle: $0, level: 6) }
        outputs[1]?.write(Data("[\n".utf8))
        var written = 0
        var index = 0
        let baseTime = Timestamp.parse("2026-11-22T00:00:00Z")!
        while written < sizeBytes {
            var ndjson = ""
            var array = ""
            var yaml = ""
            for _ in 0..<2000 {
                let entry = generator.entry(index: index, baseTime: baseTime)
                let line = FormatWriter.json(entry, indent: nil) + "\n"
                ndjson += line
                if outputs[1] != nil { array += (index == 0 ? "  " : ",\n  ") + FormatWriter.json(entry, indent: 1) }
                if outputs[2] != nil { yaml += "---\n" + FormatWriter.yaml(entry) }
                index += 1
            }
            let bytes = Array(ndjson.utf8)
            written += bytes.count
            outputs[0]?.write(Data(bytes))
            outputs[1]?.write(Data(array.utf8))
            outputs[2]?.write(Data(yaml.utf8))
            gzip?.write(bytes)
        }
        outputs[1]?.write(Data("\n]\n".utf8))
        gzip?.finish()
        for case let output? in outputs { try output.close() }
    }
}
