"""`/metrics`: Prometheus text behind a bearer token, with the pipeline's counters and the gauges the
database answers (queue depth, delivery lag), read over HTTP the way a Prometheus server reads it."""

import json
from datetime import timedelta

import pytest
import responses
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from meta.graph import GraphClient, GraphPermanentError, GraphTransientError
from organizations.tests.factories import OrganizationFactory
from phones.models import InboundWebhook
from phones.tests.helpers import signed
from webhooks.delivery.engine import webhook_deliver_batch
from webhooks.models import Delivery, Event
from webhooks.publishing import event_publish, events_publish
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "metrics-test-token-0123456789"  # noqa: S105


@pytest.fixture
def scrape(settings):
    settings.METRICS_TOKEN = TOKEN

    def read() -> dict[tuple[str, tuple], float]:
        answer = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert answer.status_code == 200, answer.content
        assert answer["Content-Type"].startswith("text/plain; version=0.0.4")
        samples = {}
        for family in text_string_to_metric_families(answer.content.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return read


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_not_served_without_a_token_setting(settings):
    settings.METRICS_TOKEN = ""
    answer = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer anything")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_a_missing_bearer_is_401_and_a_wrong_one_403(settings):
    settings.METRICS_TOKEN = TOKEN
    missing = Client().get("/metrics")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert missing.json()["error"]["code"] == "unauthorized"
    for wrong in ("Bearer nope", f"Basic {TOKEN}", f"Bearer {TOKEN}x"):
        answer = Client().get("/metrics", HTTP_AUTHORIZATION=wrong)
        assert answer.status_code in (401, 403), wrong
        assert TOKEN not in answer.content.decode()
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_a_json_405(settings, method):
    settings.METRICS_TOKEN = TOKEN
    answer = getattr(Client(), method)("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 405 and answer["Allow"] == "GET"
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_inbound_payloads_are_counted_by_outcome(scrape):
    before = scrape()
    body, signature = signed({"object": "whatsapp_business_account", "entry": []})
    client = Client()
    for _ in range(3):
        answer = client.post("/webhook/meta", body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)
        assert answer.status_code == 200
    bad = client.post("/webhook/meta", body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256="sha256=00")
    assert bad.status_code == 401
    after = scrape()
    name = "onboarding_inbound_webhooks_received_total"
    assert (
        value(after, name, endpoint="meta", outcome="stored") - value(before, name, endpoint="meta", outcome="stored")
        == 3
    )
    assert (
        value(after, name, endpoint="meta", outcome="bad_signature")
        - value(before, name, endpoint="meta", outcome="bad_signature")
        == 1
    )


def test_inbound_payloads_waiting_are_the_queue_depth_with_the_oldest_age(scrape, settings):
    old = InboundWebhook.objects.create(endpoint="meta", body=b"{}")
    InboundWebhook.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(minutes=3))
    InboundWebhook.objects.create(endpoint="meta", body=b"{}")
    InboundWebhook.objects.create(endpoint="meta", body=b"{}", processed_at=timezone.now())
    samples = scrape()
    assert value(samples, "onboarding_inbound_webhooks_pending") == 2
    assert 170 <= value(samples, "onboarding_inbound_webhooks_oldest_pending_seconds") <= 240


def test_events_deliveries_and_delivery_lag_follow_what_reached_the_receiver(scrape, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_RETRY_DELAYS = [60]
    organization = OrganizationFactory()
    healthy = OutgoingWebhookFactory(organization=organization, url=receiver.url("/ok"), events=["message.received"])
    failing = OutgoingWebhookFactory(organization=organization, url=receiver.url("/fail"), events=["message.received"])
    before = scrape()
    with pytest.MonkeyPatch.context() as patch:
        # Published without sending, so each endpoint's deliveries are sent below with its own reply.
        patch.setattr("webhooks.delivery.queueing.enqueue_on_commit", lambda pairs: None)
        events = events_publish(type="message.received", items=[(organization, {"n": n}, None) for n in range(2)])
    # The events were created 2 s before they are delivered.
    Event.objects.filter(pk__in=[e.pk for e in events]).update(created_at=timezone.now() - timedelta(seconds=2))
    for webhook in (healthy, failing):
        for delivery in Delivery.objects.filter(webhook=webhook).order_by("created_at"):
            receiver.script(200 if webhook == healthy else 500)
            webhook_deliver_batch(delivery_ids=[delivery.pk])
    after = scrape()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("onboarding_events_published_total", type="message.received") == 2
    assert delta("onboarding_webhook_deliveries_total", result="succeeded") == 2
    assert delta("onboarding_webhook_deliveries_total", result="retry_scheduled") == 2
    assert value(after, "onboarding_webhook_deliveries_waiting", state="scheduled") == 2  # the failing endpoint's
    assert value(after, "onboarding_webhook_deliveries_waiting", state="due") == 0
    assert value(after, "onboarding_webhook_delivery_lag_sample") == 2
    assert 2.0 <= value(after, "onboarding_webhook_delivery_lag_seconds", quantile="0.5") < 30
    assert 2.0 <= value(after, "onboarding_webhook_delivery_lag_seconds", quantile="0.95") < 30


def test_a_due_delivery_nobody_sent_shows_as_waiting_with_its_age(scrape):
    organization = OrganizationFactory()
    OutgoingWebhookFactory(organization=organization, events=["message.received"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("webhooks.delivery.queueing.enqueue_on_commit", lambda pairs: None)  # the broker lost it
        event_publish(organization=organization, type="message.received", data={})
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=90))
    samples = scrape()
    assert value(samples, "onboarding_webhook_deliveries_waiting", state="due") == 1
    assert 85 <= value(samples, "onboarding_webhook_oldest_due_delivery_seconds") <= 150
    assert value(samples, "onboarding_metrics_database_up") == 1


@responses.activate
def test_graph_calls_are_counted_by_outcome(scrape):
    client = GraphClient(base_url="https://graph.example.test", version="v25.0", app_id="1", app_secret="s")
    base = "https://graph.example.test/v25.0"
    responses.get(f"{base}/123", json={"id": "123"})
    responses.get(f"{base}/124", status=500, json={"error": {"message": "boom", "code": 1}})
    responses.get(f"{base}/125", status=400, json={"error": {"message": "bad", "code": 100}})
    before = scrape()
    client.get_waba("123", "EAAtoken")
    with pytest.raises(GraphTransientError):
        client.get_waba("124", "EAAtoken")
    with pytest.raises(GraphPermanentError):
        client.get_waba("125", "EAAtoken")
    after = scrape()
    for outcome in ("ok", "transient", "permanent"):
        name = "onboarding_graph_calls_total"
        assert value(after, name, outcome=outcome) - value(before, name, outcome=outcome) == 1, outcome


def test_metrics_show_no_organization_ids_urls_or_secrets(scrape, receiver, settings):
    settings.METRICS_TOKEN = TOKEN
    organization = OrganizationFactory()
    webhook = OutgoingWebhookFactory(organization=organization, url="https://secret-customer.example/hook")
    event_publish(organization=organization, type="message.received", data={"text": "private words"})
    text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    for private in (
        str(organization.pk),
        webhook.url,
        webhook.secret,
        "private words",
        TOKEN,
        json.dumps(webhook.events),
    ):
        assert private not in text
