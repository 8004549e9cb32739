#!/usr/bin/env bash
# The full fault test: millrace-faulttest run with a long fault phase (default 300 s). Not part of ctest.
#   tools/faulttest/run.sh [--duration S] [other millrace-faulttest run options]
# Builds the tool and the daemon first (BUILD_DIR, default ./build). Prints the JSON summary; exit 0 = pass.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$repo/build}"
ninja -C "$build" millraced millrace-faulttest >&2
args=("$@")
has_duration=0
for a in "${args[@]}"; do [[ "$a" == --duration* ]] && has_duration=1; done
(( has_duration )) || args=(--duration 300 "${args[@]}")
exec "$build/tools/faulttest/millrace-faulttest" run "${args[@]}"
