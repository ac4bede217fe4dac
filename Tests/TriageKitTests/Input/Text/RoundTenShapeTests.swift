import Foundation
import Testing
@testable import TriageKit

/// Shapes from the tenth round of public reports (Tests/FieldCorpus cases of the evening of 4
/// December 2026) and the misses left from earlier rounds: each test fails on the reader before
/// this round and names the report it was learned from. The cases are in the field corpus; these
/// pin the mechanism on text written here.
struct RoundTenShapeTests {
    static func analyse(_ text: String, name: String = "paste.txt") throws -> Analysis {
        let topology = try Pipeline.topology(from: TopologyOptions())
        let collector = EvidenceCollector(topology: topology)
        if let error = collector.read(InputReader(name: name, source: MemorySource(Array(text.utf8)))) { throw error }
        return Engine.analyse(collector, topology: topology, rules: try RuleLoader.builtIn())
    }

    // MARK: A Service described beside its webhook's error

    /// stackrox/admission-controller-webhook-demo#6: the error names the Service and its port 443;
    /// the Service described in the same paste says the pods serve on 8443.
    @Test func theDescribedServiceGivesTheWebhooksPodPort() throws {
        let text = """
            $ kubectl create -f pod.yaml -n hooks
            Error from server (InternalError): error when creating "pod.yaml": Internal error occurred: failed calling webhook "guard.hooks.svc": Post https://guard.hooks.svc:443/mutate?timeout=30s: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)
            $ kubectl describe svc guard -n hooks
            Name:              guard
            Namespace:         hooks
            Labels:            <none>
            Annotations:       <none>
            Selector:          app=guard
            Type:              ClusterIP
            IP:                10.10.11.218
            Port:              <unset>  443/TCP
            TargetPort:        8443/TCP
            Endpoints:         10.1.0.168:8443
            Session Affinity:  None
            Events:            <none>

            """
        let webhook = try #require(observations(text).with("webhook-call-failed").first)
        #expect(webhook.facts["port"] == "8443")
        #expect(webhook.facts["port_unknown"] == nil)
        #expect(webhook.facts["port_source"]?.contains("hooks/guard") == true)
        let analysis = try Self.analyse(text)
        let commands = analysis.findings.flatMap { $0.remedy.actions.map(\.command.rendered) }.joined(separator: "\n")
        #expect(commands.contains("--rules=tcp:8443"))
        #expect(!commands.contains("tcp:443 "))
    }

    /// A named targetPort (`http/TCP`) takes its number from the endpoints; a Service of another
    /// name, or of the same name in another namespace, gives nothing.
    @Test func aNamedTargetPortAndAnotherServiceAreHandled() throws {
        func port(_ service: String) -> String? {
            let text = """
                Error from server (InternalError): Internal error occurred: failed calling webhook "v.guard.io": failed to call webhook: Post "https://guard.hooks.svc:443/validate?timeout=10s": context deadline exceeded
                \(service)
                """
            return observations(text).with("webhook-call-failed").first?.facts["port"]
        }
        let named = "Name:              guard\nNamespace:         hooks\nSelector:          app=guard\nType:              ClusterIP\nPort:              https  443/TCP\nTargetPort:        https/TCP\nEndpoints:         10.1.0.7:9443,10.1.0.8:9443\n"
        #expect(port(named) == "9443")
        #expect(port(named.replacingOccurrences(of: "guard\n", with: "other\n")) == nil)
        #expect(port(named.replacingOccurrences(of: "hooks\n", with: "elsewhere\n")) == nil)
        // Two ports: the one the URL names.
        let two = "Name:              guard\nNamespace:         hooks\nSelector:          app=guard\nType:              ClusterIP\nPort:              metrics  8080/TCP\nTargetPort:        8081/TCP\nEndpoints:         10.1.0.7:8081\nPort:              https  443/TCP\nTargetPort:        10250/TCP\nEndpoints:         10.1.0.7:10250\n"
        #expect(port(two) == "10250")
    }

    // MARK: Quoting inside a structured log's field

    /// ray-project/kuberay#1552: zap's `"error": "no matches for kind \"RayCluster\" in version
    /// \"ray.io/v1\""` is read with its quoting undone.
    @Test func anEscapedMessageIsReadOnceMoreUnescaped() {
        let line = #"2023-10-24T09:14:02.123Z\#tERROR\#tcontroller-runtime.source\#tif kind is a CRD, it should be installed before calling Start\#t{"kind": "RayCluster.ray.io", "error": "no matches for kind \"RayCluster\" in version \"ray.io/v1\""}"#
        let found = MessageRecognizer.recognize(line)
        #expect(found.first?["message"] == "resource-not-served")
        #expect(found.first?["api_version"] == "ray.io/v1")
        #expect(ErrorText.unescaped("no escapes") == nil)
    }

