"""The Graph client against the sandbox over real HTTP: magic codes, tokens, shapes, scoping."""

import re

import pytest
import requests

from meta.graph import GraphPermanentError, GraphTransientError, waba_ids_from_debug_token
from meta.graph.client import appsecret_proof, messaging_limit
from sandbox.dialog import sandbox_dialog_complete
from sandbox.models import SandboxCall, SandboxCode, SandboxPhone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("sandbox.tests.urls")]


def exchange(client, outcome, event="FINISH"):
    session = sandbox_dialog_complete(outcome, event)
    return client.exchange_code(session["code"])["access_token"], session["data"]


def test_success_creates_fresh_meta_assets_with_a_555_number(sandbox):
    token, data = exchange(sandbox, "success")
    assert all(re.fullmatch(r"[1-9]\d{14}", data[k]) for k in ("waba_id", "phone_number_id", "business_id"))
    phone = sandbox.get_phone_number(data["phone_number_id"], token)
    assert re.fullmatch(r"\+1 555-0\d\d-\d{4}", phone["display_phone_number"])
    assert phone["code_verification_status"] == "VERIFIED" and phone["quality_rating"] == "GREEN"
    assert phone["platform_type"] == "NOT_APPLICABLE" and phone["is_on_biz_app"] is False
    waba = sandbox.get_waba(data["waba_id"], token)
    assert waba["owner_business_info"]["id"] == data["business_id"]
    assert waba["health_status"]["can_send_message"] == "AVAILABLE"
    assert sandbox.get_business(data["business_id"], token) == {"id": data["business_id"], "name": waba["name"][:-9]}
    again, other = exchange(sandbox, "success")
    assert other["waba_id"] != data["waba_id"] and again != token


def test_bare_magic_code_is_a_reusable_scenario(sandbox):
    first = sandbox.exchange_code("sandbox_success")["access_token"]
    second = sandbox.exchange_code("sandbox_success")["access_token"]
    assert first != second
    wabas = [waba_ids_from_debug_token(sandbox.debug_token(t)) for t in (first, second)]
    assert len(wabas[0]) == 1 and wabas[0] != wabas[1]


def test_issued_codes_are_single_use(sandbox):
    session = sandbox_dialog_complete("success")
    sandbox.exchange_code(session["code"])
    with pytest.raises(GraphPermanentError) as caught:
        sandbox.exchange_code(session["code"])
    assert (caught.value.code, caught.value.subcode) == (100, 36009)
    assert caught.value.message == "This authorization code has been used."
    assert SandboxCode.objects.get(code=session["code"]).exchange_count == 2


def test_exchange_error_is_permanent(sandbox):
    session = sandbox_dialog_complete("sandbox_exchange_error")
    for code in (session["code"], "sandbox_exchange_error"):
        with pytest.raises(GraphPermanentError) as caught:
            sandbox.exchange_code(code)
        assert (caught.value.code, caught.value.subcode, caught.value.http_status) == (100, 36009, 400)


def test_any_other_code_is_invalid(sandbox):
    for code in ("nonsense", "sandbox_success.forged"):
        with pytest.raises(GraphPermanentError) as caught:
            sandbox.exchange_code(code)
        assert caught.value.code == 100 and caught.value.message == "Invalid verification code format."


def test_wrong_app_credentials_are_refused(sandbox):
    sandbox.app_id = "999999999999999"
    with pytest.raises(GraphPermanentError) as caught:
        sandbox.exchange_code("sandbox_success")
    assert caught.value.code == 101


def test_redirect_uri_breaks_a_popup_code_like_on_meta(sandbox):
    params = {"client_id": sandbox.app_id, "client_secret": sandbox.app_secret, "code": "sandbox_success"}
    with pytest.raises(GraphPermanentError) as caught:
        sandbox._request("GET", "oauth/access_token", params={**params, "redirect_uri": "https://example.test/"})
    assert (caught.value.code, caught.value.subcode) == (100, 36008)


def test_debug_token_lists_the_business_wabas(connected):
    client, token, data = connected
    info = client.debug_token(token)
    assert info["is_valid"] is True and info["type"] == "SYSTEM_USER"
    assert waba_ids_from_debug_token(info) == [data["waba_id"]]
    assert client.debug_token("EAAnotAtoken123456")["is_valid"] is False


