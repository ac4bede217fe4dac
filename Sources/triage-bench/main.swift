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
    @Option(help: "Measure only the inputs whose label contains this text (e.g. YAML, gzip, 1024).") var only: String?

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var generator = LogGenerator(seed: 20261123)
        let cluster = "\(directory)/cluster.json"
        try generator.clusterJSON.write(toFile: cluster, atomically: true, encoding: .utf8)
        let sizes = [100, sizeMB]
        var files: [(label: String, path: String, size: Int)] = []
        for size in sizes {
            let base = "\(directory)/firewall-\(size)mb"
            if !FileManager.default.fileExists(atPath: base + ".ndjson") || fileSize(base + ".gz") == 0 {
                print("generating \(size) MB of firewall logs in \(directory) …")
                try generator.write(sizeBytes: size * 1_000_000, base: base)
            }
            files.append(("NDJSON \(size) MB", base + ".ndjson", size))
            if size == sizeMB {
                files.append(("gcloud JSON array", base + ".json", size))
                files.append(("gcloud YAML", base + ".yaml", size))
                files.append(("gzip (NDJSON inside)", base + ".gz", size))
            }
        }
        if generateOnly { return }

        print("\n| input | bytes read | triage MB/s best | median | triage peak RSS | jq MB/s | jq peak RSS | triage/jq (best) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for file in files where only.map({ file.label.localizedCaseInsensitiveContains($0) }) ?? true {
            let uncompressed = file.path.hasSuffix(".gz") ? fileSize(file.path.replacingOccurrences(of: ".gz", with: ".ndjson")) : fileSize(file.path)
            let t = try measure([triage, "--format", "json", "--quiet", "--cluster", cluster, file.path], runs: runs)
            var jqColumns = "– | – | –"
            if file.path.hasSuffix(".ndjson") {
                let filter = "select(.jsonPayload.disposition==\"DENIED\") | [.jsonPayload.connection.src_ip,.jsonPayload.connection.dest_ip,.jsonPayload.connection.dest_port]"
                let j = try measure([jq, "-c", filter, file.path], runs: 1)
                let ratio = j.seconds / t.seconds
                jqColumns = String(format: "%.0f | %@ | %.1f×", Double(uncompressed) / 1e6 / j.seconds, mib(j.peakRSS), ratio)
            }
            print(String(
                format: "| %@ | %@ | %.0f | %.0f | %@ | %@ |", file.label, mib(Int64(uncompressed)),
                Double(uncompressed) / 1e6 / t.seconds, Double(uncompressed) / 1e6 / t.medianSeconds, mib(t.peakRSS), jqColumns))
        }
        print("\nMB/s counts uncompressed bytes (10^6) per wall-clock second over \(runs) runs of triage (best and median; on a")
        print("shared machine noise only ever slows a run, so the best is the closest to the program's own cost); peak RSS")
        print("is the largest of the runs, from wait4(2).")
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    func mib(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    struct Measurement { var seconds: Double; var medianSeconds: Double; var peakRSS: Int64 }

    /// Runs a command with stdout to /dev/null `runs` times; returns the best and median wall
    /// time and the largest peak RSS.
    func measure(_ argv: [String], runs: Int) throws -> Measurement {
        var times: [Double] = []
        var peak: Int64 = 0
        for _ in 0..<max(1, runs) {
            var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
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
            times.append(seconds)
            peak = max(peak, Int64(usage.ru_maxrss) * 1024)
        }
        times.sort()
        return Measurement(seconds: times[0], medianSeconds: times[times.count / 2], peakRSS: peak)
    }
}

/// Deterministic, realistic firewall log traffic of a private GKE cluster: webhooks from the
/// control plane, node egress to Google and the internet, health checks, pod-to-pod, IAP, and a
/// majority of ALLOWED traffic, over many nodes and pods.
struct LogGenerator {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

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
        let node = below(64)
        let nodeIP = "10.10.\(node / 250).\(2 + node % 250)"
        let podIP = below(4) == 0 ? "10.32.\(below(4)).\(2 + below(250))" : "10.20.\(below(64)).\(2 + below(250))"
        let vm = "gke-kf-private-\(node % 5 == 0 ? "gpu" : "default")-pool-\(String(format: "%08x", UInt32(truncatingIfNeeded: node &* 2_654_435_761)))-\(String(node, radix: 36))x7k"
        let zone = ["us-central1-a", "us-central1-b", "us-central1-c"][node % 3]
        var src: String, dst: String, port: Int, direction: String, rule: String, priority: Int, denied: Bool
        var remote: [String: Any]?
        switch below(100) {
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
    mutating func write(sizeBytes: Int, base: String) throws {
        var generator = self
        let outputs = try [".ndjson", ".json", ".yaml", ".gz"].map { suffix -> FileHandle in
            _ = FileManager.default.createFile(atPath: base + suffix, contents: nil)
            return try FileHandle(forWritingTo: URL(fileURLWithPath: base + suffix))
        }
        let gzip = GzipWriter(handle: outputs[3], level: 6)
        outputs[1].write(Data("[\n".utf8))
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
                array += (index == 0 ? "  " : ",\n  ") + FormatWriter.json(entry, indent: 1)
                yaml += "---\n" + FormatWriter.yaml(entry)
                index += 1
            }
            let bytes = Array(ndjson.utf8)
            written += bytes.count
            outputs[0].write(Data(bytes))
            outputs[1].write(Data(array.utf8))
            outputs[2].write(Data(yaml.utf8))
            gzip.write(bytes)
        }
        outputs[1].write(Data("\n]\n".utf8))
        gzip.finish()
        for output in outputs { try output.close() }
    }
}
