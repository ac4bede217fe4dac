import Foundation
import Testing
@testable import TriageKit

/// Shapes from the seventh round of public reports (Tests/FieldCorpus cases of 4 December 2026):
/// each test fails on the reader before this round and names the report it was learned from.
/// The cases themselves are in the field corpus; these pin the mechanism, on text written here.
struct UnseenShapeTests {
    static func rules() throws -> [Rule] { try RuleLoader.builtIn() }

    static func analyse(_ text: String) throws -> Analysis {
        let topology = try Pipeline.topology(from: TopologyOptions())
        let collector = EvidenceCollector(topology: topology)
        if let error = collector.read(InputReader(name: "paste.txt", source: MemorySource(Array(text.utf8)))) { throw error }
        return Engine.analyse(collector, topology: topology, rules: try rules())
    }

    // MARK: Reading the text at all

    /// kubeflow/code-intelligence#88: a Python exception's dotted class name is no YAML key, and a
    /// line at the margin after `key: value` that no YAML document has makes the input text.
    @Test(arguments: [
        ("google.auth.exceptions.TransportError: (\"Failed to retrieve http://metadata.google.internal/x from the Google Compute Engine metadata service. Status: 500\")\n", InputFormat.text),
        ("java.net.SocketTimeoutException: connect timed out\n", .text),
        ("AccessDeniedException: 403 denied\nsecond line at the margin\n", .text),
        ("Status: failed to pull\nthe pod was retried\n", .text),
        ("status: ERROR\nname: gpu-pool\n", .yaml),
        ("status: ERROR\n  message: indented goes on\nname: x\n", .yaml),
        ("kind: List\n# a comment\nitems: []\n", .yaml),
        ("message: one line only", .yaml),
    ] as [(String, InputFormat)])
    func exceptionsAndTwoLinePastesAreTextAndYAMLStaysYAML(text: String, format: InputFormat) throws {
        let reader = InputReader(name: "paste", source: MemorySource(text))
        try reader.run(into: FormatSniffingTests.Counter())
        #expect(reader.format == format)
    }

    /// kubeflow/kubeflow#4342: a paste copied with GitHub's block quoting.
    @Test func markdownQuotesAreTakenOff() {
        #expect(TextDispatcher.unquoted("> ERROR: gcloud crashed") == "ERROR: gcloud crashed")
        #expect(TextDispatcher.unquoted(">> > nested") == "nested")
        #expect(TextDispatcher.unquoted(">") == "")
        #expect(TextDispatcher.unquoted("  > indented quote") == "indented quote")
        // A redirect or an arrow is not a quote.
        #expect(TextDispatcher.unquoted(">/dev/null 2>&1") == ">/dev/null 2>&1")
        #expect(TextDispatcher.unquoted("plain") == "plain")
        let found = observations("> + gcloud auth list\n> ERROR: gcloud crashed (MetadataServerException): HTTP Error 500: Internal Server Error\n")
        #expect(found.with("workload-identity-not-configured").count == 1)
        #expect(found.first?.location?.line == 2)
    }

    // MARK: Events nobody has a recogniser for

    /// huggingface/Google-Cloud-Containers#126: the cluster autoscaler's FailedScaleUp relays a
    /// GKE cause; an Events section with no known row is no longer "unrecognised format".
    @Test func aWarningEventRelaysTheCauseItNames() throws {
        let text = """
            Events:
              Type     Reason            Age                 From                Message
              ----     ------            ----                ----                -------
              Normal   TriggeredScaleUp  4m                  cluster-autoscaler  pod triggered scale-up
              Warning  FailedScaleUp     2m58s (x2 over 4m)  cluster-autoscaler  Node scale up in zones europe-west4-b associated with this pod failed: GCE quota exceeded. Pod is at risk of not being scheduled.

            """
        let found = observations(text)
        let operation = try #require(found.first { $0.kind == "operation" })
        #expect(operation.facts["cause"] == "quota-exceeded")
        #expect(operation.facts["location"] == "europe-west4-b")
        #expect(operation.facts["quota_region"] == "europe-west4")
        let analysis = try Self.analyse(text)
        #expect(analysis.findings.map(\.rule) == ["quota-exceeded"])
    }

    @Test func anUnknownWarningEventIsQuotedAndANormalOneIsNot() throws {
        let table = """
            LAST SEEN   TYPE      REASON        OBJECT          MESSAGE
            2m          Warning   FailedMount   pod/web-1       MountVolume.SetUp failed for volume "data" : secret "web-tls" not found
            1m          Normal    Pulled        pod/web-1       Container image "nginx:1.27" already present on machine

            """
        let analysis = try Self.analyse(table)
        let finding = try #require(analysis.findings.first)
        #expect(analysis.findings.count == 1)
        #expect(finding.rule == "error-unexplained")
        #expect(finding.facts["error"]?.hasPrefix("MountVolume.SetUp failed") == true)
        // Only Normal rows: read, nothing to say; the input still counts as text with no evidence.
        let quiet = observations("LAST SEEN   TYPE     REASON   OBJECT     MESSAGE\n1m          Normal   Pulled   pod/web-1  Container image already present\n")
        #expect(quiet.isEmpty)
    }

