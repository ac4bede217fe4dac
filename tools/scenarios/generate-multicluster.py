#!/usr/bin/env python3
"""Writes tools/scenarios/multi-cluster/: one project with four GKE clusters on two networks,
the shape of the recorded real projects that mixed clusters up (issue 13). Deterministic;
Python 3 stdlib only.

    python3 tools/scenarios/generate-multicluster.py

The clusters (all in project kf-prod-4412):
- kf-private: Standard, VPC-native, private nodes, us-central1, kubeflow-vpc / kubeflow-subnet
  (the `mixed` scenario's cluster, as recorded), healthy.
- ml-batch: Standard, VPC-native, private nodes, us-central1, kubeflow-vpc / batch-subnet. Its
  pods are blocked: deny-batch-low-ports denies tcp:1-1000 from its own pod range to its own
  node tag at priority 900, which beats GKE's gke-ml-batch-7b1d0e44-all (1000) on those ports.
- ap-analytics: Autopilot, public nodes, europe-west1, analytics-vpc, no Cloud NAT (public nodes
  need none), healthy.
- legacy-routes: Standard, routes-based (pod routes per node), public nodes, us-central1-a,
  kubeflow-vpc / legacy-subnet, healthy.
Each cluster has GKE's own firewall rules with its own tag; kubeflow-vpc has a Cloud NAT.

Expected: one finding, pod-to-pod-denied for ml-batch on tcp:1-1000; no pair of pod ranges of
two clusters is a fault, no NAT or Private Google Access finding for the public clusters.
"""

import copy
import importlib.util
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "multi-cluster")
PROJECT = "kf-prod-4412"
COMPUTE = f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/"
CONTAINER = f"https://container.googleapis.com/v1/projects/{PROJECT}/"


def load(*parts):
    with open(os.path.join(HERE, "mixed", *parts)) as f:
        return json.load(f)


def network_url(name):
    return COMPUTE + "global/networks/" + name


def firewall(name, rid, network, direction, priority, action, rules, ranges, tags, description=""):
    rule = {
        "creationTimestamp": "2026-03-02T10:43:26.071-08:00",
        "description": description,
        "direction": direction,
        "disabled": False,
        "id": rid,
        "kind": "compute#firewall",
        "logConfig": {"enable": False},
        "name": name,
        "network": network_url(network),
        "priority": priority,
        "selfLink": COMPUTE + "global/firewalls/" + name,
        action: rules,
        ("sourceRanges" if direction == "INGRESS" else "destinationRanges"): ranges,
        "targetTags": tags,
    }
    return rule


def gke_rules(cluster, hash8, network, master, nodes, pods, rid):
    """The rules GKE creates for a cluster (a private one also gets -master)."""
    tag = f"gke-{cluster}-{hash8}-node"
    out = []
    if master:
        out.append(firewall(f"gke-{cluster}-{hash8}-master", str(rid + 1), network, "INGRESS", 1000, "allowed",
                            [{"IPProtocol": "tcp", "ports": ["10250", "443"]}], [master], [tag]))
    out.append(firewall(f"gke-{cluster}-{hash8}-vms", str(rid + 2), network, "INGRESS", 1000, "allowed",
                        [{"IPProtocol": "icmp"}, {"IPProtocol": "tcp", "ports": ["1-65535"]},
                         {"IPProtocol": "udp", "ports": ["1-65535"]}], [nodes], [tag]))
    out.append(firewall(f"gke-{cluster}-{hash8}-all", str(rid + 3), network, "INGRESS", 1000, "allowed",
                        [{"IPProtocol": p} for p in ["tcp", "udp", "icmp", "esp", "ah", "sctp"]], pods, [tag]))
    return out


