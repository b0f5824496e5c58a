"""No organization can slow another down: while one organization's burst of thousands is being
sent, another organization's single message is sent at once, not after the burst. A real
Celery worker (its `messages` queue, as the Procfile starts it, with fewer threads) and the
sandbox over real HTTP."""

import os
import time

import pytest
from django.utils import timezone

from core.tests.services_gate import require, require_postgres, require_redis_broker
from messaging import services
from messaging.models import OutgoingMessage
from messaging.tests.helpers import send, wait_status
from onboarding_project.celery import app
from phones.tests.helpers import connect_phone
from sandbox import status_webhooks
from webhooks.tests.workers import Worker, procfile_command

pytestmark = pytest.mark.django_db(transaction=True)

BURST = 400
RATE = 5  # per organization, per second: the burst takes over a minute to send
THREADS = 4


@pytest.fixture
def phones(sandbox_graph, api_client, other_api_client, browser_for):
    # Signups run inline, before the worker starts.
    return connect_phone(api_client, browser_for), connect_phone(other_api_client, browser_for)


@pytest.fixture
def worker(phones, sandbox_graph, tmp_path, settings, one_worker_at_a_time):
    require_postgres()
    require_redis_broker()
    require(os.environ.get("CACHE_URL", "").startswith("redis://"), "CACHE_URL must name a Redis cache")
    settings.MESSAGES_PER_SECOND_PER_ORGANIZATION = RATE
    # The rate is counted in the shared cache, by this process (accepting) and the worker (queueing
    # what waited): both count without a key prefix (the organization's id keeps the counts apart).
    settings.CACHES = {name: {**config, "KEY_PREFIX": ""} for name, config in settings.CACHES.items()}
    app.control.purge()
    env = {
        "META_SANDBOX": "true",
        "META_GRAPH_BASE_URL": f"{sandbox_graph}/_sandbox/graph",
        "PUBLIC_BASE_URL": sandbox_graph,
        "MESSAGES_PER_SECOND_PER_ORGANIZATION": str(RATE),
        "MESSAGES_CONCURRENCY": str(THREADS),
        "CACHE_URL": os.environ["CACHE_URL"],
    }
    started = Worker(tmp_path / "worker.log", procfile_command("messages", env), env=env)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield started
    started.stop()
    # Meta's statuses for the sent messages are still arriving: queued (not run in the server's
    # threads, where eager tasks running at once leave Celery's process-wide "in a task" flag set).
    deadline = time.monotonic() + 30
    while status_webhooks.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    app.conf.task_always_eager = previous


def test_one_message_is_sent_at_once_while_another_organizations_burst_is_in_flight(phones, worker, other_api_client):
    phone_a, phone_b = phones
    started = time.monotonic()
    # Organization A's burst, accepted as the API accepts it (the service behind the view: quicker
    # than HTTP, so the burst is all accepted in a few seconds).
    for index in range(BURST):
        services.message_send(
            organization=phone_a.organization,
            phone=phone_a,
            to="+5491155551234",
            type="text",
            content={"body": f"#{index}"},
        )

    asked = timezone.now()
    answer = send(other_api_client, phone_b, {"to": "+5491155550000", "type": "text", "text": {"body": "B"}})
    assert answer.status_code == 202, answer.content

    sent = wait_status(answer.json()["data"]["id"], "sent", timeout=30)
    assert sent.status == "sent"
    assert (sent.sent_at - asked).total_seconds() < 2.0
    unsent = OutgoingMessage.objects.filter(phone=phone_a, sent_at__isnull=True).count()
    assert unsent > BURST / 2  # A's burst is still going out, at its rate
    assert not OutgoingMessage.objects.filter(status="failed").exists()
    # A's sends go out at the organization's rate, deferred rather than refused.
    time.sleep(2)
    sent_a = OutgoingMessage.objects.filter(phone=phone_a, sent_at__isnull=False).count()
    assert sent_a <= RATE * (time.monotonic() - started + 2), sent_a
