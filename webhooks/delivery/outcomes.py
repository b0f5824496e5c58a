"""Recording what delivery attempts did, a batch's outcomes together: successes, failures with
their retry on schedule (or the end of the delivery), an endpoint disabled after 410 Gone or days
of failures; and claimed rows that were not sent (failed, or given back as if never claimed)."""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.metrics import DELIVERIES
from core.timefmt import isoformat_ms
from webhooks import transport
from webhooks.delivery import queueing
from webhooks.delivery.claiming import Claim
from webhooks.models import Delivery, DeliveryAttempt, OutgoingWebhook

# A webhook whose every delivery has failed for this long is deactivated (as Svix does).
AUTO_DISABLE_AFTER = timedelta(days=5)
JITTER = 0.1
STATUS_GONE = 410


def _count_on_commit(result: str, count: int) -> None:
    if count:
        transaction.on_commit(lambda: DELIVERIES.labels(result).inc(count))


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
        last_error=not_sent_disabled(reason),
        next_attempt_at=None,
        completed_at=now,
        updated_at=now,
    )


def not_sent_disabled(reason: str) -> str:
    return f"Not sent: the webhook was disabled. {reason}"[:500]


def _finish_claim(claim: Claim, **fields: Any) -> bool:
    """Write the outcome only if our lease still holds (it always does unless we overran it)."""
    fields.update(claimed_until=None, claim_token=None, updated_at=timezone.now())
    return bool(Delivery.objects.filter(pk=claim.delivery_id, claim_token=claim.token).update(**fields))


def _attempts_finish(rows: list[tuple[int | None, int, str, str, datetime, int]]) -> None:
    """Complete attempt rows: (status code, duration, error, excerpt, finished at, id) each. One
    statement sent many times: `bulk_update` builds a CASE per field and row, about 2 ms of Python a row."""
    table = DeliveryAttempt._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status_code = %s, duration_ms = %s, error = %s, "  # noqa: S608 - our table
            "response_excerpt = %s, finished_at = %s WHERE id = %s",
            rows,
        )


@dataclass(frozen=True)
class Failure:
    disabled: str | None = None  # why these outcomes disabled the webhook, if they did
    in_a_row: int = 0  # the webhook's failed attempts in a row after them


def _finish_successes(successes: list[tuple[Claim, transport.AttemptResult]], now: datetime) -> int:
    """One UPDATE per claim token and status code; returns how many were still ours to finish."""
    by_code: dict[tuple[uuid.UUID, int | None], list[uuid.UUID]] = {}
    for claim, result in successes:
        by_code.setdefault((claim.token, result.status_code), []).append(claim.delivery_id)
    finished = 0
    for (token, status_code), ids in by_code.items():
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
    _count_on_commit("succeeded", finished)
    return finished


def _finish_failure(claim: Claim, result: transport.AttemptResult, now: datetime) -> bool:
    """A failed attempt: its retry on schedule, or the end of the delivery (its last try, or 410 Gone)."""
    outcome = {"last_status_code": result.status_code, "last_error": result.error[:500]}
    delay = None if result.status_code == STATUS_GONE else _retry_delay(claim.attempt_number)
    if delay is None:
        finished = _finish_claim(
            claim, status=Delivery.Status.FAILED, next_attempt_at=None, completed_at=now, **outcome
        )
    else:
        # From the attempt's end, not from now: a batch writes its answered failures when it ends.
        retry_at = result.finished_at + delay
        finished = _finish_claim(claim, status=Delivery.Status.PENDING, next_attempt_at=retry_at, **outcome)
    if finished:
        _count_on_commit("failed" if delay is None else "retry_scheduled", 1)
    return finished


@transaction.atomic
def record_outcomes(outcomes: list[tuple[Claim, transport.AttemptResult]]) -> Failure:
    """What attempts to one webhook did, in the order they were made, written together: each success
    finished, each failure scheduled for its retry (or its delivery ended), the attempt rows, and
    the webhook's failure record (its failed attempts since the last success). A `410 Gone`
    disables the webhook, and so do AUTO_DISABLE_AFTER of nothing but failures. Returns the record
    after the last outcome."""
    if not outcomes:
        return Failure()
    now = timezone.now()
    webhook_id = outcomes[0][0].webhook.pk
    succeeded = _finish_successes([(c, result) for c, result in outcomes if result.ok], now)
    # The failures after the last success (all of them, if none succeeded) make the record.
    last_success = max((i for i, (_, result) in enumerate(outcomes) if result.ok), default=-1)
    gone = failed_since_success = 0
    for i, (claim, result) in enumerate(outcomes):
        if result.ok or not _finish_failure(claim, result, now):
            continue
        if result.status_code == STATUS_GONE:
            gone += 1
        elif i > last_success:
            failed_since_success += 1
    # The deliveries first, then their attempt rows: the order a claim locks them in.
    _attempts_finish(
        [
            (
                result.status_code,
                result.duration_ms,
                result.error[:500],
                result.response_excerpt[:500],
                result.finished_at,
                c.attempt_id,
            )
            for c, result in outcomes
        ]
    )
    webhook = OutgoingWebhook.objects.filter(pk=webhook_id)
    if gone:
        reason = f"The endpoint answered 410 Gone on {isoformat_ms(now)}; it asked not to be sent anything more."
        _webhook_disable(webhook_id=webhook_id, reason=reason, now=now)
        return Failure(disabled=reason)
    if succeeded and not failed_since_success:
        webhook.filter(Q(consecutive_failures__gt=0) | Q(failing_since__isnull=False)).update(
            consecutive_failures=0, failing_since=None
        )
        return Failure()
    if not failed_since_success:
        return Failure()
    if succeeded:  # the failures began after a success of these outcomes
        webhook.update(consecutive_failures=failed_since_success, failing_since=now)
    else:  # one more run of failures; the record's start stays where it was, if it had one
        webhook.update(
            consecutive_failures=F("consecutive_failures") + failed_since_success,
            failing_since=Coalesce("failing_since", Value(now, output_field=DateTimeField())),
        )
    failing_since, in_a_row = webhook.values_list("failing_since", "consecutive_failures").get()
    if failing_since is not None and now - failing_since >= AUTO_DISABLE_AFTER:
        days = AUTO_DISABLE_AFTER.days
        reason = f"Every delivery failed for {days} days (since {isoformat_ms(failing_since)}); disabled automatically."
        _webhook_disable(webhook_id=webhook_id, reason=reason, now=now)
        return Failure(disabled=reason, in_a_row=in_a_row)
    return Failure(in_a_row=in_a_row)


@transaction.atomic
def fail_unsent(claims: list[Claim], *, error: str) -> None:
    """End claimed deliveries that will not be sent (their webhook is inactive, or was just disabled)."""
    if not claims:
        return
    now = timezone.now()
    DeliveryAttempt.objects.filter(pk__in=[c.attempt_id for c in claims]).update(
        error=error[:500], duration_ms=0, finished_at=now
    )
    not_sent = Delivery.objects.filter(pk__in=[c.delivery_id for c in claims], claim_token=claims[0].token).update(
        status=Delivery.Status.FAILED,
        next_attempt_at=None,
        completed_at=now,
        last_error=error[:500],
        claimed_until=None,
        claim_token=None,
        updated_at=now,
    )
    _count_on_commit("not_sent", not_sent)


@transaction.atomic
def release_unsent(claims: list[Claim]) -> None:
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
    queueing.enqueue_on_commit([(c.webhook.pk, c.delivery_id) for c in claims])
