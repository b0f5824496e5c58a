"""Token lifetimes in the sandbox, as Meta reports them (magic codes in README, "Sandbox").

- `sandbox_token_expiring`: the exchange answers `expires_in` (3 days) and `debug_token` a near
  `expires_at` and a `data_access_expires_at`, like a token Meta will expire.
- `sandbox_token_invalidated`: a normal signup, then Meta invalidates the token when the signup's
  last call (the number's webhook override) is made: every later call answers Meta's
  `190/463 "Session has expired"` envelope, `debug_token` says `is_valid: false`.
Other tokens never expire (`expires_at: 0`), as Embedded Signup's system user tokens.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from sandbox.constants import Scenario
from sandbox.errors import GraphFailure
from sandbox.models import SandboxToken

EXPIRING_LIFETIME = timedelta(days=3)
DATA_ACCESS_LIFETIME = timedelta(days=90)


def _meta_time(value: Any) -> str:
    # Meta's wording: "Session has expired on Tuesday, 01-Dec-26 10:00:00 PST."
    return value.strftime("%A, %d-%b-%y %H:%M:%S UTC")


def token_expired(token: SandboxToken) -> GraphFailure:
    """Meta's answer to a call made with an expired token (Graph API "Handling Errors": 190/463)."""
    return GraphFailure(
        400,
        f"Error validating access token: Session has expired on {_meta_time(token.expires_at)}. "
        f"The current time is {_meta_time(timezone.now())}.",
        190,
        subcode=463,
    )


def expiry_at_mint(scenario: str) -> Any:
    return timezone.now() + EXPIRING_LIFETIME if scenario == Scenario.TOKEN_EXPIRING else None


def is_expired(token: SandboxToken) -> bool:
    return token.expires_at is not None and token.expires_at <= timezone.now()


def refuse_expired(token: SandboxToken) -> None:
    if is_expired(token):
        raise token_expired(token)


def exchange_fields(token: SandboxToken) -> dict[str, Any]:
    """Meta adds `expires_in` (seconds) to the exchange's answer only for a token that expires."""
    if token.expires_at is None:
        return {}
    return {"expires_in": max(0, int((token.expires_at - timezone.now()).total_seconds()))}


def debug_fields(token: SandboxToken) -> dict[str, Any]:
    """`debug_token`'s lifetime fields (epoch seconds, 0 = never) and validity."""
    fields: dict[str, Any] = {"data_access_expires_at": 0, "expires_at": 0, "is_valid": True}
    if token.expires_at is not None:
        fields["expires_at"] = int(token.expires_at.timestamp())
    if token.scenario == Scenario.TOKEN_EXPIRING:
        fields["data_access_expires_at"] = int((token.created_at + DATA_ACCESS_LIFETIME).timestamp())
    if is_expired(token):
        failure = token_expired(token)
        fields["is_valid"] = False
        fields["error"] = {"code": 190, "message": failure.message, "subcode": 463}
    return fields


def invalidate_after_signup(token: SandboxToken) -> None:
    if token.scenario == Scenario.TOKEN_INVALIDATED and token.expires_at is None:
        SandboxToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
