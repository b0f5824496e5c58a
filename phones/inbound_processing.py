"""Turning a stored inbound Meta webhook into our events.

- `messages` changes: each `value.messages[]` item becomes `message.received`, each
  `value.statuses[]` item `message.sent|delivered|read|failed`, for the phone named by
  `value.metadata.phone_number_id`, scoped to its WABA.
- `account_update` with `PARTNER_APP_UNINSTALLED` / `PARTNER_REMOVED`: the phones of
  `value.waba_info.waba_id` are disconnected (`phone_number.disconnected`, once).

Meta retries deliveries for days and may send one fact several times: an `InboundEventKey`
(unique, written in the same transaction as the event) makes each message id, and each
(status id, status) pair, one event only. Each change commits on its own, so a retry after a
crash continues without publishing twice.
"""

import hashlib
import logging
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.events import MESSAGE_DELIVERED, MESSAGE_FAILED, MESSAGE_READ, MESSAGE_RECEIVED, MESSAGE_SENT
from core.jsonbounds import JsonInputError, parse_json
from phones.models import InboundEventKey, InboundWebhook, Phone
from phones.services import phone_event_data, phones_disconnect_for_meta_waba
from webhooks.services import event_publish

logger = logging.getLogger(__name__)

STATUS_EVENTS = {"sent": MESSAGE_SENT, "delivered": MESSAGE_DELIVERED, "read": MESSAGE_READ, "failed": MESSAGE_FAILED}
DISCONNECT_EVENTS = ("PARTNER_APP_UNINSTALLED", "PARTNER_REMOVED")
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
                    _process_change(row, change, result)
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


def _process_change(row: InboundWebhook, change: dict[str, Any], result: _Result) -> None:
    field, value = change.get("field"), change.get("value")
    if not isinstance(value, dict):
        result.counts["ignored"] += 1
        return
    if field == "messages":
        _process_messages(row, value, result)
    elif field == "account_update" and value.get("event") in DISCONNECT_EVENTS:
        waba_id = str((value.get("waba_info") or {}).get("waba_id") or "")
        disconnected = phones_disconnect_for_meta_waba(
            meta_waba_id=waba_id, reason=str(value["event"]), details=value.get("disconnection_info")
        )
        result.counts["disconnected"] += len(disconnected)
    else:
        result.counts["ignored"] += 1


def _route(meta_phone_id: str, url_phone_id: uuid.UUID | None) -> Phone | None:
    """The phone Meta means: the per-phone URL's phone when its Meta id matches, else the
    connected phone with that Meta id most recently (re)connected."""
    candidates = list(
        Phone.objects.filter(meta_phone_number_id=meta_phone_id).select_related(
            "waba", "organization", "onboarding_link"
        )
    )
    if not candidates:
        return None
    for phone in candidates:
        if url_phone_id is not None and phone.pk == url_phone_id:
            return phone
    candidates.sort(key=lambda p: (p.status == Phone.Status.CONNECTED, p.updated_at), reverse=True)
    return candidates[0]


def _dedupe_key(phone: Phone, kind: str, *ids: str) -> str:
    return hashlib.sha256("|".join([str(phone.organization_id), kind, *ids]).encode()).hexdigest()


def _publish_once(phone: Phone, *, kind: str, ids: tuple[str, ...], type: str, data: dict[str, Any]) -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                InboundEventKey.objects.create(key=_dedupe_key(phone, kind, *ids), kind=kind)
        except IntegrityError:
            return False
        event_publish(organization=phone.organization, type=type, data=data, waba=phone.waba)
    return True


def _process_messages(row: InboundWebhook, value: dict[str, Any], result: _Result) -> None:
    meta_phone_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
    messages = [m for m in value.get("messages") or [] if isinstance(m, dict) and m.get("id")]
    statuses = [s for s in value.get("statuses") or [] if isinstance(s, dict) and s.get("id")]
    if not messages and not statuses:
        result.counts["ignored"] += 1
        return
    phone = _route(meta_phone_id, row.url_phone_id) if meta_phone_id else None
    if phone is None:
        result.unknown_phones.append(meta_phone_id)
        return
    contacts = [c for c in value.get("contacts") or [] if isinstance(c, dict)]
    for message in messages:
        sender = message.get("from")
        contact = next((c for c in contacts if sender and c.get("wa_id") == sender), contacts[0] if contacts else None)
        data = {**phone_event_data(phone), "messageId": str(message["id"]), "contact": contact, "message": message}
        published = _publish_once(phone, kind="message", ids=(str(message["id"]),), type=MESSAGE_RECEIVED, data=data)
        result.counts["events" if published else "duplicates"] += 1
    for status in statuses:
        event_type = STATUS_EVENTS.get(str(status.get("status")))
        if event_type is None:  # e.g. "played" (voice): no event type in the catalogue
            result.counts["ignored"] += 1
            continue
        data = {**phone_event_data(phone), "messageId": str(status["id"]), "status": status}
        ids = (str(status["id"]), str(status["status"]))
        published = _publish_once(phone, kind="status", ids=ids, type=event_type, data=data)
        result.counts["events" if published else "duplicates"] += 1


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
