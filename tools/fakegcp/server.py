#!/usr/bin/env python3
"""A small fake Google Cloud API for rendering real gcloud output and for --live tests.

Python 3 standard library only. Listens on 127.0.0.1 (any 127.0.0.0/8 address is accepted with
--host; nothing else is). Serves JSON fixtures from a directory tree:

  FIXTURE_DIR/
    logging/entries.json       JSON array of LogEntry objects
    logging/later-entries.json optional: [{"from_request": N, "entries": [...]}]: entries that
                               join entries.json from the Nth entries:list request on (counted
                               from 1 since start-up, over the requests answered normally: an
                               injected error does not count), as if they were logged meanwhile
    container/clusters.json    JSON array of GKE v1 Cluster resources
    container/operations.json  JSON array of GKE v1 Operation resources
    compute/firewalls.json     JSON array of Firewall resources        (also: routes, networks,
    compute/subnetworks.json   ... subnetworks, routers: arrays of the resources; regional ones
    compute/routers.json       ... carry their "region" URL, which is how they are grouped)
    compute/firewall-policies.json  optional: JSON array of EffectiveFirewallPolicy objects
                               (name, shortName, type, rules), each with "networks": [names]
                               it applies to (absent: every network)
    dns/managedZones.json      JSON array of ManagedZone resources
    dns/rrsets.json            JSON object: zone name -> array of ResourceRecordSet
    errors.json                optional, see "Error injection" below

Endpoints (everything answers `application/json; charset=UTF-8`):

  Logging   POST /v2/entries:list
            body {resourceNames, filter, orderBy, pageSize, pageToken}. Entries are kept only if
            their logName is under one of resourceNames (projects/P, folders/F, ...). Filter subset:
            terms joined by top-level AND (the word AND, or plain whitespace between terms),
            each `FIELD OP VALUE` with OP one of = != : >= <= > <, FIELD a dotted path into
            the entry (logName, resource.type, jsonPayload.disposition, timestamp, ...), VALUE
            quoted or bare. `:` is a substring test ("has"), comparisons of timestamps are done on
            parsed instants, of numbers numerically, else as strings. `NOT term` / `-term` negate
            one term. Anything else (OR, parentheses, functions) is not understood: that term is
            ignored (treated as true) and noted in the request log as "filter_ignored".
            orderBy "timestamp desc" (gcloud's default) or "timestamp asc"/absent.
            Paging: pageSize (default 50, as the API), pageToken = opaque offset string; the
            response carries nextPageToken while more remain.
  GKE       GET /v1/projects/P/locations/L/clusters            {"clusters": [...]}  (L "-" = all)
            GET /v1/projects/P/locations/L/clusters/C
            GET /v1/projects/P/locations/L/clusters/C/nodePools {"nodePools": [...]}
            GET /v1/projects/P/locations/L/clusters/C/nodePools/NP
            GET /v1/projects/P/locations/L/operations          {"operations": [...]}
            GET /v1/projects/P/locations/L/operations/OP
            (also the legacy /v1/projects/P/zones/Z/... spellings of the same)
  Compute   GET /compute/v1/projects/P/global/{firewalls,routes,networks}[/NAME]
            GET /compute/v1/projects/P/global/networks/N/getEffectiveFirewalls
                {"firewalls": the network's rules, "firewallPolicys": firewall-policies.json's}
            GET /compute/v1/projects/P/aggregated/{subnetworks,routers}
            GET /compute/v1/projects/P/regions/R/{subnetworks,routers}[/NAME]
            GET /compute/v1/projects/P/regions/R/routers/RT/getRouterStatus (one natStatus per NAT;
            fields from compute/routerStatus.json {"RT": {"NAT": {...}}} when present)
            Lists honour maxResults (default 500) and pageToken; `items`, `nextPageToken`,
            `kind`, `id`, `selfLink` as the real API. Aggregated lists group by `regions/R`
            and add NO_RESULTS_ON_PAGE warnings for a few other regions, as the real API does.
  DNS       GET /dns/v1/projects/P/managedZones[/Z]
            GET /dns/v1/projects/P/managedZones/Z/rrsets      (maxResults / pageToken)
  BigQuery  POST /bigquery/v2/projects/P/queries                 jobs.query (QueryRequest)
            GET  /bigquery/v2/projects/P/queries/JOB?location=&pageToken=&maxResults=
                                                                jobs.getQueryResults
            From bigquery/query.json (optional; absent: an empty result):
              {"schema": {"fields": [...]},   the result's TableSchema (RECORD, REPEATED allowed)
               "rows": [{"col": value}, ...], plain JSON rows, sent in the REST encoding
                                              ({"f": [{"v": ...}]}, every scalar a string)
               "page_size": N,                rows per page at most (maxResults caps it too)
               "running_polls": N,            the first N answers about a job (jobs.query's
                                              own included) say jobComplete: false
               "dry_run_bytes": N,            totalBytesProcessed of a dry run and of the job;
                                              a run whose maximumBytesBilled is lower fails with
                                              400 bytesBilledLimitExceeded, as BigQuery does
               "tables": ["p.d.t", ...],      the tables that exist: a backquoted name in the
                                              query that is not one (a trailing * matches a
                                              prefix) is 404 notFound
               "location": "EU",              the dataset's location: a request naming another
                                              is 404 notFound; getQueryResults must name the job's
               "error": {"reason": R, "message": M, "times": N}}
                                              the first N calls (default: all) fail with reason R
                                              (accessDenied, quotaExceeded, rateLimitExceeded: 403;
                                              notFound: 404; invalidQuery: 400; backendError: 503)
                                              in BigQuery's error shape (error.errors[].reason)
  Metadata  anything under /computeMetadata/ answers 404 (gcloud should not ask; it is logged).

Error injection: FIXTURE_DIR/errors.json maps a path prefix to a list of responses
{"status": 429, "body": {...} or "text", "headers": {"Retry-After": "1"}, "method": "GET"}
(method optional). For each request the longest matching prefix is used and its first response
not yet used is returned instead of the normal answer; when the list is used up the normal answer
comes back. The file is read once at start-up (restart the server, or POST /_fake/reset, to
re-arm it). A prefix may start with "METHOD " (e.g. "POST /v2/entries:list").

{"pass": true} lets one request through with its normal answer (to reach the second page, say).

{"status": 403, "echo": "headers"|"token"|"body"|"all", "shape": "google"|"oauth"|"text"} answers with
an error that repeats the request's headers (Authorization included), its bearer token alone, and/or
its body (raw, and a
posted form decoded as JSON), as Google's error JSON, an OAuth error or plain text: a server or
proxy that echoes credentials. It applies to POST /token too.

An injected response may instead shape the transport, for the --live tests:
  {"stall": SECONDS, "after_bytes": N}   send the head and the first N bytes of the normal
                                         answer, then nothing for SECONDS, then close;
  {"truncate": N}                        announce the normal answer's full Content-Length, send
                                         only its first N bytes, and close the connection;
  {"generate_entries": {"count": N, "template": LOGENTRY}}
                                         (entries:list) stream a page of N entries made from the
                                         template (insertId and timestamp varied), chunked, built
                                         as it is sent, so a 50 MB page costs the server no memory.

Authentication (optional): FIXTURE_DIR/auth.json
  {"access_tokens": ["t1", ...],          API requests must carry "authorization: Bearer t" with
                                          one of them, else 401 (as Google answers);
   "authorized_user": {"client_id", "client_secret", "refresh_token"},
   "service_account": {"client_email", "n", "e"},   public key, hex; the JWT's RS256 signature
                                          is checked with pow(sig, e, n) and PKCS#1 v1.5 padding;
   "issued_token": "t1",                  what POST /token answers with on a valid grant;
   "metadata_token": "t2",                what the metadata server path answers with (needs
                                          "Metadata-Flavor: Google"); without it, 404;
   "issued_tokens": [{"access_token": "t1", "expires_in": 30}, ...],
                                          instead of issued_token: each valid grant (and each
                                          metadata token request) gets the next of these, the
                                          last one repeating (expires_in defaults to 3599);
   "token_uses": {"t1": 5}}               t1 is accepted for 5 API requests, then answered 401
                                          (a token revoked or expired mid-run).
  The request log names the token an API request carried by its place in access_tokens
  ("token_index"), never by its text.
  POST /token takes grant_type=refresh_token (authorized_user) and
  grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (service_account), form-encoded.

Missing fixture or unknown path: 404 in Google's error JSON shape (Compute adds errors[]).

Every request is appended as one JSON line to --request-log: time, method, path, query (dict of
lists), headers (authorization redacted), body (parsed JSON when it is JSON, else text), and the
status sent.
"""

