#!/usr/bin/env python3
"""Writes the fixture trees under tools/scenarios/NAME/ that tools/fakegcp/server.py serves.

Deterministic (seeded): running it again gives byte-identical files. Python 3 stdlib only.

    python3 tools/scenarios/generate.py            # (re)write every scenario
    python3 tools/scenarios/generate.py NAME ...   # only these

Each scenario directory gets:
    logging/entries.json      LogEntry objects in the VPC firewall rules logging format
    container/clusters.json   the kf-private cluster (GKE v1 Cluster)
    container/operations.json
    compute/firewalls.json    the VPC firewall rules that produce exactly these log entries
    compute/routes.json, networks.json, subnetworks.json, routers.json
    dns/managedZones.json, dns/rrsets.json
    scenario.json             name, title, counts (used by make-samples.sh and the README)

The record format follows https://cloud.google.com/firewall/docs/vpc-log-format:
jsonPayload.connection {src_ip, src_port, dest_ip, dest_port, protocol (IANA number)},
disposition, rule_details {reference "network:NET/firewall:NAME", priority, action, direction,
ip_port_info [{ip_protocol, port_range[]}], source_range[] / destination_range[], target_tag[],
source_tag[]}, instance {project_id, vm_name, region, zone} (the VM the rule applied to: the
destination for INGRESS, the source for EGRESS), vpc, remote_instance / remote_vpc (when the other
end is a VM in a VPC network), remote_location (when the other end is outside the VPC and a
location is known). Only rules with logging on produce entries and implied rules are never
logged, so every DENIED entry names an explicit deny rule.
"""

import datetime as dt
import json
import os
import random
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

PROJECT = "kf-prod-4412"
PROJECT_NUMBER = "481516234200"
REGION = "us-central1"
NETWORK = "kubeflow-vpc"
SUBNET = "kubeflow-subnet"
SUBNET_CIDR = "10.10.0.0/20"
SUBNET_ID = "6834271051297485210"
NETWORK_ID = "2291744863150937812"
CLUSTER = "kf-private"
CLUSTER_ID = "3f9a6c2e81d04b7fa1c9e5d2b7a04c6e18f2d9b3a7c5e1f04d8b2a6c9e3f7a15"
CLUSTER_HASH = CLUSTER_ID[:8]
NODE_TAG = f"gke-{CLUSTER}-{CLUSTER_HASH}-node"
MASTER_CIDR = "172.16.0.0/28"
MASTER_IP = "172.16.0.2"
POD_CIDR = "10.20.0.0/14"
SERVICES_CIDR = "10.24.0.0/20"
GPU_POD_CIDR = "10.32.0.0/16"
PEERING = "gke-n3f9a6c2e81d04b7fa1c9-4b2d-a8f1-peer"
TENANT_PROJECT = "gke-prod-us-central1-59d2"
NODE_SA = f"kf-gke-nodes@{PROJECT}.iam.gserviceaccount.com"
GKE_VERSION = "1.31.6-gke.1020000"

COMPUTE = "https://www.googleapis.com/compute/v1/"
NET_URL = f"{COMPUTE}projects/{PROJECT}/global/networks/{NETWORK}"
SUBNET_URL = f"{COMPUTE}projects/{PROJECT}/regions/{REGION}/subnetworks/{SUBNET}"
REGION_URL = f"{COMPUTE}projects/{PROJECT}/regions/{REGION}"
LOG_NAME = f"projects/{PROJECT}/logs/compute.googleapis.com%2Ffirewall"

# Nodes: default-pool is regional (2 per zone), gpu-pool only where T4s are (a and c).
# (ip, vm name, zone, pool, per-node pod /24)
NODES = [
    ("10.10.0.2", "gke-kf-private-default-pool-3f1c9a2b-x7k2", "us-central1-a", "default-pool", "10.20.0"),
    ("10.10.0.3", "gke-kf-private-default-pool-5b7e0d41-m2pq", "us-central1-b", "default-pool", "10.20.1"),
    ("10.10.0.4", "gke-kf-private-default-pool-c92a6f07-hz8w", "us-central1-c", "default-pool", "10.20.2"),
    ("10.10.0.5", "gke-kf-private-default-pool-3f1c9a2b-t4vn", "us-central1-a", "default-pool", "10.20.3"),
    ("10.10.0.6", "gke-kf-private-default-pool-5b7e0d41-j9rd", "us-central1-b", "default-pool", "10.20.4"),
    ("10.10.0.7", "gke-kf-private-default-pool-c92a6f07-b6lc", "us-central1-c", "default-pool", "10.20.5"),
    ("10.10.0.8", "gke-kf-private-gpu-pool-8d2e4f10-q9zt", "us-central1-a", "gpu-pool", "10.32.0"),
    ("10.10.0.9", "gke-kf-private-gpu-pool-1e6b93c5-w3fs", "us-central1-c", "gpu-pool", "10.32.1"),
]


def node_by_ip(ip):
    """The node that owns ip: its primary address or its pod /24."""
    for n in NODES:
        if n[0] == ip or ip.rsplit(".", 1)[0] == n[4]:
            return n
    raise KeyError(ip)


# ---------------------------------------------------------------------------------------------
# firewall rules


def fw(name, direction, priority, *, allowed=None, denied=None, source_ranges=None,
       destination_ranges=None, target_tags=None, source_tags=None, log=False, description="",
       created="2026-03-02T10:43:09.512-08:00", ident=None):
    if ident is None:  # stable, random-looking 19-digit ids like the real API's
        ident = str(1000000000000000000 + zlib.crc32(name.encode()) * 1931716133 % 8999999999999999999)
    r = {
        "creationTimestamp": created,
        "description": description,
        "direction": direction,
        "disabled": False,
        "id": ident,
        "kind": "compute#firewall",
        "logConfig": {"enable": True, "metadata": "INCLUDE_ALL_METADATA"} if log else {"enable": False},
        "name": name,
        "network": NET_URL,
        "priority": priority,
        "selfLink": f"{COMPUTE}projects/{PROJECT}/global/firewalls/{name}",
    }
    if allowed is not None:
        r["allowed"] = allowed
    if denied is not None:
        r["denied"] = denied
    if direction == "INGRESS":
        r["sourceRanges"] = source_ranges or (None if source_tags else ["0.0.0.0/0"])
        if r["sourceRanges"] is None:
            del r["sourceRanges"]
    else:
        r["destinationRanges"] = destination_ranges or ["0.0.0.0/0"]
    if source_tags:
        r["sourceTags"] = source_tags
    if target_tags:
        r["targetTags"] = target_tags
    return r


def tcp(*ports):
    return {"IPProtocol": "tcp", "ports": list(ports)} if ports else {"IPProtocol": "tcp"}


