"""The Markdown report of one comparison run (results.json -> results.md)."""
import re


def num(value, digits=1):
    if value is None or value == "":
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}"
    return str(value)


def ms(result, key):
    value = result.get(key)
    return "–" if value is None else f"{value:.2f}"


def ratio(a, b):
    if not a or not b:
        return None
    return a / b


def error_note(*results):
    messages = [r["error"] for r in results if isinstance(r, dict) and r.get("error")]
    return ("error: " + "; ".join(messages)) if messages else ""


def stopped_note(result):
    if result.get("stopped_early") == "true":
        return f"stopped at the time cap after {result.get('messages', 0):,} of {int(result['planned_messages']):,}"
    return ""


def steal_note(*results):
    # A median of attempts lists each attempt's steal itself (attempts_note).
    worst = max((r.get("steal_pct") or 0 for r in results if isinstance(r, dict) and not r.get("attempts")),
                default=0)
    return f"the hypervisor took {worst:.0f} % of the CPU time" if worst >= 1 else ""


def attempts_note(*results):
    """For a figure that is the median of several attempts: each attempt's value and CPU steal, in order."""
    out = []
    for r in results:
        if not isinstance(r, dict) or not r.get("attempts"):
            continue
        unit, digits = ("p99 ms", 2) if r.get("median_of") == "p99_ms" else ("MB/s", 1)
        values = ", ".join(num(a["value"], digits) + (f" (steal {a['steal_pct']:.0f} %)"
                                                      if (a.get("steal_pct") or 0) >= 1 else "")
                           for a in r["attempts"])
        out.append(f"{r.get('kind', '')} median of {len(r['attempts'])}, {unit}: {values}".strip())
    return "; ".join(out)


def notes(first, *rest):
    """The notes of a table row from its results: medians of attempts, stopped early, CPU time stolen,
    errors."""
    parts = (attempts_note(first, *rest), stopped_note(first), steal_note(first, *rest), error_note(first, *rest))
    return "; ".join(x for x in parts if x)


def lateness(result):
    if not result:
        return "–"
    return f"{num(result['p50_ms'], 2)} / {num(result['p99_ms'], 2)} / {num(result['max_ms'], 2)} ms"


def floor_cell(result):
    """An ingest-floor figure: MB/s, and the whole machine's CPU seconds per GB moved (write-back included)."""
    if not result:
        return "–"
    if result.get("error"):
        return f"error: {short_error(result['error'])}"
    return f"{num(result.get('mb_per_s'))} MB/s ({num(result.get('machine_cpu_s_per_gb'), 2)} CPU-s/GB)"


def machine_section(r):
    loop = r["loopback"].get("mb_per_s")
    d, d2 = r["disk"], r.get("disk_after", {})
    rows = [
        "| limit | before the Millrace runs | after them |",
        "|---|---:|---:|",
        f"| loopback TCP, one stream (iperf3) | {num(loop)} MB/s | |",
        f"| sequential write, 1 MiB, into the page cache, no fsync (fio) "
        f"| {num(d.get('page_cache_write_mb_per_s'))} MB/s | {num(d2.get('page_cache_write_mb_per_s'))} MB/s |",
        f"| the same, then one fsync of the file (fio, fsync time included) | {num(d.get('seq_write_mb_per_s'))} MB/s "
        f"| {num(d2.get('seq_write_mb_per_s'))} MB/s |",
        f"| the same over the command's wall clock | {num(d.get('seq_write_synced_mb_per_s'))} MB/s "
        f"| {num(d2.get('seq_write_synced_mb_per_s'))} MB/s |",
        f"| **write+fsync**: 1 MiB appends, fdatasync after each (fio) | {num(d.get('append_fsync_1m_mb_per_s'))} MB/s "
        f"| {num(d2.get('append_fsync_1m_mb_per_s'))} MB/s |",
        f"| 4 KiB appends + fdatasync: syncs/s of a growing file | {num(d.get('append_fsync_4k_per_s'), 0)} "
        f"| {num(d2.get('append_fsync_4k_per_s'), 0)} |",
        f"| 4 KiB overwrites + fdatasync in a preallocated file: syncs/s | "
        f"{num(d.get('overwrite_fsync_4k_per_s'), 0)} | {num(d2.get('overwrite_fsync_4k_per_s'), 0)} |",
        f"| **ingest floor**: one loopback stream into 8 page-cache files, 256 KiB writes, no protocol "
        f"(millrace-ingest-floor, median of 3) | {floor_cell((r.get('ingest_floor') or {}).get('plain'))} "
        f"| {floor_cell((r.get('ingest_floor_after') or {}).get('plain'))} |",
        f"| the same with 1 KiB values copied into each write and CRC-32C on both sides "
        f"| {floor_cell((r.get('ingest_floor') or {}).get('checksums'))} "
        f"| {floor_cell((r.get('ingest_floor_after') or {}).get('checksums'))} |",
        f"| an idle thread's 1 ms sleeps: how late it wakes, p50 / p99 / max | {lateness(r.get('lateness'))} "
        f"| {lateness(r.get('lateness_after'))} |",
    ]
    if d.get("error") or d2.get("error") or r["loopback"].get("error"):
        rows.append(f"\nErrors: {r['loopback'].get('error') or ''} {d.get('error') or ''} {d2.get('error') or ''}")
    return "## Machine limits\n\n" + "\n".join(rows) + "\n"


