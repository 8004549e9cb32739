#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a full test run: installs what is missing, builds, and runs
# every unit and integration test with ctest. Long soak, fault and benchmark runs are separate commands.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${MILLRACE_BUILD_DIR:-$root/build}"
"$root/tools/scripts/install-deps.sh"
"$root/tools/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
