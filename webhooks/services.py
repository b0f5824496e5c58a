"""Writes of the webhooks app: publishing events into the outbox, delivering them, managing endpoints.

Delivery life cycle: `pending` (due at `next_attempt_at`) -> `sending` (claimed by one worker under a
lease) -> `succeeded` | back to `pending` (retry scheduled) | `failed` (schedule exhausted, endpoint
gone or disabled). A worker that dies while `sending` leaves a lease that runs out; the periodic
dispatcher then hands the row to another worker, so delivery is at least once. Deliveries travel in
batches of one webhook's rows (`WEBHOOK_DELIVERY_BATCH_SIZE`), one task and one connection each.
"""

import json
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from core import logging as log_context
from core.api.errors import ApplicationError, ConflictError
from core.events import EVENT_TYPES, WEBHOOK_TEST
from core.timefmt import isoformat_ms
from organizations.models import Organization
from wabas.models import Waba
from webhooks import capacity, signing, transport
from webhooks.models import Delivery, DeliveryAttempt, Event, OutgoingWebhook

logger = logging.getLogger(__name__)

# A webhook whose every delivery has failed for this long is deactivated (as Svix does).
AUTO_DISABLE_AFTER = timedelta(days=5)
# A task that was put on the broker this long ago and has not claimed its row is presumed lost.
REENQUEUE_AFTER = timedelta(seconds=60)
JITTER = 0.1
STATUS_GONE = 410

_NOT_SET: Any = object()


def _batches(deliveries: list[tuple[Any, Any]]) -> list[list[str]]:
    """(webhook id, delivery id) pairs as lists of delivery ids, one webhook each (in the order
    given), cut at WEBHOOK_DELIVERY_BATCH_SIZE: one task sends a list over one connection."""
    size = max(1, int(settings.WEBHOOK_DELIVERY_BATCH_SIZE))
    by_webhook: dict[str, list[str]] = {}
    for webhook_id, delivery_id in deliveries:
        by_webhook.setdefault(str(webhook_id), []).append(str(delivery_id))
    return [ids[i : i + size] for ids in by_webhook.values() for i in range(0, len(ids), size)]


def _enqueue(deliveries: list[tuple[str, str]]) -> None:
    """Queue the batches of (webhook id, delivery id) pairs over a single broker connection (one
    `.delay()` each would acquire a connection per message: about 20 s for 3,000 messages on the
    benchmark machine)."""
    from webhooks.tasks import deliver_webhooks

    batches = _batches(deliveries)
    if deliver_webhooks.app.conf.task_always_eager:
        for batch in batches:
            deliver_webhooks.delay(batch)
        return
    with deliver_webhooks.app.producer_or_acquire() as producer:
        for batch in batches:
            deliver_webhooks.apply_async((batch,), producer=producer)


def _enqueue_on_commit(deliveries: list[tuple[Any, Any]]) -> None:
    """Queue (webhook id, delivery id) pairs once the current transaction commits."""
    if not deliveries:
        return
    # robust: a broker outage must not fail the caller's committed work; the dispatcher
    # finds the rows in the database later.
    pairs = [(str(webhook_id), str(delivery_id)) for webhook_id, delivery_id in deliveries]
    transaction.on_commit(lambda: _enqueue(pairs), robust=True)


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
    _enqueue_on_commit([(d.webhook_id, d.pk) for d in deliveries])
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
    _enqueue_on_commit([(d.webhook_id, d.pk) for d in deliveries])
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
#
# A task takes a batch of deliveries (one webhook's, in practice): one claim, one connection, one
# write of the successes. A failed attempt is recorded at once, one delivery at a time, because
# it schedules a retry and may disable the webhook.

NOT_SENT_INACTIVE = "Not sent: the webhook is inactive."
WORKER_STOPPED = "The delivery worker stopped before this attempt finished."
# While a batch runs longer than this (a slow endpoint), it records its successes and checks that
# the webhook is still active this often.
BATCH_CHECK_SECONDS = 5.0


def _claimable(now: datetime) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_until__lt=now
    )


@dataclass(frozen=True)
class _Claim:
    """One claimed delivery, as the sending loop needs it (no model instance: a batch reads tuples)."""

    delivery_id: uuid.UUID
    webhook: OutgoingWebhook
    event_id: uuid.UUID
    payload: str
    attempt_number: int
    attempt_id: int
    token: uuid.UUID


