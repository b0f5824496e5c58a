"""End to end with a real Celery worker process, Redis and PostgreSQL, including a worker killed
with SIGKILL in the middle of a delivery."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.events import MESSAGE_RECEIVED, PHONE_NUMBER_CONNECTED
from core.tests.helpers import Reply
from webhooks.delivery.engine import deliveries_dispatch_due
from webhooks.models import Delivery
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory
from webhooks.tests.workers import wait_for_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


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

    # The lease (the batch's longest run + 30 s, see webhooks.capacity) runs out; the periodic job takes over.
    Delivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert deliveries_dispatch_due() == 1
    delivery = wait_for_status(delivery, Delivery.Status.SUCCEEDED)

    requests = receiver.wait_for(2)
    assert len(requests) == 2
    assert {r.headers["webhook-id"] for r in requests} == {str(event.pk)}
    first, second = delivery.attempt_log.order_by("number")
    assert first.error == "The delivery worker stopped before this attempt finished."
    assert second.status_code == 200
