import json
import logging

import pytest
from django.test import override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]

URL = "/v1/_test/keys"


def error_of(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_validation_error_names_each_field(api_client):
    error = error_of(
        api_client.post(URL, {"name": "x" * 21, "tags": ["ok", "toolong"]}, format="json"), 400, "validation_error"
    )
    assert set(error["details"]) == {"name", "tags.1"}
    assert all(isinstance(messages, list) and messages for messages in error["details"].values())


def test_missing_required_field_is_named(api_client):
    error = error_of(api_client.post(URL, {}, format="json"), 400, "validation_error")
    assert "name" in error["details"]


def test_unknown_body_field_is_rejected_by_name(api_client):
    error = error_of(api_client.post(URL, {"name": "ok", "redirectURL": "x"}, format="json"), 400, "validation_error")
    assert error["details"] == {"redirectURL": ["Unknown field."]}


def test_invalid_json_is_400(api_client):
    error = error_of(api_client.post(URL, "{not json", content_type="application/json"), 400, "validation_error")
    assert "body" in error["details"]


def test_json_that_is_not_an_object_is_400(api_client):
    error_of(api_client.post(URL, "[1, 2]", content_type="application/json"), 400, "validation_error")


def test_unknown_route_under_v1_is_json_404(api_client, anon_client):
    error_of(api_client.get("/v1/does-not-exist"), 404, "not_found")
    error_of(anon_client.post("/v1/nope/deeper", {}, format="json"), 404, "not_found")
    error_of(anon_client.get("/v1"), 404, "not_found")


def test_wrong_method_is_405(api_client):
    error_of(api_client.delete(URL), 405, "method_not_allowed")


def test_unsupported_media_type_is_415(api_client):
    error_of(
        api_client.post(URL, "name=x", content_type="application/x-www-form-urlencoded"), 415, "unsupported_media_type"
    )
    error_of(api_client.post(URL, "hello", content_type="text/plain"), 415, "unsupported_media_type")


@override_settings(API_MAX_BODY_BYTES=1000)
def test_body_over_the_limit_is_413(api_client):
    body = json.dumps({"name": "x" * 2000})
    error_of(api_client.post(URL, body, content_type="application/json"), 413, "payload_too_large")


@override_settings(API_RATE_LIMIT="3/minute")
def test_rate_limit_answers_429_with_retry_after(api_client, other_api_client):
    for _ in range(3):
        assert api_client.get(URL).status_code == 200
    response = api_client.get(URL)
    error_of(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    # The limit is per key: another organization's key is unaffected.
    assert other_api_client.get(URL).status_code == 200


@override_settings(API_RATE_LIMIT="3/minute")
def test_the_rate_limit_is_not_applied_while_the_shared_cache_is_down(api_client, monkeypatch, caplog):
    from core.api import throttling

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(throttling, "cache", Down())
    for _ in range(5):  # over the limit: the API keeps answering rather than failing with 500
        assert api_client.get(URL).status_code == 200
    assert "Rate limit not applied" in caplog.text


def test_unexpected_exception_is_logged_and_answered_without_internals(api_client, caplog):
    with caplog.at_level(logging.ERROR):
        response = api_client.get("/v1/_test/boom")
    error = error_of(response, 500, "internal_error")
    assert "secret internals" not in response.content.decode()
    assert error["details"] == {}
    assert any("RuntimeError" in (record.exc_text or "") or record.exc_info for record in caplog.records)


def test_every_response_has_a_request_id(api_client):
    response = api_client.get(URL, HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-Id"] == "abc-123"
    assert len(api_client.get(URL)["X-Request-Id"]) == 32
