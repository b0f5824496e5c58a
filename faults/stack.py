"""The fault suite's app stack: gunicorn serving the app in sandbox mode and Celery workers as real
processes on the private PostgreSQL and Redis (`faults.infra`), with the helpers tests drive it by."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests

from faults.infra import (
    LOG_DIR,
    PYTHON,
    RETRY_DELAYS,
    ROOT,
    WEBHOOK_TIMEOUT,
    PrivatePostgres,
    PrivateRedis,
    port_open,
    wait_until,
)


class Proc:
    """A subprocess in its own process group (so a kill reaches its children), logging to a file."""

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], ready: Callable[[Proc], bool], cwd: Path = ROOT
    ) -> None:
        self.name = name
        self.log_path = LOG_DIR / f"{name}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603
            args, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 90
        while not ready(self):
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.process.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not become ready; see {self.log_path}")
            time.sleep(0.2)

    def output(self) -> bytes:
        return self.log_path.read_bytes()

    def kill(self) -> None:
        """SIGKILL, main process and pool children at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Pool children of a killed worker may linger a moment in the same group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if not self.log.closed:
            self.log.close()


# ---- The stack ----------------------------------------------------------------------------------


@dataclass
class Signup:
    link_id: str
    code: str
    callback_status: int
    callback_body: Any


