#!/usr/bin/env python3
"""Writes the fixture trees for GKE operations and cluster state that tools/fakegcp/server.py serves
and tools/make-samples.sh renders with the real gcloud (its `render_command_scenario` function).

Deterministic: running it again gives byte-identical files. Python 3 stdlib only.

    python3 tools/scenarios/generate_operations.py            # every scenario below
    python3 tools/scenarios/generate_operations.py NAME ...   # only these

Scenarios (each a directory under tools/scenarios/ with a scenario.json whose "commands" list says
which gcloud commands make-samples.sh runs, against which fixture root, into which file):

    operations-catalog     one operation per failure class GKE reports, a RUNNING one, ordinary
                           DONE ones, and two clusters (ERROR with conditions, DEGRADED); rendered
                           into Tests/TriageKitTests/Fixtures/operations/ for the unit tests
    stuck-provisioning     CREATE_CLUSTER RUNNING for an hour, later DONE with "only 0 nodes out of
                           3 have registered"; nodes cannot reach the control plane on tcp:443
    legacy-network         CREATE_CLUSTER failed: "IP aliases cannot be used with a legacy network."

Message texts follow what GKE really reports (quoted in public issue trackers and the GKE
troubleshooting pages): node registration, IP space exhausted, restrictVpcPeering, legacy network,
missing network, invalid secondary range, regional quota, Shared VPC permissions.
"""

import json
import os
import sys

import generate as g

HERE = os.path.dirname(os.path.abspath(__file__))
CONTAINER = f"https://container.googleapis.com/v1/projects/{g.PROJECT_NUMBER}/zones/{g.REGION}"
HOST_PROJECT = "kf-net-host-7731"

NODE_REGISTRATION = ("All cluster resources were brought up, but: only 0 nodes out of 3 have registered; this "
                     "is likely due to the Nodes failing to start correctly; try re-creating the cluster or "
                     "contact support if that doesn't work.")
LEGACY_NETWORK = "IP aliases cannot be used with a legacy network."


def op(name, kind, target, start, end=None, status="DONE", message=None, code=None, metrics=None):
    """A GKE v1 Operation as the API returns it (gcloud shows `zone`, links use the project number)."""
    o = {"name": name, "operationType": kind, "selfLink": f"{CONTAINER}/operations/{name}",
         "startTime": start, "status": status, "targetLink": f"{CONTAINER}/{target}", "zone": g.REGION}
    if end:
        o["endTime"] = end
    if message:
        o["statusMessage"] = message
        o["error"] = {"code": code if code is not None else 13, "message": message}
    if metrics:
        o["progress"] = {"metrics": [{"name": k, "intValue": str(v)} for k, v in metrics]}
    return o


def create_cluster_running(start):
    # The metrics gcloud shows under progress while a cluster is being created.
    return op("operation-1795337894120-5d2a7c1e-0b4f-4c83-9e17-a6b3d58f2c90", "CREATE_CLUSTER",
              f"clusters/{g.CLUSTER}", start, status="RUNNING",
              metrics=[("CLUSTER_CONFIGURING", 7), ("CLUSTER_CONFIGURING_TOTAL", 7),
                       ("CLUSTER_DEPLOYING", 6), ("CLUSTER_DEPLOYING_TOTAL", 8),
                       ("CLUSTER_HEALTHCHECKING", 0), ("CLUSTER_HEALTHCHECKING_TOTAL", 3)])


def cluster(status, message=None, conditions=None):
    c = g.cluster()[0]
    c["status"] = status
    if message:
        c["statusMessage"] = message
    if conditions:
        c["conditions"] = conditions
    return c


