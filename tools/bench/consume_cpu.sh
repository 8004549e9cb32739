#!/usr/bin/env bash
# consume_cpu.sh BIN_DIR [ROUNDS]: the "Zero-copy fetch" measurement of docs/performance.md. Per round: a fresh
# millraced from BIN_DIR (flush=interval, data in a new directory under $TMPDIR or /tmp) on a free loopback
# port; `bench produce` of 300k x 1 KiB to 8 partitions (acks=1); then `bench consume` of the topic. Prints
# one line per round: consume MB/s, the broker's CPU seconds during the consume (utime+stime from
# /proc/PID/stat) and the client's (/usr/bin/time). To compare two builds, alternate them round by round.
set -euo pipefail
bin=$(cd "$1" && pwd)
rounds=${2:-3}
hz=$(getconf CLK_TCK)
for round in $(seq "$rounds"); do
  data=$(mktemp -d "${TMPDIR:-/tmp}/millrace-consume-cpu-XXXXXX")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  setsid "$bin/millraced" --data-dir "$data/data" --listen "127.0.0.1:$port" --set log_level=warn \
    --set flush=interval > "$data/broker.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 100); do "$bin/millrace" -B "127.0.0.1:$port" topic list > /dev/null 2>&1 && break; sleep 0.1; done
  "$bin/millrace" -B "127.0.0.1:$port" bench produce --topic t --messages 300000 --size 1024 --partitions 8 \
    --acks 1 --json > "$data/produce.json"
  before=$(awk '{print $14+$15}' "/proc/$pid/stat")
  /usr/bin/time -f "%U %S" -o "$data/client.time" \
    "$bin/millrace" -B "127.0.0.1:$port" bench consume --topic t --json > "$data/consume.json"
  after=$(awk '{print $14+$15}' "/proc/$pid/stat")
  python3 - "$data" "$before" "$after" "$hz" "$round" << 'PY'
import json, sys
data, before, after, hz, rnd = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
c = json.load(open(f"{data}/consume.json"))
user, system = (float(x) for x in open(f"{data}/client.time").read().split())
load = open("/proc/loadavg").read().split()[0]
print(f"round {rnd}: {c['mb_per_s']:.1f} MB/s, {c['messages']} messages in {c['elapsed_s']:.2f} s, "
      f"broker CPU {(after - before) / hz:.2f} s, client CPU {user + system:.2f} s, load {load}")
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  trap - EXIT
done
