#!/usr/bin/env python3
"""The storage benchmark: what Millrace's log does on this disk, beside what the disk itself does (fio), all
measured in the same run.

    tools/bench/storage.py [--build-dir build] [--mb 256] [--size 1024] [--recovery-mb 512] [--fio-seconds 5]

Prints one table:
  - append MB/s with flush: always and flush: interval (`millrace bench produce`, acks=all, one partition);
  - sequential read MB/s (`millrace bench consume` of what the interval run wrote; warm page cache);
  - recovery after kill -9: a broker with --recovery-mb of log is killed with SIGKILL and started again; the
    time until it accepts connections, minus a clean start of the same data, per GiB of log;
  - beside them, fio's sequential 1 MiB write rate (into the page cache, and followed by one fsync) and its 1 MiB
    write+fdatasync rate (tools/bench/machine.py), on the file system holding the brokers' data.
Not part of ctest: it takes one to five minutes and its numbers depend on the machine (and on what else
writes to its disk: fsync rates on a shared disk vary several-fold from one run to the next)."""
import argparse
import glob
import json
import os
import shutil
import sys
import tempfile
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402
import millrace_runs  # noqa: E402
import procs  # noqa: E402


def start_broker(paths, work_dir, name, settings, timeout_s=600):
    """A millraced on a free port with data in work_dir/name; returns (broker, seconds until it accepted)."""
    port = procs.free_port()
    argv = [paths.millraced, "--data-dir", os.path.join(work_dir, name), "--listen", f"127.0.0.1:{port}",
            "--set", "log_level=warn"]
    for setting in settings:
        argv += ["--set", setting]
    started = time.monotonic()
    server = procs.Server(f"millraced ({name})", argv, os.path.join(work_dir, f"{name}-{port}.log"))
    server.wait_for_port(port, timeout_s=timeout_s)
    elapsed = time.monotonic() - started
    broker = millrace_runs.Broker.__new__(millrace_runs.Broker)
    broker.paths, broker.port, broker.data_dir, broker.server = paths, port, os.path.join(work_dir, name), server
    return broker, elapsed


def log_bytes(data_dir, topic):
    return sum(os.path.getsize(f) for f in glob.glob(os.path.join(data_dir, f"{topic}-*", "*.log")))


def kill9(broker):
    broker.server.proc.kill()  # SIGKILL to the broker we started
    broker.server.proc.wait()
    broker.server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--work-dir", help="where data goes (default: a new directory under the build dir)")
    parser.add_argument("--mb", type=int, default=256, help="MB produced per append run")
    parser.add_argument("--size", type=int, default=1024, help="bytes per message")
    parser.add_argument("--recovery-mb", type=int, default=512, help="MB of log to recover after kill -9")
    parser.add_argument("--fio-seconds", type=int, default=5)
    parser.add_argument("--max-seconds", type=int, default=120, help="time limit of each produce run")
    parser.add_argument("--json", action="store_true", help="also print every number as JSON")
    args = parser.parse_args()

    build = os.path.abspath(args.build_dir)
    paths = SimpleNamespace(millraced=os.path.join(build, "tools/daemon/millraced"),
                            millrace=os.path.join(build, "tools/cli/millrace"))
    for binary in (paths.millraced, paths.millrace):
        if not os.access(binary, os.X_OK):
            sys.exit(f"missing {binary}: build it first (ninja -C {args.build_dir} millraced millrace)")
    work = args.work_dir or tempfile.mkdtemp(prefix="storage-bench-", dir=build)
    os.makedirs(work, exist_ok=True)
    log = open(os.path.join(work, "bench.log"), "ab")
    out = {"work_dir": work}
    messages = args.mb * 1_000_000 // args.size

    out["fio"] = machine.disk(work, args.fio_seconds, log)

    for policy in ("always", "interval"):
        broker, _ = start_broker(paths, work, f"append-{policy}", [f"flush={policy}"])
        try:
            out[f"append_{policy}"] = millrace_runs.produce(broker, log, "bench", messages, args.size, "all", 1,
                                                            args.max_seconds)
            if policy == "interval":
                out["read"] = millrace_runs.consume(broker, log, "bench")
        finally:
            broker.stop()
        shutil.rmtree(broker.data_dir, ignore_errors=True)

    name = "recovery"
    broker, _ = start_broker(paths, work, name, ["flush=interval"])
    recovery_messages = args.recovery_mb * 1_000_000 // args.size
    out["recovery_load"] = millrace_runs.produce(broker, log, "recover", recovery_messages, args.size, "1", 1,
                                                 args.max_seconds * 3)
    kill9(broker)
    recovered_bytes = log_bytes(broker.data_dir, "recover")
    broker, crash_start_s = start_broker(paths, work, name, [])
    broker.stop()  # clean: writes the clean-shutdown markers
    broker, clean_start_s = start_broker(paths, work, name, [])
    broker.stop()
    shutil.rmtree(broker.data_dir, ignore_errors=True)
    gib = recovered_bytes / 2**30
    out["recovery"] = {"log_bytes": recovered_bytes, "start_after_kill9_s": crash_start_s,
                       "clean_start_s": clean_start_s,
                       "s_per_gib": (crash_start_s - clean_start_s) / gib if gib > 0 else None}
    print_table(out, args)
    if args.json:
        print(json.dumps(out))


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:.{digits}f}"


def print_table(out, args):
    fio = out["fio"]
    seq, seq_synced, fsync = (fio.get("page_cache_write_mb_per_s"), fio.get("seq_write_mb_per_s"),
                              fio.get("append_fsync_1m_mb_per_s"))
    print(f"storage benchmark: {args.size}-byte messages, one partition, acks=all; data in {out['work_dir']}")
    print(f"fio on the same file system: sequential 1 MiB writes {fmt(seq)} MB/s into the page cache, "
          f"{fmt(seq_synced)} MB/s followed by one fsync; 1 MiB write+fdatasync {fmt(fsync)} MB/s "
          f"({fmt(fio.get('append_fsync_4k_per_s'), 0)} 4 KiB write+fdatasync/s)")
    print()
    print(f"{'':40} {'MB/s':>8} {'fio seq write':>14} {'fio write+fsync':>16}")
    rows = [("append, flush: always (fsync per group)", out["append_always"]),
            ("append, flush: interval", out["append_interval"]),
            ("sequential read (consume, warm cache)", out["read"])]
    for label, result in rows:
        value = result.get("mb_per_s")
        note = f"  ({result['error']})" if result.get("error") else ""
        print(f"{label:40} {fmt(value):>8} {fmt(seq):>14} {fmt(fsync):>16}{note}")
    r = out["recovery"]
    print()
    print(f"recovery after kill -9: {r['log_bytes'] / 2**20:.0f} MiB of log; start took "
          f"{r['start_after_kill9_s']:.2f} s (a clean start of the same data: {r['clean_start_s']:.2f} s) "
          f"=> {fmt(r['s_per_gib'], 2)} s per GiB recovered; fio writes a GiB in "
          f"{fmt(1024 / seq_synced if seq_synced else None, 2)} s (synced)")
    print("(recovery reads the log back from the page cache, which kill -9 leaves intact: it measures "
          "validation (CRC-32C) and index rebuilding, not the disk's read rate)")


if __name__ == "__main__":
    main()
