#!/usr/bin/python3
"""Millrace's comparison benchmark: the machine's limits, Millrace single node and 3-node RF=3, NATS JetStream
(R1, R3), in one
run on this machine, written as a Markdown table with ratios. Started by tools/bench/run.sh, which installs
and builds what this needs; see docs/performance.md for the method.

Numbers only: nothing here passes or fails a build."""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jetstream_runs  # noqa: E402
import machine  # noqa: E402
import millrace_runs  # noqa: E402
import procs  # noqa: E402
import profiling  # noqa: E402
import report  # noqa: E402

# Message counts per run, and the cap on each run's sending time (a slow configuration sends fewer messages;
# the table shows how many). JetStream gets the same counts and caps as Millrace's acks=1 runs.
# The runs behind the targets (1 KiB, 8 partitions: Millrace's produce and consume at acks=1 and all, its e2e at
# half of peak, JetStream R1's produce and consume) are made `repeats` times and the median kept: on a VM whose
# host takes up to a third of the CPU time for seconds at a time (steal), one attempt says little.
FULL = dict(messages={1024: 1_000_000, 100: 2_000_000}, messages_acks_all={1024: 200_000, 100: 500_000},
            cap_s=20, e2e_s=10, iperf_s=5, fio_s=5, idle_s=5, repeats=3)
QUICK = dict(messages={1024: 200_000, 100: 500_000}, messages_acks_all={1024: 30_000, 100: 50_000},
             cap_s=6, e2e_s=3, iperf_s=2, fio_s=2, idle_s=2, repeats=1)
SIZES, ACKS, PARTITIONS = (1024, 100), ("1", "all"), (1, 8)
MEMORY_PARTITIONS, MEMORY_FALLBACK_PARTITIONS = 10_000, 5_000


class Paths:
    def __init__(self, args):
        self.millrace, self.millraced, self.jsbench = args.millrace, args.millraced, args.jsbench
        self.ingest_floor = args.ingest_floor


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def mb(result):
    value = result.get("mb_per_s")
    return "? MB/s" if value is None else f"{value:.1f} MB/s"


