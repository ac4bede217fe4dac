#!/usr/bin/env python3
"""A small fake kube-apiserver, so the REAL kubectl can print describe, get and apply text.

Python 3 standard library only, plain HTTP on 127.0.0.1 (any 127.0.0.0/8 address with --host;
nothing else is accepted). kubectl is pointed at it with a kubeconfig holding no credentials.

Fixtures (FIXTURE_DIR = tools/fakekube/fixtures/<scenario>/):

  objects/*.json    each file one object or a {"items": [...]} list; apiVersion and kind pick the
                    resource (see RESOURCES), metadata.namespace and metadata.name its path.
  failures.json     optional (or --failures FILE): a list of {"method": "POST", "path": REGEX, "status": {...Status}}.
                    Each write (POST/PUT/PATCH) whose path matches an entry's regex is answered
                    with that entry's Status (its "code" is the HTTP status), each entry once, in
                    order; writes with no entry left answer 201/200 with the object sent.

Any string value of the form "@now-<N>s" / "@now-<N>m" / "@now-<N>h" is replaced, when served,
by the RFC 3339 time N seconds/minutes/hours before now, so event ages such as `4m12s (x17 over
14m)` come out the same at every capture. Now is taken on a whole second: a request that arrives
late in a second waits for the next one, so kubectl's own clock (it prints the ages) reads the
same second when it prints a few milliseconds later.

Served: /version, discovery (/api, /api/v1, /apis, /apis/G/V; the aggregated discovery Accept
types are answered with the legacy documents, which kubectl accepts), GET/LIST of every resource
in RESOURCES (labelSelector `k=v[,k=v]` and fieldSelector `a.b=v[,...]` with = / == / !=;
involvedObject.uid is ignored, so fixtures need not repeat UIDs), and the server-side Table that
`kubectl get` asks for (Accept: as=Table): events and pods get kube-apiserver's own columns and
cell values (ported from k8s.io/kubernetes/pkg/printers/internalversion/printers.go: printEvent,
printPod, and apimachinery's duration.HumanDuration); other kinds Name + Age. /openapi/v3 holds
only what apply asks before writing (whether ?fieldValidation= is taken: it is, so kubectl
validates on the server, as against any 1.27+ cluster); /openapi/v2 answers 404.

Every request is appended to --request-log as one JSON line: time, method, path, query, accept,
status.
"""
import argparse
import datetime
import glob
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVER_VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.4-gke.1415000", "gitCommit": "0" * 40,
    "gitTreeState": "clean", "buildDate": "2026-10-01T00:00:00Z", "goVersion": "go1.23.8",
    "compiler": "gc", "platform": "linux/amd64",
}

