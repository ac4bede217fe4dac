import Testing
@testable import TriageKit

/// Message shapes quoted in public reports of GKE failures (gcloud, Terraform, Deployment
/// Manager), beyond the ones in the operations catalog.
struct GKEFailureCauseTests {
    /// sethvargo/vault-on-gke#69: the same wait for the nodes, ended on nodes that never became healthy.
    @Test func nodesUnhealthyAreTheRegistrationWait() {
        let f = GKEFailureCause.classify("Error waiting for creating GKE cluster: All cluster resources were brought up, but: 3 nodes out of 3 are unhealthy.")
        #expect(f["cause"] == "node-registration")
        #expect(f["unhealthy"] == "3")
        #expect(f["expected"] == "3")
        #expect(f["nodes"] == "3 of 3 nodes unhealthy")
        let registered = GKEFailureCause.classify("All cluster resources were brought up, but: only 0 nodes out of 3 have registered")
        #expect(registered["nodes"] == "0 of 3 nodes registered with the control plane")
    }

    @Test func quotaAsComputeSaysIt() {
        let f = GKEFailureCause.classify("google_compute_instance.public-agent: Quota 'CPUS' exceeded.  Limit: 8.0 in region us-east1.")
        #expect(f["cause"] == "quota-exceeded")
        #expect(f["quota_metric"] == "CPUS")
        #expect(f["quota_limit"] == "8")
        #expect(f["quota_region"] == "us-east1")
    }

    @Test func quotaAsTheOlderGKEMessageSaysIt() {
        let f = GKEFailureCause.classify(
            "Insufficient regional quota to satisfy request for resource: \"IN_USE_ADDRESSES\". The request requires '2.0' and is short '1.0'. The regional quota is '32.0' with '1.0' available.")
        #expect(f["cause"] == "quota-exceeded")
        #expect(f["quota_metric"] == "IN_USE_ADDRESSES")
        #expect(f["quota_requested"] == "2")
        #expect(f["quota_short"] == "1")
        #expect(f["quota_limit"] == "32")
        #expect(f["quota_available"] == "1")
    }

    @Test func projectQuota() {
        let f = GKEFailureCause.classify(
            "Insufficient project quota to satisfy request: resource \"CPUS_ALL_REGIONS\": request requires '16.0' and is short '4.0'. project has a quota of '12.0' with '12.0' available.")
        #expect(f["quota_scope"] == "project")
        #expect(f["quota_metric"] == "CPUS_ALL_REGIONS")
    }

    @Test func missingNetworkInItsSpellings() {
        #expect(GKEFailureCause.classify("project \"jx-poc\" has no network named \"default\".") == ["cause": "network-missing", "network": "default"])
        #expect(GKEFailureCause.classify("(1) network \"default\" does not exist.") == ["cause": "network-missing", "network": "default"])
        #expect(GKEFailureCause.classify("The resource 'projects/p1/regions/us-east1/subnetworks/kf-nodes' was not found")
            == ["cause": "network-missing", "subnetwork": "kf-nodes"])
    }

    @Test func secondaryRangeNotFound() {
        let f = GKEFailureCause.classify(
            "Pod secondary range \"pods\" not found in network \"https://www.googleapis.com/compute/v1/projects/p/global/networks/default\", subnetwork \"default\".")
        #expect(f["cause"] == "invalid-alias-range")
        #expect(f["range_name"] == "pods")
    }

    @Test func aliasRangeOnAnInstance() {
        let f = GKEFailureCause.classify(
            "deploy error: Not all instances running in IGM after 12.294175155s. Expect 1. Current errors: [INVALID_FIELD_VALUE]: Instance 'gke-x-default-pool-78b0666e-fjqd' creation failed: Invalid value for field 'resource.networkInterfaces[0].aliasIpRanges[0].ipCidrRange': '10.32.97.0/24'.")
        #expect(f["cause"] == "invalid-alias-range")
        #expect(f["field"] == "resource.networkInterfaces[0].aliasIpRanges[0].ipCidrRange")
        #expect(f["range"] == "10.32.97.0/24")
    }

    @Test func sharedVPCByPermissionAndByRole() {
        let f = GKEFailureCause.classify(
            "Google Compute Engine: Required 'compute.subnetworks.get' permission for 'projects/host-1/regions/us-central1/subnetworks/sub'")
        #expect(f["cause"] == "shared-vpc-iam-missing")
        #expect(f["host_project"] == "host-1")
        #expect(f["permission"] == "compute.subnetworks.get")
        let g = GKEFailureCause.classify("the service agent needs roles/container.hostServiceAgentUser on the host project")
        #expect(g["cause"] == "shared-vpc-iam-missing")
        #expect(g["role"] == "roles/container.hostServiceAgentUser")
    }

    @Test func instancesThatNeverStartedWithoutAKnownCause() {
        let f = GKEFailureCause.classify(
            "Google Compute Engine: Not all instances running in IGM after 38m7.1s. Expected 3, running 0, transitioning 3. Current errors: [GCE_STOCKOUT]: Instance 'gke-a-b-c' creation failed: The zone does not have enough resources available to fulfill the request.")
        #expect(f == ["cause": "instances-not-running", "expected": "3", "running": "0", "gce_error": "GCE_STOCKOUT"])
    }

    @Test func aTerraformWrappedPeeringError() {
        let f = GKEFailureCause.classify(
            "Error: Error waiting for creating GKE cluster: Constraint constraints/compute.restrictVpcPeering violated for project 416438288258. Peering the network projects/gke-prod-europe-north1-6277/global/networks/gke-n7f73fb7ea7f912295f2-0b9c-230b-net is not allowed.")
        #expect(f["cause"] == "vpc-peering-blocked-by-org-policy")
        #expect(f["project_number"] == "416438288258")
    }

    @Test func gcloudsSynchronousLegacyNetworkError() {
        let f = GKEFailureCause.classify(
            "ERROR: (gcloud.container.clusters.create) ResponseError: code=400, message=IP aliases cannot be used with a legacy network.")
        #expect(f == ["cause": "legacy-network"])
    }

    @Test func unrelatedMessagesHaveNoCause() {
        for message in ["", "Cluster is being upgraded", "Operation was aborted", "Request contains an invalid argument."] {
            #expect(GKEFailureCause.classify(message).isEmpty)
        }
    }
}

