"""Rotating a webhook's secret (issue 19): both secrets sign during the grace period, only the new
one after it, and the old one is destroyed. Verified the way customers verify: the
`standardwebhooks` library, against what a real HTTP endpoint received."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from core.events import PHONE_NUMBER_CONNECTED
from core.tests import test_log_redaction
from webhooks.models import OutgoingWebhook
from webhooks.tasks import destroy_expired_webhook_secrets
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db

# Everything logged at DEBUG through the project's LOGGING.
log_lines = test_log_redaction.log_lines


def rotate(api_client, webhook_id, body=None):
    return api_client.post(f"/v1/outgoing-webhooks/{webhook_id}/rotate-secret", body, format="json")


def send_test_event(api_client, webhook_id, receiver, on_commit):
    """A `webhook.test` delivery to the receiver; returns what it received."""
    before = len(receiver.received)
    with on_commit(execute=True):
        assert api_client.post(f"/v1/outgoing-webhooks/{webhook_id}/test").status_code == 202
    return receiver.wait_for(before + 1)[-1]


def verifies(secret: str, request) -> bool:
    try:
        Webhook(secret).verify(request.body, request.headers)
    except WebhookVerificationError:
        return False
    return True


def stored(webhook_id, column: str) -> str | None:
    """The column as stored (the ciphertext), not as the model decrypts it."""
    return (
        OutgoingWebhook.objects.filter(pk=webhook_id)
        .annotate(raw=Cast(column, TextField()))
        .values_list("raw", flat=True)
        .get()
    )


def test_old_then_new_then_only_new(api_client, receiver, on_commit):
    created = api_client.post(
        "/v1/outgoing-webhooks", {"url": receiver.url(), "events": [PHONE_NUMBER_CONNECTED]}, format="json"
    ).json()["data"]
    old_secret = created["secret"]

    response = rotate(api_client, created["id"], {"graceSeconds": 86400})
    assert response.status_code == 200
    data = response.json()["data"]
    new_secret = data["secret"]
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    assert {key for key in data if key != "secret"} == set(created) - {"secret"}
    expires = timezone.now() + timedelta(seconds=86400)
    assert data["previousSecretExpiresAt"][:16] == expires.strftime("%Y-%m-%dT%H:%M")
    # Shown once: a read shows the grace period, never a secret.
    read = api_client.get(f"/v1/outgoing-webhooks/{created['id']}").json()["data"]
    assert "secret" not in read and read["previousSecretExpiresAt"] == data["previousSecretExpiresAt"]

    # During the grace period: two v1 signatures; a receiver with either secret accepts.
    during = send_test_event(api_client, created["id"], receiver, on_commit)
    assert [part[:3] for part in during.headers["webhook-signature"].split(" ")] == ["v1,", "v1,"]
    assert verifies(old_secret, during)
    assert verifies(new_secret, during)

    # The grace period ends: before the sweep has run, the old secret already signs nothing.
    OutgoingWebhook.objects.filter(pk=created["id"]).update(previous_secret_expires_at=timezone.now())
    after = send_test_event(api_client, created["id"], receiver, on_commit)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert verifies(new_secret, after)
    assert not verifies(old_secret, after)
    assert api_client.get(f"/v1/outgoing-webhooks/{created['id']}").json()["data"]["previousSecretExpiresAt"] is None

    # The periodic sweep destroys it.
    assert destroy_expired_webhook_secrets() == 1
    assert stored(created["id"], "previous_secret") is None
    webhook = OutgoingWebhook.objects.get(pk=created["id"])
    assert webhook.previous_secret is None and webhook.previous_secret_expires_at is None
    assert webhook.secret == new_secret


def test_the_old_secret_is_encrypted_at_rest_while_kept(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    old_secret = webhook.secret
    rotate(api_client, webhook.pk, {"graceSeconds": 60})
    raw = stored(webhook.pk, "previous_secret")
    assert raw and old_secret not in raw and old_secret[6:] not in raw
    webhook.refresh_from_db()
    assert webhook.previous_secret == old_secret


def test_the_body_may_be_empty_and_the_default_grace_is_a_day(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    response = api_client.post(f"/v1/outgoing-webhooks/{webhook.pk}/rotate-secret")
    assert response.status_code == 200
    webhook.refresh_from_db()
    remaining = webhook.previous_secret_expires_at - timezone.now()
    assert timedelta(hours=23, minutes=59) < remaining <= timedelta(hours=24)


def test_zero_grace_destroys_the_old_secret_at_once(api_client, organization, receiver, on_commit):
    webhook = OutgoingWebhookFactory(organization=organization, url=receiver.url())
    old_secret = webhook.secret
    new_secret = rotate(api_client, webhook.pk, {"graceSeconds": 0}).json()["data"]["secret"]
    assert stored(webhook.pk, "previous_secret") is None
    request = send_test_event(api_client, webhook.pk, receiver, on_commit)
    assert verifies(new_secret, request) and not verifies(old_secret, request)


def test_a_second_rotation_keeps_only_the_secret_it_replaces(api_client, organization, receiver, on_commit):
    webhook = OutgoingWebhookFactory(organization=organization, url=receiver.url())
    first = webhook.secret
    second = rotate(api_client, webhook.pk, {"graceSeconds": 3600}).json()["data"]["secret"]
    third = rotate(api_client, webhook.pk, {"graceSeconds": 3600}).json()["data"]["secret"]
    request = send_test_event(api_client, webhook.pk, receiver, on_commit)
    assert verifies(third, request) and verifies(second, request)
    assert not verifies(first, request)


def test_setting_a_secret_with_patch_ends_a_grace_period(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    rotate(api_client, webhook.pk, {"graceSeconds": 3600})
    api_client.patch(f"/v1/outgoing-webhooks/{webhook.pk}", {"secret": "a-new-secret-value-1"}, format="json")
    webhook.refresh_from_db()
    assert webhook.previous_secret is None and webhook.signing_secrets(timezone.now()) == ["a-new-secret-value-1"]


@pytest.mark.parametrize(
    "body",
    [
        {"graceSeconds": -1},
        {"graceSeconds": 604801},
        {"graceSeconds": "86400"},
        {"graceSeconds": 1.5},
        {"graceSeconds": True},
        {"graceSeconds": None},
        {"grace": 60},
        [],
    ],
)
def test_bad_bodies_are_a_400_and_change_nothing(api_client, organization, body):
    webhook = OutgoingWebhookFactory(organization=organization)
    response = rotate(api_client, webhook.pk, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "secret" not in response.content.decode()
    assert OutgoingWebhook.objects.get(pk=webhook.pk).secret == webhook.secret


def test_seven_days_is_the_longest_grace(api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    assert rotate(api_client, webhook.pk, {"graceSeconds": 604800}).status_code == 200


def test_another_organizations_webhook_is_404(other_api_client, organization):
    webhook = OutgoingWebhookFactory(organization=organization)
    response = rotate(other_api_client, webhook.pk, {"graceSeconds": 60})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert OutgoingWebhook.objects.get(pk=webhook.pk).secret == webhook.secret


def test_the_sweep_leaves_secrets_still_in_their_grace_period(organization):
    in_grace = OutgoingWebhookFactory(
        organization=organization,
        previous_secret="whsec_old_secret_value_1",
        previous_secret_expires_at=timezone.now() + timedelta(hours=1),
    )
    assert destroy_expired_webhook_secrets() == 0
    assert OutgoingWebhook.objects.get(pk=in_grace.pk).previous_secret == "whsec_old_secret_value_1"


def test_the_sweep_runs_on_beat():
    job = settings.CELERY_BEAT_SCHEDULE["destroy-expired-webhook-secrets"]
    assert job["task"] == destroy_expired_webhook_secrets.name


def test_the_schema_describes_rotate_secret(api_client):
    paths = api_client.get("/v1/openapi.json").json()["paths"]
    operation = paths["/v1/outgoing-webhooks/{id}/rotate-secret"]["post"]
    assert "200" in operation["responses"] and "requestBody" in operation


def test_rotating_and_delivering_log_neither_secret(api_client, organization, receiver, on_commit, log_lines):
    webhook = OutgoingWebhookFactory(organization=organization, url=receiver.url())
    old_secret = webhook.secret
    answer = api_client.post(
        f"/v1/outgoing-webhooks/{webhook.pk}/rotate-secret",
        {"graceSeconds": 60},
        format="json",
        HTTP_IDEMPOTENCY_KEY="r-1",
    )
    new_secret = answer.json()["data"]["secret"]
    replay = api_client.post(
        f"/v1/outgoing-webhooks/{webhook.pk}/rotate-secret",
        {"graceSeconds": 60},
        format="json",
        HTTP_IDEMPOTENCY_KEY="r-1",
    )
    assert replay.json()["data"]["secret"] == new_secret  # the one-time answer, replayed as given
    send_test_event(api_client, webhook.pk, receiver, on_commit)

    text = "\n".join(json.dumps(line) for line in log_lines())
    assert "webhook deliveries sent" in text  # DEBUG logging really was captured
    for secret in (old_secret, new_secret, old_secret[6:], new_secret[6:]):
        assert secret not in text
