"""The API's content negotiation answers exactly as DRF's, only faster for plain JSON requests."""

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api.negotiation import JsonContentNegotiation

ACCEPTS = [
    None,
    "",
    "*/*",
    "application/json",
    " application/json ",
    "application/json; indent=4",
    "application/*",
    "text/html, application/json;q=0.9, */*;q=0.8",
    "text/html",
    "application/xml",
    "image/png, text/plain",
]


def choose(negotiation, accept, query=""):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/v1/onboarding-links{query}", **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, [JSONRenderer()])
    except NotAcceptable:
        return "406"
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=xml"])
def test_every_accept_header_gets_what_drf_would_answer(accept, query):
    try:
        expected = choose(DefaultContentNegotiation(), accept, query)
    except Exception as exc:  # noqa: BLE001 - e.g. ?format=xml: whatever DRF raises, ours raises too
        with pytest.raises(type(exc)):
            choose(JsonContentNegotiation(), accept, query)
        return
    assert choose(JsonContentNegotiation(), accept, query) == expected


@pytest.mark.django_db
def test_an_unacceptable_accept_header_is_406_in_the_error_format(api_client):
    response = api_client.get("/v1/onboarding-links", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"
