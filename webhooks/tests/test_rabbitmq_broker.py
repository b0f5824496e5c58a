"""RabbitMQ as the broker: gunicorn and a Celery worker, both started with an `amqp://`
CELERY_BROKER_URL, deliver a webhook end to end (API call -> RabbitMQ -> worker -> endpoint).

No beat and no dispatcher run here, so the delivery can only have travelled through RabbitMQ. The
deliveries' queue has a name of its own per run (`WEBHOOK_QUEUE`), deleted afterwards, so a run
never takes another's messages on the shared vhost. RABBITMQ_URL picks the server
(default `amqp://guest:guest@127.0.0.1:5672//`)."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from kombu import Connection

from core.devserver import port_open
from core.tests.services_gate import require_postgres, require_rabbitmq
from organizations.tests.factories import issue_key
from webhooks.models import Delivery
from webhooks.tests.workers import BASE_DIR, Worker, _test_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def amqp_env() -> Iterator[dict[str, str]]:
    require_postgres()
    require_rabbitmq(RABBITMQ_URL)
    queue = f"test-webhooks-{uuid.uuid4().hex[:10]}"
    yield {
        "CELERY_BROKER_URL": RABBITMQ_URL,
        "WEBHOOK_QUEUE": queue,
        "DATABASE_URL": _test_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    }
    with contextlib.suppress(Exception), Connection(RABBITMQ_URL, connect_timeout=5) as connection:
        connection.default_channel.queue_delete(queue)


@pytest.fixture
def web(amqp_env, tmp_path) -> Iterator[str]:
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "ab")  # noqa: SIM115 - closed below
    env = {**os.environ, **amqp_env, "PORT": str(port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "onboarding_project.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", port):
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_a_webhook_is_delivered_end_to_end_through_rabbitmq(amqp_env, web, tmp_path, receiver):
    worker = Worker(
        tmp_path / "worker.log",
        command=[sys.executable, "-m", "celery", "-A", "onboarding_project", "worker", "--pool=threads"]
        + ["--concurrency=2", "-Q", amqp_env["WEBHOOK_QUEUE"], "-l", "INFO"]
        # A node name of its own: RabbitMQ holds a node's control queue exclusively, so a second run
        # on this machine (another checkout's suite) under the default `celery@host` failed to start.
        + ["-n", f"{amqp_env['WEBHOOK_QUEUE']}@%h"],
        env=amqp_env,
    )
    try:
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {issue_key().secret}"
        created = api.post(f"{web}/v1/outgoing-webhooks", json={"url": receiver.url(), "events": ["webhook.test"]})
        assert created.status_code == 201, created.text
        webhook_id = created.json()["data"]["id"]
        assert api.post(f"{web}/v1/outgoing-webhooks/{webhook_id}/test").status_code == 202

        (request,) = receiver.wait_for(1, timeout=30)
        delivery = Delivery.objects.select_related("event").get(webhook_id=webhook_id)
        assert request.headers["webhook-id"] == str(delivery.event_id)
        deadline = time.monotonic() + 10
        while delivery.status != Delivery.Status.SUCCEEDED and time.monotonic() < deadline:
            time.sleep(0.1)
            delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 1
        banner = (tmp_path / "worker.log").read_text()
        assert "transport:   amqp://" in banner  # the worker's start-up banner names its broker
    finally:
        worker.stop()
