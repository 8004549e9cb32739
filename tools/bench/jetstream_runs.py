"""NATS JetStream runs: nats-server (Debian's) with file storage, one node (R1) or a three-node cluster (R3) on
loopback ports, driven by jsbench (tools/bench/jsbench, nats.go)."""
import os
import time

import procs


class NatsCluster:
    """`nodes` nats-servers with JetStream; a cluster of three when nodes == 3."""

    def __init__(self, work_dir, name, nodes):
        self.servers, self.client_ports = [], [procs.free_port() for _ in range(nodes)]
        cluster_ports = [procs.free_port() for _ in range(nodes)]
        for i in range(nodes):
            store = os.path.join(work_dir, f"{name}-{i}")
            os.makedirs(store, exist_ok=True)
            config = [f"server_name: {name}-{i}", "listen: 127.0.0.1:%d" % self.client_ports[i],
                      "jetstream { store_dir: \"%s\" }" % store]
            if nodes > 1:
                routes = ", ".join(f"nats://127.0.0.1:{p}" for p in cluster_ports)
                config.append("cluster { name: %s, listen: 127.0.0.1:%d, routes: [%s] }"
                              % (name, cluster_ports[i], routes))
            config_path = os.path.join(work_dir, f"{name}-{i}.conf")
            with open(config_path, "w") as f:
                f.write("\n".join(config) + "\n")
            server = procs.Server(f"nats-server {name}-{i}", ["nats-server", "-c", config_path],
                                  os.path.join(work_dir, f"{name}-{i}.log"))
            self.servers.append(server)
        for server, port in zip(self.servers, self.client_ports):
            server.wait_for_port(port)
        time.sleep(1 if nodes == 1 else 3)  # JetStream starts after the listener; a cluster elects a leader

    @property
    def url(self):
        return ",".join(f"nats://127.0.0.1:{p}" for p in self.client_ports)

    @property
    def pids(self):
        return [s.pid for s in self.servers]

    def stop(self):
        for server in self.servers:
            server.stop()


def _jsbench(paths, cluster, log, mode, stream, messages, size, subjects, replicas, max_seconds=0, rate=0):
    argv = [paths.jsbench, "-url", cluster.url, "-mode", mode, "-stream", stream, "-messages", str(messages),
            "-size", str(size), "-subjects", str(subjects), "-replicas", str(replicas),
            "-max-seconds", str(max_seconds), "-rate", f"{rate:.0f}", "-timeout", "120s"]
    result = procs.run_json(argv, timeout_s=max_seconds + 180, log=log)
    result.setdefault("kind", mode)
    return result


def produce(paths, cluster, log, stream, messages, size, subjects, replicas, max_seconds):
    return _jsbench(paths, cluster, log, "produce", stream, messages, size, subjects, replicas, max_seconds)


def consume(paths, cluster, log, stream, messages, size, subjects):
    return _jsbench(paths, cluster, log, "consume", stream, messages, size, subjects, 1)


def produce_then_consume(paths, cluster, log, stream, messages, size, subjects, replicas, max_seconds):
    """Produces into `stream`, then consumes what was produced. Returns (produced, consumed)."""
    produced = produce(paths, cluster, log, stream, messages, size, subjects, replicas, max_seconds)
    consumed = consume(paths, cluster, log, stream, produced.get("messages", 0) or 1, size, subjects)
    return produced, consumed


def e2e(paths, cluster, log, stream, rate, seconds, size, subjects, replicas):
    messages = max(1, int(rate * seconds))
    return _jsbench(paths, cluster, log, "e2e", stream, messages, size, subjects, replicas, seconds + 5, rate)
