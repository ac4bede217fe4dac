import Foundation
import Testing
@testable import TriageKit

/// Shapes from the eleventh round of public reports (Tests/FieldCorpus cases of 5 December 2026):
/// each test fails on the reader before this round and names the report it was learned from. The
/// cases are in the field corpus; these pin the mechanism on text written here.
struct RoundElevenShapeTests {
    static func analyse(_ text: String, name: String = "paste.txt") throws -> Analysis {
        try RoundTenShapeTests.analyse(text, name: name)
    }

    static func commands(_ finding: Finding) -> String {
        finding.remedy.actions.map(\.command.rendered).joined(separator: "\n")
    }

    // MARK: A client that stopped waiting (terraform-google-kubernetes-engine#939, kubeflow-distribution#435)

    @Test func terraformsWaitTimeoutIsAnOperationStillRunning() throws {
        let text = "Error: Error waiting for creating GKE NodePool: timeout while waiting for state to become 'DONE' (last state: 'RUNNING', timeout: 1h0m0s)\n"
        let analysis = try Self.analyse(text)
        let finding = try #require(analysis.findings.first)
        #expect(analysis.findings.count == 1)
        #expect(finding.rule == "operation-running-too-long")
        #expect(finding.message.contains("CREATE_NODE_POOL on the node pool has been RUNNING for 60 minutes or more"))
        // Not a failure GKE reported: no failed-operation finding quoting the wait as its error.
        #expect(!analysis.findings.contains { $0.rule == "operation-failed-unexplained" })
        #expect(Self.commands(finding).contains("--filter='status=RUNNING OR status=PENDING'"))
    }

    @Test func gcloudsWaitTimeoutNamesTheOperationFromItsLink() throws {
        let text = "ERROR: (gcloud.container.clusters.create) Operation https://container.googleapis.com/v1/projects/kf-prod-4412/zones/us-central1-b/operations/operation-1691116470094-6020fbc7 has not finished in 1800 seconds. The operations may still be underway remotely and may still succeed; use gcloud list and describe commands or https://console.developers.google.com/ to check resource state.\n"
        let finding = try #require(try Self.analyse(text).findings.first)
        #expect(finding.rule == "operation-running-too-long")
        #expect(Self.commands(finding).contains("gcloud container operations describe operation-1691116470094-6020fbc7 --location=us-central1-b --project=kf-prod-4412"))
    }

    @Test func aForgedLinkGivesNothingToTheCommands() throws {
        let text = "ERROR: (gcloud.container.clusters.create) Operation https://x/v1/projects/p$(id)/zones/z`id`/operations/operation-1;touch has not finished in 60 seconds.\n"
        let facts = try #require(ClientWaitTimeout.facts(text))
        #expect(facts["operation"] == nil)
        #expect(facts["project"] == nil)
        #expect(facts["location"] == nil)
    }

    @Test func goDurations() {
        #expect(ClientWaitTimeout.goDurationMinutes("45m0s") == 45)
        #expect(ClientWaitTimeout.goDurationMinutes("1h30m0s") == 90)
        #expect(ClientWaitTimeout.goDurationMinutes("20m") == 20)
        #expect(ClientWaitTimeout.goDurationMinutes("90s") == 1)
        #expect(ClientWaitTimeout.goDurationMinutes("45") == nil)
        #expect(ClientWaitTimeout.goDurationMinutes("4x") == nil)
        #expect(ClientWaitTimeout.goDurationMinutes("") == nil)
    }

    /// A failed state is GKE's answer, not a client's wait: the failed-operation reader keeps it.
    @Test func aWaitThatEndedInErrorIsNotATimeout() {
        #expect(ClientWaitTimeout.facts("Error waiting for creating GKE cluster: timeout while waiting for state to become 'DONE' (last state: 'ERROR', timeout: 40m0s)") == nil)
        #expect(ClientWaitTimeout.facts("Error waiting for creating GKE cluster: Retry budget exhausted (80 attempts)") == nil)
    }

    // MARK: Health check logs (kubernetes/ingress-gce#18)