    // MARK: Clients that read webhook configurations are clients

    /// knative/serving#3983: Istio's injector patching its own webhook configuration cannot reach
    /// the API server; the word "webhook" in the path and message does not make it a webhook call.
    @Test func aClientPatchingWebhookConfigurationsIsAPIServerReach() {
        let line = "2019-05-03T08:34:30.721832Z\terror\tPatch webhook failed: Get https://10.27.240.1:443/apis/admissionregistration.k8s.io/v1beta1/mutatingwebhookconfigurations/istio-sidecar-injector: dial tcp 10.27.240.1:443: i/o timeout"
        #expect(MessageRecognizer.recognize(line).first?["message"] == "control-plane-endpoint-unreachable")
        // The API server's own call to a webhook stays the webhook's.
        let call = #"Internal error occurred: failed calling webhook "x.io": Post "https://10.27.240.1:443/validate": dial tcp 10.27.240.1:443: i/o timeout"#
        #expect(MessageRecognizer.recognize(call).first?["message"] == "webhook-call-failed")
    }

    // MARK: Repeats of one error

    /// knative/serving#3983 too: the same error logged four times with four timestamps is one
    /// finding seen four times, not four findings.
    @Test func repeatsThatDifferOnlyInTheirTimestampAreOneFinding() throws {
        let lines = (1...4).map { "2019-05-03T08:34:3\($0).721832Z\terror\tsomething broke: widget 7 is not ready" }
        let analysis = try Self.analyse(lines.joined(separator: "\n") + "\n")
        let unexplained = analysis.findings.filter { $0.rule == "error-unexplained" }
        #expect(unexplained.count == 1)
        #expect(unexplained.first?.count == 4)
        #expect(UnexplainedError.withoutLogHeader("E0503 08:34:30.721832       1 main.go:42] widget 7 broke") == "widget 7 broke")
        #expect(UnexplainedError.withoutLogHeader("2019-05-03T08:34:30Z\tERROR\twidget") == "widget")
        #expect(UnexplainedError.withoutLogHeader("Error: widget") == "Error: widget")
    }

    // MARK: Failed operations whose message no rule knows

    /// terraform-google-kubernetes-engine#304 and gcloud's `finished with error:`: a relayed GKE
    /// operation failure is the operation fallback's, naming the operation, not a quoted line.
    @Test(arguments: [
        ("Error: Error waiting for creating GKE cluster: Failed to create cluster", "CREATE_CLUSTER"),
        ("Error: Error waiting for creating GKE NodePool: something new went wrong", "CREATE_NODE_POOL"),
        ("zone: u'us-central1-f'>] finished with error: the control plane did something new", "An operation"),
    ])
    func aRelayedFailedOperationIsAnOperation(line: String, type: String) throws {
        let analysis = try Self.analyse(line + "\n")
        let finding = try #require(analysis.findings.first)
        #expect(analysis.findings.count == 1)
        #expect(finding.rule == "operation-failed-unexplained")
        #expect(finding.facts["type"] == type)
        #expect(UnexplainedError.relayedFailedOperation("Error: Error waiting for creating GKE cluster: ") == nil)
        #expect(UnexplainedError.relayedFailedOperation("Error waiting for instance to create: boom") == nil)
    }

