"""Fault injection in the sandbox, seen through the Graph client over real HTTP."""

import time

import pytest
import requests

from meta.graph import GraphPermanentError, GraphTransientError
from meta.graph.client import appsecret_proof
from sandbox.faults import clear_faults, inject_fault
from sandbox.models import SandboxFault

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("sandbox.tests.urls")]


def test_server_error_for_the_next_n_calls_then_normal(connected):
    client, token, data = connected
    inject_fault("server_error", count=2, status=503)
    for _ in range(2):
        with pytest.raises(GraphTransientError) as caught:
            client.get_waba(data["waba_id"], token)
        assert caught.value.http_status == 503 and caught.value.code == 2
    assert client.get_waba(data["waba_id"], token)["id"] == data["waba_id"]
    assert not SandboxFault.objects.exists()


def test_rate_limit_with_retry_after(connected):
    client, token, data = connected
    inject_fault("rate_limit", status=429, retry_after=7)
    with pytest.raises(GraphTransientError) as caught:
        client.list_phone_numbers(data["waba_id"], token)
    assert (caught.value.http_status, caught.value.code, caught.value.retry_after) == (429, 80008, 7)


def test_rate_limit_with_business_use_case_header(connected):
    client, token, data = connected
    inject_fault("rate_limit", status=400, code=80008, regain_minutes=3)
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba(data["waba_id"], token)
    assert (caught.value.http_status, caught.value.retry_after) == (400, 180)


def test_malformed_json(connected):
    client, token, data = connected
    inject_fault("malformed_json")
    with pytest.raises(GraphTransientError) as caught:
        client.get_phone_number(data["phone_number_id"], token)
    assert caught.value.http_status == 500 and caught.value.code is None


def test_timeout_beyond_the_client_read_timeout(connected):
    client, token, data = connected
    client.timeout = (2, 0.5)
    inject_fault("timeout", seconds=1.5)
    started = time.monotonic()
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba(data["waba_id"], token)
    assert time.monotonic() - started < 1.4
    assert "ReadTimeout" in caught.value.message and caught.value.request_sent
    time.sleep(1.2)  # let the sleeping request finish before the test database is torn down


def test_connection_reset(connected):
    client, token, data = connected
    inject_fault("reset")
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba(data["waba_id"], token)
    assert caught.value.http_status is None and caught.value.request_sent
    assert client.get_waba(data["waba_id"], token)["id"] == data["waba_id"]


def test_arbitrary_graph_error(connected):
    client, token, data = connected
    inject_fault("graph_error", status=401, code=190, subcode=463, message="Error validating access token")
    with pytest.raises(GraphPermanentError) as caught:
        client.get_waba(data["waba_id"], token)
    assert (caught.value.code, caught.value.subcode, caught.value.is_auth_error) == (190, 463, True)


def test_faults_match_method_and_path(connected):
    client, token, data = connected
    inject_fault("server_error", method="POST", path_contains="/register")
    client.get_phone_number(data["phone_number_id"], token)
    client.subscribe_app(data["waba_id"], token)
    with pytest.raises(GraphTransientError):
        client.register_phone(data["phone_number_id"], token, "123456")
    assert client.register_phone(data["phone_number_id"], token, "123456") == {"success": True}


def test_fault_on_the_code_exchange(sandbox):
    inject_fault("server_error", path_contains="oauth/access_token")
    with pytest.raises(GraphTransientError) as caught:
        sandbox.exchange_code("sandbox_success")
    assert caught.value.request_sent


def test_control_endpoint_injects_lists_and_clears(sandbox, live_server):
    url = f"{live_server.url}/_sandbox/graph/_faults"
    created = requests.post(url, json={"kind": "rate_limit", "count": 3, "retry_after": 5}, timeout=5)
    assert created.status_code == 201 and created.json()["remaining"] == 3
    listed = requests.get(url, timeout=5).json()["data"]
    assert [(f["kind"], f["options"]) for f in listed] == [("rate_limit", {"retry_after": 5})]
    assert requests.delete(url, timeout=5).json() == {"deleted": 1}
    assert requests.get(url, timeout=5).json() == {"data": []}


def test_control_endpoint_rejects_unknown_kinds_and_options(sandbox, live_server):
    url = f"{live_server.url}/_sandbox/graph/_faults"
    assert requests.post(url, json={"kind": "meteor"}, timeout=5).status_code == 400
    answer = requests.post(url, json={"kind": "server_error", "colour": "red"}, timeout=5)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "validation_error"


def test_inject_fault_validates_in_python():
    with pytest.raises(ValueError):
        inject_fault("server_error", count=0)
    with pytest.raises(ValueError):
        inject_fault("nope")
    assert clear_faults() == 0


@pytest.mark.parametrize(
    ("options", "retry_after", "header"),
    [
        ({"code": 4}, None, "X-App-Usage"),
        ({"code": 4, "retry_after": 30}, 30, "X-App-Usage"),
        ({"code": 80007}, None, "X-Business-Use-Case-Usage"),
        ({"code": 80007, "regain_minutes": 2}, 120, "X-Business-Use-Case-Usage"),
        ({"code": 80007, "retry_after": 600, "regain_minutes": 2}, 600, "X-Business-Use-Case-Usage"),
        ({"code": 130429}, None, None),
        ({"code": 130429, "retry_after": 5}, 5, None),
    ],
    ids=["4", "4-retry-after", "80007", "80007-regain", "80007-both", "130429", "130429-retry-after"],
)
def test_meta_throttles_are_a_400_the_client_treats_as_transient(connected, live_server, options, retry_after, header):
    """Meta's throttles arrive as HTTP 400 with codes 4 (app), 80007 (WABA) and 130429 (throughput),
    with or without Retry-After: the client retries them (transient) and honours the longest wait
    Meta gives; the per-WABA budget backs off at least its default when Meta gives none."""
    from wabas import graph_budget

    client, token, data = connected
    inject_fault("rate_limit", count=2, **options)
    # The raw answer, as Meta sends it.
    raw = requests.get(
        f"{client.base_url}/{client.version}/{data['waba_id']}",
        headers={"Authorization": f"Bearer {token}"},
        params={"appsecret_proof": appsecret_proof(token, client.app_secret)},
        timeout=5,
    )
    assert raw.status_code == 400 and raw.json()["error"]["code"] == options["code"]
    assert ("Retry-After" in raw.headers) == ("retry_after" in options)
    if header:
        assert header in raw.headers
    with pytest.raises(GraphTransientError) as caught:
        client.get_waba(data["waba_id"], token)
    assert (caught.value.http_status, caught.value.code, caught.value.retry_after) == (
        400,
        options["code"],
        retry_after,
    )
    graph_budget.note_failure(data["waba_id"], caught.value)
    assert graph_budget.backing_off(data["waba_id"])