import argparse
import base64
import copy
import datetime as dt
import gzip
import hashlib
import time
import ipaddress
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

COMPUTE_BASE = "https://www.googleapis.com/compute/v1/"
OTHER_REGIONS = ["africa-south1", "asia-east1", "europe-west1", "us-east1", "us-west1"]


# ---------------------------------------------------------------------------------------------
# helpers


class HTTPError(Exception):
    def __init__(self, status, message, api="google", reason=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.api = api
        self.reason = reason
        self.headers = headers or {}


STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}
COMPUTE_REASONS = {400: "invalid", 401: "required", 403: "forbidden", 404: "notFound",
                   429: "rateLimitExceeded", 500: "backendError", 503: "backendError"}


def error_body(status, message, api="google", reason=None):
    err = {"code": status, "message": message}
    if api in ("compute", "bigquery"):
        err["errors"] = [{"message": message, "domain": "global",
                          "reason": reason or COMPUTE_REASONS.get(status, "error")}]
    if api != "compute":
        err["status"] = STATUS_NAMES.get(status, "UNKNOWN")
    return {"error": err}


BIGQUERY_STATUSES = {"accessDenied": 403, "quotaExceeded": 403, "rateLimitExceeded": 403,
                     "notFound": 404, "invalidQuery": 400, "bytesBilledLimitExceeded": 400,
                     "backendError": 503}


def bq_cell(value, field):
    """One value in BigQuery's REST row encoding, by its schema field."""
    if value is None:
        return {"v": None}
    if (field.get("mode") or "").upper() == "REPEATED":
        single = dict(field, mode="NULLABLE")
        return {"v": [bq_cell(item, single) for item in value]}
    if (field.get("type") or "").upper() in ("RECORD", "STRUCT"):
        return {"v": {"f": [bq_cell(value.get(sub["name"]), sub) for sub in field.get("fields", [])]}}
    if isinstance(value, bool):
        return {"v": "true" if value else "false"}
    return {"v": str(value)}


