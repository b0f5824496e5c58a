"""Every case of the URL policy, at create time (API 400) and at delivery time (failed attempt, retried)."""

import socket

import pytest

from webhooks.models import Delivery
from webhooks.publishing import webhook_test
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db

REFUSED_URLS = {
    "loopback": "https://127.0.0.1/hooks",
    "loopback-short-form": "https://127.1/hooks",
    "private-10": "https://10.0.0.5/hooks",
    "private-172": "https://172.16.3.4/hooks",
    "private-192": "https://192.168.1.10/hooks",
    "cgnat": "https://100.64.0.1/hooks",
    "link-local": "https://169.254.10.10/hooks",
    "metadata": "https://169.254.169.254/latest/meta-data/",
    "ipv6-loopback": "https://[::1]/hooks",
    "ipv6-link-local": "https://[fe80::1]/hooks",
    "ipv6-unique-local": "https://[fd12:3456::1]/hooks",
    "ipv4-mapped-ipv6": "https://[::ffff:127.0.0.1]/hooks",
    "decimal": "https://2130706433/hooks",
    "hex": "https://0x7f000001/hooks",
    "octal": "https://0177.0.0.1/hooks",
    "unspecified": "https://0.0.0.0/hooks",
    "name-resolving-to-private": "https://internal.customer.example/hooks",
    # IPv6 forms that embed an IPv4 address: judged by the address they reach (issue 13, finding 3).
    "nat64-metadata": "https://[64:ff9b::169.254.169.254]/",
    "nat64-private": "https://[64:ff9b::10.0.0.1]/hooks",
    "nat64-local-use-metadata": "https://[64:ff9b:1::a9fe:a9fe]/",
    "nat64-local-use-public": "https://[64:ff9b:1::808:808]/hooks",
    "ipv4-translated-metadata": "https://[::ffff:0:169.254.169.254]/",
    "ipv4-compatible-metadata": "https://[::169.254.169.254]/",
    "ipv4-compatible-loopback": "https://[::127.0.0.1]/hooks",
    "6to4-private": "https://[2002:a00:1::1]/hooks",
    "teredo-documentation-client": "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks",
    "name-resolving-to-nat64-metadata": "https://nat64.customer.example/hooks",
}
ALWAYS_REFUSED = [
    "link-local",
    "metadata",
    "ipv6-link-local",
    "unspecified",
    "nat64-metadata",
    "nat64-local-use-metadata",
    "ipv4-translated-metadata",
    "ipv4-compatible-metadata",
    "name-resolving-to-nat64-metadata",
]


@pytest.fixture(autouse=True)
def private_targets_refused(settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "internal.customer.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]
        if host == "nat64.customer.example":  # what a DNS64 resolver answers for a metadata name
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::a9fe:a9fe", 443, 0, 0))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("url", REFUSED_URLS.values(), ids=REFUSED_URLS.keys())
def test_create_refuses(api_client, url):
    response = api_client.post("/v1/outgoing-webhooks", {"url": url, "events": ["message.received"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["details"]) == ["url"]


@pytest.mark.parametrize("url", REFUSED_URLS.values(), ids=REFUSED_URLS.keys())
def test_delivery_refuses_and_retries(url, django_capture_on_commit_callbacks):
    # A row stored before the policy (or the deployment setting) changed: checked again at delivery.
    webhook = OutgoingWebhookFactory(url=url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhook_test(webhook=webhook)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING  # a failed attempt, retried like any other
    attempt = delivery.attempt_log.get()
    assert attempt.error.startswith("URL refused:")
    assert attempt.status_code is None


@pytest.mark.parametrize("name", ALWAYS_REFUSED)
def test_link_local_and_metadata_are_refused_even_where_private_targets_are_allowed(
    api_client, settings, name, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    url = REFUSED_URLS[name]
    response = api_client.post("/v1/outgoing-webhooks", {"url": url, "events": ["message.received"]}, format="json")
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhook_test(webhook=OutgoingWebhookFactory(url=url))
    assert delivery.attempt_log.get().error.startswith("URL refused:")


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.com/x", "ftp://hooks.example.com/x", "https://user:pw@hooks.example.com/x", "not a url"],
)
def test_create_refuses_bad_schemes_and_credentials(api_client, url):
    response = api_client.post("/v1/outgoing-webhooks", {"url": url, "events": ["message.received"]}, format="json")
    assert response.status_code == 400
    assert "url" in response.json()["error"]["details"]


def test_name_that_does_not_resolve_is_accepted_at_create_and_a_failed_attempt_at_delivery(
    api_client, django_capture_on_commit_callbacks
):
    url = "https://not-live-yet.invalid/hooks"
    response = api_client.post("/v1/outgoing-webhooks", {"url": url, "events": ["message.received"]}, format="json")
    assert response.status_code == 201
    from webhooks.models import OutgoingWebhook

    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhook_test(webhook=OutgoingWebhook.objects.get(pk=response.json()["data"]["id"]))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert "does not resolve" in delivery.last_error


@pytest.mark.parametrize("url", ["https://[64:ff9b::8.8.8.8]/hooks", "https://[2606:4700::1111]/hooks"])
def test_public_addresses_behind_nat64_and_plain_ipv6_are_accepted(api_client, url):
    response = api_client.post("/v1/outgoing-webhooks", {"url": url, "events": ["message.received"]}, format="json")
    assert response.status_code == 201, response.json()


def test_link_webhook_url_and_webhook_patch_refuse_an_embedded_metadata_address(api_client):
    from webhooks.models import OutgoingWebhook

    url = "https://[64:ff9b::169.254.169.254]/"
    link = api_client.post(
        "/v1/onboarding-links",
        {"name": "Acme", "webhookUrl": url, "webhookEvents": ["message.received"]},
        format="json",
    )
    assert link.status_code == 400
    assert list(link.json()["error"]["details"]) == ["webhookUrl"]
    created = api_client.post(
        "/v1/outgoing-webhooks", {"url": "https://hooks.example.com/x", "events": ["message.received"]}, format="json"
    )
    webhook_id = created.json()["data"]["id"]
    patched = api_client.patch(f"/v1/outgoing-webhooks/{webhook_id}", {"url": url}, format="json")
    assert patched.status_code == 400
    assert list(patched.json()["error"]["details"]) == ["url"]
    assert OutgoingWebhook.objects.get(pk=webhook_id).url == "https://hooks.example.com/x"
