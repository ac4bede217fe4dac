import Foundation
import Testing
@testable import TriageKit

/// kubectl apply, helm and kfctl error text, single pasted lines, colour codes, CRLF and noise.
struct PastedErrorTests {
    static let applyError = #"Error from server (InternalError): error when creating "gatekeeper-constraint.yaml": Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": dial tcp 10.20.1.14:8443: i/o timeout"#

    @Test func kubectlApplyOutputAmongOtherLines() throws {
        let text = """
            $ kubectl apply -f gatekeeper-constraint.yaml
            k8srequiredlabels.constraints.gatekeeper.sh/ns-must-have-owner unchanged
            \(Self.applyError)
            """
        let found = observations(text + "\n")
        #expect(found.count == 1)
        let webhook = try #require(found.first)
        #expect(webhook.source == "kubectl apply")
        #expect(webhook.location?.line == 3)
        #expect(webhook.quote == Self.applyError)
        #expect(webhook.facts["port"] == "8443")
        #expect(webhook.facts["occurrences"] == "1")
    }

    @Test func helmAndKfctlAreNamed() throws {
        let text = """
            Error: INSTALLATION FAILED: Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/mutate?timeout=10s": context deadline exceeded
            WARN[0139] Encountered error applying application cert-manager:  (kubeflow.error): Code 500 with message: Apply.Run : error when creating "/tmp/kout044650944": Internal error occurred: failed calling webhook "webhook.cert-manager.io": Post https://cert-manager-webhook.cert-manager.svc:443/mutate?timeout=30s: dial tcp 10.20.2.7:10250: i/o timeout  filename="kustomize/kustomize.go:284"
            """
        let found = observations(text + "\n")
        #expect(found.map(\.source) == ["helm", "kfctl"])
        // No version in the helm line: the two ports cert-manager used are candidates, neither is guessed.
        #expect(found[0].facts["port_unknown"] == "true")
        #expect(found[0].facts["port_candidates"] == "tcp:10250 (v0.12 and later), tcp:6443 (before v0.12)")
        #expect(found[1].facts["port"] == "10250")
        #expect(found[1].facts["port_inferred"] == nil)
    }

    @Test func promptNamesTheToolForBareLines() {
        let text = """
            $ helm upgrade --install kserve ./kserve
            Internal error occurred: failed calling webhook "inferenceservice.kserve-webhook-server.defaulter": failed to call webhook: Post "https://kserve-webhook-server-service.kubeflow.svc:443/mutate?timeout=10s": context deadline exceeded
            """
        #expect(observations(text + "\n").map(\.source) == ["helm"])
    }

    @Test func singlePastedLineWithoutNewline() throws {
        let found = observations(#"Failed to pull image "gcr.io/ml-pipeline/frontend:2.0.5": rpc error: code = Unknown desc = failed to pull and unpack image "gcr.io/ml-pipeline/frontend:2.0.5": failed to resolve reference "gcr.io/ml-pipeline/frontend:2.0.5": failed to do request: Head "https://gcr.io/v2/ml-pipeline/frontend/manifests/2.0.5": dial tcp 142.250.101.82:443: i/o timeout"#)
        let pull = try #require(found.first)
        #expect(found.count == 1)
        #expect(pull.source == "pasted text")
        #expect(pull.facts["ip"] == "142.250.101.82")
        #expect(pull.location?.line == 1)
    }

    @Test func colourCodesAreRemovedBeforeMatching() throws {
        let coloured = "\u{1B}[31mError from server (InternalError)\u{1B}[0m: error when creating \"x.yaml\": Internal error occurred: failed calling webhook \"\u{1B}[1mvalidation.gatekeeper.sh\u{1B}[0m\": failed to call webhook: Post \"https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s\": context deadline exceeded\n"
        let webhook = try #require(observations(coloured).first)
        #expect(webhook.facts["webhook"] == "validation.gatekeeper.sh")
        #expect(webhook.source == "kubectl apply")
        #expect(webhook.quote?.contains("\u{1B}") == false)
    }

    @Test func crlfDescribeReadsLikeLF() {
        let lf = observations(KubectlFixtures.kccChain + "\n")
        let crlf = observations(KubectlFixtures.kccChain.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")
        #expect(lf.count == 3)
        #expect(crlf.map(\.facts) == lf.map(\.facts))
        #expect(crlf.map { $0.location?.line } == lf.map { $0.location?.line })
    }

    @Test func stripsEscapes() {
        #expect(TerminalEscapes.strip("\u{1B}[1;31mred\u{1B}[0m plain\r") == "red plain")
        #expect(TerminalEscapes.strip("\u{1B}]8;;https://x\u{07}link\u{1B}]8;;\u{1B}\\ end") == "link end")
        #expect(TerminalEscapes.strip("no escapes") == "no escapes")
    }

    @Test func unknownTextGivesNothing() {
        let text = """
            NAME                          READY   STATUS    RESTARTS   AGE
            ml-pipeline-5c8d7b9f4-x2k7q   1/1     Running   0          6m
            Name:
            Events:  <none>
            Some: thing
            LAST SEEN   TYPE   REASON   OBJECT   MESSAGE
            ----
            """
        #expect(observations(text + "\n").isEmpty)
    }

    /// Random lines built from the words of real messages, cut at random places, with random
    /// colour codes and control characters: nothing may crash, and nothing may be recognised
    /// without the phrase that names its class.
    @Test func randomLinesNeverCrash() {
        var random = SplitMix64(seed: 0x7E47)
        let words = [
            "Name:", "Events:", "  Type", "Reason", "Age", "From", "Message", "----", "LAST SEEN", "NAMESPACE", "MESSAGE",
            "REASON", "failed", "calling", "webhook", "\"", "https://", "svc", ":", "443", "dial tcp", "10.0.0.1:8443",
            "[::1]:", "i/o timeout", "Failed to pull image", "Back-off", "reference", "is not ready", "(x", "over",
            "vpcServiceControlsUniqueIdentifier:", "Jwks", "legacy network", "UNHEALTHY", "\":\"", "\u{1B}[", "\r", "\t",
            "Status:", "  Conditions:", "    Message:", "é", "🙂", "lookup", "no such host", "projects/", "Required '",
        ]
        var lines: [String] = []
        for _ in 0..<3000 {
            var line = ""
            for _ in 0..<random.int(0...14) {
                line += random.pick(words)
                if random.chance(0.6) { line += String(repeating: " ", count: random.int(0...3)) }
            }
            if random.chance(0.2) { line = String(line.prefix(random.int(0...max(0, line.count)))) }
            lines.append(line)
        }
        let found = observations(lines.joined(separator: "\n"))
        for observation in found {
            #expect(observation.facts["message"] != nil)
            #expect(observation.location != nil)
        }
        for line in lines {
            _ = MessageRecognizer.recognize(line)
            _ = ErrorText.url(in: line)
            _ = ErrorText.dial(in: line)
        }
    }
}