# group/version -> [(plural, singular, kind, namespaced, shortNames, categories)]
RESOURCES = {
    "v1": [
        ("pods", "pod", "Pod", True, ["po"], ["all"]),
        ("events", "event", "Event", True, ["ev"], []),
        ("services", "service", "Service", True, ["svc"], ["all"]),
        ("endpoints", "endpoints", "Endpoints", True, ["ep"], []),
        ("nodes", "node", "Node", False, ["no"], []),
        ("namespaces", "namespace", "Namespace", False, ["ns"], []),
        ("configmaps", "configmap", "ConfigMap", True, ["cm"], []),
        ("serviceaccounts", "serviceaccount", "ServiceAccount", True, ["sa"], []),
    ],
    "apps/v1": [
        ("replicasets", "replicaset", "ReplicaSet", True, ["rs"], ["all"]),
        ("deployments", "deployment", "Deployment", True, ["deploy"], ["all"]),
        ("statefulsets", "statefulset", "StatefulSet", True, ["sts"], ["all"]),
        ("daemonsets", "daemonset", "DaemonSet", True, ["ds"], ["all"]),
    ],
    "discovery.k8s.io/v1": [
        ("endpointslices", "endpointslice", "EndpointSlice", True, [], []),
    ],
    "networking.k8s.io/v1": [
        ("ingresses", "ingress", "Ingress", True, ["ing"], []),
        ("ingressclasses", "ingressclass", "IngressClass", False, [], []),
    ],
    "admissionregistration.k8s.io/v1": [
        ("validatingwebhookconfigurations", "validatingwebhookconfiguration", "ValidatingWebhookConfiguration",
         False, [], ["api-extensions"]),
        ("mutatingwebhookconfigurations", "mutatingwebhookconfiguration", "MutatingWebhookConfiguration",
         False, [], ["api-extensions"]),
    ],
    "apiregistration.k8s.io/v1": [
        ("apiservices", "apiservice", "APIService", False, [], ["api-extensions"]),
    ],
    "apiextensions.k8s.io/v1": [
        ("customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", False, ["crd", "crds"],
         ["api-extensions"]),
    ],
    "templates.gatekeeper.sh/v1": [
        ("constrainttemplates", "constrainttemplate", "ConstraintTemplate", False, [], []),
    ],
    "constraints.gatekeeper.sh/v1beta1": [
        ("k8srequiredlabels", "k8srequiredlabels", "K8sRequiredLabels", False, [], ["constraint", "constraints"]),
    ],
    "kubeflow.org/v1": [
        ("notebooks", "notebook", "Notebook", True, [], []),
    ],
    "compute.cnrm.cloud.google.com/v1beta1": [
        ("computefirewalls", "computefirewall", "ComputeFirewall", True, ["gcpcomputefirewall"], ["gcp"]),
        ("computenetworks", "computenetwork", "ComputeNetwork", True, ["gcpcomputenetwork"], ["gcp"]),
        ("computesubnetworks", "computesubnetwork", "ComputeSubnetwork", True, ["gcpcomputesubnetwork"], ["gcp"]),
        ("computerouters", "computerouter", "ComputeRouter", True, ["gcpcomputerouter"], ["gcp"]),
        ("computerouternats", "computerouternat", "ComputeRouterNAT", True, ["gcpcomputerouternat"], ["gcp"]),
        ("computeroutes", "computeroute", "ComputeRoute", True, ["gcpcomputeroute"], ["gcp"]),
        ("computeaddresses", "computeaddress", "ComputeAddress", True, ["gcpcomputeaddress"], ["gcp"]),
    ],
    "container.cnrm.cloud.google.com/v1beta1": [
        ("containerclusters", "containercluster", "ContainerCluster", True, ["gcpcontainercluster"], ["gcp"]),
        ("containernodepools", "containernodepool", "ContainerNodePool", True, ["gcpcontainernodepool"], ["gcp"]),
    ],
    "dns.cnrm.cloud.google.com/v1beta1": [
        ("dnsrecordsets", "dnsrecordset", "DNSRecordSet", True, ["gcpdnsrecordset"], ["gcp"]),
        ("dnsmanagedzones", "dnsmanagedzone", "DNSManagedZone", True, ["gcpdnsmanagedzone"], ["gcp"]),
    ],
}

# What kubectl apply reads from /openapi/v3 before writing: whether the server takes
# ?fieldValidation= (server-side field validation, used instead of client-side schema validation
# since kubectl 1.27; for kinds without a document, CRDs, it asks about Namespace).
OPENAPI_CORE_V1 = {
    "openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.4"},
    "paths": {"/api/v1/namespaces/{name}": {"patch": {
        "x-kubernetes-group-version-kind": {"group": "", "version": "v1", "kind": "Namespace"},
        "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}}],
        "responses": {}}}},
    "components": {"schemas": {}},
}

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
NOW_RE = re.compile(r"^@now-(\d+)([smh])$")


def plural_of(api_version, kind):
    for plural, _, k, namespaced, _, _ in RESOURCES.get(api_version, []):
        if k == kind:
            return plural, namespaced
    raise SystemExit(f"fakekube: no resource for {api_version} {kind}; add it to RESOURCES")


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if details:
        body["details"] = details
    return body


# --- time ---------------------------------------------------------------------------------------

def whole_second_now():
    now = time.time()
    if now % 1 > 0.5:
        time.sleep(1.02 - now % 1)
        now = time.time()
    return int(now)