def _attempts_open(*, delivery_ids: list[uuid.UUID], token: uuid.UUID, now: datetime) -> dict[uuid.UUID, int]:
    """An attempt row for each delivery claimed under `token`, numbered by its attempts, in one
    INSERT ... SELECT (bulk_create costs ~0.1 ms of Python a row); returns the rows' ids by delivery."""
    rows = (
        Delivery.objects.filter(pk__in=delivery_ids, claim_token=token)
        .order_by()
        .annotate(no_error=Value(""), no_excerpt=Value(""), opened_at=Value(now, output_field=models.DateTimeField()))
        .values_list("pk", "attempts", "no_error", "no_excerpt", "opened_at")
    )
    select, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    fields = [DeliveryAttempt._meta.get_field(name) for name in ("delivery", "number", "error", "response_excerpt")]
    columns = ", ".join(quote(f.column) for f in [*fields, DeliveryAttempt._meta.get_field("created_at")])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(DeliveryAttempt._meta.db_table)} ({columns}) {select} "  # noqa: S608 - our names
            f"RETURNING {quote('id')}, {quote(fields[0].column)}",
            params,
        )
        to_uuid = Delivery._meta.pk.to_python
        return {to_uuid(delivery_id): attempt_id for attempt_id, delivery_id in cursor.fetchall()}


@transaction.atomic
def _deliveries_claim(*, delivery_ids: list[uuid.UUID | str]) -> list[_Claim]:
    """Claim the due rows among `delivery_ids` under one token and open an attempt row for each; in
    event order. Rows that are not due, finished or held by another worker are left alone, and so
    are the rows of a webhook at its concurrency limit (webhooks.capacity): those wait, unqueued."""
    now = timezone.now()
    token = uuid.uuid4()
    due = Delivery.objects.filter(_claimable(now), pk__in=delivery_ids)
    wanted = set(due.order_by().values_list("webhook_id", "webhook__organization_id").distinct())
    admitted = capacity.admitted_webhooks(pairs=wanted, now=now)
    if len(admitted) < len(wanted):
        # Over a concurrency limit: left due and unqueued, so the next dispatch (or the end of one
        # of the webhook's batches) queues them again.
        deferred = due.exclude(webhook_id__in=admitted).update(enqueued_at=None)
        logger.info(
            "webhook deliveries deferred: endpoint or organization at its concurrency limit",
            extra={"deliveries": deferred, "webhook_ids": sorted(str(w) for w, _ in wanted if w not in admitted)},
        )
    # The conditional UPDATE is the lock: of two workers racing for one row, one updates it and
    # the other matches nothing.
    claimed = due.filter(webhook_id__in=admitted).update(
        status=Delivery.Status.SENDING,
        claimed_until=now + capacity.lease(),
        claim_token=token,
        attempts=F("attempts") + 1,
        enqueued_at=None,
        last_attempt_at=now,
        updated_at=now,
    )
    if not claimed:
        return []
    rows = list(
        Delivery.objects.filter(pk__in=delivery_ids, claim_token=token)  # by key: claim_token has no index
        .order_by("event__created_at", "event_id")
        .values_list("pk", "webhook_id", "attempts", "event_id", "event__payload")
    )
    # One instance per webhook: its secret is decrypted once, not once per delivery. (A webhook
    # deleted meanwhile took its deliveries with it.)
    webhooks = OutgoingWebhook.objects.in_bulk({webhook_id for _, webhook_id, *_ in rows})
    rows = [row for row in rows if row[1] in webhooks]
    # A try whose worker died left an unfinished attempt row: close it as what it was.
    # (A first attempt has no earlier row: skip the query on the common path.)
    retried = [delivery_id for delivery_id, _, attempts, *_ in rows if attempts > 1]
    if retried:
        DeliveryAttempt.objects.filter(delivery_id__in=retried, finished_at__isnull=True).update(
            finished_at=now, error=WORKER_STOPPED
        )
    attempt_ids = _attempts_open(delivery_ids=[row[0] for row in rows], token=token, now=now)
    return [
        _Claim(
            delivery_id=delivery_id,
            webhook=webhooks[webhook_id],
            event_id=event_id,
            payload=payload,
            attempt_number=attempts,
            attempt_id=attempt_ids[delivery_id],
            token=token,
        )
        for delivery_id, webhook_id, attempts, event_id, payload in rows
    ]


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
        last_error=_not_sent_disabled(reason),
        next_attempt_at=None,
        completed_at=now,
        updated_at=now,
    )


