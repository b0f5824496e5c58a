"""The Procfile's processes, started from a fresh clone of the committed tree, as a platform runs them.

`git clone` of this repository's HEAD into a temporary directory, then `release`, then every other
Procfile line (web, worker, webhooks, beat) run through a shell exactly as written, with DEBUG off
and the production settings a deployment must give, on the fault suite's private PostgreSQL (a
database of its own) and Redis (databases of its own). Only the sizing variables the Procfile itself
offers (`WEB_CONCURRENCY`, `CELERY_CONCURRENCY`...) and `BEAT_INTERVALS` are set small, so the test
needs seconds, not minutes. Nothing here calls a task: what happens periodically, beat makes happen.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from cryptography.fernet import Fernet

from core.tests.helpers import procfile
from core.tests.services_gate import require
from faults.infra import ROOT, WEBHOOK_TIMEOUT, PrivatePostgres, PrivateRedis, free_port, port_open, wait_until
from faults.stack import Proc, inherited_env

# The periodic jobs the tests wait for run every second instead of every minute / 15 s.
BEAT_INTERVALS = "expire-links=1,dispatch-due-webhook-deliveries=1"
# How each long-running process says it is up (a Procfile name the table lacks fails the test:
# a new process type must be started here too).
READY = {
    "web": lambda stack, proc: port_open(stack.port),
    "worker": lambda stack, proc: b"ready." in proc.output(),
    "webhooks": lambda stack, proc: b"ready." in proc.output(),
    "inbound": lambda stack, proc: b"ready." in proc.output(),
    "messages": lambda stack, proc: b"ready." in proc.output(),
    # "beat: Starting..." comes before the schedule is opened: only a sent task shows the loop runs.
    "beat": lambda stack, proc: b"Scheduler: Sending due task" in proc.output(),
}


@dataclass
class ProcfileStack:
    clone: Path
    port: int
    env: dict[str, str]
    processes: dict[str, Proc] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, command: str, timeout: float = 300) -> str:
        """A one-off command in the clone (like `release`), through a shell as a Procfile runner does."""
        done = subprocess.run(  # noqa: S603
            read_only(self.clone, command),
            cwd=self.clone,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"`{command}` failed in the fresh clone:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, name: str, command: str) -> None:
        ready = READY[name]
        self.processes[name] = Proc(
            f"procfile-{name}", read_only(self.clone, command), self.env, lambda proc: ready(self, proc), cwd=self.clone
        )

    def stop(self) -> None:
        for proc in self.processes.values():
            proc.stop()

    def sql(self, query: str, params: tuple | None = None) -> list[tuple]:
        url = self.env["DATABASE_URL"].replace("postgres://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def client(self, key: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        return session


def read_only(clone: Path, command: str) -> list[str]:
    """`command` through bash in the clone, which this process (and its children) see read-only: a
    private mount namespace with the clone bind-mounted over itself, read-only, as on a platform
    whose image is immutable. (The fault suite runs as root, which file modes would not stop.)"""
    remount = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && cd "$0" && exec bash -c "$1"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", remount, str(clone), command]


def read_only_available(clone: Path) -> bool:
    probe = subprocess.run(  # noqa: S603
        read_only(clone, "! touch .write-probe 2>/dev/null"), capture_output=True, check=False
    )
    return probe.returncode == 0


def fresh_clone(into: Path) -> Path:
    """The committed tree at HEAD, nothing else: no .venv, no .broker/, no .env, no local edits."""
    head = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    clone = into / "app"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True)  # noqa: S603,S607
    subprocess.run(  # noqa: S603
        ["git", "-C", str(clone), "checkout", "--quiet", "--detach", head],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return clone


def production_env(redis: PrivateRedis, port: int, database_url: str) -> dict[str, str]:
    venv_bin = ROOT / ".venv" / "bin"
    inherited = inherited_env()
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "ENCRYPTION_KEYS", "PORT", "BEHIND_TLS_PROXY", "LOG_LEVEL"):
        inherited.pop(name, None)
    return {
        **inherited,
        # `python`, `gunicorn` and `celery` in the Procfile's lines resolve to the project's virtualenv.
        "PATH": f"{venv_bin}{os.pathsep}{inherited.get('PATH', '')}",
        # No process may need to write into the checkout (no bytecode either: see the test).
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "false",
        "SECRET_KEY": "procfile-fresh-clone-" + Fernet.generate_key().decode(),
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "META_SANDBOX": "true",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis.db_url(1),
        "CACHE_URL": redis.db_url(2),
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "META_GRAPH_BASE_URL": f"http://127.0.0.1:{port}/_sandbox/graph",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",  # the test's receivers listen on loopback
        "WEBHOOK_RETRY_DELAYS": "1,1,2",
        "WEBHOOK_TIMEOUT_SECONDS": str(WEBHOOK_TIMEOUT),
        "BEAT_INTERVALS": BEAT_INTERVALS,
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "CELERY_CONCURRENCY": "1",
        "WEBHOOK_CONCURRENCY": "4",
        "INBOUND_CONCURRENCY": "1",
        "LOG_LEVEL": "INFO",
    }


@contextlib.contextmanager
def started_from_fresh_clone(pg: PrivatePostgres, redis: PrivateRedis) -> Iterator[ProcfileStack]:
    """`release`, then every other Procfile process, from a fresh clone; all stopped on exit."""
    workdir = Path(tempfile.mkdtemp(prefix="faults-clone-"))
    port = free_port()
    stack = ProcfileStack(
        clone=fresh_clone(workdir), port=port, env=production_env(redis, port, pg.create_database("procfile"))
    )
    commands = procfile(stack.clone)
    try:
        require(read_only_available(stack.clone), "read-only bind mounts (unshare --mount) are not available")
        stack.run(commands.pop("release"))
        for name, command in commands.items():
            stack.start(name, command)
        wait_until(lambda: requests.get(f"{stack.base}/healthz", timeout=10).status_code == 200, 60, "web healthz")
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