def catalog_operations():
    o = []
    add = o.append
    add(op("operation-1772476867843-4b1f3d6e-9a2c-4e8b-b7d1-3c5a9e2f6b10", "CREATE_CLUSTER",
           f"clusters/{g.CLUSTER}", "2026-03-02T18:41:07.843525318Z", "2026-03-02T18:49:52.115704831Z"))
    add(op("operation-1779105732561-9f8e2d1c-6a5b-4c3d-b2e1-0f9a8b7c6d5e", "UPGRADE_NODES",
           f"clusters/{g.CLUSTER}/nodePools/default-pool", "2026-05-18T07:22:12.561847392Z",
           "2026-05-18T08:10:37.019283746Z"))
    add(op("operation-1795330118204-1a9e6b3f-7c2d-4e05-8f41-b0d9c7a5e316", "CREATE_CLUSTER",
           "clusters/kf-sandbox", "2026-11-21T14:08:38.204113507Z", "2026-11-21T14:52:09.771830264Z",
           message=NODE_REGISTRATION))
    add(op("operation-1795331402917-6c0f2e8a-3b1d-4a97-b5e6-2d8f0c4a9e71", "CREATE_NODE_POOL",
           f"clusters/{g.CLUSTER}/nodePools/gpu-pool-2", "2026-11-21T15:10:02.917406118Z",
           "2026-11-21T15:41:48.302117659Z",
           message=("Google Compute Engine: Not all instances running in IGM after 31m27.384629671s. "
                    "Expected 2, running 0, transitioning 2. Current errors: [IP_SPACE_EXHAUSTED]: Instance "
                    "'gke-kf-private-gpu-pool-2-7a3c1e9d-k2vd' creation failed: IP space of "
                    f"'projects/{g.PROJECT}/regions/{g.REGION}/subnetworks/{g.SUBNET}-kf-gpu-pods' is "
                    "exhausted."), code=8))
    add(op("operation-1795332044561-2e7b9d0c-5f3a-4c18-a6d2-9b1e0f7c3a54", "CREATE_CLUSTER",
           "clusters/kf-peered", "2026-11-21T15:20:44.561209734Z", "2026-11-21T15:23:17.048830125Z",
           message=("Constraint constraints/compute.restrictVpcPeering violated for project "
                    f"{g.PROJECT_NUMBER}. Peering the network projects/{g.TENANT_PROJECT}/global/networks/"
                    "gke-n51c8e2d07a4f93b6e1d-7f2c-90ab-net is not allowed."), code=9))
    add(op("operation-1795332670338-8d4a1f6e-0c9b-4e27-93f5-c1a7e2b0d846", "CREATE_CLUSTER",
           "clusters/kf-legacy", "2026-11-21T15:31:10.338871920Z", "2026-11-21T15:31:13.902146877Z",
           message=LEGACY_NETWORK, code=3))
    add(op("operation-1795333205719-4f2c8e1a-7d6b-4093-b8e5-3a0c9f1d7e62", "CREATE_CLUSTER",
           "clusters/kf-test", "2026-11-21T15:40:05.719335081Z", "2026-11-21T15:40:09.126704993Z",
           message=f"Project \"{g.PROJECT}\" has no network named \"kf-vpc\".", code=3))
    add(op("operation-1795333671046-0b5e9c2d-3a8f-4d71-a6e4-7c1f2b9d0e38", "CREATE_CLUSTER",
           "clusters/kf-test", "2026-11-21T15:47:51.046328815Z", "2026-11-21T15:49:02.661925410Z",
           message=("Retry budget exhausted (10 attempts): Google Compute Engine: Invalid value for field "
                    "'resource.secondaryIpRanges[1].ipCidrRange': '10.24.0.0/20'. Invalid IPCidrRange: "
                    "10.24.0.0/20 conflicts with existing subnetwork 'kf-services' in region "
                    "'us-central1'."), code=3))
    add(op("operation-1795334219857-7e1d3b0a-9c5f-4a26-8d07-e2b6f4c1a953", "CREATE_NODE_POOL",
           f"clusters/{g.CLUSTER}/nodePools/highmem-pool", "2026-11-21T15:56:59.857114302Z",
           "2026-11-21T15:57:03.440918576Z",
           message=("Insufficient regional quota to satisfy request: resource \"CPUS\": request requires "
                    "'48.0' and is short '16.0'. project has a quota of '72.0' with '32.0' available. View "
                    "and manage quotas at https://console.cloud.google.com/iam-admin/quotas?usage=USED&"
                    f"project={g.PROJECT}."), code=8))
    add(op("operation-1795334803172-3c6a0e9f-1b4d-4e58-a7f2-d9e0b5c8a164", "CREATE_CLUSTER",
           "clusters/kf-shared", "2026-11-21T16:06:43.172580019Z", "2026-11-21T16:07:30.885163442Z",
           message=("Google Compute Engine: Required 'compute.subnetworks.use' permission for "
                    f"'projects/{HOST_PROJECT}/regions/{g.REGION}/subnetworks/kf-shared-nodes'."), code=7))
    add(op("operation-1795335120463-9a0c4e7b-2d1f-4b83-8e69-f5a3c0d7b214", "SET_LABELS",
           f"clusters/{g.CLUSTER}", "2026-11-21T16:12:00.463992157Z", "2026-11-21T16:12:02.118530846Z"))
    add(op("operation-1795336702885-5b8f1d3c-6e0a-4f92-b7c4-0d2e9a1f6c85", "UPGRADE_MASTER",
           f"clusters/{g.CLUSTER}", "2026-11-22T09:31:42.885017326Z", status="RUNNING",
           metrics=[("CLUSTER_UPGRADING", 1), ("CLUSTER_UPGRADING_TOTAL", 3)]))
    add(create_cluster_running("2026-11-22T08:58:14.120448305Z"))
    return o


