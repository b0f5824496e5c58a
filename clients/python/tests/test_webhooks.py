"""verify_webhook against signatures made elsewhere: the Standard Webhooks reference library
(`standardwebhooks`), a fixed delivery it signed (the TypeScript client's tests use the same one),
and a plain HMAC for a secret of one's own."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from onboarding_links_client import WebhookVerificationError, verify_webhook

NOW = 1_714_000_000
OLD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwZmV0Y2hlZA=="
NEW_SECRET = "whsec_" + base64.b64encode(b"n" * 32).decode()
BODY = json.dumps({"id": "evt_1", "event": "webhook.test", "data": {"message": "hi"}})


def signed(secret: str, body: str = BODY, *, msg_id: str = "evt_1", at: int = NOW) -> str:
    return Webhook(secret).sign(msg_id, datetime.fromtimestamp(at, tz=UTC), body)


def headers(signature: str, *, msg_id: str = "evt_1", at: int = NOW) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(at), "webhook-signature": signature}


def test_a_fixed_delivery_signed_by_the_reference_library_verifies() -> None:
    example = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,b7SQ7SdCmwp/Hk63Pd40FKSwSzY3j3nx9QufLs3tpaI=",
    }
    assert verify_webhook(OLD_SECRET, example, b'{"test": 2432232314}', now=1614265330) == {"test": 2432232314}


def test_a_signature_by_the_reference_library_verifies_and_returns_the_event() -> None:
    event = verify_webhook(NEW_SECRET, headers(signed(NEW_SECRET)), BODY.encode(), now=NOW)
    assert event["event"] == "webhook.test"


def test_during_a_rotation_either_secret_verifies_a_header_with_both_signatures() -> None:
    both = f"{signed(OLD_SECRET)} {signed(NEW_SECRET)}"
    for secret in (OLD_SECRET, NEW_SECRET):
        assert verify_webhook(secret, headers(both), BODY, now=NOW)["id"] == "evt_1"
    with pytest.raises(WebhookVerificationError):
        verify_webhook("whsec_" + base64.b64encode(b"x" * 32).decode(), headers(both), BODY, now=NOW)


def test_a_receiver_holding_two_secrets_accepts_a_delivery_signed_by_either() -> None:
    assert verify_webhook([OLD_SECRET, NEW_SECRET], headers(signed(NEW_SECRET)), BODY, now=NOW)


def test_a_secret_of_ones_own_is_used_as_its_utf8_bytes() -> None:
    own = "whsec_my_secret_key_123"
    digest = hmac.new(own.encode(), f"evt_1.{NOW}.{BODY}".encode(), hashlib.sha256).digest()
    assert verify_webhook(own, headers("v1," + base64.b64encode(digest).decode()), BODY, now=NOW)


def test_headers_are_matched_in_any_letter_case_and_unknown_versions_are_skipped() -> None:
    given = {
        "Webhook-Id": "evt_1",
        "WEBHOOK-TIMESTAMP": str(NOW),
        "Webhook-Signature": f"v2,abc v1a,xyz {signed(OLD_SECRET)}",
    }
    assert verify_webhook(OLD_SECRET, given, BODY, now=NOW)


@pytest.mark.parametrize(
    ("body", "header_overrides", "now"),
    [
        pytest.param(BODY.replace("hi", "ho"), {}, NOW, id="body changed"),
        pytest.param(BODY, {"webhook-id": "evt_2"}, NOW, id="id changed"),
        pytest.param(BODY, {}, NOW + 301, id="too old"),
        pytest.param(BODY, {}, NOW - 301, id="too new"),
        pytest.param(BODY, {"webhook-timestamp": "soon"}, NOW, id="timestamp not a number"),
        pytest.param(BODY, {"webhook-signature": "v1,not base64!"}, NOW, id="signature not base64"),
        pytest.param(BODY, {"webhook-signature": ""}, NOW, id="no signature"),
    ],
)
def test_a_changed_or_stale_delivery_is_refused(body: str, header_overrides: dict[str, str], now: int) -> None:
    given = {**headers(signed(OLD_SECRET)), **header_overrides}
    with pytest.raises(WebhookVerificationError):
        verify_webhook(OLD_SECRET, given, body, now=now)


def test_a_missing_header_is_refused() -> None:
    given = headers(signed(OLD_SECRET))
    del given["webhook-timestamp"]
    with pytest.raises(WebhookVerificationError, match="webhook-timestamp"):
        verify_webhook(OLD_SECRET, given, BODY, now=NOW)
