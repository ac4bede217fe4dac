import ArgumentParser
import TriageKit

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print triage's version and the libraries it uses.")

    func run() throws {
        Console.out("triage \(TriageVersion.string)\nlibcurl: \(CurlLibrary.version)\nzlib: \(ZlibLibrary.version)\n")
    }
}
