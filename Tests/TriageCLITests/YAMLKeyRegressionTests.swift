import Foundation
import Testing

/// Found by the fuzzer (fuzz-cluster): Yams converts a mapping by force-unwrapping each key as
/// a string, so a YAML key that is a sequence or a mapping (`[a]: b`, `{a: 1}: b`) stopped triage
/// with SIGILL, as an input and as `--cluster`. Now such a document is refused with its line.
/// Run as a subprocess: the old failure was the process dying.
@Suite("YAML collection keys")
struct YAMLKeyRegressionTests {
    static let documents: [(name: String, text: String)] = [
        ("a flow sequence as a key", "name: kf\nnetwork: vpc\n[a]: b\n"),
        ("a flow mapping as a key", "name: kf\nnetwork: vpc\n{a: 1}: b\n"),
    ]

    @Test(arguments: [0, 1])
    func aCollectionKeyIsRefusedAsAnInputAndAsCluster(index: Int) throws {
        let document = Self.documents[index]
        try CLI.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("key.yaml")
            try Data(document.text.utf8).write(to: file)
            let asInput = try CLI.triage([file.path])
            #expect(asInput.status == 2, "\(document.name): \(asInput)")
            #expect(asInput.err.contains("key.yaml:3: a YAML mapping key that is a sequence or mapping"), "\(asInput)")
            let log = CLI.sampleLogs.appendingPathComponent("webhook-port-blocked/firewall-denied.json").path
            let asCluster = try CLI.triage(["--cluster", file.path, log])
            #expect(asCluster.status == 2, "\(document.name): \(asCluster)")
            #expect(asCluster.err.contains("line 3: a YAML mapping key that is a sequence or mapping"), "\(asCluster)")
        }
    }

    /// The fuzzer's own input, kept in Fuzz/regressions/, replayed through the normal path.
    @Test func theFuzzersInputEndsInAProblemNotACrash() throws {
        let input = CLI.packageRoot.appendingPathComponent("Fuzz/regressions/cluster-collection-key.yaml")
        let result = try CLI.triage([input.path])
        #expect(result.status == 2, "\(result)")
        #expect(result.err.contains("a YAML mapping key that is a sequence or mapping"), "\(result)")
    }
}