ALL = [{"IPProtocol": "all"}]


def firewall_rules(s):
    """The project's VPC firewall rules for scenario s (a dict of switches)."""
    rules = []
    # Created by GKE for the cluster (logging off, as GKE creates them).
    gke = f"gke-{CLUSTER}-{CLUSTER_HASH}"
    gke_created = "2026-03-02T10:43:26.071-08:00"
    rules.append(fw(f"{gke}-master", "INGRESS", 1000, allowed=[tcp("10250", "443")],
                    source_ranges=[MASTER_CIDR], target_tags=[NODE_TAG], created=gke_created))
    rules.append(fw(f"{gke}-vms", "INGRESS", 1000,
                    allowed=[{"IPProtocol": "icmp"}, tcp("1-65535"), {"IPProtocol": "udp", "ports": ["1-65535"]}],
                    source_ranges=[SUBNET_CIDR], target_tags=[NODE_TAG], created=gke_created))
    all_sources = [POD_CIDR] if s.get("all_rule_default_range_only") else [POD_CIDR, GPU_POD_CIDR]
    rules.append(fw(f"{gke}-all", "INGRESS", 1000,
                    allowed=[{"IPProtocol": p} for p in ("tcp", "udp", "icmp", "esp", "ah", "sctp")],
                    source_ranges=all_sources, target_tags=[NODE_TAG], created=gke_created))
    rules.append(fw(f"{gke}-exkubelet", "INGRESS", 1000, denied=[tcp("10255")],
                    source_ranges=["0.0.0.0/0"], target_tags=[NODE_TAG], created=gke_created))
    rules.append(fw(f"{gke}-inkubelet", "INGRESS", 999, allowed=[tcp("10255")],
                    source_ranges=[POD_CIDR], source_tags=[NODE_TAG], target_tags=[NODE_TAG],
                    created=gke_created))

    # The platform team's hardened baseline.
    base = "2026-02-27T09:31:52.884-08:00"
    rules.append(fw("deny-all-ingress", "INGRESS", 65534, denied=ALL, source_ranges=["0.0.0.0/0"],
                    log=True, description="Baseline: deny all ingress not explicitly allowed (logged).",
                    created=base))
    rules.append(fw("deny-all-egress", "EGRESS", s.get("deny_egress_priority", 65534), denied=ALL,
                    destination_ranges=["0.0.0.0/0"], log=True,
                    description="Baseline: deny all egress not explicitly allowed (logged).",
                    created=base if s.get("deny_egress_priority", 65534) == 65534 else "2026-11-21T16:05:47.330-08:00"))
    rules.append(fw("allow-egress-cluster-internal", "EGRESS", 500, allowed=ALL,
                    destination_ranges=[SUBNET_CIDR, POD_CIDR, SERVICES_CIDR, GPU_POD_CIDR],
                    target_tags=[NODE_TAG], log=s.get("log_allows", False),
                    description="Nodes and pods may reach nodes, pods and services of kf-private.",
                    created="2026-03-02T11:02:15.448-08:00"))
    if not s.get("no_master_egress"):
        rules.append(fw("allow-egress-gke-master", "EGRESS", 500, allowed=[tcp("443", "10250")],
                        destination_ranges=[MASTER_CIDR], target_tags=[NODE_TAG],
                        description="Nodes to the kf-private control plane.",
                        created="2026-03-02T11:02:41.907-08:00"))
    if s.get("private_vip_instead"):
        rules.append(fw("allow-egress-private-google-apis", "EGRESS", 500, allowed=[tcp("443")],
                        destination_ranges=["199.36.153.8/30"], target_tags=[NODE_TAG],
                        description="Google APIs through private.googleapis.com.",
                        created="2026-03-02T11:03:10.215-08:00"))
    else:
        rules.append(fw("allow-egress-restricted-vip", "EGRESS", 500, allowed=[tcp("443")],
                        destination_ranges=["199.36.153.4/30"], target_tags=[NODE_TAG],
                        log=s.get("log_allows", False),
                        description="Google APIs through restricted.googleapis.com (VPC-SC).",
                        created="2026-03-02T11:03:10.215-08:00"))
    rules.append(fw("allow-egress-github", "EGRESS", 65000, allowed=[tcp("443", "22")],
                    destination_ranges=["140.82.112.0/20", "192.30.252.0/22", "185.199.108.0/22"],
                    target_tags=[NODE_TAG],
                    description="Kubeflow pipelines and notebooks clone from github.com.",
                    created="2026-04-14T13:27:03.662-07:00"))
    if not s.get("no_webhook_allow"):
        rules.append(fw("allow-ingress-master-webhooks", "INGRESS", 1000,
                        allowed=[tcp("8443", "9443", "15017")], source_ranges=[MASTER_CIDR],
                        target_tags=[NODE_TAG],
                        description="Control plane to admission webhooks (gatekeeper, kserve, istio).",
                        created="2026-03-02T11:05:33.120-08:00"))
    if not s.get("no_health_check_allow"):
        rules.append(fw("allow-ingress-health-checks", "INGRESS", 1000,
                        allowed=[tcp("8080", "10256", "30000-32767")],
                        source_ranges=["35.191.0.0/16", "130.211.0.0/22"], target_tags=[NODE_TAG],
                        description="Google Cloud health checks to NodePorts, NEG pods and kube-proxy.",
                        created="2026-03-02T11:06:02.377-08:00"))
    if not s.get("no_iap_allow"):
        rules.append(fw("allow-ingress-iap-ssh", "INGRESS", 1000, allowed=[tcp("22")],
                        source_ranges=["35.235.240.0/20"], target_tags=[NODE_TAG], log=True,
                        description="SSH through IAP TCP forwarding (logged).",
                        created="2026-02-27T09:33:18.041-08:00"))
    if s.get("rfc1918_deny"):
        rules.append(fw("deny-ingress-from-rfc1918", "INGRESS", 900, denied=ALL,
                        source_ranges=["172.16.0.0/12", "192.168.0.0/16"], log=True,
                        description="Block partner and on-prem RFC 1918 ranges arriving over the "
                                    "VPN (10.0.0.0/8 is ours).",
                        created="2026-11-21T17:48:20.953-08:00"))
    return sorted(rules, key=lambda r: r["name"])


