#!/usr/bin/env python3
"""Writes the fixture trees of the network-config scenarios (no firewall logs) under
tools/scenarios/NAME/, derived from the `mixed` scenario's cluster and network so every
scenario describes the same kf-private cluster. Deterministic; Python 3 stdlib only.

    python3 tools/scenarios/generate-config.py

Each scenario gets compute/{firewalls,routes,networks,subnetworks,routers}.json,
container/clusters.json, dns/{managedZones,rrsets}.json and config-scenario.json (name,
title, summary, expected findings), which tools/make-samples.sh reads.
"""

import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "mixed")
PROJECT = "kf-prod-4412"
COMPUTE = f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/"
NETWORK_URL = COMPUTE + "global/networks/kubeflow-vpc"
NODE_TAG = "gke-kf-private-3f9a6c2e-node"


def load(*parts):
    with open(os.path.join(BASE, *parts)) as f:
        return json.load(f)


def firewall(name, created, rid, direction, priority, description, action, rules, ranges, tags=None, log=False):
    rule = {
        "creationTimestamp": created,
        "description": description,
        "direction": direction,
        "disabled": False,
        "id": rid,
        "kind": "compute#firewall",
        "logConfig": {"enable": True, "metadata": "INCLUDE_ALL_METADATA"} if log else {"enable": False},
        "name": name,
        "network": NETWORK_URL,
        "priority": priority,
        "selfLink": COMPUTE + "global/firewalls/" + name,
        action: rules,
        ("sourceRanges" if direction == "INGRESS" else "destinationRanges"): ranges,
    }
    if tags:
        rule["targetTags"] = tags
    return rule


def private_zones():
    """googleapis.com as in `mixed`, plus gcr.io and pkg.dev pointing at the restricted VIP."""
    zones = load("dns", "managedZones.json")
    rrsets = load("dns", "rrsets.json")
    vip = ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"]
    for i, (name, dns) in enumerate([("gcr-io", "gcr.io."), ("pkg-dev", "pkg.dev.")]):
        zone = copy.deepcopy(zones[0])
        zone.update({"name": name, "dnsName": dns, "id": str(4093471839266015124 + i),
                     "description": f"{dns[:-1]} to restricted.googleapis.com for VPC Service Controls",
                     "creationTime": f"2026-03-02T19:1{3 + i}:41.207Z"})
        zones.append(zone)
        rrsets[name] = [
            {"kind": "dns#resourceRecordSet", "name": "*." + dns, "rrdatas": [dns], "ttl": 300, "type": "CNAME"},
            {"kind": "dns#resourceRecordSet", "name": dns, "rrdatas": vip, "ttl": 300, "type": "A"},
        ]
    return zones, rrsets


def by_name(items, name):
    return next(i for i in items if i["name"] == name)


def via_instance(route, name, rid, priority, instance, description):
    """`route`'s destination sent to an instance in us-central1-a instead of the internet gateway."""
    changed = copy.deepcopy(route)
    changed.update({"description": description, "name": name, "selfLink": COMPUTE + "global/routes/" + name,
                    "id": rid, "priority": priority})
    del changed["nextHopGateway"]
    changed["nextHopInstance"] = COMPUTE + "zones/us-central1-a/instances/" + instance
    return changed


def gke_rules(base):
    return [r for r in base if r["name"].startswith("gke-")]


def write(name, spec, firewalls, routes, routers, zones=None, rrsets=None):
    root = os.path.join(HERE, name)
    files = {
        "compute/firewalls.json": sorted(firewalls, key=lambda r: r["name"]),
        "compute/routes.json": routes,
        "compute/networks.json": load("compute", "networks.json"),
        "compute/subnetworks.json": load("compute", "subnetworks.json"),
        "compute/routers.json": routers,
        "container/clusters.json": load("container", "clusters.json"),
        "container/operations.json": [],
        "dns/managedZones.json": zones if zones is not None else load("dns", "managedZones.json"),
        "dns/rrsets.json": rrsets if rrsets is not None else load("dns", "rrsets.json"),
        "config-scenario.json": dict(spec, name=name),
    }
    for rel, value in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(value, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)


