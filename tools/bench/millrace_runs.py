"""Millrace runs: a broker on a loopback port with its own data directory, and `millrace bench` against it."""
import os
import time

import procs


class Broker:
    """One millraced on 127.0.0.1:<free port>, data in <work_dir>/<name>; extra config with `settings`."""

    def __init__(self, paths, work_dir, name, settings=(), port=None, extra_argv=()):
        self.paths = paths
        self.port = port or procs.free_port()
        self.data_dir = os.path.join(work_dir, name)
        argv = [paths.millraced, "--data-dir", self.data_dir, "--listen", f"127.0.0.1:{self.port}",
                "--set", "log_level=warn", *extra_argv]
        for setting in settings:
            argv += ["--set", setting]
        self.server = procs.Server(f"millraced ({name})", argv, os.path.join(work_dir, name + ".log"))
        self.server.wait_for_port(self.port)

    @property
    def pid(self):
        return self.server.pid

    def cli(self, *args):
        return [self.paths.millrace, "--bootstrap", f"127.0.0.1:{self.port}"] + [str(a) for a in args]

    def stop(self):
        self.server.stop()


class Cluster:
    """Three millraced nodes forming one cluster on 127.0.0.1 (every node a controller voter). cli() talks to
    all of them, so the client finds each partition's leader itself."""

    def __init__(self, paths, work_dir, name, nodes=3, settings=()):
        ports = [procs.free_port() for _ in range(nodes)]
        peers = ",".join(f"{i}@127.0.0.1:{port}" for i, port in enumerate(ports))
        self.nodes = []
        try:
            for i, port in enumerate(ports):
                self.nodes.append(Broker(paths, work_dir, f"{name}-{i}", settings, port=port,
                                         extra_argv=("--node-id", str(i), "--peers", peers)))
        except BaseException:
            self.stop()
            raise
        self.paths = paths
        self.bootstrap = ",".join(f"127.0.0.1:{port}" for port in ports)

    def cli(self, *args):
        return [self.paths.millrace, "--bootstrap", self.bootstrap] + [str(a) for a in args]

    def create_topic(self, log, topic, partitions, replication_factor, configs=(), timeout_s=60):
        """Creates the topic once the cluster has elected a controller (retrying until `timeout_s`); returns
        None or the last error."""
        argv = self.cli("topic", "create", topic, "--partitions", partitions, "--replication-factor",
                        replication_factor, *[x for c in configs for x in ("--config", c)])
        deadline, error = time.monotonic() + timeout_s, None
        while time.monotonic() < deadline:
            code, _, err = procs.run(argv, 30, log)
            if code == 0:
                return None
            error = err.strip().splitlines()[-1] if err.strip() else f"exit {code}"
            time.sleep(0.5)
        return error

    def stop(self):
        for node in self.nodes:
            node.stop()


def produce(broker, log, topic, messages, size, acks, partitions, max_seconds, extra=()):
    argv = broker.cli("bench", "produce", "--topic", topic, "--messages", messages, "--size", size, "--acks", acks,
                      "--partitions", partitions, "--max-seconds", max_seconds, "--json", *extra)
    result = procs.run_json(argv, timeout_s=max_seconds + 150, log=log)
    result.setdefault("kind", "produce")
    return result


def consume(broker, log, topic, extra=()):
    result = procs.run_json(broker.cli("bench", "consume", "--topic", topic, "--json", *extra), timeout_s=180, log=log)
    result.setdefault("kind", "consume")
    return result


def e2e(broker, log, topic, rate, seconds, size, partitions):
    messages = max(1, int(rate * seconds))
    argv = broker.cli("bench", "e2e", "--topic", topic, "--rate", f"{rate:.0f}", "--messages", messages, "--size", size,
                      "--acks", "1", "--partitions", partitions, "--max-seconds", seconds + 5, "--json")
    result = procs.run_json(argv, timeout_s=seconds + 120, log=log)
    result.setdefault("kind", "e2e")
    return result


def memory(paths, work_dir, log, partitions, idle_s):
    """A fresh broker: idle RSS and fds; then a topic of `partitions` partitions, one 100-byte record produced to
    and consumed from each, and RSS and fds once it has been idle for idle_s."""
    broker = Broker(paths, work_dir, f"memory-{partitions}")
    out = {"partitions": partitions}
    try:
        time.sleep(1)
        out["idle_rss_kib"], out["idle_fds"] = procs.rss_kib(broker.pid), procs.open_fds(broker.pid)
        out["fd_limit"] = procs.max_open_files(broker.pid)
        started = time.monotonic()
        code, _, err = procs.run(broker.cli("topic", "create", "many", "--partitions", partitions), 300, log)
        out["create_s"] = time.monotonic() - started
        if code != 0:
            out["error"] = err.strip().splitlines()[-1] if err.strip() else f"exit {code}"
            out["after_error_fds"] = procs.open_fds(broker.pid)
            return out
        out["created_rss_kib"], out["created_fds"] = procs.rss_kib(broker.pid), procs.open_fds(broker.pid)
        produced = produce(broker, log, "many", partitions, 100, "1", partitions, 120,
                           extra=("--partitioner", "round-robin"))
        consumed = consume(broker, log, "many")
        out["produce"], out["consume"] = produced, consumed
        out["served"] = "error" not in produced and "error" not in consumed and consumed.get("messages") == partitions
        time.sleep(idle_s)
        out["served_rss_kib"], out["served_fds"] = procs.rss_kib(broker.pid), procs.open_fds(broker.pid)
        out["rss_per_partition_kib"] = (out["served_rss_kib"] - out["idle_rss_kib"]) / partitions
        out["fds_per_partition"] = (out["served_fds"] - out["idle_fds"]) / partitions
        return out
    finally:
        broker.stop()
