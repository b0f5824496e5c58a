"""Sending deliveries. A task takes a batch of deliveries (one webhook's, in practice): one claim,
one connection, one write of the successes. A failed attempt is recorded at once, one delivery at a
time, because it schedules a retry and may disable the webhook. The dispatcher queues what is due
and not queued (retries, lost messages, expired leases, rows deferred by a concurrency limit)."""

import logging
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from core import logging as log_context
from webhooks import signing, transport
from webhooks.delivery import queueing
from webhooks.delivery.claiming import Claim, claimable, deliveries_claim
from webhooks.delivery.outcomes import fail_unsent, not_sent_disabled, record_failure, record_successes, release_unsent
from webhooks.models import Delivery, OutgoingWebhook

logger = logging.getLogger(__name__)

# A task that was put on the broker this long ago and has not claimed its row is presumed lost.
REENQUEUE_AFTER = timedelta(seconds=60)
NOT_SENT_INACTIVE = "Not sent: the webhook is inactive."
# While a batch runs longer than this (a slow endpoint), it records its successes and checks that
# the webhook is still active this often.
BATCH_CHECK_SECONDS = 5.0


def _headers(*, event_id: uuid.UUID, body: bytes, webhook: OutgoingWebhook) -> dict[str, str]:
    now = timezone.now()
    timestamp = int(now.timestamp())
    msg_id = str(event_id)
    # Two signatures while a rotated secret's grace period lasts (webhooks.rotation).
    secrets = webhook.signing_secrets(now)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(secrets=secrets, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def _webhook_send(claims: list[Claim], *, deadline: float, may_stop: bool) -> int:
    """Send one webhook's claimed deliveries in order over one connection; returns how many were
    sent. With `may_stop`, nothing more is started once `deadline` (monotonic) has passed."""
    webhook = claims[0].webhook
    log_context.bind(organization_id=webhook.organization_id)
    if not webhook.is_active:
        fail_unsent(claims, error=NOT_SENT_INACTIVE)
        return 0
    sent = 0
    successes: list[tuple[Claim, transport.AttemptResult]] = []
    next_check = time.monotonic() + BATCH_CHECK_SECONDS
    with transport.Sender(url=webhook.url, timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS)) as sender:
        try:
            for index, claim in enumerate(claims):
                clock = time.monotonic()
                if (may_stop or sent) and clock >= deadline:
                    release_unsent(claims[index:])
                    break
                if clock >= next_check:
                    record_successes(successes)
                    successes = []
                    next_check = clock + BATCH_CHECK_SECONDS
                    # Another worker's 410, or a deactivation through the API.
                    if not OutgoingWebhook.objects.filter(pk=webhook.pk, is_active=True).exists():
                        fail_unsent(claims[index:], error=NOT_SENT_INACTIVE)
                        break
                body = claim.payload.encode()
                result = sender.post(
                    body=body, headers=_headers(event_id=claim.event_id, body=body, webhook=webhook)
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
                record_successes(successes)
                successes = []
                disabled = record_failure(claim, result)
                if disabled:
                    fail_unsent(claims[index + 1 :], error=not_sent_disabled(disabled))
                    break
        finally:
            record_successes(successes)
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
    claims = deliveries_claim(delivery_ids=delivery_ids)
    by_webhook: dict[uuid.UUID, list[Claim]] = {}
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
    return Delivery.objects.filter(claimable(now)).order_by("next_attempt_at")


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
    for batch in queueing.batches(candidates):
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