    static func healthCheckEntry(state: String, detailed: String, result: String) -> String {
        #"{"insertId":"1ndoqi7c10m","jsonPayload":{"healthCheckProbeResult":{"detailedHealthState":"\#(detailed)","healthState":"\#(state)","ipAddress":"10.12.4.13","probeResultText":"\#(result)","probeSourceIp":"35.191.9.34","targetIp":"10.12.4.13","targetPort":32578}},"logName":"projects/public-gw/logs/compute.googleapis.com%2Fhealthchecks","resource":{"labels":{"network_endpoint_group_id":"6684639526294893251","project_id":"public-gw","zone":"europe-west2-a"},"type":"gce_network_endpoint_group"},"severity":"INFO","timestamp":"2020-09-16T21:15:46.150817444Z"}"#
            + "\n"
    }

    @Test func aRefusedProbeIsTheHealthChecksPortNotTheFirewall() throws {
        let analysis = try Self.analyse(Self.healthCheckEntry(state: "UNHEALTHY", detailed: "UNHEALTHY", result: "HTTP response: , Error: Connection refused"),
                                        name: "hc.json")
        let finding = try #require(analysis.findings.first)
        #expect(finding.rule == "backend-unhealthy")
        #expect(finding.message.contains("the endpoint 10.12.4.13 port 32578"))
        #expect(!Self.commands(finding).contains("firewall-rules create"))
        #expect(finding.remedy.notes.contains { $0.contains("nothing listens on port 32578") })
    }

    @Test func aTimedOutProbeAsksForTheHealthCheckersRule() throws {
        let analysis = try Self.analyse(Self.healthCheckEntry(state: "UNHEALTHY", detailed: "TIMEOUT", result: "HTTP response: , Error: Timeout waiting for connect"),
                                        name: "hc.json")
        let finding = try #require(analysis.findings.first)
        #expect(Self.commands(finding).contains("--source-ranges=35.191.0.0/16,130.211.0.0/22"))
        #expect(finding.remedy.notes.contains { $0.contains("The probe timed out") })
    }

    @Test func aHealthyProbeIsReadAndSaysNothingWrong() throws {
        let text = Self.healthCheckEntry(state: "HEALTHY", detailed: "HEALTHY", result: "HTTP response: 200")
        let collector = EvidenceCollector()
        #expect(collector.read(InputReader(name: "hc.json", source: MemorySource(Array(text.utf8)))) == nil)
        #expect(collector.observations.first?.facts["health"] == "HEALTHY")
        #expect(try Self.analyse(text, name: "hc.json").findings.isEmpty)
    }

    // MARK: Rows pasted without their table (ingress-gce#1148, kubernetes#27994)

    @Test func aLoneWarningEventRowIsItsMessage() {
        let row = "  Warning  Sync    17m (x2 over 32m)  loadbalancer-controller  Error during sync: error running load balancer syncing routine: loadbalancer k8s2-um-x does not exist: googleapi: Error 400: Invalid value for field 'resource.target'"
        let found = observations(row + "\n")
        #expect(found.count == 1)
        #expect(found.first?.facts["error"]?.hasPrefix("Error during sync: error running load balancer syncing routine") == true)
    }

    @Test func aLoneNodeConditionRowThatIsWrong() {
        let wrong = " NetworkUnavailable    True    Mon, 01 Jan 0001 00:00:00 +0000         Thu, 23 Jun 2016 17:12:24 -0700         NoRouteCreated                  Node created without a route\n"
        #expect(observations(wrong).first?.facts["error"] == "Node condition NetworkUnavailable is True (NoRouteCreated): Node created without a route")
        let fine = " NetworkUnavailable    False   Mon, 01 Jan 0001 00:00:00 +0000         Thu, 23 Jun 2016 17:12:24 -0700         RouteCreated                  RouteController created a route\n"
        #expect(observations(fine).isEmpty)
        #expect(UnexplainedError.looseRow("Warning: resource x is missing the kubectl.kubernetes.io/last-applied-configuration annotation") == nil)
    }

