#!/usr/bin/env bash
# Configures (CMake + Ninja, Release) and builds Millrace into ./build. Idempotent and incremental.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${MILLRACE_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)"
