"""Writes of the phones app: disconnecting phones, refreshing them from Meta, and the event data."""

import logging
import re
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.events import PHONE_NUMBER_DISCONNECTED, PHONE_NUMBER_RECONNECTED
from core.timefmt import isoformat_ms
from phones import health
from phones.models import Phone
from wabas import services as wabas_services
from wabas.models import Waba
from webhooks.publishing import event_publish

logger = logging.getLogger(__name__)

# The periodic health job leaves this many calls of each WABA's hourly Graph budget to API reads.
RESERVE_FOR_API_READS = 30


def phone_event_data(phone: Phone) -> dict[str, Any]:
    """The phone part of every phone and message event, in `phone_number.connected`'s order."""
    return {
        "onboardingLinkId": str(phone.onboarding_link_id) if phone.onboarding_link_id else None,
        "externalId": phone.external_id,
        "phoneNumberId": str(phone.pk),
        "phoneNumber": phone.phone_number,
        "metaPhoneNumberId": phone.meta_phone_number_id,
        "wabaId": str(phone.waba_id),
        "metaWabaId": phone.waba.meta_waba_id,
    }


def message_status_event_data(
    phone: Phone, *, status: dict[str, Any], occurred_at: str | None, outgoing_message_id: str | None
) -> dict[str, Any]:
    """The data of `message.sent|delivered|read|failed`: the phone part, Meta's message id
    (`messageId`, null when Meta never gave one), ours when the message was sent through the API
    (`outgoingMessageId`), then Meta's status item (with its `errors` when failed)."""
    return {
        **phone_event_data(phone),
        "messageId": str(status["id"]) if status.get("id") else None,
        "outgoingMessageId": outgoing_message_id,
        "occurredAt": occurred_at,
        "status": status,
    }


# Graph field -> model field, copied when Graph gave a value.
SIGNUP_PHONE_FACTS = {
    "display_phone_number": "display_phone_number",
    "verified_name": "display_name",
    "quality_rating": "quality_rating",
    "code_verification_status": "code_verification_status",
    "platform_type": "platform_type",
}


def e164(display_phone_number: str) -> str:
    digits = re.sub(r"\D", "", display_phone_number or "")
    return f"+{digits}" if digits else ""


@transaction.atomic
def phone_connect(
    *,
    organization: Any,
    waba: Waba,
    meta_phone_number_id: str,
    new_id: str,
    link: Any,
    facts: dict[str, Any],
    is_on_biz_app: bool,
    is_registered: bool,
    registration_error: str,
    pin: str | None,
    inbound_webhook_configured: bool,
) -> Phone:
    """A finished signup's phone, `connected` under `waba`: the organization's existing row for the
    Meta number (locked; a reconnection keeps its id) or a new one with `new_id`. Graph's facts
    where Graph gave them; the link's metadata and externalId replace the old ones; `pin` (one Meta
    accepted) replaces the stored PIN only when given."""
    phone = Phone.objects.select_for_update().filter(
        organization=organization, meta_phone_number_id=meta_phone_number_id
    ).first() or Phone(id=new_id, organization=organization, meta_phone_number_id=meta_phone_number_id)
    phone.waba = waba
    phone.onboarding_link = link
    for source, target in SIGNUP_PHONE_FACTS.items():
        if facts.get(source):
            setattr(phone, target, str(facts[source]))
    phone.phone_number = e164(phone.display_phone_number) or phone.phone_number
    phone.is_on_biz_app = is_on_biz_app
    phone.is_registered = is_registered
    phone.registration_error = registration_error
    if pin:
        phone.pin = pin
    phone.inbound_webhook_configured = inbound_webhook_configured
    phone.status = Phone.Status.CONNECTED
    phone.disconnected_at = None
    phone.disconnected_reason = ""
    phone.metadata = dict(link.metadata)
    phone.external_id = link.external_id
    phone.save()
    return phone


def phones_disconnect_for_meta_waba(*, meta_waba_id: str, reason: str, details: Any = None) -> list[Phone]:
    """Meta says the customer removed our app or unshared the WABA: its connected phones become
    `disconnected` and each publishes `phone_number.disconnected` once (a repeated webhook finds
    nothing left to disconnect)."""
    if not meta_waba_id:
        return []
    return phones_disconnect(wabas=Waba.objects.filter(meta_waba_id=meta_waba_id), reason=reason, details=details)


def phones_disconnect_for_wabas(*, waba_ids: list[Any], reason: str, details: Any = None) -> list[Phone]:
    """Meta rejected the WABAs' business token: their connected phones are disconnected (our
    app's subscription is untouched: the customer did not remove it)."""
    wabas = Waba.objects.filter(pk__in=waba_ids)
    return phones_disconnect(wabas=wabas, reason=reason, details=details, unsubscribe=False)


