"""The fault suite's plumbing: free ports, waiting, and the private PostgreSQL cluster and Redis
(on free ports in temporary directories, never the machine's shared 5432/6379)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOG_DIR = Path(os.environ.get("FAULTS_LOG_DIR") or tempfile.mkdtemp(prefix="faults-logs-"))
# Delivery attempts: first, then retries after 1, 1 and 2 s (four in all), each with a 3 s timeout.
RETRY_DELAYS = "1,1,2"
WEBHOOK_TIMEOUT = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args]


# ---- Private services ---------------------------------------------------------------------------


class PrivatePostgres:
    """A throwaway cluster (initdb + pg_ctl as the `postgres` OS user) on a free port."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = LOG_DIR / "postgres.log"
        subprocess.run(  # noqa: S603
            _as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
            + ["--no-sync", "-E", "UTF8", "--locale=C"],
            check=True,
            capture_output=True,
        )
        self.start()
        self.create_database("faults")

    @property
    def url(self) -> str:
        return self.database_url("faults")

    def database_url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        subprocess.run(  # noqa: S603
            _as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name),
            check=True,
            capture_output=True,
        )
        return self.database_url(name)

    def _ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run(  # noqa: S603
            _as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), *args), check=check, capture_output=True
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        # The log goes to a file the postgres user can write; it is copied out on teardown.
        self._ctl("-o", options, "-l", str(self.dir / "postgres.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            self._ctl("-m", "immediate", "-w", "-t", "30", "stop", check=False)
        with contextlib.suppress(OSError):
            shutil.copy(self.dir / "postgres.log", self.log)
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """`redis-server` on a free port, no persistence: a restart loses every queued message."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = open(LOG_DIR / "redis.log", "ab")  # noqa: SIM115 - closed in destroy()
        self.start()

    @property
    def url(self) -> str:
        return self.db_url(0)

    def db_url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--daemonize", "no"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: port_open(self.port), 15, "redis-server to listen")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # an abrupt loss, as a crashed or restarted broker
            self.process.wait(timeout=10)
        wait_until(lambda: not port_open(self.port), 10, "redis-server to stop listening")

    def destroy(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()
