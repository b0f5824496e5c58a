"""Child processes of the bench (gunicorn, Celery workers, receivers) and their memory.

Every child gets its own session (process group), so stopping it stops its own children too, and
only those: `Processes.stop_all()` signals exactly the groups this run started, by id. It runs
from `finally` and from SIGTERM/SIGINT handlers, so nothing outlives a failed run.
"""

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Child:
    name: str
    popen: subprocess.Popen
    log: Path
    role: str = ""  # "gunicorn" | "celery" | "" (not sampled)


class HarnessError(RuntimeError):
    """The bench itself broke (a process did not start, a scenario could not run)."""


def _children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def descendants(pid: int, tree: dict[int, list[int]]) -> list[int]:
    out, stack = [], list(tree.get(pid, []))
    while stack:
        child = stack.pop()
        out.append(child)
        stack.extend(tree.get(child, []))
    return out


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(procs: "Processes", prefix: str) -> float:
    """CPU time (user + system) used so far by the running children whose name starts with
    `prefix`, their pool processes included (from /proc)."""
    tree = _children_map()
    total = 0
    for child in procs.children:
        if child.name.startswith(prefix) and child.popen.poll() is None:
            for pid in [child.popen.pid, *descendants(child.popen.pid, tree)]:
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Processes:
    log_dir: Path
    children: list[Child] = field(default_factory=list)
    peaks: dict[str, float] = field(default_factory=dict)
    _sampler: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self, name: str, cmd: list[str], *, env: dict[str, str], cwd: Path, role: str = "") -> Child:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{name}.log"
        handle = open(log, "wb")  # noqa: SIM115 - lives as long as the child
        popen = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
        child = Child(name=name, popen=popen, log=log, role=role)
        self.children.append(child)
        return child

    def wait_for_log(self, child: Child, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = child.log.read_text(errors="replace")
            if needle in text:
                return text
            if child.popen.poll() is not None:
                raise HarnessError(
                    f"{child.name} exited with {child.popen.returncode}; log {child.log}:\n{text[-3000:]}"
                )
            time.sleep(0.1)
        raise HarnessError(f"{child.name} did not print {needle!r} within {timeout:g} s; log {child.log}")

    def check_alive(self) -> None:
        for child in self.children:
            if child.popen.poll() is not None:
                tail = child.log.read_text(errors="replace")[-3000:]
                raise HarnessError(f"{child.name} died (exit {child.popen.returncode}); log {child.log}:\n{tail}")

    # --- memory --------------------------------------------------------------------------

    def sample_once(self) -> None:
        tree = _children_map()
        for child in self.children:
            if not child.role or child.popen.poll() is not None:
                continue
            pids = descendants(child.popen.pid, tree)
            if child.role == "celery":
                pids.append(child.popen.pid)  # the main process runs the tasks of a thread pool
            # gunicorn: only the workers (the arbiter serves no request)
            for pid in pids:
                self.peaks[child.role] = max(self.peaks.get(child.role, 0.0), rss_mb(pid))

    def start_sampler(self, interval: float = 0.25) -> None:
        def loop() -> None:
            while not self._stop.wait(interval):
                self.sample_once()

        self._sampler = threading.Thread(target=loop, daemon=True, name="rss-sampler")
        self._sampler.start()

    # --- teardown ------------------------------------------------------------------------

    def stop(self, child: Child, timeout: float = 10.0) -> None:
        if child.popen.poll() is None:
            try:
                os.killpg(child.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                child.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(child.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                child.popen.wait(timeout=5)
        # Children of the group that outlived their leader (a pool process): by group id only.
        try:
            os.killpg(child.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop_all(self) -> None:
        self._stop.set()
        for child in reversed(self.children):
            self.stop(child)
        self.children.clear()
