#!/usr/bin/env bash
# make-samples.sh: render SampleLogs/NAME/ with the REAL installed gcloud against the fake API
# (tools/fakegcp/server.py) serving tools/scenarios/NAME/, so every sample is byte for byte what
# a user would paste.
#
#   tools/make-samples.sh              all scenarios
#   tools/make-samples.sh NAME ...     only these
#   tools/make-samples.sh --keep ...   keep the scratch dir (request logs, gcloud stderr)
#
# Fixtures are committed; regenerate them first with `python3 tools/scenarios/generate.py` when
# the generator changes. Same fixtures + same gcloud => byte-identical output (idempotent: every
# run rewrites every file, atomically, and removes nothing else).
#
# Network: only 127.0.0.1 is ever contacted. The whole run re-executes itself inside a fresh
# network namespace (`unshare -n`) that has nothing but loopback, so even a gcloud call we did not
# expect cannot leave the machine; without unshare it still runs, with a warning.
#
# gcloud runs under `env -i` with only: PATH, HOME and CLOUDSDK_CONFIG (a fresh temp dir holding
# the file `gce` = "False", no newline, so gcloud never probes the metadata server),
# LANG=C.UTF-8, NO_PROXY='*', GCE_METADATA_ROOT=127.0.0.1:PORT,
# CLOUDSDK_API_ENDPOINT_OVERRIDES_{LOGGING,CONTAINER,COMPUTE,DNS}=http://127.0.0.1:PORT/ (the
# trailing slash is required: without it gcloud 528 refuses the property, "must be an absolute
# URI beginning with http:// or https:// and ending with a trailing '/'"; with it gcloud appends
# v2/, v1/, compute/v1/, dns/v1/), CLOUDSDK_AUTH_ACCESS_TOKEN_FILE (any text file),
# CLOUDSDK_CORE_DISABLE_PROMPTS=1, CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true,
# CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true.
#
# The exact commands (P = kf-prod-4412, C = kf-private, R = us-central1; FILTER below):
#
#   firewall-denied.json:
#     gcloud logging read 'logName:"compute.googleapis.com%2Ffirewall" AND jsonPayload.disposition="DENIED" AND timestamp>="2026-11-22T00:00:00Z"' --project kf-prod-4412 --format=json
#   firewall-denied.yaml:
#     gcloud logging read 'logName:"compute.googleapis.com%2Ffirewall" AND jsonPayload.disposition="DENIED" AND timestamp>="2026-11-22T00:00:00Z"' --project kf-prod-4412
#   cluster.yaml:
#     gcloud container clusters describe kf-private --region us-central1 --project kf-prod-4412
#   firewall-all.json (only scenarios whose scenario.json has "all_file": true, i.e. mixed):
#     gcloud logging read 'logName:"compute.googleapis.com%2Ffirewall" AND timestamp>="2026-11-22T00:00:00Z"' --project kf-prod-4412 --format=json
#
# The filter names `timestamp`, so gcloud does not add its own one-day window
# (`timestamp>="<now-1d>" AND ...`), and --freshness is not needed (it would be ignored).
# Each `logging read` is one POST /v2/entries:list with
# {"resourceNames":["projects/P"],"filter":FILTER,"orderBy":"timestamp desc","pageSize":1000}.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SCENARIOS="$HERE/scenarios"
SERVER="$HERE/fakegcp/server.py"
OUT_ROOT="$REPO/SampleLogs"

PROJECT=kf-prod-4412
CLUSTER=kf-private
REGION=us-central1
SINCE='2026-11-22T00:00:00Z'
FILTER_DENIED="logName:\"compute.googleapis.com%2Ffirewall\" AND jsonPayload.disposition=\"DENIED\" AND timestamp>=\"$SINCE\""
FILTER_ALL="logName:\"compute.googleapis.com%2Ffirewall\" AND timestamp>=\"$SINCE\""

die() { echo "make-samples: error: $*" >&2; exit 1; }

