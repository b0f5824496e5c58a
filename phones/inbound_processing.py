"""Turning stored inbound Meta webhooks into our events: the claim, the attempt loop and the
sweep. What each change becomes (messages and their kinds, statuses, errors, coexistence echoes,
history and app state, account updates) is `phones.inbound_events`; how a batch of payloads is
read and written together is `phones.inbound_batch`.

Payloads are processed in batches: a drain task (queued once per short window of arrivals,
`phones.inbound_wakeup`) claims the due payloads, `BATCH_SIZE` at most, oldest first, rows another
worker holds skipped, and goes on until a batch comes back short (or DRAIN_SECONDS have passed:
then a new task takes over), in a constant number of queries per batch. A payload whose processing
failed is left to the sweep.

Meta retries deliveries for days and may send one fact several times: an `InboundEventKey`
(unique, written in the same transaction as the event) makes each message id, and each
(status id, status) pair, one event only. A batch's events and its rows' outcomes commit
together, so a retry after a crash continues without publishing twice.
"""

import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.jsonbounds import JsonInputError, parse_json
from phones import inbound_events
from phones.inbound_batch import PayloadResult, batch_write
from phones.inbound_events import PhoneRoutes, meta_phone_id_of
from phones.models import InboundEventKey, InboundWebhook

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=2)
# At 200 messages/s, two worker processes each take what arrived while they wrote the last batch.
BATCH_SIZE = 100
# A batch's outcomes are written with one UPDATE each up to this many distinct ones, else together.
MAX_OUTCOME_UPDATES = 4
# A drain hands over to a new task after this long (a backlog after an outage is drained by a
# chain of tasks, each well inside the task time limit).
DRAIN_SECONDS = 20.0
# The window's drain normally runs within a second; only rows older than this are swept.
SWEEP_GRACE = timedelta(seconds=60)
RETENTION = timedelta(days=30)
PRUNE_BATCH = 5000


def inbound_claim(*, inbound_ids: list[str] | None = None, limit: int | None = None) -> list[InboundWebhook]:
    """Claim under a lease (counting an attempt each) up to `limit` due payloads, oldest first.

    Without `inbound_ids`: the due rows no attempt has failed yet (a failed one, `error` set, is
    left to the sweep, so a drain never spins on it). With them (the sweep): those rows only.
    Rows another worker is claiming are skipped, not waited for."""
    now = timezone.now()
    due = InboundWebhook.objects.filter(processed_at__isnull=True).exclude(locked_until__gt=now)
    due = due.filter(pk__in=inbound_ids) if inbound_ids is not None else due.filter(error="")
    with transaction.atomic():
        rows = list(due.order_by("received_at").select_for_update(skip_locked=True)[: limit or BATCH_SIZE])
        if rows:
            until = now + LEASE
            InboundWebhook.objects.filter(pk__in=[row.pk for row in rows]).update(
                locked_until=until, attempts=F("attempts") + 1
            )
            for row in rows:
                row.locked_until, row.attempts = until, row.attempts + 1
    return rows


def inbound_drain(*, inbound_ids: list[str] | None = None, seconds: float | None = None) -> tuple[int, bool]:
    """Process the due stored webhooks (only `inbound_ids`, if given), a batch at a time, until a
    batch comes back short or `seconds` (DRAIN_SECONDS) have passed; returns how many rows were claimed and
    whether the drain ended (False: time ran out with rows still due, the caller queues another
    drain). Safe to run twice, and side by side: claimed with a lease and SKIP LOCKED, facts
    deduplicated.

    A short batch ends the drain: a row committed after its claim has a drain of its own queued
    (`phones.inbound_wakeup`), and a row it skipped is another drain's or the sweep's."""
    deadline = time.monotonic() + (DRAIN_SECONDS if seconds is None else seconds)
    claimed = 0
    while True:
        rows = inbound_claim(inbound_ids=inbound_ids)
        if rows:
            inbound_process_batch(rows)
        claimed += len(rows)
        if len(rows) < BATCH_SIZE:
            return claimed, True
        if time.monotonic() >= deadline:
            return claimed, False


