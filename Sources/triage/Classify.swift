import ArgumentParser
import Foundation
import TriageKit

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the role of each address, and why.")

    @Argument(help: ArgumentHelp("IPv4 or IPv6 addresses.", valueName: "ip")) var addresses: [String]

    @OptionGroup var network: NetworkOptions

    @Option(
        help: ArgumentHelp("text (the default) or json (JSON Lines, one object per address).", valueName: "format"),
        completion: Choice.completion(ListFormat.self), transform: { try Choice.parse($0) })
    var format: ListFormat = .text

    func run() throws {
        Console.ignoreBrokenPipe()
        let topology: Topology
        do {
            topology = try Pipeline.topology(from: network.topologyOptions) { Console.diagnostic($0.description) }
        } catch {
            Console.diagnostic("\(error)")
            if case .usage = error { throw ExitCode(64) }
            throw ExitCode(2)
        }
        var bad = false
        for text in addresses {
            guard let address = IPAddress(text) else {
                Console.diagnostic("'\(text)' is not an IP address")
                bad = true
                continue
            }
            let role = topology.classify(address)
            if format == .json {
                Console.out(CatalogueJSON.address(address.description, role))
                continue
            }
            var line = "\(address)  \(role.role.rawValue)"
            if let range = role.range { line += "  \(range)" }
            line += "  (\(role.confidence.rawValue): \(role.reason))"
            Console.out(line + "\n")
        }
        if bad { throw ExitCode(64) }
    }
}
