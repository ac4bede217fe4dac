import Foundation
import Testing
@testable import TriageKit

/// No error goes unreported: tool output triage has no recogniser for, failed operations with an
/// unknown message, clusters in ERROR, Cloud Logging entries other than firewall records, and
/// historical operations judged against their own clock.
struct UnexplainedErrorTests {
    static let rules: [Rule] = (try? RuleLoader.builtIn()) ?? []

    /// The whole pipeline over one input, as the CLI reads it (format sniffed from the bytes).
    static func analyse(_ text: String, name: String = "pasted.txt", now: String? = nil) throws -> Analysis {
        var options = TopologyOptions()
        options.now = now
        let topology = try Pipeline.topology(from: options)
        let collector = EvidenceCollector(topology: topology)
        if let error = collector.read(InputReader(name: name, source: MemorySource(Array(text.utf8)))) { throw error }
        return Engine.analyse(collector, topology: topology, rules: rules)
    }

    @Test(arguments: [
        "Error: INSTALLATION FAILED: cannot re-use a name that is still in use",
        "│ Error: googleapi: Error 409: Already exists, alreadyExists",
        "ERROR: (gcloud.container.clusters.create) ResponseError: code=400, message=bad",
        "E1122 09:14:02.123456   12345 reflector.go:138] watch of *v1.Pod ended",
        "2026-11-22T09:14:02Z ERROR controller reconcile failed",
        #"{"level":"error","msg":"reconcile failed"}"#,
        "Get https://172.16.0.2/api: dial tcp 172.16.0.2:443: i/o timeout",
        "unable to recognize \"kout\": no matches for kind \"Issuer\" in version \"cert-manager.io/v1alpha2\"",
    ])
    func errorShapesAreErrors(_ line: String) {
        #expect(UnexplainedError.isErrorLine(line))
    }

    @Test(arguments: [
        "Status:  ERROR",
        "status: ERROR",
        "W1122 09:14:02.123456   12345 warnings.go:70] policy/v1beta1 PodSecurityPolicy is deprecated",
        "Release \"kf\" has been upgraded. Happy Helming!",
        "Type:    Error",
    ])
    func otherLinesAreNot(_ line: String) {
        #expect(!UnexplainedError.isErrorLine(line))
    }

    @Test func terraformOutputIsTextAndItsGKECauseIsFound() throws {
        // Starts with `Error:`, which reads as a YAML key: it was skipped as YAML before.
        let text = """
            Error: Error applying plan:

            1 error(s) occurred:

            * google_container_cluster.primary: Error waiting for creating GKE cluster: Constraint constraints/compute.restrictVpcPeering violated for project 481516234200. Peering the network projects/gke-prod-us-central1-59d2/global/networks/gke-n51c8e2d07a4f93b6e1d-net is not allowed.

            """
        let analysis = try Self.analyse(text)
        let finding = try #require(analysis.findings.first { $0.rule == "vpc-peering-blocked-by-org-policy" })
        #expect(finding.message.hasPrefix("CREATE_CLUSTER of the cluster failed"))
        #expect(finding.remedy.notes.contains { $0.contains("481516234200") })
        // The error header beside the explained line is not a second, unexplained finding.
        #expect(!analysis.findings.contains { $0.rule == "error-unexplained" })
    }

    @Test func aBracketedTimeLogIsTextNotJSON() throws {
        let text = """
            [2020-01-23T00:50:00.465Z]  detail: u'Retry budget exhausted (80 attempts): The network "default" does not have available private IP space in 10.0.0.0/8 to reserve a /14 block for pods for cluster {europe-west2}.'

            """
        let analysis = try Self.analyse(text)
        let finding = try #require(analysis.findings.first { $0.rule == "pod-range-exhausted" })
        #expect(finding.message.contains("/14"))
    }

    @Test func anErrorNoRuleKnowsIsQuoted() throws {
        let line = "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress"
        let analysis = try Self.analyse("$ helm upgrade kf ./chart\n\(line)\n")
        let finding = try #require(analysis.findings.first)
        #expect(finding.rule == "error-unexplained")
        #expect(finding.message.contains("\"\(line)\""))
        #expect(analysis.findings.count == 1)
    }

