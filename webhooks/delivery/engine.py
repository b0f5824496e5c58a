"""Running batches. A task takes a batch of deliveries (one webhook's, in practice): one claim,
then `sending.webhook_send` (one connection, or more for a slow endpoint; successes written
together, a failure at once, because it schedules a retry and may disable the webhook). The
dispatcher queues what is due and not queued (retries, lost messages, expired leases, rows
deferred by a concurrency limit)."""

import logging
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from webhooks import capacity
from webhooks.delivery import queueing
from webhooks.delivery.claiming import Claim, claimable, deliveries_claim
from webhooks.delivery.sending import webhook_send
from webhooks.models import Delivery, OutgoingWebhook

logger = logging.getLogger(__name__)

# A task that was put on the broker this long ago and has not claimed its row is presumed lost.
REENQUEUE_AFTER = timedelta(seconds=60)
# A dispatch reads the due rows at most this many times (each read leaves out the webhooks that
# reached their share in the one before).
FAIR_SHARE_ROUNDS = 20


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
        sent += webhook_send(webhook_claims, deadline=deadline, may_stop=sent > 0)
    if queue_waiting:
        for webhook_id in by_webhook:
            _queue_waiting(webhook_id)
    return [claim.delivery_id for claim in claims]


def _queue_waiting(webhook_id: uuid.UUID) -> None:
    """This batch's slot is free again: queue a share of the webhook's waiting rows for it, and one
    for every other slot that is free too. A share, not a whole batch, so that when the webhook's
    batches end together, the rows that waited go out over all its slots at once rather than over
    one or two; all of them (up to a batch) for an endpoint that keeps failing, which has one slot
    (webhooks.capacity): smaller shares would only be claimed and deferred again while that slot is
    taken. A share for each free slot, so that an endpoint that succeeds again after failing (its
    one slot becomes WEBHOOK_ENDPOINT_CONCURRENCY) sends its backlog over all of them at once, not
    an eighth of it each time its one batch ends."""
    # Exactly the `delivery_waiting` index's rows: this runs after every batch, and the claimable
    # rows' index also holds every delivery of the stream until vacuum removes it. (Rows of a
    # worker that died are the dispatcher's, once their lease runs out.)
    waiting = Delivery.objects.filter(
        webhook_id=webhook_id,
        status=Delivery.Status.PENDING,
        enqueued_at__isnull=True,
        next_attempt_at__lte=timezone.now(),
    ).count()
    if waiting:
        failures = OutgoingWebhook.objects.filter(pk=webhook_id).values_list("consecutive_failures", flat=True).first()
        if failures is None:  # deleted meanwhile, with its deliveries
            return
        slots = capacity.endpoint_limit(consecutive_failures=failures)
        share = min(-(-waiting // slots), queueing.batch_size())
        # The dispatcher gives the webhook at most a share per free slot (`_fair_share`).
        deliveries_dispatch_due(limit=min(waiting, share * slots), webhook_ids=[webhook_id], batch_size=share)


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


def deliveries_dispatch_due(
    *, limit: int = 500, webhook_ids: list[uuid.UUID] | None = None, batch_size: int | None = None
) -> int:
    """Queue a task for every batch of due deliveries not already queued recently (of these
    webhooks only, if given), up to `limit` rows, oldest first; returns how many deliveries.

    Covers retries that came due, rows whose task was lost with the broker, rows deferred by a
    concurrency limit, and rows whose worker died mid-attempt (its lease ran out). Only queues: a
    slow endpoint delays nobody. Each webhook gets at most a batch per connection it has free
    (`_fair_share`), so one endpoint's backlog cannot take a run's whole budget from the others;
    a single batch of a single webhook (a batch's end, for the slot it freed) is queued without the
    share, whose reads would cost more than the one claim that counts again.
    `batch_size`: rows a batch (WEBHOOK_DELIVERY_BATCH_SIZE when not given).
    """
    from webhooks.tasks import deliver_webhooks

    now = timezone.now()
    not_recently_queued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER)
    due = deliveries_due(now=now).filter(not_recently_queued)
    size = batch_size or queueing.batch_size()
    if webhook_ids is not None and len(webhook_ids) == 1 and limit <= size:
        # One batch of one webhook (a batch's end, for the slot it freed): nothing to share out,
        # and its claim counts the limits anyway.
        candidates = list(due.filter(webhook_id__in=webhook_ids).values_list("webhook_id", "pk")[:limit])
    else:
        org_ids = None
        if webhook_ids is not None:
            due = due.filter(webhook_id__in=webhook_ids)
            # Only these webhooks' organizations' batches in flight count.
            org_ids = set(OutgoingWebhook.objects.filter(pk__in=webhook_ids).values_list("organization_id", flat=True))
        candidates = _fair_share(due, limit=limit, now=now, size=size, org_ids=org_ids)
    queued = 0
    for batch in queueing.batches(candidates, size=size):
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


def _fair_share(
    due: QuerySet[Delivery], *, limit: int, now: datetime, size: int, org_ids: set[uuid.UUID] | None = None
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(webhook id, delivery id) of up to `limit` of the `due` rows, oldest first, in batches of
    `size` rows per webhook, each batch one more connection of its webhook and of its organization
    (webhooks.capacity's limits, counted from the batches in flight, read without the claim's lock:
    the claim counts again). Taking only the oldest rows let an endpoint that never answers, whose
    every batch is deferred and whose backlog is the oldest, take every run's whole budget while
    other webhooks' retries waited behind it.

    Webhooks and organizations with no connection free are left out of the read from the start (a
    webhook's own batches queue its waiting rows as they end; a webhook waiting only for its
    organization's limit is queued by a run that finds one of the organization's connections free).
    Those that use up their connections on this run's batches are left out of the next round's read
    (so are the rows already taken); at most FAIR_SHARE_ROUNDS rounds (what is left waits for the
    next run). `org_ids`: the organizations of all the `due` rows, when the caller knows them."""
    per_webhook, per_org = capacity.batches_in_flight(now=now, org_ids=org_ids)
    org_limit = capacity.organization_limit()
    busy = OutgoingWebhook.objects.filter(pk__in=list(per_webhook)).values_list("pk", "consecutive_failures")
    full = {pk for pk, failed in busy if per_webhook[pk] >= capacity.endpoint_limit(consecutive_failures=failed)}
    full_orgs = {org_id for org_id, batches in per_org.items() if batches >= org_limit}
    taken: Counter[uuid.UUID] = Counter()
    picked: list[tuple[uuid.UUID, uuid.UUID]] = []
    for _ in range(FAIR_SHARE_ROUNDS):
        if len(picked) >= limit:
            break
        rows = list(
            due.exclude(webhook_id__in=full)
            .exclude(webhook__organization_id__in=full_orgs)
            .exclude(pk__in=[delivery_id for _, delivery_id in picked])
            .values_list("webhook_id", "webhook__organization_id", "webhook__consecutive_failures", "pk")[
                : limit - len(picked)
            ]
        )
        filled = False
        for webhook_id, org_id, failed, delivery_id in rows:
            if webhook_id in full or org_id in full_orgs:
                continue
            if taken[webhook_id] % size == 0:  # the row starts a batch: one more connection
                if per_webhook[webhook_id] >= capacity.endpoint_limit(consecutive_failures=failed):
                    full.add(webhook_id)
                    filled = True
                    continue
                if per_org[org_id] >= org_limit:
                    full_orgs.add(org_id)
                    filled = True
                    continue
                per_webhook[webhook_id] += 1
                per_org[org_id] += 1
            taken[webhook_id] += 1
            picked.append((webhook_id, delivery_id))
        if not filled:  # every row read was taken: the limit is reached, or no due row is left
            break
    return picked