# --- isolate the network ------------------------------------------------------------------------
# shellcheck source=isolate-network.sh
source "$(dirname "${BASH_SOURCE[0]}")/isolate-network.sh"
# shellcheck source=fake-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/fake-server.sh"
isolate_network make-samples "env -i and the endpoint overrides" "$@"

# --- scenarios rendered from a list of gcloud commands (GKE operations, cluster state) -----------
# tools/scenarios/NAME/scenario.json with "kind": "commands" (written by
# tools/scenarios/generate_operations.py) lists the gcloud commands to run: each {"file", "args",
# optional "root" (a fixture subdirectory, for a second point in time), "stderr" (capture stderr
# instead of stdout) and "expect_failure"}; "api" entries save the fake API's own JSON answer (the
# raw REST response a --live client reads); "extra_files" are written as given; "readme" lines go
# into README.md. Output goes to SampleLogs/NAME/ unless "out" names another directory.

is_command_scenario() {  # dir
  [[ -f "$1/scenario.json" ]] && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("kind") == "commands" else 1)' "$1/scenario.json"
}

# run_gcloud_stderr OUTFILE EXPECT_FAILURE ARGS... : gcloud's stderr to OUTFILE (an error a user pastes).
run_gcloud_stderr() {
  local out="$1" expect_failure="$2"; shift 2
  local cfg="$SCRATCH/cfg"
  rm -rf "$cfg"; mkdir -p "$cfg"
  printf 'False' > "$cfg/gce"
  printf 'fake-access-token-for-127.0.0.1\n' > "$cfg/token"
  local ep="http://127.0.0.1:$PORT/"
  local rc=0
  env -i PATH="$GCLOUD_DIR:/usr/bin:/bin" HOME="$cfg" CLOUDSDK_CONFIG="$cfg" LANG=C.UTF-8 NO_PROXY='*' \
    GCE_METADATA_ROOT="127.0.0.1:$PORT" CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING="$ep" \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER="$ep" CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE="$ep" \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS="$ep" CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE="$ep" \
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$cfg/token" \
    CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true \
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true CLOUDSDK_CORE_SHOULD_PROMPT_TO_ENABLE_API=false \
    gcloud "$@" > /dev/null 2> "$out.tmp" </dev/null || rc=$?
  if [[ "$expect_failure" == true && $rc -eq 0 ]]; then rm -f "$out.tmp"; die "gcloud $* succeeded; a failure was expected"; fi
  if [[ "$expect_failure" != true && $rc -ne 0 ]]; then sed 's/^/  | /' "$out.tmp" >&2; rm -f "$out.tmp"; die "gcloud $* failed (exit $rc)"; fi
  [[ -s "$out.tmp" ]] || die "gcloud $* wrote nothing to stderr"
  mv -f "$out.tmp" "$out"
}

