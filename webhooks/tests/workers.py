"""Real Celery worker processes for the webhooks tests: on pytest-django's test database and the
broker the tests use, started either with a given command line or the way the Procfile starts them."""

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from onboarding_project.celery import app
from webhooks.models import Delivery

BASE_DIR = Path(settings.BASE_DIR)
# Startup options that only make a test worker ready sooner; they change nothing it does with tasks.
QUICK_START = ["--without-heartbeat", "--without-gossip", "--without-mingle"]


def _test_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def procfile_command(process: str, env: dict[str, str]) -> list[str]:
    """The Procfile's command line for `process`, its ${NAME:-default} expanded from `env`, with
    `celery` run by this interpreter."""
    line = next(
        line.split(":", 1)[1]
        for line in (BASE_DIR / "Procfile").read_text().splitlines()
        if line.startswith(f"{process}:")
    )
    expanded = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m.group(1), m.group(2)), line)
    args = shlex.split(expanded)
    assert args[0] == "celery", args
    return [sys.executable, "-m", "celery", *args[1:]]


def default_command() -> list[str]:
    """One prefork worker on every queue: the default, the deliveries' and the inbound payloads'
    (one worker to kill)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "onboarding_project",
        "worker",
        "--pool=prefork",
        "--concurrency=2",
        "-Q",
        f"{app.conf.task_default_queue},{settings.WEBHOOK_QUEUE},{settings.INBOUND_QUEUE},{settings.MESSAGES_QUEUE}",
        "-l",
        "INFO",
    ]


class Worker:
    def __init__(self, log_path: Path, command: list[str] | None = None, env: dict[str, str] | None = None) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),  # pytest-django's test_ database
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
            "WEBHOOK_TIMEOUT_SECONDS": "10",
            "DB_CONN_MAX_AGE": "0",
            **(env or {}),
        }
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*(command or default_command()), *QUICK_START],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill reaches its pool children
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}; see {self.log.name}")
            if b"ready." in Path(self.log.name).read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"the worker did not start; see {self.log.name}")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def wait_for_status(delivery: Delivery, status: str, timeout: float = 30) -> Delivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.status == status:
            return delivery
        time.sleep(0.1)
    raise AssertionError(f"delivery stayed {delivery.status!r}, expected {status!r}")
