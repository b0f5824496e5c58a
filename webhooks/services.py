"""Writes of the webhooks app: publishing events into the outbox, delivering them, managing endpoints.

Delivery life cycle: `pending` (due at `next_attempt_at`) -> `sending` (claimed by one worker under a
lease) -> `succeeded` | back to `pending` (retry scheduled) | `failed` (schedule exhausted, endpoint
gone or disabled). A worker that dies while `sending` leaves a lease that runs out; the periodic
dispatcher then hands the row to another worker, so delivery is at least once.
"""

import json
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core import logging as log_context
from core.api.errors import ApplicationError, ConflictError
from core.events import EVENT_TYPES, WEBHOOK_TEST
from core.timefmt import isoformat_ms
from organizations.models import Organization
from wabas.models import Waba
from webhooks import signing, transport
from webhooks.models import Delivery, DeliveryAttempt, Event, OutgoingWebhook

logger = logging.getLogger(__name__)

# A webhook whose every delivery has failed for this long is deactivated (as Svix does).
AUTO_DISABLE_AFTER = timedelta(days=5)
# A task that was put on the broker this long ago and has not claimed its row is presumed lost.
REENQUEUE_AFTER = timedelta(seconds=60)
JITTER = 0.1
STATUS_GONE = 410

_NOT_SET: Any = object()


def _lease() -> timedelta:
    # Longer than the Celery hard time limit, so a live worker always finishes (or is killed)
    # before another may take the row over: one attempt is never sent by two workers.
    return timedelta(seconds=int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 90)) + 30)


def _enqueue(delivery_ids: list[str]) -> None:
    """Queue one task per delivery over a single broker connection (one `.delay()` each would
    acquire a connection per message: about 20 s for 3,000 deliveries on the benchmark machine)."""
    from webhooks.tasks import deliver_webhook

    if deliver_webhook.app.conf.task_always_eager:
        for delivery_id in delivery_ids:
            deliver_webhook.delay(delivery_id)
        return
    with deliver_webhook.app.producer_or_acquire() as producer:
        for delivery_id in delivery_ids:
            deliver_webhook.apply_async((delivery_id,), producer=producer)


def _enqueue_on_commit(delivery_ids: list[uuid.UUID]) -> None:
    if not delivery_ids:
        return
    # robust: a broker outage must not fail the caller's committed work; the dispatcher
    # finds the rows in the database later.
    ids = [str(delivery_id) for delivery_id in delivery_ids]
    transaction.on_commit(lambda: _enqueue(ids), robust=True)


def _validate_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_TYPES]
    if not events or unknown:
        raise ApplicationError(
            "validation_error",
            "The request is invalid; see details for each field.",
            details={"events": ["Must be a non-empty list of known event types."]},
        )
    return list(dict.fromkeys(events))


def _validate_waba(*, organization: Organization, waba_id: uuid.UUID | None) -> Waba | None:
    if waba_id is None:
        return None
    waba = Waba.objects.filter(pk=waba_id, organization=organization).first()
    if waba is None:
        raise ApplicationError(
            "validation_error",
            "The request is invalid; see details for each field.",
            details={"wabaId": ["No WABA with this id belongs to your organization."]},
        )
    return waba


# --- Publishing -------------------------------------------------------------------------------


def _event_build(*, organization: Organization, type: str, data: dict, waba: Waba | None) -> Event:
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


def _event_create(*, organization: Organization, type: str, data: dict, waba: Waba | None) -> Event:
    event = _event_build(organization=organization, type=type, data=data, waba=waba)
    event.save()
    return event


def _deliveries_create(*, event: Event, webhooks: list[OutgoingWebhook]) -> list[Delivery]:
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [Delivery(event=event, webhook=w, next_attempt_at=now, enqueued_at=now) for w in webhooks]
    )
    _enqueue_on_commit([d.pk for d in deliveries])
    return deliveries


def _subscribed(webhook: OutgoingWebhook, event: Event) -> bool:
    in_scope = webhook.waba_id is None or webhook.waba_id == event.waba_id
    return webhook.organization_id == event.organization_id and in_scope and event.type in webhook.events