def rule_details(rule):
    """A firewall resource as the log's jsonPayload.rule_details (metadata included)."""
    ports = rule.get("allowed") or rule.get("denied")
    info = []
    for p in ports:
        d = {"ip_protocol": p["IPProtocol"].upper()}
        if p.get("ports"):
            d["port_range"] = list(p["ports"])
        info.append(d)
    out = {
        "reference": f"network:{NETWORK}/firewall:{rule['name']}",
        "priority": rule["priority"],
        "action": "ALLOW" if rule.get("allowed") else "DENY",
        "direction": rule["direction"],
        "ip_port_info": info,
    }
    if rule.get("sourceRanges"):
        out["source_range"] = list(rule["sourceRanges"])
    if rule.get("destinationRanges"):
        out["destination_range"] = list(rule["destinationRanges"])
    if rule.get("sourceTags"):
        out["source_tag"] = list(rule["sourceTags"])
    if rule.get("targetTags"):
        out["target_tag"] = list(rule["targetTags"])
    return out


# ---------------------------------------------------------------------------------------------
# log entries

INSERT_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
START = dt.datetime(2026, 11, 22, 9, 12, 0, tzinfo=dt.timezone.utc)
WINDOW = 40 * 60

GEO_USA = {"continent": "America", "country": "usa"}
GEO_GITHUB = {"continent": "America", "country": "usa", "region": "California", "city": "San Francisco"}
GEO = {
    "142.250.101.82": GEO_USA,
    "74.125.20.82": GEO_USA,
    "173.194.202.82": None,
    "140.82.112.3": GEO_GITHUB,
    "140.82.114.4": GEO_GITHUB,
}


def rfc3339(t, nanos):
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


class Log:
    def __init__(self, seed, rules):
        self.rng = random.Random(seed)
        self.rules = {r["name"]: r for r in rules}
        self.entries = []
        self.used_ports = set()
        self.used_ids = set()

    def port(self):
        while True:
            p = self.rng.randint(32768, 60999)
            if p not in self.used_ports:
                self.used_ports.add(p)
                return p

    def insert_id(self):
        while True:
            n = self.rng.choice((13, 14, 14, 15))
            s = "".join(self.rng.choice(INSERT_ALPHABET) for _ in range(n))
            if s[0] != "0" and s not in self.used_ids:
                self.used_ids.add(s)
                return s

    def add(self, rule_name, src_ip, dest_ip, dest_port, *, protocol=6, src_port=None,
            disposition=None, remote_location=None, src_is_external=False, dst_is_external=False):
        rule = self.rules[rule_name]
        assert rule["logConfig"]["enable"], f"{rule_name} does not log"
        direction = rule["direction"]
        if disposition is None:
            disposition = "ALLOWED" if rule.get("allowed") else "DENIED"
        if direction == "INGRESS":
            local_ip, remote_ip = dest_ip, src_ip
        else:
            local_ip, remote_ip = src_ip, dest_ip
        local = node_by_ip(local_ip)
        payload = {
            "connection": {"src_ip": src_ip, "src_port": src_port or self.port(), "dest_ip": dest_ip,
                           "dest_port": dest_port, "protocol": protocol},
            "disposition": disposition,
            "rule_details": rule_details(rule),
            "instance": {"project_id": PROJECT, "vm_name": local[1], "region": REGION, "zone": local[2]},
            "vpc": {"project_id": PROJECT, "vpc_name": NETWORK, "subnetwork_name": SUBNET},
        }
        try:
            remote = node_by_ip(remote_ip)
        except KeyError:
            remote = None
        if remote:
            payload["remote_instance"] = {"project_id": PROJECT, "vm_name": remote[1], "region": REGION,
                                          "zone": remote[2]}
            payload["remote_vpc"] = {"project_id": PROJECT, "vpc_name": NETWORK, "subnetwork_name": SUBNET}
        geo = remote_location if remote_location is not None else GEO.get(remote_ip)
        if geo:
            payload["remote_location"] = dict(geo)
        self.entries.append({"jsonPayload": payload})

    def finish(self):
        """Spread over ~40 minutes, add the envelope, return in time order."""
        offsets = sorted(self.rng.uniform(0, WINDOW) for _ in self.entries)
        self.rng.shuffle(self.entries)
        out = []
        for off, e in zip(offsets, self.entries):
            t = START + dt.timedelta(seconds=int(off))
            nanos = self.rng.randint(0, 999999999)
            recv = t + dt.timedelta(seconds=self.rng.randint(3, 11))
            entry = {
                "insertId": self.insert_id(),
                "jsonPayload": e["jsonPayload"],
                "logName": LOG_NAME,
                "receiveTimestamp": rfc3339(recv, self.rng.randint(0, 999999999)),
                "resource": {"type": "gce_subnetwork",
                             "labels": {"location": REGION, "project_id": PROJECT,
                                        "subnetwork_id": SUBNET_ID, "subnetwork_name": SUBNET}},
                "timestamp": rfc3339(t, nanos),
            }
            out.append(entry)
        return out


def pick(rng, seq, n):
    return [rng.choice(seq) for _ in range(n)]


def webhook(log, n=12):
    # control plane -> gatekeeper-controller-manager pods on their webhook port
    for i in range(n):
        pod = "10.20.1.14" if i % 5 not in (1, 3) else "10.20.2.9"
        log.add("deny-all-ingress", MASTER_IP, pod, 8443)


def master_to_kubelet(log, n=10):
    nodes = ["10.10.0.2", "10.10.0.3", "10.10.0.4"]
    for i in range(n):
        log.add("deny-ingress-from-rfc1918", MASTER_IP, nodes[i % 3], 443 if i % 4 == 3 else 10250)


def node_to_master(log, n=8):
    srcs = ["10.10.0.2", "10.10.0.5", "10.10.0.3", "10.10.0.8", "10.10.0.6", "10.10.0.4", "10.10.0.9", "10.10.0.7"]
    for i in range(n):
        log.add("deny-all-egress", srcs[i % len(srcs)], MASTER_IP, 443)


