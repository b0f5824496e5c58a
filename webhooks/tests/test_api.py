import base64
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.events import MESSAGE_RECEIVED, PHONE_NUMBER_CONNECTED, WEBHOOK_TEST
from core.tests.helpers import Reply
from webhooks.models import Delivery, Event, OutgoingWebhook
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory, WabaFactory

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/onboarding"


def create(client, **body):
    body = {"url": URL, "events": [MESSAGE_RECEIVED], **body}
    return client.post("/v1/outgoing-webhooks", body, format="json")


def details(response) -> dict:
    return response.json()["error"]["details"]


def test_create_generates_a_whsec_secret_shown_only_in_the_create_response(api_client):
    response = create(api_client, description="CRM sync")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["secret"].startswith("whsec_")
    assert len(base64.b64decode(data["secret"][6:], validate=True)) == 32
    assert data["url"] == URL
    assert data["events"] == [MESSAGE_RECEIVED]
    assert data["isActive"] is True
    assert data["wabaId"] is None
    assert data["description"] == "CRM sync"
    assert data["disabledReason"] is None and data["failingSince"] is None
    assert data["createdAt"].endswith("Z")

    fetched = api_client.get(f"/v1/outgoing-webhooks/{data['id']}").json()["data"]
    assert "secret" not in fetched
    assert all("secret" not in item for item in api_client.get("/v1/outgoing-webhooks").json()["data"])
    assert OutgoingWebhook.objects.get(pk=data["id"]).secret == data["secret"]