@transaction.atomic
def events_publish(*, type: str, items: list[tuple[Organization, dict, Waba | None]]) -> list[Event]:
    """Record events of one type (organization, data, WABA scope each) and a delivery for each
    active subscribed webhook whose scope matches, in a constant number of queries.

    Call it inside the transaction of the change that caused the events: both commit or neither,
    and the delivery tasks are queued only after the commit.
    """
    if type == WEBHOOK_TEST:
        raise ValueError("webhook.test events are sent with webhook_test(), to one webhook")
    events = [_event_build(organization=o, type=type, data=d, waba=w) for o, d, w in items]
    if not events:
        return []
    Event.objects.bulk_create(events)
    # The events list is filtered here rather than in SQL: JSON containment is not portable and an
    # organization has a handful of webhooks.
    webhooks = list(
        OutgoingWebhook.objects.filter(organization_id__in={e.organization_id for e in events}, is_active=True)
    )
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(event=event, webhook=webhook, next_attempt_at=now, enqueued_at=now)
            for event in events
            for webhook in webhooks
            if _subscribed(webhook, event)
        ]
    )
    _enqueue_on_commit([d.pk for d in deliveries])
    return events


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


# --- Delivering -------------------------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_until__lt=now
    )


@dataclass(frozen=True)
class _Claim:
    delivery: Delivery
    token: uuid.UUID
    attempt: DeliveryAttempt


@transaction.atomic
def _delivery_claim(*, delivery_id: uuid.UUID | str) -> _Claim | None:
    now = timezone.now()
    token = uuid.uuid4()
    # The conditional UPDATE is the lock: of two workers racing for one row, one updates it and
    # the other matches nothing.
    claimed = Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=Delivery.Status.SENDING,
        claimed_until=now + _lease(),
        claim_token=token,
        attempts=F("attempts") + 1,
        enqueued_at=None,
        last_attempt_at=now,
        updated_at=now,
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("event", "webhook", "webhook__organization").get(pk=delivery_id)
    # A try whose worker died left an unfinished attempt row: close it as what it was.
    # (A first attempt has no earlier row: skip the query on the common path.)
    if delivery.attempts > 1:
        delivery.attempt_log.filter(finished_at__isnull=True).update(
            finished_at=now, error="The delivery worker stopped before this attempt finished."
        )
    attempt = DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts)
    return _Claim(delivery=delivery, token=token, attempt=attempt)


def _retry_delay(attempts: int) -> timedelta | None:
    delays = list(settings.WEBHOOK_RETRY_DELAYS)
    if attempts > len(delays):
        return None
    base = delays[attempts - 1]
    return timedelta(seconds=max(0.0, base * random.uniform(1 - JITTER, 1 + JITTER)))


def _webhook_disable(*, webhook_id: uuid.UUID, reason: str, now: datetime) -> None:
    OutgoingWebhook.objects.filter(pk=webhook_id, is_active=True).update(
        is_active=False, disabled_reason=reason[:500], disabled_at=now, updated_at=now
    )
    # Nothing more goes to a disabled endpoint; its queued deliveries stay retryable by hand.
    Delivery.objects.filter(webhook_id=webhook_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED,
        last_error=f"Not sent: the webhook was disabled. {reason}"[:500],
        next_attempt_at=None,
        completed_at=now,
        updated_at=now,
    )


def _finish_claim(claim: _Claim, **fields: Any) -> bool:
    """Write the outcome only if our lease still holds (it always does unless we overran it)."""
    fields.update(claimed_until=None, claim_token=None, updated_at=timezone.now())
    return bool(Delivery.objects.filter(pk=claim.delivery.pk, claim_token=claim.token).update(**fields))