def _not_sent_disabled(reason: str) -> str:
    return f"Not sent: the webhook was disabled. {reason}"[:500]


def _finish_claim(claim: _Claim, **fields: Any) -> bool:
    """Write the outcome only if our lease still holds (it always does unless we overran it)."""
    fields.update(claimed_until=None, claim_token=None, updated_at=timezone.now())
    return bool(Delivery.objects.filter(pk=claim.delivery_id, claim_token=claim.token).update(**fields))


def _attempts_finish(rows: list[tuple[int | None, int, str, datetime, int]]) -> None:
    """Complete attempt rows: (status code, duration, excerpt, finished at, id) each. One statement
    sent many times: `bulk_update` builds a CASE per field and row, about 2 ms of Python a row."""
    table = DeliveryAttempt._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status_code = %s, duration_ms = %s, response_excerpt = %s, "  # noqa: S608 - our table
            "finished_at = %s WHERE id = %s",
            rows,
        )


@transaction.atomic
def _record_successes(successes: list[tuple[_Claim, transport.AttemptResult]]) -> None:
    """Successes in bulk: one UPDATE per status code, one for the attempt rows, and the webhook's
    failure record cleared once."""
    if not successes:
        return
    now = timezone.now()
    token, webhook_id = successes[0][0].token, successes[0][0].webhook.pk
    by_code: dict[int | None, list[uuid.UUID]] = {}
    for claim, result in successes:
        by_code.setdefault(result.status_code, []).append(claim.delivery_id)
    finished = 0
    for status_code, ids in by_code.items():
        finished += Delivery.objects.filter(pk__in=ids, claim_token=token).update(
            status=Delivery.Status.SUCCEEDED,
            next_attempt_at=None,
            completed_at=now,
            last_status_code=status_code,
            last_error="",
            claimed_until=None,
            claim_token=None,
            updated_at=now,
        )
    _attempts_finish(
        [
            (result.status_code, result.duration_ms, result.response_excerpt[:500], now, claim.attempt_id)
            for claim, result in successes
        ]
    )
    if finished:
        OutgoingWebhook.objects.filter(pk=webhook_id).filter(
            Q(consecutive_failures__gt=0) | Q(failing_since__isnull=False)
        ).update(consecutive_failures=0, failing_since=None)


@transaction.atomic
def _record_failure(claim: _Claim, result: transport.AttemptResult) -> str | None:
    """Record a failed attempt: a retry on schedule, or the end of the delivery. Returns the reason
    when this failure disabled the webhook (410 Gone, or failing for AUTO_DISABLE_AFTER)."""
    now = timezone.now()
    webhook = claim.webhook
    DeliveryAttempt.objects.filter(pk=claim.attempt_id).update(
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        error=result.error[:500],
        response_excerpt=result.response_excerpt[:500],
        finished_at=now,
    )
    outcome = {"last_status_code": result.status_code, "last_error": result.error[:500]}

    if result.status_code == STATUS_GONE:
        if not _finish_claim(claim, status=Delivery.Status.FAILED, next_attempt_at=None, completed_at=now, **outcome):
            return None
        reason = f"The endpoint answered 410 Gone on {isoformat_ms(now)}; it asked not to be sent anything more."
        _webhook_disable(webhook_id=webhook.pk, reason=reason, now=now)
        return reason

    delay = _retry_delay(claim.attempt_number)
    if delay is None:
        finished = _finish_claim(
            claim, status=Delivery.Status.FAILED, next_attempt_at=None, completed_at=now, **outcome
        )
    else:
        finished = _finish_claim(claim, status=Delivery.Status.PENDING, next_attempt_at=now + delay, **outcome)
    if not finished:
        return None
    OutgoingWebhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    OutgoingWebhook.objects.filter(pk=webhook.pk, failing_since__isnull=True).update(failing_since=now)
    failing_since = OutgoingWebhook.objects.values_list("failing_since", flat=True).get(pk=webhook.pk)
    if failing_since is not None and now - failing_since >= AUTO_DISABLE_AFTER:
        days = AUTO_DISABLE_AFTER.days
        reason = f"Every delivery failed for {days} days (since {isoformat_ms(failing_since)}); disabled automatically."
        _webhook_disable(webhook_id=webhook.pk, reason=reason, now=now)
        return reason
    return None