def millrace_section(r):
    rows = ["| size | acks | partitions | messages | produce MB/s | produce msgs/s | ack p50 ms | p99 | p99.9 | max "
            "| consume MB/s | consume msgs/s | notes |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in r["millrace"]:
        p, c = row["produce"], row["consume"]
        row_notes = notes(p, c)
        rows.append(f"| {row['size']} B | {row['acks']} | {row['partitions']} | {p.get('messages', 0):,} "
                    f"| {num(p.get('mb_per_s'))} | {num(p.get('msgs_per_s'), 0)} | {ms(p, 'p50_ms')} "
                    f"| {ms(p, 'p99_ms')} | {ms(p, 'p999_ms')} | {ms(p, 'max_ms')} | {num(c.get('mb_per_s'))} "
                    f"| {num(c.get('msgs_per_s'), 0)} | {row_notes} |")
    if "millrace_interval" in r:
        p, c = r["millrace_interval"]["produce"], r["millrace_interval"]["consume"]
        row_notes = notes(p, c)
        rows.append(f"| 1024 B | 1, *flush: interval* | 8 | {p.get('messages', 0):,} | {num(p.get('mb_per_s'))} "
                    f"| {num(p.get('msgs_per_s'), 0)} | {ms(p, 'p50_ms')} | {ms(p, 'p99_ms')} | {ms(p, 'p999_ms')} "
                    f"| {ms(p, 'max_ms')} | {num(c.get('mb_per_s'))} | {num(c.get('msgs_per_s'), 0)} "
                    f"| diagnostic{'; ' + row_notes if row_notes else ''} |")
    for row in r.get("millrace_tmpfs", []):
        p, c = row["produce"], row["consume"]
        row_notes = notes(p, c)
        rows.append(f"| 1024 B | {row['acks']}, *data on tmpfs* | 8 | {p.get('messages', 0):,} "
                    f"| {num(p.get('mb_per_s'))} | {num(p.get('msgs_per_s'), 0)} | {ms(p, 'p50_ms')} | {ms(p, 'p99_ms')} "
                    f"| {ms(p, 'p999_ms')} | {ms(p, 'max_ms')} | {num(c.get('mb_per_s'))} | {num(c.get('msgs_per_s'), 0)} "
                    f"| diagnostic{'; ' + row_notes if row_notes else ''} |")
    return ("## Millrace, single node (default config: `flush: always`)\n\n"
            "Ack latency is measured from each `send()` call, so in these unpaced runs it includes the time a "
            "record waits in the producer's buffer. Diagnostic rows: *flush: interval* (acks=1 then never "
            "competes with fsync work) and *data on tmpfs* (`flush: always` where fsync and rename cost nothing: "
            "the code's own ceiling).\n\n" + "\n".join(rows) + "\n")


def cluster_section(r):
    rows = ["| size | partitions | messages | produce MB/s | produce msgs/s | ack p50 ms | p99 | p99.9 | max "
            "| consume MB/s | consume msgs/s | notes |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in r.get("millrace_cluster", []):
        p, c = row["produce"], row["consume"]
        row_notes = notes(p, c)
        rows.append(f"| {row['size']} B | 8 | {p.get('messages', 0):,} | {num(p.get('mb_per_s'))} "
                    f"| {num(p.get('msgs_per_s'), 0)} | {ms(p, 'p50_ms')} | {ms(p, 'p99_ms')} | {ms(p, 'p999_ms')} "
                    f"| {ms(p, 'max_ms')} | {num(c.get('mb_per_s'))} | {num(c.get('msgs_per_s'), 0)} | {row_notes} |")
    return ("## Millrace 3 nodes, RF=3, min.insync.replicas=2, acks=all, flush: always (all nodes on this "
            "machine)\n\n" + "\n".join(rows) + "\n")


def jetstream_section(r):
    rows = ["| replicas | size | subjects | messages | produce MB/s | produce msgs/s | ack p50 ms | p99 | p99.9 | max "
            "| consume MB/s | consume msgs/s | notes |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in r["jetstream"]:
        p, c = row["produce"], row["consume"]
        rows.append(f"| R{row['replicas']} | {row['size']} B | {row['partitions']} | {p.get('messages', 0):,} "
                    f"| {num(p.get('mb_per_s'))} | {num(p.get('msgs_per_s'), 0)} | {ms(p, 'p50_ms')} "
                    f"| {ms(p, 'p99_ms')} | {ms(p, 'p999_ms')} | {ms(p, 'max_ms')} | {num(c.get('mb_per_s'))} "
                    f"| {num(c.get('msgs_per_s'), 0)} | {notes(p, c)} |")
    return ("## NATS JetStream (file storage; acks after the write, fsync every 2 min: compare with acks=1)\n\n"
            + "\n".join(rows) + "\n")


FLOOR = "Relay reference (no protocol)"  # the e2e rows of millrace-ingest-floor --rate (compare.run_e2e)
# What the relay reference does, for the reports that show it.
FLOOR_DESCRIPTION = ("the same paced 1 KiB records through one relay thread that appends them to 8 page-cache "
                     "files (synced and dropped behind, as the broker's default config) and forwards them with "
                     "sendfile over a second loopback connection, no protocol")
E2E_TARGET_MS = 5.0  # the e2e target: p99 under this at half of the produce peak


def _e2e(r, system, rate):
    return next((x["result"] for x in r.get("e2e", []) if x["system"] == system and x["rate"] == rate), {})


def e2e_section(r):
    rows = ["| system | rate msgs/s | received | e2e p50 ms | p99 | p99.9 | max | ack p50 ms | ack p99 | notes |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for run in sorted(r.get("e2e", []), key=lambda run: run["rate"]):
        name, e = run["system"], run["result"]
        rows.append(f"| {name} | {num(run['rate'], 0)} | {e.get('messages', 0):,} | {ms(e, 'p50_ms')} "
                    f"| {ms(e, 'p99_ms')} | {ms(e, 'p999_ms')} | {ms(e, 'max_ms')} | {ms(e, 'ack_p50_ms')} "
                    f"| {ms(e, 'ack_p99_ms')} | {notes(e)} |")
    return ("## End-to-end latency at half of Millrace's peak rate, and lower on the curve\n\n"
            "1 KiB, acks=1, 8 partitions (subjects), linger 0; latency from each message's intended send time. "
            "The rates are half of the 1 KiB acks=1 8-partition peak with the default config (`flush: always`), "
            "and half of it with `flush: interval`; and a quarter and a tenth of the default peak, where the "
            "producer, the consumer and the broker leave the two cores less busy. The relay reference at each "
            f"rate is `millrace-ingest-floor --rate`, run right after each Millrace attempt: {FLOOR_DESCRIPTION}. "
            "It is a floor for the work per message, not for the tail: when page-cache writes slow "
            "down it can fall further behind than the broker (docs/performance.md).\n\n"
            + "\n".join(rows) + "\n")


def memory_section(r):
    rows = ["| partitions | idle RSS | fds idle | topic created | RSS after produce+consume+idle | fds | RSS per "
            "partition | fds per partition | served | notes |",
            "|---:|---:|---:|---|---:|---:|---:|---:|---|---|"]
    for m in r.get("memory", []):
        created = "no" if "error" in m else f"yes, {m.get('create_s', 0):.1f} s"
        served_mib = m["served_rss_kib"] / 1024 if m.get("served_rss_kib") else None
        rows.append(f"| {m['partitions']:,} | {num(m.get('idle_rss_kib', 0) / 1024)} MiB | {m.get('idle_fds', '–')} "
                    f"| {created} | {num(served_mib)} MiB | {m.get('served_fds', '–')} "
                    f"| {num(m.get('rss_per_partition_kib'))} KiB | {num(m.get('fds_per_partition'), 2)} "
                    f"| {m.get('served', '–')} | {short_error(m.get('error'))} |")
    limit = next((m["fd_limit"] for m in r.get("memory", []) if m.get("fd_limit")), None)
    return (f"## Memory and file descriptors (fresh broker each; its open-file limit: {num(limit, 0)})\n\n"
            + "\n".join(rows) + "\n")


def short_error(message):
    """A broker error in a few words: the Kafka name and the system error it ends with."""
    if not message:
        return ""
    match = re.search(r"partition (\S+?)[ :].*?: ([^:()]+)\)+$", message)
    name = re.search(r"\b([A-Z][A-Z_]{5,})\b", message)
    if match:
        return f"{name.group(1) if name else 'error'} at partition {match.group(1)}: {match.group(2).strip()}"
    return message[-160:]


def _find(rows, **match):
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            return row
    return None


def fd_bound(memory):
    """The broker's descriptor bound with the default max_open_files: half its open-file limit."""
    limit = memory.get("fd_limit")
    return None if not limit else limit // 2


def fds_bounded(memory):
    """Whether the broker stayed within its bound (plus its idle descriptors and a few for connections)."""
    served, bound = memory.get("served_fds"), fd_bound(memory)
    if served is None or bound is None:
        return None
    return served <= bound + memory.get("idle_fds", 0) + 64


def targets_section(r):
    loop = r["loopback"].get("mb_per_s")
    fsync_mb = r["disk"].get("append_fsync_1m_mb_per_s")
    fsync_after = r.get("disk_after", {}).get("append_fsync_1m_mb_per_s")
    m1 = _find(r["millrace"], size=1024, acks="1", partitions=8) or {"produce": {}, "consume": {}}
    mall = _find(r["millrace"], size=1024, acks="all", partitions=8) or {"produce": {}, "consume": {}}
    js1 = _find(r["jetstream"], replicas=1, size=1024, partitions=8) or {"produce": {}}
    rate = (r.get("e2e_rates") or [None])[0]
    e2e = _e2e(r, "Millrace, flush: always", rate)
    curve = [(curve_rate, _e2e(r, "Millrace, flush: always", curve_rate).get("p99_ms"),
              _e2e(r, "JetStream R1", curve_rate).get("p99_ms"), _e2e(r, FLOOR, curve_rate).get("p99_ms"))
             for curve_rate in r.get("e2e_curve_rates", [])]
    floor_e2e = _e2e(r, FLOOR, rate)
    target = f"< {E2E_TARGET_MS:.0f} ms"
    js_e2e = _e2e(r, "JetStream R1", rate)
    memory = (r.get("memory") or [{}])[-1]
    first_memory = (r.get("memory") or [{}])[0]

    def line(target, value, goal, met, diagnostic=""):
        verdict = "–" if met is None else ("met" if met else "**not met**")
        return f"| {target} | {value} | {goal} | {verdict} | {diagnostic} |"

    def cmp(value, goal, higher=True):
        return None if value is None else (value >= goal if higher else value < goal)

    produce_loop = ratio(m1["produce"].get("mb_per_s"), loop)
    floor_mb = ((r.get("ingest_floor") or {}).get("checksums") or {}).get("mb_per_s")
    produce_js = ratio(m1["produce"].get("mb_per_s"), js1["produce"].get("mb_per_s"))
    consume_loop = ratio(m1["consume"].get("mb_per_s"), loop)
    all_fsync = ratio(mall["produce"].get("mb_per_s"), fsync_mb)
    all_fsync_after = ratio(mall["produce"].get("mb_per_s"), fsync_after)
    p99, js_p99 = e2e.get("p99_ms"), js_e2e.get("p99_ms")
    idle_mib = (first_memory.get("idle_rss_kib") or 0) / 1024 or None
    per_partition = memory.get("rss_per_partition_kib")
    interval = r.get("millrace_interval", {"produce": {}, "consume": {}})
    tmpfs_all = _find(r.get("millrace_tmpfs", []), acks="all") or {"produce": {}}
    interval_e2e = _e2e(r, "Millrace, flush: interval", rate)
    cluster1k = _find(r.get("millrace_cluster", []), size=1024) or {"produce": {}}
    js3 = _find(r["jetstream"], replicas=3, size=1024, partitions=8) or {"produce": {}}
    cluster_js = ratio(cluster1k["produce"].get("mb_per_s"), js3["produce"].get("mb_per_s"))
    rows = ["| target | measured | goal | | without the disk waits (diagnostic rows) |", "|---|---:|---:|---|---|",
            line("produce 1 KiB acks=1 8p / loopback", num(produce_loop, 3), "≥ 0.35", cmp(produce_loop, 0.35),
                 f"flush: interval: {num(ratio(interval['produce'].get('mb_per_s'), loop), 3)}; the ingest floor "
                 f"(with checksums) is {num(ratio(floor_mb, loop), 3)} of loopback, and Millrace "
                 f"{num(ratio(m1['produce'].get('mb_per_s'), floor_mb), 3)} of that floor"),
            line("produce 1 KiB acks=1 8p / JetStream R1", num(produce_js, 2), "≥ 4", cmp(produce_js, 4),
                 f"flush: interval: "
                 f"{num(ratio(interval['produce'].get('mb_per_s'), js1['produce'].get('mb_per_s')), 2)}"),
            line("consume 1 KiB 8p / loopback", num(consume_loop, 3), "≥ 0.5", cmp(consume_loop, 0.5),
                 f"flush: interval: {num(ratio(interval['consume'].get('mb_per_s'), loop), 3)}"),
            line("acks=all 1 KiB 8p (flush: always) / fio write+fsync",
                 f"{num(all_fsync, 3)} (vs. after: {num(all_fsync_after, 3)})", "≥ 0.5", cmp(all_fsync, 0.5),
                 f"data on tmpfs: {num(ratio(tmpfs_all['produce'].get('mb_per_s'), fsync_mb), 3)} (no real fsync)"),
            line(f"e2e p99 at half peak ({num(rate, 0)} msgs/s), one node", f"{ms(e2e, 'p99_ms')} ms", target,
                 cmp(p99, E2E_TARGET_MS, False),
                 f"a relay with no protocol at that rate: p99 {ms(floor_e2e, 'p99_ms')} ms "
                 f"({attempts_note(floor_e2e) or 'one attempt'}); flush: interval: {ms(interval_e2e, 'p99_ms')} ms; "
                 f"an idle thread wakes late by p99 {ms(r.get('lateness') or {}, 'p99_ms')} / "
                 f"{ms(r.get('lateness_after') or {}, 'p99_ms')} ms (before / after the Millrace runs)"),
            line("e2e p99 vs JetStream's at the same rate", f"{ms(e2e, 'p99_ms')} vs {ms(js_e2e, 'p99_ms')} ms",
                 "below", None if p99 is None or js_p99 is None else p99 < js_p99,
                 f"flush: interval: {ms(interval_e2e, 'p99_ms')} vs {ms(js_e2e, 'p99_ms')} ms"),
            *[line(f"e2e p99 at {num(curve_rate, 0)} msgs/s (lower on the curve), one node",
                   f"{num(mine, 2)} vs JetStream {num(theirs, 2)} ms", "–", None,
                   (f"{target}; " if mine is not None and mine < E2E_TARGET_MS else "")
                   + f"a relay with no protocol: {num(floor, 2)} ms")
              for curve_rate, mine, theirs, floor in curve],
            line("idle broker RSS", f"{num(idle_mib)} MiB", "< 50 MiB", cmp(idle_mib, 50, False)),
            line(f"{first_memory.get('partitions', 10000):,} partitions served on one node",
                 "yes" if first_memory.get("served") else f"no: {short_error(first_memory.get('error'))}", "yes",
                 bool(first_memory.get("served"))),
            line(f"RSS per idle partition ({memory.get('partitions', 0):,} partitions)",
                 f"{num(per_partition)} KiB", "< 100 KiB", cmp(per_partition, 100, False)),
            line("open fds bounded (segments closed when idle)",
                 f"{memory.get('served_fds', '–')} for {memory.get('partitions', 0):,} partitions", "bounded",
                 fds_bounded(memory),
                 f"bound: max_open_files, default half the open-file limit ({num(fd_bound(memory), 0)})"),
            line("3 nodes RF=3 acks=all 1 KiB 8p / JetStream R3", num(cluster_js, 2), "–", None,
                 f"{num(cluster1k['produce'].get('mb_per_s'))} vs {num(js3['produce'].get('mb_per_s'))} MB/s")]
    return "## Ratios and targets\n\n" + "\n".join(rows) + "\n"


def overall_steal(r):
    before, after = r["before"], r["after"]
    if "cpu_ticks" not in before or "cpu_ticks" not in after or after["cpu_ticks"] <= before["cpu_ticks"]:
        return ""
    share = 100.0 * (after["steal_ticks"] - before["steal_ticks"]) / (after["cpu_ticks"] - before["cpu_ticks"])
    return f" The hypervisor took {share:.1f} % of the machine's CPU time over the whole run (steal)."


def header(r, title):
    return (f"# {title}\n\nRun {r['started']} ({'quick' if r['quick'] else 'full'}), "
            f"commit {r.get('commit', '?')}, {r.get('duration_s', 0):.0f} s. Load average before: "
            f"{r['before']['load']}, after: {r['after']['load']}. Busiest processes at the start: "
            f"{'; '.join(r['before']['busiest'][:4])}.{overall_steal(r)}\n\n"
            f"MB = 10^6 bytes; bytes are record values only.\n")


def _p99_cell(result, *extra_keys):
    """A check row's cells for one attempt: its p99, the `extra_keys` (ms), and the CPU steal meanwhile."""
    if result.get("error"):
        return " | ".join([f"error: {short_error(result['error'])}"] + ["–"] * (len(extra_keys) + 1))
    steal = result.get("steal_pct")
    cells = [ms(result, "p99_ms")] + [ms(result, key) for key in extra_keys]
    return " | ".join(cells + ["–" if steal is None else f"{steal:.0f} %"])


def _under_target(results):
    return sum(1 for x in results if not x.get("error") and x.get("p99_ms") is not None
               and x["p99_ms"] < E2E_TARGET_MS)


def e2e_check_section(r):
    check = r["e2e_check"]
    peak = check["peak"]
    parts = [f"The produce peak (1 KiB, acks=1, 8 partitions, the default config): "
             f"{num(peak.get('mb_per_s'))} MB/s, {num(peak.get('msgs_per_s'), 0)} msgs/s "
             f"({notes(peak) or 'one attempt'}). At each rate below, every "
             f"pair is one `millrace bench e2e` (1 KiB, acks=1, 8 partitions, linger 0, on the same warmed broker) "
             f"and then one run of the relay reference (`millrace-ingest-floor --rate`: {FLOOR_DESCRIPTION}). "
             f"The reference does the "
             f"least a broker must do per message: where it cannot keep its p99 under "
             f"{E2E_TARGET_MS:.0f} ms, no broker on this machine can."]
    for point in check["rates"]:
        pairs = point["pairs"]
        rows = ["| pair | Millrace e2e p99 ms | ack p99 | send lag p99 | steal | relay reference p99 ms "
                "| longest write ms | steal |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for index, pair in enumerate(pairs, 1):
            rows.append(f"| {index} | {_p99_cell(pair['millrace'], 'ack_p99_ms', 'send_lag_p99_ms')} "
                        f"| {_p99_cell(pair['reference'], 'max_write_ms')} |")
        millrace = _under_target(p["millrace"] for p in pairs)
        reference = _under_target(p["reference"] for p in pairs)
        parts.append(f"### {num(point['rate'], 0)} msgs/s\n\n" + "\n".join(rows) + "\n\n"
                     f"p99 under {E2E_TARGET_MS:.0f} ms: Millrace in {millrace} of {len(pairs)}, "
                     f"the relay reference in {reference} of {len(pairs)}.")
    return "## End-to-end latency at half and a quarter of the produce peak, beside the relay reference\n\n" + \
        "\n\n".join(parts) + "\n"


def render_e2e_check(r):
    """The report of `compare.py --e2e-check`: the e2e target alone."""
    return "\n".join([header(r, "Millrace e2e check"), e2e_check_section(r)])


def render(r):
    sections = [header(r, "Millrace comparison benchmark"), targets_section(r), machine_section(r),
                millrace_section(r), cluster_section(r), e2e_section(r), jetstream_section(r), memory_section(r)]
    if r.get("profiles"):
        sections.append("## Broker profiles\n\n" + "\n\n".join(
            f"### {name}\n\n```\n{text}\n```" for name, text in r["profiles"].items()) + "\n")
    return "\n".join(sections)
