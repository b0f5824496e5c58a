import base64
import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from core.events import MESSAGE_RECEIVED, PHONE_NUMBER_CONNECTED
from core.tests.helpers import Reply
from webhooks.delivery.engine import webhook_deliver
from webhooks.delivery.outcomes import AUTO_DISABLE_AFTER
from webhooks.models import Delivery, DeliveryAttempt, OutgoingWebhook
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory
from webhooks.tests.helpers import deliver_due

pytestmark = pytest.mark.django_db

CONNECTED_DATA = {
    "onboardingLinkId": "550e8400-e29b-41d4-a716-446655440000",
    "externalId": "customer-123",
    "phoneNumberId": "0b7a4c5e-8f7d-4b0e-9f6a-1c2d3e4f5a6b",
    "phoneNumber": "+5491155551234",
    "wabaId": "9c1e4f1a-6b7d-4c2e-8a9b-0d1e2f3a4b5c",
    "metaWabaId": "102938475610293",
    "isPhoneRegistered": True,
}


def publish(webhook: OutgoingWebhook, capture, type: str = PHONE_NUMBER_CONNECTED, data=None) -> Delivery:
    with capture(execute=True):
        event = event_publish(organization=webhook.organization, type=type, data=data or CONNECTED_DATA)
    return Delivery.objects.get(event=event, webhook=webhook)


