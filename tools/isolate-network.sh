# isolate-network.sh: sourced by the sample makers before they start anything. Re-runs the
# calling script inside a fresh network namespace that has nothing but loopback, so neither the
# real gcloud nor the real kubectl can reach beyond 127.0.0.1 even through a call nobody expected;
# without unshare the run goes on, with a warning naming what still confines it.
#
#   source "$HERE/isolate-network.sh"; isolate_network NAME "WHAT STILL CONFINES IT" "$@"
isolate_network() {
  local name="$1" fallback="$2"
  shift 2
  if [[ -z "${MAKE_SAMPLES_NETNS:-}" ]]; then
    if unshare -n true 2>/dev/null; then
      exec unshare -n env MAKE_SAMPLES_NETNS=1 bash "$0" "$@"
    elif unshare -rn true 2>/dev/null; then
      exec unshare -rn env MAKE_SAMPLES_NETNS=1 bash "$0" "$@"
    else
      echo "$name: warning: cannot create a network namespace; relying on $fallback alone" >&2
      MAKE_SAMPLES_NETNS=none
    fi
  fi
  if [[ "$MAKE_SAMPLES_NETNS" == 1 ]]; then
    if command -v ip >/dev/null; then ip link set lo up; else ifconfig lo up; fi
  fi
}
