"""Every create rule (docs/api.md, "Validation") is a 400 `validation_error` naming the field."""

import json

import pytest

from links.models import OnboardingLink
from links.tests.helpers import URL, minimal, post, with_webhook

HOOK = "https://myapp.com/webhooks/whatsapp"
EVENTS = ["message.received"]


def assert_invalid(response, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"], error["details"]
    assert all(isinstance(message, str) for message in error["details"][field])


INVALID = [
    # name: required, 1..200 characters
    pytest.param({}, "name", id="name-missing"),
    pytest.param({"name": ""}, "name", id="name-empty"),
    pytest.param({"name": "   "}, "name", id="name-blank"),
    pytest.param({"name": None}, "name", id="name-null"),
    pytest.param({"name": "x" * 201}, "name", id="name-201"),
    pytest.param({"name": ["Acme"]}, "name", id="name-not-string"),
    pytest.param({"name": "Acme\x00Corp"}, "name", id="name-nul"),
    # externalId: <= 255
    pytest.param(minimal(externalId="x" * 256), "externalId", id="externalId-256"),
    pytest.param(minimal(externalId={"id": 1}), "externalId", id="externalId-object"),
    # metadata: an object of <= 50 keys (1..40 chars) with flat values
    pytest.param(minimal(metadata=["a"]), "metadata", id="metadata-list"),
    pytest.param(minimal(metadata="customer-123"), "metadata", id="metadata-string"),
    pytest.param(minimal(metadata={f"k{i}": i for i in range(51)}), "metadata", id="metadata-51-keys"),
    pytest.param(minimal(metadata={"k" * 41: "v"}), "metadata", id="metadata-key-41"),
    pytest.param(minimal(metadata={"": "v"}), "metadata", id="metadata-key-empty"),
    pytest.param(minimal(metadata={"k": "v" * 501}), "metadata", id="metadata-value-501"),
    pytest.param(minimal(metadata={"k": {"nested": 1}}), "metadata", id="metadata-nested-object"),
    pytest.param(minimal(metadata={"k": [1, 2]}), "metadata", id="metadata-nested-array"),
    pytest.param(minimal(metadata={"k": "a\x00b"}), "metadata", id="metadata-value-nul"),
    pytest.param(minimal(metadata={"k\x00": "v"}), "metadata", id="metadata-key-nul"),
    # redirectUrl: absolute https (http only for loopback where allowed)
    pytest.param(minimal(redirectUrl="http://myapp.com/cb"), "redirectUrl", id="redirect-http"),
    pytest.param(minimal(redirectUrl="/whatsapp/callback"), "redirectUrl", id="redirect-relative"),
    pytest.param(minimal(redirectUrl="javascript:alert(1)"), "redirectUrl", id="redirect-javascript"),
    pytest.param(minimal(redirectUrl="ftp://myapp.com/x"), "redirectUrl", id="redirect-ftp"),
    pytest.param(minimal(redirectUrl=""), "redirectUrl", id="redirect-empty"),
    pytest.param(minimal(redirectUrl="https://user:pw@myapp.com/"), "redirectUrl", id="redirect-credentials"),
    pytest.param(minimal(redirectUrl="https://" + "a" * 2050 + ".com"), "redirectUrl", id="redirect-too-long"),
    # webhookUrl: https and the SSRF policy
    pytest.param(minimal(webhookUrl="http://myapp.com/hook", webhookEvents=EVENTS), "webhookUrl", id="hook-http"),
    pytest.param(minimal(webhookUrl="not a url", webhookEvents=EVENTS), "webhookUrl", id="hook-garbage"),
    pytest.param(
        minimal(webhookUrl="https://169.254.169.254/latest", webhookEvents=EVENTS), "webhookUrl", id="hook-metadata"
    ),
    pytest.param(minimal(webhookUrl="https://[fe80::1]/hook", webhookEvents=EVENTS), "webhookUrl", id="hook-ll6"),
    # webhookSecret: 16..256, and only with webhookUrl
    pytest.param(with_webhook(webhookSecret="x" * 15), "webhookSecret", id="secret-15"),
    pytest.param(with_webhook(webhookSecret="x" * 257), "webhookSecret", id="secret-257"),
    pytest.param(minimal(webhookSecret="whsec_my_secret_key_123"), "webhookSecret", id="secret-without-url"),
    # webhookEvents: non-empty list of known types, required with webhookUrl, only with webhookUrl
    pytest.param(minimal(webhookUrl=HOOK), "webhookEvents", id="events-missing-with-url"),
    pytest.param(minimal(webhookUrl=HOOK, webhookEvents=None), "webhookEvents", id="events-null-with-url"),
    pytest.param(minimal(webhookUrl=HOOK, webhookEvents=[]), "webhookEvents", id="events-empty"),
    pytest.param(minimal(webhookUrl=HOOK, webhookEvents=["message.bounced"]), "webhookEvents", id="events-unknown"),
    pytest.param(minimal(webhookUrl=HOOK, webhookEvents="message.sent"), "webhookEvents", id="events-string"),
    pytest.param(minimal(webhookUrl=HOOK, webhookEvents=[{"a": 1}]), "webhookEvents", id="events-object-item"),
    pytest.param(minimal(webhookEvents=EVENTS), "webhookEvents", id="events-without-url"),
    # expiresInSeconds: 300..2,592,000
    pytest.param(minimal(expiresInSeconds=299), "expiresInSeconds", id="expires-299"),
    pytest.param(minimal(expiresInSeconds=2_592_001), "expiresInSeconds", id="expires-too-long"),
    pytest.param(minimal(expiresInSeconds="soon"), "expiresInSeconds", id="expires-string"),
    pytest.param(minimal(expiresInSeconds=True), "expiresInSeconds", id="expires-bool"),
    # unknown fields are named
    pytest.param(minimal(redirectURL="https://myapp.com/cb"), "redirectURL", id="unknown-redirectURL"),
    pytest.param(minimal(status="completed"), "status", id="unknown-status"),
    pytest.param(minimal(hostedUrl="https://evil.example"), "hostedUrl", id="unknown-hostedUrl"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field"), INVALID)
def test_invalid_create_is_400_naming_the_field(api_client, body, field):
    assert_invalid(post(api_client, body), field)
    assert not OnboardingLink.objects.exists()


@pytest.mark.django_db
def test_private_webhook_targets_are_refused_where_the_deployment_does_not_allow_them(api_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    for url in ("https://10.0.0.5/hook", "https://127.0.0.1/hook", "https://0x7f000001/hook", "https://[::1]/hook"):
        assert_invalid(post(api_client, minimal(webhookUrl=url, webhookEvents=EVENTS)), "webhookUrl")


@pytest.mark.django_db
def test_a_name_resolving_to_loopback_is_refused(api_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    assert_invalid(post(api_client, minimal(webhookUrl="https://localhost/hook", webhookEvents=EVENTS)), "webhookUrl")


@pytest.mark.django_db
def test_loopback_http_is_accepted_only_where_allowed(api_client, settings):
    body = minimal(
        redirectUrl="http://127.0.0.1:3000/cb", webhookUrl="http://127.0.0.1:3000/hook", webhookEvents=EVENTS
    )
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert post(api_client, body).status_code == 201

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = post(api_client, body)
    assert_invalid(response, "redirectUrl")
    assert "webhookUrl" in response.json()["error"]["details"]


@pytest.mark.django_db
def test_a_webhook_host_that_does_not_resolve_yet_is_accepted(api_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    body = minimal(webhookUrl="https://hooks.not-live-yet.invalid/wa", webhookEvents=EVENTS)

    assert post(api_client, body).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(minimal(name="x" * 200), id="name-200"),
        pytest.param(minimal(name="x"), id="name-1"),
        pytest.param(minimal(externalId="x" * 255), id="externalId-255"),
        pytest.param(minimal(metadata={f"k{i}": i for i in range(50)}), id="metadata-50-keys"),
        pytest.param(with_webhook(webhookSecret="x" * 16), id="secret-16"),
        pytest.param(with_webhook(webhookSecret="x" * 256), id="secret-256"),
        pytest.param(minimal(webhookUrl=HOOK, webhookEvents=["webhook.test", "phone_number.connected"]), id="events"),
    ],
)
def test_boundary_values_are_accepted(api_client, body):
    assert post(api_client, body).status_code == 201


@pytest.mark.django_db
def test_every_problem_is_reported_at_once(api_client):
    response = post(api_client, {"name": "", "externalId": "x" * 256, "metadata": [], "redirectURL": "x"})

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"redirectURL"}
    response = post(api_client, {"name": "", "externalId": "x" * 256, "metadata": []})
    assert set(response.json()["error"]["details"]) == {"name", "externalId", "metadata"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"name": "Acme", "metadata": {"n": NaN}}', id="nan"),
        pytest.param('{"name": "Acme", "metadata": {"n": Infinity}}', id="infinity"),
        pytest.param('{"name": "Acme", "metadata": {"n": 1e400}}', id="overflowing-float"),
        pytest.param('{"name": "Acme", "metadata": {"s": "\\ud800"}}', id="lone-surrogate-value"),
        pytest.param('{"name": "Acme", "metadata": {"\\udfff": "v"}}', id="lone-surrogate-key"),
    ],
)
def test_json_the_database_cannot_store_is_a_400_not_a_500(api_client, raw):
    assert_invalid(api_client.post(URL, data=raw, content_type="application/json"), "metadata")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "status"),
    [
        pytest.param("{not json", 400, id="malformed"),
        pytest.param("[1, 2]", 400, id="array-body"),
        pytest.param('"Acme"', 400, id="string-body"),
    ],
)
def test_malformed_bodies_are_client_errors(api_client, raw, status):
    response = api_client.post(URL, data=raw, content_type="application/json")

    assert response.status_code == status
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db
def test_form_encoded_body_is_415(api_client):
    response = api_client.post(URL, data="name=Acme", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_surrogates_in_name_are_rejected(api_client):
    response = api_client.post(URL, data=json.dumps({"name": "\ud800"}), content_type="application/json")

    assert_invalid(response, "name")


@pytest.mark.django_db
def test_absurdly_deep_json_is_a_400(api_client):
    raw = '{"name": "Acme", "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = api_client.post(URL, data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db
def test_huge_numbers_in_metadata_round_trip(api_client):
    raw = '{"name": "Acme", "metadata": {"n": 1' + "0" * 1000 + "}}"

    data = api_client.post(URL, data=raw, content_type="application/json").json()["data"]

    assert data["metadata"] == {"n": 10**1000}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [({"externalId": "x" * 256}, "externalId"), ({"status": ["pending", "bogus"]}, "status")],
)
def test_bad_filters_are_400(api_client, params, field):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
