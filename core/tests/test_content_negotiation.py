"""DRF's own content negotiation: whatever the Accept header or ?format=, the API answers JSON,
and what it cannot serve is refused in the error envelope."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/v1/onboarding-links"


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*", "text/html, */*;q=0.8"])
def test_acceptable_headers_are_answered_with_json(api_client, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = api_client.get(URL, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["data"] == []


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "image/png, text/plain"])
def test_an_unacceptable_accept_header_is_406_in_the_error_envelope(api_client, accept):
    response = api_client.get(URL, HTTP_ACCEPT=accept)
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "not_acceptable"


def test_an_unknown_format_override_is_a_json_error_not_an_html_page(api_client):
    response = api_client.get(URL + "?format=xml")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"error"}


def test_unauthenticated_and_unacceptable_is_still_json(anon_client):
    response = anon_client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code in (401, 406)
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"error"}