@transaction.atomic
def _fail_unsent(claims: list[_Claim], *, error: str) -> None:
    """End claimed deliveries that will not be sent (their webhook is inactive, or was just disabled)."""
    if not claims:
        return
    now = timezone.now()
    DeliveryAttempt.objects.filter(pk__in=[c.attempt_id for c in claims]).update(
        error=error[:500], duration_ms=0, finished_at=now
    )
    Delivery.objects.filter(pk__in=[c.delivery_id for c in claims], claim_token=claims[0].token).update(
        status=Delivery.Status.FAILED,
        next_attempt_at=None,
        completed_at=now,
        last_error=error[:500],
        claimed_until=None,
        claim_token=None,
        updated_at=now,
    )


@transaction.atomic
def _release_unsent(claims: list[_Claim]) -> None:
    """Put claimed deliveries the batch had no time for back as they were (pending, due now, the
    attempt count and rows as before the claim) and queue them again."""
    if not claims:
        return
    now = timezone.now()
    Delivery.objects.filter(pk__in=[c.delivery_id for c in claims], claim_token=claims[0].token).update(
        status=Delivery.Status.PENDING,
        attempts=F("attempts") - 1,
        next_attempt_at=now,
        enqueued_at=now,
        claimed_until=None,
        claim_token=None,
        # A first attempt leaves no trace; a retry keeps the claim's time (the earlier one is gone).
        last_attempt_at=Case(When(attempts=1, then=Value(None)), default=F("last_attempt_at")),
        updated_at=now,
    )
    DeliveryAttempt.objects.filter(pk__in=[c.attempt_id for c in claims]).delete()
    _enqueue_on_commit([(c.webhook.pk, c.delivery_id) for c in claims])


def _headers(*, event_id: uuid.UUID, body: bytes, secret: str) -> dict[str, str]:
    timestamp = int(timezone.now().timestamp())
    msg_id = str(event_id)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def _webhook_send(claims: list[_Claim], *, deadline: float, may_stop: bool) -> int:
    """Send one webhook's claimed deliveries in order over one connection; returns how many were
    sent. With `may_stop`, nothing more is started once `deadline` (monotonic) has passed."""
    webhook = claims[0].webhook
    log_context.bind(organization_id=webhook.organization_id)
    if not webhook.is_active:
        _fail_unsent(claims, error=NOT_SENT_INACTIVE)
        return 0
    sent = 0
    successes: list[tuple[_Claim, transport.AttemptResult]] = []
    next_check = time.monotonic() + BATCH_CHECK_SECONDS
    with transport.Sender(url=webhook.url, timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS)) as sender:
        try:
            for index, claim in enumerate(claims):
                clock = time.monotonic()
                if (may_stop or sent) and clock >= deadline:
                    _release_unsent(claims[index:])
                    break
                if clock >= next_check:
                    _record_successes(successes)
                    successes = []
                    next_check = clock + BATCH_CHECK_SECONDS
                    # Another worker's 410, or a deactivation through the API.
                    if not OutgoingWebhook.objects.filter(pk=webhook.pk, is_active=True).exists():
                        _fail_unsent(claims[index:], error=NOT_SENT_INACTIVE)
                        break
                body = claim.payload.encode()
                result = sender.post(
                    body=body, headers=_headers(event_id=claim.event_id, body=body, secret=webhook.secret)
                )
                sent += 1
                logger.info(
                    "webhook delivery attempt",
                    # UUIDs, not text: the JSON line shows them the same, and the redaction filter
                    # only scans text.
                    extra={
                        "delivery_id": claim.delivery_id,
                        "event_id": claim.event_id,
                        "webhook_id": webhook.pk,
                        "attempt": claim.attempt_number,
                        "status_code": result.status_code,
                        "duration_ms": result.duration_ms,
                    },
                )
                if result.ok:
                    successes.append((claim, result))
                    continue
                # Successes first, so the webhook's failure record keeps the order of the outcomes.
                _record_successes(successes)
                successes = []
                disabled = _record_failure(claim, result)
                if disabled:
                    _fail_unsent(claims[index + 1 :], error=_not_sent_disabled(disabled))
                    break
        finally:
            _record_successes(successes)
    return sent


