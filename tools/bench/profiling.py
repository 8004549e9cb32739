"""Where a broker spends a benchmark run: on-CPU samples with `perf record -e cpu-clock` (hardware counters are
not available in this VM), and off-CPU: what each thread is blocked in, sampled from /proc/PID/task/*/wchan."""
import collections
import os
import shutil
import subprocess
import threading
import time


class Profile:
    """Started before a run and stopped after it; summary() is plain text for the report."""

    def __init__(self, pid, out_prefix, use_perf=True):
        self.pid, self.out_prefix = pid, out_prefix
        self.samples = collections.Counter()
        self.stacks = {}  # (role, wchan) -> the kernel stack of its first sample
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample_wchan, daemon=True)
        self._sampler.start()
        self.perf = None
        self.perf_data = out_prefix + ".perf.data"
        if use_perf and shutil.which("perf"):
            self.perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-g", "-p", str(pid),
                                          "-o", self.perf_data], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)

    def _sample_wchan(self):
        while not self._stop.is_set():
            try:
                for tid in os.listdir(f"/proc/{self.pid}/task"):
                    with open(f"/proc/{self.pid}/task/{tid}/wchan") as f:
                        wchan = f.read().strip() or "running"
                    role = "network thread" if tid == str(self.pid) else f"thread {tid}"
                    self.samples[(role, wchan)] += 1
                    if (role, wchan) not in self.stacks and wchan not in ("running", "0"):
                        self.stacks[(role, wchan)] = self._kernel_stack(tid)
            except OSError:
                pass
            time.sleep(0.01)

    def _kernel_stack(self, tid):
        try:
            with open(f"/proc/{self.pid}/task/{tid}/stack") as f:
                frames = [line.split("] ", 1)[-1].split("+")[0] for line in f.read().splitlines()]
            return " <- ".join(frames[:12])
        except OSError:
            return ""

    def stop(self):
        self._stop.set()
        self._sampler.join()
        if self.perf:
            self.perf.send_signal(2)  # SIGINT: perf writes its data and exits
            try:
                self.perf.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.perf.kill()

    def summary(self, top=25):
        lines = ["where each thread was (wchan samples every 10 ms; 0/running = on CPU or runnable):"]
        per_role = collections.defaultdict(list)
        for (role, wchan), count in self.samples.items():
            per_role[role].append((count, wchan))
        for role in sorted(per_role, key=lambda r: (r != "network thread", r)):
            total = sum(c for c, _ in per_role[role])
            parts = ", ".join(f"{w} {100 * c / total:.0f}%" for c, w in sorted(per_role[role], reverse=True)[:5])
            lines.append(f"  {role}: {parts}")
        top_network = sorted(((c, w) for (role, w), c in self.samples.items() if role == "network thread"
                              and (role, w) in self.stacks), reverse=True)[:2]
        for _, wchan in top_network:
            lines.append(f"  network thread blocked in {wchan}: {self.stacks[('network thread', wchan)]}")
        if self.perf and os.path.exists(self.perf_data):
            report = subprocess.run(["perf", "report", "-i", self.perf_data, "--no-children", "--stdio",
                                     "-g", "none", "--sort", "sym", "--percent-limit", "0.8"],
                                    capture_output=True, text=True, timeout=120).stdout
            rows = [r for r in report.splitlines() if r.strip() and not r.startswith("#")][:top]
            lines.append("perf (cpu-clock, self time by symbol):")
            lines += ["  " + r.strip() for r in rows]
        return "\n".join(lines)
