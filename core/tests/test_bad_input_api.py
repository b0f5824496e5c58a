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
