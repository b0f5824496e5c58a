from datetime import timedelta

import pytest
from django.utils import timezone

from core.events import MESSAGE_RECEIVED
from core.tests.helpers import Reply
from webhooks.delivery.engine import REENQUEUE_AFTER, deliveries_dispatch_due, webhook_deliver
from webhooks.endpoints import delivery_retry
from webhooks.models import Delivery, DeliveryAttempt
from webhooks.publishing import event_publish
from webhooks.tasks import dispatch_due_deliveries
from webhooks.tests.factories import OutgoingWebhookFactory
from webhooks.tests.helpers import deliver_due

pytestmark = pytest.mark.django_db


def publish_with_lost_message(webhook) -> Delivery:
    """Publish, but the broker never gets the task (the commit callbacks are discarded)."""
    event = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={"n": 1})
    return event.deliveries.get()


def test_delivery_whose_message_was_dropped_is_delivered_by_the_periodic_job(receiver):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish_with_lost_message(webhook)

    # Just queued: the dispatcher leaves it to its own task for a while.
    assert dispatch_due_deliveries() == 0
    assert receiver.received == []

    Delivery.objects.filter(pk=delivery.pk).update(enqueued_at=timezone.now() - REENQUEUE_AFTER)
    assert dispatch_due_deliveries() == 1  # the Celery task, run inline here

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert len(receiver.received) == 1


def test_retry_that_came_due_is_queued_by_the_dispatcher(receiver, fast_retries, django_capture_on_commit_callbacks):
    receiver.script(500, 200)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        event = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    delivery = event.deliveries.get()
    assert deliveries_dispatch_due() == 0  # the retry is not due yet

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliveries_dispatch_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED


def test_row_of_a_worker_that_died_mid_attempt_is_taken_over_when_its_lease_runs_out(receiver):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish_with_lost_message(webhook)
    # A worker claimed it, wrote its attempt row, and was killed before answering.
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, attempts=1, claimed_until=now + timedelta(minutes=2), enqueued_at=None
    )
    DeliveryAttempt.objects.create(delivery=delivery, number=1)

    assert deliveries_dispatch_due() == 0  # the lease still holds
    assert webhook_deliver(delivery_id=delivery.pk) is None

    Delivery.objects.filter(pk=delivery.pk).update(claimed_until=now - timedelta(seconds=1))
    assert deliveries_dispatch_due() == 1

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    first, second = delivery.attempt_log.order_by("number")
    assert first.error == "The delivery worker stopped before this attempt finished."
    assert (second.number, second.status_code) == (2, 200)


def test_two_dispatchers_queue_a_row_once(receiver):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    receiver.default = Reply(status=500)
    delivery = publish_with_lost_message(webhook)
    Delivery.objects.filter(pk=delivery.pk).update(enqueued_at=None)
    assert deliveries_dispatch_due() == 1
    assert deliveries_dispatch_due() == 0
    assert len(receiver.received) == 1


def test_manual_retry_redelivers_a_failed_delivery_now(receiver, fast_retries, django_capture_on_commit_callbacks):
    receiver.default = Reply(status=500)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        event = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    delivery = deliver_due(deliver_due(event.deliveries.get()))
    assert delivery.status == Delivery.Status.FAILED

    receiver.default = Reply(status=200)
    with django_capture_on_commit_callbacks(execute=True):
        retried = delivery_retry(delivery=delivery)
    assert retried.status == Delivery.Status.PENDING  # as returned, before its task ran
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 4
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


def test_manual_retry_of_a_delivery_being_sent_is_refused():
    from core.api.errors import ConflictError

    webhook = OutgoingWebhookFactory()
    delivery = publish_with_lost_message(webhook)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_until=timezone.now() + timedelta(minutes=1)
    )
    with pytest.raises(ConflictError):
        delivery_retry(delivery=delivery)
