#!/usr/bin/env bash
# make-kubectl-samples.sh: capture kubectl text with the REAL installed kubectl against the fake
# kube-apiserver (tools/fakekube/server.py) serving tools/fakekube/fixtures/<scenario>/, and write
# it into SampleLogs/ and tools/fakekube/captured/ (text pasted into Rules/kubectl samples and
# the parser tests).
#
#   tools/make-kubectl-samples.sh            capture everything
#   tools/make-kubectl-samples.sh --keep     keep the scratch dir (request logs, kubeconfig)
#
# Network: only 127.0.0.1 is ever contacted. The run re-executes itself inside a fresh network
# namespace (`unshare -n`, loopback only); kubectl runs under `env -i` with PATH, HOME and
# KUBECONFIG only (a kubeconfig with server http://127.0.0.1:PORT and no credentials).
#
# Event ages: fixtures give event and object times as "@now-252s" etc., which the fake resolves
# against the clock when it answers, so `4m12s (x17 over 14m)` comes out the same at every run
# (the `xN` is the event's `count`).
#
# The captures (fixture, files, command, output) are the CAPTURES list below; each line of a
# capture's output file is what kubectl wrote to stdout and stderr, in order (2>&1), preceded
# by a `$ kubectl …` prompt line only where the list says so (pasted apply output).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
FIXTURES="$HERE/fakekube/fixtures"
SERVER="$HERE/fakekube/server.py"
CAPTURED="$HERE/fakekube/captured"

die() { echo "make-kubectl-samples: error: $*" >&2; exit 1; }

# shellcheck source=isolate-network.sh
source "$HERE/isolate-network.sh"
# shellcheck source=fake-server.sh
source "$HERE/fake-server.sh"
isolate_network make-kubectl-samples "env -i and the kubeconfig" "$@"

KEEP=0
for a in "$@"; do
  case "$a" in
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) die "unknown argument $a" ;;
  esac
done

KUBECTL="$(command -v kubectl)" || die "kubectl not found on PATH"
KUBECTL_DIR="$(dirname "$(readlink -f "$KUBECTL")")"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/make-kubectl-samples.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [[ $KEEP == 1 ]]; then echo "make-kubectl-samples: scratch kept in $SCRATCH" >&2; else rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT

