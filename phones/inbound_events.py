"""What each kind of Meta webhook change becomes (`inbound_processing` runs the attempt loop and
calls `process_change` for every change).

- `messages`: each `messages[]` item by its kind — a new message is `message.received`, an edit
  `message.edited`, a deletion (`revoke`) `message.deleted`, a `system` message (number or
  identity change) `message.system`, a call permission reply `call_permission.reply`; each
  `statuses[]` item `message.sent|delivered|read|failed`; the top-level `errors[]` (Meta could not
  deliver a webhook's content, e.g. 130429) one `message.errors`.
- `smb_message_echoes` (coexistence numbers: what the business sent from the WhatsApp Business app):
  each echo `message.echo`; an edit or revoke made in the app `message.edited` / `message.deleted`
  with `"source": "business_app"`.
- `history` (the app's chat history, in chunks): each chunk, or the business declining,
  `history.synced`; `smb_app_state_sync` (the app's contacts): `app_state.synced`.
- `account_update`: `PARTNER_APP_UNINSTALLED`, `PARTNER_REMOVED`, `ACCOUNT_DELETED` and
  `ACCOUNT_OFFBOARDED` disconnect the WABA's phones; `ACCOUNT_RECONNECTED` reconnects the phones
  `ACCOUNT_OFFBOARDED` disconnected; every other event of a WABA we know (`DISABLED_UPDATE`,
  `ACCOUNT_RESTRICTION`, `ACCOUNT_VIOLATION`, ...) is `account.updated`, and the ones about the
  account's standing make the next health read ask Meta again. The WABA is `waba_info.waba_id`,
  else the entry's id (Meta's coexistence `PARTNER_REMOVED` has no `waba_info`).

Every message event carries `occurredAt`: Meta's `timestamp` (when it happened on WhatsApp) as
ISO 8601, the time to order by.
"""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from core import events as ev
from core.timefmt import isoformat_ms
from links.meta_confirm import CONFIRMING_EVENTS, signups_confirm_by_meta
from phones.models import InboundWebhook, Phone
from phones.services import (
    message_status_event_data,
    phone_event_data,
    phones_disconnect_for_meta_waba,
    phones_health_invalidate,
    phones_reconnect_for_meta_waba,
)
from phones.signals import message_status_received
from wabas.models import Waba

STATUS_EVENTS = {
    "sent": ev.MESSAGE_SENT,
    "delivered": ev.MESSAGE_DELIVERED,
    "read": ev.MESSAGE_READ,
    "failed": ev.MESSAGE_FAILED,
}
DISCONNECT_EVENTS = ("PARTNER_APP_UNINSTALLED", "PARTNER_REMOVED", "ACCOUNT_DELETED", "ACCOUNT_OFFBOARDED")
RECONNECT_EVENTS = {"ACCOUNT_RECONNECTED": ("ACCOUNT_OFFBOARDED",)}
# account_update events that change what the number may do: its stored health is stale at once.
STANDING_EVENTS = frozenset({"DISABLED_UPDATE", "ACCOUNT_RESTRICTION", "ACCOUNT_VIOLATION"})
# A `messages[]` item's type -> its event (the original message's id is in the item's body).
CORRECTIONS = {"edit": ev.MESSAGE_EDITED, "revoke": ev.MESSAGE_DELETED}


class Result(Protocol):
    """One stored payload's outcome, kept by `phones.inbound_batch` (the batch it belongs to reads
    the phones and writes the events of all its payloads together)."""

    counts: dict[str, int]
    unknown_phones: list[str]

    def route(self, meta_phone_id: str, url_phone_id: uuid.UUID | None) -> Phone | None: ...

    def publish(
        self, organization: Any, waba: Waba, *, kind: str, ids: tuple[str, ...], type: str, data: dict[str, Any]
    ) -> None: ...


def occurred_at(timestamp: Any) -> str | None:
    """Meta's unix `timestamp` (a string of seconds) as the API's ISO 8601, or None."""
    try:
        return isoformat_ms(datetime.fromtimestamp(int(str(timestamp)), UTC))
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def meta_phone_id_of(change: Any) -> str:
    """The Meta phone number id a change is about ("" when it names none)."""
    value = change.get("value") if isinstance(change, dict) else None
    return str(_obj(value, "metadata").get("phone_number_id") or "") if isinstance(value, dict) else ""