    /// kubernetes/kubernetes#21411: GKE's oldest wording names the one node that never became healthy.
    @Test func aNamedUnhealthyNodeIsNodeRegistration() {
        let facts = GKEFailureCause.classify(#"All cluster resources were brought up, but the cluster API is reporting that node "gke-kf-node-v9m4" is unhealthy."#)
        #expect(facts["cause"] == "node-registration")
        #expect(facts["node"] == "gke-kf-node-v9m4")
        // A control-plane component is not a node.
        let component = GKEFailureCause.classify(#"All cluster resources were brought up, but the cluster API is reporting that: component "kube-apiserver" from endpoint "gke-d97f" is unhealthy."#)
        #expect(component["cause"] != "node-registration")
    }

    /// hashicorp/terraform-provider-google#3650: terraform 0.11's `Error applying plan:` header is
    /// not a finding of its own beside the API's refusal listed under it.
    @Test func terraformElevensListedErrorIsTheFindingNotItsHeader() throws {
        let text = """
            Error: Error applying plan:

            1 error(s) occurred:

            * google_container_node_pool.gpu: googleapi: Error 400: Operation operation-1558074043943-c4492e58 is currently upgrading cluster kf-private. Please wait and try again once it is done., failedPrecondition

            """
        let analysis = try Self.analyse(text)
        #expect(analysis.findings.count == 1)
        #expect(analysis.findings.first?.facts["error"]?.contains("operation-1558074043943-c4492e58") == true)
    }

    // MARK: The cluster autoscaler's visibility log

    /// argoproj-labs/argocd-autopilot#324: its entries have no severity and say the cause as a
    /// message id; each error id is read, once, wherever it sits in the payload.
    @Test func visibilityMessageIdsAreCollected() {
        let payload: [String: Any] = [
            "resultInfo": ["results": [
                ["errorMsg": ["messageId": "scale.up.error.quota.exceeded", "parameters": ["https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-b/instanceGroups/gke-a-grp"]]],
                ["errorMsg": ["messageId": "scale.up.error.quota.exceeded", "parameters": ["https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-b/instanceGroups/gke-a-grp"]]],
            ]],
            "noDecisionStatus": ["noScaleUp": ["reason": ["messageId": "no.scale.up.in.backoff"]]],
        ]
        let messages = AutoscalerVisibility.messages(in: payload)
        #expect(messages.map(\.id) == ["no.scale.up.in.backoff", "scale.up.error.quota.exceeded"])
        #expect(messages.filter(\.isError).map(\.instanceGroup) == ["gke-a-grp"])
        #expect(AutoscalerVisibility.isVisibilityPayload(payload))
        #expect(!AutoscalerVisibility.isVisibilityPayload(["message": "x"]))
    }

    /// An error id no rule knows is still said (the fallback), though the entry has no severity;
    /// a decision without an error says nothing.
    @Test func anUnknownScaleUpErrorIsQuotedAndADecisionIsNot() throws {
        func entry(_ payload: String) -> String {
            #"{"insertId":"x@a1","jsonPayload":\#(payload),"logName":"projects/kf-prod/logs/container.googleapis.com%2Fcluster-autoscaler-visibility","resource":{"type":"k8s_cluster","labels":{"cluster_name":"kf","location":"us-central1","project_id":"kf-prod"}},"timestamp":"2026-11-22T09:14:02Z"}"#
        }
        let unknown = entry(#"{"resultInfo":{"results":[{"errorMsg":{"messageId":"scale.up.error.something.new","parameters":["x"]}}]}}"#)
        let found = observations(unknown + "\n", name: "visibility.json")
        #expect(found.with(LogEntryMessages.unexplainedClass).first?.facts["error"]?.contains("scale.up.error.something.new") == true)
        let decision = entry(#"{"decision":{"scaleUp":{"increasedMigs":[{"mig":{"name":"gke-a-grp","zone":"us-central1-b"},"requestedNodes":1}]}}}"#)
        #expect(observations(decision + "\n", name: "visibility.json").isEmpty)
    }

    // MARK: GKE's LoadBalancerManualChange event

    /// kubernetes/ingress-gce#584: the event's command is read after its quoted description, and
    /// each value only in the shape GCP allows: a forged or redacted value is left unknown.
    @Test func theManualFirewallChangeIsReadOnlyInValidShapes() {
        let good = #"Firewall change required by security admin: `gcloud compute firewall-rules create k8s-fw-a26e --network shared-net --description "{\"kubernetes.io/service-name\":\"db/mysql\"}" --allow tcp:3306,udp:53 --source-ranges 10.0.0.0/16,10.4.0.0/14 --target-tags gke-kf-node --project kf-net-host`"#
        let facts = MessageRecognizer.recognize(good).first ?? [:]
        #expect(facts["message"] == "shared-vpc-firewall-change")
        #expect(facts["firewall_rule"] == "k8s-fw-a26e")
        #expect(facts["network"] == "shared-net")
        #expect(facts["allow"] == "tcp:3306,udp:53")
        #expect(facts["source_ranges"] == "10.0.0.0/16,10.4.0.0/14")
        #expect(facts["target_tags"] == "gke-kf-node")
        #expect(facts["host_project"] == "kf-net-host")
        let forged = #"Firewall change required by network admin: `gcloud compute firewall-rules create k8s$(id) --network n$(id) --description "{\"a\":\"--allow tcp:0-65535 --project evil-project\"}" --allow tcp:3306;id --source-ranges 0.0.0.0/0|sh --target-tags t&&id --project p$(id)`"#
        let read = MessageRecognizer.recognize(forged).first ?? [:]
        #expect(read["message"] == "shared-vpc-firewall-change")
        for fact in ["firewall_rule", "network", "allow", "source_ranges", "target_tags", "host_project"] {
            #expect(read[fact] == nil, "\(fact): \(read[fact] ?? "")")
        }
    }

    /// The visibility log's resource labels go into commands: only a location's and a cluster
    /// name's shape is taken.
    @Test func locationsAreCheckedBeforeUse() {
        #expect(GCPLocation.isLocation("us-central1"))
        #expect(GCPLocation.isLocation("europe-west4-a"))
        #expect(!GCPLocation.isLocation("us-central1-$(id)"))
        #expect(!GCPLocation.isLocation("us central1"))
        #expect(!GCPLocation.isLocation("global"))
        #expect(!GCPLocation.isLocation("us-central-a"))
    }
}
