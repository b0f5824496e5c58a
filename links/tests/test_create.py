import base64
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from links.models import OnboardingLink
from links.tests.helpers import URL, minimal, post, with_webhook

# The request of the document's curl example, byte for byte.
DOCUMENT_BODY = """{
"name": "Acme Corp",
"externalId": "customer-123",
"metadata": {
"customerId": "customer-123",
"locationCode": "store-01",
"crmAccountId": "crm_789"
},
"redirectUrl": "https://myapp.com/whatsapp/callback",
"webhookUrl": "https://myapp.com/webhooks/whatsapp",
"webhookSecret": "whsec_my_secret_key_123",
"webhookEvents": ["message.received", "message.sent"]
}"""

DOCUMENT_KEYS = [
    "id",
    "name",
    "status",
    "externalId",
    "metadata",
    "redirectUrl",
    "hostedUrl",
    "phoneNumberId",
    "phoneNumber",
    "wabaId",
    "isPhoneRegistered",
    "webhookUrl",
    "webhookSecret",
    "webhookEvents",
    "createdAt",
    "completedAt",
    # Fields and rules beyond the product document's example
    "expiresAt",
    "error",
    "outgoingWebhookId",
    # issue 14
    "allowedFlows",
    # issue 15: what a processing link waits for from the end-user
    "waitingFor",
    # issue 19: where an expired or deleted link sends the end-user
    "refreshUrl",
]
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.mark.django_db
def test_document_example_gets_the_document_response(api_client, settings):
    response = api_client.post(URL, data=DOCUMENT_BODY, content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["data"]
    data = body["data"]
    assert list(data) == DOCUMENT_KEYS
    link = OnboardingLink.objects.get()
    assert data == {
        "id": str(link.id),
        "name": "Acme Corp",
        "status": "pending",
        "externalId": "customer-123",
        "metadata": {"customerId": "customer-123", "locationCode": "store-01", "crmAccountId": "crm_789"},
        "redirectUrl": "https://myapp.com/whatsapp/callback",
        "hostedUrl": f"{settings.PUBLIC_BASE_URL}/signup/{link.id}",
        "phoneNumberId": None,
        "phoneNumber": None,
        "wabaId": None,
        "isPhoneRegistered": None,
        "webhookUrl": "https://myapp.com/webhooks/whatsapp",
        "webhookSecret": "whsec_my_secret_key_123",
        "webhookEvents": ["message.received", "message.sent"],
        "createdAt": data["createdAt"],
        "completedAt": None,
        "expiresAt": data["expiresAt"],
        "error": None,
        "outgoingWebhookId": None,
        "allowedFlows": ["cloud_api"],
        "waitingFor": None,
        "refreshUrl": None,
    }
    assert list(data["metadata"]) == ["customerId", "locationCode", "crmAccountId"]
    assert TIMESTAMP.match(data["createdAt"]) and TIMESTAMP.match(data["expiresAt"])


@pytest.mark.django_db
def test_minimal_link_has_nulls_and_empty_collections(api_client):
    data = post(api_client, minimal()).json()["data"]

    assert data["externalId"] is None
    assert data["metadata"] == {}
    assert data["redirectUrl"] is None
    assert data["webhookUrl"] is None
    assert data["webhookSecret"] is None
    assert data["webhookEvents"] == []


@pytest.mark.django_db
def test_link_belongs_to_the_callers_organization(api_client, organization):
    post(api_client, minimal())

    assert OnboardingLink.objects.get().organization == organization


@pytest.mark.django_db
def test_default_expiry_is_the_configured_ttl(api_client, settings):
    settings.LINK_DEFAULT_TTL_SECONDS = 3600
    post(api_client, minimal())

    link = OnboardingLink.objects.get()
    assert link.expires_at - link.created_at == timedelta(seconds=3600)


@pytest.mark.django_db
@pytest.mark.parametrize("seconds", [300, 2_592_000])
def test_expires_in_seconds_sets_expiry(api_client, seconds):
    before = timezone.now()
    data = post(api_client, minimal(expiresInSeconds=seconds)).json()["data"]

    link = OnboardingLink.objects.get(pk=data["id"])
    assert link.expires_at - link.created_at == timedelta(seconds=seconds)
    assert link.created_at >= before


@pytest.mark.django_db
def test_generated_secret_is_whsec_and_32_random_bytes(api_client):
    first = post(api_client, with_webhook()).json()["data"]["webhookSecret"]
    second = post(api_client, with_webhook()).json()["data"]["webhookSecret"]

    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second


@pytest.mark.django_db
def test_duplicate_webhook_events_are_dropped_keeping_order(api_client):
    body = with_webhook(webhookEvents=["message.sent", "message.received", "message.sent", "webhook.test"])
    data = post(api_client, body).json()["data"]

    assert data["webhookEvents"] == ["message.sent", "message.received", "webhook.test"]


@pytest.mark.django_db
def test_metadata_round_trips_unchanged(api_client):
    metadata = {
        "zeta": "last-first",
        "alpha": "",
        "count": 42,
        "ratio": 0.25,
        "negative": -7,
        "big": 9007199254740993,
        "active": True,
        "archived": False,
        "nothing": None,
        "unicode": "Ñandú 🚀 مرحبا",
        "k" * 40: "v" * 500,
    }
    created = post(api_client, minimal(metadata=metadata)).json()["data"]
    fetched = api_client.get(f"{URL}/{created['id']}").json()["data"]
    listed = api_client.get(URL).json()["data"][0]

    for data in (created, fetched, listed):
        assert data["metadata"] == metadata
        assert list(data["metadata"]) == list(metadata)


@pytest.mark.django_db
def test_null_optional_fields_mean_not_given(api_client):
    body = minimal(
        externalId=None,
        metadata=None,
        redirectUrl=None,
        webhookUrl=None,
        webhookSecret=None,
        webhookEvents=None,
        expiresInSeconds=None,
    )
    response = post(api_client, body)

    assert response.status_code == 201
    assert response.json()["data"]["metadata"] == {}


@pytest.mark.django_db
def test_idempotent_replay_returns_the_same_response_with_the_secret(api_client):
    first = post(api_client, with_webhook(), HTTP_IDEMPOTENCY_KEY="create-1")
    replay = post(api_client, with_webhook(), HTTP_IDEMPOTENCY_KEY="create-1")

    assert replay.status_code == first.status_code == 201
    assert replay.json() == first.json()
    assert list(replay.json()["data"]) == DOCUMENT_KEYS
    assert replay.json()["data"]["webhookSecret"].startswith("whsec_")
    assert replay["Idempotent-Replayed"] == "true"
    assert OnboardingLink.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_key_with_another_body_is_a_conflict(api_client):
    post(api_client, minimal(), HTTP_IDEMPOTENCY_KEY="create-2")
    response = post(api_client, minimal(name="Other"), HTTP_IDEMPOTENCY_KEY="create-2")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"


@pytest.mark.django_db
def test_unauthenticated_create_is_401(anon_client):
    response = post(anon_client, minimal())

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
