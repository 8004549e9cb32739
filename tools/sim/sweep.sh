#!/usr/bin/env bash
# Sweeps many simulator seeds in parallel (not part of ctest; CI runs a fixed set).
#   tools/sim/sweep.sh [first_seed] [count] [nodes] [jobs]
# e.g. tools/sim/sweep.sh 1 10000 5 8. Needs a built millrace-sim: $MILLRACE_SIM, or build*/tools/sim/.
# Prints every failing seed (rerun one with: millrace-sim --seed S --nodes N) and exits non-zero if any.
set -euo pipefail
first=${1:-1}
count=${2:-5000}
nodes=${3:-3}
jobs=${4:-$(nproc)}
here=$(cd "$(dirname "$0")/../.." && pwd)
sim=${MILLRACE_SIM:-$(ls -t "$here"/build*/tools/sim/millrace-sim 2>/dev/null | head -1)}
[[ -x "$sim" ]] || { echo "millrace-sim not found; set MILLRACE_SIM" >&2; exit 2; }
chunk=$(( (count + jobs - 1) / jobs ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
started=$(date +%s.%N)
for (( j = 0; j < jobs; j++ )); do
  start=$(( first + j * chunk ))
  n=$(( count - j * chunk < chunk ? count - j * chunk : chunk ))
  (( n > 0 )) || continue
  ( "$sim" --seed "$start" --seeds "$n" --nodes "$nodes" > "$out/$j.txt" 2>&1 || true ) &
done
wait
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
failures=$(cat "$out"/*.txt | grep -E '^(FAIL|ABORT)' || true)
[[ -n "$failures" ]] && echo "$failures"
# A chunk that aborted stopped early: its seeds after the failing one were not run.
grep -h '^swept' "$out"/*.txt | sed 's/^/  /'
echo "sweep of $count seeds from $first, $nodes nodes, $jobs jobs: $(echo "$failures" | grep -c . || true) failures, ${elapsed}s"
[[ -z "$failures" ]]