def parse_time(value):
    """RFC 3339 (any fraction length, Z or offset) -> aware datetime, or None."""
    if not isinstance(value, str):
        return None
    m = re.fullmatch(
        r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?",
        value.strip())
    if not m:
        return None
    date, clock, frac, zone = m.groups()
    clock = clock or "00:00:00"
    if len(clock) == 5:
        clock += ":00"
    micro = int(((frac or "") + "000000")[:6])
    zone = zone or "Z"
    if zone == "Z":
        tz = dt.timezone.utc
    else:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        base = dt.datetime.fromisoformat(f"{date}T{clock}").replace(tzinfo=tz, microsecond=micro)
    except ValueError:
        return None
    # keep the nanoseconds for ordering
    nanos = int(((frac or "") + "000000000")[:9])
    return (base.astimezone(dt.timezone.utc).replace(microsecond=0), nanos)


def time_key(entry):
    t = parse_time(entry.get("timestamp", ""))
    return t if t else (dt.datetime.min.replace(tzinfo=dt.timezone.utc), 0)


def dig(obj, path):
    cur = obj
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return None
    return cur


# ---------------------------------------------------------------------------------------------
# the tiny Logging filter subset

TERM_RE = re.compile(
    r'\s*(?P<neg>NOT\s+|-)?(?P<field>[A-Za-z_][A-Za-z0-9_.]*)\s*(?P<op>>=|<=|!=|=|:|>|<)\s*'
    r'(?P<value>"(?:[^"\\]|\\.)*"|[^\s()"]+)\s*')


def split_filter(text):
    """Split on top-level AND (explicit or implicit). Returns (terms, ignored_text)."""
    terms, ignored = [], []
    pos, n = 0, len(text)
    while pos < n:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        if text.startswith("AND", pos) and (pos + 3 == n or text[pos + 3].isspace()):
            pos += 3
            continue
        m = TERM_RE.match(text, pos)
        if m and not text.startswith("OR", m.end()):
            terms.append(m)
            pos = m.end()
            continue
        # Not understood: skip to the next top-level AND (respecting quotes and parentheses).
        depth, quoted, start = 0, False, pos
        while pos < n:
            c = text[pos]
            if quoted:
                if c == "\\":
                    pos += 1
                elif c == '"':
                    quoted = False
            elif c == '"':
                quoted = True
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif depth == 0 and text.startswith(" AND ", pos):
                break
            pos += 1
        ignored.append(text[start:pos].strip())
    return terms, ignored


def term_matches(entry, m):
    field, op, raw = m.group("field"), m.group("op"), m.group("value")
    if raw.startswith('"'):
        value = json.loads(raw)
    else:
        value = raw
    actual = dig(entry, field)
    result = compare(actual, op, value)
    return (not result) if m.group("neg") else result


def compare(actual, op, value):
    if isinstance(actual, list):
        return any(compare(a, op, value) for a in actual) if op != "!=" else \
            all(compare(a, op, value) for a in actual)
    if actual is None:
        return op == "!="
    if isinstance(actual, (dict,)):
        return op == ":" and value == "*"
    if op == ":":
        if value == "*":
            return True
        return str(value).lower() in str(actual).lower()
    ta, tv = parse_time(actual) if isinstance(actual, str) else None, parse_time(value)
    if ta and tv:
        a, v = ta, tv
    else:
        try:
            a, v = float(actual), float(value)
            if isinstance(actual, bool):
                raise ValueError
        except (TypeError, ValueError):
            a, v = str(actual), str(value)
            if isinstance(actual, bool):
                a = "true" if actual else "false"
    return {"=": a == v, "!=": a != v, ">=": a >= v, "<=": a <= v, ">": a > v, "<": a < v}[op]


# ---------------------------------------------------------------------------------------------
# the server


class Fake:
    def __init__(self, root, request_log):
        self.root = os.path.abspath(root)
        self.lock = threading.Lock()
        self.request_log = request_log
        self.errors = {}
        self.issued = 0
        self.uses = {}
        self.entries_requests = 0
        self.jobs = {}
        self.bq_calls = 0
        self.reset()

    def reset(self):
        with self.lock:
            path = os.path.join(self.root, "errors.json")
            self.errors = {}
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    for prefix, responses in json.load(f).items():
                        self.errors[prefix] = list(responses)

    def next_token(self, auth, default):
        """The token a grant or the metadata server hands out now."""
        tokens = auth.get("issued_tokens")
        if not tokens:
            return {"access_token": default, "expires_in": 3599, "token_type": "Bearer"}
        with self.lock:
            chosen = tokens[min(self.issued, len(tokens) - 1)]
            self.issued += 1
        return {"access_token": chosen["access_token"], "expires_in": chosen.get("expires_in", 3599),
                "token_type": "Bearer"}

    def use_token(self, auth, token):
        """False once a token has been used up (token_uses)."""
        limit = (auth.get("token_uses") or {}).get(token)
        with self.lock:
            self.uses[token] = self.uses.get(token, 0) + 1
            return limit is None or self.uses[token] <= limit

    def auth(self):
        path = os.path.join(self.root, "auth.json")
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def fixture(self, *parts, api="google", default=None):
        path = os.path.join(self.root, *parts)
        if not os.path.exists(path) and default is not None:
            return default
        if not os.path.exists(path):
            raise HTTPError(404, f"fake: no fixture {os.path.join(*parts)}", api=api)
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def optional_fixture(self, *parts):
        """A fixture that may be absent (None then)."""
        path = os.path.join(self.root, *parts)
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def take_error(self, method, path):
        with self.lock:
            best, best_len = None, -1
            for prefix, responses in self.errors.items():
                pmethod, ppath = None, prefix
                if " " in prefix:
                    pmethod, ppath = prefix.split(" ", 1)
                if pmethod and pmethod.upper() != method:
                    continue
                if not path.startswith(ppath) or not responses:
                    continue
                usable = [r for r in responses if r.get("method", method).upper() == method]
                if usable and len(ppath) > best_len:
                    best, best_len = (prefix, usable[0]), len(ppath)
            if best is None:
                return None
            self.errors[best[0]].remove(best[1])
            return best[1]

    def log(self, record):
        if not self.request_log:
            return
        line = json.dumps(record, sort_keys=True)
        with self.lock:
            with open(self.request_log, "a", encoding="utf-8") as f:
                f.write(line + "\n")


