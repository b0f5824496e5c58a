"""Publishing events: an event row and a delivery row for each subscribed webhook, in the
transaction of the change that caused the event; the deliveries are queued once it commits."""

import json

from django.db import transaction
from django.utils import timezone

from core.api.errors import ConflictError
from core.events import EVENT_TYPES, WEBHOOK_TEST
from core.metrics import EVENTS_PUBLISHED
from core.timefmt import isoformat_ms
from organizations.models import Organization
from wabas.models import Waba
from webhooks import capacity
from webhooks.delivery import queueing
from webhooks.delivery.engine import deliveries_dispatch_due
from webhooks.models import Delivery, Event, OutgoingWebhook


def event_build(*, organization: Organization, type: str, data: dict, waba: Waba | None) -> Event:
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    if waba is not None and waba.organization_id != organization.pk:
        raise ValueError("the WABA belongs to another organization")
    event = Event(organization=organization, type=type, waba=waba, data=data, created_at=timezone.now())
    envelope = {
        "id": str(event.id),
        "event": type,
        "timestamp": isoformat_ms(event.created_at),
        "organizationId": str(organization.pk),
        "data": data,
    }
    # Serialized once: every retry sends (and signs) exactly these bytes.
    event.payload = json.dumps(envelope, separators=(",", ":"))
    return event


def _count_on_commit(type: str, count: int) -> None:
    transaction.on_commit(lambda: EVENTS_PUBLISHED.labels(type).inc(count))


def _event_create(*, organization: Organization, type: str, data: dict, waba: Waba | None) -> Event:
    event = event_build(organization=organization, type=type, data=data, waba=waba)
    event.save()
    _count_on_commit(type, 1)
    return event


def _deliveries_create(*, event: Event, webhooks: list[OutgoingWebhook]) -> list[Delivery]:
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [Delivery(event=event, webhook=w, next_attempt_at=now, enqueued_at=now) for w in webhooks]
    )
    queueing.enqueue_on_commit([(d.webhook_id, d.pk) for d in deliveries])
    return deliveries


def _subscribed(webhook: OutgoingWebhook, event: Event) -> bool:
    in_scope = webhook.waba_id is None or webhook.waba_id == event.waba_id
    return webhook.organization_id == event.organization_id and in_scope and event.type in webhook.events


@transaction.atomic
def events_publish(*, type: str, items: list[tuple[Organization, dict, Waba | None]]) -> list[Event]:
    """Record events of one type (organization, data, WABA scope each) and a delivery for each
    active subscribed webhook whose scope matches, in a constant number of queries.

    Call it inside the transaction of the change that caused the events: both commit or neither,
    and the delivery tasks are queued only after the commit. The deliveries of an endpoint on one
    connection (a failing one) are not queued while it is taken (`capacity.waiting_for_their_connection`).
    """
    if type == WEBHOOK_TEST:
        raise ValueError("webhook.test events are sent with webhook_test(), to one webhook")
    events = [event_build(organization=o, type=type, data=d, waba=w) for o, d, w in items]
    if not events:
        return []
    Event.objects.bulk_create(events)
    _count_on_commit(type, len(events))
    # The events list is filtered here rather than in SQL: JSON containment is not portable and an
    # organization has a handful of webhooks.
    webhooks = list(
        OutgoingWebhook.objects.filter(organization_id__in={e.organization_id for e in events}, is_active=True)
    )
    now = timezone.now()
    # An endpoint's one connection is taken: its new rows wait for it, unqueued.
    waiting = capacity.waiting_for_their_connection(webhooks=webhooks, now=now)
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                event=event, webhook=webhook, next_attempt_at=now, enqueued_at=None if webhook.pk in waiting else now
            )
            for event in events
            for webhook in webhooks
            if _subscribed(webhook, event)
        ]
    )
    queueing.enqueue_on_commit([(d.webhook_id, d.pk) for d in deliveries if d.enqueued_at is not None])
    if waiting:
        held = [w for w in webhooks if w.pk in waiting]
        transaction.on_commit(lambda: _queue_if_freed(held), robust=True)
    return events


def _queue_if_freed(webhooks: list[OutgoingWebhook]) -> None:
    """After the commit, look again: a batch that ended before it could not see the rows it held
    back (its end queues only the waiting rows it can see), so they are queued here. Each side
    looks after its own commit, so one of them sees the other; the dispatcher's conditional UPDATE
    queues a row once."""
    still_taken = capacity.waiting_for_their_connection(webhooks=webhooks, now=timezone.now())
    freed = [w.pk for w in webhooks if w.pk not in still_taken]
    if freed:
        deliveries_dispatch_due(limit=queueing.batch_size(), webhook_ids=freed)


def event_publish(*, organization: Organization, type: str, data: dict, waba: Waba | None = None) -> Event:
    """Publish one event (see events_publish)."""
    return events_publish(type=type, items=[(organization, data, waba)])[0]


@transaction.atomic
def webhook_test(*, webhook: OutgoingWebhook) -> Delivery:
    """Send a `webhook.test` event to this webhook only, whatever its subscriptions and scope."""
    if not webhook.is_active:
        raise ConflictError("webhook_inactive", "The webhook is inactive; activate it before testing it.")
    data = {"webhookId": str(webhook.pk), "message": "This is a test event sent from the API."}
    event = _event_create(organization=webhook.organization, type=WEBHOOK_TEST, data=data, waba=webhook.waba)
    return _deliveries_create(event=event, webhooks=[webhook])[0]