def health_checks(log, n=15):
    probers = ["35.191.2.14", "35.191.10.201", "35.191.14.77", "35.191.203.8", "130.211.0.44",
               "130.211.0.101", "35.191.9.130"]
    nodeports = ["10.10.0.2", "10.10.0.3", "10.10.0.4", "10.10.0.5", "10.10.0.6", "10.10.0.7"]
    neg_pods = ["10.20.3.17", "10.20.0.23"]  # istio-ingressgateway pods (NEG backends)
    for i in range(n):
        src = probers[i % len(probers)]
        kind = i % 3
        if kind == 0:
            log.add("deny-all-ingress", src, nodeports[(i // 3) % 6], 30443)
        elif kind == 1:
            log.add("deny-all-ingress", src, neg_pods[(i // 3) % 2], 8080)
        else:
            log.add("deny-all-ingress", src, nodeports[(i // 3 + 2) % 6], 10256)


def gcr_public(log, n=10):
    # image pulls (nodes: containerd) and pods (pipeline steps using the storage client)
    srcs = ["10.10.0.8", "10.10.0.9", "10.32.0.12", "10.10.0.4", "10.20.3.41", "10.10.0.8",
            "10.32.1.7", "10.10.0.2", "10.10.0.9", "10.20.1.28"]
    dsts = ["142.250.101.82", "74.125.20.82", "173.194.202.82"]
    for i in range(n):
        log.add("deny-all-egress", srcs[i % len(srcs)], dsts[i % 3], 443)


def restricted_vip(log, n=8):
    srcs = ["10.10.0.2", "10.10.0.3", "10.10.0.4", "10.10.0.5", "10.10.0.6", "10.10.0.7", "10.10.0.8", "10.10.0.9"]
    for i in range(n):
        log.add("deny-all-egress", srcs[(i * 3) % 8], f"199.36.153.{4 + (i % 4)}", 443)


def github(log, n=8):
    # notebook and pipeline pods cloning from github.com
    srcs = ["10.20.2.31", "10.20.4.12", "10.32.0.19", "10.20.2.31", "10.20.0.44", "10.32.1.5",
            "10.20.4.12", "10.20.5.8"]
    for i in range(n):
        log.add("deny-all-egress", srcs[i % len(srcs)], "140.82.112.3" if i % 3 != 2 else "140.82.114.4", 443)


def pod_to_pod(log, n=10):
    # training workers on gpu-pool -> metadata-grpc (8080) and minio (9000) on default-pool
    srcs = ["10.32.0.12", "10.32.0.17", "10.32.1.7", "10.32.1.9", "10.32.0.21"]
    for i in range(n):
        if i % 2 == 0:
            log.add("deny-all-ingress", srcs[i % 5], "10.20.4.22", 9000)   # minio
        else:
            log.add("deny-all-ingress", srcs[i % 5], "10.20.3.9", 8080)    # metadata-grpc-deployment


def iap_ssh(log, n=5):
    srcs = ["35.235.240.6", "35.235.241.88", "35.235.240.113", "35.235.243.20", "35.235.240.6"]
    dsts = ["10.10.0.2", "10.10.0.8", "10.10.0.2", "10.10.0.5", "10.10.0.9"]
    for i in range(n):
        log.add("deny-all-ingress", srcs[i], dsts[i], 22)


def iap_allowed(log, n=2):
    for i in range(n):
        log.add("allow-ingress-iap-ssh", ["35.235.240.7", "35.235.242.51", "35.235.241.190"][i % 3],
                ["10.10.0.8", "10.10.0.3", "10.10.0.5"][i % 3], 22)


def mixed_allowed(log):
    iap_allowed(log, 6)
    for i in range(8):
        log.add("allow-egress-restricted-vip", NODES[i][0], f"199.36.153.{4 + (i % 4)}", 443)
    # pods -> kube-dns pods (udp 53) and pipeline pods -> ml-pipeline api (tcp 8888)
    for i in range(7):
        log.add("allow-egress-cluster-internal", ["10.20.2.31", "10.32.0.12", "10.20.4.12", "10.20.5.8"][i % 4],
                "10.20.0.5" if i % 2 == 0 else "10.20.1.6", 53, protocol=17)
    for i in range(6):
        log.add("allow-egress-cluster-internal", ["10.32.0.19", "10.32.1.5", "10.20.0.44"][i % 3],
                "10.20.3.12", 8888)


# ---------------------------------------------------------------------------------------------
# scenarios

SCENARIOS = {
    "webhook-port-blocked": {
        "title": "Control plane cannot reach the Gatekeeper webhook on tcp:8443",
        "switches": {"no_webhook_allow": True},
        "log": [webhook, iap_allowed],
        "readme": (
            "The GKE control plane (172.16.0.2) cannot open tcp:8443 to the gatekeeper-controller-manager "
            "pods (10.20.1.14, 10.20.2.9): the only rule for control-plane traffic is GKE's "
            "`gke-kf-private-3f9a6c2e-master` (tcp:443,10250), so the connections fall through to "
            "`deny-all-ingress` (priority 65534, logged). Every admission request that Gatekeeper "
            "must validate times out (`failed calling webhook \"validation.gatekeeper.sh\"`)."),
        "noise": "two ALLOWED IAP SSH entries (`allow-ingress-iap-ssh`), which the DENIED filter leaves out",
    },
    "master-to-kubelet-blocked": {
        "title": "Control plane to kubelet (tcp:10250) and tcp:443 denied by a priority-900 rule",
        "switches": {"rfc1918_deny": True},
        "log": [master_to_kubelet],
        "readme": (
            "A new rule `deny-ingress-from-rfc1918` (priority 900, sources 172.16.0.0/12 and "
            "192.168.0.0/16, all instances) also matches the control plane range 172.16.0.0/28 and "
            "beats GKE's `gke-kf-private-3f9a6c2e-master` allow at priority 1000, so the control plane "
            "(172.16.0.2) cannot reach the kubelets on tcp:10250 nor the nodes on tcp:443: "
            "`kubectl logs/exec/port-forward` fail and metrics-server goes unavailable."),
        "noise": None,
    },
    "node-egress-to-master-blocked": {
        "title": "Nodes cannot reach the control plane on tcp:443 (egress deny)",
        "switches": {"no_master_egress": True},
        "log": [node_to_master],
        "readme": (
            "The nodes' egress to the control plane 172.16.0.2:443 is denied by `deny-all-egress` "
            "(priority 65534, destination 0.0.0.0/0): there is no egress allow for the master range "
            "172.16.0.0/28. Kubelets cannot report status, so nodes go NotReady and new nodes never "
            "register."),
        "noise": None,
    },
    "health-checks-blocked": {
        "title": "Google Cloud health checks denied to NodePorts, NEG pods and kube-proxy",
        "switches": {"no_health_check_allow": True},
        "log": [health_checks, iap_allowed],
        "readme": (
            "Google Cloud health-check probers (35.191.0.0/16, 130.211.0.0/22) are denied by "
            "`deny-all-ingress` (priority 65534) on the istio-ingressgateway NodePort tcp:30443, on the "
            "NEG pod port tcp:8080 and on kube-proxy's healthz tcp:10256: there is no allow rule for "
            "the health-check ranges, so every backend is UNHEALTHY and the Kubeflow load balancer "
            "answers 502."),
        "noise": "two ALLOWED IAP SSH entries (`allow-ingress-iap-ssh`), which the DENIED filter leaves out",
    },
    "gcr-public-ip-blocked": {
        "title": "Image pulls and API calls to Google public IPs denied (egress)",
        "switches": {},
        "dns": "no_gcr_zones",
        "log": [gcr_public],
        "readme": (
            "Nodes and pods connect to Google public addresses (142.250.101.82, 74.125.20.82, "
            "173.194.202.82) on tcp:443 and are denied by `deny-all-egress` (priority 65534): only the "
            "restricted VIP 199.36.153.4/30 is allowed, but there are private DNS zones for "
            "googleapis.com only, not for gcr.io or pkg.dev, so image pulls resolve to public IPs and "
            "fail (ImagePullBackOff)."),
        "noise": None,
    },
    "restricted-vip-blocked": {
        "title": "Nodes denied to restricted.googleapis.com (199.36.153.4/30)",
        "switches": {"private_vip_instead": True},
        "log": [restricted_vip],
        "readme": (
            "The private DNS zone maps *.googleapis.com to restricted.googleapis.com "
            "(199.36.153.4-7), but the egress allow rule `allow-egress-private-google-apis` opens "
            "199.36.153.8/30 (private.googleapis.com) instead, so node connections to "
            "199.36.153.4-7:443 are denied by `deny-all-egress` (priority 65534): image pulls from "
            "Artifact Registry, logging and monitoring all fail."),
        "noise": None,
    },
    "github-egress-blocked": {
        "title": "Pods denied to github.com: deny-all-egress at 1000 shadows the allow at 65000",
        "switches": {"deny_egress_priority": 1000},
        "log": [github],
        "readme": (
            "Notebook and pipeline pods cannot clone from github.com (140.82.112.3, 140.82.114.4, "
            "tcp:443): `deny-all-egress` was moved to priority 1000, which now beats the rule "
            "`allow-egress-github` at priority 65000 (lower number wins). The allow rule is not in "
            "the log because it never matches first and does not log; it is in "
            "`tools/scenarios/github-egress-blocked/compute/firewalls.json`."),
        "noise": None,
    },
    "pod-to-pod-blocked": {
        "title": "gpu-pool pods (10.32.0.0/16) denied to default-pool pods",
        "switches": {"all_rule_default_range_only": True},
        "log": [pod_to_pod, iap_allowed],
        "readme": (
            "Training pods on gpu-pool use the additional pod range 10.32.0.0/16, but the cluster's "
            "ingress allow for pod traffic (`gke-kf-private-3f9a6c2e-all`) lists only 10.20.0.0/14, so "
            "their connections to MinIO (10.20.4.22:9000) and metadata-grpc (10.20.3.9:8080) on "
            "default-pool nodes are denied by `deny-all-ingress` (priority 65534)."),
        "noise": "two ALLOWED IAP SSH entries (`allow-ingress-iap-ssh`), which the DENIED filter leaves out",
    },
    "iap-ssh-blocked": {
        "title": "SSH through IAP (35.235.240.0/20) denied",
        "switches": {"no_iap_allow": True},
        "log": [iap_ssh],
        "readme": (
            "`gcloud compute ssh --tunnel-through-iap` to the nodes fails: connections from the IAP "
            "TCP forwarding range 35.235.240.0/20 to tcp:22 are denied by `deny-all-ingress` "
            "(priority 65534) because there is no allow rule for that range."),
        "noise": None,
    },
    "mixed": {
        "title": "several causes at once (demo): webhook, node-to-master, Google public IPs, GitHub, health checks",
        "switches": {"no_webhook_allow": True, "no_master_egress": True, "no_health_check_allow": True,
                     "deny_egress_priority": 1000, "log_allows": True},
        "dns": "no_gcr_zones",
        "log": [webhook, node_to_master, gcr_public, github, health_checks, mixed_allowed],
        "readme": (
            "Several causes at once, as a real incident looks: the control plane is denied to the "
            "Gatekeeper webhook on tcp:8443, nodes are denied egress to the control plane on tcp:443, "
            "image pulls go to Google public IPs without a DNS zone for gcr.io/pkg.dev, pods cannot "
            "reach github.com because `deny-all-egress` sits at priority 1000 above "
            "`allow-egress-github` (65000), and health checks are denied to NodePorts, NEG pods and "
            "kube-proxy. In this project `deny-all-egress` is at priority 1000, so every egress "
            "denial names that priority."),
        "all_file": True,
        "noise": ("27 ALLOWED entries from logged allow rules (`allow-ingress-iap-ssh`, "
                  "`allow-egress-restricted-vip`, `allow-egress-cluster-internal`); "
                  "`firewall-all.json` has them, the DENIED files do not"),
    },
}


# ---------------------------------------------------------------------------------------------
# the rest of the project's configuration

def node_pool(name, pool_hash_by_zone, machine, count, extra_config, network_config, autoscaling,
              created_version):
    zones = list(pool_hash_by_zone)
    return {
        "autoscaling": autoscaling,
        "config": {
            "diskSizeGb": 100,
            "diskType": "pd-balanced",
            "effectiveCgroupMode": "EFFECTIVE_CGROUP_MODE_V2",
            "imageType": "COS_CONTAINERD",
            "loggingConfig": {"variantConfig": {"variant": "DEFAULT"}},
            "machineType": machine,
            "metadata": {"disable-legacy-endpoints": "true"},
            "oauthScopes": ["https://www.googleapis.com/auth/cloud-platform"],
            "serviceAccount": NODE_SA,
            "shieldedInstanceConfig": {"enableIntegrityMonitoring": True, "enableSecureBoot": True},
            "windowsNodeConfig": {},
            "workloadMetadataConfig": {"mode": "GKE_METADATA"},
            **extra_config,
        },
        "etag": {"default-pool": "b1c2f3a4-0d5e-4f61-9a7b-8c9d0e1f2a3d", "gpu-pool": "7e5d9c20-4a1b-43f8-b6e2-d0c9a8f71e54"}[name],
        "initialNodeCount": count,
        "instanceGroupUrls": [
            f"{COMPUTE}projects/{PROJECT}/zones/{z}/instanceGroupManagers/gke-{CLUSTER}-{name}-{h}-grp"
            for z, h in pool_hash_by_zone.items()],
        "locations": zones,
        "management": {"autoRepair": True, "autoUpgrade": True},
        "maxPodsConstraint": {"maxPodsPerNode": "110"},
        "name": name,
        "networkConfig": network_config,
        "podIpv4CidrSize": 24,
        "selfLink": f"https://container.googleapis.com/v1/projects/{PROJECT}/locations/{REGION}/clusters/"
                    f"{CLUSTER}/nodePools/{name}",
        "status": "RUNNING",
        "upgradeSettings": {"maxSurge": 1, "strategy": "SURGE"},
        "version": created_version,
    }


def cluster():
    default_pool = node_pool(
        "default-pool",
        {"us-central1-a": "3f1c9a2b", "us-central1-b": "5b7e0d41", "us-central1-c": "c92a6f07"},
        "e2-standard-8", 2, {},
        {"enablePrivateNodes": True, "podIpv4CidrBlock": POD_CIDR, "podIpv4RangeUtilization": 0.0029,
         "podRange": "kf-pods"},
        {"enabled": True, "locationPolicy": "BALANCED", "maxNodeCount": 4, "minNodeCount": 2},
        GKE_VERSION)
    gpu_pool = node_pool(
        "gpu-pool",
        {"us-central1-a": "8d2e4f10", "us-central1-c": "1e6b93c5"},
        "n1-standard-8", 1,
        {"accelerators": [{"acceleratorCount": "1", "acceleratorType": "nvidia-tesla-t4",
                           "gpuDriverInstallationConfig": {"gpuDriverVersion": "DEFAULT"}}],
         "labels": {"kubeflow.org/accelerator": "nvidia-tesla-t4"},
         "taints": [{"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu", "value": "present"}]},
        {"enablePrivateNodes": True, "podIpv4CidrBlock": GPU_POD_CIDR, "podIpv4RangeUtilization": 0.0078,
         "podRange": "kf-gpu-pods"},
        {"enabled": True, "locationPolicy": "ANY", "maxNodeCount": 3, "minNodeCount": 0},
        GKE_VERSION)
    dns_endpoint = f"gke-{CLUSTER_ID[:32]}-{PROJECT_NUMBER}.{REGION}.gke.goog"
    c = {
        "addonsConfig": {
            "dnsCacheConfig": {"enabled": True},
            "gcePersistentDiskCsiDriverConfig": {"enabled": True},
            "gcpFilestoreCsiDriverConfig": {},
            "gkeBackupAgentConfig": {},
            "horizontalPodAutoscaling": {},
            "httpLoadBalancing": {},
            "kubernetesDashboard": {"disabled": True},
            "networkPolicyConfig": {"disabled": True},
        },
        "authenticatorGroupsConfig": {},
        "autopilot": {},
        "autoscaling": {"autoscalingProfile": "BALANCED"},
        "binaryAuthorization": {},
        "clusterIpv4Cidr": POD_CIDR,
        "controlPlaneEndpointsConfig": {
            "dnsEndpointConfig": {"allowExternalTraffic": False, "endpoint": dns_endpoint},
            "ipEndpointsConfig": {
                "authorizedNetworksConfig": {
                    "cidrBlocks": [{"cidrBlock": SUBNET_CIDR, "displayName": "kubeflow-subnet"},
                                   {"cidrBlock": "192.168.50.0/24", "displayName": "corp-vpn"}],
                    "enabled": True, "gcpPublicCidrsAccessEnabled": False,
                    "privateEndpointEnforcementEnabled": True},
                "enablePublicEndpoint": False,
                "enabled": True,
                "globalAccess": False,
                "privateEndpoint": MASTER_IP,
            },
        },
        "createTime": "2026-03-02T18:41:07+00:00",
        "currentMasterVersion": GKE_VERSION,
        "currentNodeCount": 8,
        "currentNodeVersion": GKE_VERSION,
        "databaseEncryption": {"currentState": "CURRENT_STATE_DECRYPTED", "state": "DECRYPTED"},
        "defaultMaxPodsConstraint": {"maxPodsPerNode": "110"},
        "endpoint": MASTER_IP,
        "enterpriseConfig": {"clusterTier": "STANDARD"},
        "etag": "5e8c4a1f-7b2d-4c90-a3e6-1f0d9b8c7a62",
        "id": CLUSTER_ID,
        "initialClusterVersion": "1.29.1-gke.1589018",
        "instanceGroupUrls": default_pool["instanceGroupUrls"] + gpu_pool["instanceGroupUrls"],
        "ipAllocationPolicy": {
            "additionalPodRangesConfig": {"podRangeInfo": [{"rangeName": "kf-gpu-pods", "utilization": 0.0078}],
                                          "podRangeNames": ["kf-gpu-pods"]},
            "clusterIpv4Cidr": POD_CIDR,
            "clusterIpv4CidrBlock": POD_CIDR,
            "clusterSecondaryRangeName": "kf-pods",
            "defaultPodIpv4RangeUtilization": 0.0029,
            "podCidrOverprovisionConfig": {},
            "servicesIpv4Cidr": SERVICES_CIDR,
            "servicesIpv4CidrBlock": SERVICES_CIDR,
            "servicesSecondaryRangeName": "kf-services",
            "stackType": "IPV4",
            "useIpAliases": True,
        },
        "labelFingerprint": "a9dc16a7",
        "legacyAbac": {},
        "location": REGION,
        "locations": ["us-central1-a", "us-central1-b", "us-central1-c"],
        "loggingConfig": {"componentConfig": {"enableComponents": ["SYSTEM_COMPONENTS", "WORKLOADS"]}},
        "loggingService": "logging.googleapis.com/kubernetes",
        "maintenancePolicy": {"resourceVersion": "e3b0c442",
                              "window": {"dailyMaintenanceWindow": {"duration": "PT4H0M0S", "startTime": "07:00"}}},
        "masterAuth": {"clusterCaCertificate": (
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUVMVENDQXBXZ0F3SUJBZ0lSQUxMY2U2eDJ2N2c5V0hq"
            "b1pHRnJPN3d3RFFZSktvWklodmNOQVFFTEJRQXcKTHpFdE1Dc0dBMVVFQXhNa05tUTBZekF6WkRFdE5qWXhN"
            "eTAwWVRFMkxXSmhOell0TkRJeU1qTmtZVEUwTm1FNApNQ0FYRFRJMk1ETXdNakUzTkRFd04xb1lEekl3TlRZ"
            "d01qSXpNVGcwTVRBM1dqQXZNUzB3S3dZRFZRUURFeVEyCkxTMHRMUzFGVGtRZ1EwVlNWRWxHU1VOQlZFVXRM"
            "UzB0TFFvPQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==")},
        "masterAuthorizedNetworksConfig": {
            "cidrBlocks": [{"cidrBlock": SUBNET_CIDR, "displayName": "kubeflow-subnet"},
                           {"cidrBlock": "192.168.50.0/24", "displayName": "corp-vpn"}],
            "enabled": True, "gcpPublicCidrsAccessEnabled": False,
            "privateEndpointEnforcementEnabled": True},
        "monitoringConfig": {
            "advancedDatapathObservabilityConfig": {},
            "componentConfig": {"enableComponents": ["SYSTEM_COMPONENTS", "STORAGE", "POD", "DEPLOYMENT",
                                                     "STATEFULSET", "DAEMONSET", "HPA", "CADVISOR", "KUBELET"]},
            "managedPrometheusConfig": {"enabled": True}},
        "monitoringService": "monitoring.googleapis.com/kubernetes",
        "name": CLUSTER,
        "network": NETWORK,
        "networkConfig": {
            "defaultSnatStatus": {},
            "network": f"projects/{PROJECT}/global/networks/{NETWORK}",
            "serviceExternalIpsConfig": {},
            "subnetwork": f"projects/{PROJECT}/regions/{REGION}/subnetworks/{SUBNET}",
        },
        "nodeConfig": default_pool["config"],
        "nodePoolAutoConfig": {"nodeKubeletConfig": {"insecureKubeletReadonlyPortEnabled": False}},
        "nodePoolDefaults": {"nodeConfigDefaults": {
            "loggingConfig": {"variantConfig": {"variant": "DEFAULT"}},
            "nodeKubeletConfig": {"insecureKubeletReadonlyPortEnabled": False}}},
        "nodePools": [default_pool, gpu_pool],
        "notificationConfig": {"pubsub": {}},
        "privateClusterConfig": {
            "enablePrivateEndpoint": True,
            "enablePrivateNodes": True,
            "masterGlobalAccessConfig": {},
            "masterIpv4CidrBlock": MASTER_CIDR,
            "peeringName": PEERING,
            "privateEndpoint": MASTER_IP,
        },
        "rbacBindingConfig": {"enableInsecureBindingSystemAuthenticated": False,
                              "enableInsecureBindingSystemUnauthenticated": False},
        "releaseChannel": {"channel": "REGULAR"},
        "securityPostureConfig": {"mode": "BASIC", "vulnerabilityMode": "VULNERABILITY_MODE_UNSPECIFIED"},
        "selfLink": f"https://container.googleapis.com/v1/projects/{PROJECT}/locations/{REGION}/clusters/{CLUSTER}",
        "servicesIpv4Cidr": SERVICES_CIDR,
        "shieldedNodes": {"enabled": True},
        "status": "RUNNING",
        "subnetwork": SUBNET,
        "verticalPodAutoscaling": {"enabled": True},
        "workloadIdentityConfig": {"workloadPool": f"{PROJECT}.svc.id.goog"},
        "zone": REGION,
    }
    return [c]


def operations():
    base = f"https://container.googleapis.com/v1/projects/{PROJECT_NUMBER}/zones/{REGION}"

    def op(name, kind, target, start, end, detail=None):
        o = {"name": name, "operationType": kind, "selfLink": f"{base}/operations/{name}",
             "startTime": start, "endTime": end, "status": "DONE", "targetLink": f"{base}/{target}",
             "zone": REGION}
        if detail:
            o["detail"] = detail
        return o

    return [
        op("operation-1772476867843-4b1f3d6e-9a2c-4e8b-b7d1-3c5a9e2f6b10", "CREATE_CLUSTER",
           f"clusters/{CLUSTER}", "2026-03-02T18:41:07.843525318Z", "2026-03-02T18:49:52.115704831Z"),
        op("operation-1772478215409-0e7c2a9d-51f4-4d3b-8e60-7a1b5c9d2f34", "CREATE_NODE_POOL",
           f"clusters/{CLUSTER}/nodePools/gpu-pool", "2026-03-02T19:03:35.409170533Z",
           "2026-03-02T19:07:12.684391205Z"),
        op("operation-1779104410288-c3d9e1a7-2b6f-48e0-91d5-6f2a8b4c0e71", "UPGRADE_MASTER",
           f"clusters/{CLUSTER}", "2026-05-18T07:00:10.288004115Z", "2026-05-18T07:21:44.903228710Z"),
        op("operation-1779105732561-9f8e2d1c-6a5b-4c3d-b2e1-0f9a8b7c6d5e", "UPGRADE_NODES",
           f"clusters/{CLUSTER}/nodePools/default-pool", "2026-05-18T07:22:12.561847392Z",
           "2026-05-18T08:10:37.019283746Z"),
    ]


def networks():
    return [{
        "autoCreateSubnetworks": False,
        "creationTimestamp": "2026-02-27T09:12:44.118-08:00",
        "id": NETWORK_ID,
        "kind": "compute#network",
        "mtu": 1460,
        "name": NETWORK,
        "networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL",
        "peerings": [{
            "autoCreateRoutes": True,
            "exchangeSubnetRoutes": True,
            "exportCustomRoutes": False,
            "exportSubnetRoutesWithPublicIp": False,
            "importCustomRoutes": False,
            "importSubnetRoutesWithPublicIp": False,
            "name": PEERING,
            "network": f"{COMPUTE}projects/{TENANT_PROJECT}/global/networks/{PEERING[:-5]}-net",
            "stackType": "IPV4_ONLY",
            "state": "ACTIVE",
            "stateDetails": "[2026-03-02T10:43:12.506-08:00]: Connected.",
        }],
        "routingConfig": {"bgpBestPathSelectionMode": "LEGACY", "routingMode": "REGIONAL"},
        "selfLink": NET_URL,
        "selfLinkWithId": f"{COMPUTE}projects/{PROJECT}/global/networks/{NETWORK_ID}",
        "subnetworks": [SUBNET_URL],
    }]


def subnetworks():
    return [{
        "creationTimestamp": "2026-02-27T09:13:20.664-08:00",
        "enableFlowLogs": False,
        "fingerprint": "Vt4Kx0cR2_w=",
        "gatewayAddress": "10.10.0.1",
        "id": SUBNET_ID,
        "ipCidrRange": SUBNET_CIDR,
        "kind": "compute#subnetwork",
        "name": SUBNET,
        "network": NET_URL,
        "privateIpGoogleAccess": True,
        "privateIpv6GoogleAccess": "DISABLE_GOOGLE_ACCESS",
        "purpose": "PRIVATE",
        "region": REGION_URL,
        "secondaryIpRanges": [
            {"ipCidrRange": POD_CIDR, "rangeName": "kf-pods"},
            {"ipCidrRange": SERVICES_CIDR, "rangeName": "kf-services"},
            {"ipCidrRange": GPU_POD_CIDR, "rangeName": "kf-gpu-pods"},
        ],
        "selfLink": SUBNET_URL,
        "stackType": "IPV4_ONLY",
    }]


def routers():
    return [{
        "bgp": {"advertiseMode": "DEFAULT", "asn": 64514, "keepaliveInterval": 20},
        "creationTimestamp": "2026-02-27T09:20:03.771-08:00",
        "encryptedInterconnectRouter": False,
        "id": "5917032846512087433",
        "kind": "compute#router",
        "name": "kf-router",
        "nats": [{
            "enableDynamicPortAllocation": False,
            "enableEndpointIndependentMapping": False,
            "endpointTypes": ["ENDPOINT_TYPE_VM"],
            "logConfig": {"enable": True, "filter": "ERRORS_ONLY"},
            "minPortsPerVm": 64,
            "name": "kf-nat",
            "natIpAllocateOption": "AUTO_ONLY",
            "sourceSubnetworkIpRangesToNat": "ALL_SUBNETWORKS_ALL_IP_RANGES",
            "type": "PUBLIC",
        }],
        "network": NET_URL,
        "region": REGION_URL,
        "selfLink": f"{REGION_URL}/routers/kf-router",
    }]


def routes():
    def r(name, dest, priority, description, ident, created, **hop):
        d = {"creationTimestamp": created, "description": description, "destRange": dest, "id": ident,
             "kind": "compute#route", "name": name, "network": NET_URL, "priority": priority,
             "selfLink": f"{COMPUTE}projects/{PROJECT}/global/routes/{name}"}
        d.update(hop)
        return d

    created = "2026-02-27T09:13:21.302-08:00"
    out = [
        r("default-route-6a1f0c9e2d4b7a35", "0.0.0.0/0", 1000, "Default route to the Internet.",
          "8126530547193302754", "2026-02-27T09:12:45.004-08:00",
          nextHopGateway=f"{COMPUTE}projects/{PROJECT}/global/gateways/default-internet-gateway",
          routeType="STATIC"),
        r("default-route-1d8e3b7c5f902a64", SUBNET_CIDR, 0, f"Default local route to the subnetwork {SUBNET_CIDR}.",
          "4490218736615024182", created, nextHopNetwork=NET_URL, routeType="SUBNET"),
        r("default-route-93c4e1a0b6d75f28", POD_CIDR, 0, f"Default local route to the subnetwork {POD_CIDR}.",
          "4490218736615024390", created, nextHopNetwork=NET_URL, routeType="SUBNET"),
        r("default-route-e07b5d2c9a1f4863", SERVICES_CIDR, 0,
          f"Default local route to the subnetwork {SERVICES_CIDR}.",
          "4490218736615024511", created, nextHopNetwork=NET_URL, routeType="SUBNET"),
        r("default-route-5c2a8f4e1b9d0736", GPU_POD_CIDR, 0,
          f"Default local route to the subnetwork {GPU_POD_CIDR}.",
          "2718204961334571906", "2026-03-02T11:00:58.117-08:00", nextHopNetwork=NET_URL, routeType="SUBNET"),
        r("peering-route-0b7d3e9f1a6c2854", MASTER_CIDR, 0, f"Auto generated route via peering [{PEERING}].",
          "6203917485520173364", "2026-03-02T10:43:12.592-08:00", nextHopPeering=PEERING),
        r("restricted-googleapis", "199.36.153.4/30", 1000,
          "restricted.googleapis.com VIP through the default internet gateway.",
          "3354197208816635427", "2026-03-02T11:01:37.240-08:00",
          nextHopGateway=f"{COMPUTE}projects/{PROJECT}/global/gateways/default-internet-gateway",
          routeType="STATIC"),
    ]
    return out


def dns(variant):
    def zone(name, dns_name, ident, description):
        return {
            "cloudLoggingConfig": {"kind": "dns#managedZoneCloudLoggingConfig"},
            "creationTime": "2026-03-02T19:12:05.381Z",
            "description": description,
            "dnsName": dns_name,
            "id": ident,
            "kind": "dns#managedZone",
            "name": name,
            "nameServers": ["ns-gcp-private.googledomains.com."],
            "privateVisibilityConfig": {
                "kind": "dns#managedZonePrivateVisibilityConfig",
                "networks": [{"kind": "dns#managedZonePrivateVisibilityConfigNetwork", "networkUrl": NET_URL}],
            },
            "visibility": "private",
        }

    def rr(name, typ, ttl, data):
        return {"kind": "dns#resourceRecordSet", "name": name, "rrdatas": data, "ttl": ttl, "type": typ}

    def soa_ns(dns_name):
        return [
            rr(dns_name, "NS", 21600, ["ns-gcp-private.googledomains.com."]),
            rr(dns_name, "SOA", 21600, ["ns-gcp-private.googledomains.com. cloud-dns-hostmaster.google.com. "
                                        "1 21600 3600 259200 300"]),
        ]

    vip = ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"]
    zones = [zone("googleapis", "googleapis.com.", "4093471839266015123",
                  "googleapis.com to restricted.googleapis.com for VPC Service Controls")]
    rrsets = {"googleapis": [rr("*.googleapis.com.", "CNAME", 300, ["restricted.googleapis.com."])]
              + soa_ns("googleapis.com.") + [rr("restricted.googleapis.com.", "A", 300, vip)]}
    if variant != "no_gcr_zones":
        for name, dn, ident in (("gcr-io", "gcr.io.", "7742968101530416658"),
                                ("pkg-dev", "pkg.dev.", "1285306694172938840")):
            zones.append(zone(name, dn, ident, f"{dn[:-1]} to restricted.googleapis.com"))
            rrsets[name] = [rr(f"*.{dn}", "CNAME", 300, [dn]), rr(dn, "A", 300, vip)] + soa_ns(dn)
    return zones, rrsets


# ---------------------------------------------------------------------------------------------

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def build(name, spec, seed):
    d = os.path.join(HERE, name)
    rules = firewall_rules(spec["switches"])
    log = Log(seed, rules)
    for fn in spec["log"]:
        fn(log)
    entries = log.finish()
    write(os.path.join(d, "logging", "entries.json"), entries)
    write(os.path.join(d, "compute", "firewalls.json"), rules)
    write(os.path.join(d, "compute", "routes.json"), routes())
    write(os.path.join(d, "compute", "networks.json"), networks())
    write(os.path.join(d, "compute", "subnetworks.json"), subnetworks())
    write(os.path.join(d, "compute", "routers.json"), routers())
    write(os.path.join(d, "container", "clusters.json"), cluster())
    write(os.path.join(d, "container", "operations.json"), operations())
    zones, rrsets = dns(spec.get("dns"))
    write(os.path.join(d, "dns", "managedZones.json"), zones)
    write(os.path.join(d, "dns", "rrsets.json"), rrsets)
    denied = sum(1 for e in entries if e["jsonPayload"]["disposition"] == "DENIED")
    write(os.path.join(d, "scenario.json"), {
        "name": name, "title": spec["title"], "project": PROJECT, "cluster": CLUSTER, "region": REGION,
        "entries": len(entries), "denied": denied, "allowed": len(entries) - denied,
        "summary": spec["readme"], "noise": spec["noise"], "all_file": spec.get("all_file", False),
    })
    return len(entries), denied


def main(argv):
    names = argv or list(SCENARIOS)
    for i, name in enumerate(SCENARIOS):
        if name not in names:
            continue
        total, denied = build(name, SCENARIOS[name], seed=20261122 + i)
        print(f"{name}: {total} entries, {denied} denied")
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        sys.exit(f"unknown scenario(s): {', '.join(sorted(unknown))}")


if __name__ == "__main__":
    main(sys.argv[1:])