@transaction.atomic
def _record_outcome(claim: _Claim, result: transport.AttemptResult) -> None:
    now = timezone.now()
    delivery, webhook = claim.delivery, claim.delivery.webhook
    DeliveryAttempt.objects.filter(pk=claim.attempt.pk).update(
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        error=result.error[:500],
        response_excerpt=result.response_excerpt[:500],
        finished_at=now,
    )
    outcome = {"last_status_code": result.status_code, "last_error": result.error[:500]}

    if result.ok:
        if _finish_claim(claim, status=Delivery.Status.SUCCEEDED, next_attempt_at=None, completed_at=now, **outcome):
            OutgoingWebhook.objects.filter(pk=webhook.pk).filter(
                Q(consecutive_failures__gt=0) | Q(failing_since__isnull=False)
            ).update(consecutive_failures=0, failing_since=None)
        return

    if result.status_code == STATUS_GONE:
        if _finish_claim(claim, status=Delivery.Status.FAILED, next_attempt_at=None, completed_at=now, **outcome):
            reason = f"The endpoint answered 410 Gone on {isoformat_ms(now)}; it asked not to be sent anything more."
            _webhook_disable(webhook_id=webhook.pk, reason=reason, now=now)
        return

    delay = _retry_delay(delivery.attempts)
    if delay is None:
        finished = _finish_claim(
            claim, status=Delivery.Status.FAILED, next_attempt_at=None, completed_at=now, **outcome
        )
    else:
        finished = _finish_claim(claim, status=Delivery.Status.PENDING, next_attempt_at=now + delay, **outcome)
    if not finished:
        return
    OutgoingWebhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    OutgoingWebhook.objects.filter(pk=webhook.pk, failing_since__isnull=True).update(failing_since=now)
    failing_since = OutgoingWebhook.objects.values_list("failing_since", flat=True).get(pk=webhook.pk)
    if failing_since is not None and now - failing_since >= AUTO_DISABLE_AFTER:
        days = AUTO_DISABLE_AFTER.days
        reason = f"Every delivery failed for {days} days (since {isoformat_ms(failing_since)}); disabled automatically."
        _webhook_disable(webhook_id=webhook.pk, reason=reason, now=now)


def _headers(*, event: Event, secret: str) -> dict[str, str]:
    timestamp = int(timezone.now().timestamp())
    msg_id = str(event.pk)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.sign(
            secret=secret, msg_id=msg_id, timestamp=timestamp, body=event.payload.encode()
        ),
    }


def webhook_deliver(*, delivery_id: uuid.UUID | str) -> Delivery | None:
    """Make one attempt at a due delivery. Returns None when there was nothing to do (not due,
    finished, or another worker holds it), so running it twice is harmless."""
    claim = _delivery_claim(delivery_id=delivery_id)
    if claim is None:
        return None
    delivery, webhook, event = claim.delivery, claim.delivery.webhook, claim.delivery.event
    log_context.bind(organization_id=webhook.organization_id)
    if not webhook.is_active:
        now = timezone.now()
        error = "Not sent: the webhook is inactive."
        DeliveryAttempt.objects.filter(pk=claim.attempt.pk).update(error=error, duration_ms=0, finished_at=now)
        _finish_claim(claim, status=Delivery.Status.FAILED, next_attempt_at=None, completed_at=now, last_error=error)
        delivery.refresh_from_db()
        return delivery

    result = transport.post(
        url=webhook.url,
        body=event.payload.encode(),
        headers=_headers(event=event, secret=webhook.secret),
        timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS),
    )
    _record_outcome(claim, result)
    logger.info(
        "webhook delivery attempt",
        extra={
            "delivery_id": str(delivery.pk),
            "event_id": str(event.pk),
            "webhook_id": str(webhook.pk),
            "attempt": delivery.attempts,
            "status_code": result.status_code,
            "duration_ms": result.duration_ms,
        },
    )
    delivery.refresh_from_db()
    return delivery


def deliveries_due(*, now: datetime | None = None) -> QuerySet[Delivery]:
    now = now or timezone.now()
    return Delivery.objects.filter(_claimable(now)).order_by("next_attempt_at")


def deliveries_dispatch_due(*, limit: int = 500) -> int:
    """Queue a task for every due delivery not already queued recently; returns how many.

    Covers retries that came due, rows whose task was lost with the broker, and rows whose
    worker died mid-attempt (its lease ran out). Only queues: a slow endpoint delays nobody.
    """
    from webhooks.tasks import deliver_webhook

    now = timezone.now()
    not_recently_queued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER)
    candidates = list(deliveries_due(now=now).filter(not_recently_queued).values_list("pk", flat=True)[:limit])
    queued = 0
    for delivery_id in candidates:
        # Conditional UPDATE, so two dispatchers running at once queue each row once.
        if Delivery.objects.filter(not_recently_queued, pk=delivery_id).update(enqueued_at=now):
            try:
                deliver_webhook.delay(str(delivery_id))
            except Exception:
                logger.exception("could not queue a webhook delivery; the next dispatch retries it")
                Delivery.objects.filter(pk=delivery_id).update(enqueued_at=None)
                continue
            queued += 1
    return queued


