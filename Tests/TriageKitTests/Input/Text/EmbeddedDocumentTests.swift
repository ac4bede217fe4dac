import Foundation
import Testing
@testable import TriageKit

/// Documents inside pasted text: a JSON object over lines, gcloud's Operation repr. Read as the
/// document they are; when they are not one triage reads, their lines are read as text.
struct EmbeddedDocumentTests {
    /// terraform#15601: TF_LOG=DEBUG relays the GKE operation it polled, a line at a time.
    static let terraformDebug = """
        2017/07/20 12:03:11 [DEBUG] plugin: terraform: {
        2017/07/20 12:03:11 [DEBUG] plugin: terraform:   "name": "operation-1500552192801-80153fd6",
        2017/07/20 12:03:11 [DEBUG] plugin: terraform:   "zone": "europe-west1-c",
        2017/07/20 12:03:11 [DEBUG] plugin: terraform:   "operationType": "UPGRADE_NODES",
        2017/07/20 12:03:11 [DEBUG] plugin: terraform:   "status": "DONE",
        2017/07/20 12:03:11 [DEBUG] plugin: terraform:   "statusMessage": "Failed to start node upgrade: Desired node version (1.7.0) cannot be greater than current master version (1.6.6)",
        2017/07/20 12:03:11 [DEBUG] plugin: terraform:   "targetLink": "https://container.googleapis.com/v1/projects/465502950074/zones/europe-west1-c/clusters/peopledata-preprod/nodePools/default-pool"
        2017/07/20 12:03:11 [DEBUG] plugin: terraform: }

        """

    @Test func aJSONOperationInADebugLogIsAnOperation() throws {
        let found = observations("Plan: 0 to add, 1 to change, 0 to destroy.\n" + Self.terraformDebug)
        let operation = try #require(found.first { $0.kind == "operation" })
        #expect(operation.facts["operation"] == "operation-1500552192801-80153fd6")
        #expect(operation.facts["type"] == "UPGRADE_NODES")
        #expect(operation.facts["failed"] == "true")
        #expect(operation.facts["node_pool"] == "default-pool")
        #expect(operation.facts["location"] == "europe-west1-c")
        #expect(operation.location?.line == 2)
    }

    /// kubernetes#69663: kubetest's prefix on every line of gcloud's repr, cut before its last line.
    static let kubetestRepr = """
        W1107 09:45:44.064] ERROR: (gcloud.container.clusters.create) Operation [<Operation
        W1107 09:45:44.065]  clusterConditions: []
        W1107 09:45:44.065]  detail: u'All cluster resources were brought up, but the cluster API is reporting that: component "kube-apiserver" from endpoint "gke-d97f5d2405088e02923d-85eb" is unhealthy.'
        W1107 09:45:44.065]  endTime: u'2018-11-07T09:45:42.630090979Z'
        W1107 09:45:44.065]  name: u'operation-1541583255239-a1541e17'
        W1107 09:45:44.065]  operationType: OperationTypeValueValuesEnum(CREATE_CLUSTER, 1)
        W1107 09:45:44.065]  selfLink: u'https://test-container.sandbox.googleapis.com/v1/projects/943316867058/zones/us-central1-f/operations/operation-1541583255239-a1541e17'
        W1107 09:45:44.065]  startTime: u'2018-11-07T09:34:15.239200848Z'
        W1107 09:45:44.065]  status: StatusValueValuesEnum(DONE, 3)
        W1107 09:45:44.066]  targetLink: u'https://test-container.sandbox.googleapis.com/v1/projects/943316867058/zones/us-central1-f/clusters/e2e-3153-218b6'
        W1107 09:45:44.066] 2018/11/07 09:45:44 process.go:155: Step 'gcloud container clusters create' finished in 11m30s

        """

    @Test func aCutReprIsTheOperationItDescribes() throws {
        let found = observations(Self.kubetestRepr)
        let operation = try #require(found.first { $0.kind == "operation" })
        #expect(operation.facts["operation"] == "operation-1541583255239-a1541e17")
        #expect(operation.facts["type"] == "CREATE_CLUSTER")
        #expect(operation.facts["status"] == "DONE")
        #expect(operation.facts["failed"] == "true")
        #expect(operation.facts["cluster"] == "e2e-3153-218b6")
        // No `zone:` line survived the cut: the link says where it ran.
        #expect(operation.facts["location"] == "us-central1-f")
        #expect(operation.facts["duration_minutes"] == "11")
        let error = try #require(operation.facts["error"])
        #expect(error.contains("component \"kube-apiserver\""))
        // The header is the operation's own line, not a second, unexplained error.
        #expect(!found.contains { $0.facts["message"] == UnexplainedError.messageClass })
    }

