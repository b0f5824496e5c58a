"""What Meta's inbound webhooks are checked against: the verify token of the subscription handshake
and the app secrets a payload's `X-Hub-Signature-256` may be signed with."""

import hashlib
import hmac

from django.conf import settings

# Used when META_WEBHOOK_VERIFY_TOKEN is unset (the sandbox default; docs/operations.md lists it).
SANDBOX_VERIFY_TOKEN = "onboarding-links-sandbox-verify-token"  # noqa: S105 - public by design


def inbound_verify_token() -> str:
    return settings.META_WEBHOOK_VERIFY_TOKEN or SANDBOX_VERIFY_TOKEN


def inbound_app_secrets() -> tuple[str, ...]:
    """Every secret an inbound payload may be signed with. A set META_APP_SECRET always counts, in
    sandbox mode too (it is never silently replaced); the sandbox app's secret counts in sandbox mode."""
    secrets: list[str] = []
    if str(settings.META_APP_SECRET or "").strip():
        secrets.append(settings.META_APP_SECRET)
    if settings.META_SANDBOX:
        from sandbox.constants import SANDBOX_APP_SECRET

        secrets.append(SANDBOX_APP_SECRET)
    return tuple(secrets)


def inbound_signature_valid(body: bytes, header: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC of the raw body>` with one of `inbound_app_secrets()`."""
    if not header.startswith("sha256="):
        return False
    given = header.removeprefix("sha256=").strip().lower()
    return any(
        hmac.compare_digest(hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(), given)
        for secret in inbound_app_secrets()
    )