render_command_scenario() {  # name
  local name="$1" fx="$SCENARIOS/$1" spec="$SCENARIOS/$1/scenario.json"
  local out
  out="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("out") or "SampleLogs/" + sys.argv[2])' "$spec" "$name")"
  out="$REPO/$out"
  mkdir -p "$out"
  local count i root file stderr fail
  count="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["commands"]))' "$spec")"
  for ((i = 0; i < count; i++)); do
    local -a args=()
    mapfile -t args < <(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["commands"][int(sys.argv[2])]; print("\n".join(c["args"]))' "$spec" "$i")
    read -r root file stderr fail < <(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["commands"][int(sys.argv[2])]; print(c.get("root") or ".", c["file"], str(c.get("stderr", False)).lower(), str(c.get("expect_failure", False)).lower())' "$spec" "$i")
    local reqlog="$SCRATCH/$name.$i.requests.jsonl"
    : > "$reqlog"
    start_server "$fx/$root" "$reqlog"
    if [[ "$stderr" == true ]]; then
      run_gcloud_stderr "$out/$file" "$fail" "${args[@]}"
    else
      run_gcloud "$out/$file" "${args[@]}"
    fi
    stop_server
  done
  # The REST answers themselves, fetched the way a --live client would.
  python3 - "$spec" "$fx" "$out" "$SERVER" "$SCRATCH" <<'PY' || die "could not save the API answers for $name"
import json, os, subprocess, sys, time, urllib.request
spec, fx, out, server, scratch = sys.argv[1:]
s = json.load(open(spec))
for api in s.get("api", []):
    portfile = os.path.join(scratch, "api-port")
    if os.path.exists(portfile):
        os.remove(portfile)
    p = subprocess.Popen([sys.executable, server, "--root", fx, "--port", "0", "--port-file", portfile,
                          "--request-log", os.devnull], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(portfile) and open(portfile).read().strip():
                break
            time.sleep(0.1)
        port = open(portfile).read().strip()
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}{api['path']}?alt=json").read()
    finally:
        p.terminate(); p.wait()
    with open(os.path.join(out, api["file"]), "wb") as f:
        f.write(json.dumps(json.loads(body), indent=2).encode() + b"\n")
for file, text in s.get("extra_files", {}).items():
    with open(os.path.join(out, file), "w") as f:
        f.write(text)
if s.get("readme"):
    lines = [f"# {s['name']}: {s['title']}", ""] + s["readme"] + ["", "Rendered by `tools/make-samples.sh` with the real gcloud against `tools/fakegcp/server.py`", f"serving `tools/scenarios/{s['name']}/` (fixtures from `tools/scenarios/generate_operations.py`):", ""]
    for c in s["commands"]:
        where = f" (fixture `{c['root']}/`)" if c.get("root") else ""
        what = "stderr of " if c.get("stderr") else ""
        lines.append(f"- `{c['file']}`: {what}`gcloud {' '.join(c['args'])}`{where}")
    for file in s.get("extra_files", {}):
        lines.append(f"- `{file}`: written by the generator (kfctl is not installed here)")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
PY
  echo "$name: $count gcloud outputs -> ${out#$REPO/}/"
}

# --- arguments ----------------------------------------------------------------------------------
KEEP=0
NAMES=()
for a in "$@"; do
  case "$a" in
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) die "unknown option $a" ;;
    *) NAMES+=("$a") ;;
  esac
