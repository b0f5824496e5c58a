"""A batch to an endpoint that answers slowly spreads over more connections, up to the endpoint's
free slots (counted in the database, one claim token per connection); a fast endpoint stays on one
connection, in event order (test_batch)."""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.events import MESSAGE_RECEIVED
from core.tests.helpers import Reply
from webhooks.delivery.engine import webhook_deliver_batch
from webhooks.models import Delivery, DeliveryAttempt, OutgoingWebhook
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db


def queued(webhook: OutgoingWebhook, count: int) -> list[str]:
    events = [
        event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={"n": n}) for n in range(count)
    ]
    return [str(event.deliveries.get(webhook=webhook).pk) for event in events]


def most_at_once(receiver) -> int:
    """The most requests the receiver had open at the same moment."""
    edges = sorted(
        [(r.arrived_at, 1) for r in receiver.received] + [(r.ended_at, -1) for r in receiver.received],
        key=lambda edge: (edge[0], edge[1]),
    )
    open_now = peak = 0
    for _, step in edges:
        open_now += step
        peak = max(peak, open_now)
    return peak


def test_a_slow_endpoints_batch_goes_out_in_parallel_up_to_its_limit(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 4
    receiver.default = Reply(status=200, sleep=0.1)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery_ids = queued(webhook, 13)

    started = time.monotonic()
    webhook_deliver_batch(delivery_ids=delivery_ids)
    elapsed = time.monotonic() - started

    assert len(receiver.received) == 13
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 13  # each once
    assert most_at_once(receiver) == 4
    assert elapsed < 13 * 0.1 * 0.6  # one connection would take 1.3 s
    rows = Delivery.objects.filter(pk__in=delivery_ids)
    assert {(d.status, d.attempts, d.claim_token, d.claimed_until) for d in rows} == {
        (Delivery.Status.SUCCEEDED, 1, None, None)
    }
    assert (
        sorted(DeliveryAttempt.objects.filter(delivery__in=rows).values_list("number", "status_code"))
        == [(1, 200)] * 13
    )


def test_a_fast_endpoint_with_one_slow_answer_stays_on_one_connection(keep_alive_receiver, settings):
    """One slow answer is as often a busy machine as a slow endpoint: spreading on it made a fast
    endpoint's batches churn claims over lanes (webhook_fanout_fast halved). Only answers slow
    several times in a row spread the batch."""
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 4
    slow = Reply(status=200, sleep=0.1)
    keep_alive_receiver.script(200, slow, 200, slow, slow, 200, *[200] * 10)
    webhook = OutgoingWebhookFactory(url=keep_alive_receiver.url())

    webhook_deliver_batch(delivery_ids=queued(webhook, 16))

    assert len(keep_alive_receiver.received) == 16
    assert len(set(keep_alive_receiver.client_ports)) == 1
    assert [r.headers["webhook-id"] for r in keep_alive_receiver.received] == [
        str(event_id)
        for event_id in Delivery.objects.filter(webhook=webhook)
        .order_by("event__created_at")
        .values_list("event_id", flat=True)
    ]


def test_connections_held_by_other_batches_count_against_the_limit(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 3
    receiver.default = Reply(status=200, sleep=0.1)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    held = queued(webhook, 1)
    Delivery.objects.filter(pk__in=held).update(
        status=Delivery.Status.SENDING,
        claim_token=uuid.uuid4(),
        claimed_until=timezone.now() + timedelta(minutes=1),
        attempts=1,
    )

    webhook_deliver_batch(delivery_ids=queued(webhook, 8))

    assert len(receiver.received) == 8
    assert most_at_once(receiver) == 2  # three slots, one held by another worker's batch


def test_an_organization_limit_bounds_the_connections_too(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY, settings.WEBHOOK_ORGANIZATION_CONCURRENCY = 8, 2
    receiver.default = Reply(status=200, sleep=0.1)
    webhook = OutgoingWebhookFactory(url=receiver.url())

    webhook_deliver_batch(delivery_ids=queued(webhook, 6))

    assert len(receiver.received) == 6
    assert most_at_once(receiver) == 2


def test_a_410_on_another_connection_disables_the_webhook_and_fails_the_rest_unsent(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 3
    receiver.script(Reply(status=200, sleep=0.1))
    receiver.default = Reply(status=410, sleep=0.1)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery_ids = queued(webhook, 12)

    webhook_deliver_batch(delivery_ids=delivery_ids)

    webhook.refresh_from_db()
    assert not webhook.is_active
    assert len(receiver.received) < 12  # the rest was never sent
    rows = list(Delivery.objects.filter(pk__in=delivery_ids))
    assert {d.status for d in rows} == {Delivery.Status.SUCCEEDED, Delivery.Status.FAILED}
    assert all(d.claim_token is None for d in rows)
    unsent = [d for d in rows if d.last_status_code is None]
    assert unsent and all(d.last_error.startswith("Not sent: the webhook was disabled.") for d in unsent)
    assert not DeliveryAttempt.objects.filter(delivery__in=rows, finished_at__isnull=True).exists()


def test_a_failing_endpoint_is_not_widened(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 4
    settings.WEBHOOK_RETRY_DELAYS = [60]
    receiver.default = Reply(status=500, sleep=0.06)
    webhook = OutgoingWebhookFactory(url=receiver.url())

    webhook_deliver_batch(delivery_ids=queued(webhook, 4))

    assert len(receiver.received) == 4
    assert most_at_once(receiver) == 1


def free_at_first_widening(monkeypatch, slots: int) -> list[dict]:
    """The batch's first widening finds `slots` free (the claim asks first; later asks are counted
    for real). Returns every ask's arguments, in order."""
    from webhooks import capacity

    real_free_slots, asked = capacity.free_slots, []

    def free_slots(**kwargs):
        asked.append(kwargs)
        if len(asked) == 2:
            return {webhook_id: slots for webhook_id, _ in kwargs["pairs"]}
        return real_free_slots(**kwargs)

    monkeypatch.setattr(capacity, "free_slots", free_slots)
    return asked


def test_a_batch_that_found_no_free_slot_asks_again_later(receiver, settings, monkeypatch):
    """Another batch of the endpoint held every slot when this one first asked; once they are
    free again, this batch spreads too (instead of trickling on one connection to the end)."""
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 4
    receiver.default = Reply(status=200, sleep=0.1)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    asked = free_at_first_widening(monkeypatch, 0)

    webhook_deliver_batch(delivery_ids=queued(webhook, 16))

    assert len(receiver.received) == 16
    assert len(asked) >= 3
    assert most_at_once(receiver) == 4


def test_connections_that_finish_early_take_over_the_rows_left(keep_alive_receiver, settings, monkeypatch):
    """Slots come free while a spread batch runs (here: the first widening found one free, the
    next ones four): the rows left are handed out a few at a time to whichever connection is done,
    so no connection is left carrying a long share of its own to the end."""
    from collections import Counter

    receiver = keep_alive_receiver
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 4
    receiver.default = Reply(status=200, sleep=0.05)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    free_at_first_widening(monkeypatch, 1)

    webhook_deliver_batch(delivery_ids=queued(webhook, 40))

    assert len(receiver.received) == 40
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 40  # each once
    assert most_at_once(receiver) == 4
    per_connection = Counter(receiver.client_ports)  # one port, one connection
    # Two connections splitting the 39 left between them would carry about 20 each.
    assert max(per_connection.values()) <= 15
    rows = Delivery.objects.filter(webhook=webhook)
    assert {(d.status, d.claim_token) for d in rows} == {(Delivery.Status.SUCCEEDED, None)}


def test_with_one_connection_per_endpoint_a_batch_never_asks_for_more(receiver, settings, monkeypatch):
    """Its batch holds the endpoint's only slot: asking (a lock on the organization's row and a
    count of its batches) could never succeed."""
    from webhooks import capacity

    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 1
    receiver.default = Reply(status=200, sleep=0.06)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    real_free_slots, asked = capacity.free_slots, []
    monkeypatch.setattr(capacity, "free_slots", lambda **kwargs: asked.append(kwargs) or real_free_slots(**kwargs))

    webhook_deliver_batch(delivery_ids=queued(webhook, 8))

    assert len(receiver.received) == 8
    assert len(asked) == 1  # the claim's own count
