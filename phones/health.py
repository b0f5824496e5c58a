"""A phone's health: Meta's `health_status`, the app's WABA subscription and registration, turned
into the contract's `{status, capabilities, checks, errors}`.

The last result is stored on the phone (`health`, `health_checked_at`): a read within
`PHONE_HEALTH_TTL_SECONDS` answers from it, and when Meta cannot be reached the answer is
`status: "unknown"` with the last known checks and the time they were taken. Every Graph call goes
through the per-WABA budget (`wabas.graph_budget`).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from core.timefmt import isoformat_ms
from meta.graph import GraphClient, GraphError, graph_client
from meta.graph.client import MESSAGING_LIMIT_FIELD, messaging_limit
from phones.models import Phone
from wabas import graph_budget
from wabas.models import Waba

# The health a phone can have, worst last (docs/phones-and-wabas.md).
HEALTH_STATUSES = ("healthy", "limited", "blocked")

logger = logging.getLogger(__name__)

HEALTH_FIELDS = f"id,health_status,quality_rating,platform_type,{MESSAGING_LIMIT_FIELD}"
DEFAULT_TTL_SECONDS = 60
DEFAULT_STALE_SECONDS = 30 * 60
ENTITY_CHECKS = (("PHONE_NUMBER", "phone_number"), ("WABA", "waba"), ("BUSINESS", "business"), ("APP", "app"))
PATH_ENTITY_TYPES = frozenset(t for t, _ in ENTITY_CHECKS)
SEVERITY = {"AVAILABLE": 0, "LIMITED": 1, "BLOCKED": 2}


def ttl_seconds() -> int:
    return int(getattr(settings, "PHONE_HEALTH_TTL_SECONDS", DEFAULT_TTL_SECONDS))


def stale_seconds() -> int:
    return int(getattr(settings, "PHONE_HEALTH_STALE_SECONDS", DEFAULT_STALE_SECONDS))


@dataclass(frozen=True)
class Refresh:
    """What one refresh did: `refreshed` (Meta answered), `failed` (it did not) or `skipped` (budget)."""

    outcome: str
    detail: str = ""


# ---- computing --------------------------------------------------------------------------------


def _check(name: str, ok: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "ok": ok, "detail": detail}


def _entity_detail(entity: dict[str, Any]) -> str:
    state = str(entity.get("can_send_message") or "UNKNOWN")
    notes = [str(i) for i in entity.get("additional_info") or []]
    notes += [str(e.get("error_description") or "") for e in entity.get("errors") or [] if isinstance(e, dict)]
    return f"can_send_message {state}" + (f": {' '.join(n for n in notes if n)}" if notes else "")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _entity_errors(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Meta's errors of the BLOCKED entities: what stops the number. Errors Meta attaches to an
    entity that can still send (calling over SIP not enabled, for example) are in the check's
    detail only."""
    errors = []
    for entity in entities:
        if entity.get("can_send_message") != "BLOCKED":
            continue
        for error in entity.get("errors") or []:
            if isinstance(error, dict):
                errors.append(
                    {
                        "source": str(entity.get("entity_type") or ""),
                        "code": _int_or_none(error.get("error_code")),
                        "message": str(error.get("error_description") or ""),
                        "possibleSolution": error.get("possible_solution"),
                    }
                )
    return errors


def _meta_state(health_status: dict[str, Any]) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    """(state, path entities, unexplained) from Meta's `health_status`, by Meta's documented rules.

    Meta: each entity's `can_send_message` is AVAILABLE, LIMITED or BLOCKED, and the overall value
    is BLOCKED when any entity is, else LIMITED when any is, else AVAILABLE. The number's messaging
    path is its PHONE_NUMBER, WABA, BUSINESS and APP entities; a MESSAGE_TEMPLATE or FLOW entity
    speaks for that one asset, so a blocked template does not block the number. When no listed
    entity accounts for the overall value, the overall value is Meta's word on what it did not
    list: it counts, and `unexplained` describes it."""
    entities = [e for e in health_status.get("entities") or [] if isinstance(e, dict)]
    path = [e for e in entities if str(e.get("entity_type")) in PATH_ENTITY_TYPES]
    overall = str(health_status.get("can_send_message") or "")
    listed = {str(e.get("can_send_message") or "") for e in entities}
    state = next((s for s in ("BLOCKED", "LIMITED") if s in {str(e.get("can_send_message")) for e in path}), "")
    unexplained = None
    if overall in ("BLOCKED", "LIMITED") and overall not in listed:
        unexplained = {"can_send_message": overall}
        if SEVERITY[overall] > SEVERITY.get(state, 0):
            state = overall
    return state or "AVAILABLE", path, unexplained