def catalog_clusters():
    error = cluster("ERROR", NODE_REGISTRATION, conditions=[
        {"canonicalCode": "UNKNOWN", "message": NODE_REGISTRATION}])
    degraded = cluster("DEGRADED", "Insufficient quota to satisfy the request: resource \"CPUS\".", conditions=[
        {"code": "GCE_QUOTA_EXCEEDED", "canonicalCode": "RESOURCE_EXHAUSTED",
         "message": ("Insufficient regional quota to satisfy request: resource \"CPUS\": request requires "
                     "'8.0' and is short '4.0'. project has a quota of '72.0' with '4.0' available.")}])
    degraded["name"] = "kf-batch"
    degraded["selfLink"] = degraded["selfLink"].replace(g.CLUSTER, "kf-batch")
    return [error, degraded]


def legacy_operations():
    return [op("operation-1795336511790-6e2b0c9a-4d7f-4a15-92c8-b3f1e0d5a746", "CREATE_CLUSTER",
               f"clusters/{g.CLUSTER}", "2026-11-22T09:28:31.790552104Z", "2026-11-22T09:28:35.014779238Z",
               message=LEGACY_NETWORK, code=3)]


def stuck_done():
    o = create_cluster_running("2026-11-22T08:58:14.120448305Z")
    del o["progress"]
    o["status"] = "DONE"
    o["endTime"] = "2026-11-22T10:14:37.552913840Z"
    o["statusMessage"] = NODE_REGISTRATION
    o["error"] = {"code": 13, "message": NODE_REGISTRATION}
    return [o]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


P, R = g.PROJECT, g.REGION
RUNNING_OP = create_cluster_running("x")["name"]