/// The fourth of December's round of reports.
extension GKEFailureCauseTests {
    /// huggingface/Google-Cloud-Containers#126: the cluster autoscaler says quota in words.
    @Test func scaleUpQuotaNamesItsZone() {
        let f = GKEFailureCause.classify("Node scale up in zones us-central1-c associated with this pod failed: GCE quota exceeded. Pod is at risk of not being scheduled.")
        #expect(f["cause"] == "quota-exceeded")
        #expect(f["location"] == "us-central1-c")
        #expect(f["quota_region"] == "us-central1")
        let stockout = GKEFailureCause.classify("Node scale up in zones us-central1-c associated with this pod failed: GCE out of resources. Pod is at risk of not being scheduled.")
        #expect(stockout["cause"] == "zone-resources-exhausted")
        #expect(stockout["stockout_zone"] == "us-central1-c")
    }

    /// gruntwork-io/terraform-google-gke#118 and elastic/cloud-on-k8s#2616.
    @Test func secondaryRangeRefusalsInOtherWords() {
        let same = GKEFailureCause.classify("Error: googleapi: Error 400: Pod secondary range name (public-services) should not be the same as service secondary range name., badRequest")
        #expect(same["cause"] == "invalid-alias-range")
        #expect(same["range"] == "public-services")
        let limit = GKEFailureCause.classify("Google Compute Engine: Exceeded maximum supported number of secondary ranges per subnetwork: 30.")
        #expect(limit["cause"] == "invalid-alias-range")
    }

    /// google/caliban#66: the JSON body logged as a Python bytes literal, its quotes escaped twice.
    @Test func aMessageInsideAnotherQuotingIsReadUnescaped() {
        let line = #"W0801 23:46:06.863384 4536327616 http.py:123] Invalid JSON content from response: b'{\n  "error": {\n    "message": "Insufficient regional quota to satisfy request: resource \\"IN_USE_ADDRESSES\\": request requires \'12.0\' and is short \'4.0\'. project has a quota of \'8.0\' with \'8.0\' available."\n  }\n}\n'"#
        let f = GKEFailureCause.classify(line)
        #expect(f["cause"] == "quota-exceeded")
        #expect(f["quota_metric"] == "IN_USE_ADDRESSES")
        #expect(f["quota_requested"] == "12")
        #expect(f["quota_short"] == "4")
        #expect(ErrorText.unescaped("no escapes here") == nil)
        #expect(ErrorText.unescaped(#"a \\\\"b\\\\" \'c\'"#) == #"a "b" 'c'"#)
    }

    /// googlecodelabs/feedback#351: the location first, then the constraint.
    @Test func aLocationThatViolatesAConstraint() {
        let f = GKEFailureCause.classify("Error : u'Location ZONE:northamerica-northeast1-c violates constraint constraints/gcp.resourceLocations on the resource projects/p/zones/northamerica-northeast1-c/instanceGroupManagers/gke-hello-default-pool-4460aa9c-grp.'")
        #expect(f["cause"] == "org-policy-blocks-node-creation")
        #expect(f["constraint"] == "constraints/gcp.resourceLocations")
        #expect(f["refused_location"] == "northamerica-northeast1-c")
    }
}

extension GKEFailureCauseTests {
    /// hashicorp/terraform-provider-google#7545: a Shared VPC service project's subnetwork.
    @Test func aSubnetworkTheProjectDoesNotHave() {
        let f = GKEFailureCause.classify(#"Error: googleapi: Error 404: Not found: project "my-service-project" does not have a subnetwork named "my-subnet" in region "us-central1"., notFound"#)
        #expect(f["cause"] == "network-missing")
        #expect(f["subnetwork"] == "my-subnet")
        #expect(f["subnetwork_project"] == "my-service-project")
        #expect(f["region"] == "us-central1")
    }

    /// terraform-google-kubernetes-engine#1745: GKE's per-location cluster cap is CPU quota.
    @Test func theClusterCapIsCPUQuota() {
        let f = GKEFailureCause.classify("Error: googleapi: Error 403: You cannot create more than 3 clusters in location us-central1; to create more than 3, you must request an increase of your Google Compute Engine quota for region us-central1 to 25 CPUs or more.")
        #expect(f["cause"] == "quota-exceeded")
        #expect(f["quota_metric"] == "CPUS")
        #expect(f["quota_region"] == "us-central1")
        #expect(f["quota_requested"] == "25")
    }

    /// pubsec-declarative-toolkit#812: the peering sentence quoted alone.
    @Test func thePeeringSentenceAlone() {
        let f = GKEFailureCause.classify("Peering the network projects/gke-prod-na-ne1-2fbb/global/networks/gke-n965f1051bcd2d9c10f9-a2fa-7721-net is not allowed.")
        #expect(f["cause"] == "vpc-peering-blocked-by-org-policy")
        #expect(f["constraint"] == "constraints/compute.restrictVpcPeering")
    }
}