    // MARK: Sniffing (terraform-provider-google#15076, google-api-java-client#1396)

    @Test func goTestOutputIsTextNotAYAMLDocument() throws {
        let text = "------- Stdout: -------\n=== RUN   TestAccContainerNodePool_basic\n    vcr_utils.go:152: Step 1/2 error: Error running apply: exit status 1\n        Error: Error waiting for creating GKE NodePool: Quota 'IN_USE_ADDRESSES' exceeded.  Limit: 8.0 in region us-central1.\n"
        let reader = InputReader(name: "test.log", source: MemorySource(text))
        #expect(try reader.detectFormat() == .text)
    }

    @Test func aJavaLoggingLevelWordIsText() throws {
        let text = "WARNING: Failed to detect whether we are running on Google Compute Engine.\ncom.google.api.client.http.HttpResponseException: 403 Forbidden\n"
        let reader = InputReader(name: "app.log", source: MemorySource(text))
        #expect(try reader.detectFormat() == .text)
        let yaml = "---\ninsertId: a\n"
        #expect(try InputReader(name: "e.yaml", source: MemorySource(yaml)).detectFormat() == .yaml)
    }

    // MARK: gcloud's repr: a progress metric's name is not the operation's (open-match#552)

    @Test func aMetricNameIsNotTheOperationsName() throws {
        let repr = """
            ERROR: (gcloud.container.clusters.create) Operation [<Operation
             name: u'operation-1560902557555-abef9512'
             operationType: OperationTypeValueValuesEnum(CREATE_CLUSTER, 1)
             progress: <OperationProgress
             metrics: [<Metric
             intValue: 6
             name: u'CLUSTER_DEPLOYING'>]>
             selfLink: u'https://container.googleapis.com/v1/projects/p-1/zones/us-west1-b/operations/operation-1560902557555-abef9512'
             status: StatusValueValuesEnum(DONE, 3)
             statusMessage: u'subnetworks/default is not ready'>] finished with error: subnetworks/default is not ready

            """
        let operation = try #require(observations(repr).first { $0.kind == "operation" })
        #expect(operation.facts["operation"] == "operation-1560902557555-abef9512")
        let reversed = repr.split(separator: "\n").filter { !$0.contains("name: u'operation-") }.joined(separator: "\n")
            .replacingOccurrences(of: "Operation [<Operation", with: "Operation [<Operation\n name: u'CLUSTER_X'")
        #expect(!observations(reversed).contains { $0.facts["operation"] == "CLUSTER_X" || $0.facts["operation"] == "CLUSTER_DEPLOYING" })
    }

    // MARK: A registry on the node (enix/kube-image-keeper#511)

    @Test func aNodeLocalRegistryIsNotOutsideGoogle() throws {
        #expect(ImageReference.servedBy("localhost:7439") == "local")
        #expect(ImageReference.servedBy("127.0.0.1:5000") == "local")
        #expect(ImageReference.servedBy("[::1]:5000") == "local")
        #expect(ImageReference.servedBy("registry.kube-system.svc.cluster.local:5000") == "local")
        #expect(ImageReference.servedBy("us-docker.pkg.dev") == "true")
        #expect(ImageReference.servedBy("ghcr.io") == "false")
        let text = #"Failed to pull image "localhost:7439/us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0": failed to do request: Head "https://localhost:7439/v2/us-docker.pkg.dev/google-samples/containers/gke/hello-app/manifests/1.0": dial tcp [::1]:7439: connect: connection refused"#
            + "\nBack-off pulling image \"localhost:7439/us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0\"\n"
        var options = TopologyOptions()
        options.masterCIDRs = ["172.16.0.0/28"]
        let topology = try Pipeline.topology(from: options)
        let collector = EvidenceCollector(topology: topology)
        _ = collector.read(InputReader(name: "pull.txt", source: MemorySource(Array(text.utf8))))
        let rules = Engine.analyse(collector, topology: topology, rules: try RuleLoader.builtIn()).findings.map(\.rule)
        // No Cloud NAT fix for a proxy on the node; the refusal is quoted, not hidden behind the back-off's info.
        #expect(!rules.contains("external-registry-pull-failed"))
        #expect(rules.contains("error-unexplained"))
    }