def scenario_catalog(d):
    write(os.path.join(d, "container", "operations.json"), catalog_operations())
    write(os.path.join(d, "container", "clusters.json"), catalog_clusters())
    legacy = "operation-1795332670338-8d4a1f6e-0c9b-4e27-93f5-c1a7e2b0d846"
    return {
        "title": "every failure class of GKE operations, for the unit tests",
        "out": "Tests/TriageKitTests/Fixtures/operations",
        "commands": [
            {"file": "operations-list.txt", "args": ["container", "operations", "list", "--project", P]},
            {"file": "operations-list.json",
             "args": ["container", "operations", "list", "--project", P, "--format=json"]},
            {"file": "operations-list.yaml",
             "args": ["container", "operations", "list", "--project", P, "--format=yaml"]},
            {"file": "operation-describe-running.yaml",
             "args": ["container", "operations", "describe", RUNNING_OP, "--region", R, "--project", P]},
            {"file": "operation-describe-legacy.json",
             "args": ["container", "operations", "describe", legacy, "--region", R, "--project", P,
                      "--format=json"]},
            {"file": "clusters-list.txt", "args": ["container", "clusters", "list", "--project", P]},
            {"file": "cluster-error.yaml",
             "args": ["container", "clusters", "describe", g.CLUSTER, "--region", R, "--project", P]},
            {"file": "cluster-degraded.json",
             "args": ["container", "clusters", "describe", "kf-batch", "--region", R, "--project", P,
                      "--format=json"]},
        ],
        "api": [{"file": "operations-api.json", "path": f"/v1/projects/{P}/locations/-/operations"}],
    }


def scenario_stuck(d):
    rules = g.firewall_rules({"no_master_egress": True})
    for root in (d, os.path.join(d, "running")):
        write(os.path.join(root, "compute", "firewalls.json"), rules)
        write(os.path.join(root, "compute", "routes.json"), g.routes())
    write(os.path.join(d, "container", "operations.json"), stuck_done())
    write(os.path.join(d, "container", "clusters.json"), [cluster("ERROR", NODE_REGISTRATION, conditions=[
        {"canonicalCode": "UNKNOWN", "message": NODE_REGISTRATION}])])
    write(os.path.join(d, "running", "container", "operations.json"),
          [create_cluster_running("2026-11-22T08:58:14.120448305Z")])
    write(os.path.join(d, "running", "container", "clusters.json"), [cluster("PROVISIONING")])
    return {
        "title": "cluster creation RUNNING for an hour, then DONE: only 0 nodes out of 3 have registered",
        "commands": [
            {"file": "operations-running.txt", "root": "running",
             "args": ["container", "operations", "list", "--region", R, "--project", P]},
            {"file": "operation-describe.yaml",
             "args": ["container", "operations", "describe", RUNNING_OP, "--region", R, "--project", P]},
            {"file": "cluster.yaml", "args": ["container", "clusters", "describe", g.CLUSTER, "--region", R,
                                              "--project", P]},
            {"file": "firewall-rules.json",
             "args": ["compute", "firewall-rules", "list", "--project", P, "--format=json"]},
            {"file": "routes.json", "args": ["compute", "routes", "list", "--project", P, "--format=json"]},
        ],
        "readme": [
            "`kf-private` was created at 08:58 UTC. An hour later `operations-running.txt` (taken at",
            "10:00 UTC) still shows CREATE_CLUSTER RUNNING; at 10:14 it ended DONE with",
            "\"only 0 nodes out of 3 have registered\" (`operation-describe.yaml`) and the cluster is in",
            "ERROR (`cluster.yaml`). The nodes never reached the control plane: the firewall has",
            "`deny-all-egress` (priority 65534) and no rule allowing the nodes egress to the control",
            "plane 172.16.0.0/28 on tcp:443 (`firewall-rules.json`). Node registration also needs",
            "Google APIs through the restricted VIP (allowed by `allow-egress-restricted-vip`) and,",
            "for images outside Google, Cloud NAT.",
            "",
            "Expected findings with `--now 2026-11-22T10:00:00Z` (the time the RUNNING table was taken):",
            "- one ERROR finding for cause `node-registration`: `cluster-degraded` (kf-private in ERROR,",
            "  from `cluster.yaml`) merged with `nodes-never-registered` (from `operation-describe.yaml`),",
            "  confirmed by both, with the flows to check and the egress rules that fix them;",
            "- WARNING `operation-running-too-long`: CREATE_CLUSTER on kf-private RUNNING for 61 minutes,",
            "  typical 10 (from `operations-running.txt`; the later describe shows how it ended);",
            "- once flow checks read `firewall-rules.json`: nodes -> control plane tcp:443 denied by",
            "  `deny-all-egress` (no `allow-egress-gke-master` rule in this project).",
        ],
    }