def test_register_subscribe_and_webhook_override(connected):
    client, token, data = connected
    waba_id, phone_id = data["waba_id"], data["phone_number_id"]
    assert client.list_subscribed_apps(waba_id, token) == []
    assert client.subscribe_app(waba_id, token) == {"success": True}
    apps = client.list_subscribed_apps(waba_id, token)
    assert apps[0]["whatsapp_business_api_data"]["id"] == client.app_id
    assert client.register_phone(phone_id, token, "123456") == {"success": True}
    assert client.register_phone(phone_id, token, "123456") == {"success": True}
    phone = client.get_phone_number(phone_id, token)
    assert phone["platform_type"] == "CLOUD_API" and phone["status"] == "CONNECTED"
    assert phone["throughput"] == {"level": "STANDARD"}


INBOUND_PATH = "/webhook/phone/00000000-0000-0000-0000-0000000000aa"


@pytest.mark.urls("onboarding_project.urls")
def test_a_webhook_override_is_accepted_once_it_answers_metas_verification(connected, live_server, settings):
    from meta.inbound import inbound_verify_token

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    client, token, data = connected
    url = live_server.url + INBOUND_PATH
    assert client.set_phone_webhook(data["phone_number_id"], token, url, inbound_verify_token()) == {"success": True}
    assert client.get_phone_number(data["phone_number_id"], token)["webhook_configuration"]["phone_number"] == url
    client.subscribe_app(data["waba_id"], token)
    client.subscribe_app(data["waba_id"], token, override_callback_uri=url, verify_token=inbound_verify_token())
    assert client.list_subscribed_apps(data["waba_id"], token)[0]["override_callback_uri"] == url


@pytest.mark.urls("onboarding_project.urls")
@pytest.mark.parametrize("case", ["wrong_token", "not_found", "unreachable", "private_target"])
def test_a_webhook_override_that_fails_verification_is_refused_with_2200(connected, live_server, settings, case):
    from meta.inbound import inbound_verify_token

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = case != "private_target"
    client, token, data = connected
    url, verify = live_server.url + INBOUND_PATH, inbound_verify_token()
    if case == "wrong_token":
        verify = "not-the-token"
    elif case == "not_found":
        url = live_server.url + "/no-such-callback"
    elif case == "unreachable":
        url = "http://127.0.0.1:9/webhook"
    with pytest.raises(GraphPermanentError) as caught:
        client.set_phone_webhook(data["phone_number_id"], token, url, verify)
    assert caught.value.code == 2200 and "Callback verification failed" in caught.value.message
    assert "phone_number" not in client.get_phone_number(data["phone_number_id"], token)["webhook_configuration"]


def test_waba_override_requires_a_prior_subscription(connected):
    client, token, data = connected
    with pytest.raises(GraphPermanentError) as caught:
        client.subscribe_app(data["waba_id"], token, override_callback_uri="https://x.test/hook", verify_token="v")
    assert caught.value.code == 100 and "must be subscribed" in caught.value.message


def test_registering_again_with_another_pin_is_a_mismatch(connected):
    client, token, data = connected
    client.register_phone(data["phone_number_id"], token, "111111")
    with pytest.raises(GraphPermanentError) as caught:
        client.register_phone(data["phone_number_id"], token, "222222")
    assert caught.value.code == 133005


def test_register_error_fails_permanently_and_leaves_the_phone_unregistered(sandbox):
    token, data = exchange(sandbox, "sandbox_register_error")
    sandbox.subscribe_app(data["waba_id"], token)
    with pytest.raises(GraphPermanentError) as caught:
        sandbox.register_phone(data["phone_number_id"], token, "123456")
    assert caught.value.code == 133006
    assert caught.value.details == "Phone number needs to be verified before registering."
    assert sandbox.get_phone_number(data["phone_number_id"], token)["platform_type"] == "NOT_APPLICABLE"


def test_limited_phone_health(sandbox):
    token, data = exchange(sandbox, "sandbox_limited")
    health = sandbox.get_health_status(data["phone_number_id"], token)
    assert health["id"] == data["phone_number_id"]
    assert health["health_status"]["can_send_message"] == "LIMITED"
    entities = {e["entity_type"]: e for e in health["health_status"]["entities"]}
    assert set(entities) == {"PHONE_NUMBER", "WABA", "BUSINESS", "APP"}
    assert entities["PHONE_NUMBER"]["can_send_message"] == "LIMITED"
    assert entities["PHONE_NUMBER"]["additional_info"]
    assert entities["WABA"] == {"entity_type": "WABA", "id": data["waba_id"], "can_send_message": "AVAILABLE"}


