"""The served OpenAPI schema states the rules validation applies (issue 13, finding 10)."""

import json

import pytest

pytestmark = pytest.mark.django_db

STRICT_BODIES = [
    ("/v1/onboarding-links", "post"),
    ("/v1/outgoing-webhooks", "post"),
    ("/v1/outgoing-webhooks/{id}", "patch"),
]
IDEMPOTENT = [
    ("/v1/onboarding-links", "post"),
    ("/v1/outgoing-webhooks", "post"),
    ("/v1/outgoing-webhooks/{id}/test", "post"),
    ("/v1/webhook-deliveries/{id}/retry", "post"),
]


@pytest.fixture
def schema(anon_client) -> dict:
    return json.loads(anon_client.get("/v1/openapi.json").content)


def body_schema(schema: dict, path: str, method: str) -> dict:
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


@pytest.mark.parametrize(("path", "method"), STRICT_BODIES)
def test_bodies_that_refuse_unknown_fields_say_additional_properties_false(schema, path, method):
    assert body_schema(schema, path, method)["additionalProperties"] is False


def test_urls_are_uris_of_bounded_length_and_events_are_never_empty(schema):
    link = body_schema(schema, "/v1/onboarding-links", "post")["properties"]
    webhook = body_schema(schema, "/v1/outgoing-webhooks", "post")["properties"]
    for url in (link["redirectUrl"], link["webhookUrl"], webhook["url"]):
        assert (url["type"], url["format"], url["maxLength"]) == ("string", "uri", 2048)
    assert webhook["events"]["minItems"] == 1 and link["webhookEvents"]["minItems"] == 1


@pytest.mark.parametrize(("path", "method"), IDEMPOTENT)
def test_every_idempotent_operation_documents_the_key_and_its_length(schema, path, method):
    (header,) = [p for p in schema["paths"][path][method]["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"}


@pytest.mark.parametrize("key", ["two words", "k" * 256, "clé"])
def test_a_key_outside_the_documented_form_is_a_400(api_client, key):
    response = api_client.post(
        "/v1/onboarding-links", {"name": "Acme"}, format="json", HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1")
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["Idempotency-Key"]
