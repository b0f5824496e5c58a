"""The sandbox exists only in sandbox mode; its dialog endpoint serves the hosted page."""

import pytest
import requests

from sandbox.models import SandboxCode, SandboxPhone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("sandbox.tests.urls")]

SANDBOX_URLS = [
    ("get", "/_sandbox/graph/v25.0/oauth/access_token?code=sandbox_success"),
    ("get", "/_sandbox/graph/v25.0/debug_token"),
    ("post", "/_sandbox/graph/v25.0/123/register"),
    ("get", "/_sandbox/graph/_faults"),
    ("post", "/_sandbox/dialog/complete"),
]


@pytest.mark.parametrize(("method", "path"), SANDBOX_URLS)
def test_sandbox_urls_404_when_a_meta_app_is_configured(live_server, settings, method, path):
    settings.META_APP_ID, settings.META_SANDBOX = "1234567890", False
    assert getattr(requests, method)(f"{live_server.url}{path}", timeout=5).status_code == 404


@pytest.mark.parametrize(("method", "path"), SANDBOX_URLS)
def test_sandbox_urls_404_when_an_app_id_is_set_even_if_sandbox_is_forced_on(live_server, settings, method, path):
    settings.META_APP_ID, settings.META_SANDBOX = "1234567890", True
    assert getattr(requests, method)(f"{live_server.url}{path}", timeout=5).status_code == 404


def test_sandbox_urls_answer_in_sandbox_mode(sandbox, live_server):
    answer = requests.get(f"{live_server.url}/_sandbox/graph/v25.0/debug_token", timeout=5)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 104


def test_dialog_complete_success_is_csrf_exempt_and_bound_to_fresh_assets(sandbox, live_server):
    answer = requests.post(f"{live_server.url}/_sandbox/dialog/complete", json={"outcome": "success"}, timeout=5)
    assert answer.status_code == 200
    body = answer.json()
    assert body["type"] == "WA_EMBEDDED_SIGNUP" and body["event"] == "FINISH"
    assert set(body["data"]) == {"waba_id", "phone_number_id", "business_id", "page_ids"}
    assert body["code"].startswith("sandbox_success.")
    phone = SandboxPhone.objects.select_related("waba").get(pk=body["data"]["phone_number_id"])
    assert phone.waba_id == body["data"]["waba_id"] and phone.waba.business_id == body["data"]["business_id"]
    assert SandboxCode.objects.get(code=body["code"]).business_id == body["data"]["business_id"]
    token = sandbox.exchange_code(body["code"])["access_token"]
    assert sandbox.get_phone_number(phone.id, token)["id"] == phone.id


@pytest.mark.parametrize("scenario", ["sandbox_flaky", "sandbox_limited", "sandbox_blocked", "sandbox_register_error"])
def test_dialog_complete_accepts_every_magic_code_as_outcome(sandbox, live_server, scenario):
    body = requests.post(
        f"{live_server.url}/_sandbox/dialog/complete", data={"outcome": scenario, "event": "FINISH"}, timeout=5
    ).json()
    assert body["code"].startswith(f"{scenario}.")


def test_dialog_complete_cancel_and_error_carry_no_code(sandbox, live_server):
    url = f"{live_server.url}/_sandbox/dialog/complete"
    cancel = requests.post(url, json={"outcome": "cancel"}, timeout=5).json()
    error = requests.post(url, json={"outcome": "error"}, timeout=5).json()
    assert cancel == {"type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL", "data": {"current_step": "PHONE_NUMBER_SETUP"}}
    assert error["event"] == "CANCEL" and "code" not in error
    assert {"error_message", "error_code", "session_id", "timestamp"} <= set(error["data"])


def test_dialog_complete_rejects_unknown_outcomes(sandbox, live_server):
    url = f"{live_server.url}/_sandbox/dialog/complete"
    assert requests.post(url, json={"outcome": "teleport"}, timeout=5).status_code == 400
    assert requests.post(url, json={"outcome": "success", "event": "FINISH_LATER"}, timeout=5).status_code == 400
