import json

import pytest

from core.events import EVENT_TYPES
from links.models import OnboardingLink


@pytest.fixture
def schema(anon_client):
    response = anon_client.get("/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _ref(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


@pytest.mark.django_db
def test_schema_describes_the_create_request_and_response(schema):
    operation = schema["paths"]["/v1/onboarding-links"]["post"]
    request = _ref(schema, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    created = _ref(schema, operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"])
    link = _ref(schema, created["properties"]["data"]["$ref"])

    assert list(request["properties"]) == [
        "name",
        "externalId",
        "metadata",
        "redirectUrl",
        "webhookUrl",
        "webhookSecret",
        "webhookEvents",
        "expiresInSeconds",
        "allowedFlows",
        "refreshUrl",
    ]
    assert request["required"] == ["name"]
    flows = _ref(schema, request["properties"]["allowedFlows"]["items"]["$ref"])
    assert flows["enum"] == ["cloud_api", "whatsapp_business_app"]
    assert list(link["properties"])[-3:] == ["allowedFlows", "waitingFor", "refreshUrl"]
    waiting_for = link["properties"]["waitingFor"]
    assert waiting_for["readOnly"] and waiting_for["nullable"]
    assert _ref(schema, waiting_for["oneOf"][0]["$ref"])["enum"] == ["phone_choice", "pin"]
    assert _ref(schema, request["properties"]["webhookEvents"]["items"]["$ref"])["enum"] == list(EVENT_TYPES)
    assert list(link["properties"])[11:14] == ["webhookUrl", "webhookSecret", "webhookEvents"]
    assert {"400", "401", "409"} <= set(operation["responses"])


@pytest.mark.django_db
def test_schema_hides_the_secret_from_reads_and_pages_the_list(schema):
    detail = schema["paths"]["/v1/onboarding-links/{id}"]
    read = _ref(schema, detail["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"])
    link = _ref(schema, read["properties"]["data"]["$ref"])
    listing = schema["paths"]["/v1/onboarding-links"]["get"]
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]
    page = _ref(schema, page["$ref"]) if "$ref" in page else page

    assert "webhookSecret" not in link["properties"]
    assert _ref(schema, link["properties"]["status"]["$ref"])["enum"] == list(OnboardingLink.Status.values)
    assert set(page["properties"]) == {"data", "meta"}
    assert {p["name"] for p in listing["parameters"]} >= {"page", "limit", "status", "externalId"}
    assert set(detail["delete"]["responses"]) == {"204", "401", "404", "409", "429", "503"}
