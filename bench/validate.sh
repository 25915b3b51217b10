#!/usr/bin/env bash
# Benchmark: `datumctl validate` on a 10,000-document manifest, next to the time
# libyaml alone takes to scan the same file into events (the floor).
# Targets (issue 2): total within 3x of the bare scan; peak RSS under 64 MiB.
#   bench/validate.sh [DOCUMENTS]        (default 10000; SKIP_BUILD=1 to reuse binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-10000}
out=bench/out
mkdir -p "$out"
if [ "${SKIP_BUILD:-}" != 1 ]; then
    swift build -c release --static-swift-stdlib --product datumctl >/dev/null
    swift build -c release --static-swift-stdlib --product datumctl-bench >/dev/null
fi
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
file="$out/policies-$docs.yaml"
[ -f "$file" ] || python3 bench/lib/generate.py "$docs" >"$file"

python3 - "$bin" "$file" "$docs" <<'PY'
import os, sys
sys.path.insert(0, "bench/lib")
from measure import measure, fmt_time
bin_dir, path, docs = sys.argv[1], sys.argv[2], int(sys.argv[3])
size_mb = os.path.getsize(path) / 1e6
scan_t, scan_rss = measure([f"{bin_dir}/datumctl-bench", "yaml-scan", path])
val_t, val_rss = measure([f"{bin_dir}/datumctl", "validate", "-f", path])
print(f"input: {docs} documents, {size_mb:.2f} MB ({path})")
print(f"{'':28}{'median':>12}{'docs/s':>12}{'MB/s':>10}{'peak RSS':>12}")
for label, t, rss in (("libyaml event scan (floor)", scan_t, scan_rss), ("datumctl validate", val_t, val_rss)):
    print(f"{label:28}{fmt_time(t):>12}{docs / t:>12,.0f}{size_mb / t:>10.1f}{rss:>9.1f} MiB")
ratio = val_t / scan_t
print(f"validate / scan: {ratio:.2f}x (target <= 3x)   peak RSS: {val_rss:.1f} MiB (target < 64 MiB)")
PY
