# fake-server.sh: sourced by the sample makers. Starts one of the fake APIs (tools/fakegcp,
# tools/fakekube) in the background with `--port 0 --port-file FILE` among its arguments, waits
# for it to write the port it listens on, and sets SERVER_PID and PORT.
#
#   source "$HERE/fake-server.sh"; start_fake_server NAME PORTFILE python3 server.py ... --port-file PORTFILE
start_fake_server() {
  local name="$1" portfile="$2"
  shift 2
  rm -f "$portfile"
  "$@" >/dev/null &
  SERVER_PID=$!
  for _ in $(seq 100); do
    [[ -s "$portfile" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$name: error: the fake server exited at start-up" >&2; exit 1; }
    sleep 0.1
  done
  [[ -s "$portfile" ]] || { echo "$name: error: the fake server did not start" >&2; exit 1; }
  PORT="$(cat "$portfile")"
}
