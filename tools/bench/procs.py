"""Processes for the comparison benchmark: servers started and stopped by us, one-shot commands with a time
limit, free loopback ports. Every server started here is stopped at exit, on SIGINT/SIGTERM too."""
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time

_servers = []


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Server:
    """A background process in its own session, with its output in a log file."""

    def __init__(self, name, argv, log_path, cwd=None):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd,
                                     start_new_session=True)
        _servers.append(self)

    @property
    def pid(self):
        return self.proc.pid

    def wait_for_port(self, port, timeout_s=20):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            if port_accepts(port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not listen on {port} within {timeout_s} s; see {self.log_path}")

    def stop(self, timeout_s=15):
        """SIGTERM, then SIGKILL after timeout_s. Only this process (it leads its own session)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if self in _servers:
            _servers.remove(self)


def stop_all():
    for server in list(reversed(_servers)):
        try:
            server.stop(timeout_s=5)
        except Exception as error:  # keep stopping the others
            print(f"bench: could not stop {server.name}: {error}", file=sys.stderr)


def _on_signal(signum, _frame):
    stop_all()
    sys.exit(128 + signum)


atexit.register(stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def run(argv, timeout_s, log=None):
    """Runs a command to completion (killed after timeout_s); returns (exit code, stdout, stderr)."""
    if log:
        log.write(("$ " + " ".join(str(a) for a in argv) + "\n").encode())
        log.flush()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the command we started, nothing else
        out, err = proc.communicate()
        err += f"\n(killed after {timeout_s} s)".encode()
        proc.returncode = -9
    if log:
        log.write(out + err)
        log.flush()
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def cpu_ticks():
    """(all, steal): the machine's CPU time so far, all cores, in clock ticks (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already counted in user)
    return sum(fields[:8]), fields[7]


def run_json(argv, timeout_s, log=None):
    """Runs a benchmark that prints one JSON object on its last stdout line. Returns the object, with
    'error' set when the command failed (the numbers it printed, if any, are kept), and 'steal_pct': the
    share of the machine's CPU time the hypervisor took meanwhile (on a VM whose host is busy, the run had
    less than the cores it counted on).

    First it writes back every dirty page (sync), so that no benchmark pays for the write-back of the one
    before it -- fio measures the disk with nothing else dirty too; 'settle_s' is how long that took (not
    part of the benchmark's time)."""
    settle_started = time.monotonic()
    os.sync()
    settle_s = time.monotonic() - settle_started
    ticks_before, steal_before = cpu_ticks()
    code, out, err = run(argv, timeout_s, log)
    ticks_after, steal_after = cpu_ticks()
    result = {}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if lines:
        try:
            result = json.loads(lines[-1])
        except json.JSONDecodeError:
            pass
    if code != 0:
        message = err.strip().splitlines()[-1] if err.strip() else f"exit status {code}"
        result["error"] = message
    if ticks_after > ticks_before:
        result["steal_pct"] = 100.0 * (steal_after - steal_before) / (ticks_after - ticks_before)
    result["settle_s"] = settle_s
    return result


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def max_open_files(pid):
    """The soft RLIMIT_NOFILE of a process."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    return None


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))