start_server() {  # fixture-dir failures-file|- request-log
  local failures=()
  [[ "$2" == - ]] || failures=(--failures "$2")
  start_fake_server make-kubectl-samples "$SCRATCH/port" \
    python3 "$SERVER" --root "$1" "${failures[@]}" --port 0 --port-file "$SCRATCH/port" --request-log "$3"
  local home="$SCRATCH/home"
  rm -rf "$home"; mkdir -p "$home/.kube"
  cat > "$home/.kube/config" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: http://127.0.0.1:$PORT
contexts:
- name: fake
  context:
    cluster: fake
    user: nobody
current-context: fake
users:
- name: nobody
  user: {}
EOF
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# capture OUT FIXTURE FAILURES PROMPT EXPECT_FAIL CWD ARGS...
#   OUT: file written; FIXTURE: dir under fixtures/; FAILURES: a failures file in it or -;
#   PROMPT: "prompt" to start the file with `$ kubectl ARGS`, else "-"; EXPECT_FAIL: "fail" when
#   kubectl must exit non-zero; CWD: directory under the fixture to run in (apply's files) or -.
capture() {
  local out="$1" fixture="$FIXTURES/$2" failures="$3" prompt="$4" expect="$5" cwd="$6"; shift 6
  [[ "$failures" == - ]] || failures="$fixture/$failures"
  local reqlog="$SCRATCH/$(basename "$out").requests.jsonl"
  : > "$reqlog"
  start_server "$fixture" "$failures" "$reqlog"
  local dir="$fixture"; [[ "$cwd" == - ]] || dir="$fixture/$cwd"
  local rc=0
  mkdir -p "$(dirname "$out")"
  {
    [[ "$prompt" == prompt ]] && printf '$ kubectl %s\n' "$*"
    (cd "$dir" && env -i PATH="$KUBECTL_DIR:/usr/bin:/bin" HOME="$SCRATCH/home" \
      KUBECONFIG="$SCRATCH/home/.kube/config" kubectl "$@" 2>&1 </dev/null) || rc=$?
  } > "$out.tmp"
  stop_server
  if [[ "$expect" == fail && $rc -eq 0 ]]; then sed 's/^/  | /' "$out.tmp" >&2; die "kubectl $* succeeded; a failure was expected"; fi
  if [[ "$expect" != fail && $rc -ne 0 ]]; then sed 's/^/  | /' "$out.tmp" >&2; die "kubectl $* failed (exit $rc)"; fi
  mv -f "$out.tmp" "$out"
  # Every request answered as the fixture meant: 200, or the configured failures and apply's
  # existence checks (404 GET of an object about to be created).
  python3 - "$reqlog" "$1" <<'PY' || die "unexpected requests for kubectl $* (request log: $reqlog, run with --keep)"
import json, sys
allow_404 = sys.argv[2] == "apply"
bad = [r for r in map(json.loads, open(sys.argv[1]))
       if r["status"] >= 400 and not r["injected"] and not r["path"].startswith("/openapi/")
       and not (allow_404 and r["method"] == "GET" and r["status"] == 404)]
for r in bad:
    print(f"  {r['method']} {r['path']} {r['query']} -> {r['status']}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
  echo "kubectl $* -> ${out#$REPO/}"
}

C="$CAPTURED"
S="$REPO/SampleLogs"

# SampleLogs/webhook-timeout-kubectl and SampleLogs/bundle
capture "$S/webhook-timeout-kubectl/describe.txt" webhook-timeout - - ok - \
  describe validatingwebhookconfiguration/gatekeeper-validating-webhook-configuration replicaset/ml-pipeline-ui-7d8f9c6b5d -n kubeflow
capture "$S/webhook-timeout-kubectl/apply-error.txt" webhook-timeout failures.json prompt fail apply \
  apply -f ns-must-have-owner.yaml -f constraint-template.yaml
mkdir -p "$S/bundle/inputs" && cp "$S/webhook-timeout-kubectl/apply-error.txt" "$S/bundle/inputs/kubectl-apply.txt"

# SampleLogs/kcc-references-not-ready
capture "$S/kcc-references-not-ready/describe.txt" kcc-references-not-ready - - ok - \
  describe containercluster,computesubnetwork,computenetwork -n kubeflow

# Rules/kubectl samples (pasted from tools/fakekube/captured/)
capture "$C/apply-webhook-timeout.txt" apply-errors failures-timeout.json prompt fail two apply -f constraint.yaml
capture "$C/apply-webhook-x509.txt" apply-errors failures-x509.json - fail one apply -f constraint.yaml
capture "$C/apply-webhook-no-endpoints.txt" apply-errors failures-no-endpoints.json - fail one apply -f constraint.yaml
capture "$C/apply-request-timeout.txt" apply-errors failures-request-timeout.json - fail one apply -f notebook.yaml
capture "$C/describe-apiservice.txt" cluster - - ok - describe apiservice v1beta1.external.metrics.k8s.io
capture "$C/describe-ingress.txt" cluster - - ok - describe ingress -n istio-system envoy-ingress
capture "$C/describe-ingress-healthy.txt" backend-healthy - - ok - describe ingress -n istio-system envoy-ingress
capture "$C/describe-pod.txt" cluster - - ok - describe pod -n kubeflow ml-pipeline-5c8d7b9f4-x2k7q
capture "$C/get-pods.txt" cluster - - ok - get pods -n kubeflow
capture "$C/get-events.txt" cluster - - ok - get events -n kubeflow
capture "$C/get-events-registry.txt" registry-events - - ok - get events -A
capture "$C/get-events-all.txt" cluster - - ok - get events -A
capture "$C/get-events-wide.txt" cluster - - ok - get events -n kubeflow -o wide
capture "$C/events.txt" cluster - - ok - events -n kubeflow

# The parser tests' fixtures, the same captures as Swift string literals.
python3 - "$C" "$S" "$REPO/Tests/TriageKitTests/Input/Text/KubectlFixtures.swift" <<'PY'
import os, sys
captured, samples, out = sys.argv[1:]
def read(path):
    return open(path).read().rstrip("\n")
rs = read(os.path.join(samples, "webhook-timeout-kubectl/describe.txt")).split("\n\n\n")[1]
fixtures = [
    ("replicasetWebhook", "kubectl describe rs -n kubeflow ml-pipeline-ui-7d8f9c6b5d (from SampleLogs/webhook-timeout-kubectl/describe.txt)", rs),
    ("kccChain", "kubectl describe containercluster,computesubnetwork,computenetwork -n kubeflow", read(os.path.join(samples, "kcc-references-not-ready/describe.txt"))),
    ("podImagePull", "kubectl describe pod -n kubeflow ml-pipeline-5c8d7b9f4-x2k7q", read(os.path.join(captured, "describe-pod.txt"))),
    ("apiservice", "kubectl describe apiservice v1beta1.external.metrics.k8s.io", read(os.path.join(captured, "describe-apiservice.txt"))),
    ("ingress", "kubectl describe ingress -n istio-system envoy-ingress", read(os.path.join(captured, "describe-ingress.txt"))),
    ("getEvents", "kubectl get events -n kubeflow", read(os.path.join(captured, "get-events.txt"))),
    ("getEventsAll", "kubectl get events -A", read(os.path.join(captured, "get-events-all.txt"))),
    ("getEventsWide", "kubectl get events -n kubeflow -o wide", read(os.path.join(captured, "get-events-wide.txt"))),
    ("kubectlEvents", "kubectl events -n kubeflow", read(os.path.join(captured, "events.txt"))),
]
lines = ["/// kubectl text captured from the real kubectl by tools/make-kubectl-samples.sh (against",
         "/// tools/fakekube/server.py); regenerated by that script, do not edit by hand.",
         "enum KubectlFixtures {"]
for name, command, text in fixtures:
    assert "\\" not in text and '\"\"\"' not in text, name
    lines.append(f"    /// `{command}`")
    lines.append(f'    static let {name} = """')
    lines += [("    " + l) if l else "" for l in text.split("\n")]
    lines.append('    """')
    lines.append("")
lines[-1] = "}"
open(out, "w").write("\n".join(lines) + "\n")
PY
echo "parser test fixtures -> Tests/TriageKitTests/Input/Text/KubectlFixtures.swift"

KUBECTL_VERSION="$(env -i PATH="$KUBECTL_DIR:/usr/bin:/bin" HOME="$SCRATCH" "$KUBECTL_DIR/kubectl" version --client 2>/dev/null | sed -n 's/^Client Version: //p')"
echo "kubectl client: $KUBECTL_VERSION"
