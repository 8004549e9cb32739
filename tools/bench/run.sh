#!/usr/bin/env bash
# Millrace's comparison benchmark, in one command:
#
#   tools/bench/run.sh [--quick] [--profile] [--skip-jetstream] [--out DIR]
#   tools/bench/run.sh --e2e-check PAIRS [--quick] [--out DIR]
#
# Installs what it needs (iperf3, fio, nats-server, golang, golang-github-nats-io-go-nats-dev, perf) with
# apt-get when missing, builds millrace, millraced and millrace-ingest-floor (Release, in $BUILD_DIR, default
# build-bench) and the JetStream load generator, then measures the machine's limits, Millrace and NATS
# JetStream on this machine, all on 127.0.0.1 with ports chosen at run time, and writes results.md /
# results.json to --out (default $BUILD_DIR/bench-results). Every server it starts is stopped on exit. About
# 7-10 minutes; --quick about 2-4. --e2e-check runs only the e2e target: the produce peak, then PAIRS
# alternating attempts of Millrace and the relay reference at half and a quarter of it (about a minute per
# pair). Numbers only: not a test, not part of ctest or .ci/run. docs/performance.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"
OUT="$BUILD_DIR/bench-results"
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --quick|--profile|--skip-jetstream) ARGS+=("$1"); shift ;;
    --e2e-check)
      if [[ $# -lt 2 || ! "$2" =~ ^[1-9][0-9]*$ ]]; then
        echo "run.sh: --e2e-check needs a number of pairs (1 or more)" >&2
        exit 2
      fi
      ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
missing() {  # the packages among "$@" that are not installed
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
  done
}
mapfile -t need < <(missing iperf3 fio nats-server golang-go golang-github-nats-io-go-nats-dev python3)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "bench: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v perf >/dev/null; then  # for --profile only: go on without it
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq linux-perf >/dev/null 2>&1 ||
    echo "bench: linux-perf not installed; --profile will show off-CPU samples only"
fi
# The project's own dependencies (Boost, Protobuf, ...), as the other scripts install them.
"$ROOT/tools/scripts/install-deps.sh" >/dev/null

echo "bench: building millrace, millraced and millrace-ingest-floor (Release) in $BUILD_DIR"
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C "$BUILD_DIR" millrace millraced millrace-ingest-floor >/dev/null

echo "bench: building the JetStream load generator (Debian's nats.go, GOPATH mode, offline)"
mkdir -p "$BUILD_DIR/bench"
(cd "$ROOT/tools/bench/jsbench" &&
  GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off GOCACHE="$BUILD_DIR/bench/go-cache" \
    go build -o "$BUILD_DIR/bench/jsbench" .)

WORK="$BUILD_DIR/bench/work"
mkdir -p "$WORK" "$OUT"
cleanup() { rm -rf "$WORK"/run.*; }
trap cleanup EXIT
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$ROOT/tools/bench/compare.py" --millrace "$BUILD_DIR/tools/cli/millrace" \
  --millraced "$BUILD_DIR/tools/daemon/millraced" --jsbench "$BUILD_DIR/bench/jsbench" \
  --ingest-floor "$BUILD_DIR/tools/ingestfloor/millrace-ingest-floor" \
  --work-dir "$WORK" --out "$OUT" "${ARGS[@]}"