@transaction.atomic
def delivery_retry(*, delivery: Delivery) -> Delivery:
    """Manual redelivery: due now, whatever its status, unless a worker is sending it right now."""
    if not delivery.webhook.is_active:
        raise ConflictError("webhook_inactive", "The webhook is inactive; activate it before redelivering.")
    now = timezone.now()
    updated = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(status=Delivery.Status.SENDING, claimed_until__gte=now)
        .update(
            status=Delivery.Status.PENDING,
            next_attempt_at=now,
            enqueued_at=now,
            completed_at=None,
            claimed_until=None,
            claim_token=None,
            updated_at=now,
        )
    )
    if not updated:
        raise ConflictError("delivery_in_progress", "This delivery is being sent right now; try again shortly.")
    _enqueue_on_commit([delivery.pk])
    delivery.refresh_from_db()
    return delivery


# --- Managing endpoints -----------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedWebhook:
    webhook: OutgoingWebhook
    secret: str  # shown once, in the create response


@transaction.atomic
def webhook_create(
    *,
    organization: Organization,
    url: str,
    events: list[str],
    secret: str | None = None,
    waba_id: uuid.UUID | None = None,
    is_active: bool = True,
    description: str = "",
) -> CreatedWebhook:
    secret = secret or signing.secret_generate()
    webhook = OutgoingWebhook.objects.create(
        organization=organization,
        url=url,
        secret=secret,
        events=_validate_events(events),
        waba=_validate_waba(organization=organization, waba_id=waba_id),
        is_active=is_active,
        description=description,
    )
    return CreatedWebhook(webhook=webhook, secret=secret)


@transaction.atomic
def webhook_update(
    *,
    webhook: OutgoingWebhook,
    url: str = _NOT_SET,
    events: list[str] = _NOT_SET,
    secret: str = _NOT_SET,
    waba_id: uuid.UUID | None = _NOT_SET,
    is_active: bool = _NOT_SET,
    description: str = _NOT_SET,
) -> OutgoingWebhook:
    """Change the given fields only. Reactivating clears the failure record and the disable reason."""
    changed: list[str] = []
    for name, value in (("url", url), ("secret", secret), ("description", description)):
        if value is not _NOT_SET:
            setattr(webhook, name, value)
            changed.append(name)
    if events is not _NOT_SET:
        webhook.events = _validate_events(events)
        changed.append("events")
    if waba_id is not _NOT_SET:
        webhook.waba = _validate_waba(organization=webhook.organization, waba_id=waba_id)
        changed.append("waba")
    if is_active is not _NOT_SET and is_active != webhook.is_active:
        webhook.is_active = is_active
        changed.append("is_active")
        if is_active:
            webhook.disabled_reason, webhook.disabled_at = "", None
            webhook.consecutive_failures, webhook.failing_since = 0, None
        else:
            webhook.disabled_reason, webhook.disabled_at = "Deactivated through the API.", timezone.now()
        changed += ["disabled_reason", "disabled_at", "consecutive_failures", "failing_since"]
    if changed:
        webhook.save(update_fields=[*changed, "updated_at"])
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: OutgoingWebhook) -> None:
    """Delete the endpoint and its delivery history; the organization's events are kept."""
    webhook.delete()


@dataclass(frozen=True)
class PruneResult:
    events: int
    deliveries: int
    attempts: int


@transaction.atomic
def webhook_history_prune(*, older_than_days: int, dry_run: bool = False) -> PruneResult:
    """Delete events older than the cutoff with their deliveries and attempts. Events that still
    have a delivery in flight (pending or sending) are kept until it finishes."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    cutoff = timezone.now() - timedelta(days=older_than_days)
    in_flight = Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
    events = Event.objects.filter(created_at__lt=cutoff).exclude(pk__in=in_flight.values("event_id"))
    deliveries = Delivery.objects.filter(event__in=events)
    result = PruneResult(
        events=events.count(),
        deliveries=deliveries.count(),
        attempts=DeliveryAttempt.objects.filter(delivery__in=deliveries).count(),
    )
    if not dry_run:
        events.delete()
    return result
