#!/usr/bin/env bash
# The local-cluster command end to end: start a 3-node cluster, create an RF=3 topic, kill -9 its leader,
# see a new one elected, pause/resume a node, restart the killed one, stop, start again with the data, destroy.
# Usage: local_cluster_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
build="$2"
lc="$src/tools/cluster/local-cluster"
dir="$(mktemp -d "${TMPDIR:-/tmp}/millrace-local-cluster.XXXXXX")"
cleanup() { "$lc" --dir "$dir" destroy >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
run() { "$lc" --dir "$dir" --build-dir "$build" "$@"; }
fail() { echo "FAIL: $*" >&2; for n in 0 1 2; do echo "--- node $n" >&2; run logs "$n" -n 30 >&2 || true; done; exit 1; }
# Only running nodes: a client given a dead node first may fail instead of trying the next one.
cli() { "$build/tools/cli/millrace" --bootstrap "$(run bootstrap --running)" "$@"; }

rmdir "$dir"  # start creates it
run start -- --set raft_tick_ms=20 --set election_timeout_ms=300 --set heartbeat_interval_ms=60 || fail "start"
[ "$(run status --json | python3 -c 'import json,sys; print(sorted(n["state"] for n in json.load(sys.stdin)["nodes"]))')" = "['running', 'running', 'running']" ] || fail "status after start"
[ "$(run bootstrap | tr ',' '\n' | wc -l)" = 3 ] || fail "bootstrap lists 3 nodes"

cli topic create t -p 1 -r 3 >/dev/null || fail "topic create"
leader="$(run leader t 0)" || fail "no leader"
seq 1 50 | cli produce t >/dev/null || fail "produce"

run kill "$leader" >/dev/null || fail "kill"
[ "$(run status --json | python3 -c "import json,sys; print([n['state'] for n in json.load(sys.stdin)['nodes']][$leader])")" = stopped ] || fail "killed node still running"
new_leader=""
for _ in $(seq 1 100); do
  new_leader="$(run leader t 0 --timeout 1 2>/dev/null || true)"
  [ -n "$new_leader" ] && [ "$new_leader" != "$leader" ] && break
  sleep 0.1
done
[ -n "$new_leader" ] && [ "$new_leader" != "$leader" ] || fail "no new leader after killing $leader"
seq 51 60 | cli produce t >/dev/null || fail "produce after failover"

other=$(( (new_leader + 1) % 3 )); [ "$other" = "$leader" ] && other=$(( (new_leader + 2) % 3 ))
run pause "$other" >/dev/null || fail "pause"
[ "$(run status --json | python3 -c "import json,sys; print([n['state'] for n in json.load(sys.stdin)['nodes']][$other])")" = paused ] || fail "pause state"
run resume "$other" >/dev/null || fail "resume"

run start "$leader" >/dev/null || fail "restart the killed node"
[ "$(cli consume t --from-beginning --max-messages 60 --timeout-ms 5000 | wc -l)" = 60 ] || fail "consume 60 records"

run down >/dev/null || fail "down"
[ "$(run status --json | python3 -c 'import json,sys; print(sorted(n["state"] for n in json.load(sys.stdin)["nodes"]))')" = "['stopped', 'stopped', 'stopped']" ] || fail "status after down"
run start >/dev/null || fail "start again"
run restart 1 >/dev/null || fail "restart 1"
cli topic describe t >/dev/null || fail "topic kept across down/start"
[ "$(cli consume t --from-beginning --max-messages 60 --timeout-ms 5000 | wc -l)" = 60 ] || fail "records kept across down/start"

run destroy >/dev/null || fail "destroy"
[ ! -e "$dir" ] || fail "destroy left $dir"
echo "local-cluster: ok"
