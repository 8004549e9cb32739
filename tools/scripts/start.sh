#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running single-node broker: installs what is missing,
# builds, and starts millraced with the default config (node 0, ./data, port 9192). Extra arguments go to
# millraced, e.g. `tools/scripts/start.sh --config config/millrace.yaml`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
"$root/tools/scripts/install-deps.sh"
"$root/tools/scripts/build.sh"
cd "$root"
exec "$root/build/tools/daemon/millraced" "$@"
