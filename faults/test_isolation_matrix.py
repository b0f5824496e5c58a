"""Scenario 8: an isolation matrix generated from the served OpenAPI schema. Every operation on a
path with an id, called with another organization's key and this organization's real ids, is a 404
`not_found`; list filters given another organization's ids return none of its objects. A new
endpoint is covered as soon as it is in the schema (a new kind of id fails here until it is mapped)."""

import pytest
import requests

pytestmark = pytest.mark.faults

# The path segment before an id parameter names the kind of object it is.
KIND_OF_SEGMENT = {
    "onboarding-links": "link",
    "outgoing-webhooks": "webhook",
    "webhook-deliveries": "delivery",
    "events": "event",
    "phones": "phone",
    "wabas": "waba",
    "messages": "message",
}
# Query parameters that take an id, by kind.
KIND_OF_QUERY = {"wabaId": "waba", "webhookId": "webhook", "phoneNumberId": "phone", "onboardingLinkId": "link"}


@pytest.fixture(scope="module")
def objects_of_a(stack, org_key, receivers_module):
    """One of each kind for organization A, from a real sandbox signup with a webhookUrl."""
    stack.start_worker()
    try:
        receiver = receivers_module()
        link = stack.create_link(org_key, webhookUrl=receiver.url(), webhookEvents=["phone_number.connected"])
        assert stack.signup(link).callback_status == 202
        done = stack.wait_links(org_key, [link["id"]], {"completed", "error"}, 60)[link["id"]]
        assert done["status"] == "completed", done
        ((event_id,),) = stack.connected_events(link["id"])
        ((delivery_id, *_),) = stack.deliveries_of_event(event_id)
        receiver.wait_for(1, timeout=30)
    finally:
        stack.stop_workers()
    sent = stack.client(org_key).post(
        f"{stack.base}/v1/phones/{done['phoneNumberId']}/messages",
        json={"to": "+5491155551234", "type": "text", "text": {"body": "Hello"}},
        timeout=30,
    )
    assert sent.status_code == 202, sent.text
    return {
        "message": sent.json()["data"]["id"],
        "link": link["id"],
        "webhook": done["outgoingWebhookId"],
        "delivery": str(delivery_id),
        "event": str(event_id),
        "phone": done["phoneNumberId"],
        "waba": done["wabaId"],
    }


@pytest.fixture(scope="module")
def receivers_module():
    from core.tests.helpers import Receiver

    started = []

    def start():
        receiver = Receiver().start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_operation_with_another_organizations_id_is_a_404(stack, org_key, objects_of_a):
    key_b = stack.api_key("Faults B (isolation)")
    schema = requests.get(f"{stack.base}/v1/openapi.json", timeout=30).json()
    as_a, as_b = stack.client(org_key), stack.client(key_b)
    checked, leaks = [], []
    for path, method, operation in _operations(schema):
        path_params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        if not path_params:
            continue
        segments = path.removeprefix("/v1/").split("/")
        url = stack.base + path
        for name in path_params:
            segment = segments[segments.index(f"{{{name}}}") - 1]
            assert segment in KIND_OF_SEGMENT, f"{method.upper()} {path}: which kind of object is {name}? Map it."
            url = url.replace(f"{{{name}}}", objects_of_a[KIND_OF_SEGMENT[segment]])
        body = {} if method in ("post", "put", "patch") else None
        response = as_b.request(method, url, json=body, timeout=30)
        checked.append(f"{method.upper()} {path}")
        try:
            error = response.json().get("error") or {}
        except ValueError:
            error = {}
        if response.status_code != 404 or error.get("code") != "not_found":
            leaks.append(f"{method.upper()} {path}: {response.status_code} {response.text[:200]}")
    assert not leaks, "\n".join(leaks)
    assert len(checked) >= 13, checked

    # Id filters of list operations: another organization's ids select nothing.
    for path, method, operation in _operations(schema):
        if method != "get" or "{" in path:
            continue
        for param in operation.get("parameters", []):
            kind = KIND_OF_QUERY.get(param["name"])
            if param["in"] != "query" or kind is None:
                continue
            response = as_b.get(stack.base + path, params={param["name"]: objects_of_a[kind]}, timeout=30)
            assert response.status_code in (200, 400, 404), (path, param["name"], response.text)
            if response.status_code == 200:
                assert response.json()["data"] == [], (path, param["name"])
            checked.append(f"GET {path}?{param['name']}=")

    # Nothing B did (DELETE, PATCH, retry, test) touched A's objects.
    for segment, kind in KIND_OF_SEGMENT.items():
        parent = f"phones/{objects_of_a['phone']}/" if segment == "messages" else ""  # a phone's messages
        url = f"{stack.base}/v1/{parent}{segment}/{objects_of_a[kind]}"
        assert as_a.get(url, timeout=30).status_code == 200, segment
    print(f"isolation: {len(checked)} operations checked")