    @Test func aWholeReprTakesItsFinishedWithErrorMessage() throws {
        let repr = """
            ERROR: (gcloud.container.node-pools.create) Operation [<Operation
             name: 'operation-9-abc'
             selfLink: 'https://container.googleapis.com/v1/projects/p-1/locations/europe-west4/operations/operation-9-abc'
             zone: 'europe-west4'>] finished with error: Google Compute Engine: Required 'compute.subnetworks.use' permission for 'projects/host/regions/europe-west4/subnetworks/s'

            """
        let operation = try #require(observations(repr).first { $0.kind == "operation" })
        #expect(operation.facts["type"] == "CREATE_NODE_POOL")  // from the command, as the repr had no operationType
        #expect(operation.facts["status"] == "DONE")
        #expect(operation.facts["location"] == "europe-west4")
        #expect(operation.facts["error"]?.contains("compute.subnetworks.use") == true)
    }

    @Test func reprValues() {
        #expect(EmbeddedDocument.reprValue("u'it\\'s'") == "it's")
        #expect(EmbeddedDocument.reprValue("\"a 'quoted' word\">, <StatusCondition") == "a 'quoted' word")
        #expect(EmbeddedDocument.reprValue("StatusValueValuesEnum(DONE, 3)") == "DONE")
        #expect(EmbeddedDocument.reprValue("'us-central1-f'>] finished with error: x") == "us-central1-f")
        #expect(EmbeddedDocument.reprValue("8") == "8")
        #expect(EmbeddedDocument.reprValue("[<StatusCondition") == nil)
        #expect(EmbeddedDocument.reprValue("<Status") == nil)
        #expect(EmbeddedDocument.reprValue("u'cut before its quote") == nil)
    }

    /// A repr without a name or link is not an operation: its lines are read as text, as before.
    @Test func aReprWithoutANameIsText() throws {
        let repr = """
            ERROR: (gcloud.container.clusters.create) Operation [<Operation
             clusterConditions: [<StatusCondition
             message: "All cluster resources were brought up, but: only 4 nodes out of 5 have registered; this is likely due to Nodes failing to start correctly.">]

            """
        let found = observations(repr)
        // Read as the text it was: the registration failure is found, with no operation named.
        #expect(found.count == 1)
        #expect(found.allSatisfy { $0.facts["operation"] == nil && $0.facts["error"]?.contains("4 nodes out of 5") == true })
    }

    /// JSON that is no document triage reads (an object's status) is read as the text it was.
    @Test func anUnknownJSONObjectIsReadAsText() {
        let text = """
            $ kubectl get validatingwebhookconfiguration x -o json
            {
              "status": {
                "message": "Internal error occurred: failed calling webhook \\"validate.kserve.io\\": Post \\"https://kserve-webhook-server-service.kserve.svc:443/validate?timeout=10s\\": context deadline exceeded"
              }
            }

            """
        let found = observations(text)
        #expect(found.contains { $0.facts["message"] == "webhook-call-failed" })
    }

    /// A Google API error body pasted from curl is one error, with its ErrorInfo's reason and service.
    @Test func aGoogleAPIErrorBodyIsOneError() throws {
        let text = """
            $ curl https://container.googleapis.com/v1/projects/my-proj/locations/us-central1/clusters
            {
              "error": {
                "code": 403,
                "message": "Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: 5nKQ8abc",
                "status": "PERMISSION_DENIED",
                "details": [
                  {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SECURITY_POLICY_VIOLATED",
                    "metadata": { "service": "container.googleapis.com" }
                  }
                ]
              }
            }

            """
        let found = observations(text)
        let denied = try #require(found.first { $0.facts["message"] == "vpc-sc-denied" })
        #expect(denied.facts["service_name"] == "container.googleapis.com")
        #expect(denied.location?.line == 2)
        #expect(found.count == 1)
    }

    /// An object never closed, or one past the bounds, is given back line by line: nothing is lost.
    @Test func anOpenOrOversizedBlockIsGivenBack() throws {
        let open = "Applying…\n{\n  \"message\": \"Error: googleapi: Error 403: Required 'compute.subnetworks.use' permission for 'projects/h/regions/r/subnetworks/s'\"\n"
        #expect(!observations(open).isEmpty)
        let filler = Array(repeating: "  \"k\": 1,", count: EmbeddedDocument.maximumLines + 10).joined(separator: "\n")
        let oversized = "{\n" + filler + "\n  \"message\": \"dial tcp 172.16.0.2:443: i/o timeout\"\n}\nUnable to connect to the server: dial tcp 172.16.0.2:443: i/o timeout\n"
        let found = observations(oversized)
        // The line inside the given-back block is read where it is.
        let messageLine = EmbeddedDocument.maximumLines + 12
        #expect(found.flatMap(\.places).contains { $0.location.line == messageLine })
    }
}
