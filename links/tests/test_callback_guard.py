"""Issue 13 on the hosted page's JSON endpoints, through the test client over the real URLconf and
middleware: bounded and JSON-only callback bodies, every error in the API's envelope, one failure
event per attempt with our own message, and rate limits per link and per client address."""

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from links.hosted_guard import MAX_CALLBACK_BYTES
from links.models import OnboardingLink, SignupAttempt
from links.signup import DIALOG_ERROR_MESSAGE, MAX_REPORTED_ERROR_LENGTH
from links.tests.factories import OnboardingLinkFactory
from webhooks.models import Delivery, Event
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db

ATTACKER_TEXT = "Your number was banned. Call +1 555 0100 now: https://evil.example/?x=<script>"


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


def assert_unchanged(link: OnboardingLink) -> None:
    link.refresh_from_db()
    assert link.status == OnboardingLink.Status.PENDING and link.error is None
    assert not SignupAttempt.objects.filter(link=link).exists()
    # Opening the page (the Browser fixture does) publishes onboarding_link.opened; nothing else.
    assert not Event.objects.exclude(type="onboarding_link.opened").exists()


def raw_post(b, body: bytes | str, content_type: str = "application/json", **extra):
    return b.client.post(
        f"/signup/{b.link_id}/callback", body, content_type=content_type, HTTP_X_CSRFTOKEN=b.csrf, **extra
    )


# ---- Finding 4: deeply nested JSON -------------------------------------------------------------


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_a_deeply_nested_callback_body_is_a_json_400_and_changes_nothing(browser_for, opener):
    link = OnboardingLinkFactory()
    closer = "]" if opener == "[" else "}"
    depth = 10_000  # within the size cap, ten times deeper than Python's recursion limit
    response = raw_post(browser_for(str(link.id)), opener * depth + "1" + closer * depth)
    error = assert_envelope(response, 400, "validation_error")
    assert "nested deeper than" in error["details"]["body"][0]
    assert_unchanged(link)


def test_a_callback_naming_a_key_twice_is_refused(browser_for):
    link = OnboardingLinkFactory()
    response = raw_post(browser_for(str(link.id)), '{"error": "a", "error": "b"}')
    assert_envelope(response, 400, "validation_error")
    assert_unchanged(link)


# ---- Finding 9: every error in the envelope, JSON only, bounded ----------------------------------


@pytest.mark.parametrize("size", [MAX_CALLBACK_BYTES + 1, 300 * 1024])
def test_a_callback_body_over_the_limit_is_a_json_413(browser_for, size):
    link = OnboardingLinkFactory()
    body = json.dumps({"code": "x" * size})
    response = raw_post(browser_for(str(link.id)), body)
    assert "bytes" in assert_envelope(response, 413, "payload_too_large")["message"]
    assert_unchanged(link)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "code=" + "x" * (300 * 1024)),  # Django's form parser: HTML 400
        ("application/x-www-form-urlencoded", "code=sandbox_success"),
        ("text/plain", '{"code": "sandbox_success"}'),
        ("application/json-patch+json", '{"code": "sandbox_success"}'),
        (
            "multipart/form-data; boundary=xyz",
            '--xyz\r\nContent-Disposition: form-data; name="code"\r\n\r\nx\r\n--xyz--',
        ),
    ],
)
def test_the_callback_accepts_only_application_json(browser_for, content_type, body):
    link = OnboardingLinkFactory()
    response = raw_post(browser_for(str(link.id)), body, content_type=content_type)
    assert_envelope(response, 415, "unsupported_media_type")
    assert_unchanged(link)


def test_application_json_with_a_charset_is_accepted(browser_for):
    link = OnboardingLinkFactory()
    response = raw_post(
        browser_for(str(link.id)), '{"cancelled": true}', content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/signup/not-a-uuid/callback"),
        ("post", "/signup/not-a-uuid/callback/"),
        ("post", "/signup/550e8400-e29b-41d4-a716-446655440000/callback/"),
        ("get", "/signup/not-a-uuid/status"),
        ("get", "/signup/%0A/status"),
        ("get", "/signup/not-a-uuid/phone-numbers"),
        ("post", "/signup/not-a-uuid/phone-numbers/"),
        ("post", "/signup/not-a-uuid/pin"),
        ("post", "/signup/not-a-uuid/started"),
    ],
)
def test_malformed_link_ids_are_a_json_404(method, path):
    response = getattr(Client(enforce_csrf_checks=True), method)(path, content_type="application/json")
    assert_envelope(response, 404, "not_found")