    /// elastic/cloud-on-k8s#2616: GKE relaying Compute Engine's refusal as the whole line.
    @Test func aComputeEngineRefusalIsAnErrorLine() {
        #expect(UnexplainedError.isErrorLine("Google Compute Engine: Exceeded maximum supported number of secondary ranges per subnetwork: 30."))
        #expect(UnexplainedError.isErrorLine("com.google.cloud.storage.StorageException: 403 Forbidden"))
        #expect(!UnexplainedError.isErrorLine("Google Compute Engine is the product"))
        #expect(!UnexplainedError.isErrorLine("Phase: Running"))
        let facts = UnexplainedError.operationFacts("Google Compute Engine: Exceeded maximum supported number of secondary ranges per subnetwork: 30.")
        #expect(facts?["cause"] == "invalid-alias-range")
    }

    /// terraform-google-kubernetes-engine#1324: the provider names the pool and its state only.
    @Test func terraformsWordOnAFailedPoolIsItsState() throws {
        let facts = try #require(ClusterState.nodePool(inText: #"Error: NodePool default-node-pool was created in the error state "ERROR""#))
        #expect(facts["aspect"] == "node-pool")
        #expect(facts["node_pool"] == "default-node-pool")
        #expect(facts["status"] == "ERROR")
        let read = try #require(ClusterState.nodePool(inText: #"Error reading NodePool "test" from cluster "kube": Nodepool "test" has status "RUNNING_WITH_ERROR" with message "us-central1-c: Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1.""#))
        #expect(read["cluster"] == "kube")
        #expect(read["status"] == "RUNNING_WITH_ERROR")
        #expect(read["cause"] == "quota-exceeded")
        #expect(ClusterState.nodePool(inText: #"Nodepool "ok" has status "RUNNING""#) == nil)
        let analysis = try Self.analyse("Error: NodePool default-node-pool was created in the error state \"ERROR\"\n")
        let finding = try #require(analysis.findings.first)
        #expect(finding.rule == "node-pool-not-running")
        // A missing status message is said, not quoted as if it were one.
        #expect(finding.message.contains("is ERROR: no status message."))
    }