@transaction.atomic
def phones_disconnect(
    *, wabas: QuerySet[Waba], reason: str, details: Any = None, unsubscribe: bool = True
) -> list[Phone]:
    """The connected phones of `wabas` become `disconnected` for `reason`, each publishing
    `phone_number.disconnected` once. `unsubscribe`: Meta removed our app's subscription too."""
    now = timezone.now()
    phones = list(
        Phone.objects.select_for_update(of=("self",))
        .filter(waba__in=wabas, status=Phone.Status.CONNECTED)
        .select_related("waba", "organization")
    )
    disconnected = []
    for phone in phones:
        changed = Phone.objects.filter(pk=phone.pk, status=Phone.Status.CONNECTED).update(
            status=Phone.Status.DISCONNECTED,
            disconnected_at=now,
            disconnected_reason=reason[:64],
            health_checked_at=None,
            updated_at=now,
        )
        if not changed:
            continue
        phone.status, phone.disconnected_at = Phone.Status.DISCONNECTED, now
        data = {
            **phone_event_data(phone),
            "reason": reason,
            "disconnectionInfo": details if isinstance(details, dict) else None,
            "disconnectedAt": isoformat_ms(now),
        }
        event_publish(organization=phone.organization, type=PHONE_NUMBER_DISCONNECTED, data=data, waba=phone.waba)
        disconnected.append(phone)
    if unsubscribe:
        wabas.update(is_app_subscribed=False, updated_at=now)
    logger.info("phones disconnected", extra={"reason": reason, "count": len(disconnected)})
    return disconnected


@transaction.atomic
def phones_reconnect_for_meta_waba(*, meta_waba_id: str, reason: str, undoes: tuple[str, ...]) -> list[Phone]:
    """Meta says the WABA is back (`ACCOUNT_RECONNECTED` after an `ACCOUNT_OFFBOARDED`): its phones
    disconnected for one of the `undoes` reasons become `connected` again, each publishing
    `phone_number.reconnected` once. Phones disconnected for another reason stay as they are."""
    if not meta_waba_id:
        return []
    now = timezone.now()
    phones = list(
        Phone.objects.select_for_update(of=("self",))
        .filter(waba__meta_waba_id=meta_waba_id, status=Phone.Status.DISCONNECTED, disconnected_reason__in=undoes)
        .select_related("waba", "organization")
    )
    reconnected = []
    for phone in phones:
        Phone.objects.filter(pk=phone.pk).update(
            status=Phone.Status.CONNECTED,
            disconnected_at=None,
            disconnected_reason="",
            health_checked_at=None,
            updated_at=now,
        )
        phone.status = Phone.Status.CONNECTED
        data = {**phone_event_data(phone), "reason": reason, "reconnectedAt": isoformat_ms(now)}
        event_publish(organization=phone.organization, type=PHONE_NUMBER_RECONNECTED, data=data, waba=phone.waba)
        reconnected.append(phone)
    if reconnected:
        health.subscription_forget(meta_waba_id=meta_waba_id)  # the next health read asks Meta again
    logger.info("phones reconnected by Meta", extra={"reason": reason, "count": len(reconnected)})
    return reconnected


def phones_health_invalidate(*, meta_waba_id: str) -> int:
    """Meta changed the account's standing: the next health read of its phones asks Meta again
    instead of answering from the stored result (whose TTL would hide the change)."""
    if not meta_waba_id:
        return 0
    health.subscription_forget(meta_waba_id=meta_waba_id)
    return Phone.objects.filter(waba__meta_waba_id=meta_waba_id).update(
        health_checked_at=None, updated_at=timezone.now()
    )


def waba_has_connected_phone(waba: Waba) -> bool:
    return Phone.objects.filter(waba=waba, status=Phone.Status.CONNECTED).exists()


def waba_lookup_refresh(*, waba: Waba, force: bool = False) -> list[dict[str, Any]]:
    """The WABA's connected-account lookups (`wabas.services.waba_lookup_refresh`), made only
    while one of its phones is connected (after that the token is dead)."""
    return wabas_services.waba_lookup_refresh(waba=waba, reachable=waba_has_connected_phone, force=force)


def waba_refresh_from_meta(*, waba: Waba) -> list[dict[str, Any]]:
    """The admin's "refresh from Meta" of a WABA: connected-account lookups (bypassing their
    cache, not the budget) and the health of each connected phone. Returns the lookup errors."""
    errors = waba_lookup_refresh(waba=waba, force=True)
    for phone in Phone.objects.filter(waba=waba, status=Phone.Status.CONNECTED):
        phone.waba = waba
        health.phone_health_refresh(phone=phone)
    return errors


def phone_refresh_from_meta(*, phone: Phone) -> health.Refresh:
    """The admin's "refresh from Meta": the WABA's connected-account lookups (bypassing their
    cache, not the budget) and the phone's health."""
    waba_lookup_refresh(waba=phone.waba, force=True)
    return health.phone_health_refresh(phone=phone)


def phones_refresh_due_health(*, limit: int = 200, dry_run: bool = False) -> dict[str, int]:
    """Refresh the health of connected phones not checked for `PHONE_HEALTH_STALE_SECONDS`,
    oldest first, leaving part of each WABA's Graph budget to API reads. Returns counts by outcome."""
    due = health.phones_due_for_refresh(limit=limit)
    if dry_run:
        return {"due": len(due)}
    outcomes = Counter(health.phone_health_refresh(phone=phone, reserve=RESERVE_FOR_API_READS).outcome for phone in due)
    return {"due": len(due), **{k: outcomes.get(k, 0) for k in ("refreshed", "failed", "skipped")}}