def _changes(payload: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    entries = payload.get("entry") if isinstance(payload, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            if isinstance(change, dict):
                yield entry, change


def inbound_process_batch(rows: list[InboundWebhook]) -> None:
    """Turn claimed rows into events: their phones read together, their events and outcomes
    written in one transaction. A row whose processing raised is retried later (its events are
    not written); a row that cannot be processed (not JSON, out of attempts) is finished failed."""
    now = timezone.now()
    payloads: dict[InboundWebhook, Any] = {}
    for row in rows:
        row.result = {}
        if row.attempts > MAX_ATTEMPTS:
            # The earlier attempts ended without recording an outcome (a killed worker, an exception
            # that is not an Exception): whatever it was, it counts, and the row is given up on here.
            logger.error("inbound webhook given up after %d attempts", MAX_ATTEMPTS, extra={"inbound_id": str(row.pk)})
            row.error = row.error or f"Gave up after {MAX_ATTEMPTS} attempts that did not finish."
            continue
        try:
            payloads[row] = parse_json(bytes(row.body))
        except JsonInputError as exc:  # invalid, or nested past MAX_JSON_DEPTH: the same next time
            row.error = f"The body is not JSON. {exc}"
    routes = PhoneRoutes({meta_phone_id_of(change) for p in payloads.values() for _, change in _changes(p)} - {""})
    results: dict[InboundWebhook, PayloadResult] = {}
    failed: list[InboundWebhook] = []
    for row, payload in payloads.items():
        result = PayloadResult(routes)
        try:
            for entry, change in _changes(payload):
                _process_change(row, change, result, entry)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: the lease brings the batch back, nothing is marked failed
        except Exception as exc:
            # A bug or a database outage: the sweep retries the row, a few times.
            logger.exception("inbound webhook processing failed", extra={"inbound_id": str(row.pk)})
            row.error = f"{type(exc).__name__}: {str(exc)[:500]}"
            result.facts = []  # not published: the next attempt publishes them
            failed.append(row)
        results[row] = result

    def finish() -> None:
        # One UPDATE per distinct outcome (a batch of messages has one or two), not `bulk_update`'s
        # CASE per row and field: that was a fifth of the `inbound` worker's time.
        outcomes: dict[tuple[str, str, bool], list[InboundWebhook]] = {}
        for row in rows:
            row.locked_until = None
            if row in results:
                row.result = results[row].as_dict()
            done = row not in failed or row.attempts >= MAX_ATTEMPTS
            if done:
                row.processed_at = now
            outcomes.setdefault((json.dumps(row.result, sort_keys=True), row.error, done), []).append(row)
        if len(outcomes) > MAX_OUTCOME_UPDATES:  # e.g. many unknown phones, each row its own result
            InboundWebhook.objects.bulk_update(rows, ["processed_at", "locked_until", "result", "error"])
            return
        for (_, error, done), same in outcomes.items():
            InboundWebhook.objects.filter(pk__in=[row.pk for row in same]).update(
                result=same[0].result, error=error, locked_until=None, processed_at=now if done else None
            )

    try:
        batch_write([fact for result in results.values() for fact in result.facts], finish)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        # The database failed the write: nothing of the batch was recorded; the sweep retries it.
        logger.exception("inbound webhooks batch failed", extra={"inbound_ids": [str(row.pk) for row in rows]})
        error = f"{type(exc).__name__}: {str(exc)[:500]}"
        InboundWebhook.objects.filter(pk__in=[row.pk for row in rows]).update(error=error, locked_until=None)


def _process_change(row: InboundWebhook, change: dict[str, Any], result: PayloadResult, entry: dict[str, Any]) -> None:
    # What each kind of change becomes lives in `phones.inbound_events`.
    inbound_events.process_change(row, change, result, entry=entry)


def inbound_pending_ids(*, limit: int = 200) -> list[str]:
    """Rows whose processing message was lost (or whose worker died): due again."""
    now = timezone.now()
    pending = (
        InboundWebhook.objects.filter(processed_at__isnull=True, received_at__lte=now - SWEEP_GRACE)
        .exclude(locked_until__gt=now)
        .order_by("received_at")
    )
    return [str(pk) for pk in pending.values_list("pk", flat=True)[:limit]]


def inbound_prune() -> int:
    """Drop processed payloads (message content is personal data) and dedupe keys after
    `RETENTION`, well past Meta's 7 days of retries. Bounded per run."""
    cutoff = timezone.now() - RETENTION
    old_rows = list(InboundWebhook.objects.filter(processed_at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH])
    old_keys = list(InboundEventKey.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH])
    deleted = InboundWebhook.objects.filter(pk__in=old_rows).delete()[0]
    return deleted + InboundEventKey.objects.filter(pk__in=old_keys).delete()[0]
