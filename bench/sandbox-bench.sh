#!/usr/bin/env bash
# Server-side apply throughput of datumctl-sandbox on loopback, at 1, 8 and 32 concurrent clients,
# a GET beside 32 applying clients, and LIST throughput with a GET beside 8 listing clients.
# Prints requests/s and p50/p99 latency per level. Needs wrk (Debian package "wrk").
#
#   bench/sandbox-bench.sh [SECONDS]      (default 10 s per level; builds the release binary if needed)
#
# SANDBOX_ARGS adds sandbox flags, e.g. SANDBOX_ARGS="--request-threads 0" to handle requests on
# the event loops (the sandbox's behaviour before request threads) for a before/after comparison.
# SANDBOX_BINARY runs another build of the sandbox (e.g. an earlier commit's) for the same purpose.
set -euo pipefail

cd "$(dirname "$0")/.."
duration="${1:-10}"
binary="${SANDBOX_BINARY:-.build/release/datumctl-sandbox}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [[ ! -x "$binary" ]]; then
  swift build -c release --product datumctl-sandbox >&2
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2086 # SANDBOX_ARGS is a list of flags
"$binary" --listen 127.0.0.1:0 --data-dir "$work/data" ${SANDBOX_ARGS:-} >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$work/stdout" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^listening on //p' "$work/stdout")"
[[ -n "$url" ]] || { echo "sandbox did not start" >&2; cat "$work/stderr" >&2; exit 1; }

export BENCH_TOKEN="$(cat "$work/data/admin-token")"
export BENCH_PATH="/apis/resourcemanager.miloapis.com/v1alpha1/projects/bench/control-plane/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"
export BENCH_OBJECTS="${BENCH_OBJECTS:-500}"

# Warm-up: creates the objects, so every measured request updates an existing one.
wrk -t2 -c8 -d3s -s bench/sandbox-apply.lua "$url" >/dev/null

# One table row from wrk's --latency output: label, requests/s, p50, p99, errors, note.
row() {
  printf "%-8s %12s %10s %10s %8s%s\n" "$1" "$(awk '/^Requests\/sec:/ {print $2}' <<<"$2")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$2")" "$(awk '$1 == "99%" {print $2}' <<<"$2")" "$3" "${4:+   ($4)}"
}

printf "datumctl-sandbox%s server-side apply, %ss per level, %s objects per wrk thread (%s, %s cores, load average %s)\n" \
  "${SANDBOX_ARGS:+ $SANDBOX_ARGS}" "$duration" "$BENCH_OBJECTS" "$(uname -m)" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
printf "%-8s %12s %10s %10s %8s\n" clients "requests/s" p50 p99 errors
for clients in 1 8 32; do
  threads=$(( clients < 2 ? 1 : 2 ))
  out="$(wrk -t"$threads" -c"$clients" -d"${duration}s" --latency -s bench/sandbox-apply.lua "$url" 2>"$work/wrk-errors")"
  row "$clients" "$out" "$(grep -c "unexpected status" "$work/wrk-errors" || true)"
done

# Isolation: a cheap GET /version from one client while 32 clients apply. With requests handled on
# the event loops, the GET waits behind whatever commit its loop is running; with request threads
# it does not.
wrk -t2 -c32 -d"${duration}s" -s bench/sandbox-apply.lua "$url" >/dev/null 2>&1 &
load_pid=$!
out="$(wrk -t1 -c1 -d"$(( duration > 2 ? duration - 1 : duration ))s" --latency "$url/version" 2>/dev/null)"
wait "$load_pid" || true
row "1+32" "$out" "-" "GET /version beside 32 applying clients"

# Reads: LIST of every object (about 1,000 after the applies) from 8 clients, and a GET /version
# beside them. Each LIST serializes its whole answer; on an event loop that holds up the loop's
# other connections, on a request thread it does not.
auth=(-H "Authorization: Bearer $BENCH_TOKEN" -H "Accept: application/json")
out="$(wrk -t2 -c8 -d"${duration}s" --latency "${auth[@]}" "$url$BENCH_PATH" 2>/dev/null)"
listed="$(curl -s "${auth[@]}" "$url$BENCH_PATH" | grep -o '"kind":"BackendTLSPolicy"' | wc -l)"
row "8" "$out" "$(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)" "LIST of $listed objects"
wrk -t2 -c8 -d"${duration}s" "${auth[@]}" "$url$BENCH_PATH" >/dev/null 2>&1 &
load_pid=$!
out="$(wrk -t1 -c1 -d"$(( duration > 2 ? duration - 1 : duration ))s" --latency "$url/version" 2>/dev/null)"
wait "$load_pid" || true
row "1+8" "$out" "-" "GET /version beside 8 listing clients"
