#!/usr/bin/env bash
# capture-config.sh: render the network-config listings (firewall rules, routes, networks,
# subnets, routers, NATs, DNS zones and record sets) with the REAL installed gcloud against the
# fake API serving one scenario, in gcloud's default table/YAML and in --format=json/yaml.
#
#   tools/capture-config.sh SCENARIO OUTDIR
#
# Same isolation as make-samples.sh: a fresh network namespace with only loopback, gcloud under
# `env -i` with an isolated CLOUDSDK_CONFIG and endpoint overrides to 127.0.0.1.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=isolate-network.sh
source "$HERE/isolate-network.sh"
# shellcheck source=fake-server.sh
source "$HERE/fake-server.sh"
isolate_network capture-config "env -i and the endpoint overrides" "$@"

SCENARIO="$HERE/scenarios/$1"
OUT="$2"
PROJECT="${PROJECT:-kf-prod-4412}"
REGION="${REGION:-us-central1}"
mkdir -p "$OUT"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/capture-config.XXXXXX")"
SERVER_PID=""
trap '[[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
start_fake_server capture-config "$SCRATCH/port" \
  python3 "$HERE/fakegcp/server.py" --root "$SCENARIO" --port 0 --port-file "$SCRATCH/port" --request-log "$SCRATCH/req.jsonl"
GCLOUD_DIR="$(dirname "$(command -v gcloud)")"

# capture FILE ARGS...: gcloud's stdout to FILE; stderr is dropped (a --format hint).
capture() {
  local out="$1"; shift
  local cfg="$SCRATCH/cfg"; rm -rf "$cfg"; mkdir -p "$cfg"
  printf 'False' > "$cfg/gce"; printf 'fake-token\n' > "$cfg/token"
  local ep="http://127.0.0.1:$PORT/"
  env -i PATH="$GCLOUD_DIR:/usr/bin:/bin" HOME="$cfg" CLOUDSDK_CONFIG="$cfg" LANG=C.UTF-8 NO_PROXY='*' \
    GCE_METADATA_ROOT="127.0.0.1:$PORT" \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE="$ep" CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS="$ep" \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER="$ep" CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING="$ep" \
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$cfg/token" CLOUDSDK_CORE_DISABLE_PROMPTS=1 \
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true \
    gcloud "$@" --project "$PROJECT" > "$out.tmp" 2> "$SCRATCH/stderr" </dev/null \
    || { echo "capture-config: gcloud $* failed:" >&2; cat "$SCRATCH/stderr" >&2; rm -f "$out.tmp"; exit 1; }
  mv -f "$out.tmp" "$out"
}

# every FORMAT of one listing: table (gcloud's default), json, yaml
all_formats() {  # stem ARGS...
  local stem="$1"; shift
  capture "$OUT/$stem.txt" "$@"
  capture "$OUT/$stem.json" "$@" --format=json
  capture "$OUT/$stem.yaml" "$@" --format=yaml
}

python3 - "$SCENARIO" > "$SCRATCH/names" <<'PY'
import json, sys, os
root = sys.argv[1]
routers = json.load(open(os.path.join(root, "compute/routers.json")))
zones = json.load(open(os.path.join(root, "dns/managedZones.json")))
r = routers[0] if routers else {}
print(r.get("name", ""), (r.get("nats") or [{}])[0].get("name", ""), " ".join(z["name"] for z in zones))
PY
read -r ROUTER NAT ZONES < "$SCRATCH/names"

all_formats firewall-rules-list compute firewall-rules list
all_formats routes-list compute routes list
all_formats networks-list compute networks list
all_formats subnets-list compute networks subnets list
all_formats routers-list compute routers list
if [[ -n "$ROUTER" ]]; then
  capture "$OUT/routers-describe.yaml" compute routers describe "$ROUTER" --region "$REGION"
  capture "$OUT/routers-describe.json" compute routers describe "$ROUTER" --region "$REGION" --format=json
  all_formats routers-nats-list compute routers nats list --router "$ROUTER" --region "$REGION"
  [[ -n "$NAT" ]] && capture "$OUT/routers-nats-describe.yaml" compute routers nats describe "$NAT" --router "$ROUTER" --region "$REGION"
fi
all_formats dns-managed-zones-list dns managed-zones list
for z in $ZONES; do
  capture "$OUT/dns-managed-zones-describe-$z.yaml" dns managed-zones describe "$z"
  all_formats "dns-record-sets-list-$z" dns record-sets list --zone "$z"
done
python3 - "$SCRATCH/req.jsonl" <<'PY'
import json, sys
bad = [r for r in map(json.loads, open(sys.argv[1])) if r["status"] != 200]
for r in bad: print(f"  {r['method']} {r['path']} -> {r['status']}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