def test_blocked_phone_health(sandbox):
    token, data = exchange(sandbox, "sandbox_blocked")
    health = sandbox.get_health_status(data["phone_number_id"], token)["health_status"]
    assert health["can_send_message"] == "BLOCKED"
    # Meta's documented example: the number AVAILABLE, its WABA BLOCKED by the payment method.
    by_type = {e["entity_type"]: e for e in health["entities"]}
    assert by_type["PHONE_NUMBER"]["can_send_message"] == "AVAILABLE" and "errors" not in by_type["PHONE_NUMBER"]
    assert by_type["WABA"]["can_send_message"] == "BLOCKED"
    assert by_type["WABA"]["errors"][0]["error_code"] == 141006
    assert set(by_type["WABA"]["errors"][0]) == {"error_code", "error_description", "possible_solution"}
    waba_health = sandbox.get_health_status(data["waba_id"], token)["health_status"]
    assert waba_health["can_send_message"] == "BLOCKED"


def test_waba_health_has_no_phone_entity(connected):
    client, token, data = connected
    entities = client.get_health_status(data["waba_id"], token)["health_status"]["entities"]
    assert [e["entity_type"] for e in entities] == ["WABA", "BUSINESS", "APP"]


def test_flaky_fails_the_first_two_calls_of_each_kind(sandbox):
    token, data = exchange(sandbox, "sandbox_flaky")
    for _ in range(2):
        with pytest.raises(GraphTransientError) as caught:
            sandbox.get_waba(data["waba_id"], token)
        assert (caught.value.http_status, caught.value.code) == (500, 2)
    assert sandbox.get_waba(data["waba_id"], token)["id"] == data["waba_id"]
    for _ in range(2):
        with pytest.raises(GraphTransientError):
            sandbox.register_phone(data["phone_number_id"], token, "123456")
    assert sandbox.register_phone(data["phone_number_id"], token, "123456") == {"success": True}
    counts = dict(SandboxCall.objects.filter(token__token=token).values_list("kind", "count"))
    assert counts == {"GET waba": 3, "POST register": 3}


def test_flaky_is_per_token(sandbox):
    first, data = exchange(sandbox, "sandbox_flaky")
    second, other = exchange(sandbox, "sandbox_flaky")
    for _ in range(2):
        with pytest.raises(GraphTransientError):
            sandbox.get_waba(data["waba_id"], first)
    with pytest.raises(GraphTransientError):
        sandbox.get_waba(other["waba_id"], second)


def test_tokens_only_reach_their_own_business(sandbox):
    mine, _ = exchange(sandbox, "success")
    _, theirs = exchange(sandbox, "success")
    for read in (
        lambda: sandbox.get_waba(theirs["waba_id"], mine),
        lambda: sandbox.list_phone_numbers(theirs["waba_id"], mine),
        lambda: sandbox.get_phone_number(theirs["phone_number_id"], mine),
        lambda: sandbox.get_business(theirs["business_id"], mine),
        lambda: sandbox.get_waba("100000000000999", mine),
    ):
        with pytest.raises(GraphPermanentError) as caught:
            read()
        assert (caught.value.code, caught.value.subcode, caught.value.http_status) == (100, 33, 400)
    for write in (
        lambda: sandbox.subscribe_app(theirs["waba_id"], mine),
        lambda: sandbox.register_phone(theirs["phone_number_id"], mine, "123456"),
    ):
        with pytest.raises(GraphPermanentError) as caught:
            write()
        assert (caught.value.code, caught.value.http_status) == (200, 403) and caught.value.is_permission_error


def test_invalid_token_and_missing_appsecret_proof(connected):
    client, token, data = connected
    with pytest.raises(GraphPermanentError) as caught:
        client.get_waba(data["waba_id"], "EAAforged0000000000")
    assert caught.value.code == 190 and caught.value.is_auth_error
    client.app_secret = ""
    with pytest.raises(GraphPermanentError) as caught:
        client.get_waba(data["waba_id"], token)
    assert caught.value.code == 100 and "appsecret_proof" in caught.value.message


def test_unknown_fields_are_refused_like_meta(connected):
    client, token, data = connected
    with pytest.raises(GraphPermanentError) as caught:
        client.get_waba(data["waba_id"], token, fields="id,colour")
    assert "nonexisting field (colour)" in caught.value.message