def rfc3339(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve_times(value, now):
    if isinstance(value, dict):
        return {k: resolve_times(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_times(v, now) for v in value]
    if isinstance(value, str):
        m = NOW_RE.match(value)
        if m:
            return rfc3339(now - int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2)])
    return value


def parse_time(text):
    if not text:
        return None
    return datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def human_duration(seconds_float):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    seconds = int(seconds_float)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def since(text, now):
    """printers.go translateTimestampSince: `<unknown>` for a zero time."""
    t = parse_time(text)
    return "<unknown>" if t is None else human_duration(now - t)


# --- server-side tables (kube-apiserver's printers) ----------------------------------------------

def column(name, kind="string", priority=0, fmt=""):
    return {"name": name, "type": kind, "format": fmt, "description": "", "priority": priority}


EVENT_COLUMNS = [column("Last Seen"), column("Type"), column("Reason"), column("Object"),
                 column("Subobject", priority=1), column("Source", priority=1), column("Message"),
                 column("First Seen", priority=1), column("Count", "integer", priority=1),
                 column("Name", priority=1)]

POD_COLUMNS = [column("Name", fmt="name"), column("Ready"), column("Status"), column("Restarts"),
               column("Age"), column("IP", priority=1), column("Node", priority=1),
               column("Nominated Node", priority=1), column("Readiness Gates", priority=1)]

DEFAULT_COLUMNS = [column("Name", fmt="name"), column("Age", "date")]


def event_cells(ev, now):
    first = since(ev.get("firstTimestamp"), now) if ev.get("firstTimestamp") else since(ev.get("eventTime"), now)
    last = since(ev.get("lastTimestamp"), now) if ev.get("lastTimestamp") else first
    count = ev.get("count") or 1
    if ev.get("series"):
        last = since(ev["series"].get("lastObservedTime"), now)
        count = ev["series"].get("count", count)
    obj = ev.get("involvedObject", {})
    target = obj.get("kind", "").lower() + ("/" + obj["name"] if obj.get("name") else "")
    source = ev.get("source", {})
    if source.get("component") or source.get("host"):
        src = source.get("component", "") + (", " + source["host"] if source.get("host") else "")
    else:
        src = ev.get("reportingComponent", "") + (", " + ev["reportingInstance"] if ev.get("reportingInstance") else "")
    return [last, ev.get("type", ""), ev.get("reason", ""), target, obj.get("fieldPath", ""), src,
            ev.get("message", "").strip(), first, count, ev["metadata"]["name"]]


