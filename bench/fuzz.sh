#!/usr/bin/env bash
# The standing fuzz suites, run longer than CI runs them, with a seed of your choice.
#
#   bench/fuzz.sh [SCALE] [SEED]
#
# SCALE multiplies every suite's case count (CI runs 1: a few thousand cases, fixed seed, well
# under two minutes); SEED defaults to the current time, so repeated runs explore new inputs.
# A failure names the seed and case number: rerun with that seed to replay it, then turn the
# input into a regression test. Suites: the client (manifests through validate and apply
# --dry-run=client, argv through the parser), the sandbox over raw HTTP, the YAML reader, the
# JSON parser, JSONPath numbers and protobuf bodies.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-20}
seed=${2:-$(date +%s)}
echo "==> fuzz: scale $scale, seed $seed"
swift build --build-tests
start=$(date +%s)
DATUMCTL_FUZZ_SCALE=$scale DATUMCTL_FUZZ_SEED=$seed swift test --skip-build \
    --filter 'FuzzCLITests|SandboxHTTPFuzzTests|YAMLReaderFuzzTests|JSONParserFuzzTests|JSONPathNumberTests|ProtobufBodyHardeningTests'
echo "==> fuzz: scale $scale, seed $seed: passed in $(( $(date +%s) - start )) s"