done
if [[ ${#NAMES[@]} -eq 0 ]]; then
  for d in "$SCENARIOS"/*/; do
    [[ -f "$d/logging/entries.json" ]] && NAMES+=("$(basename "$d")")
    is_command_scenario "$d" && NAMES+=("$(basename "$d")")
  done
fi
[[ ${#NAMES[@]} -gt 0 ]] || die "no scenarios under $SCENARIOS"

GCLOUD="$(command -v gcloud)" || die "gcloud not found on PATH"
GCLOUD_DIR="$(dirname "$GCLOUD")"
GCLOUD_VERSION="$("$GCLOUD" version 2>/dev/null </dev/null | sed -n 's/^Google Cloud SDK //p')"

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/make-samples.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [[ $KEEP == 1 ]]; then echo "make-samples: scratch kept in $SCRATCH" >&2; else rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT

start_server() {  # $1 fixture dir, $2 request log
  start_fake_server make-samples "$SCRATCH/port" \
    python3 "$SERVER" --root "$1" --port 0 --port-file "$SCRATCH/port" --request-log "$2"
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# run_gcloud OUTFILE ARGS... : stdout to OUTFILE (atomically), fail loudly on any error.
run_gcloud() {
  local out="$1"; shift
  local cfg="$SCRATCH/cfg"
  rm -rf "$cfg"; mkdir -p "$cfg"
  printf 'False' > "$cfg/gce"
  printf 'fake-access-token-for-127.0.0.1\n' > "$cfg/token"
  local ep="http://127.0.0.1:$PORT/"
  local err="$SCRATCH/stderr.txt"
  local rc=0
  env -i \
    PATH="$GCLOUD_DIR:/usr/bin:/bin" \
    HOME="$cfg" \
    CLOUDSDK_CONFIG="$cfg" \
    LANG=C.UTF-8 \
    NO_PROXY='*' \
    GCE_METADATA_ROOT="127.0.0.1:$PORT" \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING="$ep" \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER="$ep" \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE="$ep" \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS="$ep" \
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$cfg/token" \
    CLOUDSDK_CORE_DISABLE_PROMPTS=1 \
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true \
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true \
    gcloud "$@" > "$out.tmp" 2> "$err" </dev/null || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "make-samples: gcloud $* failed (exit $rc):" >&2
    sed 's/^/  | /' "$err" >&2
    rm -f "$out.tmp"
    exit 1
  fi
  if [[ -s "$err" ]]; then
    echo "make-samples: note: gcloud $1 $2 wrote to stderr:" >&2
    sed 's/^/  | /' "$err" >&2
  fi
  [[ -s "$out.tmp" ]] || die "gcloud $* printed nothing"
  mv -f "$out.tmp" "$out"
}

json_field() {  # file key
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(json.dumps(v) if isinstance(v,bool) else v)' "$1" "$2"
}

check_outputs() {  # dir expected_denied [expected_all]
  local dir="$1" want="$2" want_all="${3:-}"
  python3 -m json.tool "$dir/firewall-denied.json" >/dev/null || die "$dir/firewall-denied.json is not JSON"
  local got docs
  got="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dir/firewall-denied.json")"
  [[ "$got" == "$want" ]] || die "$dir/firewall-denied.json has $got entries, want $want"
  python3 - "$dir/firewall-denied.json" <<'PY' || die "$dir/firewall-denied.json has a non-DENIED entry or is not newest first"
import json, sys
entries = json.load(open(sys.argv[1]))
assert all(e["jsonPayload"]["disposition"] == "DENIED" for e in entries)
stamps = [e["timestamp"] for e in entries]
assert stamps == sorted(stamps, reverse=True)
PY
  docs="$(grep -c '^---$' "$dir/firewall-denied.yaml" || true)"
  [[ "$docs" == "$want" ]] || die "$dir/firewall-denied.yaml has $docs documents, want $want"
  grep -q '^name: kf-private$' "$dir/cluster.yaml" || die "$dir/cluster.yaml does not describe kf-private"
  if [[ -n "$want_all" ]]; then
    got="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dir/firewall-all.json")"
    [[ "$got" == "$want_all" ]] || die "$dir/firewall-all.json has $got entries, want $want_all"
  fi
}

write_readme() {  # scenario.json out_dir
  python3 - "$1" "$2/README.md" "$PROJECT" "$CLUSTER" "$REGION" "$FILTER_DENIED" "$FILTER_ALL" "$GCLOUD_VERSION" <<'PY'
import json, sys
spec_path, out, project, cluster, region, f_denied, f_all, version = sys.argv[1:]
s = json.load(open(spec_path))
q = lambda f: "'" + f + "'"
lines = [f"# {s['name']}: {s['title']}", "", s["summary"], ""]
if s.get("noise"):
    lines += [f"The fixture also holds {s['noise']}.", ""]
lines += [
    f"Rendered by `tools/make-samples.sh` with the real Google Cloud SDK {version} against the fake API",
    f"(`tools/fakegcp/server.py`) serving `tools/scenarios/{s['name']}/`.",
    "",
    f"- `firewall-denied.json` ({s['denied']} entries, newest first):",
    f"  `gcloud logging read {q(f_denied)} --project {project} --format=json`",
    f"- `firewall-denied.yaml` (the same {s['denied']} entries, gcloud's default YAML, one `---` document each):",
    f"  `gcloud logging read {q(f_denied)} --project {project}`",
    f"- `cluster.yaml`: `gcloud container clusters describe {cluster} --region {region} --project {project}`",
]
if s.get("all_file"):
    lines += [f"- `firewall-all.json` ({s['entries']} entries, ALLOWED ones too):",
              f"  `gcloud logging read {q(f_all)} --project {project} --format=json`"]
tmp = out + ".tmp"
with open(tmp, "w") as f:
    f.write("\n".join(lines) + "\n")
import os
os.replace(tmp, out)
PY
}

# --- network-config scenarios (no firewall logs) -------------------------------------------------
# Folders with config-scenario.json (written by tools/scenarios/generate-config.py) hold only
# network config; render_config_scenario writes gcloud's listings of it, JSON and table:
#   cluster.yaml                  gcloud container clusters describe kf-private --region us-central1
#     (with "clusters" in config-scenario.json: cluster-NAME.yaml for each, `clusters describe NAME
#     --location L`, and clusters.json, `gcloud container clusters list --format=json`)
#   firewall-rules.json|.txt      gcloud compute firewall-rules list [--format=json]
#   routes.json|.txt              gcloud compute routes list [--format=json]
#   subnets.json                  gcloud compute networks subnets list --format=json
#   routers.json                  gcloud compute routers list --format=json
#   dns-managed-zones.json        gcloud dns managed-zones list --format=json
#   dns-record-sets-ZONE.json|.txt  gcloud dns record-sets list --zone ZONE [--format=json]
is_config_scenario() { [[ -f "$SCENARIOS/$1/config-scenario.json" ]]; }

config_scenarios() {
  for d in "$SCENARIOS"/*/; do
    [[ -f "$d/config-scenario.json" ]] && basename "$d"
  done
  return 0
}

render_config_scenario() {  # name
  local name="$1" fx="$SCENARIOS/$1" out="$OUT_ROOT/$1" p="--project=$PROJECT"
  mkdir -p "$out"
  local reqlog="$SCRATCH/$name.requests.jsonl"
  : > "$reqlog"
  start_server "$fx" "$reqlog"
  # A scenario with several clusters ("clusters": [[name, location], ...]) describes each one
  # (cluster-NAME.yaml) and lists them all (clusters.json); else the one kf-private.
  local described
  described=$(python3 -c 'import json,sys; print(" ".join(n + "@" + l for n, l in json.load(open(sys.argv[1])).get("clusters", [])))' "$fx/config-scenario.json")
  if [[ -n "$described" ]]; then
    local pair
    for pair in $described; do
      run_gcloud "$out/cluster-${pair%@*}.yaml" container clusters describe "${pair%@*}" --location "${pair#*@}" "$p"
    done
    run_gcloud "$out/clusters.json" container clusters list "$p" --format=json
  else
    run_gcloud "$out/cluster.yaml" container clusters describe "$CLUSTER" --region "$REGION" "$p"
  fi
  run_gcloud "$out/firewall-rules.json" compute firewall-rules list "$p" --format=json
  run_gcloud "$out/firewall-rules.txt" compute firewall-rules list "$p"
  run_gcloud "$out/routes.json" compute routes list "$p" --format=json
  run_gcloud "$out/routes.txt" compute routes list "$p"
  run_gcloud "$out/subnets.json" compute networks subnets list "$p" --format=json
  run_gcloud "$out/routers.json" compute routers list "$p" --format=json
  run_gcloud "$out/dns-managed-zones.json" dns managed-zones list "$p" --format=json
  local zone
  for zone in $(python3 -c 'import json,sys; print(" ".join(z["name"] for z in json.load(open(sys.argv[1]))))' "$fx/dns/managedZones.json"); do
    run_gcloud "$out/dns-record-sets-$zone.json" dns record-sets list --zone "$zone" "$p" --format=json
    run_gcloud "$out/dns-record-sets-$zone.txt" dns record-sets list --zone "$zone" "$p"
  done
  stop_server
  python3 - "$reqlog" <<'PY' || die "unexpected requests for $name"
import json, sys
bad = [r for r in map(json.loads, open(sys.argv[1])) if r["status"] != 200]
for r in bad:
    print(f"  {r['method']} {r['path']} -> {r['status']}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
  python3 - "$fx/config-scenario.json" "$out" "$GCLOUD_VERSION" <<'PY'
import json, os, sys
spec, out, version = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
files = sorted(f for f in os.listdir(out) if f not in ("README.md", "expected.json"))
lines = [f"# {spec['name']}: {spec['title']}", "", spec["summary"], "",
         f"Rendered by `tools/make-samples.sh` with the real Google Cloud SDK {version} against the fake API",
         f"(`tools/fakegcp/server.py`) serving `tools/scenarios/{spec['name']}/` (written by",
         "`tools/scenarios/generate-config.py`); there are no firewall logs, the network model finds the causes",
         "from the config alone. Files (`.json` is `--format=json`, `.txt` gcloud's default table):", ""]
lines += [f"- `{f}`" for f in files]
run = ("`triage SampleLogs/" + spec["name"] + "/`" if spec.get("clusters") else
       "`triage SampleLogs/" + spec["name"] + "/*.json SampleLogs/" + spec["name"] + "/cluster.yaml`")
lines += ["", "Expected findings (" + run + "; `expected.json` holds them for the CLI tests):", ""]
lines += [f"- {e}" for e in spec["expected"]]
lines += ["", "The `.txt` tables alone hide ranges and tags: read without the JSON, the firewall checks say",
          "they cannot tell and ask for `gcloud compute firewall-rules list --format=json`."]
tmp = os.path.join(out, "README.md.tmp")
with open(tmp, "w") as f:
    f.write("\n".join(lines) + "\n")
os.replace(tmp, os.path.join(out, "README.md"))
PY
  echo "$name: network config -> SampleLogs/$name/"
}

if [[ $# -eq 0 || ( $# -eq 1 && "$1" == --keep ) ]]; then
  while read -r extra; do [[ -n "$extra" ]] && NAMES+=("$extra"); done < <(config_scenarios)
fi

for name in "${NAMES[@]}"; do
  if is_config_scenario "$name"; then render_config_scenario "$name"; continue; fi
  fx="$SCENARIOS/$name"
  if is_command_scenario "$fx"; then render_command_scenario "$name"; continue; fi
  [[ -f "$fx/logging/entries.json" && -f "$fx/scenario.json" ]] || die "$fx is not a scenario (no logging/entries.json or scenario.json)"
  out="$OUT_ROOT/$name"
  mkdir -p "$out"
  reqlog="$SCRATCH/$name.requests.jsonl"
  : > "$reqlog"
  start_server "$fx" "$reqlog"

  run_gcloud "$out/firewall-denied.json" logging read "$FILTER_DENIED" --project "$PROJECT" --format=json
  run_gcloud "$out/firewall-denied.yaml" logging read "$FILTER_DENIED" --project "$PROJECT"
  run_gcloud "$out/cluster.yaml" container clusters describe "$CLUSTER" --region "$REGION" --project "$PROJECT"
  want_all=""
  if [[ "$(json_field "$fx/scenario.json" all_file)" == true ]]; then
    run_gcloud "$out/firewall-all.json" logging read "$FILTER_ALL" --project "$PROJECT" --format=json
    want_all="$(json_field "$fx/scenario.json" entries)"
  fi
  stop_server

  # Every request must have been one we serve, and answered 200.
  python3 - "$reqlog" <<'PY' || die "unexpected requests for $name (see above)"
import json, sys
bad = [r for r in map(json.loads, open(sys.argv[1])) if r["status"] != 200 or r.get("filter_ignored")]
for r in bad:
    print(f"  {r['method']} {r['path']} -> {r['status']} {r.get('filter_ignored', '')}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY

  write_readme "$fx/scenario.json" "$out"
  check_outputs "$out" "$(json_field "$fx/scenario.json" denied)" "$want_all"
  echo "$name: $(json_field "$fx/scenario.json" denied) denied entries -> SampleLogs/$name/"
done