def pod_cells(pod, now):
    st = pod.get("status", {})
    reason = st.get("reason") or st.get("phase", "")
    restarts = 0
    ready = 0
    statuses = st.get("containerStatuses", [])
    for cs in reversed(statuses):
        restarts += cs.get("restartCount", 0)
        state = cs.get("state", {})
        if state.get("waiting", {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif state.get("terminated", {}).get("reason"):
            reason = state["terminated"]["reason"]
        elif "running" in state and cs.get("ready"):
            ready += 1
    total = len(pod.get("spec", {}).get("containers", []))
    return [pod["metadata"]["name"], f"{ready}/{total}", reason, restarts,
            since(pod["metadata"].get("creationTimestamp"), now), st.get("podIP", "<none>"),
            pod.get("spec", {}).get("nodeName", "<none>"), "<none>", "<none>"]


def table(kind, items, now, list_rv):
    if kind == "Event":
        columns, cells = EVENT_COLUMNS, event_cells
    elif kind == "Pod":
        columns, cells = POD_COLUMNS, pod_cells
    else:
        columns = DEFAULT_COLUMNS
        def cells(o, n):
            return [o["metadata"]["name"], since(o["metadata"].get("creationTimestamp"), n)]
    rows = []
    for item in items:
        meta = {k: v for k, v in item["metadata"].items() if k != "managedFields"}
        rows.append({"cells": cells(item, now), "object": {
            "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": list_rv},
            "columnDefinitions": columns, "rows": rows}


# --- selectors ----------------------------------------------------------------------------------

def field(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict):
            return ""
        obj = obj.get(part, "")
    return "" if obj is None else str(obj)


def selector_terms(text):
    for term in filter(None, (t.strip() for t in (text or "").split(","))):
        m = re.match(r"^([^=!]+?)\s*(==|!=|=)\s*(.*)$", term)
        if m:
            yield m.group(1), m.group(2), m.group(3)


def matches(obj, field_selector, label_selector):
    for key, op, want in selector_terms(field_selector):
        if key == "involvedObject.uid":
            continue
        got = field(obj, key)
        if (got == want) != (op != "!="):
            return False
    labels = obj.get("metadata", {}).get("labels", {}) or {}
    for key, op, want in selector_terms(label_selector):
        got = labels.get(key)
        if (got == want) != (op != "!="):
            return False
    return True


# --- the store -----------------------------------------------------------------------------------

class Store:
    def __init__(self, root, failures=None):
        self.objects = {}   # (apiVersion, plural) -> list of objects
        for path in sorted(glob.glob(os.path.join(root, "objects", "*.json"))):
            doc = json.load(open(path))
            is_list = "items" in doc and ("kind" not in doc or doc["kind"].endswith("List"))
            for obj in doc["items"] if is_list else [doc]:
                plural, _ = plural_of(obj["apiVersion"], obj["kind"])
                self.objects.setdefault((obj["apiVersion"], plural), []).append(obj)
        self.objects[("apiextensions.k8s.io/v1", "customresourcedefinitions")] = custom_resource_definitions()
        for items in self.objects.values():
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        failures = failures or os.path.join(root, "failures.json")
        self.failures = json.load(open(failures)) if os.path.exists(failures) else []
        self.lock = threading.Lock()

    def take_failure(self, method, path):
        with self.lock:
            for i, f in enumerate(self.failures):
                if f.get("method", method) == method and re.search(f["path"], path):
                    return self.failures.pop(i)["status"]
        return None


BUILT_IN_GROUPS = {"", "apps", "discovery.k8s.io", "networking.k8s.io", "admissionregistration.k8s.io",
                   "apiregistration.k8s.io", "apiextensions.k8s.io"}


def custom_resource_definitions():
    """A CRD for every served kind outside Kubernetes' own groups: kubectl apply lists them to
    decide whether a kind the OpenAPI document lacks is a custom resource."""
    crds = []
    for gv, resources in RESOURCES.items():
        group, _, version = gv.rpartition("/")
        if group in BUILT_IN_GROUPS:
            continue
        for plural, singular, kind, namespaced, short, categories in resources:
            names = {"plural": plural, "singular": singular, "kind": kind, "listKind": kind + "List"}
            if short:
                names["shortNames"] = short
            if categories:
                names["categories"] = categories
            crds.append({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                         "metadata": {"name": f"{plural}.{group}", "creationTimestamp": "2026-11-20T16:40:00Z"},
                         "spec": {"group": group, "names": names, "scope": "Namespaced" if namespaced else "Cluster",
                                  "versions": [{"name": version, "served": True, "storage": True,
                                                "schema": {"openAPIV3Schema": {"type": "object",
                                                           "x-kubernetes-preserve-unknown-fields": True}}}]}})
    return crds


def discovery_list(gv):
    resources = []
    for plural, singular, kind, namespaced, short, categories in RESOURCES[gv]:
        entry = {"name": plural, "singularName": singular, "namespaced": namespaced, "kind": kind,
                 "verbs": VERBS}
        if short:
            entry["shortNames"] = short
        if categories:
            entry["categories"] = categories
        resources.append(entry)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def group_list():
    groups = []
    for gv in RESOURCES:
        if gv == "v1":
            continue
        group, version = gv.split("/")
        v = {"groupVersion": gv, "version": version}
        groups.append({"name": group, "versions": [v], "preferredVersion": v})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


PATH_RE = re.compile(r"^/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
                     r"(?:/namespaces/(?P<ns>[^/]+))?/(?P<plural>[^/]+)(?:/(?P<name>[^/]+))?/?$")


class Handler(BaseHTTPRequestHandler):
    store: Store = None
    request_log = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, body, injected=False):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.log(code, injected)

    def log(self, code, injected=False):
        if self.request_log:
            url = urllib.parse.urlsplit(self.path)
            with open(self.request_log, "a") as f:
                f.write(json.dumps({"time": time.time(), "method": self.command, "path": url.path,
                                    "query": dict(urllib.parse.parse_qsl(url.query)),
                                    "accept": self.headers.get("Accept", ""), "status": code,
                                    "injected": injected}) + "\n")

    def do_GET(self):
        self.answer(None)

    def do_POST(self):
        self.answer(self.body())

    do_PUT = do_POST
    do_PATCH = do_POST

    def do_DELETE(self):
        self.send_json(405, status(405, "MethodNotAllowed", "the fake API server does not delete"))

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return {}

    def answer(self, sent):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        if path == "/version":
            return self.send_json(200, SERVER_VERSION)
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            return self.send_json(200, group_list())
        if path == "/openapi/v3":
            return self.send_json(200, {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=FAKE"}}})
        if path == "/openapi/v3/api/v1":
            return self.send_json(200, OPENAPI_CORE_V1)
        gv = "v1" if path == "/api/v1" else path[len("/apis/"):].rstrip("/") if path.startswith("/apis/") else None
        if gv in RESOURCES:
            return self.send_json(200, discovery_list(gv))
        m = PATH_RE.match(path)
        if not m:
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
        gv = m.group("core") or f"{m.group('group')}/{m.group('version')}"
        entry = next((r for r in RESOURCES.get(gv, []) if r[0] == m.group("plural")), None)
        if entry is None:
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
        plural, _, kind, namespaced, _, _ = entry
        group = gv.split("/")[0] if "/" in gv else ""
        ns, name = m.group("ns"), m.group("name")
        if sent is not None:
            return self.write(path, sent, plural, group)
        now = whole_second_now()
        items = [resolve_times(o, now) for o in self.store.objects.get((gv, plural), [])
                 if ns is None or o["metadata"].get("namespace") == ns]
        if name:
            found = next((o for o in items if o["metadata"]["name"] == name), None)
            if found is None:
                qualified = plural + (f".{group}" if group else "")
                return self.send_json(404, status(404, "NotFound", f'{qualified} "{name}" not found',
                                                  {"name": name, "group": group, "kind": plural}))
            return self.send_json(200, found)
        items = [o for o in items if matches(o, query.get("fieldSelector"), query.get("labelSelector"))]
        if "as=Table" in self.headers.get("Accept", ""):
            return self.send_json(200, table(kind, items, now, "1000"))
        return self.send_json(200, {"kind": kind + "List", "apiVersion": gv, "metadata": {"resourceVersion": "1000"},
                                    "items": items})

    def write(self, path, sent, plural, group):
        failure = self.store.take_failure(self.command, path)
        if failure is not None:
            return self.send_json(failure.get("code", 500), failure, injected=True)
        if self.command == "POST":
            return self.send_json(201, sent)
        # PATCH/PUT: the object as stored (the fake keeps no changes).
        m = PATH_RE.match(path)
        gv = m.group("core") or f"{m.group('group')}/{m.group('version')}"
        stored = next((o for o in self.store.objects.get((gv, plural), []) if o["metadata"]["name"] == m.group("name")
                       and o["metadata"].get("namespace") == m.group("ns")), sent)
        return self.send_json(200, resolve_times(stored, whole_second_now()))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True, help="fixture directory (tools/fakekube/fixtures/NAME)")
    ap.add_argument("--failures", help="the failures file (default FIXTURE_DIR/failures.json)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the port number here once listening")
    ap.add_argument("--request-log", help="append one JSON line per request here")
    args = ap.parse_args(argv)
    if not args.host.startswith("127."):
        ap.error("--host must be a 127.0.0.0/8 address")
    Handler.store = Store(args.root, args.failures)
    Handler.request_log = args.request_log
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(httpd.server_address[1]))
        os.replace(tmp, args.port_file)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