def test_a_wrong_method_is_a_json_405():
    link = OnboardingLinkFactory()
    response = Client().get(f"/signup/{link.id}/callback")
    assert_envelope(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"
    response = Client().post(f"/signup/{link.id}/status")
    assert_envelope(response, 405, "method_not_allowed")


# ---- Finding 6: failure reports ------------------------------------------------------------------


def test_fifty_error_reports_give_one_failed_event_one_attempt_and_one_delivery(browser_for):
    link = OnboardingLinkFactory()
    OutgoingWebhookFactory(organization=link.organization)
    b = browser_for(str(link.id))
    answers = [b.callback({"error": f"{ATTACKER_TEXT} #{n}"}) for n in range(50)]
    assert {answer.status_code for answer in answers} == {200}
    assert {answer.json()["status"] for answer in answers} == {"error"}
    assert Event.objects.filter(type="onboarding_link.failed").count() == 1
    assert SignupAttempt.objects.filter(link=link).count() == 1
    assert Delivery.objects.filter(event__type="onboarding_link.failed").count() == 1
    link.refresh_from_db()
    assert link.error == DIALOG_ERROR_MESSAGE


def test_the_reported_text_reaches_neither_the_event_nor_the_redirect_only_the_attempt(browser_for):
    link = OnboardingLinkFactory(external_id="customer-9")
    body = browser_for(str(link.id)).callback({"error": ATTACKER_TEXT, "errorCode": "524126"}).json()
    query = dict(parse_qsl(urlsplit(body["redirectTo"]).query))
    assert query["status"] == "error" and query["error"] == DIALOG_ERROR_MESSAGE
    assert body["error"] == DIALOG_ERROR_MESSAGE
    event = Event.objects.get(type="onboarding_link.failed")
    assert event.data == {"onboardingLinkId": str(link.id), "externalId": "customer-9", "error": DIALOG_ERROR_MESSAGE}
    assert "evil" not in json.dumps(event.data) and "evil" not in body["redirectTo"]
    attempt = SignupAttempt.objects.get(link=link)
    assert attempt.error == ATTACKER_TEXT and attempt.error_code == 524126  # for operators (the admin)
    status = Client().get(f"/signup/{link.id}/status").json()
    assert status["error"] == DIALOG_ERROR_MESSAGE and "evil" not in status["redirectTo"]


def test_the_reported_text_is_length_capped_for_operators(browser_for):
    link = OnboardingLinkFactory()
    browser_for(str(link.id)).callback({"error": "e" * 500})
    assert SignupAttempt.objects.get(link=link).error == "e" * MAX_REPORTED_ERROR_LENGTH


def test_the_dialog_error_is_shown_in_the_page_language(browser_for):
    link = OnboardingLinkFactory()
    b = browser_for(str(link.id))
    b.callback({"error": ATTACKER_TEXT})
    assert (
        Client().get(f"/signup/{link.id}/status?lang=es").json()["error"]
        == "La ventana de registro informó de un error."
    )


def test_an_error_code_is_only_taken_with_an_error(browser_for):
    link = OnboardingLinkFactory()
    response = browser_for(str(link.id)).callback({"cancelled": True, "errorCode": "1"})
    assert "errorCode" in assert_envelope(response, 400, "validation_error")["details"]
    response = browser_for(str(link.id)).callback({"error": "x", "errorCode": "12345678901"})
    assert "errorCode" in assert_envelope(response, 400, "validation_error")["details"]


# ---- Finding 6: rate limits ----------------------------------------------------------------------


def test_callbacks_are_limited_per_link_whatever_the_address(browser_for, settings):
    settings.SIGNUP_CALLBACK_RATE_LIMIT = "3/hour"  # fixed windows: an hour is never crossed mid-test in practice
    link = OnboardingLinkFactory()
    b = browser_for(str(link.id))
    answers = [raw_post(b, '{"cancelled": true}', REMOTE_ADDR=f"198.51.100.{n}") for n in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_envelope(answers[3], 429, "rate_limited")
    assert 1 <= int(answers[3]["Retry-After"]) <= 3600
    assert SignupAttempt.objects.filter(link=link).count() == 3
    # Another link is not held up.
    other = OnboardingLinkFactory()
    assert browser_for(str(other.id)).callback({"cancelled": True}).status_code == 200


def test_hosted_endpoints_are_limited_per_client_address_across_links(settings):
    settings.SIGNUP_CLIENT_RATE_LIMIT = "5/hour"
    links = OnboardingLinkFactory.create_batch(6)
    client = Client()
    answers = [client.get(f"/signup/{link.id}/status", REMOTE_ADDR="203.0.113.7") for link in links]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert_envelope(answers[5], 429, "rate_limited")
    callback = client.post(
        f"/signup/{links[0].id}/callback",
        {"cancelled": True},
        content_type="application/json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert_envelope(callback, 429, "rate_limited")
    assert client.get(f"/signup/{links[0].id}/status", REMOTE_ADDR="203.0.113.8").status_code == 200


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw_not_what_the_client_claims(settings):
    settings.SIGNUP_CLIENT_RATE_LIMIT = "2/hour"
    settings.TRUSTED_PROXY_COUNT = 1
    link = OnboardingLinkFactory()
    client = Client()

    def status(forwarded: str):
        return client.get(f"/signup/{link.id}/status", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    # The client makes up a new left-hand entry each time: still one client (the proxy's entry).
    codes = [status(f"192.0.2.{n}, 203.0.113.7").status_code for n in range(3)]
    assert codes == [200, 200, 429]
    # Another client behind the same proxy (same REMOTE_ADDR) has its own window.
    assert status("203.0.113.9").status_code == 200