    @Test func aFailedOperationWithAnUnknownMessageIsQuoted() throws {
        let text = """
            endTime: '2026-11-21T15:52:41.200331094Z'
            name: operation-1795334118032-2b9e4d7c
            operationType: CREATE_NODE_POOL
            startTime: '2026-11-21T15:48:38.032174551Z'
            status: DONE
            statusMessage: "Google Compute Engine: The zone does not have enough resources available to fulfill the request."
            targetLink: https://container.googleapis.com/v1/projects/481516234200/zones/us-central1/clusters/kf-private/nodePools/a100-pool
            zone: us-central1

            """
        let analysis = try Self.analyse(text, name: "operation.yaml")
        let finding = try #require(analysis.findings.first { $0.rule == "operation-failed-unexplained" })
        #expect(finding.message.contains("does not have enough resources"))
        #expect(finding.remedy.commands.first == "gcloud container operations describe operation-1795334118032-2b9e4d7c --location=us-central1 --project='<PROJECT>'")
    }

    @Test func aClusterInErrorQuotesItsMessage() throws {
        let text = """
            clusterIpv4Cidr: 10.20.0.0/14
            location: us-central1
            name: kf-private
            status: ERROR
            statusMessage: "Cloud KMS key is disabled."

            """
        let analysis = try Self.analyse(text, name: "cluster.yaml")
        let finding = try #require(analysis.findings.first { $0.rule == "cluster-status-unexplained" })
        #expect(finding.message == "Cluster kf-private is ERROR: \"Cloud KMS key is disabled.\" (a status message no rule of triage explains).")
        #expect(!analysis.findings.contains { $0.rule == "cluster-degraded-unexplained" })
    }

    @Test func aHistoricalOperationIsJudgedByItsOwnClock() throws {
        // A 2019 listing read today: the RUNNING operation started after the other one ended, so
        // by the evidence's clock it has run 0 minutes, not years.
        let text = """
            ---
            endTime: '2019-05-02T10:08:00Z'
            name: operation-1
            operationType: CREATE_NODE_POOL
            startTime: '2019-05-02T10:00:00Z'
            status: DONE
            targetLink: https://container.googleapis.com/v1/projects/p/zones/us-central1/clusters/c/nodePools/a
            zone: us-central1
            ---
            name: operation-2
            operationType: CREATE_CLUSTER
            startTime: '2019-05-02T10:09:00Z'
            status: RUNNING
            targetLink: https://container.googleapis.com/v1/projects/p/zones/us-central1/clusters/c
            zone: us-central1

            """
        let analysis = try Self.analyse(text, name: "operations.yaml")
        #expect(!analysis.findings.contains { $0.rule == "operation-running-too-long" })
        // With --now the user's clock stands: then it is overdue.
        let judged = try Self.analyse(text, name: "operations.yaml", now: "2019-05-02T11:00:00Z")
        let overdue = try #require(judged.findings.first { $0.rule == "operation-running-too-long" })
        #expect(overdue.message.contains("for 51 minutes"))
    }

    @Test func aMessageFoldedOverSeveralYAMLLinesIsReadWhole() throws {
        // `kubectl get replicaset -o yaml`: the condition message is folded, so no single line
        // holds the webhook error; the decoded document does.
        let text = """
            status:
              conditions:
                - lastTransitionTime: '2023-03-15T07:53:56Z'
                  message: >-
                    Internal error occurred: failed calling webhook
                    "validation.gatekeeper.sh": failed to call webhook: Post
                    "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": dial tcp 10.20.1.14:8443: i/o
                    timeout
                  reason: FailedCreate
                  status: 'True'
                  type: ReplicaFailure
              replicas: 0

            """
        let analysis = try Self.analyse(text, name: "replicaset.yaml")
        let finding = try #require(analysis.findings.first { $0.rule == "webhook-call-failed" })
        #expect(finding.count == 1)
    }

    @Test func evidenceClockKeepsTheWallClockForRecentEvidence() {
        let wall: Int64 = 1_800_000_000_000_000
        let recent = Observation(kind: "operation", facts: [:], source: "t", time: wall - 3_600_000_000)
        let old = Observation(kind: "operation", facts: [:], source: "t", time: wall - 400 * 86_400_000_000)
        #expect(EvidenceClock.now([recent], wallClock: wall) == wall)
        #expect(EvidenceClock.now([old], wallClock: wall) == wall - 400 * 86_400_000_000)
        #expect(EvidenceClock.now([], wallClock: wall) == wall)
    }

    static let eventEntry = #"{"insertId":"1x9q2kfg3abcde","jsonPayload":{"count":17,"involvedObject":{"kind":"ReplicaSet","name":"sleep-854565cb79","namespace":"default"},"kind":"Event","message":"Error creating: Internal error occurred: failed calling webhook \"validation.gatekeeper.sh\": failed to call webhook: Post \"https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s\": dial tcp 10.20.1.14:8443: i/o timeout","reason":"FailedCreate","type":"Warning"},"logName":"projects/kf-prod-4412/logs/events","resource":{"labels":{"cluster_name":"kf-private","location":"us-central1","project_id":"kf-prod-4412"},"type":"k8s_cluster"},"severity":"WARNING","timestamp":"2026-11-22T09:41:02Z"}"#