def paginate(items, size, token, default_size):
    try:
        start = int(token) if token else 0
    except ValueError:
        raise HTTPError(400, f"Invalid page token: {token}")
    try:
        size = int(size) if size not in (None, "") else default_size
    except ValueError:
        raise HTTPError(400, f"Invalid page size: {size}")
    if size <= 0:
        size = default_size
    page = items[start:start + size]
    nxt = str(start + size) if start + size < len(items) else None
    return page, nxt


class Handler(BaseHTTPRequestHandler):
    server_version = "ESF"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    fake: Fake = None  # set in main

    def log_message(self, fmt, *args):  # quiet stderr; the request log has it all
        pass

    # -- plumbing ------------------------------------------------------------------------------

    def read_body(self):
        length = int(self.headers.get("content-length") or 0)
        data = self.rfile.read(length) if length else b""
        if data and (self.headers.get("content-encoding") or "").lower() == "gzip":
            data = gzip.decompress(data)
        return data

    def handle_any(self, method):
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        raw = self.read_body()
        body_for_log = None
        body = None
        if raw:
            try:
                body = json.loads(raw)
                body_for_log = body
            except ValueError:
                body_for_log = raw.decode("utf-8", "replace")
        headers = {}
        for k, v in self.headers.items():
            headers[k.lower()] = "REDACTED" if k.lower() in ("authorization", "proxy-authorization") else v
        record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(), "method": method,
                  "path": path, "raw_path": split.path, "query": query, "headers": headers,
                  "body": body_for_log}
        api = "compute" if path.startswith("/compute/") else "bigquery" if path.startswith("/bigquery/") else "google"
        status, payload, extra = 500, None, {}
        try:
            if path == "/_fake/reset" and method == "POST":
                self.fake.reset()
                status, payload = 200, {}
            else:
                injected = self.fake.take_error(method, path)
                if injected is not None and injected.get("pass"):
                    injected = None  # {"pass": true}: this request gets the normal answer
                shaping = injected if injected is not None and any(
                    k in injected for k in ("stall", "truncate", "generate_entries")) else None
                if shaping is not None:
                    record["injected"] = True
                    record["status"] = 200
                    self.fake.log(record)
                    self.shaped(shaping, method, path, query, body, record)
                    return
                if injected is not None and "echo" in injected:
                    record["injected"] = True
                    status, payload = self.echo(injected, raw, api)
                elif path == "/token" and method == "POST":
                    status, payload = self.token(raw, record)
                elif path.startswith("/computeMetadata/"):
                    status, payload = self.metadata(path)
                elif injected is None and not self.authorized(record):
                    status, payload = 401, error_body(
                        401, "Request had invalid authentication credentials. Expected OAuth 2 access "
                             "token, login cookie or other valid authentication credential.", api)
                    extra = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
                elif injected is not None:
                    status = int(injected.get("status", 500))
                    payload = injected.get("body", error_body(status, "injected error", api))
                    extra = dict(injected.get("headers") or {})
                    record["injected"] = True
                else:
                    status, payload = 200, self.route(method, path, query, body, record)
        except HTTPError as e:
            status, payload, extra = e.status, error_body(e.status, e.message, e.api, e.reason), e.headers
        except Exception as e:  # a bug here must not hang gcloud
            status, payload = 500, error_body(500, f"fake server error: {e!r}", api)
        record["status"] = status
        self.fake.log(record)
        self.send(status, payload, extra)

    def echo(self, injected, raw, api):
        """A server (or proxy) that repeats what it was sent, credentials included, in its error."""
        status = int(injected.get("status", 400))
        what = injected["echo"]
        parts = []
        if what in ("headers", "all"):
            parts.append("; ".join(f"{k}: {v}" for k, v in self.headers.items()))
        if what == "token":  # the bearer token alone, as a proxy's "invalid credential X" says it
            parts.append("invalid credential " + (self.headers.get("authorization") or "")[7:])
        if what in ("body", "all"):
            text = raw.decode("utf-8", "replace")
            parts.append("body: " + text)
            form = dict(parse_qsl(text))
            if form:
                parts.append("form: " + json.dumps(form))
        text = " | ".join(parts)
        shape = injected.get("shape", "google")
        if shape == "oauth":
            return status, {"error": "invalid_grant", "error_description": text}
        if shape == "text":
            return status, text
        return status, error_body(status, text, api)

    # -- authentication (auth.json) -------------------------------------------------------------

    def authorized(self, record):
        auth = self.fake.auth()
        if not auth or not auth.get("access_tokens"):
            return True
        header = self.headers.get("authorization") or ""
        token = header[7:] if header.startswith("Bearer ") else None
        ok = token in auth["access_tokens"]
        if ok:
            record["token_index"] = auth["access_tokens"].index(token)
            ok = self.fake.use_token(auth, token)
        record["authorized"] = ok
        return ok

    def token(self, raw, record):
        auth = self.fake.auth() or {}
        form = dict(parse_qsl(raw.decode("utf-8", "replace")))
        record["body"] = {k: ("REDACTED" if k in ("client_secret", "refresh_token", "assertion") else v)
                          for k, v in form.items()}
        grant = form.get("grant_type")
        issued_token = auth.get("issued_token", "fake-token")
        if grant == "refresh_token":
            user = auth.get("authorized_user") or {}
            if user and all(form.get(k) == user.get(k) for k in ("client_id", "client_secret", "refresh_token")):
                return 200, self.fake.next_token(auth, issued_token)
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            reason = self.check_jwt(form.get("assertion", ""), auth.get("service_account") or {})
            record["jwt"] = reason or "valid"
            if reason is None:
                return 200, self.fake.next_token(auth, issued_token)
            return 400, {"error": "invalid_grant", "error_description": reason}
        return 400, {"error": "unsupported_grant_type", "error_description": f"grant_type {grant!r}"}

    @staticmethod
    def check_jwt(assertion, account):
        """None when the RS256 signature and the claims hold, else why not."""
        def b64(text):
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        try:
            head, claims, signature = assertion.split(".")
            header, body = json.loads(b64(head)), json.loads(b64(claims))
            n, e = int(account["n"], 16), int(account["e"], 16)
        except (ValueError, KeyError) as err:
            return f"malformed assertion: {err}"
        if header.get("alg") != "RS256":
            return "alg is not RS256"
        k = (n.bit_length() + 7) // 8
        decrypted = pow(int.from_bytes(b64(signature), "big"), e, n).to_bytes(k, "big")
        digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + \
            hashlib.sha256(f"{head}.{claims}".encode()).digest()
        expected = b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info
        if decrypted != expected:
            return "Invalid JWT Signature."
        now = time.time()
        if body.get("iss") != account.get("client_email"):
            return "iss is not the service account"
        if not str(body.get("aud", "")).endswith("/token"):
            return "aud is not the token endpoint"
        if "cloud-platform" not in str(body.get("scope", "")):
            return "no cloud-platform scope"
        if not (body.get("iat", 0) - 300 <= now <= body.get("exp", 0)):
            return "the assertion is not valid now"
        return None

    def metadata(self, path):
        auth = self.fake.auth() or {}
        if path == "/computeMetadata/v1/instance/service-accounts/default/token" and (
                auth.get("metadata_token") or auth.get("issued_tokens")):
            if self.headers.get("metadata-flavor") != "Google":
                return 403, "Missing Metadata-Flavor:Google header."
            return 200, self.fake.next_token(auth, auth.get("metadata_token"))
        return 404, error_body(404, "fake: no metadata server here")

    # -- transport shaping (stall, truncate, generated pages) ------------------------------------

    def shaped(self, shaping, method, path, query, body, record):
        if "generate_entries" in shaping:
            return self.generated_page(shaping["generate_entries"])
        try:
            payload = self.route(method, path, query, body, record)
        except HTTPError as e:
            payload = error_body(e.status, e.message, e.api, e.reason)
        data = (json.dumps(payload, indent=2) + "\n").encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            if "truncate" in shaping:
                self.wfile.write(data[:int(shaping["truncate"])])
            else:
                self.wfile.write(data[:int(shaping.get("after_bytes", 0))])
                self.wfile.flush()
                time.sleep(float(shaping["stall"]))
        except OSError:
            pass
        self.close_connection = True

    def generated_page(self, spec):
        count, template = int(spec["count"]), spec["template"]
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

        try:
            chunk(b'{\n  "entries": [\n')
            batch = []
            for i in range(count):
                entry = dict(template)
                entry["insertId"] = f"gen{i:09d}"
                text = json.dumps(entry, indent=2).replace("\n", "\n    ")
                batch.append(("    " if i == 0 else ",\n    ") + text)
                if len(batch) == 200:
                    chunk("".join(batch).encode("utf-8"))
                    batch = []
            if batch:
                chunk("".join(batch).encode("utf-8"))
            chunk(b'\n  ]\n}\n')
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    def send(self, status, payload, extra):
        if isinstance(payload, (dict, list)):
            data = (json.dumps(payload, indent=2) + "\n").encode("utf-8")
            ctype = "application/json; charset=UTF-8"
        else:
            data = ("" if payload is None else str(payload)).encode("utf-8")
            ctype = "text/plain; charset=UTF-8"
        self.send_response(status)
        headers = {"Content-Type": ctype, "Vary": "Origin, X-Origin, Referer",
                   "Cache-Control": "private"}
        headers.update(extra)
        for k, v in headers.items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_PUT(self):
        self.handle_any("PUT")

    # -- routing -------------------------------------------------------------------------------

    def route(self, method, path, query, body, record):
        q = {k: v[-1] for k, v in query.items()}
        if path.startswith("/computeMetadata/"):
            raise HTTPError(404, "fake: no metadata server here")
        if path == "/v2/entries:list" and method == "POST":
            return self.entries_list(body or {}, record)
        m = re.fullmatch(r"/v1(?:beta1)?/projects/([^/]+)/(?:locations|zones)/([^/]+)/(.*)", path)
        if m and method == "GET":
            return self.gke(m.group(1), m.group(2), m.group(3))
        m = re.fullmatch(r"/compute/v1/projects/([^/]+)/(.*)", path)
        if m and method == "GET":
            return self.compute(m.group(1), m.group(2), q)
        m = re.fullmatch(r"/dns/v1(?:beta2)?/projects/([^/]+)/(.*)", path)
        if m and method == "GET":
            return self.dns(m.group(1), m.group(2), q)
        m = re.fullmatch(r"/bigquery/v2/projects/([^/]+)/queries(?:/([^/]+))?", path)
        if m and (method, m.group(2) is None) in (("POST", True), ("GET", False)):
            return self.bigquery(m.group(1), m.group(2), body or {}, q)
        raise HTTPError(404, f"The requested URL {path} was not found on this server.",
                        api="compute" if path.startswith("/compute/") else "google")

    # BigQuery

    def bigquery(self, project, job_id, body, q):
        cfg = self.fake.optional_fixture("bigquery", "query.json") or {}
        fail = cfg.get("error")
        if fail:
            with self.fake.lock:
                self.fake.bq_calls += 1
                failing = self.fake.bq_calls <= int(fail.get("times", 1 << 30))
            if failing:
                reason = fail.get("reason", "backendError")
                raise HTTPError(BIGQUERY_STATUSES.get(reason, 400), fail.get("message", f"fake: {reason}"),
                                api="bigquery", reason=reason)
        where = cfg.get("location")
        if job_id is None:
            return self.bq_query(project, cfg, body, where)
        with self.fake.lock:
            job = self.fake.jobs.get(job_id)
        asked = q.get("location")
        if job is None or job["project"] != project or (job["location"] and (asked or "").lower() != job["location"].lower()):
            raise HTTPError(404, f"Not found: Job {project}:{asked or 'US'}.{job_id}", api="bigquery",
                            reason="notFound")
        return self.bq_answer(cfg, job, q.get("maxResults"), q.get("pageToken"), "bigquery#getQueryResultsResponse")

    def bq_query(self, project, cfg, body, where):
        asked = body.get("location")
        if where and asked and asked.lower() != where.lower():
            raise HTTPError(404, f"Not found: Dataset was not found in location {asked}", api="bigquery",
                            reason="notFound")
        tables = cfg.get("tables")
        for name in re.findall(r"`([^`]+)`", body.get("query") or ""):
            if tables is not None and not any(
                    name == t or (name.endswith("*") and t.startswith(name[:-1])) for t in tables):
                table = name.replace(".", ":", 1)
                raise HTTPError(404, f"Not found: Table {table} was not found in location {where or 'US'}",
                                api="bigquery", reason="notFound")
        scanned = int(cfg.get("dry_run_bytes", 0))
        reference = {"projectId": project, "location": where or asked or "US"}
        if body.get("dryRun"):
            return {"kind": "bigquery#queryResponse", "jobReference": reference, "jobComplete": True,
                    "totalBytesProcessed": str(scanned), "schema": cfg.get("schema", {"fields": []}),
                    "cacheHit": False}
        limit = body.get("maximumBytesBilled")
        if limit not in (None, "") and int(limit) < scanned:
            raise HTTPError(400, f"Query exceeded limit for bytes billed: {int(limit)}. {scanned} or higher required.",
                            api="bigquery", reason="bytesBilledLimitExceeded")
        with self.fake.lock:
            job_id = f"job_fake{len(self.fake.jobs) + 1}"
            job = {"id": job_id, "project": project, "location": where or asked,
                   "polls": int(cfg.get("running_polls", 0))}
            self.fake.jobs[job_id] = job
        return self.bq_answer(cfg, job, body.get("maxResults"), None, "bigquery#queryResponse")

    def bq_answer(self, cfg, job, max_results, token, kind):
        reference = {"projectId": job["project"], "jobId": job["id"], "location": job["location"] or "US"}
        with self.fake.lock:
            running = job["polls"] > 0
            if running:
                job["polls"] -= 1
        if running:
            return {"kind": kind, "jobReference": reference, "jobComplete": False}
        schema = cfg.get("schema", {"fields": []})
        rows = [{"f": [bq_cell(row.get(f["name"]), f) for f in schema["fields"]]} for row in cfg.get("rows", [])]
        sizes = [int(v) for v in (cfg.get("page_size"), max_results) if v not in (None, "")]
        page, nxt = paginate(rows, min(sizes) if sizes else len(rows) or 1, token, len(rows) or 1)
        out = {"kind": kind, "jobReference": reference, "jobComplete": True, "schema": schema,
               "totalRows": str(len(rows)), "totalBytesProcessed": str(int(cfg.get("dry_run_bytes", 0))),
               "cacheHit": False}
        if page:
            out["rows"] = page
        if nxt:
            out["pageToken"] = nxt
        return out

    # Logging

    def entries_list(self, body, record):
        entries = self.fake.fixture("logging", "entries.json")
        with self.fake.lock:
            self.fake.entries_requests += 1
            number = self.fake.entries_requests
        for batch in self.fake.optional_fixture("logging", "later-entries.json") or []:
            if number >= batch.get("from_request", 1):
                entries = entries + batch.get("entries", [])
        names = body.get("resourceNames") or []
        if body.get("projectIds"):
            names = names + [f"projects/{p}" for p in body["projectIds"]]
        if names:
            entries = [e for e in entries
                       if any(e.get("logName", "").startswith(n.rstrip("/") + "/") for n in names)]
        text = body.get("filter") or ""
        if text:
            terms, ignored = split_filter(text)
            if ignored:
                record["filter_ignored"] = ignored
            entries = [e for e in entries if all(term_matches(e, t) for t in terms)]
        order = (body.get("orderBy") or "timestamp asc").strip().lower()
        entries = sorted(entries, key=time_key, reverse=order.endswith("desc"))
        page, nxt = paginate(entries, body.get("pageSize"), body.get("pageToken"), 50)
        out = {"entries": page} if page else {}
        if nxt:
            out["nextPageToken"] = nxt
        return out

    # GKE

    def gke(self, project, location, rest):
        parts = rest.split("/")
        if parts[0] == "clusters":
            clusters = self.fake.fixture("container", "clusters.json")
            clusters = [c for c in clusters if location == "-" or c.get("location") == location
                        or c.get("zone") == location]
            if len(parts) == 1:
                return {"clusters": clusters}
            name = parts[1]
            found = [c for c in clusters if c.get("name") == name]
            if not found:
                raise HTTPError(404, f"Not found: projects/{project}/locations/{location}/clusters/{name}.")
            cluster = found[0]
            if len(parts) == 2:
                return cluster
            if parts[2] == "nodePools":
                pools = cluster.get("nodePools", [])
                if len(parts) == 3:
                    return {"nodePools": pools}
                np = [p for p in pools if p.get("name") == parts[3]]
                if np and len(parts) == 4:
                    return np[0]
                raise HTTPError(404, f"Not found: projects/{project}/locations/{location}/clusters/"
                                     f"{name}/nodePools/{parts[3]}.")
        if parts[0] == "operations":
            ops = self.fake.fixture("container", "operations.json")
            ops = [o for o in ops if location == "-" or o.get("zone") == location
                   or o.get("location") == location
                   or (o.get("selfLink") or "").find(f"/{location}/") >= 0]
            if len(parts) == 1:
                return {"operations": ops}
            found = [o for o in ops if o.get("name") == parts[1]]
            if found and len(parts) == 2:
                return found[0]
            raise HTTPError(404, f"Not found: projects/{project}/locations/{location}/operations/{parts[1]}.")
        raise HTTPError(404, f"Not found: {rest}")

    # Compute

    def compute(self, project, rest, q):
        parts = rest.split("/")
        base = f"{COMPUTE_BASE}projects/{project}/"
        kinds = {"firewalls": "firewall", "routes": "route", "networks": "network",
                 "subnetworks": "subnetwork", "routers": "router"}

        def load(collection):
            return self.fake.fixture("compute", f"{collection}.json", api="compute")

        def not_found(what):
            raise HTTPError(404, f"The resource 'projects/{project}/{what}' was not found",
                            api="compute", reason="notFound")

        if parts[:2] == ["global", "networks"] and len(parts) == 4 and parts[3] == "getEffectiveFirewalls":
            # networks.getEffectiveFirewalls: the network's VPC rules and the firewall policies
            # applied to it (compute/firewall-policies.json: [{..., "networks": [names]}]).
            if not [n for n in load("networks") if n.get("name") == parts[2]]:
                not_found(rest)
            rules = [r for r in load("firewalls") if (r.get("network") or "").rsplit("/", 1)[-1] == parts[2]]
            policies = [{k: v for k, v in p.items() if k != "networks"}
                        for p in self.fake.fixture("compute", "firewall-policies.json", api="compute", default=[])
                        if parts[2] in p.get("networks", [parts[2]])]
            return {"firewalls": rules, "firewallPolicys": policies}
        if parts[0] == "global" and len(parts) >= 2 and parts[1] in ("firewalls", "routes", "networks"):
            coll = parts[1]
            items = load(coll)
            if len(parts) == 2:
                return self.compute_list(items, q, f"compute#{kinds[coll]}List",
                                         f"projects/{project}/global/{coll}", base + f"global/{coll}")
            found = [i for i in items if i.get("name") == parts[2]]
            if found and len(parts) == 3:
                return found[0]
            not_found(rest)
        if parts[0] == "aggregated" and len(parts) == 2 and parts[1] in ("subnetworks", "routers"):
            coll = parts[1]
            return self.compute_aggregated(load(coll), q, coll, kinds[coll], project, base)
        if parts[0] == "regions" and len(parts) >= 3 and parts[2] in ("subnetworks", "routers"):
            region, coll = parts[1], parts[2]
            items = [i for i in load(coll) if self.region_of(i) == region]
            if len(parts) == 3:
                return self.compute_list(items, q, f"compute#{kinds[coll]}List",
                                         f"projects/{project}/regions/{region}/{coll}",
                                         base + f"regions/{region}/{coll}")
            found = [i for i in items if i.get("name") == parts[3]]
            if not found:
                not_found(rest)
            if len(parts) == 4:
                return found[0]
            if len(parts) == 5 and coll == "routers" and parts[4] == "getRouterStatus":
                # compute/routerStatus.json (optional): {"ROUTER": {"NAT": {fields}}} overrides
                # the NAT statuses' fields (minExtraNatIpsNeeded, userAllocatedNatIps, ...).
                overrides = self.fake.optional_fixture("compute", "routerStatus.json") or {}
                router_overrides = overrides.get(parts[3], {}) if isinstance(overrides, dict) else {}
                statuses = []
                for n in found[0].get("nats", []):
                    status = {"name": n.get("name"), "autoAllocatedNatIps": [],
                              "minExtraNatIpsNeeded": 0, "numVmEndpointsWithNatMappings": 8}
                    status.update(router_overrides.get(n.get("name"), {}))
                    statuses.append(status)
                return {"kind": "compute#routerStatusResponse",
                        "result": {"network": found[0].get("network"), "bestRoutes": [],
                                   "bestRoutesForRouter": [], "bgpPeerStatus": [],
                                   "natStatus": statuses}}
        not_found(rest)

    @staticmethod
    def region_of(item):
        r = item.get("region") or ""
        return r.rstrip("/").split("/")[-1]

    @staticmethod
    def compute_list(items, q, kind, ident, self_link):
        page, nxt = paginate(items, q.get("maxResults"), q.get("pageToken"), 500)
        out = {"kind": kind, "id": ident, "items": page, "selfLink": self_link}
        if not page:
            del out["items"]
        if nxt:
            out["nextPageToken"] = nxt
        return out

    def compute_aggregated(self, items, q, coll, kind, project, base):
        regions = sorted({self.region_of(i) for i in items})
        flat = [i for r in regions for i in items if self.region_of(i) == r]
        page, nxt = paginate(flat, q.get("maxResults"), q.get("pageToken"), 500)
        scopes = {}
        for r in sorted(set(regions) | set(OTHER_REGIONS)):
            mine = [i for i in page if self.region_of(i) == r]
            if mine:
                scopes[f"regions/{r}"] = {coll: mine}
            else:
                scopes[f"regions/{r}"] = {"warning": {
                    "code": "NO_RESULTS_ON_PAGE",
                    "message": f"There are no results for scope 'regions/{r}' on this page.",
                    "data": [{"key": "scope", "value": f"regions/{r}"}]}}
        out = {"kind": f"compute#{kind}AggregatedList",
               "id": f"projects/{project}/aggregated/{coll}",
               "items": scopes, "selfLink": base + f"aggregated/{coll}"}
        if nxt:
            out["nextPageToken"] = nxt
        return out

    # DNS

    def dns(self, project, rest, q):
        parts = rest.split("/")
        if parts[0] != "managedZones":
            raise HTTPError(404, f"Not found: {rest}")
        zones = self.fake.fixture("dns", "managedZones.json")
        if len(parts) == 1:
            page, nxt = paginate(zones, q.get("maxResults"), q.get("pageToken"), 1000)
            out = {"managedZones": page, "header": {"operationId": "fake-op"},
                   "kind": "dns#managedZonesListResponse"}
            if nxt:
                out["nextPageToken"] = nxt
            return out
        found = [z for z in zones if z.get("name") == parts[1] or z.get("id") == parts[1]]
        if not found:
            raise HTTPError(404, f"The 'parameters.managedZone' resource named '{parts[1]}' does not exist.")
        if len(parts) == 2:
            return found[0]
        if len(parts) == 3 and parts[2] == "rrsets":
            rrsets = self.fake.fixture("dns", "rrsets.json").get(found[0]["name"], [])
            if q.get("name"):
                rrsets = [r for r in rrsets if r.get("name") == q["name"]]
            if q.get("type"):
                rrsets = [r for r in rrsets if r.get("type") == q["type"]]
            page, nxt = paginate(rrsets, q.get("maxResults"), q.get("pageToken"), 1000)
            out = {"rrsets": page, "kind": "dns#resourceRecordSetsListResponse"}
            if nxt:
                out["nextPageToken"] = nxt
            return out
        raise HTTPError(404, f"Not found: {rest}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True, help="fixture directory")
    ap.add_argument("--host", default="127.0.0.1", help="a 127.0.0.0/8 address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--port-file", help="write the port number here once listening")
    ap.add_argument("--request-log", help="append one JSON line per request here")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM; with --tls-key)")
    ap.add_argument("--tls-key", help="the certificate's private key (PEM)")
    args = ap.parse_args(argv)
    if not ipaddress.ip_address(args.host) in ipaddress.ip_network("127.0.0.0/8"):
        ap.error("--host must be in 127.0.0.0/8")
    if not os.path.isdir(args.root):
        ap.error(f"--root {args.root}: not a directory")
    Handler.fake = Fake(args.root, args.request_log)
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    httpd.daemon_threads = True
    if args.tls_cert:
        # For the test that a client refuses a certificate it cannot verify.
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    port = httpd.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print(port, flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