@dataclass
class Stack:
    pg: PrivatePostgres
    redis: PrivateRedis
    port: int
    env: dict[str, str]
    web: Proc | None = None
    workers: list[Proc] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- processes
    def start_web(self) -> None:
        self.web = Proc(
            "gunicorn",
            [PYTHON, "-m", "gunicorn", "onboarding_project.wsgi", "-b", f"127.0.0.1:{self.port}"]
            + ["-w", "2", "-k", "gthread", "--threads", "8", "--timeout", "120", "--graceful-timeout", "5"],
            self.env,
            lambda _: port_open(self.port),
        )

    def start_worker(self, concurrency: int = 2) -> Proc:
        name = f"worker-{len(self.workers)}-{uuid.uuid4().hex[:6]}"
        worker = Proc(
            name,
            [PYTHON, "-m", "celery", "-A", "onboarding_project", "worker", "--pool=prefork"]
            + [f"--concurrency={concurrency}", "-l", "INFO", "-n", f"{name}@%h"]
            + ["-Q", "celery,webhooks,inbound,messages"]  # every queue: one worker to kill
            + ["--without-heartbeat", "--without-gossip", "--without-mingle"],
            self.env,
            lambda p: b"ready." in p.output(),
        )
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def api_key(self, org_name: str) -> str:
        return self.manage("create_api_key", "--org-name", org_name).strip().splitlines()[-1]

    # -- the database of record
    def sql(self, query: str, params: tuple | dict | None = None) -> list[tuple]:
        with psycopg.connect(self.pg.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def db_now(self) -> Any:
        return self.sql("SELECT now()")[0][0]

    def fast_forward(self, before: Any = None) -> None:
        """Make every timer the periodic jobs wait for run out now, as if minutes had passed: the
        leases of workers that died, the resume grace period, the re-enqueue guard.

        Without `before`, call it only while no live worker holds a lease (after a kill, before a
        restart). With `before` (a database time: when a worker was killed), only leases taken and
        messages queued before that instant are aged, so a worker started since keeps its own."""
        if before is None:
            self.sql(
                "UPDATE links_signupattempt SET lease_until = NULL, next_try_at = now() - interval '61 seconds' "
                "WHERE status = 'running'"
            )
            self.sql(
                "UPDATE webhooks_delivery SET claimed_until = now() - interval '1 second' "
                "WHERE status = 'sending' AND claimed_until IS NOT NULL"
            )
            self.sql(
                "UPDATE webhooks_delivery SET enqueued_at = now() - interval '61 seconds' "
                "WHERE status IN ('pending', 'sending') AND enqueued_at IS NOT NULL"
            )
            return
        self.sql(
            "UPDATE links_signupattempt SET lease_until = NULL, next_try_at = now() - interval '61 seconds' "
            "WHERE status = 'running' AND created_at <= %(t)s "
            # links.completion.LEASE: a lease taken before `t` ends by t + 5 minutes
            "AND (lease_until IS NULL OR lease_until <= %(t)s + interval '5 minutes')",
            {"t": before},
        )
        self.sql(
            "UPDATE webhooks_delivery SET claimed_until = now() - interval '1 second' "
            # the delivery lease is CELERY_TASK_TIME_LIMIT + 30 s = 120 s
            "WHERE status = 'sending' AND claimed_until <= %(t)s + interval '120 seconds'",
            {"t": before},
        )
        self.sql(
            "UPDATE webhooks_delivery SET enqueued_at = now() - interval '61 seconds' "
            "WHERE status IN ('pending', 'sending') AND enqueued_at <= %(t)s",
            {"t": before},
        )

    def run_periodic(self) -> str:
        """What beat would run: the periodic jobs' task functions, called in a process of their own."""
        code = (
            "from links.tasks import resume_stalled_signups\n"
            "from webhooks.tasks import dispatch_due_deliveries\n"
            "print('resumed', resume_stalled_signups(), 'dispatched', dispatch_due_deliveries())\n"
        )
        return self.manage("shell", "-c", code).strip()

    def periodic_until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Run the periodic jobs (as beat would, only more often) until `predicate` holds."""

        def step() -> Any:
            value = predicate()
            if not value:
                self.run_periodic()
                value = predicate()
            return value

        return wait_until(step, timeout, what, interval=0.3)

    # -- HTTP
    def client(self, key: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        return session

    def create_link(self, key: str, **body: Any) -> dict:
        body.setdefault("name", f"Fault link {uuid.uuid4().hex[:8]}")
        response = self.client(key).post(f"{self.base}/v1/onboarding-links", json=body, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()["data"]

    def get_link(self, key: str, link_id: str) -> dict:
        response = self.client(key).get(f"{self.base}/v1/onboarding-links/{link_id}", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def inject_fault(self, kind: str, **options: Any) -> None:
        response = requests.post(f"{self.base}/_sandbox/graph/_faults", json={"kind": kind, **options}, timeout=30)
        assert response.status_code == 201, response.text

    def pending_faults(self) -> list[dict]:
        return requests.get(f"{self.base}/_sandbox/graph/_faults", timeout=30).json()["data"]

    def clear_faults(self) -> None:
        requests.delete(f"{self.base}/_sandbox/graph/_faults", timeout=30)

    def signup(self, link: dict, outcome: str = "success", event: str = "FINISH") -> Signup:
        """What the hosted page does: load it (CSRF cookie), run the sandbox dialog, post the callback."""
        browser = requests.Session()
        page = browser.get(link["hostedUrl"], timeout=30)
        assert page.status_code == 200, page.status_code
        dialog = browser.post(
            f"{self.base}/_sandbox/dialog/complete", json={"outcome": outcome, "event": event}, timeout=30
        )
        assert dialog.status_code == 200, dialog.text
        from sandbox.dialog import callback_body

        body = callback_body(dialog.json())
        callback = browser.post(
            f"{self.base}/signup/{link['id']}/callback",
            json=body,
            headers={"X-CSRFToken": browser.cookies.get("csrftoken", "")},
            timeout=60,
        )
        try:
            parsed = callback.json()
        except ValueError:
            parsed = callback.text
        return Signup(link["id"], body["code"], callback.status_code, parsed)

    def wait_links(self, key: str, link_ids: list[str], statuses: set[str], timeout: float) -> dict[str, dict]:
        links: dict[str, dict] = {}

        def settled() -> bool:
            for link_id in link_ids:
                if links.get(link_id, {}).get("status") not in statuses:
                    links[link_id] = self.get_link(key, link_id)
            return all(links[i]["status"] in statuses for i in link_ids)

        wait_until(settled, timeout, f"links to reach {statuses}", interval=0.5)
        return links

    # -- what the database says about completions and events
    def phones_of(self, link_id: str) -> list[tuple]:
        return self.sql("SELECT id, meta_phone_number_id FROM phones_phone WHERE onboarding_link_id = %s", (link_id,))

    def connected_events(self, link_id: str) -> list[tuple]:
        return self.sql(
            "SELECT id FROM webhooks_event WHERE type = 'phone_number.connected' AND data->>'onboardingLinkId' = %s",
            (link_id,),
        )

    def deliveries_of_event(self, event_id: Any) -> list[tuple]:
        """(delivery id, status, attempts, [attempt status codes]) of one event."""
        rows = self.sql("SELECT id, status, attempts FROM webhooks_delivery WHERE event_id = %s", (event_id,))
        result = []
        for delivery_id, status, attempts in rows:
            codes = [
                r[0]
                for r in self.sql(
                    "SELECT status_code FROM webhooks_deliveryattempt WHERE delivery_id = %s ORDER BY number",
                    (delivery_id,),
                )
            ]
            result.append((delivery_id, status, attempts, codes))
        return result


def inherited_env() -> dict[str, str]:
    """The test run's environment without the app's own settings, which must not leak into a stack."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("META_", "DATABASE_", "CELERY_", "CACHE_", "WEBHOOK_", "DJANGO_", "API_", "PUBLIC_"))
    }


def stack_env(pg: PrivatePostgres, redis: PrivateRedis, port: int) -> dict[str, str]:
    return {
        **inherited_env(),
        "DJANGO_SETTINGS_MODULE": "onboarding_project.settings",
        "DEBUG": "true",
        "DATABASE_URL": pg.url,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "META_GRAPH_BASE_URL": f"http://127.0.0.1:{port}/_sandbox/graph",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "WEBHOOK_RETRY_DELAYS": RETRY_DELAYS,
        "WEBHOOK_TIMEOUT_SECONDS": str(WEBHOOK_TIMEOUT),
        "API_RATE_LIMIT": "0",
        # The load test's signups all come from 127.0.0.1: the hosted page's limits are not under test.
        "SIGNUP_CALLBACK_RATE_LIMIT": "0",
        "SIGNUP_CLIENT_RATE_LIMIT": "0",
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
