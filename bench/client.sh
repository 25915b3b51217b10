#!/usr/bin/env bash
# datumctl vs kubectl on the same sandbox, in one run: median wall time, the ratio
# (kubectl time / datumctl time) and peak RSS of each, for
#   (1) get of 500 BackendTLSPolicies            target: >= 5x faster
#   (2) applying one 1,000-document file          target: >= 10x faster (kubectl apply --server-side)
#   (3) explain backendtlspolicies --recursive    target: >= 5x faster
# and less memory than kubectl on every row.
#
#   bench/client.sh [RUNS]      (default 5; SKIP_BUILD=1 reuses the release binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
command -v kubectl >/dev/null || { echo "kubectl is not installed" >&2; exit 1; }
if [ "${SKIP_BUILD:-}" != 1 ]; then
    echo "building release binaries (static Swift runtime) ..." >&2
    swift build -c release --static-swift-stdlib --product datumctl >/dev/null
    swift build -c release --static-swift-stdlib --product datumctl-sandbox >/dev/null
fi
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
mkdir -p bench/out
[ -f bench/out/policies-500.yaml ] || python3 bench/lib/generate.py 500 >bench/out/policies-500.yaml
[ -f bench/out/policies-1000.yaml ] || python3 bench/lib/generate.py 1000 >bench/out/policies-1000.yaml

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# kubectl sends bearer tokens only over TLS, so the sandbox serves HTTPS with a throwaway CA.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=bench CA" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
    -extfile "$work/san.ext" -out "$work/server.crt" 2>/dev/null
"$bin/datumctl-sandbox" --listen 127.0.0.1:0 --data-dir "$work/data" --tls-cert "$work/server.crt" \
    --tls-key "$work/server.key" >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/stdout" 2>/dev/null && break; sleep 0.1; done
server=$(sed -n 's/^listening on //p' "$work/stdout")
[ -n "$server" ] || { echo "the sandbox did not start" >&2; cat "$work/stderr" >&2; exit 1; }

python3 - "$bin" "$server" "$work" "$runs" <<'PY'
import os, subprocess, sys
sys.path.insert(0, "bench/lib")
from measure import measure, run_once, fmt_time

bin_dir, server, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
token = open(f"{work}/data/admin-token").read().strip()
prefix = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/{}/control-plane"
home = f"{work}/home"
os.makedirs(home, exist_ok=True)

def kubeconfig(project):
    path = f"{work}/kubeconfig-{project}"
    with open(path, "w") as f:
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
    return path

# datumctl's context: the sandbox, its CA and the token (the project comes from DATUM_PROJECT).
with open(f"{work}/datumctl-config", "w") as f:
    f.write(f"""apiVersion: datumctl.config.datum.net/v1beta1
kind: DatumctlConfig
current-context: sandbox
contexts:
- name: sandbox
  server: {server}
  token: {token}
  certificate-authority: {work}/ca.crt
""")

def env_for(project):
    env = dict(os.environ)
    env.update(HOME=home, KUBECONFIG=kubeconfig(project), DATUM_PROJECT=project,
               DATUMCTL_CONFIG=f"{work}/datumctl-config")
    return env

datumctl = f"{bin_dir}/datumctl"
# Seed the project `get` reads from.
subprocess.run([datumctl, "apply", "-f", "bench/out/policies-500.yaml"], env=env_for("bench-get"),
               check=True, stdout=subprocess.DEVNULL)

counter = {"n": 0}
def fresh(project_base):
    counter["n"] += 1
    return f"{project_base}-{counter['n']}"

rows = []
def row(label, kubectl_argv, datumctl_argv, project=None, fresh_project=None):
    def runner(argv):
        if fresh_project:
            # Every run applies into a new, empty project, so each run does the same work.
            def one():
                # One timed run, no warm-up: a warm-up would fill the project first.
                elapsed, peak, code, stderr = run_once(argv, env=env_for(fresh(fresh_project)))
                if code != 0:
                    sys.exit(f"command failed ({code}): {' '.join(argv)}\n{stderr}")
                return elapsed, peak
            # The first run only warms caches (binary pages, the server); it is not counted.
            results = [one() for _ in range(runs + 1)][1:]
            times = sorted(t for t, _ in results)
            return times[len(times) // 2], max(r for _, r in results)
        return measure(argv, runs=runs, env=env_for(project))
    k_t, k_rss = runner(kubectl_argv)
    d_t, d_rss = runner(datumctl_argv)
    rows.append((label, k_t, d_t, k_rss, d_rss))

row("get 500 backendtlspolicies",
    ["kubectl", "get", "backendtlspolicies"], [datumctl, "get", "backendtlspolicies"], project="bench-get")
row("apply 1,000-document file",
    ["kubectl", "apply", "--server-side", "-f", "bench/out/policies-1000.yaml"],
    [datumctl, "apply", "-f", "bench/out/policies-1000.yaml"], fresh_project="bench-apply")
row("explain --recursive",
    ["kubectl", "explain", "backendtlspolicies", "--recursive"],
    [datumctl, "explain", "backendtlspolicies", "--recursive"], project="bench-get")

print(f"datumctl vs kubectl ({subprocess.run(['kubectl', 'version', '--client'], capture_output=True, text=True).stdout.splitlines()[0]}), "
      f"median of {runs} runs, sandbox at {server}")
print(f"{'':28}{'kubectl':>11}{'datumctl':>11}{'ratio':>8}{'kubectl RSS':>14}{'datumctl RSS':>14}")
for label, k_t, d_t, k_rss, d_rss in rows:
    print(f"{label:28}{fmt_time(k_t):>11}{fmt_time(d_t):>11}{k_t / d_t:>7.1f}x{k_rss:>10.1f} MiB{d_rss:>10.1f} MiB")
PY
