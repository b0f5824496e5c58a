"""The Python client against a running service (`make run`): create a link, read it back, verify a
webhook the service really delivers to a receiver on loopback, and rotate the webhook's secret.

Runs when ONBOARDING_API_URL and ONBOARDING_API_KEY are set (CI sets them after starting `make run`);
otherwise skipped. The service must allow loopback webhook targets, as `make run` does.
"""

import json
import os
import queue
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from onboarding_links_client import AuthenticatedClient, WebhookVerificationError, verify_webhook
from onboarding_links_client.api.onboarding_links import onboarding_links_create, onboarding_links_retrieve
from onboarding_links_client.api.outgoing_webhooks import (
    outgoing_webhooks_create,
    outgoing_webhooks_destroy,
    outgoing_webhooks_rotate_secret,
    outgoing_webhooks_test,
)
from onboarding_links_client.models import (
    EventTypeEnum,
    OnboardingLinkCreatedResponse,
    OnboardingLinkCreateRequest,
    OnboardingLinkResponse,
    OnboardingLinkStatusEnum,
    OutgoingWebhookCreatedResponse,
    OutgoingWebhookRotatedResponse,
    RotateSecretInRequest,
    WebhookInRequest,
    WebhookTestResponse,
)

API_URL = os.environ.get("ONBOARDING_API_URL", "")
API_KEY = os.environ.get("ONBOARDING_API_KEY", "")
DELIVERY_WAIT_SECONDS = 60

pytestmark = pytest.mark.skipif(not (API_URL and API_KEY), reason="ONBOARDING_API_URL and ONBOARDING_API_KEY not set")


@pytest.fixture
def client() -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(base_url=API_URL, token=API_KEY, raise_on_unexpected_status=True) as api:
        yield api


@pytest.fixture
def receiver() -> Iterator[tuple[str, queue.Queue]]:
    """An HTTP endpoint on loopback that keeps each request's headers and raw body."""
    received: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.put(({name.lower(): value for name, value in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_a_link_created_through_the_client_reads_back(client: AuthenticatedClient) -> None:
    external_id = f"python-client-{uuid.uuid4()}"
    refresh_url = "https://example.com/refresh?tenant=python-client"
    body = OnboardingLinkCreateRequest(
        name="Python client",
        external_id=external_id,
        redirect_url="https://example.com/done",
        refresh_url=refresh_url,
    )
    created = onboarding_links_create.sync(client=client, body=body, idempotency_key=external_id)
    assert isinstance(created, OnboardingLinkCreatedResponse)
    assert created.data.refresh_url == refresh_url

    read = onboarding_links_retrieve.sync(str(created.data.id), client=client)
    assert isinstance(read, OnboardingLinkResponse)
    assert read.data.id == created.data.id
    assert read.data.external_id == external_id
    assert read.data.status == OnboardingLinkStatusEnum.PENDING
    assert read.data.hosted_url.endswith(f"/signup/{created.data.id}")
    assert read.data.refresh_url == refresh_url


@pytest.mark.parametrize("own_secret", [None, "whsec_python_client_own_secret"], ids=["generated secret", "own secret"])
def test_a_delivered_test_event_verifies_with_the_webhooks_secret(
    client: AuthenticatedClient, receiver: tuple[str, queue.Queue], own_secret: str | None
) -> None:
    url, received = receiver
    body = WebhookInRequest(url=url, events=[EventTypeEnum.WEBHOOK_TEST], description="Python client test")
    if own_secret:
        body.secret = own_secret
    created = outgoing_webhooks_create.sync(client=client, body=body)
    assert isinstance(created, OutgoingWebhookCreatedResponse)
    webhook_id = str(created.data.id)
    try:
        sent = outgoing_webhooks_test.sync(webhook_id, client=client)
        assert isinstance(sent, WebhookTestResponse)

        headers, raw = received.get(timeout=DELIVERY_WAIT_SECONDS)
        event = verify_webhook(created.data.secret, headers, raw)
        assert event["event"] == "webhook.test"
        assert event["data"]["webhookId"] == webhook_id
        assert headers["webhook-id"] == event["id"] == str(sent.data.event_id)
        with pytest.raises(WebhookVerificationError):
            verify_webhook("whsec_" + "A" * 44, headers, raw)
        with pytest.raises(WebhookVerificationError):
            verify_webhook(created.data.secret, headers, raw + b" ")
    finally:
        outgoing_webhooks_destroy.sync_detailed(webhook_id, client=client)


def signatures(headers: dict[str, str]) -> list[str]:
    return [value for value in headers["webhook-signature"].split() if value.startswith("v1,")]


def test_a_rotated_secret_and_the_previous_one_both_verify_during_the_grace_period(
    client: AuthenticatedClient, receiver: tuple[str, queue.Queue]
) -> None:
    url, received = receiver
    body = WebhookInRequest(url=url, events=[EventTypeEnum.WEBHOOK_TEST], description="Python client rotation")
    created = outgoing_webhooks_create.sync(client=client, body=body)
    assert isinstance(created, OutgoingWebhookCreatedResponse)
    webhook_id, old_secret = str(created.data.id), created.data.secret
    try:
        rotated = outgoing_webhooks_rotate_secret.sync(
            webhook_id, client=client, body=RotateSecretInRequest(grace_seconds=3600)
        )
        assert isinstance(rotated, OutgoingWebhookRotatedResponse)
        new_secret = rotated.data.secret
        assert new_secret.startswith("whsec_") and new_secret != old_secret
        assert rotated.data.previous_secret_expires_at is not None

        outgoing_webhooks_test.sync(webhook_id, client=client)
        headers, raw = received.get(timeout=DELIVERY_WAIT_SECONDS)
        assert len(signatures(headers)) == 2
        assert verify_webhook(old_secret, headers, raw)["data"]["webhookId"] == webhook_id
        assert verify_webhook(new_secret, headers, raw)["data"]["webhookId"] == webhook_id

        # No grace period: only the newest secret signs; the one it replaced (and the first) no longer do.
        again = outgoing_webhooks_rotate_secret.sync(
            webhook_id, client=client, body=RotateSecretInRequest(grace_seconds=0)
        )
        assert isinstance(again, OutgoingWebhookRotatedResponse)
        newest_secret = again.data.secret
        assert newest_secret not in (old_secret, new_secret)
        assert again.data.previous_secret_expires_at is None

        outgoing_webhooks_test.sync(webhook_id, client=client)
        headers, raw = received.get(timeout=DELIVERY_WAIT_SECONDS)
        assert len(signatures(headers)) == 1
        assert verify_webhook(newest_secret, headers, raw)["event"] == "webhook.test"
        for replaced in (new_secret, old_secret):
            with pytest.raises(WebhookVerificationError):
                verify_webhook(replaced, headers, raw)
    finally:
        outgoing_webhooks_destroy.sync_detailed(webhook_id, client=client)


def test_the_served_schema_is_the_one_the_client_was_generated_from(client: AuthenticatedClient) -> None:
    committed = json.loads((Path(__file__).resolve().parents[2] / "openapi.json").read_text())
    assert client.get_httpx_client().get("/v1/openapi.json").json() == committed
