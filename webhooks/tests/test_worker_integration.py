"""End to end with a real Celery worker process, Redis and PostgreSQL, including a worker killed
with SIGKILL in the middle of a delivery."""

import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.events import MESSAGE_RECEIVED, PHONE_NUMBER_CONNECTED
from core.services_gate import require_postgres, require_redis_broker
from core.testing import Reply
from onboarding_project.celery import app
from webhooks.models import Delivery
from webhooks.services import deliveries_dispatch_due, event_publish
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


def _test_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(self, log_path: Path) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),  # pytest-django's test_ database
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
            "WEBHOOK_TIMEOUT_SECONDS": "10",
            "DB_CONN_MAX_AGE": "0",
        }
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "onboarding_project",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "-Q",  # the default queue and the deliveries' own, as the Procfile's two workers do
                f"{app.conf.task_default_queue},{settings.WEBHOOK_QUEUE}",
                "-l",
                "INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
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


@pytest.fixture
def one_worker_at_a_time() -> Iterator[None]:
    """Parallel test processes (xdist) share the broker's queues but not the test database: a
    worker started by one would take the other's tasks and find no rows. One test at a time."""
    lock_path = Path(tempfile.gettempdir()) / "onboarding-webhooks-worker-tests.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def real_broker(tmp_path, one_worker_at_a_time):
    require_postgres()
    require_redis_broker()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # stale messages of earlier runs would only be no-ops, but keep the queue clean
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    app.conf.task_always_eager = previous


def test_events_are_delivered_end_to_end_by_a_worker(real_broker, receiver):
    real_broker()
    webhook = OutgoingWebhookFactory(url=receiver.url())
    events = [
        event_publish(organization=webhook.organization, type=t, data={"n": n})
        for n, t in enumerate([PHONE_NUMBER_CONNECTED, MESSAGE_RECEIVED, MESSAGE_RECEIVED])
    ]
    for event in events:
        wait_for_status(event.deliveries.get(), Delivery.Status.SUCCEEDED)
    assert sorted(r.headers["webhook-id"] for r in receiver.wait_for(3)) == sorted(str(e.pk) for e in events)


def test_delivery_survives_a_worker_killed_mid_delivery(real_broker, receiver):
    worker = real_broker()
    receiver.script(Reply(status=200, sleep=30))  # the first attempt hangs inside the endpoint
    webhook = OutgoingWebhookFactory(url=receiver.url())
    event = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={"n": 1})
    delivery = event.deliveries.get()

    assert receiver.arrived.wait(timeout=30), "the worker never sent the first attempt"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENDING
    worker.kill()  # SIGKILL, main process and pool children, mid-request

    # Nothing acknowledges the task, and its row is leased: a new worker does not send it twice.
    real_broker()
    assert deliveries_dispatch_due() == 0
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENDING

    # The lease (CELERY_TASK_TIME_LIMIT + 30 s in production) runs out; the periodic job takes over.
    Delivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert deliveries_dispatch_due() == 1
    delivery = wait_for_status(delivery, Delivery.Status.SUCCEEDED)

    requests = receiver.wait_for(2)
    assert len(requests) == 2
    assert {r.headers["webhook-id"] for r in requests} == {str(event.pk)}
    first, second = delivery.attempt_log.order_by("number")
    assert first.error == "The delivery worker stopped before this attempt finished."
    assert second.status_code == 200
