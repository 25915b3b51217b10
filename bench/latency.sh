#!/usr/bin/env bash
# datumctl vs kubectl at real-world latency: both talk to the same sandbox (HTTPS) through a
# delaying TCP proxy on loopback (bench/lib/delayproxy.py), which holds every chunk DELAY ms in
# each direction, so a round trip costs 2 x DELAY. For each delay it times, for both tools:
#   apply N new objects (kubectl apply --server-side), re-apply N unchanged, get N (list), get one,
#   describe one, explain --recursive (cold and warm cache), delete N
# and prints the times and the ratio kubectl/datumctl.
#
#   bench/latency.sh                       delays 0 10 25 50 ms, N=1000, one run each (long: ~20 min)
#   DELAYS="0 25" COUNT=100 RUNS=3 bench/latency.sh
#   SKIP_BUILD=1 reuses the release binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
delays=${DELAYS:-0 10 25 50}
count=${COUNT:-1000}
runs=${RUNS:-1}
command -v kubectl >/dev/null || { echo "kubectl is not installed" >&2; exit 1; }
if [ "${SKIP_BUILD:-}" != 1 ]; then
    echo "building release binaries (static Swift runtime) ..." >&2
    swift build -c release --static-swift-stdlib --product datumctl >/dev/null
    swift build -c release --static-swift-stdlib --product datumctl-sandbox >/dev/null
fi
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
mkdir -p bench/out
[ -f "bench/out/policies-$count.yaml" ] || python3 bench/lib/generate.py "$count" >"bench/out/policies-$count.yaml"

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=bench CA" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
    -extfile "$work/san.ext" -out "$work/server.crt" 2>/dev/null
"$bin/datumctl-sandbox" --listen 127.0.0.1:0 --data-dir "$work/data" --tls-cert "$work/server.crt" \
    --tls-key "$work/server.key" >"$work/stdout" 2>"$work/stderr" &
pids+=($!)
for _ in $(seq 100); do grep -q '^listening on ' "$work/stdout" 2>/dev/null && break; sleep 0.1; done
server=$(sed -n 's/^listening on //p' "$work/stdout")
[ -n "$server" ] || { echo "the sandbox did not start" >&2; cat "$work/stderr" >&2; exit 1; }
target=${server#https://}

# One proxy per delay, each with a bounded lifetime.
proxies=""
for delay in $delays; do
    python3 bench/lib/delayproxy.py --target "$target" --delay-ms "$delay" --lifetime 7200 >"$work/proxy-$delay" &
    pids+=($!)
    for _ in $(seq 50); do grep -q '^listening on ' "$work/proxy-$delay" 2>/dev/null && break; sleep 0.1; done
    proxies="$proxies $delay=$(sed -n 's/^listening on //p' "$work/proxy-$delay")"
done

python3 - "$bin" "$work" "$count" "$runs" $proxies <<'PY'
import os, subprocess, sys
sys.path.insert(0, "bench/lib")
from measure import run_once, fmt_time

bin_dir, work, count, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
proxies = [(float(p.split("=")[0]), p.split("=")[1]) for p in sys.argv[5:]]
token = open(f"{work}/data/admin-token").read().strip()
prefix = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/{}/control-plane"
manifest = f"bench/out/policies-{count}.yaml"
datumctl = f"{bin_dir}/datumctl"
home = f"{work}/home"
os.makedirs(home, exist_ok=True)

def environment(address, project, cache):
    server = f"https://{address}"
    kubeconfig = f"{work}/kubeconfig-{project}"
    with open(kubeconfig, "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: sandbox
  cluster: {{server: "{server}{prefix.format(project)}", certificate-authority: "{work}/ca.crt"}}
users:
- name: admin
  user: {{token: "{token}"}}
contexts:
- name: sandbox
  context: {{cluster: sandbox, user: admin, namespace: default}}
current-context: sandbox
""")
    env = dict(os.environ)
    env.update(HOME=home, KUBECONFIG=kubeconfig, DATUM_PROJECT=project, DATUMCTL_SERVER=server,
               DATUMCTL_TOKEN=token, DATUMCTL_CONFIG=f"{work}/no-config", KUBECACHEDIR=cache)
    return env

def timed(argv, env):
    """Median seconds over `runs` runs (no warm-up: several rows change the server's state)."""
    times = []
    for _ in range(runs):
        elapsed, _, code, stderr = run_once(argv, env=env)
        if code != 0:
            sys.exit(f"command failed ({code}): {' '.join(argv)}\n{stderr}")
        times.append(elapsed)
    return sorted(times)[len(times) // 2]

ca = ["--certificate-authority", f"{work}/ca.crt"]
print(f"datumctl vs kubectl through a delaying proxy, {count} objects, median of {runs} run(s)")
print(f"{'':34}" + "".join(f"{f'{int(d)} ms':>24}" for d, _ in proxies))
print(f"{'':34}" + "".join(f"{'kubectl / datumctl':>24}" for _ in proxies))
results = {}
for delay, address in proxies:
    tag = f"d{int(delay)}"
    for tool in ("kubectl", "datumctl"):
        project = f"lat-{tag}-{tool}"
        cache = f"{work}/cache-{tag}-{tool}"
        env = environment(address, project, cache)
        k = tool == "kubectl"
        ops = [
            (f"apply {count} new", ["kubectl", "apply", "--server-side", "-f", manifest] if k else [datumctl, "apply", "-f", manifest] + ca),
            (f"re-apply {count} unchanged", ["kubectl", "apply", "--server-side", "-f", manifest] if k else [datumctl, "apply", "-f", manifest] + ca),
            (f"get {count}", ["kubectl", "get", "backendtlspolicies"] if k else [datumctl, "get", "backendtlspolicies"] + ca),
            ("get one", ["kubectl", "get", "backendtlspolicy", "policy-00000"] if k else [datumctl, "get", "backendtlspolicy", "policy-00000"] + ca),
            ("describe one", ["kubectl", "describe", "backendtlspolicy", "policy-00000"] if k else [datumctl, "describe", "backendtlspolicy", "policy-00000"] + ca),
            ("explain --recursive (cold)", ["kubectl", "explain", "backendtlspolicies", "--recursive"] if k else [datumctl, "explain", "backendtlspolicies", "--recursive"] + ca),
            ("explain --recursive (warm)", ["kubectl", "explain", "backendtlspolicies", "--recursive"] if k else [datumctl, "explain", "backendtlspolicies", "--recursive"] + ca),
            (f"delete {count}", ["kubectl", "delete", "backendtlspolicies", "--all"] if k else [datumctl, "delete", "backendtlspolicies", "--all"] + ca),
        ]
        for label, argv in ops:
            if runs > 1 and label.startswith(("apply", "delete")):
                # Each timed run must do the same work: only one run for state-changing rows.
                elapsed, _, code, stderr = run_once(argv, env=env)
                if code != 0:
                    sys.exit(f"command failed ({code}): {' '.join(argv)}\n{stderr}")
            else:
                elapsed = timed(argv, env)
            results[(delay, tool, label)] = elapsed

labels = [label for (d, t, label) in results if d == proxies[0][0] and t == "kubectl"]
for label in labels:
    cells = ""
    for delay, _ in proxies:
        k, d = results[(delay, "kubectl", label)], results[(delay, "datumctl", label)]
        cells += f"{fmt_time(k):>9} /{fmt_time(d):>9} {k / d:>4.1f}x"
    print(f"{label:34}{cells}")
PY
