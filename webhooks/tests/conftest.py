import socket
from collections.abc import Callable, Iterator

import pytest

from core.tests.services_gate import require_postgres, require_redis_broker
from onboarding_project.celery import app
from webhooks.tests.helpers import KeepAliveReceiver
from webhooks.tests.workers import Worker


@pytest.fixture
def fast_retries(settings):
    """Three attempts in all, a second apart, with a short timeout."""
    settings.WEBHOOK_RETRY_DELAYS = [1, 1]
    settings.WEBHOOK_TIMEOUT_SECONDS = 1.0
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    return settings


@pytest.fixture(autouse=True)
def _private_targets_allowed(settings):
    # The receiver listens on 127.0.0.1; URL-policy tests turn this off themselves.
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the commit callbacks (the queued delivery tasks) that a test's transaction would hold back."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def keep_alive_receiver() -> Iterator[KeepAliveReceiver]:
    """Like `receiver`, over HTTP/1.1 keep-alive, telling the TCP connections apart."""
    receiver = KeepAliveReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver_localhost(monkeypatch) -> list[str]:
    """`receiver.localhost` resolves to 127.0.0.1; returns the lookups made of it, in order."""
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def fake_getaddrinfo(host, *args, **kwargs):
        if host == "receiver.localhost":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    return lookups


@pytest.fixture
def real_broker(tmp_path, one_worker_at_a_time) -> Iterator[Callable[..., Worker]]:
    """Starts real worker processes (`Worker`'s arguments) on the test database and the Redis
    broker; they are stopped at the end of the test."""
    require_postgres()
    require_redis_broker()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # stale messages of earlier runs would only be no-ops, but keep the queue clean
    workers: list[Worker] = []

    def start(**options) -> Worker:
        worker = Worker(tmp_path / f"worker-{len(workers)}.log", **options)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    app.conf.task_always_eager = previous