def compute(
    *,
    connected: bool,
    registered: bool,
    subscribed: bool,
    health_status: dict[str, Any] | None,
    limit_tier: str = "",
) -> dict[str, Any]:
    """`{status, capabilities, checks, errors}` from the facts (pure: no I/O)."""
    state, entities, unexplained = _meta_state(health_status or {})
    blocked = state == "BLOCKED"
    limited = state == "LIMITED"
    checks = [
        _check("connected", connected, "Connected through an onboarding link." if connected else "Disconnected."),
        _check(
            "registered",
            registered,
            "Registered with the Cloud API." if registered else "Not registered with the Cloud API.",
        ),
        _check(
            "app_subscribed",
            subscribed,
            "Our app receives the WABA's webhooks." if subscribed else "Our app is not subscribed to the WABA.",
        ),
    ]
    by_type = {str(e.get("entity_type")): e for e in entities}
    for entity_type, name in ENTITY_CHECKS:
        entity = by_type.get(entity_type)
        if entity is not None:
            detail = _entity_detail(entity)
            if name == "phone_number" and limit_tier:
                detail += f" (messaging limit {limit_tier})"
            checks.append(_check(name, entity.get("can_send_message") == "AVAILABLE", detail))
    errors = _entity_errors(entities)
    if unexplained is not None:
        detail = f"Meta reports can_send_message {unexplained['can_send_message']} overall, for no listed entity."
        checks.append(_check("overall", False, detail))
        if unexplained["can_send_message"] == "BLOCKED":
            errors.append(
                {
                    "source": "HEALTH_STATUS",
                    "code": None,
                    "message": detail,
                    "possibleSolution": "Check the number, its WABA and the business portfolio in WhatsApp Manager.",
                }
            )
    can_send = connected and registered and not blocked
    can_receive = can_send and subscribed
    if blocked or not connected:
        status = "blocked"
    elif limited or not (can_send and can_receive):
        status = "limited"
    else:
        status = "healthy"
    return {
        "status": status,
        "capabilities": {"canSendMessages": can_send, "canReceiveMessages": can_receive},
        "checks": checks,
        "errors": errors,
    }


def subscription_forget(*, meta_waba_id: str) -> None:
    """Drop the cached subscription state of the WABAs with this Meta id (read again next time)."""
    for waba in Waba.objects.filter(meta_waba_id=meta_waba_id).only("pk"):
        cache.delete(_subscribed_key(waba))


# ---- refreshing -------------------------------------------------------------------------------


def _subscribed_key(waba: Waba) -> str:
    return f"phones:waba-subscribed:{waba.pk}"


def _app_subscribed(waba: Waba, graph: GraphClient, reserve: int) -> bool | None:
    """Is our app in the WABA's `subscribed_apps`? Shared by the WABA's phones for the TTL.
    None when the budget says no."""
    cached = cache.get(_subscribed_key(waba))
    if cached is not None:
        return bool(cached)
    if not graph_budget.take(waba.meta_waba_id, reserve=reserve):
        return None
    apps = graph.list_subscribed_apps(waba.meta_waba_id, waba.access_token)
    subscribed = any(
        str((entry.get("whatsapp_business_api_data") or {}).get("id")) == str(graph.app_id) for entry in apps
    )
    cache.set(_subscribed_key(waba), subscribed, timeout=ttl_seconds())
    if waba.is_app_subscribed != subscribed:
        waba.is_app_subscribed = subscribed
        waba.save(update_fields=["is_app_subscribed", "updated_at"])
    return subscribed


def _store(phone: Phone, health: dict[str, Any], *, checked: bool) -> None:
    fields = ["health", "updated_at"]
    phone.health = health
    if checked:
        phone.health_checked_at = timezone.now()
        fields.append("health_checked_at")
    phone.save(update_fields=fields)


def _store_failure(phone: Phone, source: str, exc: GraphError) -> None:
    health = dict(phone.health or {})
    health["failure"] = {
        "at": isoformat_ms(timezone.now()),
        "source": source,
        "code": exc.code,
        "message": exc.message,
    }
    _store(phone, health, checked=False)


