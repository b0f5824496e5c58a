"""A real worker keeps its PostgreSQL connection from one task to the next, as a web process keeps
it from one request to the next (DB_CONN_MAX_AGE): Celery's Django fixup alone would open a new
session for every task, the largest single cost of a webhook delivery."""

import sys
import time

import pytest
from django.db import connection

from core.events import MESSAGE_RECEIVED
from webhooks.models import Delivery
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory
from webhooks.tests.workers import wait_for_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _sessions() -> set[int]:
    """The other client sessions on the test database (their server process ids)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


def _deliver(webhook, count: int) -> None:
    """`count` events, one task each, one after another."""
    for n in range(count):
        event = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={"n": n})
        wait_for_status(event.deliveries.get(), Delivery.Status.SUCCEEDED)


def _one_thread_worker(real_broker, **env: str):
    from django.conf import settings

    command = [sys.executable, "-m", "celery", "-A", "onboarding_project", "worker", "--pool=threads"]
    return real_broker(command=[*command, "--concurrency=1", "-Q", settings.WEBHOOK_QUEUE, "-l", "INFO"], env=env)


def test_a_worker_keeps_its_database_session_across_tasks(real_broker, receiver):
    before = _sessions()
    _one_thread_worker(real_broker, DB_CONN_MAX_AGE="60")
    webhook = OutgoingWebhookFactory(url=receiver.url())

    _deliver(webhook, 3)
    after_three = _sessions() - before
    _deliver(webhook, 5)

    assert after_three, "the worker closed its connection after its tasks"
    assert _sessions() - before == after_three  # five more tasks, no new session


def test_with_a_max_age_of_0_a_worker_closes_its_session_after_each_task(real_broker, receiver):
    before = _sessions()
    _one_thread_worker(real_broker, DB_CONN_MAX_AGE="0")
    webhook = OutgoingWebhookFactory(url=receiver.url())

    _deliver(webhook, 3)

    # The worker closes its session as the task ends, just after the delivery's row says so.
    deadline = time.monotonic() + 10
    while _sessions() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sessions() - before == set()
