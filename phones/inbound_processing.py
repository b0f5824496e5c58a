"""Turning a stored inbound Meta webhook into our events: the claim, the attempt loop and the
sweep. What each change becomes (messages and their kinds, statuses, errors, coexistence echoes,
history and app state, account updates) is `phones.inbound_events`.

Meta retries deliveries for days and may send one fact several times: an `InboundEventKey`
(unique, written in the same transaction as the event) makes each message id, and each
(status id, status) pair, one event only. Each change commits on its own, so a retry after a
crash continues without publishing twice.
"""

import logging
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from core.jsonbounds import JsonInputError, parse_json
from phones import inbound_events
from phones.models import InboundEventKey, InboundWebhook

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=2)
# The on-commit task normally runs within a second; only rows older than this are swept.
SWEEP_GRACE = timedelta(seconds=60)
RETENTION = timedelta(days=30)
PRUNE_BATCH = 5000


class _Result:
    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.unknown_phones: list[str] = []

    def as_dict(self) -> dict[str, Any]:
        return {**dict(sorted(self.counts.items())), "unknownPhoneNumberIds": self.unknown_phones}


def inbound_claim(*, inbound_id: uuid.UUID | str) -> InboundWebhook | None:
    now = timezone.now()
    claimed = (
        InboundWebhook.objects.filter(pk=inbound_id, processed_at__isnull=True)
        .exclude(locked_until__gt=now)
        .update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    )
    return InboundWebhook.objects.get(pk=inbound_id) if claimed else None


def _finish(row: InboundWebhook, *, result: dict[str, Any], error: str = "") -> None:
    row.processed_at = timezone.now()
    row.locked_until = None
    row.result = result
    row.error = error
    row.save(update_fields=["processed_at", "locked_until", "result", "error"])


def inbound_process(*, inbound_id: uuid.UUID | str) -> InboundWebhook | None:
    """Process one stored webhook (safe to run twice: claimed with a lease, facts deduplicated)."""
    row = inbound_claim(inbound_id=inbound_id)
    if row is None:
        return None
    if row.attempts > MAX_ATTEMPTS:
        # The earlier attempts ended without recording an outcome (a killed worker, an exception
        # that is not an Exception): whatever it was, it counts, and the row is given up on here.
        logger.error("inbound webhook given up after %d attempts", MAX_ATTEMPTS, extra={"inbound_id": str(row.pk)})
        _finish(row, result={}, error=row.error or f"Gave up after {MAX_ATTEMPTS} attempts that did not finish.")
        return row
    try:
        payload = parse_json(bytes(row.body))
    except JsonInputError as exc:  # invalid, or nested past MAX_JSON_DEPTH: the same next time
        _finish(row, result={}, error=f"The body is not JSON. {exc}")
        return row
    result = _Result()
    try:
        entries = payload.get("entry") if isinstance(payload, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            changes = entry.get("changes") if isinstance(entry, dict) else None
            for change in changes if isinstance(changes, list) else []:
                if isinstance(change, dict):
                    _process_change(row, change, result, entry)
    except Exception as exc:
        # A bug or a database outage: the sweep retries the row, a few times.
        logger.exception("inbound webhook processing failed", extra={"inbound_id": str(row.pk)})
        row.error = f"{type(exc).__name__}: {str(exc)[:500]}"
        row.locked_until = None
        row.save(update_fields=["error", "locked_until"])
        if row.attempts >= MAX_ATTEMPTS:
            _finish(row, result=result.as_dict(), error=row.error)
        return row
    _finish(row, result=result.as_dict())
    return row


def _process_change(row: InboundWebhook, change: dict[str, Any], result: _Result, entry: dict[str, Any]) -> None:
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