def subnet(name, rid, network, region, primary, secondary):
    return {
        "creationTimestamp": "2026-02-27T09:13:20.664-08:00",
        "enableFlowLogs": False,
        "fingerprint": "Vt4Kx0cR2_w=",
        "gatewayAddress": primary.split("/")[0][:-1] + "1",
        "id": rid,
        "ipCidrRange": primary,
        "kind": "compute#subnetwork",
        "name": name,
        "network": network_url(network),
        "privateIpGoogleAccess": True,
        "privateIpv6GoogleAccess": "DISABLE_GOOGLE_ACCESS",
        "purpose": "PRIVATE",
        "region": COMPUTE + "regions/" + region,
        "secondaryIpRanges": [{"ipCidrRange": c, "rangeName": n} for n, c in secondary],
        "selfLink": COMPUTE + f"regions/{region}/subnetworks/{name}",
        "stackType": "IPV4_ONLY",
    }


def route(name, rid, network, dest, priority, hop_key, hop, description, tags=None):
    r = {
        "creationTimestamp": "2026-03-02T11:01:37.240-08:00",
        "description": description,
        "destRange": dest,
        "id": rid,
        "kind": "compute#route",
        "name": name,
        "network": network_url(network),
        "priority": priority,
        "selfLink": COMPUTE + "global/routes/" + name,
        hop_key: hop,
        "routeType": "STATIC",
    }
    if tags:
        r["tags"] = tags
    return r


def cluster_from(base, name, cid, location, network, subnetwork, pods, pods_name, services, master, endpoint,
                 private_nodes, pool, autopilot=False, vpc_native=True):
    c = copy.deepcopy(base)
    region = location if location.count("-") == 1 else location.rsplit("-", 1)[0]
    c["name"] = name
    c["id"] = cid
    c["location"] = location
    c["zone"] = location
    c["locations"] = [location] if location != region else [region + "-a", region + "-b", region + "-c"]
    c["network"] = network
    c["subnetwork"] = subnetwork
    c["clusterIpv4Cidr"] = pods
    c["servicesIpv4Cidr"] = services
    c["selfLink"] = CONTAINER + f"locations/{location}/clusters/{name}"
    c["networkConfig"] = {
        "defaultSnatStatus": {},
        "network": f"projects/{PROJECT}/global/networks/{network}",
        "serviceExternalIpsConfig": {},
        "subnetwork": f"projects/{PROJECT}/regions/{region}/subnetworks/{subnetwork}",
    }
    if vpc_native:
        c["ipAllocationPolicy"] = {
            "clusterIpv4Cidr": pods, "clusterIpv4CidrBlock": pods, "clusterSecondaryRangeName": pods_name,
            "servicesIpv4Cidr": services, "servicesIpv4CidrBlock": services, "stackType": "IPV4",
            "useIpAliases": True,
        }
    else:
        # Routes-based: no alias ranges; pods get a /24 per node from clusterIpv4Cidr by route.
        c["ipAllocationPolicy"] = {"stackType": "IPV4"}
    if private_nodes:
        c["privateClusterConfig"] = {
            "enablePrivateEndpoint": True, "enablePrivateNodes": True, "masterGlobalAccessConfig": {},
            "masterIpv4CidrBlock": master, "privateEndpoint": endpoint,
            "peeringName": f"gke-n{cid[:20]}-peer",
        }
        c["endpoint"] = endpoint
    else:
        c["privateClusterConfig"] = {"privateEndpoint": endpoint, "publicEndpoint": "34.118.10." + endpoint.rsplit(".", 1)[1]}
        c["networkConfig"]["defaultEnablePrivateNodes"] = False
        c["endpoint"] = c["privateClusterConfig"]["publicEndpoint"]
    c["autopilot"] = {"enabled": True} if autopilot else {}
    hash8 = cid[:8]
    group = f"gke-{name}-{pool}-{hash8[:4]}a1b2-grp"
    zone = location if location != region else region + "-a"
    c["instanceGroupUrls"] = [COMPUTE + f"zones/{zone}/instanceGroupManagers/{group}"]
    np = copy.deepcopy(base["nodePools"][0])
    np["name"] = pool
    np["instanceGroupUrls"] = c["instanceGroupUrls"]
    np["locations"] = [zone]
    np["selfLink"] = c["selfLink"] + "/nodePools/" + pool
    if vpc_native:
        np["networkConfig"] = {"enablePrivateNodes": private_nodes, "podIpv4CidrBlock": pods, "podRange": pods_name}
    else:
        np["networkConfig"] = {"enablePrivateNodes": private_nodes}
    c["nodePools"] = [np]
    c["currentNodeCount"] = 3
    return c