def webhook_deliver_batch(*, delivery_ids: list[uuid.UUID | str], queue_waiting: bool = True) -> list[uuid.UUID]:
    """Make one attempt at each due delivery among `delivery_ids`: in event order, over one
    keep-alive connection per webhook. Rows that are not due, finished or held by another worker
    are skipped, so running it twice is harmless. Returns the ids of the deliveries it claimed
    (their rows hold the outcome).

    After WEBHOOK_BATCH_SECONDS no new request is started (at least one always is): the deliveries
    not sent go back to pending, due now, as if never claimed, and are queued again.

    A webhook over a concurrency limit (see webhooks.capacity) is not served; with `queue_waiting`,
    a batch that ends queues the next due rows of its webhook (they may have waited for its slot).
    """
    deadline = time.monotonic() + float(settings.WEBHOOK_BATCH_SECONDS)
    claims = _deliveries_claim(delivery_ids=delivery_ids)
    by_webhook: dict[uuid.UUID, list[_Claim]] = {}
    for claim in claims:
        by_webhook.setdefault(claim.webhook.pk, []).append(claim)
    sent = 0
    for webhook_claims in by_webhook.values():
        sent += _webhook_send(webhook_claims, deadline=deadline, may_stop=sent > 0)
    if queue_waiting:
        for webhook_id in by_webhook:
            _queue_waiting(webhook_id)
    return [claim.delivery_id for claim in claims]


def _queue_waiting(webhook_id: uuid.UUID) -> None:
    """This batch's slot is free again: queue a share of the webhook's waiting rows for it. A
    share, not a whole batch, so that when the webhook's batches end together, the rows that
    waited go out over all its slots at once rather than over one or two."""
    now = timezone.now()
    waiting = deliveries_due(now=now).filter(webhook_id=webhook_id, enqueued_at__isnull=True).count()
    if waiting:
        share = -(-waiting // int(settings.WEBHOOK_ENDPOINT_CONCURRENCY))
        deliveries_dispatch_due(limit=min(share, int(settings.WEBHOOK_DELIVERY_BATCH_SIZE)), webhook_ids=[webhook_id])


def webhook_deliver(*, delivery_id: uuid.UUID | str, queue_waiting: bool = True) -> Delivery | None:
    """Make one attempt at a due delivery (a batch of one). Returns None when there was nothing to
    do (not due, finished, another worker holds it, or its endpoint is at its concurrency limit),
    so running it twice is harmless."""
    if not webhook_deliver_batch(delivery_ids=[delivery_id], queue_waiting=queue_waiting):
        return None
    return Delivery.objects.get(pk=delivery_id)


def deliveries_due(*, now: datetime | None = None) -> QuerySet[Delivery]:
    now = now or timezone.now()
    return Delivery.objects.filter(_claimable(now)).order_by("next_attempt_at")


def deliveries_dispatch_due(*, limit: int = 500, webhook_ids: list[uuid.UUID] | None = None) -> int:
    """Queue a task for every batch of due deliveries not already queued recently (of these
    webhooks only, if given); returns how many deliveries.

    Covers retries that came due, rows whose task was lost with the broker, rows deferred by a
    concurrency limit, and rows whose worker died mid-attempt (its lease ran out). Only queues: a
    slow endpoint delays nobody.
    """
    from webhooks.tasks import deliver_webhooks

    now = timezone.now()
    not_recently_queued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER)
    due = deliveries_due(now=now).filter(not_recently_queued)
    if webhook_ids is not None:
        due = due.filter(webhook_id__in=webhook_ids)
    candidates = list(due.values_list("webhook_id", "pk")[:limit])
    queued = 0
    for batch in _batches(candidates):
        # Conditional UPDATE, so two dispatchers running at once queue each row once. When it did
        # not mark the whole batch, the rows this run marked are the ones stamped with its `now`.
        marked = Delivery.objects.filter(not_recently_queued, pk__in=batch).update(enqueued_at=now)
        if not marked:
            continue
        if marked < len(batch):
            ours = {
                str(pk) for pk in Delivery.objects.filter(pk__in=batch, enqueued_at=now).values_list("pk", flat=True)
            }
            batch = [delivery_id for delivery_id in batch if delivery_id in ours]
        try:
            deliver_webhooks.delay(batch)
        except Exception:
            logger.exception("could not queue webhook deliveries; the next dispatch retries them")
            Delivery.objects.filter(pk__in=batch).update(enqueued_at=None)
            continue
        queued += len(batch)
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
    _enqueue_on_commit([(delivery.webhook_id, delivery.pk)])
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