class PhoneRoutes:
    """The phones a batch of changes may mean, read in one query (`meta_phone_ids`)."""

    def __init__(self, meta_phone_ids: set[str]) -> None:
        self._candidates: dict[str, list[Phone]] = {}
        if meta_phone_ids:
            phones = Phone.objects.filter(meta_phone_number_id__in=meta_phone_ids).select_related(
                "waba", "organization", "onboarding_link"
            )
            for phone in phones:
                self._candidates.setdefault(phone.meta_phone_number_id, []).append(phone)

    def route(self, meta_phone_id: str, url_phone_id: uuid.UUID | None) -> Phone | None:
        """The phone Meta means: the per-phone URL's phone when its Meta id matches, else the
        connected phone with that Meta id most recently (re)connected. A status of a message sent
        through the API goes to the phone that sent it instead (`message_status_received` answers it)."""
        candidates = self._candidates.get(meta_phone_id, [])
        for phone in candidates:
            if url_phone_id is not None and phone.pk == url_phone_id:
                return phone
        ranked = sorted(candidates, key=lambda p: (p.status == Phone.Status.CONNECTED, p.updated_at), reverse=True)
        return ranked[0] if ranked else None


def dedupe_key(organization_id: Any, kind: str, *ids: str) -> str:
    return hashlib.sha256("|".join([str(organization_id), kind, *ids]).encode()).hexdigest()


def _content_id(value: Any) -> str:
    """An id for a fact Meta gives none (a history chunk, a contacts sync, errors): its content."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _publish(result: Result, phone: Phone, *, kind: str, ids: tuple[str, ...], type: str, data: dict) -> None:
    result.publish(phone.organization, phone.waba, kind=kind, ids=ids, type=type, data=data)


def process_change(row: InboundWebhook, change: dict[str, Any], result: Result, *, entry: dict[str, Any]) -> None:
    field, value = change.get("field"), change.get("value")
    if not isinstance(value, dict):
        result.counts["ignored"] += 1
        return
    if field == "account_update":
        _account_update(value, entry, result)
        return
    handler = FIELD_HANDLERS.get(str(field))
    if handler is None:
        result.counts["ignored"] += 1
        return
    meta_phone_id = meta_phone_id_of(change)
    if not handler.has_content(value):
        result.counts["ignored"] += 1
        return
    phone = result.route(meta_phone_id, row.url_phone_id) if meta_phone_id else None
    if phone is None:
        result.unknown_phones.append(meta_phone_id)
        return
    handler.process(phone, value, result)


def _obj(value: dict[str, Any], key: str) -> dict[str, Any]:
    item = value.get(key)
    return item if isinstance(item, dict) else {}


def _items(value: dict[str, Any], key: str, *, need_id: bool = False) -> list[dict[str, Any]]:
    items = value.get(key)
    return [i for i in items if isinstance(i, dict) and (i.get("id") or not need_id)] if isinstance(items, list) else []


# --- messages ---------------------------------------------------------------------------------


def _message_event(message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The event type of one `messages[]` (or echo) item and the fields it adds to the data."""
    kind = str(message.get("type") or "")
    if kind in CORRECTIONS:
        return CORRECTIONS[kind], {"originalMessageId": _obj(message, kind).get("original_message_id")}
    if kind == "system":
        return ev.MESSAGE_SYSTEM, {"systemType": _obj(message, "system").get("type")}
    interactive = _obj(message, "interactive")
    if kind == "interactive" and interactive.get("type") == "call_permission_reply":
        return ev.CALL_PERMISSION_REPLY, {"response": _obj(interactive, "call_permission_reply").get("response")}
    return ev.MESSAGE_RECEIVED, {}


class _Messages:
    @staticmethod
    def has_content(value: dict[str, Any]) -> bool:
        kinds = (
            _items(value, "messages", need_id=True),
            _items(value, "statuses", need_id=True),
            _items(value, "errors"),
        )
        return any(kinds)

    @staticmethod
    def process(phone: Phone, value: dict[str, Any], result: Result) -> None:
        contacts = _items(value, "contacts")
        for message in _items(value, "messages", need_id=True):
            sender = message.get("from")
            first = contacts[0] if contacts else None
            contact = next((c for c in contacts if sender and c.get("wa_id") == sender), first)
            type_, extra = _message_event(message)
            data = {
                **phone_event_data(phone),
                "messageId": str(message["id"]),
                "occurredAt": occurred_at(message.get("timestamp")),
                **extra,
                "contact": contact,
                "message": message,
            }
            if type_ in CORRECTIONS.values():
                data = {**data, "source": "user"}
            _publish(result, phone, kind="message", ids=(str(message["id"]),), type=type_, data=data)
        for status in _items(value, "statuses", need_id=True):
            event_type = STATUS_EVENTS.get(str(status.get("status")))
            if event_type is None:  # e.g. "played" (voice): no event type in the catalogue
                result.counts["ignored"] += 1
                continue
            # A message sent through the API belongs to the phone that sent it: with one number in
            # two organizations, the route's pick may be the other one's phone.
            owner, outgoing_id = phone, None
            for _, answer in message_status_received.send(sender=Phone, phone=phone, status=status):
                outgoing_id = (answer or {}).get("outgoingMessageId") or outgoing_id
                owner = (answer or {}).get("phone") or owner
            when = occurred_at(status.get("timestamp"))
            data = message_status_event_data(owner, status=status, occurred_at=when, outgoing_message_id=outgoing_id)
            ids = (str(status["id"]), str(status["status"]))
            _publish(result, owner, kind="status", ids=ids, type=event_type, data=data)
        errors = _items(value, "errors")
        if errors:
            # No timestamp in Meta's shape: the envelope's time is all there is.
            data = {**phone_event_data(phone), "errors": errors}
            _publish(result, phone, kind="errors", ids=(_content_id(errors),), type=ev.MESSAGE_ERRORS, data=data)