def main():
    base = load("container", "clusters.json")[0]
    kf = copy.deepcopy(base)
    batch = cluster_from(base, "ml-batch", "7b1d0e44c2a94f0e8d1b6a3c5e7f9012a4c6e8f0b2d4f6a8c0e2a4c6e8f0b2d4",
                         "us-central1", "kubeflow-vpc", "batch-subnet", "10.48.0.0/14", "batch-pods",
                         "10.52.0.0/20", "172.16.0.16/28", "172.16.0.18", True, "batch-pool")
    autopilot = cluster_from(base, "ap-analytics", "c4e9a1f03b5d4e6f8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e",
                             "europe-west1", "analytics-vpc", "analytics-subnet", "10.64.0.0/14", "analytics-pods",
                             "10.68.0.0/20", None, "10.60.0.2", False, "pool-1", autopilot=True)
    legacy = cluster_from(base, "legacy-routes", "e2a7c5d91f3b4d5e7a9c1e3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c",
                          "us-central1-a", "kubeflow-vpc", "legacy-subnet", "10.100.0.0/14", None,
                          "10.103.240.0/20", None, "10.30.0.2", False, "default-pool", vpc_native=False)
    clusters = [kf, batch, autopilot, legacy]

    firewalls = []
    firewalls += gke_rules("kf-private", "3f9a6c2e", "kubeflow-vpc", "172.16.0.0/28", "10.10.0.0/20",
                           ["10.20.0.0/14", "10.32.0.0/16"], 9232937467829769700)
    firewalls += gke_rules("ml-batch", "7b1d0e44", "kubeflow-vpc", "172.16.0.16/28", "10.40.0.0/20",
                           ["10.48.0.0/14"], 5120449183756023800)
    firewalls += gke_rules("ap-analytics", "c4e9a1f0", "analytics-vpc", None, "10.60.0.0/20",
                           ["10.64.0.0/14"], 6630918273645501900)
    firewalls += gke_rules("legacy-routes", "e2a7c5d9", "kubeflow-vpc", None, "10.30.0.0/20",
                           ["10.100.0.0/14"], 7741029384756612000)
    firewalls.append(firewall(
        "deny-batch-low-ports", "3390127745561028417", "kubeflow-vpc", "INGRESS", 900, "denied",
        [{"IPProtocol": "tcp", "ports": ["1-1000"]}], ["10.48.0.0/14"], ["gke-ml-batch-7b1d0e44-node"],
        "Batch jobs must not call privileged ports on each other."))
    firewalls.append(firewall(
        "allow-ingress-iap-ssh", "7027548855370821144", "kubeflow-vpc", "INGRESS", 1000, "allowed",
        [{"IPProtocol": "tcp", "ports": ["22"]}], ["35.235.240.0/20"],
        ["gke-kf-private-3f9a6c2e-node", "gke-ml-batch-7b1d0e44-node", "gke-legacy-routes-e2a7c5d9-node"],
        "SSH through IAP TCP forwarding."))
    firewalls.sort(key=lambda r: r["name"])

    kubeflow_net = load("compute", "networks.json")[0]
    analytics_net = copy.deepcopy(kubeflow_net)
    analytics_net.update({"name": "analytics-vpc", "id": "4471028836610394452", "peerings": [],
                          "selfLink": network_url("analytics-vpc"),
                          "subnetworks": [COMPUTE + "regions/europe-west1/subnetworks/analytics-subnet"]})
    kubeflow_net["subnetworks"] = [COMPUTE + f"regions/us-central1/subnetworks/{n}"
                                   for n in ["kubeflow-subnet", "batch-subnet", "legacy-subnet"]]

    subnets = load("compute", "subnetworks.json") + [
        subnet("batch-subnet", "6834271051297485311", "kubeflow-vpc", "us-central1", "10.40.0.0/20",
               [("batch-pods", "10.48.0.0/14"), ("batch-services", "10.52.0.0/20")]),
        subnet("legacy-subnet", "6834271051297485412", "kubeflow-vpc", "us-central1", "10.30.0.0/20", []),
        subnet("analytics-subnet", "6834271051297485513", "analytics-vpc", "europe-west1", "10.60.0.0/20",
               [("analytics-pods", "10.64.0.0/14"), ("analytics-services", "10.68.0.0/20")]),
    ]

    igw = COMPUTE + "global/gateways/default-internet-gateway"
    routes = [r for r in load("compute", "routes.json") if not r["name"].startswith("peering-")]
    routes.append(route("default-route-4c1e9a7b3d5f2806", "8126530547193309901", "analytics-vpc", "0.0.0.0/0", 1000,
                        "nextHopGateway", igw, "Default route to the Internet."))
    # Routes-based pods: one /24 route per node, to the node's instance.
    for i, suffix in enumerate(["7f3a", "91c2", "b5e8"]):
        vm = f"gke-legacy-routes-default-pool-e2a7a1b2-{suffix}"
        routes.append(route(
            f"gke-legacy-routes-e2a7c5d9-{suffix}0c1d-4e5f-6a7b-8c9d0e1f2a3b", str(5512093847561029380 + i),
            "kubeflow-vpc", f"10.100.{i}.0/24", 1000, "nextHopInstance",
            COMPUTE + f"zones/us-central1-a/instances/{vm}", "k8s-node-route"))
    routes.sort(key=lambda r: r["name"])

    os.makedirs(os.path.join(OUT, "compute"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "container"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "dns"), exist_ok=True)

    def write(path, data):
        with open(os.path.join(OUT, path), "w") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")

    write("container/clusters.json", clusters)
    write("compute/firewalls.json", firewalls)
    write("compute/networks.json", [kubeflow_net, analytics_net])
    write("compute/subnetworks.json", subnets)
    write("compute/routes.json", routes)
    write("compute/routers.json", load("compute", "routers.json"))
    # googleapis.com, gcr.io and pkg.dev to the restricted VIP, as the config scenarios have them.
    spec = importlib.util.spec_from_file_location("generate_config", os.path.join(HERE, "generate-config.py"))
    generate_config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate_config)
    zones, rrsets = generate_config.private_zones()
    write("dns/managedZones.json", zones)
    write("dns/rrsets.json", rrsets)
    write("config-scenario.json", {
        "name": "multi-cluster",
        "title": "Four clusters in one project: only ml-batch's pods are blocked (tcp:1-1000)",
        "summary": "kf-private (private, VPC-native), ml-batch (private, VPC-native), ap-analytics (Autopilot, public "
                   "nodes, analytics-vpc in europe-west1, no NAT) and legacy-routes (routes-based, public nodes). "
                   "deny-batch-low-ports (priority 900) denies tcp:1-1000 from ml-batch's pod range to ml-batch's node "
                   "tag, ahead of GKE's gke-ml-batch-7b1d0e44-all. Nothing else is wrong: pod ranges of different "
                   "clusters are not expected to reach each other, and public nodes need no Cloud NAT.",
        "clusters": [[c["name"], c["location"]] for c in clusters],
        "expected": ["pod-to-pod-denied (ml-batch, tcp:1-1000 by deny-batch-low-ports)"],
    })


if __name__ == "__main__":
    main()
