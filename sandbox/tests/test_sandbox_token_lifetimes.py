"""The sandbox's token lifetimes answer as Meta does (magic codes `sandbox_token_expiring` and
`sandbox_token_invalidated`), over real HTTP through the service's Graph client."""

import time

import pytest

from meta.graph import GraphPermanentError
from sandbox.dialog import sandbox_dialog_complete

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("sandbox.tests.urls")]


def test_an_expiring_token_reports_its_lifetime_at_exchange_and_in_debug_token(sandbox):
    session = sandbox_dialog_complete("sandbox_token_expiring")
    answer = sandbox.exchange_code(session["code"])
    assert answer["token_type"] == "bearer" and 3 * 86400 - 60 < answer["expires_in"] <= 3 * 86400

    data = sandbox.debug_token(answer["access_token"])
    assert data["is_valid"] is True
    assert abs(data["expires_at"] - (time.time() + 3 * 86400)) < 60
    assert abs(data["data_access_expires_at"] - (time.time() + 90 * 86400)) < 60


def test_a_plain_token_never_expires(sandbox):
    answer = sandbox.exchange_code(sandbox_dialog_complete("success")["code"])
    assert "expires_in" not in answer
    data = sandbox.debug_token(answer["access_token"])
    assert data["expires_at"] == 0 and data["data_access_expires_at"] == 0


def test_an_invalidated_token_answers_190_463_after_the_signup(sandbox):
    session = sandbox_dialog_complete("sandbox_token_invalidated")
    token = sandbox.exchange_code(session["code"])["access_token"]
    phone_id = session["data"]["phone_number_id"]
    assert sandbox.get_phone_number(phone_id, token)["id"] == phone_id

    sandbox.set_phone_webhook(phone_id, token, "", "")  # the signup's last call

    with pytest.raises(GraphPermanentError) as raised:
        sandbox.get_phone_number(phone_id, token)
    assert (raised.value.code, raised.value.subcode, raised.value.http_status) == (190, 463, 400)
    assert raised.value.error_type == "OAuthException" and raised.value.fbtrace_id
    assert raised.value.message.startswith("Error validating access token: Session has expired on ")
    data = sandbox.debug_token(token)
    assert data["is_valid"] is False and data["error"]["code"] == 190 and data["error"]["subcode"] == 463