def test_create_keeps_a_customer_secret(api_client):
    response = create(api_client, secret="whsec_my_secret_key_123")
    assert response.json()["data"]["secret"] == "whsec_my_secret_key_123"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"secret": "too-short"}, "secret"),
        ({"secret": "x" * 257}, "secret"),
        ({"secret": "has spaces in the secret"}, "secret"),
        ({"secret": "a-secret-long-enough\n"}, "secret"),
        ({"events": []}, "events"),
        ({"events": ["message.unknown"]}, "events.0"),
        ({"events": "message.received"}, "events"),
        ({"url": None}, "url"),
        ({"wabaId": "not-a-uuid"}, "wabaId"),
        ({"wabaId": str(uuid.uuid4())}, "wabaId"),
        ({"isActive": "maybe"}, "isActive"),
        ({"description": "d" * 501}, "description"),
        ({"webhookUrl": URL}, "webhookUrl"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(api_client, body, field):
    response = create(api_client, **body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in details(response)


def test_create_requires_url_and_events(api_client):
    response = api_client.post("/v1/outgoing-webhooks", {}, format="json")
    assert response.status_code == 400
    assert {"url", "events"} <= set(details(response))


def test_waba_of_another_organization_is_rejected(api_client, organization):
    foreign = WabaFactory()
    response = create(api_client, wabaId=str(foreign.pk))
    assert response.status_code == 400
    assert "wabaId" in details(response)

    own = WabaFactory(organization=organization)
    response = create(api_client, wabaId=str(own.pk))
    assert response.status_code == 201
    assert response.json()["data"]["wabaId"] == str(own.pk)


def test_create_with_idempotency_key_replays_the_same_answer(api_client):
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-1"}
    body = {"url": URL, "events": [MESSAGE_RECEIVED]}
    first = api_client.post("/v1/outgoing-webhooks", body, format="json", **headers)
    second = api_client.post("/v1/outgoing-webhooks", body, format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert OutgoingWebhook.objects.count() == 1


def test_list_is_paginated_newest_first(api_client, organization):
    for n in range(3):
        OutgoingWebhookFactory(organization=organization, description=f"#{n}")
    OutgoingWebhookFactory()  # another organization's
    body = api_client.get("/v1/outgoing-webhooks?limit=2").json()
    assert body["meta"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
    assert [w["description"] for w in body["data"]] == ["#2", "#1"]
    assert api_client.get("/v1/outgoing-webhooks?limit=0").status_code == 400


def test_patch_changes_only_the_given_fields(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization, description="old")
    secret = webhook.secret
    response = api_client.patch(
        f"/v1/outgoing-webhooks/{webhook.pk}", {"events": [PHONE_NUMBER_CONNECTED]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["data"]["events"] == [PHONE_NUMBER_CONNECTED]
    assert response.json()["data"]["description"] == "old"
    assert "secret" not in response.json()["data"]
    webhook.refresh_from_db()
    assert webhook.secret == secret


def test_patch_rotates_the_secret_without_showing_it(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    response = api_client.patch(
        f"/v1/outgoing-webhooks/{webhook.pk}", {"secret": "a-new-secret-value-1"}, format="json"
    )
    assert response.status_code == 200
    assert "secret" not in response.json()["data"]
    webhook.refresh_from_db()
    assert webhook.secret == "a-new-secret-value-1"


def test_reactivating_clears_the_disable_reason(api_client, organization):
    webhook = OutgoingWebhookFactory(
        organization=organization,
        is_active=False,
        disabled_reason="The endpoint answered 410 Gone.",
        disabled_at=timezone.now(),
        failing_since=timezone.now() - timedelta(days=1),
        consecutive_failures=4,
    )
    shown = api_client.get(f"/v1/outgoing-webhooks/{webhook.pk}").json()["data"]
    assert shown["disabledReason"] == "The endpoint answered 410 Gone."
    assert shown["consecutiveFailures"] == 4

    data = api_client.patch(f"/v1/outgoing-webhooks/{webhook.pk}", {"isActive": True}, format="json").json()["data"]
    assert data["isActive"] is True
    assert data["disabledReason"] is None and data["disabledAt"] is None and data["failingSince"] is None

    data = api_client.patch(f"/v1/outgoing-webhooks/{webhook.pk}", {"isActive": False}, format="json").json()["data"]
    assert data["disabledReason"] == "Deactivated through the API."


@pytest.mark.parametrize(
    "body, field",
    [
        ({"events": []}, "events"),
        ({"url": "http://hooks.example.com"}, "url"),
        ({"secret": None}, "secret"),
        ({"secret": "a-secret-long-enough\n"}, "secret"),
    ],
)
def test_patch_rejects_bad_input(api_client, organization, body, field):
    webhook = OutgoingWebhookFactory(organization=organization)
    secret = webhook.secret
    response = api_client.patch(f"/v1/outgoing-webhooks/{webhook.pk}", body, format="json")
    assert response.status_code == 400
    assert field in details(response)
    webhook.refresh_from_db()
    assert webhook.secret == secret


def test_patch_rejects_unknown_fields(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    response = api_client.patch(f"/v1/outgoing-webhooks/{webhook.pk}", {"URL": URL}, format="json")
    assert response.status_code == 400
    assert details(response) == {"URL": ["Unknown field."]}


def test_put_is_not_allowed(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    response = api_client.put(f"/v1/outgoing-webhooks/{webhook.pk}", {"url": URL}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_delete_removes_the_webhook_and_keeps_the_events(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    event_publish(organization=organization, type=MESSAGE_RECEIVED, data={})
    response = api_client.delete(f"/v1/outgoing-webhooks/{webhook.pk}")
    assert response.status_code == 204
    assert not OutgoingWebhook.objects.filter(pk=webhook.pk).exists()
    assert not Delivery.objects.exists()
    assert Event.objects.count() == 1


def test_test_endpoint_delivers_a_webhook_test_event(api_client, organization, receiver, on_commit):
    webhook = OutgoingWebhookFactory(organization=organization, url=receiver.url(), events=[MESSAGE_RECEIVED])
    with on_commit(execute=True):
        response = api_client.post(f"/v1/outgoing-webhooks/{webhook.pk}/test")
    assert response.status_code == 202
    data = response.json()["data"]
    assert data["eventType"] == WEBHOOK_TEST
    assert data["webhookId"] == str(webhook.pk)
    (request,) = receiver.wait_for(1)
    assert request.headers["webhook-id"] == data["eventId"]
    assert Delivery.objects.get(pk=data["id"]).status == Delivery.Status.SUCCEEDED


def test_test_endpoint_refuses_an_inactive_webhook(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization, is_active=False)
    response = api_client.post(f"/v1/outgoing-webhooks/{webhook.pk}/test")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "webhook_inactive"


def test_deliveries_list_each_with_its_attempts(api_client, organization, receiver, settings, on_commit):
    settings.WEBHOOK_RETRY_DELAYS = [60]
    receiver.script(Reply(status=500, body=b"upstream broke"))
    webhook = OutgoingWebhookFactory(organization=organization, url=receiver.url())
    with on_commit(execute=True):
        api_client.post(f"/v1/outgoing-webhooks/{webhook.pk}/test")
    receiver.wait_for(1)

    body = api_client.get(f"/v1/outgoing-webhooks/{webhook.pk}/deliveries").json()
    assert body["meta"]["total"] == 1
    (delivery,) = body["data"]
    assert delivery["status"] == "pending"
    assert delivery["attemptCount"] == 1
    assert delivery["lastStatusCode"] == 500
    assert delivery["nextAttemptAt"].endswith("Z")
    (attempt,) = delivery["attempts"]
    assert attempt["statusCode"] == 500
    assert attempt["responseExcerpt"] == "upstream broke"
    assert isinstance(attempt["durationMs"], int)
    assert attempt["error"] == ""
    assert attempt["createdAt"].endswith("Z")

    assert api_client.get(f"/v1/outgoing-webhooks/{webhook.pk}/deliveries?status=succeeded").json()["data"] == []
    bad = api_client.get(f"/v1/outgoing-webhooks/{webhook.pk}/deliveries?status=lost")
    assert bad.status_code == 400 and "status" in details(bad)


def test_retry_endpoint_redelivers(api_client, organization, receiver, settings, on_commit):
    settings.WEBHOOK_RETRY_DELAYS = []
    receiver.script(500, 200)
    webhook = OutgoingWebhookFactory(organization=organization, url=receiver.url())
    with on_commit(execute=True):
        delivery_id = api_client.post(f"/v1/outgoing-webhooks/{webhook.pk}/test").json()["data"]["id"]
    receiver.wait_for(1)
    assert Delivery.objects.get(pk=delivery_id).status == Delivery.Status.FAILED

    with on_commit(execute=True):
        response = api_client.post(f"/v1/webhook-deliveries/{delivery_id}/retry")
    assert response.status_code == 202
    assert response.json()["data"]["status"] == "pending"
    receiver.wait_for(2)
    assert Delivery.objects.get(pk=delivery_id).status == Delivery.Status.SUCCEEDED
    assert api_client.get(f"/v1/webhook-deliveries/{delivery_id}").json()["data"]["attemptCount"] == 2


def test_events_list_newest_first_with_filters(api_client, organization):
    old = event_publish(organization=organization, type=MESSAGE_RECEIVED, data={"n": 1})
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    event_publish(organization=organization, type=PHONE_NUMBER_CONNECTED, data={"n": 2})
    newest = event_publish(organization=organization, type=MESSAGE_RECEIVED, data={"n": 3})
    event_publish(organization=OutgoingWebhookFactory().organization, type=MESSAGE_RECEIVED, data={})

    body = api_client.get("/v1/events").json()
    assert [e["data"]["n"] for e in body["data"]] == [3, 2, 1]
    assert body["data"][0] == {
        "id": str(newest.pk),
        "event": MESSAGE_RECEIVED,
        "timestamp": body["data"][0]["timestamp"],
        "organizationId": str(organization.pk),
        "data": {"n": 3},
    }
    assert [e["data"]["n"] for e in api_client.get("/v1/events?type=message.received").json()["data"]] == [3, 1]
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert [e["data"]["n"] for e in api_client.get(f"/v1/events?since={since}").json()["data"]] == [3, 2]
    assert api_client.get(f"/v1/events/{newest.pk}").json()["data"]["id"] == str(newest.pk)


@pytest.mark.parametrize("query, field", [("type=message.lost", "type"), ("since=yesterday", "since")])
def test_events_list_rejects_bad_filters(api_client, query, field):
    response = api_client.get(f"/v1/events?{query}")
    assert response.status_code == 400
    assert field in details(response)


def test_another_organizations_objects_are_404_on_every_verb(api_client, other_api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    event = event_publish(organization=organization, type=MESSAGE_RECEIVED, data={})
    delivery = event.deliveries.get()
    base = f"/v1/outgoing-webhooks/{webhook.pk}"
    calls = [
        ("get", base, None),
        ("patch", base, {"description": "x"}),
        ("delete", base, None),
        ("post", f"{base}/test", None),
        ("get", f"{base}/deliveries", None),
        ("get", f"/v1/webhook-deliveries/{delivery.pk}", None),
        ("post", f"/v1/webhook-deliveries/{delivery.pk}/retry", None),
        ("get", f"/v1/events/{event.pk}", None),
    ]
    for method, path, body in calls:
        response = getattr(other_api_client, method)(path, body, format="json")
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "not_found"
    assert other_api_client.get("/v1/outgoing-webhooks").json()["data"] == []
    assert other_api_client.get("/v1/events").json()["data"] == []
    assert OutgoingWebhook.objects.filter(pk=webhook.pk, description="").exists()


def test_unknown_ids_and_malformed_ids_are_404(api_client):
    assert api_client.get(f"/v1/outgoing-webhooks/{uuid.uuid4()}").status_code == 404
    assert api_client.get("/v1/outgoing-webhooks/not-a-uuid").status_code == 404
    assert api_client.post("/v1/webhook-deliveries/123/retry").status_code == 404


def test_endpoints_need_an_api_key(anon_client):
    assert anon_client.get("/v1/outgoing-webhooks").status_code == 401
    assert anon_client.get("/v1/events").status_code == 401


def test_openapi_schema_describes_the_endpoints(api_client):
    schema = api_client.get("/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/v1/outgoing-webhooks", "/v1/outgoing-webhooks/{id}/deliveries", "/v1/events"):
        assert path in paths
    create = paths["/v1/outgoing-webhooks"]["post"]
    assert "201" in create["responses"]
    assert "/v1/webhook-deliveries/{id}/retry" in paths
    assert "put" not in paths["/v1/outgoing-webhooks/{id}"]