def main():
    base_fw = load("compute", "firewalls.json")
    base_routes = load("compute", "routes.json")
    base_routers = load("compute", "routers.json")
    allow_vip = by_name(base_fw, "allow-egress-restricted-vip")
    allow_internal = by_name(base_fw, "allow-egress-cluster-internal")
    iap = by_name(base_fw, "allow-ingress-iap-ssh")
    deny_egress = by_name(base_fw, "deny-all-egress")
    allow_master_egress = firewall(
        "allow-egress-gke-master", "2026-03-02T11:02:40.118-08:00", "7301958846120375519", "EGRESS", 500,
        "Nodes reach the kf-private control plane.", "allowed", [{"IPProtocol": "tcp", "ports": ["443", "10250"]}],
        ["172.16.0.0/28"], [NODE_TAG], log=True)

    # 1. Pods cannot pull from gcr.io: egress goes through an appliance, there is no route to the
    #    restricted VIP, and only googleapis.com has a private zone.
    routes = [r for r in base_routes if r["name"] != "restricted-googleapis"]
    default = via_instance(by_name(routes, "default-route-6a1f0c9e2d4b7a35"), "egress-via-appliance",
                           "5518203947710264391", 900, "egress-appliance-1", "All egress through the inspection appliance.")
    routes = [r for r in routes if r["destRange"] != "0.0.0.0/0"]
    write("gcr-pull-dns-routes", {
        "title": "pods cannot pull from gcr.io: no private zone for gcr.io/pkg.dev and no route to the VIP",
        "summary": "Egress leaves through an inspection appliance (0.0.0.0/0 via instance egress-appliance-1) and the "
                   "route to the restricted VIP 199.36.153.4/30 was deleted, so the VIP is unreachable; and only "
                   "googleapis.com has a private zone, so gcr.io and *.pkg.dev still resolve to public Google "
                   "addresses, which the appliance path does not reach either. Firewall rules are fine for what "
                   "GKE needs (deny-all-ingress at 65534 catches everything else, logged).",
        "expected": ["restricted-vip-route-missing (restricted, next hop instance egress-appliance-1)",
                     "private-dns-zone-missing (gcr.io)", "private-dns-zone-missing (pkg.dev)"],
    }, gke_rules(base_fw) + [allow_vip, allow_internal, allow_master_egress, iap, deny_egress,
                             by_name(base_fw, "deny-all-ingress")], [default] + routes,
        base_routers)

    # 2. GitHub blocked: the allow sits at 1100 under deny-all-egress at 1000, and Cloud NAT
    #    translates only primary ranges, so pods (secondary ranges) have no NAT either.
    github = copy.deepcopy(by_name(base_fw, "allow-egress-github"))
    github["priority"] = 1100
    routers = copy.deepcopy(base_routers)
    routers[0]["nats"][0]["sourceSubnetworkIpRangesToNat"] = "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES"
    write("egress-priority-nat", {
        "title": "GitHub blocked: egress allow at 1100 under deny-all at 1000, NAT not covering pod ranges",
        "summary": "allow-egress-github (priority 1100) never takes effect because deny-all-egress (priority 1000) "
                   "decides first; and Cloud NAT kf-nat translates ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES, so the "
                   "pod ranges kf-pods and kf-gpu-pods have no NAT: pods cannot reach github.com even once the "
                   "rule is fixed.",
        "expected": ["allow-rule-shadowed (allow-egress-github by deny-all-egress, fix priority 999)",
                     "nat-not-covering-pods (kf-pods, kf-gpu-pods)"],
    }, gke_rules(base_fw) + [allow_vip, allow_internal, allow_master_egress, iap, deny_egress, github], base_routes,
        routers, *private_zones())

    # 3. Health checks: a rule opens the serving ports to 130.211.0.0/22 only; 35.191.0.0/16 is
    #    missing, and deny-all-ingress takes it.
    hc = firewall(
        "allow-health-checks", "2026-05-11T08:14:52.903-07:00", "2849106613577902143", "INGRESS", 1000,
        "Load balancer health checks to NodePorts and kube-proxy.", "allowed",
        [{"IPProtocol": "tcp", "ports": ["10256", "30000-32767"]}], ["130.211.0.0/22"], [NODE_TAG])
    write("health-checks-config", {
        "title": "health checks fail: the health-check rule lacks 35.191.0.0/16",
        "summary": "allow-health-checks opens tcp:10256 and the NodePort range 30000-32767 to 130.211.0.0/22 only; "
                   "probes from 35.191.0.0/16 fall to deny-all-ingress (priority 65534), so load balancer "
                   "backends flap UNHEALTHY.",
        "expected": ["health-check-ingress-denied (35.191.0.0/16 on 10256 and 30000-32767, denied by deny-all-ingress)"],
    }, gke_rules(base_fw) + [iap, hc, by_name(base_fw, "deny-all-ingress")], base_routes, base_routers,
        *private_zones())

    # 4. Image pulls time out though DNS, firewall and the VIP route are right: a retired API
    #    proxy's route to the same VIP range wins on priority and sends the traffic to an instance.
    proxy = via_instance(by_name(base_routes, "restricted-googleapis"), "vip-via-api-proxy", "3354197208816639911", 500,
                         "api-proxy-1", "Google APIs through the API proxy (retired).")
    write("vip-route-shadowed", {
        "title": "Google API traffic goes to a retired proxy: its route to the VIP beats the gateway route",
        "summary": "restricted-googleapis (199.36.153.4/30, priority 1000, default internet gateway) exists, but "
                   "vip-via-api-proxy sends the same range to instance api-proxy-1 at priority 500, so nodes' "
                   "traffic to restricted.googleapis.com follows it and is dropped. DNS zones and firewall rules "
                   "are right; creating another gateway route would change nothing.",
        "expected": ["vip-route-shadowed (restricted, vip-via-api-proxy over restricted-googleapis)"],
    }, gke_rules(base_fw) + [allow_vip, allow_internal, allow_master_egress, iap, deny_egress,
                             by_name(base_fw, "deny-all-ingress")], base_routes + [proxy], base_routers,
        *private_zones())


if __name__ == "__main__":
    main()