def median_run(attempts, key):
    """The attempt whose `key` is the median of those that have it (the last attempt if none has), carrying
    every attempt's figure and CPU steal under "attempts"."""
    measured = sorted((a for a in attempts if a.get(key) is not None), key=lambda a: a[key])
    chosen = dict(measured[len(measured) // 2] if measured else attempts[-1])
    if len(attempts) > 1:
        chosen["attempts"] = [{"value": a.get(key), "steal_pct": a.get("steal_pct")} for a in attempts]
        chosen["median_of"] = key
    return chosen


def measure_ingest_floor(paths, plan, work, log, attempts=3):
    """The ingest floor without and with checksums (machine.ingest_floor), the median of `attempts` each, for
    as many bytes as the 1 KiB produce runs send."""
    total_bytes = plan["messages"][1024] * 1024
    return {name: median_run([machine.ingest_floor(paths.ingest_floor, work, total_bytes, checksums, log)
                              for _ in range(attempts)], "mb_per_s")
            for name, checksums in (("plain", False), ("checksums", True))}


def repeats_for(plan, size, partitions):
    return plan["repeats"] if size == 1024 and partitions == 8 else 1


def machine_state():
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    top = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"], capture_output=True,
                         text=True).stdout.splitlines()[:6]
    ticks, steal = procs.cpu_ticks()
    return {"load": load, "busiest": [" ".join(line.split()) for line in top], "cpu_ticks": ticks,
            "steal_ticks": steal}


def run_millrace(paths, plan, work, log, results, profile_dir, paired_jetstream):
    say("millrace: single node, default config (flush: always)")
    broker = millrace_runs.Broker(paths, work, "millrace-single")
    try:
        for size in SIZES:
            for acks in ACKS:
                for partitions in PARTITIONS:
                    counts = plan["messages"] if acks == "1" else plan["messages_acks_all"]
                    topic = f"bench-{size}-{'all' if acks == 'all' else acks}-{partitions}"
                    produces, consumes = [], []
                    # The produce / JetStream target: JetStream R1's attempts alternate with Millrace's, so that
                    # both meet the same host (whose share of the CPU drifts by tens of per cent in minutes).
                    pair = paired_jetstream and size == 1024 and acks == "1" and partitions == 8
                    js_cluster = jetstream_runs.NatsCluster(work, "nats-r1-paired", 1) if pair else None
                    js_produces, js_consumes = [], []
                    for attempt in range(repeats_for(plan, size, partitions)):
                        name = topic if attempt == 0 else f"{topic}-{attempt}"
                        profile = None
                        if profile_dir and size == 1024 and partitions == 8 and attempt == 0:
                            profile = profiling.Profile(broker.pid, os.path.join(profile_dir, f"millrace-{topic}"))
                        produces.append(millrace_runs.produce(broker, log, name, counts[size], size, acks,
                                                              partitions, plan["cap_s"]))
                        if profile:
                            profile.stop()
                            results["profiles"][topic] = profile.summary()
                        consumes.append(millrace_runs.consume(broker, log, name))
                        if js_cluster:
                            say(f"  {topic}: JetStream R1's attempt {attempt + 1}, alternating")
                            js_produced, js_consumed = jetstream_runs.produce_then_consume(
                                paths, js_cluster, log, "B1024S8", counts[size], size, partitions, 1, plan["cap_s"])
                            js_produces.append(js_produced)
                            js_consumes.append(js_consumed)
                    if js_cluster:
                        js_cluster.stop()
                        results["jetstream_paired"] = {"replicas": 1, "size": size, "partitions": partitions,
                                                       "produce": median_run(js_produces, "mb_per_s"),
                                                       "consume": median_run(js_consumes, "mb_per_s")}
                    produced, consumed = median_run(produces, "mb_per_s"), median_run(consumes, "mb_per_s")
                    results["millrace"].append({"size": size, "acks": acks, "partitions": partitions,
                                                "produce": produced, "consume": consumed})
                    say(f"  {topic}: produce {mb(produced)}, consume {mb(consumed)} {produced.get('error', '')}")
        peak = next(r["produce"].get("msgs_per_s", 0) for r in results["millrace"]
                    if r["size"] == 1024 and r["acks"] == "1" and r["partitions"] == 8)
        results["e2e_rates"] = [half_of(peak)]
        run_e2e(broker, plan, log, results, "Millrace, flush: always", half_of(peak), plan["repeats"], (paths, work))
        # Lower points of the latency curve: where the p99 stands when the two cores are not nearly saturated.
        results["e2e_curve_rates"] = [fraction_of(peak, 4), fraction_of(peak, 10)]
        for rate in results["e2e_curve_rates"]:
            run_e2e(broker, plan, log, results, "Millrace, flush: always", rate, 1, (paths, work))
    finally:
        broker.stop()
    say("millrace: diagnostic, flush: interval (acks=1 then never waits for fsync work)")
    broker = millrace_runs.Broker(paths, work, "millrace-interval", settings=("flush=interval",))
    try:
        produced = millrace_runs.produce(broker, log, "bench-interval", plan["messages"][1024], 1024, "1", 8,
                                         plan["cap_s"])
        consumed = millrace_runs.consume(broker, log, "bench-interval")
        results["millrace_interval"] = {"produce": produced, "consume": consumed}
        results["e2e_rates"].append(half_of(produced.get("msgs_per_s", 0)))
        for rate in results["e2e_rates"]:
            run_e2e(broker, plan, log, results, "Millrace, flush: interval", rate)
    finally:
        broker.stop()


def run_tmpfs(paths, plan, log, results):
    """flush: always with the data on tmpfs: fsync and rename cost nothing, so what is left is the code's own
    ceiling (CPU, copies, one batch in flight per partition)."""
    if not os.path.isdir("/dev/shm"):
        return
    say("millrace: diagnostic, flush: always with the data on tmpfs (/dev/shm): no disk waits")
    shm = tempfile.mkdtemp(prefix="millrace-bench.", dir="/dev/shm")
    broker = millrace_runs.Broker(paths, shm, "millrace-tmpfs")
    try:
        for acks in ACKS:
            topic = f"bench-tmpfs-{acks}"
            counts = plan["messages"] if acks == "1" else plan["messages_acks_all"]
            produced = millrace_runs.produce(broker, log, topic, counts[1024], 1024, acks, 8, plan["cap_s"])
            consumed = millrace_runs.consume(broker, log, topic)
            results["millrace_tmpfs"].append({"acks": acks, "produce": produced, "consume": consumed})
    finally:
        broker.stop()
        shutil.rmtree(shm, ignore_errors=True)


def run_cluster(paths, plan, work, log, results):
    """Millrace 3 nodes, RF=3, min.insync.replicas=2, acks=all (flush: always): the replicated configuration
    users run, beside JetStream R3."""
    say("millrace: 3-node cluster, RF=3, acks=all")
    cluster = millrace_runs.Cluster(paths, work, "millrace-cluster")
    try:
        for size in SIZES:
            topic = f"bench-rf3-{size}"
            error = cluster.create_topic(log, topic, 8, 3, ("min.insync.replicas=2",))
            if error:
                results["millrace_cluster"].append({"size": size, "produce": {"error": error}, "consume": {}})
                say(f"  {topic}: {error}")
                continue
            produced = millrace_runs.produce(cluster, log, topic, plan["messages_acks_all"][size], size, "all", 8,
                                             plan["cap_s"])
            consumed = millrace_runs.consume(cluster, log, topic)
            results["millrace_cluster"].append({"size": size, "produce": produced, "consume": consumed})
            say(f"  {topic}: produce {mb(produced)}, consume {mb(consumed)} {produced.get('error', '')}")
    finally:
        cluster.stop()


def fraction_of(peak_msgs_per_s, divisor):
    return max(100.0, round(peak_msgs_per_s / divisor))


def half_of(peak_msgs_per_s):
    return fraction_of(peak_msgs_per_s, 2)


def e2e_attempt(broker, plan, log, system, rate, topic, attempt, repeats, floor=None):
    """One attempt of Millrace's e2e at `rate` on `topic`; with `floor` (the paths and the work directory),
    followed by one of the relay reference at the same rate, so that both meet the same host (its share of the
    CPU and its memory drift by the minute). Returns (Millrace's result, the reference's or None)."""
    say(f"  end-to-end, {system}, {rate:.0f} msgs/s" + (f" ({attempt + 1} of {repeats})" if repeats > 1 else ""))
    millrace = millrace_runs.e2e(broker, log, topic, rate, plan["e2e_s"], 1024, 8)
    if not floor:
        return millrace, None
    paths, work = floor
    say(f"  end-to-end, the relay reference (millrace-ingest-floor --rate), {rate:.0f} records/s")
    return millrace, machine.latency_floor(paths.ingest_floor, work, rate, plan["e2e_s"], log)


def run_e2e(broker, plan, log, results, system, rate, repeats=1, floor=None):
    """Millrace's e2e latency at `rate`, the median p99 of `repeats` attempts; with `floor`, each attempt is
    followed by one of the relay reference (e2e_attempt)."""
    attempts, floors = [], []
    for attempt in range(repeats):
        topic = f"bench-e2e-{rate:.0f}" + (f"-{attempt}" if attempt else "")
        millrace, reference = e2e_attempt(broker, plan, log, system, rate, topic, attempt, repeats, floor)
        attempts.append(millrace)
        if reference is not None:
            floors.append(reference)
    results["e2e"].append({"system": system, "rate": rate, "result": median_run(attempts, "p99_ms")})
    if floor:
        results["e2e"].append({"system": report.FLOOR, "rate": rate, "result": median_run(floors, "p99_ms")})


def run_e2e_check(paths, plan, work, log, results, pairs):
    """The e2e target alone, and whether this machine allows it at all: the 1 KiB acks=1 8-partition produce
    peak (the median of `repeats` attempts, as the full run measures it), then at half and a quarter of it
    `pairs` attempts of Millrace's e2e, each followed by one of the relay reference at the same rate. The
    reference does the least a broker must do per message; where it cannot keep a p99 under 5 ms, no broker
    on this machine can (docs/performance.md, section 5)."""
    say("millrace: the e2e target on its own, beside the relay reference")
    broker = millrace_runs.Broker(paths, work, "millrace-e2e-check")
    try:
        produces = [millrace_runs.produce(broker, log, f"bench-peak-{attempt}", plan["messages"][1024], 1024, "1",
                                          8, plan["cap_s"]) for attempt in range(plan["repeats"])]
        peak = median_run(produces, "mb_per_s")
        results["e2e_check"] = {"peak": peak, "rates": []}
        say(f"  produce peak {mb(peak)}, {peak.get('msgs_per_s', 0):,.0f} msgs/s")
        for rate in (half_of(peak.get("msgs_per_s", 0)), fraction_of(peak.get("msgs_per_s", 0), 4)):
            rows = []
            for attempt in range(pairs):
                millrace, reference = e2e_attempt(broker, plan, log, "Millrace", rate,
                                                  f"bench-check-{rate:.0f}-{attempt}", attempt, pairs, (paths, work))
                rows.append({"millrace": millrace, "reference": reference})
            results["e2e_check"]["rates"].append({"rate": rate, "pairs": rows})
    finally:
        broker.stop()


def run_memory(paths, plan, work, log, results):
    say(f"millrace: memory with {MEMORY_PARTITIONS} partitions")
    memory = millrace_runs.memory(paths, work, log, MEMORY_PARTITIONS, plan["idle_s"])
    results["memory"] = [memory]
    if "error" in memory:
        say(f"  {memory['error']}; again with {MEMORY_FALLBACK_PARTITIONS}")
        results["memory"].append(millrace_runs.memory(paths, work, log, MEMORY_FALLBACK_PARTITIONS, plan["idle_s"]))


def run_jetstream(paths, plan, work, log, results):
    say("jetstream: R1")
    cluster = jetstream_runs.NatsCluster(work, "nats-r1", 1)
    try:
        for size in SIZES:
            for subjects in PARTITIONS:
                stream = f"B{size}S{subjects}"
                paired = results.get("jetstream_paired")
                if paired and paired["size"] == size and paired["partitions"] == subjects:
                    results["jetstream"].append(paired)  # measured alternating with Millrace's attempts
                    say(f"  {stream}: measured beside Millrace's attempts")
                    continue
                produces, consumes = [], []
                for attempt in range(repeats_for(plan, size, subjects)):
                    name = stream if attempt == 0 else f"{stream}A{attempt}"
                    produced, consumed = jetstream_runs.produce_then_consume(
                        paths, cluster, log, name, plan["messages"][size], size, subjects, 1, plan["cap_s"])
                    produces.append(produced)
                    consumes.append(consumed)
                produced, consumed = median_run(produces, "mb_per_s"), median_run(consumes, "mb_per_s")
                results["jetstream"].append({"replicas": 1, "size": size, "partitions": subjects,
                                             "produce": produced, "consume": consumed})
                say(f"  {stream}: produce {mb(produced)}, consume {mb(consumed)} {produced.get('error', '')}")
        for rate in results.get("e2e_rates", [1000.0]) + results.get("e2e_curve_rates", []):
            say(f"  end-to-end, JetStream R1, {rate:.0f} msgs/s")
            result = jetstream_runs.e2e(paths, cluster, log, f"E2E{rate:.0f}", rate, plan["e2e_s"], 1024, 8, 1)
            results["e2e"].append({"system": "JetStream R1", "rate": rate, "result": result})
    finally:
        cluster.stop()
    say("jetstream: R3 (three nodes)")
    cluster = jetstream_runs.NatsCluster(work, "nats-r3", 3)
    try:
        produced, consumed = jetstream_runs.produce_then_consume(paths, cluster, log, "R3", plan["messages"][1024],
                                                                 1024, 8, 3, plan["cap_s"])
        results["jetstream"].append({"replicas": 3, "size": 1024, "partitions": 8, "produce": produced,
                                     "consume": consumed})
    finally:
        cluster.stop()


def pairs_count(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs 1 or more pairs, not {value}")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer messages and shorter runs (~4 minutes)")
    parser.add_argument("--millrace", required=True)
    parser.add_argument("--millraced", required=True)
    parser.add_argument("--jsbench", required=True)
    parser.add_argument("--ingest-floor", required=True, help="the millrace-ingest-floor binary")
    parser.add_argument("--work-dir", required=True, help="data of this run (removed servers' data stays)")
    parser.add_argument("--out", required=True, help="directory for results.md, results.json, bench.log")
    parser.add_argument("--profile", action="store_true", help="profile the broker in the 1 KiB 8-partition runs")
    parser.add_argument("--skip-jetstream", action="store_true")
    parser.add_argument("--e2e-check", type=pairs_count, metavar="PAIRS", default=0,
                        help="only the e2e target: PAIRS alternating attempts of Millrace and the relay reference "
                             "at half and a quarter of the produce peak (~1 minute per pair)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    paths = Paths(args)
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="run.", dir=args.work_dir)
    log = open(os.path.join(args.out, "bench.log"), "wb")
    results = {"started": datetime.datetime.now().isoformat(timespec="seconds"), "quick": args.quick,
               "before": machine_state(), "millrace": [], "jetstream": [], "e2e": [], "profiles": {},
               "millrace_tmpfs": [], "millrace_cluster": []}
    results["commit"] = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe",
                                        "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
    started = time.monotonic()
    if args.e2e_check > 0:
        run_e2e_check(paths, plan, work, log, results, args.e2e_check)
        finish(args, results, started, report.render_e2e_check)
        return
    say(f"machine: loopback TCP (iperf3, {plan['iperf_s']} s)")
    results["loopback"] = machine.loopback_mb_per_s(work, plan["iperf_s"], log)
    say("machine: disk (fio)")
    results["disk"] = machine.disk(work, plan["fio_s"], log)
    say(f"machine: how late an idle thread wakes ({plan['idle_s']} s of 1 ms sleeps)")
    results["lateness"] = machine.wakeup_lateness(plan["idle_s"])
    say("machine: one loopback stream into 8 page-cache files, no protocol (millrace-ingest-floor)")
    results["ingest_floor"] = measure_ingest_floor(paths, plan, work, log)
    run_millrace(paths, plan, work, log, results, args.out if args.profile else None, not args.skip_jetstream)
    run_tmpfs(paths, plan, log, results)
    run_cluster(paths, plan, work, log, results)
    say("machine: disk again (fio), to see how much it drifted during the Millrace runs")
    results["disk_after"] = machine.disk(work, plan["fio_s"], log)
    results["lateness_after"] = machine.wakeup_lateness(plan["idle_s"])
    results["ingest_floor_after"] = measure_ingest_floor(paths, plan, work, log)
    run_memory(paths, plan, work, log, results)
    if not args.skip_jetstream:
        run_jetstream(paths, plan, work, log, results)
    finish(args, results, started, report.render)


def finish(args, results, started, render):
    """Writes results.json and the Markdown that `render` makes of it (results.md), and prints the latter."""
    results["after"] = machine_state()
    results["duration_s"] = time.monotonic() - started
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    markdown = render(results)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(markdown)
    print(markdown)
    say(f"done in {results['duration_s']:.0f} s; results in {args.out}/results.md and results.json")


if __name__ == "__main__":
    main()