def test_only_waba_variant_sends_only_the_waba_and_phone_is_listed(sandbox):
    session = sandbox_dialog_complete("success", "FINISH_ONLY_WABA")
    assert set(session["data"]) == {"waba_id"} and session["event"] == "FINISH_ONLY_WABA"
    token = sandbox.exchange_code(session["code"])["access_token"]
    phones = sandbox.list_phone_numbers(session["data"]["waba_id"], token)
    assert len(phones) == 1 and phones[0]["display_phone_number"].startswith("+1 555-0")


def test_coexistence_variant_is_on_the_business_app_and_syncs(sandbox):
    session = sandbox_dialog_complete("success", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")
    token = sandbox.exchange_code(session["code"])["access_token"]
    phone = sandbox.list_phone_numbers(session["data"]["waba_id"], token)[0]
    assert phone["is_on_biz_app"] is True and phone["platform_type"] == "CLOUD_API"
    state = sandbox.request_smb_sync(phone["id"], token, "smb_app_state_sync")
    history = sandbox.request_smb_sync(phone["id"], token, "history")
    assert state["messaging_product"] == "whatsapp" and state["request_id"] != history["request_id"]
    # Each sync type is accepted once only, as on Meta.
    with pytest.raises(GraphPermanentError) as caught:
        sandbox.request_smb_sync(phone["id"], token, "history")
    assert caught.value.code == 100 and "only once" in (caught.value.details or "")


def test_smb_sync_on_a_cloud_api_number_is_refused(connected):
    client, token, data = connected
    with pytest.raises(GraphPermanentError):
        client.request_smb_sync(data["phone_number_id"], token, "history")


def test_phone_numbers_are_paged_with_after_cursors(connected):
    client, token, data = connected
    phone = SandboxPhone.objects.get(pk=data["phone_number_id"])
    for n in range(30):
        SandboxPhone.objects.create(
            id=str(200000000000000 + n), waba=phone.waba, display_phone_number=f"+1 555-099-{n:04d}", verified_name="x"
        )
    assert len(client.list_phone_numbers(data["waba_id"], token)) == 31


def test_get_app_checks_the_app_credentials(sandbox):
    assert sandbox.get_app() == {"id": sandbox.app_id, "name": "Onboarding Links Sandbox"}


def test_unknown_paths_answer_meta_errors(sandbox):
    answer = requests.get(f"{sandbox.base_url}/v25.0/me/adaccounts", timeout=5)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 2500
    assert set(answer.json()["error"]) == {"message", "type", "code", "fbtrace_id"}


def test_phones_answer_the_current_messaging_limit_field_not_the_deprecated_one(connected):
    client, token, data = connected
    (phone,) = client.list_phone_numbers(data["waba_id"], token)  # the client's default PHONE_FIELDS
    assert phone["whatsapp_business_manager_messaging_limit"] == "TIER_250"
    assert messaging_limit(phone) == "TIER_250"
    with pytest.raises(GraphPermanentError) as caught:
        client.get_phone_number(data["phone_number_id"], token, fields="id,messaging_limit_tier")
    assert "nonexisting field (messaging_limit_tier)" in caught.value.message


# Meta's error for a PIN that is not the number's two-step verification PIN (Cloud API error codes:
# 133005 "Two step verification PIN Mismatch"), in the Graph error envelope.
META_PIN_MISMATCH = {
    "error": {
        "message": "(#133005) Two step verification PIN Mismatch",
        "type": "OAuthException",
        "code": 133005,
        "error_data": {"messaging_product": "whatsapp", "details": "Two step verification PIN incorrect."},
        "fbtrace_id": "AbCdEfGhIjK",
    }
}


def test_a_number_with_an_existing_two_step_pin_registers_only_with_that_pin(sandbox, live_server, settings):
    token, data = exchange(sandbox, "sandbox_existing_pin")
    phone_id = data["phone_number_id"]
    answer = requests.post(
        f"{live_server.url}/_sandbox/graph/{settings.META_GRAPH_VERSION}/{phone_id}/register",
        json={"messaging_product": "whatsapp", "pin": "654321"},
        params={"appsecret_proof": appsecret_proof(token, sandbox.app_secret)},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert answer.status_code == 400
    body = answer.json()
    body["error"]["fbtrace_id"] = META_PIN_MISMATCH["error"]["fbtrace_id"]
    assert body == META_PIN_MISMATCH
    assert SandboxPhone.objects.get(pk=phone_id).pin == "123456"  # a refused PIN changes nothing
    assert sandbox.register_phone(phone_id, token, "123456") == {"success": True}
    assert SandboxPhone.objects.get(pk=phone_id).registered is True
