import Foundation
import Testing
@testable import TriageKit

/// Random firewall LogEntries, serialised here with random key order, whitespace and escapes:
/// what the scanner extracts must be what Foundation's JSONSerialization decodes from the same
/// line, and every format FormatWriter produces must read back to the same fields.
struct ScannerPropertyTests {
    /// A JSON value whose object keys keep the order they were generated in.
    indirect enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case int(Int)
        case null
    }

    /// Serialises with random spacing and random (valid) escapes: the short and the \u forms of
    /// the characters that must be escaped, `\/`, and non-ASCII text escaped or raw.
    struct Writer {
        var random: SplitMix64

        mutating func space() -> String { random.chance(0.2) ? random.pick([" ", "\t", "  ", " \t "]) : "" }

        mutating func write(_ value: Value) -> String {
            switch value {
            case .object(let members):
                // Keys are written plainly, as every LogEntry producer does (the scanner matches keys
                // byte for byte and does not decode escaped ones).
                let body = members.map { key, child in space() + "\"" + key + "\"" + space() + ":" + space() + write(child) + space() }
                return "{" + body.joined(separator: ",") + "}"
            case .array(let items):
                return "[" + items.map { space() + write($0) + space() }.joined(separator: ",") + "]"
            case .string(let text): return quote(text)
            case .int(let number): return String(number)
            case .null: return "null"
            }
        }

        mutating func hex(_ value: UInt32) -> String {
            let digits = String(value, radix: 16)
            let padded = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            return random.chance(0.5) ? padded.uppercased() : padded
        }

        mutating func quote(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += random.chance(0.8) ? "\\\"" : "\\u0022"
                case "\\": out += random.chance(0.8) ? "\\\\" : "\\u005c"
                case "\n": out += random.chance(0.5) ? "\\n" : "\\u000a"
                case "\t": out += random.chance(0.5) ? "\\t" : "\\u0009"
                case "\r": out += "\\r"
                case "/": out += random.chance(0.3) ? "\\/" : "/"
                default:
                    if scalar.value < 0x20 {
                        out += "\\u" + hex(scalar.value)
                    } else if scalar.value > 0x7F && random.chance(0.3) {
                        // Non-ASCII as \uXXXX, as Python's json.dumps writes it by default.
                        if scalar.value > 0xFFFF {
                            let v = scalar.value - 0x10000
                            out += "\\u" + hex(0xD800 + (v >> 10)) + "\\u" + hex(0xDC00 + (v & 0x3FF))
                        } else {
                            out += "\\u" + hex(scalar.value)
                        }
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
    }

    /// Makes entries; rule details are fixed per rule reference, as they are in real logs.
    struct Generator {
        var random: SplitMix64
        var rules: [String: Value] = [:]

        mutating func shuffled(_ members: [(String, Value)]) -> Value {
            .object(members.shuffled(using: &random))
        }

        mutating func name(_ prefix: String) -> String {
            let pieces = ["a", "b", "-", "7", "é", "日本", "🚀", "\"", "\\", "'", " ", "\n", "\t", "/", ":", "ü", "{", "]", "#", "\u{7}"]
            var text = prefix
            for _ in 0..<random.int(0...8) { text += random.pick(pieces) }
            return text
        }

        mutating func address() -> String {
            if random.chance(0.6) {
                return (0..<4).map { _ in String(random.int(0...255)) }.joined(separator: ".")
            }
            var groups = (0..<8).map { _ in String(random.int(0...0xFFFF), radix: 16) }
            if random.chance(0.5) {
                let start = random.int(1...5)
                groups[start] = "0"
                groups[start + 1] = "0"
                return groups[0..<start].joined(separator: ":") + "::" + groups[(start + 2)...].joined(separator: ":")
            }
            if random.chance(0.3) { groups = groups.map { $0.uppercased() } }
            return groups.joined(separator: ":")
        }

        mutating func number(_ value: Int) -> Value { random.chance(0.7) ? .int(value) : .string(String(value)) }

        mutating func timestamp() -> String {
            let seconds = Int64(random.int(1_600_000_000...1_900_000_000))
            let micros = random.chance(0.5) ? 0 : Int64(random.int(0...999_999))
            // Canonical RFC 3339 UTC, written independently of Timestamp.format.
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            if micros > 0 {
                var fraction = String(format: "%06d", micros)
                while fraction.hasSuffix("0") { fraction.removeLast() }
                text += "." + fraction
            }
            return text + "Z"
        }

        mutating func ruleDetails(_ reference: String) -> Value {
            if let known = rules[reference] { return known }
            var members: [(String, Value)] = [("reference", .string(reference))]
            if random.chance(0.9) { members.append(("priority", number(random.int(0...65535)))) }
            members.append(("action", .string(random.pick(["DENY", "ALLOW"]))))
            if random.chance(0.9) { members.append(("direction", .string(random.pick(["INGRESS", "EGRESS"])))) }
            if random.chance(0.8) {
                let infos: [Value] = (0..<random.int(1...2)).map { _ in
                    var info: [(String, Value)] = [("ip_protocol", .string(random.pick(["ALL", "tcp", "udp", "6"])))]
                    if random.chance(0.5) {
                        info.append(("port_range", .array((0..<random.int(1...3)).map { _ in .string(random.pick(["443", "8000-9000", "22"])) })))
                    }
                    return shuffled(info)
                }
                members.append(("ip_port_info", .array(infos)))
            }
            for key in ["source_range", "destination_range", "source_tag", "target_tag", "source_service_account",
                        "target_service_account", "source_region_code", "destination_region_code", "source_fqdn",
                        "destination_fqdn"] where random.chance(0.3) {
                members.append((key, .array((0..<random.int(0...3)).map { _ in .string(name(key == "source_range" ? "10.0.0.0/" : "v-")) })))
            }
            let details = shuffled(members)
            rules[reference] = details
            return details
        }

        /// Keys nobody reads, with values that look like the keys that are read.
        mutating func junk(depth: Int = 0) -> Value {
            switch random.int(0...(depth > 2 ? 2 : 5)) {
            case 0: return .string(name("}{][,:"))
            case 1: return .int(random.int(-1000...1000))
            case 2: return .null
            case 3:
                // No list directly inside a list: gcloud never prints one, and FormatWriter would
                // write it in flow style, which the block decoder does not read.
                return .array((0..<random.int(0...3)).map { _ in
                    let item = junk(depth: depth + 1)
                    if case .array = item { return .null }
                    return item
                })
            default:
                let keys = ["src_ip", "connection", "vm_name", "x", "jsonPayload", "disposition"]
                return shuffled((0..<random.int(0...3)).map { i in (keys[i % keys.count] + "\(i)", junk(depth: depth + 1)) })
            }
        }

        mutating func entry(_ index: Int) -> Value {
            var connection: [(String, Value)] = [
                ("src_ip", .string(address())), ("dest_ip", .string(address())), ("dest_port", number(10_000 + index)),
            ]
            if random.chance(0.9) { connection.append(("src_port", number(random.int(1...65535)))) }
            if random.chance(0.9) { connection.append(("protocol", number(random.pick([6, 17, 1, 58])))) }
            var payload: [(String, Value)] = [
                ("connection", shuffled(connection)), ("disposition", .string(random.pick(["DENIED", "ALLOWED"]))),
            ]
            if random.chance(0.85) {
                let reference = "network:net-\(random.int(0...3))/firewall:rule-\(random.int(0...9))"
                payload.append(("rule_details", ruleDetails(reference)))
            }
            func instance(_ generator: inout Generator) -> Value {
                var members: [(String, Value)] = [("vm_name", .string(generator.name("gke-")))]
                for key in ["project_id", "region", "zone"] where generator.random.chance(0.8) {
                    members.append((key, .string(generator.name(key + "-"))))
                }
                return generator.shuffled(members)
            }
            func vpc(_ generator: inout Generator) -> Value {
                var members: [(String, Value)] = [("vpc_name", .string(generator.name("vpc-")))]
                for key in ["project_id", "subnetwork_name"] where generator.random.chance(0.8) {
                    members.append((key, .string(generator.name(key + "-"))))
                }
                return generator.shuffled(members)
            }
            if random.chance(0.7) { payload.append(("instance", instance(&self))) }
            if random.chance(0.7) { payload.append(("vpc", vpc(&self))) }
            if random.chance(0.3) { payload.append(("remote_instance", instance(&self))) }
            if random.chance(0.3) { payload.append(("remote_vpc", vpc(&self))) }
            if random.chance(0.4) {
                var geo: [(String, Value)] = [("country", .string(random.pick(["usa", "che", "jpn"])))]
                for key in ["continent", "region", "city"] where random.chance(0.7) {
                    geo.append((key, .string(name(random.pick(["Zürich", "東京", "São Paulo", "Iowa"])))))
                }
                payload.append(("remote_location", shuffled(geo)))
            }
            if random.chance(0.3) { payload.append(("extra_\(index % 3)", junk())) }
            var labels: [(String, Value)] = []
            for key in ["project_id", "location", "subnetwork_id", "subnetwork_name"] where random.chance(0.8) {
                labels.append((key, .string(key == "subnetwork_id" ? String(random.int(1...999_999_999)) : name(key))))
            }
            var members: [(String, Value)] = [
                ("insertId", .string("entry-\(index)-" + name(""))),
                ("logName", .string("projects/p/logs/compute.googleapis.com%2Ffirewall")),
                ("jsonPayload", shuffled(payload)),
                ("resource", shuffled([("type", .string("gce_subnetwork")), ("labels", shuffled(labels))])),
            ]
            if random.chance(0.9) { members.append(("timestamp", .string(timestamp()))) }
            if random.chance(0.9) { members.append(("receiveTimestamp", .string(timestamp()))) }
            if random.chance(0.3) { members.append(("severity", .string("INFO"))) }
            if random.chance(0.3) { members.append(("labels", junk())) }
            return shuffled(members)
        }
    }

    /// Scalar fields by their path in a LogEntry.
    static let scalarPaths: [([String], Field)] = [
        (["insertId"], .insertId), (["logName"], .logName), (["timestamp"], .timestamp),
        (["receiveTimestamp"], .receiveTimestamp), (["severity"], .severity), (["resource", "type"], .resourceType),
        (["resource", "labels", "location"], .resourceLocation), (["resource", "labels", "project_id"], .resourceProject),
        (["resource", "labels", "subnetwork_id"], .resourceSubnetworkID),
        (["resource", "labels", "subnetwork_name"], .resourceSubnetworkName),
        (["jsonPayload", "connection", "src_ip"], .srcIP), (["jsonPayload", "connection", "src_port"], .srcPort),
        (["jsonPayload", "connection", "dest_ip"], .destIP), (["jsonPayload", "connection", "dest_port"], .destPort),
        (["jsonPayload", "connection", "protocol"], .networkProtocol), (["jsonPayload", "disposition"], .disposition),
        (["jsonPayload", "rule_details", "reference"], .ruleReference),
        (["jsonPayload", "rule_details", "priority"], .rulePriority),
        (["jsonPayload", "rule_details", "action"], .ruleAction),
        (["jsonPayload", "rule_details", "direction"], .ruleDirection),
        (["jsonPayload", "instance", "project_id"], .instanceProject), (["jsonPayload", "instance", "vm_name"], .instanceVM),
        (["jsonPayload", "instance", "region"], .instanceRegion), (["jsonPayload", "instance", "zone"], .instanceZone),
        (["jsonPayload", "vpc", "project_id"], .vpcProject), (["jsonPayload", "vpc", "vpc_name"], .vpcName),
        (["jsonPayload", "vpc", "subnetwork_name"], .vpcSubnetwork),
        (["jsonPayload", "remote_instance", "project_id"], .remoteInstanceProject),
        (["jsonPayload", "remote_instance", "vm_name"], .remoteInstanceVM),
        (["jsonPayload", "remote_instance", "region"], .remoteInstanceRegion),
        (["jsonPayload", "remote_instance", "zone"], .remoteInstanceZone),
        (["jsonPayload", "remote_vpc", "project_id"], .remoteVPCProject),
        (["jsonPayload", "remote_vpc", "vpc_name"], .remoteVPCName),
        (["jsonPayload", "remote_vpc", "subnetwork_name"], .remoteVPCSubnetwork),
        (["jsonPayload", "remote_location", "continent"], .remoteContinent),
        (["jsonPayload", "remote_location", "country"], .remoteCountry),
        (["jsonPayload", "remote_location", "region"], .remoteRegion),
        (["jsonPayload", "remote_location", "city"], .remoteCity),
    ]
    /// Containers the scanner keeps raw, decoded on demand.
    static let rawPaths: [([String], Field)] = [
        (["jsonPayload"], .jsonPayload), (["resource"], .resource), (["jsonPayload", "rule_details"], .ruleDetails),
    ]

    static func lookup(_ value: Any, _ path: [String]) -> Any? {
        var current: Any? = value
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }

    static let count = 300

    /// The lines and what Foundation decodes from each.
    static func corpus(seed: UInt64) throws -> (text: String, decoded: [[String: Any]]) {
        var generator = Generator(random: SplitMix64(seed: seed))
        var writer = Writer(random: SplitMix64(seed: seed ^ 0xFFFF))
        var lines: [String] = []
        var decoded: [[String: Any]] = []
        for index in 0..<count {
            let line = writer.write(generator.entry(index))
            lines.append(line)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "line \(index + 1)")
            decoded.append(object)
        }
        return (lines.joined(separator: "\n") + "\n", decoded)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func scannerAgreesWithJSONSerialization(seed: UInt64) throws {
        let (text, decoded) = try Self.corpus(seed: seed)
        let (sink, error, _) = readAll(text)
        #expect(error == nil)
        #expect(sink.problems.isEmpty, "\(sink.problems.prefix(3))")
        try #require(sink.records.count == decoded.count)
        for (index, (record, oracle)) in zip(sink.records, decoded).enumerated() {
            for (path, field) in Self.scalarPaths {
                let where_ = "line \(index + 1) \(path.joined(separator: "."))"
                switch Self.lookup(oracle, path) {
                case nil:
                    #expect(!record.present.contains(field), "\(where_) should be absent")
                case let text as String:
                    #expect(record.strings[field] == text, "\(where_)")
                    if let number = Int(text), number >= 0 { #expect(record.integers[field] == number, "\(where_)") }
                case let number as NSNumber:
                    #expect(record.strings[field] == number.stringValue, "\(where_)")
                    #expect(record.integers[field] == number.intValue, "\(where_)")
                    #expect(record.values[field] == canonicalJSON(number), "\(where_)")
                default:
                    Issue.record("\(where_): unexpected oracle value")
                }
            }
            for (path, field) in Self.rawPaths {
                let value = Self.lookup(oracle, path)
                #expect(record.values[field] == (value == nil ? nil : canonicalJSON(value)), "line \(index + 1) \(path)")
            }
        }
    }

    @Test(arguments: [UInt64(4), 5])
    func eventsAgreeWithJSONSerialization(seed: UInt64) throws {
        let (text, decoded) = try Self.corpus(seed: seed)
        let collector = collect(text)
        #expect(collector.account.firewallRecords == decoded.count)
        #expect(collector.account.skippedTotal == 0)
        let events = Dictionary(uniqueKeysWithValues: collector.flowGroups().map { ($0.event.insertID ?? "", $0) })
        try #require(events.count == decoded.count)
        func string(_ value: Any?) -> String? { value as? String }
        func int(_ value: Any?) -> Int? {
            if let text = value as? String { return Int(text) }
            return (value as? NSNumber)?.intValue
        }
        func strings(_ value: Any?) -> [String] { (value as? [Any] ?? []).map { "\($0)" } }
        for oracle in decoded {
            let id = try #require(oracle["insertId"] as? String)
            let group = try #require(events[id])
            #expect(group.count == 1)
            let event = group.event
            let payload = try #require(oracle["jsonPayload"] as? [String: Any])
            let connection = try #require(payload["connection"] as? [String: Any])
            #expect(event.connection.srcIP == IPAddress(try #require(connection["src_ip"] as? String)), "\(id)")
            #expect(event.connection.destIP == IPAddress(try #require(connection["dest_ip"] as? String)), "\(id)")
            #expect(event.connection.srcPort == int(connection["src_port"]), "\(id)")
            #expect(event.connection.destPort == int(connection["dest_port"]), "\(id)")
            #expect(event.connection.protocolNumber == int(connection["protocol"]), "\(id)")
            #expect(event.disposition == payload["disposition"] as? String, "\(id)")

            let details = payload["rule_details"] as? [String: Any]
            #expect(event.ruleDetails.reference == string(details?["reference"]), "\(id)")
            #expect(event.ruleDetails.priority == int(details?["priority"]), "\(id)")
            #expect(event.ruleDetails.action == string(details?["action"]), "\(id)")
            let direction = string(details?["direction"])
            #expect(event.ruleDetails.direction == direction, "\(id)")
            #expect(event.isIngress == (direction != "EGRESS"), "\(id)")
            let portInfo = (details?["ip_port_info"] as? [[String: Any]] ?? []).map {
                FirewallEvent.PortInfo(ipProtocol: $0["ip_protocol"] as? String ?? "", portRanges: strings($0["port_range"]))
            }
            #expect(event.ruleDetails.ipPortInfo == portInfo, "\(id)")
            #expect(event.ruleDetails.sourceRange == strings(details?["source_range"]), "\(id)")
            #expect(event.ruleDetails.destinationRange == strings(details?["destination_range"]), "\(id)")
            #expect(event.ruleDetails.sourceTag == strings(details?["source_tag"]), "\(id)")
            #expect(event.ruleDetails.targetTag == strings(details?["target_tag"]), "\(id)")
            #expect(event.ruleDetails.sourceServiceAccount == strings(details?["source_service_account"]), "\(id)")
            #expect(event.ruleDetails.targetServiceAccount == strings(details?["target_service_account"]), "\(id)")
            #expect(event.ruleDetails.sourceRegionCode == strings(details?["source_region_code"]), "\(id)")
            #expect(event.ruleDetails.destinationRegionCode == strings(details?["destination_region_code"]), "\(id)")
            #expect(event.ruleDetails.sourceFQDN == strings(details?["source_fqdn"]), "\(id)")
            #expect(event.ruleDetails.destinationFQDN == strings(details?["destination_fqdn"]), "\(id)")

            // Names that reach commands are checked where read: the local end's project, region,
            // network and subnetwork come out unknown when they cannot be real names.
            func name(_ value: Any?, _ checked: Bool, _ isValid: (String) -> Bool) -> String? {
                guard let text = string(value) else { return nil }
                return !checked || isValid(text) ? text : nil
            }
            func instance(_ value: Any?, checked: Bool) -> FirewallEvent.InstanceDetails? {
                guard let d = value as? [String: Any] else { return nil }
                return FirewallEvent.InstanceDetails(
                    projectID: name(d["project_id"], checked, ValueCheck.isProject), vmName: string(d["vm_name"]),
                    region: name(d["region"], checked, ValueCheck.isResourceName), zone: string(d["zone"]))
            }
            func vpc(_ value: Any?, checked: Bool) -> FirewallEvent.VPCDetails? {
                guard let d = value as? [String: Any] else { return nil }
                let details = FirewallEvent.VPCDetails(
                    projectID: name(d["project_id"], checked, ValueCheck.isProject),
                    vpcName: name(d["vpc_name"], checked, ValueCheck.isResourceName),
                    subnetworkName: name(d["subnetwork_name"], checked, ValueCheck.isResourceName))
                return details.projectID == nil && details.vpcName == nil && details.subnetworkName == nil ? nil : details
            }
            #expect(event.instance == instance(payload["instance"], checked: true), "\(id)")
            #expect(event.vpc == vpc(payload["vpc"], checked: true), "\(id)")
            #expect(event.remoteInstance == instance(payload["remote_instance"], checked: false), "\(id)")
            #expect(event.remoteVPC == vpc(payload["remote_vpc"], checked: false), "\(id)")
            let geo = (payload["remote_location"] as? [String: Any]).map {
                FirewallEvent.GeographicDetails(
                    continent: string($0["continent"]), country: string($0["country"]), region: string($0["region"]),
                    city: string($0["city"]))
            }
            #expect(event.remoteLocation == geo, "\(id)")

            #expect(event.insertID == id)
            #expect(event.logName == oracle["logName"] as? String, "\(id)")
            #expect(event.timestamp == oracle["timestamp"] as? String, "\(id)")
            #expect(event.receiveTimestamp == oracle["receiveTimestamp"] as? String, "\(id)")
            #expect(group.firstSeen == (oracle["timestamp"] as? String).flatMap(Timestamp.parse), "\(id)")
            let resource = oracle["resource"] as? [String: Any]
            #expect(event.resourceType == string(resource?["type"]), "\(id)")
            var labels = resource?["labels"] as? [String: String] ?? [:]
            if let project = labels["project_id"], !ValueCheck.isProject(project) { labels["project_id"] = nil }
            if let subnet = labels["subnetwork_name"], !ValueCheck.isResourceName(subnet) { labels["subnetwork_name"] = nil }
            #expect(event.resourceLabels == labels, "\(id)")
        }
    }

    /// FormatWriter's YAML, JSON array and gzip of the same entries read back to the same fields.
    @Test(arguments: [FormatWriter.Kind.yaml, .jsonArray, .gzip])
    func formatsReadBackTheSame(kind: FormatWriter.Kind) throws {
        let (text, decoded) = try Self.corpus(seed: 6)
        let reference = readAll(text).sink
        let (sink, error, _) = readAll(FormatWriter.write(decoded, as: kind))
        #expect(error == nil)
        #expect(sink.problems.isEmpty, "\(sink.problems.prefix(3))")
        try #require(sink.records.count == reference.records.count)
        for (index, (got, want)) in zip(sink.records, reference.records).enumerated() {
            #expect(got.present == want.present, "record \(index + 1): \(got.present.symmetricDifference(want.present))")
            for field in Field.allCases where got.strings[field] != want.strings[field] {
                Issue.record("record \(index + 1) \(field): \(String(describing: got.strings[field])) != \(String(describing: want.strings[field]))")
            }
            #expect(got.integers == want.integers, "record \(index + 1)")
            for field in Field.allCases where got.values[field] != want.values[field] {
                Issue.record("record \(index + 1) \(field) value: \(got.values[field] ?? "nil") != \(want.values[field] ?? "nil")")
            }
        }
    }
}