class _Echoes:
    @staticmethod
    def has_content(value: dict[str, Any]) -> bool:
        return bool(_items(value, "message_echoes", need_id=True))

    @staticmethod
    def process(phone: Phone, value: dict[str, Any], result: Result) -> None:
        for echo in _items(value, "message_echoes", need_id=True):
            type_, extra = _message_event(echo)
            if type_ not in CORRECTIONS.values():
                type_, extra = ev.MESSAGE_ECHO, {}
            data = {
                **phone_event_data(phone),
                "messageId": str(echo["id"]),
                "occurredAt": occurred_at(echo.get("timestamp")),
                **extra,
                "to": echo.get("to"),
                "message": echo,
            }
            if type_ != ev.MESSAGE_ECHO:
                data = {**data, "source": "business_app"}
            _publish(result, phone, kind="echo", ids=(str(echo["id"]),), type=type_, data=data)


class _History:
    @staticmethod
    def has_content(value: dict[str, Any]) -> bool:
        return bool(_items(value, "history"))

    @staticmethod
    def process(phone: Phone, value: dict[str, Any], result: Result) -> None:
        for chunk in _items(value, "history"):
            meta = _obj(chunk, "metadata")
            data = {
                **phone_event_data(phone),
                "phase": meta.get("phase"),
                "chunkOrder": meta.get("chunk_order"),
                "progress": meta.get("progress"),
                "threads": chunk.get("threads") if isinstance(chunk.get("threads"), list) else [],
                "errors": chunk.get("errors") if isinstance(chunk.get("errors"), list) else [],
            }
            _publish(result, phone, kind="history", ids=(_content_id(chunk),), type=ev.HISTORY_SYNCED, data=data)


class _AppState:
    @staticmethod
    def has_content(value: dict[str, Any]) -> bool:
        return bool(_items(value, "state_sync"))

    @staticmethod
    def process(phone: Phone, value: dict[str, Any], result: Result) -> None:
        items = _items(value, "state_sync")
        data = {**phone_event_data(phone), "stateSync": items}
        _publish(result, phone, kind="state_sync", ids=(_content_id(items),), type=ev.APP_STATE_SYNCED, data=data)


FIELD_HANDLERS = {
    "messages": _Messages,
    "smb_message_echoes": _Echoes,
    "history": _History,
    "smb_app_state_sync": _AppState,
}


# --- account_update -----------------------------------------------------------------------------


def _account_update(value: dict[str, Any], entry: dict[str, Any], result: Result) -> None:
    event = str(value.get("event") or "")
    meta_waba_id = str(_obj(value, "waba_info").get("waba_id") or entry.get("id") or "")
    if not event or not meta_waba_id:
        result.counts["ignored"] += 1
        return
    if event in DISCONNECT_EVENTS:
        details = value.get("disconnection_info")
        disconnected = phones_disconnect_for_meta_waba(meta_waba_id=meta_waba_id, reason=event, details=details)
        result.counts["disconnected"] += len(disconnected)
        return
    if event in RECONNECT_EVENTS:
        undoes = RECONNECT_EVENTS[event]
        reconnected = phones_reconnect_for_meta_waba(meta_waba_id=meta_waba_id, reason=event, undoes=undoes)
        result.counts["reconnected"] += len(reconnected)
        return
    if event in CONFIRMING_EVENTS and (confirmed := signups_confirm_by_meta(meta_waba_id=meta_waba_id, event=event)):
        result.counts["signupsConfirmed"] += confirmed
    wabas = list(Waba.objects.filter(meta_waba_id=meta_waba_id).select_related("organization"))
    if not wabas:
        # e.g. PARTNER_ADDED for a signup not completed yet: nobody to tell (its attempt was told).
        result.counts["ignored"] += 1
        return
    if event in STANDING_EVENTS:
        phones_health_invalidate(meta_waba_id=meta_waba_id)
    info = {k: v for k, v in value.items() if k != "event"}
    ids = (meta_waba_id, _content_id({"time": entry.get("time"), "value": value}))
    for waba in wabas:
        data = {
            "wabaId": str(waba.pk),
            "metaWabaId": meta_waba_id,
            "event": event,
            "occurredAt": occurred_at(entry.get("time")),
            "info": info,
        }
        result.publish(waba.organization, waba, kind="account_update", ids=ids, type=ev.ACCOUNT_UPDATED, data=data)
