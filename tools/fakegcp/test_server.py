#!/usr/bin/env python3
"""Smoke tests for the fake API (stdlib only, no gcloud, loopback only).

    python3 tools/fakegcp/test_server.py
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MIXED = os.path.join(HERE, "..", "scenarios", "mixed")


class FakeAPITest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.root = os.path.join(self.tmp, "fx")
        shutil.copytree(MIXED, self.root)
        self.log = os.path.join(self.tmp, "requests.jsonl")
        server.Handler.fake = server.Fake(self.root, self.log)
        self.httpd = server.ThreadingHTTPServer(("127.0.0.1", 0), server.Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def tearDown(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self.tmp)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"authorization": "Bearer secret-token",
                                              "content-type": "application/json"})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read()), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read()), dict(e.headers)

    def test_entries_filter_order_paging(self):
        body = {"resourceNames": ["projects/kf-prod-4412"], "orderBy": "timestamp desc", "pageSize": 20,
                "filter": 'logName:"compute.googleapis.com%2Ffirewall" AND jsonPayload.disposition="DENIED" '
                          'AND timestamp>="2026-11-22T00:00:00Z"'}
        seen = []
        while True:
            status, page, _ = self.call("POST", "/v2/entries:list", body)
            self.assertEqual(status, 200)
            seen += page.get("entries", [])
            if "nextPageToken" not in page:
                break
            body["pageToken"] = page["nextPageToken"]
        self.assertEqual(len(seen), 53)
        self.assertTrue(all(e["jsonPayload"]["disposition"] == "DENIED" for e in seen))
        stamps = [e["timestamp"] for e in seen]
        self.assertEqual(stamps, sorted(stamps, reverse=True))
        self.assertEqual(len({e["insertId"] for e in seen}), 53)

    def test_entries_timestamp_and_project(self):
        status, page, _ = self.call("POST", "/v2/entries:list", {
            "resourceNames": ["projects/kf-prod-4412"], "filter": 'timestamp>="2026-11-23T00:00:00Z"'})
        self.assertEqual((status, page), (200, {}))
        status, page, _ = self.call("POST", "/v2/entries:list", {"resourceNames": ["projects/other"]})
        self.assertEqual((status, page), (200, {}))

    def test_later_entries_join_from_their_request(self):
        late = {"insertId": "late-1", "timestamp": "2026-11-22T11:00:00Z", "logName":
                "projects/kf-prod-4412/logs/compute.googleapis.com%2Ffirewall", "jsonPayload": {"disposition": "DENIED"}}
        with open(os.path.join(self.root, "logging", "later-entries.json"), "w", encoding="utf-8") as f:
            json.dump([{"from_request": 3, "entries": [late]}], f)
        body = {"resourceNames": ["projects/kf-prod-4412"], "filter": 'timestamp>"2026-11-22T10:59:00Z"'}
        seen = [self.call("POST", "/v2/entries:list", body)[1].get("entries", []) for _ in range(4)]
        self.assertEqual(seen, [[], [], [late], [late]])

    def test_unknown_filter_terms_are_ignored_and_logged(self):
        status, page, _ = self.call("POST", "/v2/entries:list", {
            "resourceNames": ["projects/kf-prod-4412"], "pageSize": 1000,
            "filter": '(jsonPayload.disposition="DENIED" OR jsonPayload.disposition="ALLOWED")'})
        self.assertEqual(len(page["entries"]), 80)
        last = json.loads(open(self.log).read().splitlines()[-1])
        self.assertIn("filter_ignored", last)
        self.assertEqual(last["headers"]["authorization"], "REDACTED")

    def test_gke(self):
        status, page, _ = self.call("GET", "/v1/projects/kf-prod-4412/locations/-/clusters")
        self.assertEqual([c["name"] for c in page["clusters"]], ["kf-private"])
        status, c, _ = self.call("GET", "/v1/projects/kf-prod-4412/locations/us-central1/clusters/kf-private")
        self.assertEqual(c["privateClusterConfig"]["masterIpv4CidrBlock"], "172.16.0.0/28")
        status, pools, _ = self.call("GET", "/v1/projects/kf-prod-4412/locations/us-central1/clusters/kf-private/nodePools")
        self.assertEqual([p["name"] for p in pools["nodePools"]], ["default-pool", "gpu-pool"])
        status, err, _ = self.call("GET", "/v1/projects/kf-prod-4412/locations/us-east1/clusters/kf-private")
        self.assertEqual((status, err["error"]["status"]), (404, "NOT_FOUND"))
        status, ops, _ = self.call("GET", "/v1/projects/kf-prod-4412/locations/-/operations")
        self.assertEqual(len(ops["operations"]), 4)

    def test_compute_paging_and_aggregated(self):
        names, token = [], ""
        while True:
            status, page, _ = self.call("GET", "/compute/v1/projects/kf-prod-4412/global/firewalls?maxResults=4"
                                        + (f"&pageToken={token}" if token else ""))
            self.assertEqual(page["kind"], "compute#firewallList")
            names += [f["name"] for f in page["items"]]
            token = page.get("nextPageToken")
            if not token:
                break
        self.assertEqual(len(names), len(json.load(open(os.path.join(self.root, "compute", "firewalls.json")))))
        status, agg, _ = self.call("GET", "/compute/v1/projects/kf-prod-4412/aggregated/subnetworks"
                                          "?includeAllScopes=True&maxResults=500&returnPartialSuccess=True")
        self.assertEqual(agg["items"]["regions/us-central1"]["subnetworks"][0]["name"], "kubeflow-subnet")
        self.assertEqual(agg["items"]["regions/europe-west1"]["warning"]["code"], "NO_RESULTS_ON_PAGE")
        status, err, _ = self.call("GET", "/compute/v1/projects/kf-prod-4412/global/firewalls/nope")
        self.assertEqual((status, err["error"]["errors"][0]["reason"]), (404, "notFound"))

    def test_dns(self):
        status, zones, _ = self.call("GET", "/dns/v1/projects/kf-prod-4412/managedZones")
        self.assertEqual([z["name"] for z in zones["managedZones"]], ["googleapis"])
        status, rr, _ = self.call("GET", "/dns/v1/projects/kf-prod-4412/managedZones/googleapis/rrsets?type=A")
        self.assertEqual(rr["rrsets"][0]["rrdatas"][0], "199.36.153.4")

    def test_error_injection_in_order(self):
        shutil.copy(os.path.join(HERE, "errors.example.json"), os.path.join(self.root, "errors.json"))
        self.call("POST", "/_fake/reset")
        body = {"resourceNames": ["projects/kf-prod-4412"]}
        s1, e1, h1 = self.call("POST", "/v2/entries:list", body)
        s2, e2, h2 = self.call("POST", "/v2/entries:list", body)
        s3, _, _ = self.call("POST", "/v2/entries:list", body)
        self.assertEqual((s1, h1.get("Retry-After")), (429, "1"))
        self.assertEqual((s2, h2.get("Retry-After")), (503, "2"))
        self.assertEqual(s3, 200)
        s, e, _ = self.call("GET", "/v1/projects/kf-prod-4412/locations/-/clusters")
        self.assertEqual(s, 403)
        self.assertEqual(e["error"]["details"][0]["reason"], "SERVICE_DISABLED")
        s, _, _ = self.call("GET", "/v1/projects/kf-prod-4412/locations/-/clusters")
        self.assertEqual(s, 200)

    def test_issued_tokens_in_turn_and_used_up_tokens(self):
        with open(os.path.join(self.root, "auth.json"), "w") as f:
            json.dump({"access_tokens": ["secret-token", "t2"], "token_uses": {"secret-token": 2},
                       "issued_tokens": [{"access_token": "t1", "expires_in": 30}, {"access_token": "t2"}],
                       "authorized_user": {"client_id": "c", "client_secret": "s", "refresh_token": "r"}}, f)
        form = b"grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=r"
        issued = []
        for _ in range(3):
            req = urllib.request.Request(self.base + "/token", data=form, method="POST")
            with urllib.request.urlopen(req) as r:
                issued.append(json.loads(r.read()))
        self.assertEqual([(t["access_token"], t["expires_in"]) for t in issued], [("t1", 30), ("t2", 3599), ("t2", 3599)])
        statuses = [self.call("GET", "/v1/projects/kf-prod-4412/locations/-/clusters")[0] for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 401])
        records = [json.loads(line) for line in open(self.log).read().splitlines()]
        self.assertEqual([r.get("token_index") for r in records if r["path"].startswith("/v1/")], [0, 0, 0])
        self.assertNotIn("secret-token", open(self.log).read())

    def test_pass_lets_one_request_through(self):
        with open(os.path.join(self.root, "errors.json"), "w") as f:
            json.dump({"GET /compute/": [{"pass": True}, {"status": 503}]}, f)
        self.call("POST", "/_fake/reset")
        path = "/compute/v1/projects/kf-prod-4412/global/routes"
        self.assertEqual([self.call("GET", path)[0] for _ in range(3)], [200, 503, 200])

    def test_bigquery_dry_run_polls_pages_and_encoding(self):
        os.makedirs(os.path.join(self.root, "bigquery"))
        schema = {"fields": [{"name": "count", "type": "INT64"},
                             {"name": "srcs", "type": "STRING", "mode": "REPEATED"},
                             {"name": "rule", "type": "RECORD", "fields": [{"name": "ref", "type": "STRING"}]}]}
        with open(os.path.join(self.root, "bigquery", "query.json"), "w") as f:
            json.dump({"schema": schema, "page_size": 2, "running_polls": 2, "dry_run_bytes": 5000,
                       "location": "EU", "tables": ["p.d.compute_googleapis_com_firewall_20261122"],
                       "rows": [{"count": i, "srcs": ["10.0.0.%d" % i], "rule": {"ref": None}} for i in range(5)]}, f)
        path = "/bigquery/v2/projects/p/queries"
        query = "SELECT 1 FROM `p.d.compute_googleapis_com_firewall_*`"
        status, dry, _ = self.call("POST", path, {"query": query, "dryRun": True})
        self.assertEqual((status, dry["totalBytesProcessed"], dry["jobComplete"]), (200, "5000", True))
        status, err, _ = self.call("POST", path, {"query": query, "maximumBytesBilled": "4999"})
        self.assertEqual((status, err["error"]["errors"][0]["reason"]), (400, "bytesBilledLimitExceeded"))
        status, err, _ = self.call("POST", path, {"query": "SELECT 1 FROM `p.d.other`"})
        self.assertEqual((status, err["error"]["errors"][0]["reason"]), (404, "notFound"))
        status, err, _ = self.call("POST", path, {"query": query, "location": "US"})
        self.assertEqual(status, 404)
        status, first, _ = self.call("POST", path, {"query": query, "maxResults": 10})
        self.assertFalse(first["jobComplete"])
        job = first["jobReference"]["jobId"]
        self.assertEqual(self.call("GET", f"{path}/{job}")[0], 404, "the job's location is needed")
        status, poll, _ = self.call("GET", f"{path}/{job}?location=EU")
        self.assertFalse(poll["jobComplete"])
        rows, token = [], None
        while True:
            status, page, _ = self.call("GET", f"{path}/{job}?location=EU" + (f"&pageToken={token}" if token else ""))
            self.assertTrue(page["jobComplete"])
            self.assertEqual(page["totalRows"], "5")
            rows += page["rows"]
            token = page.get("pageToken")
            if not token:
                break
        self.assertEqual(len(rows), 5)
        self.assertEqual(rows[3], {"f": [{"v": "3"}, {"v": [{"v": "10.0.0.3"}]}, {"v": {"f": [{"v": None}]}}]})

    def test_bigquery_errors_in_bigquery_shape(self):
        os.makedirs(os.path.join(self.root, "bigquery"))
        with open(os.path.join(self.root, "bigquery", "query.json"), "w") as f:
            json.dump({"error": {"reason": "quotaExceeded", "message": "Quota exceeded", "times": 1}}, f)
        path = "/bigquery/v2/projects/p/queries"
        status, err, _ = self.call("POST", path, {"query": "SELECT 1"})
        self.assertEqual((status, err["error"]["errors"][0]["reason"], err["error"]["status"]),
                         (403, "quotaExceeded", "PERMISSION_DENIED"))
        self.assertEqual(self.call("POST", path, {"query": "SELECT 1"})[0], 200)


if __name__ == "__main__":
    unittest.main()
