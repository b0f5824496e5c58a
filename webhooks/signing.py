"""Standard Webhooks signatures (docs/webhooks.md, "Verifying signatures").

`webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`. The key is
the decoded secret when it is `whsec_` + strict standard base64 of at least 16 bytes (the spec's
rule, so the `standardwebhooks` libraries verify generated secrets), else the UTF-8 bytes of the
whole secret as given (so a customer's own `whsec_my_secret_key_123` works with a plain HMAC).
"""

import base64
import binascii
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
MIN_DECODED_KEY_BYTES = 16


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        try:
            decoded = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) >= MIN_DECODED_KEY_BYTES:
            return decoded
    return secret.encode()


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(*, secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """`webhook-signature`: one `v1,` signature per secret, space-separated (the specification's
    form for several; a receiver accepts the message when any one verifies)."""
    return " ".join(sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets)