def plain_hmac_verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The README's plain-HMAC snippet, for a customer's own secret."""
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, s.split(",", 1)[1])
        for s in headers["webhook-signature"].split()
        if s.startswith("v1,")
    )


def test_generated_secret_signature_verifies_with_standardwebhooks(receiver, django_capture_on_commit_callbacks):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish(webhook, django_capture_on_commit_callbacks)

    (request,) = receiver.received
    payload = Webhook(webhook.secret).verify(request.body, request.headers)
    assert payload["event"] == PHONE_NUMBER_CONNECTED
    assert payload["data"] == CONNECTED_DATA
    assert payload["id"] == request.headers["webhook-id"] == str(delivery.event_id)
    assert payload["organizationId"] == str(webhook.organization_id)
    assert request.headers["content-type"] == "application/json"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.last_status_code == 200


def test_customer_secret_verifies_with_plain_hmac(receiver, django_capture_on_commit_callbacks):
    webhook = OutgoingWebhookFactory(url=receiver.url(), secret="whsec_my_secret_key_123")
    publish(webhook, django_capture_on_commit_callbacks)

    (request,) = receiver.received
    assert plain_hmac_verify("whsec_my_secret_key_123", request.headers, request.body)
    assert not plain_hmac_verify("whsec_another_secret_456", request.headers, request.body)


def test_body_is_exactly_the_stored_envelope(receiver, django_capture_on_commit_callbacks):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish(webhook, django_capture_on_commit_callbacks)
    (request,) = receiver.received
    assert request.body == delivery.event.payload.encode()
    assert list(json.loads(request.body)) == ["id", "event", "timestamp", "organizationId", "data"]


def test_retries_after_500_keep_the_same_webhook_id(receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_RETRY_DELAYS = [60, 600]
    receiver.script(500, 503, 200)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish(webhook, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_status_code == 500
    wait = (delivery.next_attempt_at - delivery.attempt_log.latest("number").finished_at).total_seconds()
    assert 54 <= wait <= 66  # 60 s with 10 % jitter, from the attempt's end

    delivery = deliver_due(delivery)
    assert delivery.status == Delivery.Status.PENDING
    wait = (delivery.next_attempt_at - delivery.attempt_log.latest("number").finished_at).total_seconds()
    assert 540 <= wait <= 660

    delivery = deliver_due(delivery)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 3
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert ids == {str(delivery.event_id)}
    for request in receiver.received:  # each attempt is signed afresh, and verifies
        Webhook(webhook.secret).verify(request.body, request.headers)
    attempts = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    assert all(a.duration_ms is not None and a.finished_at for a in attempts)


def test_timeout_is_a_failed_attempt_retried_with_the_same_id(
    receiver, fast_retries, django_capture_on_commit_callbacks
):
    fast_retries.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.script(Reply(sleep=1.5), Reply(status=204))
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish(webhook, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error == "Timed out after 0.5 s."

    delivery = deliver_due(delivery)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]


def test_delivery_fails_after_the_last_retry(receiver, fast_retries, django_capture_on_commit_callbacks):
    receiver.default = Reply(status=500, body=b"boom")
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish(webhook, django_capture_on_commit_callbacks)
    delivery = deliver_due(delivery)
    delivery = deliver_due(delivery)

    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 3
    assert delivery.next_attempt_at is None
    assert delivery.completed_at is not None
    assert webhook_deliver(delivery_id=delivery.pk) is None  # nothing more is sent
    assert len(receiver.received) == 3
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 3
    assert webhook.failing_since is not None
    assert webhook.is_active  # three failures in a minute are not five days


def test_410_gone_deactivates_the_webhook_and_stops_its_deliveries(
    receiver, settings, django_capture_on_commit_callbacks
):
    receiver.script(500, 410)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    first = publish(webhook, django_capture_on_commit_callbacks)  # 500: retry scheduled
    second = publish(webhook, django_capture_on_commit_callbacks, type=MESSAGE_RECEIVED)  # 410

    webhook.refresh_from_db()
    assert not webhook.is_active
    assert "410 Gone" in webhook.disabled_reason
    assert webhook.disabled_at is not None
    second.refresh_from_db()
    assert second.status == Delivery.Status.FAILED
    assert second.last_status_code == 410
    first.refresh_from_db()
    assert first.status == Delivery.Status.FAILED  # its retry is cancelled
    assert "disabled" in first.last_error

    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert webhook_deliver(delivery_id=first.pk) is None
    third = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    assert not third.deliveries.exists()
    assert len(receiver.received) == 2


def test_webhook_failing_for_five_days_is_deactivated_with_a_reason(receiver, django_capture_on_commit_callbacks):
    receiver.default = Reply(status=502)
    webhook = OutgoingWebhookFactory(
        url=receiver.url(), consecutive_failures=40, failing_since=timezone.now() - AUTO_DISABLE_AFTER
    )
    delivery = publish(webhook, django_capture_on_commit_callbacks)

    webhook.refresh_from_db()
    assert not webhook.is_active
    assert webhook.disabled_reason.startswith("Every delivery failed for 5 days")
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


def test_success_clears_the_failure_record(receiver, django_capture_on_commit_callbacks):
    webhook = OutgoingWebhookFactory(
        url=receiver.url(), consecutive_failures=7, failing_since=timezone.now() - timedelta(days=1)
    )
    publish(webhook, django_capture_on_commit_callbacks)
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0
    assert webhook.failing_since is None


def test_redirects_are_not_followed(receiver, django_capture_on_commit_callbacks):
    receiver.script(Reply(status=302, headers={"Location": receiver.url("/elsewhere")}))
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish(webhook, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_status_code == 302
    assert [r.path for r in receiver.received] == ["/hooks"]


def test_response_excerpt_is_short(receiver, django_capture_on_commit_callbacks):
    receiver.script(Reply(status=500, body=b"x" * 10_000))
    webhook = OutgoingWebhookFactory(url=receiver.url())
    delivery = publish(webhook, django_capture_on_commit_callbacks)
    attempt = delivery.attempt_log.get()
    assert attempt.response_excerpt == "x" * 500


def test_connection_refused_is_a_failed_attempt(django_capture_on_commit_callbacks):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook = OutgoingWebhookFactory(url=f"http://127.0.0.1:{port}/hooks")
    delivery = publish(webhook, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error == "Could not connect to the endpoint."


def test_connects_to_the_checked_address_and_keeps_the_host_header(
    receiver, receiver_localhost, django_capture_on_commit_callbacks
):
    lookups = receiver_localhost
    webhook = OutgoingWebhookFactory(url=f"http://receiver.localhost:{receiver.port}/hooks")
    delivery = publish(webhook, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert receiver.received[0].headers["host"] == f"receiver.localhost:{receiver.port}"
    assert lookups == ["receiver.localhost"]  # resolved once, by the policy check; the connection reused it


def test_delivery_of_a_deactivated_webhook_is_not_sent(receiver, django_capture_on_commit_callbacks):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    with django_capture_on_commit_callbacks(execute=False):
        event = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    OutgoingWebhook.objects.filter(pk=webhook.pk).update(is_active=False)

    delivery = webhook_deliver(delivery_id=event.deliveries.get().pk)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "Not sent: the webhook is inactive."
    assert receiver.received == []
