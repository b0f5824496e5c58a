"""A burst on one phone, with a real Celery worker (started as the Procfile's worker is) and the
sandbox over real HTTP: 500 messages are all sent, once each, never faster than the phone's rate."""

import os
import time
from collections import Counter

import pytest

from core.tests.services_gate import require, require_postgres, require_redis_broker
from messaging.models import OutgoingMessage
from messaging.tests.helpers import graph_sends, send
from onboarding_project.celery import app
from phones.tests.helpers import connect_phone
from webhooks.tests.workers import Worker, default_command

pytestmark = pytest.mark.django_db(transaction=True)

BURST = 500
RATE = 20


@pytest.fixture
def phone(sandbox_graph, api_client, browser_for):
    return connect_phone(api_client, browser_for)  # signup runs inline, before the worker starts


@pytest.fixture
def worker(phone, sandbox_graph, tmp_path, settings, one_worker_at_a_time):
    require_postgres()
    require_redis_broker()
    # The rate is counted in the shared cache: every worker process must see the same counts.
    require(os.environ.get("CACHE_URL", "").startswith("redis://"), "CACHE_URL must name a Redis cache")
    settings.MESSAGES_PER_SECOND_PER_PHONE = RATE
    app.control.purge()
    command = [arg if arg != "--concurrency=2" else "--concurrency=4" for arg in default_command()]
    started = Worker(
        tmp_path / "worker.log",
        command,
        env={
            "META_SANDBOX": "true",
            "META_GRAPH_BASE_URL": f"{sandbox_graph}/_sandbox/graph",
            "PUBLIC_BASE_URL": sandbox_graph,
            "MESSAGES_PER_SECOND_PER_PHONE": str(RATE),
            "CACHE_URL": os.environ.get("CACHE_URL", ""),
        },
    )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield started
    app.conf.task_always_eager = previous
    started.stop()


def test_a_burst_of_500_on_one_phone_respects_the_rate_and_loses_none(api_client, phone, worker):
    started = time.monotonic()

    for index in range(BURST):
        answer = send(api_client, phone, {"to": "+5491155551234", "type": "text", "text": {"body": f"#{index}"}})
        assert answer.status_code == 202

    deadline = time.monotonic() + 180
    while OutgoingMessage.objects.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.5)

    messages = list(OutgoingMessage.objects.all())
    assert len(messages) == BURST
    assert Counter(m.status for m in messages if m.sent_at is None) == Counter()
    assert not [m for m in messages if m.status == "failed"]
    assert graph_sends() == BURST and all(m.attempts == 1 for m in messages)
    per_second = Counter(int(m.sent_at.timestamp()) for m in messages)
    # Counted per clock second when the send is taken; the answer can land a moment later.
    assert max(per_second.values()) <= RATE * 1.25, sorted(per_second.items())
    assert time.monotonic() - started >= BURST / RATE - 2
