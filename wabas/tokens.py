"""Business token lifetimes: what Meta says about a WABA's token, and what happens when Meta
rejects it.

Embedded Signup's business integration system user token usually has no expiry, but Meta may
answer `expires_in` at the code exchange, and `debug_token` gives `expires_at` and
`data_access_expires_at` (0 = never). A code 190 to any call made with the token (Meta's
"access token has expired, been revoked or is otherwise invalid", subcode 463 = expired) marks
the WABA and its phones as needing reconnection; a new onboarding link for the number stores a
new token and reconnects the same rows.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.timefmt import isoformat_ms
from meta.graph import GraphClient, GraphError
from wabas.models import Waba
from wabas.signals import wabas_token_rejected

logger = logging.getLogger(__name__)

TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105 - a disconnection reason, not a secret
TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105 - a disconnection reason
# Meta's authentication subcodes of code 190 (Graph API "Handling Errors"): 463 is an expired
# token; 458 app not installed, 459 checkpoint, 460 password changed, 464 unconfirmed user,
# 467 invalid token and 492 invalid session all need a new token too.
EXPIRED_SUBCODES = frozenset({463})
# Meta's lifetimes are seconds since the epoch (or from now); anything past this is not a date.
MAX_LIFETIME_SECONDS = 100 * 365 * 24 * 3600


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest() if token else ""


def _seconds(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 10**11 else None


def _epoch(value: Any) -> str | None:
    seconds = _seconds(value)
    if not seconds:  # 0: Meta's "never"
        return None
    return isoformat_ms(datetime.fromtimestamp(seconds, tz=UTC))


def lifetime_from_exchange(answer: dict[str, Any]) -> dict[str, str | None]:
    """`{"token_expires_at"}` from the exchange's `expires_in` (absent: Meta gave no expiry)."""
    seconds = _seconds(answer.get("expires_in"))
    if not seconds or seconds > MAX_LIFETIME_SECONDS:
        return {"token_expires_at": None}
    return {"token_expires_at": isoformat_ms(timezone.now() + timedelta(seconds=seconds))}


def lifetime_with_debug(lifetime: dict[str, Any], data: dict[str, Any]) -> dict[str, str | None]:
    """`debug_token`'s `expires_at` / `data_access_expires_at` (0 = never) over the exchange's
    answer: debug_token describes the token as Meta holds it now."""
    merged = dict(lifetime)
    if "expires_at" in data:
        merged["token_expires_at"] = _epoch(data.get("expires_at"))
    if "data_access_expires_at" in data:
        merged["data_access_expires_at"] = _epoch(data.get("data_access_expires_at"))
    return merged


def lifetime_read(*, graph: GraphClient, token: str, lifetime: dict[str, Any]) -> dict[str, str | None]:
    """The token's lifetime: `lifetime` (from the exchange's answer, `lifetime_from_exchange`) and,
    when Meta answers it, `debug_token`. Never raises: a lifetime is information, not a reason to
    fail or repeat a signup."""
    try:
        data = graph.debug_token(token)
    except GraphError as exc:
        logger.info("debug_token failed; token lifetime from the exchange only", extra={"graph_code": exc.code})
        return lifetime
    return lifetime_with_debug(lifetime, data if isinstance(data, dict) else {})


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def waba_token_set(*, waba: Waba, token: str, lifetime: dict[str, Any] | None) -> None:
    """Put a new token from a signup on `waba` (the caller saves): its lifetime replaces the old
    token's and any rejection of the old token is forgotten."""
    lifetime = lifetime or {}
    waba.access_token = token
    waba.token_sha256 = token_sha256(token)
    waba.token_expires_at = _parse(lifetime.get("token_expires_at"))
    waba.data_access_expires_at = _parse(lifetime.get("data_access_expires_at"))
    waba.token_invalid_reason = ""
    waba.token_invalid_at = None


def rejection_reason(error: GraphError) -> str:
    return TOKEN_EXPIRED if error.subcode in EXPIRED_SUBCODES else TOKEN_INVALID


@transaction.atomic
def waba_token_reject(*, token: str, error: GraphError) -> list[Any]:
    """Meta answered 190 to a call made with `token`: the WABAs holding it need reconnection, and
    `wabas_token_rejected` tells the phones app to disconnect their connected phones (each
    publishing `phone_number.disconnected` once; a second rejected call finds the WABA already
    marked). Returns the ids of the WABAs newly marked."""
    digest = token_sha256(token)
    if not digest:
        return []
    now, reason = timezone.now(), rejection_reason(error)
    wabas = Waba.objects.filter(token_sha256=digest, token_invalid_reason="")
    ids = list(wabas.values_list("pk", flat=True))
    if not ids:
        return []
    Waba.objects.filter(pk__in=ids).update(token_invalid_reason=reason, token_invalid_at=now, updated_at=now)
    details = {"code": error.code, "subcode": error.subcode, "message": error.message, "fbtraceId": error.fbtrace_id}
    wabas_token_rejected.send(sender=Waba, waba_ids=ids, reason=reason, details=details)
    logger.warning(
        "Meta rejected a business token; reconnection needed",
        extra={"reason": reason, "graph_subcode": error.subcode, "waba_ids": [str(i) for i in ids]},
    )
    return ids


def tokens_expiring(*, within: timedelta | None = None) -> QuerySet[Waba]:
    """WABAs whose still-accepted token or data access expires within `within`
    (default `TOKEN_EXPIRY_WARNING_DAYS`), soonest first."""
    within = within if within is not None else timedelta(days=settings.TOKEN_EXPIRY_WARNING_DAYS)
    horizon = timezone.now() + within
    return (
        Waba.objects.filter(token_invalid_reason="")
        .exclude(token_sha256="")
        .filter(Q(token_expires_at__lte=horizon) | Q(data_access_expires_at__lte=horizon))
        .select_related("organization")
        .order_by("token_expires_at", "data_access_expires_at")
    )


def tokens_warn_expiring() -> int:
    """One warning log line per WABA whose token or data access expires within the window."""
    count = 0
    for waba in tokens_expiring().iterator():
        logger.warning(
            "business token expires soon: onboard the number again before then",
            extra={
                "waba_id": str(waba.pk),
                "meta_waba_id": waba.meta_waba_id,
                "organization_id": str(waba.organization_id),
                "token_expires_at": isoformat_ms(waba.token_expires_at) if waba.token_expires_at else None,
                "data_access_expires_at": (
                    isoformat_ms(waba.data_access_expires_at) if waba.data_access_expires_at else None
                ),
            },
        )
        count += 1
    return count


def token_state(waba: Waba) -> str:
    """One line for operators (admin): rejected, expiring within the warning window, or fine."""
    if waba.token_invalid_reason:
        return f"needs reconnection ({waba.token_invalid_reason})"
    if not waba.token_sha256:
        return "no token"
    horizon = timezone.now() + timedelta(days=settings.TOKEN_EXPIRY_WARNING_DAYS)
    ends = [t for t in (waba.token_expires_at, waba.data_access_expires_at) if t is not None]
    if ends and min(ends) <= horizon:
        return f"expires soon ({isoformat_ms(min(ends))})"
    return f"valid until {isoformat_ms(min(ends))}" if ends else "valid, no expiry"