    @Test func aKubernetesEventEntryGoesThroughTheRecognisers() throws {
        let analysis = try Self.analyse(Self.eventEntry + "\n", name: "events.json")
        let finding = try #require(analysis.findings.first { $0.rule == "webhook-call-failed" })
        #expect(finding.count == 17)
        #expect(analysis.account.otherLogEntries["events"] == 1)
    }

    @Test func anUnexplainedErrorEntryGivesItsQuery() throws {
        let entry = #"{"insertId":"8m2kq1f7x0c3w1","logName":"projects/kf-prod-4412/logs/stderr","resource":{"labels":{"namespace_name":"kubeflow","pod_name":"ml-pipeline-7c9f6b8d5-x2kqp","project_id":"kf-prod-4412"},"type":"k8s_container"},"severity":"ERROR","textPayload":"Failed to open database","timestamp":"2026-11-22T09:41:02.118530846Z"}"#
        let analysis = try Self.analyse(entry + "\n", name: "logs.json")
        let finding = try #require(analysis.findings.first { $0.rule == "log-error-unexplained" })
        #expect(finding.message.contains("\"Failed to open database\""))
        #expect(finding.remedy.commands.first == #"gcloud logging read --project=kf-prod-4412 --freshness=30d 'insertId="8m2kq1f7x0c3w1"' --format=json"#)
        #expect(finding.remedy.notes.contains { $0.contains("Pod ml-pipeline-7c9f6b8d5-x2kqp in namespace kubeflow") })
    }

    @Test func aVPCServiceControlsAuditEntryIsADenial() throws {
        let entry = #"{"insertId":"1ugzq4ie2m0b5","logName":"projects/p-4412/logs/cloudaudit.googleapis.com%2Fpolicy","protoPayload":{"metadata":{"violationReason":"NO_MATCHING_ACCESS_LEVEL","vpcServiceControlsUniqueId":"MdZIaeqiC4dBZdUq2q1Pb"},"serviceName":"storage.googleapis.com","status":{"code":7,"message":"Request is prohibited by organization's policy."}},"resource":{"labels":{"project_id":"p-4412"},"type":"audited_resource"},"severity":"ERROR","timestamp":"2026-11-22T09:41:02.118530846Z"}"#
        let analysis = try Self.analyse(entry + "\n", name: "audit.json")
        let finding = try #require(analysis.findings.first { $0.rule == "vpc-sc-denied" })
        #expect(finding.facts.values.contains("MdZIaeqiC4dBZdUq2q1Pb") || finding.message.contains("MdZIaeqiC4dBZdUq2q1Pb"))
        #expect(finding.message.contains("storage.googleapis.com") || finding.facts.values.contains("storage.googleapis.com"))
    }
}

/// A Google API error body pasted as it came (google.rpc.Status JSON) is one error, with the
/// service and project its ErrorInfo names (cloudquery/cloudquery#1062).
struct GoogleAPIErrorBodyTests {
    @Test func theErrorInfoNamesTheServiceAndProject() throws {
        let body = """
            {
              "error": {
                "code": 403,
                "message": "Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: abcDEF123",
                "status": "PERMISSION_DENIED",
                "details": [
                  {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SECURITY_POLICY_VIOLATED", "domain": "googleapis.com",
                   "metadata": {"service": "firestore.googleapis.com", "consumer": "projects/kf-prod"}}
                ]
              }
            }
            """
        #expect(EvidenceCollector.googleAPIError(try JSONSerialization.jsonObject(with: Data(body.utf8)))
            == "googleapi: Error 403: Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: abcDEF123, PERMISSION_DENIED (reason SECURITY_POLICY_VIOLATED, service firestore.googleapis.com, consumer projects/kf-prod)")
        let analysis = try UnexplainedErrorTests.analyse(body, name: "error.json")
        let finding = try #require(analysis.findings.first { $0.rule == "vpc-sc-denied" })
        #expect(analysis.findings.count == 1)
        #expect(finding.message.contains("firestore.googleapis.com"))
        #expect(finding.remedy.actions.map(\.command.rendered).contains { $0.contains("--project=kf-prod") })
    }

    @Test func otherDocumentsAreNotErrorBodies() throws {
        #expect(EvidenceCollector.googleAPIError(["error": "x"]) == nil)
        #expect(EvidenceCollector.googleAPIError(["kind": "compute#firewall"]) == nil)
    }
}