    // MARK: A wrapper's exit beside the error it ran into (a Buildkite paste in round 11)

    @Test func aWrappersExitIsNotASecondError() throws {
        let text = """
            Error: Error creating NodePool: googleapi: Error 400: Something new nobody knows.
            make: *** [Makefile:12: deploy] Error 1
            Error: Process completed with exit code 2.
            ERROR: build step 0 "gcr.io/cloud-builders/kubectl" failed: step exited with non-zero status: 1

            """
        let errors = observations(text).compactMap { $0.facts["error"] }
        #expect(errors == ["Error: Error creating NodePool: googleapi: Error 400: Something new nobody knows."])
        // Alone, the exit is the only error there is.
        #expect(observations("Error: Process completed with exit code 2.\n").count == 1)
    }

    // MARK: GKE's own webhooks (a prow plank log on a GKE cluster)

    @Test func gkesOwnWebhookIsServedByTheControlPlane() throws {
        let warden = #"Internal error occurred: failed calling webhook "warden-mutating.common-webhooks.networking.gke.io": failed to call webhook: Post "https://localhost:5443/webhook/warden-mutating?timeout=10s": dial tcp [::1]:5443: connect: connection refused"#
        #expect(MessageRecognizer.recognize(warden).first?["webhook.served_by"] == "control-plane")
        let gatekeeper = #"failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": dial tcp 10.4.0.12:8443: connect: connection refused"#
        #expect(MessageRecognizer.recognize(gatekeeper).first?["webhook.served_by"] == nil)
        let finding = try #require(try Self.analyse(warden + "\n").findings.first)
        #expect(!Self.commands(finding).contains("kubectl get endpoints"))
        #expect(finding.remedy.notes.contains { $0.contains("GKE's own") })
    }

    // MARK: A cluster description's tail (banzaicloud/pipeline#2055)

    @Test func aClusterDescriptionsTailIsTheClustersState() throws {
        let tail = "status: ERROR\nstatusMessage: Failed to create cluster\nsubnetwork: default\n"
        let finding = try #require(try Self.analyse(tail, name: "describe.yaml").findings.first)
        #expect(finding.rule == "cluster-status-unexplained")
        #expect(finding.message.hasPrefix("A cluster the lines do not name is ERROR: \"Failed to create cluster\""))
        // A node pool's or an operation's fields are not a cluster's tail.
        #expect(!ClusterState.isUnnamedClusterTail(["status": "ERROR", "statusMessage": "x", "config": ["machineType": "e2"]]))
        #expect(!ClusterState.isUnnamedClusterTail(["status": "DONE", "statusMessage": "x", "operationType": "CREATE_CLUSTER", "network": "n"]))
        #expect(!ClusterState.isUnnamedClusterTail(["name": "kf", "status": "ERROR", "statusMessage": "x", "network": "n"]))
    }

    // MARK: Recognisers written in the rules this round

    @Test func newWordings() {
        let cases: [(String, String)] = [
            ("ERROR: (gcloud.container.clusters.create) ResponseError: code=400, message=Cluster CIDR range is greater than maximum (25 > 21).", "invalid-alias-range"),
            ("admission webhook \"deny-unknown-fields.cnrm.cloud.google.com\" denied the request: CustomResourceDefinition.apiextensions.k8s.io \"computebackendservices.compute.cnrm.cloud.google.com\" not found", "resource-not-served"),
            ("The load balancer reports unhealthy backend:", "backend-health"),
            ("The server encountered a temporary error and could not complete your request.", "backend-health"),
            ("Required JWT token is missing", "jwks-fetch-failed"),
        ]
        for (text, expected) in cases {
            let recognised = MessageRecognizer.recognize(text) + MessageRecognizer.recognize(text, scope: .operation)
            #expect(recognised.contains { $0["message"] == expected || $0["cause"] == expected }, "\(text)")
        }
    }
}
