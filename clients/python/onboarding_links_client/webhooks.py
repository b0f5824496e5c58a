"""Verify a webhook delivery from the Onboarding Links service (written by hand; `make clients` keeps it).

Deliveries follow the Standard Webhooks specification:
- `webhook-id`: the event id, the same on every retry;
- `webhook-timestamp`: unix seconds of this attempt;
- `webhook-signature`: one or more space-separated `v1,<base64 HMAC-SHA256>` values of
  `"{webhook-id}.{webhook-timestamp}.{raw body}"`. While a secret is being rotated the service
  signs with the old and the new one, so any one matching value is enough.

The HMAC key: when the secret is `whsec_` followed by standard base64 (with padding) that decodes to
at least 16 bytes, the decoded bytes (every generated secret); otherwise the UTF-8 bytes of the whole
secret as given (a secret you chose yourself, such as `whsec_my_secret_key_123`).

Only the standard library is used, so this module can be copied on its own.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

SECRET_PREFIX = "whsec_"
MIN_DECODED_KEY_BYTES = 16
DEFAULT_TOLERANCE_SECONDS = 5 * 60


class WebhookVerificationError(Exception):
    """The delivery is not signed by any of the given secrets, or is too old or too new."""


def signing_key(secret: str) -> bytes:
    """The HMAC key a secret stands for (module docstring)."""
    if secret.startswith(SECRET_PREFIX):
        try:
            decoded = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) >= MIN_DECODED_KEY_BYTES:
            return decoded
    return secret.encode()


def _header(headers: Mapping[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value if isinstance(value, str) else " ".join(value)
    raise WebhookVerificationError(f"Missing the {name} header.")


def _given_signatures(header: str) -> list[bytes]:
    signatures = []
    for entry in header.split():
        version, _, value = entry.partition(",")
        if version != "v1":
            continue
        try:
            signatures.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    return signatures


def verify_webhook(
    secret: str | Iterable[str],
    headers: Mapping[str, Any],
    body: bytes | str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> dict[str, Any]:
    """Check a delivery's signature and timestamp; return the parsed event envelope.

    `secret`: the endpoint's secret, or several (while you rotate it on your side, pass both).
    `headers`: the request's headers, in any letter case (a dict, Django's `request.headers`, ...).
    `body`: the raw request body, exactly as received (verify before parsing JSON).
    Raises `WebhookVerificationError` when no signature matches or the timestamp is more than
    `tolerance_seconds` away from now.
    """
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets or not all(isinstance(each, str) and each for each in secrets):
        raise ValueError("verify_webhook needs at least one non-empty secret.")
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signature_header = _header(headers, "webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("The webhook-timestamp header is not unix seconds.") from None
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_seconds:
        raise WebhookVerificationError("The webhook-timestamp is outside the tolerance: a replay or a wrong clock.")

    raw = body.encode() if isinstance(body, str) else bytes(body)
    signed = f"{msg_id}.{timestamp}.".encode() + raw
    expected = [hmac.new(signing_key(each), signed, hashlib.sha256).digest() for each in secrets]
    given = _given_signatures(signature_header)
    # Every pair is compared, in constant time, so the time taken says nothing about which matched.
    matched = False
    for signature in given:
        for digest in expected:
            matched |= hmac.compare_digest(signature, digest)
    if not matched:
        raise WebhookVerificationError("No signature matches the secret.")
    try:
        return json.loads(raw)
    except ValueError:
        raise WebhookVerificationError("The body is not JSON.") from None