    /// kubeflow/testing#476: a CI console cut a long error line at a fixed width, mid-word.
    @Test func aLineCutAtAFixedWidthIsJoinedAsItWasCut() throws {
        let whole = #"2026-11-22T09:14:02Z level=error msg="create failed: Error waiting for creating GKE cluster: Internal error occurred: failed calling webhook \"validation.gatekeeper.sh\": failed to call webhook: Post \"https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s\": dial tcp 10.20.1.14:8443: i/o timeout""#
        let width = 90
        var pieces: [String] = []
        var rest = Substring(whole)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(width)))
            rest = rest.dropFirst(width)
        }
        #expect(pieces.count >= 3 && pieces.last!.count < width)
        let found = observations("$ make deploy\n" + pieces.joined(separator: "\n") + "\nmake: *** [deploy] Error 1\n")
        let webhook = try #require(found.with("webhook-call-failed").first)
        #expect(webhook.facts["port"] == "8443")
        #expect(webhook.location?.line == 2)
        // Two long lines that only happen to be as wide are each read as their own.
        let first = "ERROR controller: reconcile of kubeflow/profile-a failed after 3 attempts; giving up for now."
        let second = "ERROR controller: reconcile of kubeflow/profile-b failed after 3 attempts; giving up for now."
        #expect(first.utf8.count == second.utf8.count)
        let two = observations(first + "\n" + second + "\n").with(UnexplainedError.messageClass)
        #expect(two.map { $0.location?.line } == [1, 2])
    }

    /// NVIDIA/gpu-operator#1623: a recognised error no rule explains is quoted, not "No problems
    /// found"; beside a finding that explains the same input it is left out.
    @Test func aRecognisedErrorNoRuleExplainsIsQuoted() throws {
        let missingTag = #"  Warning  Failed  106s (x5 over 4m40s)  kubelet  Failed to pull image "nvcr.io/nvidia/driver:570.148.08-cos121": rpc error: code = NotFound desc = failed to pull and unpack image "nvcr.io/nvidia/driver:570.148.08-cos121": not found"#
        let events = "Events:\n  Type     Reason  Age   From     Message\n  ----     ------  ----  ----     -------\n" + missingTag + "\n"
        let alone = try Self.analyse(events)
        let quoted = try #require(alone.findings.first)
        #expect(alone.findings.count == 1)
        #expect(quoted.rule == "error-unexplained")
        let beside = try Self.analyse(events.replacingOccurrences(of: "\n  Warning", with: "\n  Warning  Failed  2m  kubelet  Failed to pull image \"quay.io/x/y:1\": rpc error: code = Unknown desc = dial tcp 3.1.1.1:443: i/o timeout\n  Warning"))
        #expect(beside.findings.map(\.rule) == ["external-registry-pull-failed"])
    }

    /// A log viewer's copy puts its own date and time before the tool's (container-engine-accelerators#382).
    @Test func aLevelWordAfterTwoTimestampsStillMakesAnErrorLine() {
        #expect(UnexplainedError.isErrorLine("2024-05-31 21:59:39.904 GET2024-05-31 17:59:39 ERROR 404: Not Found."))
    }

    /// istio#37150: a line set whole in Markdown's inline code; a fence is not that.
    @Test func inlineCodeBackticksAreTakenOff() {
        #expect(TextDispatcher.unquoted("`Error creating: admission webhook denied the request`") == "Error creating: admission webhook denied the request")
        #expect(TextDispatcher.unquoted("```") == "```")
        #expect(TextDispatcher.unquoted("`a` and `b`") == "`a` and `b`")
    }

    /// argo-workflows#13073 and octant#3336: a refusal logged as a warning, an error in zap's `err` field.
    @Test func refusalsAndStructuredErrorsAreErrorLines() {
        #expect(UnexplainedError.isErrorLine(#"time="2024-05-20T10:00:00Z" level=warning msg="Non-transient error: admission webhook \"warden-validating.common-webhooks.networking.gke.io\" denied the request: GKE Warden rejected the request""#))
        #expect(UnexplainedError.isErrorLine("2023-01-05T10:00:00.000Z\tERROR\tdashboard\t{\"err\": \"getting credentials: exec: executable gke-gcloud-auth-plugin not found\"}"))
        #expect(UnexplainedError.isErrorLine("2023-01-05T10:00:00.000Z\tINFO\tdashboard\tstarting\t{\"err\": \"x\"}"))
        #expect(!UnexplainedError.isErrorLine("2023-01-05T10:00:00.000Z\tINFO\tdashboard\tstarting\t{\"port\": 7777}"))
    }

    /// helm's header says only that errors occurred (signoz-charts#310's layout); the quote carries the one below it.
    @Test func aBareErrorHeaderIsQuotedWithWhatFollowsIt() throws {
        let text = """
            Error: INSTALLATION FAILED: 1 error occurred:
            \t* admission webhook "validate.kyverno.svc-fail" denied the request: resource Deployment/kf/web was blocked due to the following policies: require-team-label

            """
        let analysis = try Self.analyse(text)
        #expect(analysis.findings.count == 1)
        let finding = try #require(analysis.findings.first)
        #expect(finding.rule == "error-unexplained")
        #expect(finding.facts["error"]?.contains("blocked due to the following policies") == true)
        #expect(finding.facts["error"]?.hasPrefix("Error: INSTALLATION FAILED: 1 error occurred:") == true)
    }

    // MARK: Cloud Logging

    /// k8s-config-connector#358: zap and controller-runtime write `msg` and `error`.
    @Test func zapFieldsAreTheMessage() throws {
        let entry = #"{"insertId":"a1","jsonPayload":{"logger":"containernodepool-controller","msg":"reconcile failed","error":"reference ContainerCluster kf/kf-private is not ready"},"logName":"projects/kf-prod/logs/stderr","resource":{"type":"k8s_container","labels":{"namespace_name":"cnrm-system","pod_name":"cnrm-controller-manager-0"}},"severity":"ERROR","timestamp":"2026-11-22T09:14:02Z"}"#
        let found = observations(entry + "\n", name: "entries.json")
        let waiting = try #require(found.with("kcc-dependency-not-ready").first)
        #expect(waiting.quote?.contains("reconcile failed: reference ContainerCluster") == true)
        // The reference's chain is not in the log: the reference is where the finding points.
        let analysis = try Self.analyse(entry + "\n")
        let finding = try #require(analysis.findings.first { $0.rule == "kcc-dependency-not-ready" })
        #expect(finding.facts["root.name"] == "kf/kf-private")
        let commands = finding.remedy.actions.map(\.command.rendered).joined(separator: "\n")
        #expect(commands.contains("kubectl describe ContainerCluster -n kf kf-private"))
    }

    // MARK: Folded messages

    /// k8s-config-connector#260 (the layout): a `message: >-` scalar is one message, read once.
    @Test func aFoldedMessageCountsOnce() throws {
        let text = """
            status:
              conditions:
                - message: >-
                    Update call failed: error applying desired state: googleapi: Error 400:
                    At least one of ['node_version', 'image_type'] must
                    be specified., badRequest
                  reason: UpdateFailed
                  status: 'False'
                  type: Ready

            """
        let found = observations(text, name: "nodepool.yaml")
        let failed = found.with("kcc-update-failed")
        #expect(failed.count == 1)
        #expect(failed.first?.location?.line == 4)
        #expect(failed.first?.quote?.contains("must be specified") == true)
    }
}
