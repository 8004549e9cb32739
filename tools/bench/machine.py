"""The machine's limits, measured in the same run as the brokers: loopback TCP bandwidth (iperf3), the
disk's sequential write rate with and without an fdatasync after every write (fio), on the filesystem that
holds the brokers' data, how fast one loopback connection can fill page-cache files with no protocol at all
(millrace-ingest-floor), and how late an idle thread wakes up (scheduling jitter)."""
import json
import os
import time

import procs


def loopback_mb_per_s(work_dir, seconds, log):
    """One TCP stream over 127.0.0.1, as one client connection to one broker uses."""
    port = procs.free_port()
    server = procs.Server("iperf3", ["iperf3", "-s", "-p", str(port), "-B", "127.0.0.1"],
                          os.path.join(work_dir, "iperf3-server.log"))
    try:
        server.wait_for_port(port)
        result = {}
        # The server can still be busy with wait_for_port's probe connection: then the client's control
        # connection is reset ("unable to receive control message"). A second try gets through.
        for _ in range(2):
            code, out, err = procs.run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds), "-J"],
                                       timeout_s=seconds + 30, log=log)
            try:
                report = json.loads(out)
            except json.JSONDecodeError:
                report = {}
            received = report.get("end", {}).get("sum_received")
            if code == 0 and received:
                return {"mb_per_s": received["bits_per_second"] / 8e6}
            result = {"error": report.get("error") or err.strip() or out.strip()[-200:] or f"exit status {code}"}
            time.sleep(1)
        return result
    finally:
        server.stop()


def _fio(work_dir, name, extra, timeout_s, log):
    """The write stats of one fio job, with "wall_s": the whole command's time (fio's own runtime leaves out a
    final fsync)."""
    argv = ["fio", f"--name={name}", f"--directory={work_dir}", "--rw=write", "--ioengine=psync",
            "--output-format=json", "--unlink=1"] + extra
    started = time.monotonic()
    code, out, err = procs.run(argv, timeout_s=timeout_s, log=log)
    wall_s = time.monotonic() - started
    if code != 0:
        return None, (err.strip() or out.strip())[-300:]
    start = out.find("{")  # fio may print notes before the JSON
    write = json.loads(out[start:])["jobs"][0]["write"]
    write["wall_s"] = wall_s
    return write, None


def disk(work_dir, seconds, log):
    """What a log on this disk can do:
    - page_cache_write: sequential 1 MiB writes into the page cache, no fsync (fio's figure);
    - seq_write: the same followed by one fsync of the file (fio's figure counts the fsync's time), and its
      bytes over the command's wall time (seq_write_synced, which also holds fio's start-up);
    - append_fsync_1m: 1 MiB appends, each followed by fdatasync (the file grows, so every sync also writes
      the inode): the streaming rate of a log that syncs after every write -- "the fio write+fsync figure";
    - append_fsync_4k: the same with 4 KiB appends: how many syncs per second a growing file allows;
    - overwrite_fsync_4k: 4 KiB writes + fdatasync into a preallocated file (no metadata to sync): what
      preallocating segment files would allow."""
    results = {}
    size = "1G" if seconds >= 5 else "256M"
    timed = [f"--runtime={seconds}", "--time_based", "--size=1G", "--fdatasync=1"]
    runs = [
        ("page_cache_write", ["--bs=1M", f"--size={size}"]),
        ("seq_write", ["--bs=1M", f"--size={size}", "--end_fsync=1"]),
        ("append_fsync_1m", ["--bs=1M", "--fallocate=none"] + timed),
        ("append_fsync_4k", ["--bs=4k", "--fallocate=none"] + timed),
        ("overwrite_fsync_4k", ["--bs=4k", "--fallocate=native"] + timed),
    ]
    errors = []
    for name, extra in runs:
        write, error = _fio(work_dir, name, extra, seconds + 300, log)
        if error:
            errors.append(f"{name}: {error}")
        results[name + "_mb_per_s"] = write["bw_bytes"] / 1e6 if write else None
        results[name + "_per_s"] = write["iops"] if write else None
        if name == "seq_write" and write:  # the wall clock also holds fio's start-up
            results["seq_write_synced_mb_per_s"] = write["io_bytes"] / 1e6 / write["wall_s"]
    results["error"] = "; ".join(errors) or None
    return results


def ingest_floor(binary, work_dir, total_bytes, checksums, log):
    """One run of the ingest floor: the most a broker with one network thread can take in on this machine, one
    loopback TCP stream into 8 page-cache files in 256 KiB writes, no protocol (tools/ingestfloor). With
    `checksums` it also copies 1 KiB values into each write and CRC-32Cs it on both sides, the per-byte work
    the record format asks for. Like a broker with the default config, it syncs the files behind the writes and
    drops synced data older than the newest 1 GiB from the page cache (its default --page-cache-window), so that
    past the first gigabyte it writes into just-freed pages as the broker does. Its JSON (MB/s, CPU seconds per GB,
    synced and dropped bytes) as procs.run_json returns it (after a sync, with the CPU steal meanwhile, and
    "error" if it failed)."""
    argv = [binary, "--dir", work_dir, "--bytes", str(total_bytes), "--json"] + (["--checksums"] if checksums else [])
    return procs.run_json(argv, timeout_s=120, log=log)


def latency_floor(binary, work_dir, rate, seconds, log):
    """One run of the relay reference at `rate` 1 KiB records a second for `seconds` (millrace-ingest-floor
    --rate): paced as `millrace bench e2e` paces, through one relay thread that appends each frame to one of 8
    page-cache files (synced and dropped behind as the broker's default config; warmed past the window first)
    and forwards it with sendfile over a second loopback connection, no protocol. A floor for the work per
    message, not for the tail (tools/ingestfloor/README.md). Its JSON (p50_ms ... max_ms, machine_cores, the
    relay's write_seconds and max_write_ms) as procs.run_json returns it, with `messages` = records."""
    argv = [binary, "--dir", work_dir, "--rate", f"{rate:.0f}", "--seconds", str(seconds), "--json"]
    result = procs.run_json(argv, timeout_s=seconds + 120, log=log)
    if "records" in result:
        result["messages"] = result["records"]
    return result


def wakeup_lateness(seconds):
    """How late an otherwise idle thread wakes from 1 ms sleeps, for `seconds`: percentiles in ms. On a VM whose
    host is busy this rises first; no end-to-end latency measured at the same time can be below it. Includes
    the interpreter's own overhead per sleep (~0.05-0.1 ms here), which the p50 shows."""
    late = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        before = time.monotonic()
        time.sleep(0.001)
        late.append((time.monotonic() - before - 0.001) * 1000)
    late.sort()

    def at(q):
        return late[min(len(late) - 1, int(len(late) * q))]
    return {"sleeps": len(late), "p50_ms": at(0.5), "p99_ms": at(0.99), "p999_ms": at(0.999), "max_ms": late[-1]}
