"""The Graph client against `responses`: outgoing requests, error classes, scrubbing, retry hints."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from responses import matchers

from meta.graph import (
    GraphClient,
    GraphError,
    GraphPermanentError,
    GraphTransientError,
    appsecret_proof,
    graph_client,
    waba_ids_from_debug_token,
)

BASE = "https://graph.example.test"
APP_ID, APP_SECRET = "123456789012345", "s3cr3t-app-secret-value"
TOKEN = "EAAGtestBusinessToken0123456789abcdef"


@pytest.fixture
def client():
    return GraphClient(base_url=BASE, version="v25.0", app_id=APP_ID, app_secret=APP_SECRET, timeout=(3, 7))


def query(call):
    return {k: v[0] for k, v in parse_qs(urlparse(call.request.url).query).items()}


def meta_error(code, message="boom", subcode=None, **extra):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf12345", **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@responses.activate
def test_exchange_code_sends_client_credentials_and_no_redirect_uri(client):
    responses.get(f"{BASE}/v25.0/oauth/access_token", json={"access_token": TOKEN, "token_type": "bearer"})
    assert client.exchange_code("the-code")["access_token"] == TOKEN
    sent = query(responses.calls[0])
    assert sent == {"client_id": APP_ID, "client_secret": APP_SECRET, "code": "the-code"}
    assert "Authorization" not in responses.calls[0].request.headers


@responses.activate
def test_every_call_carries_the_configured_timeout(client, monkeypatch):
    seen = []
    original = requests.Session.request

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("timeout"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    responses.get(f"{BASE}/v25.0/111", json={"id": "111"})
    responses.post(f"{BASE}/v25.0/111/register", json={"success": True})
    client.get_waba("111", TOKEN)
    client.register_phone("111", TOKEN, "123456")
    assert seen == [(3, 7), (3, 7)]


@responses.activate
def test_token_calls_use_bearer_header_and_appsecret_proof(client):
    responses.get(f"{BASE}/v25.0/222", json={"id": "222", "name": "WABA"})
    assert client.get_waba("222", TOKEN, fields="id,name") == {"id": "222", "name": "WABA"}
    call = responses.calls[0]
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert query(call) == {"fields": "id,name", "appsecret_proof": appsecret_proof(TOKEN, APP_SECRET)}
    assert TOKEN not in call.request.url


@responses.activate
def test_no_appsecret_proof_without_an_app_secret():
    client = GraphClient(base_url=BASE, version="v25.0", app_id=APP_ID, app_secret="")
    responses.get(f"{BASE}/v25.0/222", json={"id": "222"})
    client.get_business("222", TOKEN)
    assert "appsecret_proof" not in query(responses.calls[0])


def test_appsecret_proof_is_hmac_sha256_of_the_token():
    import hashlib
    import hmac

    expected = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    assert appsecret_proof(TOKEN, APP_SECRET) == expected


@responses.activate
def test_debug_token_uses_the_app_token_and_returns_data(client):
    data = {"is_valid": True, "granular_scopes": [{"scope": "whatsapp_business_management", "target_ids": ["9"]}]}
    responses.get(f"{BASE}/v25.0/debug_token", json={"data": data})
    assert client.debug_token(TOKEN) == data
    assert query(responses.calls[0]) == {"input_token": TOKEN, "access_token": f"{APP_ID}|{APP_SECRET}"}


def test_waba_ids_union_every_whatsapp_scope_without_duplicates():
    data = {
        "granular_scopes": [
            {"scope": "whatsapp_business_management", "target_ids": ["2", "1"]},
            {"scope": "whatsapp_business_manage_events", "target_ids": ["3", "2"]},
            {"scope": "pages_show_list", "target_ids": ["77"]},
        ]
    }
    assert waba_ids_from_debug_token(data) == ["2", "1", "3"]


@responses.activate
def test_write_methods_send_meta_payloads(client):
    responses.post(f"{BASE}/v25.0/1/subscribed_apps", json={"success": True})
    responses.post(f"{BASE}/v25.0/2/register", json={"success": True})
    responses.post(f"{BASE}/v25.0/2", json={"success": True})
    responses.post(f"{BASE}/v25.0/2/smb_app_data", json={"messaging_product": "whatsapp", "request_id": "r1"})
    client.subscribe_app("1", TOKEN)
    client.register_phone("2", TOKEN, "654321")
    client.set_phone_webhook("2", TOKEN, "https://hooks.example/phone/2", "verify-me")
    assert client.request_smb_sync("2", TOKEN, "history") == {"messaging_product": "whatsapp", "request_id": "r1"}
    bodies = [c.request.body for c in responses.calls]
    assert bodies[0] is None
    assert json.loads(bodies[1]) == {"messaging_product": "whatsapp", "pin": "654321"}
    assert json.loads(bodies[2]) == {
        "webhook_configuration": {"override_callback_uri": "https://hooks.example/phone/2", "verify_token": "verify-me"}
    }
    assert json.loads(bodies[3]) == {"messaging_product": "whatsapp", "sync_type": "history"}


def test_request_smb_sync_refuses_unknown_sync_types(client):
    with pytest.raises(ValueError):
        client.request_smb_sync("2", TOKEN, "everything")


@responses.activate
def test_list_phone_numbers_follows_after_cursors_not_next_urls(client):
    url = f"{BASE}/v25.0/5/phone_numbers"
    responses.get(
        url,
        json={"data": [{"id": "a"}], "paging": {"cursors": {"after": "C1"}, "next": f"{url}?access_token={TOKEN}"}},
    )
    responses.get(
        url,
        json={"data": [{"id": "b"}], "paging": {"cursors": {"after": "C2"}}},
        match=[matchers.query_param_matcher({"after": "C1"}, strict_match=False)],
    )
    assert [p["id"] for p in client.list_phone_numbers("5", TOKEN)] == ["a", "b"]
    assert query(responses.calls[1])["after"] == "C1"
    assert TOKEN not in responses.calls[1].request.url


def test_node_ids_that_are_not_graph_ids_are_refused_before_any_request(client):
    with pytest.raises(GraphPermanentError) as caught:
        client.get_waba("../me/accounts", TOKEN)
    assert caught.value.code == 100 and caught.value.request_sent is False


@pytest.mark.parametrize("code", [1, 2, 4, 17, 341, 80007, 80008, 130429, 131000, 131016, 131057, 133004])
@responses.activate
def test_transient_codes(client, code):
    responses.get(f"{BASE}/v25.0/9", json=meta_error(code), status=400)
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba("9", TOKEN)
    assert caught.value.code == code and caught.value.http_status == 400 and caught.value.transient


@pytest.mark.parametrize(
    ("code", "subcode", "status"),
    [(100, None, 400), (100, 36008, 400), (100, 36009, 400), (190, 460, 401), (10, None, 403), (200, None, 403),
     (299, None, 403), (133005, None, 400), (133016, None, 400), (368, None, 403)],
)  # fmt: skip
@responses.activate
def test_permanent_codes(client, code, subcode, status):
    responses.get(f"{BASE}/v25.0/9", json=meta_error(code, subcode=subcode), status=status)
    with pytest.raises(GraphPermanentError) as caught:
        client.get_waba("9", TOKEN)
    error = caught.value
    assert (error.code, error.subcode, error.http_status, error.fbtrace_id) == (code, subcode, status, "AbCdEf12345")
    assert not error.transient


@responses.activate
def test_is_transient_flag_makes_an_unknown_code_transient(client):
    responses.get(f"{BASE}/v25.0/9", json=meta_error(999, is_transient=True), status=400)
    with pytest.raises(GraphTransientError):
        client.get_waba("9", TOKEN)


@responses.activate
def test_auth_and_permission_helpers(client):
    responses.get(f"{BASE}/v25.0/9", json=meta_error(190, subcode=463), status=401)
    responses.get(f"{BASE}/v25.0/8", json=meta_error(200), status=403)
    with pytest.raises(GraphPermanentError) as auth:
        client.get_waba("9", TOKEN)
    with pytest.raises(GraphPermanentError) as permission:
        client.get_waba("8", TOKEN)
    assert auth.value.is_auth_error and not auth.value.is_permission_error
    assert permission.value.is_permission_error and not permission.value.is_auth_error


@pytest.mark.parametrize("status", [500, 502, 503])
@responses.activate
def test_5xx_is_transient_even_with_a_malformed_body(client, status):
    responses.get(f"{BASE}/v25.0/9", body="<html>Bad gateway</html>", status=status)
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba("9", TOKEN)
    assert caught.value.http_status == status and caught.value.code is None


@responses.activate
def test_4xx_without_an_error_envelope_is_permanent_but_429_is_transient(client):
    responses.get(f"{BASE}/v25.0/9", body="not found", status=404)
    responses.get(f"{BASE}/v25.0/8", body="slow down", status=429, headers={"Retry-After": "12"})
    with pytest.raises(GraphPermanentError):
        client.get_waba("9", TOKEN)
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba("8", TOKEN)
    assert caught.value.retry_after == 12


@responses.activate
def test_malformed_json_on_200_is_transient(client):
    responses.get(f"{BASE}/v25.0/9", body='{"id": "9"', status=200)
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba("9", TOKEN)
    assert caught.value.http_status == 200


@responses.activate
def test_retry_after_header_in_seconds_and_http_date(client):
    responses.get(f"{BASE}/v25.0/9", json=meta_error(4), status=400, headers={"Retry-After": "30"})
    responses.get(
        f"{BASE}/v25.0/8", json=meta_error(17), status=400, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    with pytest.raises(GraphTransientError) as seconds:
        client.get_waba("9", TOKEN)
    with pytest.raises(GraphTransientError) as past_date:
        client.get_waba("8", TOKEN)
    assert seconds.value.retry_after == 30
    assert past_date.value.retry_after == 0


@responses.activate
def test_business_use_case_header_regain_minutes_become_seconds(client):
    usage = {"111": [{"type": "whatsapp", "call_count": 100, "estimated_time_to_regain_access": 5}]}
    responses.get(
        f"{BASE}/v25.0/9",
        json=meta_error(80008),
        status=400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage), "Retry-After": "60"},
    )
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba("9", TOKEN)
    assert caught.value.retry_after == 300


@responses.activate
def test_garbled_business_use_case_header_is_ignored(client):
    responses.get(f"{BASE}/v25.0/9", json=meta_error(80008), status=400, headers={"X-Business-Use-Case-Usage": "{nope"})
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba("9", TOKEN)
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    "exc",
    [requests.ConnectionError("reset"), requests.ReadTimeout("read timed out"), requests.ConnectTimeout("slow")],
)
@responses.activate
def test_network_failures_are_transient(client, exc):
    responses.get(f"{BASE}/v25.0/9", body=exc)
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba("9", TOKEN)
    assert caught.value.http_status is None
    assert caught.value.request_sent is (not isinstance(exc, requests.ConnectTimeout))
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_connection_refused_is_known_to_be_unsent():
    client = GraphClient(base_url="http://127.0.0.1:9", version="v25.0", app_id=APP_ID, app_secret=APP_SECRET)
    with pytest.raises(GraphTransientError) as caught:
        client.exchange_code("single-use-code")
    assert caught.value.request_sent is False
    assert "single-use-code" not in str(caught.value) and APP_SECRET not in str(caught.value)


@responses.activate
def test_errors_never_carry_tokens_secrets_or_codes(client):
    leaky = f"Bad code the-code-123 for {TOKEN} with secret {APP_SECRET}, see ?access_token=EAAother1234567890&x=1"
    responses.get(f"{BASE}/v25.0/oauth/access_token", json=meta_error(100, leaky, 36009), status=400)
    with pytest.raises(GraphPermanentError) as caught:
        client.exchange_code("the-code-123")
    text = f"{caught.value} {caught.value!r} {caught.value.message}"
    for secret in ("the-code-123", TOKEN, APP_SECRET, "EAAother1234567890"):
        assert secret not in text
    assert "[redacted]" in text


@responses.activate
def test_network_error_messages_are_scrubbed_of_url_secrets(client):
    url = f"{BASE}/v25.0/oauth/access_token?client_id={APP_ID}&client_secret={APP_SECRET}&code=abc-code-999"
    responses.get(f"{BASE}/v25.0/oauth/access_token", body=requests.ConnectionError(f"Max retries exceeded: {url}"))
    with pytest.raises(GraphTransientError) as caught:
        client.exchange_code("abc-code-999")
    assert APP_SECRET not in str(caught.value) and "abc-code-999" not in str(caught.value)


@responses.activate
def test_whatsapp_error_details_are_kept(client):
    body = meta_error(133005, "(#133005) Two step verification PIN Mismatch")
    body["error"]["error_data"] = {"messaging_product": "whatsapp", "details": "Two step verification PIN incorrect."}
    responses.post(f"{BASE}/v25.0/2/register", json=body, status=400)
    with pytest.raises(GraphPermanentError) as caught:
        client.register_phone("2", TOKEN, "123456")
    assert caught.value.details == "Two step verification PIN incorrect."
    assert "123456" not in str(caught.value)


def test_every_graph_error_is_a_graph_error():
    assert issubclass(GraphTransientError, GraphError) and issubclass(GraphPermanentError, GraphError)


def test_graph_client_uses_settings(settings):
    settings.META_APP_ID, settings.META_APP_SECRET, settings.META_SANDBOX = "42", "live-secret", False
    settings.META_GRAPH_BASE_URL, settings.META_GRAPH_VERSION = "https://graph.facebook.com", "v25.0"
    client = graph_client()
    assert (client.base_url, client.version, client.app_id, client.app_secret) == (
        "https://graph.facebook.com",
        "v25.0",
        "42",
        "live-secret",
    )
    assert client.timeout == (5.0, 15.0)


def test_graph_client_in_sandbox_mode_uses_the_sandbox_app(settings):
    from sandbox.constants import SANDBOX_APP_ID, SANDBOX_APP_SECRET

    settings.META_APP_ID, settings.META_APP_SECRET, settings.META_SANDBOX = "", "", True
    settings.META_GRAPH_TIMEOUT = (1, 2)
    client = graph_client()
    assert (client.app_id, client.app_secret, client.timeout) == (SANDBOX_APP_ID, SANDBOX_APP_SECRET, (1.0, 2.0))