def phone_health_refresh(*, phone: Phone, graph: GraphClient | None = None, reserve: int = 0) -> Refresh:
    """Ask Meta for the phone's health and store the result; never raises for Graph failures.

    `reserve`: budget calls to leave for API reads (the periodic job passes some)."""
    waba = phone.waba
    if phone.status != Phone.Status.CONNECTED:
        # The customer removed our access: nothing to ask Meta, the number cannot be used.
        health = compute(
            connected=False, registered=phone.is_registered, subscribed=waba.is_app_subscribed, health_status=None
        )
        _store(phone, {**health, "failure": None}, checked=True)
        return Refresh("refreshed", "disconnected")
    if not waba.access_token:
        return Refresh("skipped", "no access token stored for the WABA")
    graph = graph or graph_client()
    if not graph_budget.take(waba.meta_waba_id, reserve=reserve):
        return Refresh("skipped", "Graph budget for the WABA is spent or Meta asked us to wait")
    try:
        node = graph.get_phone_number(phone.meta_phone_number_id, waba.access_token, fields=HEALTH_FIELDS)
    except GraphError as exc:
        graph_budget.note_failure(waba.meta_waba_id, exc)
        _store_failure(phone, "health_status", exc)
        logger.info("phone health lookup failed", extra={"phone_id": str(phone.pk), "graph_code": exc.code})
        return Refresh("failed", exc.message)
    try:
        subscribed = _app_subscribed(waba, graph, reserve)
    except GraphError as exc:
        graph_budget.note_failure(waba.meta_waba_id, exc)
        _store_failure(phone, "subscribed_apps", exc)
        return Refresh("failed", exc.message)
    if subscribed is None:
        subscribed = waba.is_app_subscribed  # budget spent: the last known subscription state
    platform_type = str(node.get("platform_type") or "")
    registered = platform_type == "CLOUD_API" if platform_type else phone.is_registered
    health = compute(
        connected=True,
        registered=registered,
        subscribed=subscribed,
        health_status=node.get("health_status"),
        limit_tier=messaging_limit(node),
    )
    health["failure"] = None
    changed = []
    if registered != phone.is_registered:
        phone.is_registered = registered
        changed.append("is_registered")
    quality = str(node.get("quality_rating") or "")
    if quality and quality != phone.quality_rating:
        phone.quality_rating = quality
        changed.append("quality_rating")
    if changed:
        phone.save(update_fields=[*changed, "updated_at"])
    _store(phone, health, checked=True)
    return Refresh("refreshed", health["status"])


# ---- reading ----------------------------------------------------------------------------------


def _fresh(phone: Phone) -> bool:
    return bool(
        phone.health
        and phone.health_checked_at
        and not (phone.health or {}).get("failure")
        and timezone.now() - phone.health_checked_at < timedelta(seconds=ttl_seconds())
    )


def health_view(phone: Phone) -> dict[str, Any]:
    """The contract's health object from what is stored on the phone."""
    health = phone.health or {}
    failure = health.get("failure")
    errors = list(health.get("errors") or [])
    if failure or not health:
        status = "unknown"
        capabilities = {"canSendMessages": False, "canReceiveMessages": False}
        if failure:
            errors.append(
                {
                    "source": "graph",
                    "code": failure.get("code"),
                    "message": f"Meta could not be reached for {failure.get('source')}: {failure.get('message')}",
                    "possibleSolution": "Retry later; the checks shown are the last known ones.",
                }
            )
    else:
        status = health.get("status", "unknown")
        capabilities = health.get("capabilities") or {"canSendMessages": False, "canReceiveMessages": False}
    return {
        "phoneNumberId": str(phone.pk),
        "checkedAt": isoformat_ms(phone.health_checked_at) if health.get("checks") else None,
        "status": status,
        "capabilities": capabilities,
        "checks": list(health.get("checks") or []),
        "errors": errors,
    }


def phone_health(*, phone: Phone, graph: GraphClient | None = None) -> dict[str, Any]:
    """For `GET /v1/phones/{id}/health`: the stored result while fresh, else a refresh (budget
    permitting), else the stored result as it is."""
    if not _fresh(phone):
        phone_health_refresh(phone=phone, graph=graph)
    return health_view(phone)


def phones_due_for_refresh(*, limit: int = 200) -> list[Phone]:
    """Connected phones never checked or checked longer ago than `PHONE_HEALTH_STALE_SECONDS`."""
    stale_before = timezone.now() - timedelta(seconds=stale_seconds())
    due = (
        Phone.objects.filter(status=Phone.Status.CONNECTED)
        .filter(Q(health_checked_at__isnull=True) | Q(health_checked_at__lt=stale_before))
        .select_related("waba")
        .order_by(F("health_checked_at").asc(nulls_first=True), "id")
    )
    return list(due[:limit])
