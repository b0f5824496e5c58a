"""Claiming due deliveries for one batch: a conditional UPDATE under one lease token (of two
workers racing for a row, one wins), within the webhook's and organization's concurrency limits,
and an attempt row opened for each claimed delivery."""

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from webhooks import capacity
from webhooks.models import Delivery, DeliveryAttempt, OutgoingWebhook

logger = logging.getLogger(__name__)

WORKER_STOPPED = "The delivery worker stopped before this attempt finished."


def claimable(now: datetime) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_until__lt=now
    )


@dataclass(frozen=True)
class Claim:
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
def deliveries_claim(*, delivery_ids: list[uuid.UUID | str]) -> list[Claim]:
    """Claim the due rows among `delivery_ids` under one token and open an attempt row for each; in
    event order. Rows that are not due, finished or held by another worker are left alone, and so
    are the rows of a webhook at its concurrency limit (webhooks.capacity): those wait, unqueued."""
    now = timezone.now()
    token = uuid.uuid4()
    # The rows are found by primary key. The `claimable` rule is applied as a CASE, which no index
    # can answer: as a plain WHERE it let PostgreSQL read the rows through the due queue's partial
    # index instead, every entry of it, dead ones included (the index looked empty in the
    # statistics taken when nothing was pending; the claims of a one-minute stream read 50 million
    # index entries).
    claimable_now = Case(When(claimable(now), then=Value(True)), default=Value(False))
    due = Delivery.objects.filter(pk__in=delivery_ids).annotate(claimable_now=claimable_now).filter(claimable_now=True)
    # Read first, locked later: the organizations' rows are locked (capacity) before any delivery
    # row, in the order claims_widen and claims_move lock them, so they never wait on each other.
    read = list(
        due.order_by("event__created_at", "event_id").values_list(
            "pk",
            "webhook_id",
            "webhook__organization_id",
            "webhook__consecutive_failures",
            "event_id",
            "event__payload",
        )
    )
    wanted = {(row[1], row[2]) for row in read}
    failures = {row[1]: row[3] for row in read}
    admitted = capacity.admitted_webhooks(pairs=wanted, now=now, failures=failures)
    if len(admitted) < len(wanted):
        # Over a concurrency limit: left due and unqueued, so the next dispatch (or the end of one
        # of the webhook's batches) queues them again.
        deferred = due.filter(pk__in=[row[0] for row in read if row[1] not in admitted])
        logger.info(
            "webhook deliveries deferred: endpoint or organization at its concurrency limit",
            extra={
                "deliveries": deferred.update(enqueued_at=None),
                "webhook_ids": sorted(str(w) for w, _ in wanted if w not in admitted),
            },
        )
    # The admitted rows, locked until this transaction commits: of two workers racing for a row,
    # one locks it and the other skips it, or finds it claimed (no longer claimable).
    attempts_before = dict(
        due.filter(pk__in=[row[0] for row in read if row[1] in admitted])
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", "attempts")
    )
    # One instance per webhook: its secret is decrypted once, not once per delivery. (A webhook
    # deleted meanwhile took its deliveries with it.)
    webhooks = OutgoingWebhook.objects.in_bulk({row[1] for row in read if row[0] in attempts_before})
    # (delivery id, webhook id, this attempt's number, event id, payload), in event order.
    rows = [
        (pk, webhook_id, attempts_before[pk] + 1, event_id, payload)
        for pk, webhook_id, _, _, event_id, payload in read
        if pk in attempts_before and webhook_id in webhooks
    ]
    if not rows:
        return []
    Delivery.objects.filter(pk__in=[row[0] for row in rows]).update(
        status=Delivery.Status.SENDING,
        claimed_until=now + capacity.lease(),
        claim_token=token,
        attempts=F("attempts") + 1,
        enqueued_at=None,
        last_attempt_at=now,
        updated_at=now,
    )
    # A try whose worker died left an unfinished attempt row: close it as what it was.
    # (A first attempt has no earlier row: skip the query on the common path.)
    retried = [delivery_id for delivery_id, _, attempts, *_ in rows if attempts > 1]
    if retried:
        DeliveryAttempt.objects.filter(delivery_id__in=retried, finished_at__isnull=True).update(
            finished_at=now, error=WORKER_STOPPED
        )
    attempt_ids = _attempts_open(delivery_ids=[row[0] for row in rows], token=token, now=now)
    return [
        Claim(
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


@transaction.atomic
def claims_widen(claims: list[Claim], *, most: int) -> list[list[Claim]]:
    """Spread one webhook's claimed, unsent deliveries (all under the batch's token) over as many
    more connections as its free slots allow (webhooks.capacity, counted like any batch's: one
    claim token each). Returns a share for each new connection, each moved to a token of its own in
    one UPDATE: as many rows as the batch's own next share (the first rows, which keep the batch's
    token), and at most `most`. Rows beyond the shares keep the batch's token, to be handed out
    (`claims_move`) as connections finish theirs."""
    if len(claims) < 2:
        return []
    webhook = claims[0].webhook
    now = timezone.now()
    free = capacity.free_slots(pairs=[(webhook.pk, webhook.organization_id)], now=now).get(webhook.pk, 0)
    connections = 1 + min(free, len(claims) - 1)
    if connections == 1:
        return []
    size = min(most, -(-len(claims) // connections))
    widened = []
    for start in range(size, min(len(claims), connections * size), size):
        widened.append(_moved(claims[start : start + size], token=uuid.uuid4(), now=now))
    return widened


@transaction.atomic
def claims_move(claims: list[Claim], *, token: uuid.UUID, count_again: bool) -> list[Claim]:
    """Hand claimed, unsent deliveries of a batch (under its token) to another of its connections,
    `token`. With `count_again`, the connection's slot may have been given up meanwhile (its rows
    were all written, so no row holds its token any more): it is counted again like a widening's,
    and nothing moves (returns []) when no slot is free."""
    if not claims:
        return []
    webhook = claims[0].webhook
    now = timezone.now()
    if count_again:
        free = capacity.free_slots(pairs=[(webhook.pk, webhook.organization_id)], now=now).get(webhook.pk, 0)
        if free < 1:
            return []
    return _moved(claims, token=token, now=now)


def _moved(claims: list[Claim], *, token: uuid.UUID, now: datetime) -> list[Claim]:
    """Claimed rows (under one token) moved to `token`, in one UPDATE."""
    Delivery.objects.filter(pk__in=[c.delivery_id for c in claims], claim_token=claims[0].token).update(
        claim_token=token, updated_at=now
    )
    return [replace(claim, token=token) for claim in claims]