def scenario_legacy(d):
    write(os.path.join(d, "container", "operations.json"), legacy_operations())
    # gcloud asks Service Usage whether the Container API is enabled before it creates a cluster.
    enabled = {"name": f"projects/{g.PROJECT_NUMBER}/services/container.googleapis.com",
               "parent": f"projects/{g.PROJECT_NUMBER}", "state": "ENABLED"}
    write(os.path.join(d, "errors.json"), {
        f"GET /v1/projects/{P}/services/container.googleapis.com": [{"status": 200, "body": enabled}],
        f"POST /v1/projects/{P}/locations/{R}/clusters": [
            {"status": 400, "body": {"error": {"code": 400, "message": LEGACY_NETWORK,
                                               "status": "INVALID_ARGUMENT"}}}]})
    return {
        "title": "cluster creation fails: IP aliases cannot be used with a legacy network",
        "commands": [
            {"file": "operations.txt", "args": ["container", "operations", "list", "--region", R, "--project", P]},
            {"file": "operation-describe.yaml",
             "args": ["container", "operations", "describe", legacy_operations()[0]["name"], "--region", R,
                      "--project", P]},
            {"file": "gcloud-create.txt", "stderr": True, "expect_failure": True,
             "args": ["container", "clusters", "create", g.CLUSTER, "--region", R, "--project", P,
                      "--network", "default", "--enable-ip-alias", "--cluster-version", g.GKE_VERSION]},
        ],
        "readme": [
            "The project's `default` network is a legacy (non-subnet) network, so a VPC-native",
            "cluster cannot be created on it: `operations.txt` and `operation-describe.yaml` show the",
            "failed CREATE_CLUSTER, `gcloud-create.txt` is what `gcloud container clusters create",
            "--enable-ip-alias` printed (stderr), and `kfctl-apply.txt` is the same error as a",
            "Deployment Manager based kfctl reports it.",
            "",
            "Expected findings: ERROR `legacy-network` (cause `legacy-network`), from the table and the",
            "describe (the same operation, so 2 occurrences). The gcloud and kfctl error lines carry the",
            "same message; `GKEFailureCause.classify` recognises it once a text parser hands it over.",
        ],
        "extra_files": {
            "kfctl-apply.txt": (
                "INFO[0021] Creating deployment kf-private                 filename=\"gcp/gcp.go:265\"\n"
                "ERRO[0093] Updating kf-private error: &{Code:RESOURCE_ERROR Location:/deployments/kf-private"
                "/resources/kf-private-gke Message:{\"ResourceType\":\"container.v1.cluster\","
                "\"ResourceErrorCode\":\"400\",\"ResourceErrorMessage\":{\"code\":400,\"message\":"
                f"\"{LEGACY_NETWORK}\",\"status\":\"INVALID_ARGUMENT\",\"statusMessage\":\"Bad Request\","
                f"\"requestPath\":\"https://container.googleapis.com/v1/projects/{P}/locations/{R}/clusters\","
                "\"httpMethod\":\"POST\"}} ForceSendFields:[] NullFields:[]}  filename=\"gcp/gcp.go:278\"\n"),
        },
    }


SCENARIOS = {
    "operations-catalog": scenario_catalog,
    "stuck-provisioning": scenario_stuck,
    "legacy-network": scenario_legacy,
}


def main(argv):
    for name in argv or list(SCENARIOS):
        if name not in SCENARIOS:
            sys.exit(f"unknown scenario: {name}")
        d = os.path.join(HERE, name)
        spec = SCENARIOS[name](d)
        spec = {"name": name, "kind": "commands", "project": P, "cluster": g.CLUSTER, "region": R, **spec}
        write(os.path.join(d, "scenario.json"), spec)
        print(f"{name}: {len(spec['commands'])} gcloud commands")


if __name__ == "__main__":
    main(sys.argv[1:])
