"""Two workers racing for one delivery: exactly one sends it (PostgreSQL, real concurrent transactions)."""

import threading

import pytest
from django.db import connection

from core.events import MESSAGE_RECEIVED
from core.tests.helpers import Reply
from core.tests.services_gate import require_postgres
from webhooks.delivery.engine import webhook_deliver
from webhooks.models import Delivery, DeliveryAttempt
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def race(delivery_id, workers: int) -> list:
    barrier = threading.Barrier(workers)
    results: list = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(webhook_deliver(delivery_id=delivery_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_claimers_never_both_send_one_attempt(receiver, monkeypatch):
    require_postgres()
    monkeypatch.setattr("webhooks.delivery.queueing.enqueue_on_commit", lambda ids: None)  # only the racers send
    receiver.default = Reply(status=200, sleep=0.3)  # hold the first sender inside its attempt
    webhook = OutgoingWebhookFactory(url=receiver.url())
    deliveries = [
        event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={"n": n}).deliveries.get()
        for n in range(5)
    ]
    for delivery in deliveries:
        results = race(delivery.pk, workers=4)
        assert len(results) == 4
        assert sum(r is not None for r in results) == 1
    assert len(receiver.received) == 5
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 5
    assert DeliveryAttempt.objects.count() == 5
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SUCCEEDED}
