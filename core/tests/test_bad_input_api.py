"""Bad input at the HTTP API (issue 13): refused once, in the error envelope, changing nothing."""

import pytest

from links.models import OnboardingLink

pytestmark = pytest.mark.django_db

LINKS = "/v1/onboarding-links"


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code
    return error


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_a_body_nested_deeper_than_the_bound_is_a_400_naming_the_depth(api_client, depth):
    body = '{"name": "Acme", "metadata": {"k": ' + "[" * depth + "]" * depth + "}}"
    error = error_of(api_client.post(LINKS, body, content_type="application/json"), 400, "validation_error")
    assert error["details"]["body"] == ["JSON parse error: nested deeper than 32 levels."]
    assert not OnboardingLink.objects.exists()


def test_a_duplicate_key_is_refused_not_collapsed(api_client):
    body = '{"name": "Acme", "metadata": {"customerId": "a", "customerId": "b"}}'
    error = error_of(api_client.post(LINKS, body, content_type="application/json"), 400, "validation_error")
    assert "customerId" in error["details"]["body"][0]
    top_level = '{"name": "Acme", "name": "Other"}'
    error_of(api_client.post(LINKS, top_level, content_type="application/json"), 400, "validation_error")
    assert not OnboardingLink.objects.exists()


LISTS = ["/v1/onboarding-links", "/v1/phones", "/v1/wabas", "/v1/outgoing-webhooks", "/v1/events"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page", ["9223372036854775807", "10000001", "99999999999999999999999", "+2", " 2", "2_0", "٢"])
def test_a_page_out_of_bounds_or_not_plain_digits_is_a_400(api_client, url, page):
    error = error_of(api_client.get(url, {"page": page}), 400, "validation_error")
    assert error["details"] == {"page": ["Must be an integer between 1 and 10000000."]}


@pytest.mark.parametrize("url", LISTS)
def test_the_last_allowed_page_past_the_end_is_an_empty_list(api_client, url):
    body = api_client.get(url, {"page": 10_000_000, "limit": 100}).json()
    assert body["data"] == [] and body["meta"]["page"] == 10_000_000


@pytest.mark.parametrize(
    ("url", "name"),
    [
        *((url, name) for url in LISTS for name in ("page", "limit")),
        ("/v1/onboarding-links", "status"),
        ("/v1/onboarding-links", "externalId"),
        ("/v1/phones", "wabaId"),
        ("/v1/phones", "externalId"),
        ("/v1/events", "since"),
        ("/v1/events", "type"),
    ],
)
def test_an_empty_query_parameter_is_a_400_not_ignored(api_client, url, name):
    error = error_of(api_client.get(f"{url}?{name}="), 400, "validation_error")
    assert error["details"] == {name: ["Must not be empty: leave the parameter out instead."]}


def test_a_host_not_allowed_is_a_json_400_under_v1_and_html_elsewhere(api_client, settings):
    settings.ALLOWED_HOSTS = ["api.example.com"]
    error = error_of(api_client.get(LINKS, HTTP_HOST="evil.example"), 400, "bad_request")
    assert "evil.example" not in error["message"]
    error_of(api_client.post(LINKS, {"name": "Acme"}, format="json", HTTP_HOST="evil.example"), 400, "bad_request")
    assert not OnboardingLink.objects.exists()
    assert api_client.get(LINKS, HTTP_HOST="api.example.com").status_code == 200
    hosted = api_client.get("/healthz", HTTP_HOST="evil.example")
    assert hosted.status_code == 400 and hosted["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Acme", "expiresInSeconds": "3000"}, "expiresInSeconds"),
        ({"name": "Acme", "expiresInSeconds": 3000.0}, "expiresInSeconds"),
        ({"name": "Acme", "expiresInSeconds": True}, "expiresInSeconds"),
        ({"name": 123}, "name"),
        ({"name": "Acme", "externalId": 7}, "externalId"),
    ],
)
def test_values_of_the_wrong_json_type_are_refused_not_converted(api_client, body, field):
    error = error_of(api_client.post(LINKS, body, format="json"), 400, "validation_error")
    assert list(error["details"]) == [field]
    assert not OnboardingLink.objects.exists()


def test_a_webhook_flag_must_be_a_json_boolean(api_client):
    body = {"url": "https://hooks.example.com/x", "events": ["message.received"], "isActive": "yes"}
    error = error_of(api_client.post("/v1/outgoing-webhooks", body, format="json"), 400, "validation_error")
    assert error["details"] == {"isActive": ["Must be true or false."]}


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/v1/phones", "page=1&page=2"),
        ("/v1/onboarding-links", "status=pending&status=error"),
        ("/v1/events", "limit=5&limit=6"),
    ],
)
def test_a_query_parameter_given_twice_is_a_400(api_client, url, query):
    name = query.split("=")[0]
    error = error_of(api_client.get(f"{url}?{query}"), 400, "validation_error")
    assert error["details"] == {name: ["Must be given once."]}
