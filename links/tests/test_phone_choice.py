"""Number picking over HTTP: with several numbers in reach and none named, the completion waits
for the end-user's pick (links.phone_choice, links.hosted_phone)."""

import json

import pytest
from django.test import Client

from links.models import OnboardingLink, SignupAttempt
from links.tests.factories import OnboardingLinkFactory
from phones.models import Phone
from sandbox.dialog import sandbox_dialog_complete
from sandbox.models import SandboxPhone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def waiting(sandbox_graph, browser_for):
    """A link whose signup sent only the code (no session event) for a WABA with three numbers."""
    link = OnboardingLinkFactory(redirect_url=None)
    browser = browser_for(str(link.id))
    session = sandbox_dialog_complete("success", "FINISH", phones=3)
    assert browser.callback({"code": session["code"]}).status_code == 202
    return browser, link, session


def pick(browser, body, **headers):
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return browser.client.post(
        f"/signup/{browser.link_id}/phone-numbers",
        raw,
        content_type=headers.pop("content_type", "application/json"),
        HTTP_X_CSRFTOKEN=browser.csrf,
        **headers,
    )


def test_several_numbers_and_none_named_wait_for_the_end_users_pick(waiting):
    browser, link, session = waiting
    assert browser.status() == {
        "status": "processing",
        "redirectTo": None,
        "error": None,
        "choosePhone": True,
        "enterPin": False,
        "pinRejected": False,
    }
    attempt = SignupAttempt.objects.get(link=link)
    assert attempt.status == "awaiting_phone" and attempt.steps[-1]["step"] == "choose_phone"
    assert not Phone.objects.exists()  # nothing registered or re-pointed while nobody chose

    listed = browser.client.get(f"/signup/{link.id}/phone-numbers").json()["data"]
    phones = list(SandboxPhone.objects.filter(waba_id=session["data"]["waba_id"]).order_by("created_at", "id"))
    assert listed == [
        {"id": p.id, "displayPhoneNumber": p.display_phone_number, "verifiedName": p.verified_name} for p in phones
    ]

    answer = pick(browser, {"phoneNumberId": phones[2].id})
    assert answer.status_code == 202 and answer.json() == {"status": "processing"}
    link.refresh_from_db()
    assert link.status == OnboardingLink.Status.COMPLETED
    assert link.phone.meta_phone_number_id == phones[2].id
    registered = SandboxPhone.objects.filter(pk__in=[p.id for p in phones], registered=True)
    assert list(registered.values_list("id", flat=True)) == [phones[2].id]
    assert browser.status()["choosePhone"] is False


def test_a_number_that_was_not_offered_is_refused_and_changes_nothing(waiting):
    browser, link, _session = waiting
    other = sandbox_dialog_complete("success", "FINISH")["data"]["phone_number_id"]
    answer = pick(browser, {"phoneNumberId": other})
    assert answer.status_code == 400
    assert answer.json()["error"]["details"] == {"phoneNumberId": ["Pick one of the offered numbers."]}
    assert SignupAttempt.objects.get(link=link).status == "awaiting_phone"


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ("{not json", {}, 400, "validation_error"),
        ('{"phoneNumberId": "1", "phoneNumberId": "2"}', {}, 400, "validation_error"),
        ({"phoneNumberId": "12ab"}, {}, 400, "validation_error"),
        ({"phoneNumberId": "1", "extra": 1}, {}, 400, "validation_error"),
        ([], {}, 400, "validation_error"),
        ({"phoneNumberId": "1" * 2000}, {}, 413, "payload_too_large"),
        ("phoneNumberId=1", {"content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ],
)
def test_bad_picks_get_the_error_envelope_and_change_nothing(waiting, body, headers, status, code):
    browser, link, _session = waiting
    answer = pick(browser, body, **headers)
    assert answer.status_code == status, answer.content
    assert answer.json()["error"]["code"] == code
    assert SignupAttempt.objects.get(link=link).status == "awaiting_phone"


def test_a_pick_without_the_csrf_token_is_refused(waiting):
    browser, link, session = waiting
    answer = browser.client.post(
        f"/signup/{link.id}/phone-numbers",
        json.dumps({"phoneNumberId": session["data"]["phone_number_id"]}),
        content_type="application/json",
    )
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "csrf_failed"
    assert SignupAttempt.objects.get(link=link).status == "awaiting_phone"


def test_the_picker_answers_409_when_nothing_waits_and_404_for_an_unknown_link(browser_for):
    link = OnboardingLinkFactory()
    browser = browser_for(str(link.id))
    listed = browser.client.get(f"/signup/{link.id}/phone-numbers")
    assert listed.status_code == 409 and listed.json()["error"]["code"] == "no_phone_choice"
    assert pick(browser, {"phoneNumberId": "123"}).status_code == 409
    unknown = browser.client.get("/signup/00000000-0000-4000-8000-000000000000/phone-numbers")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


def test_one_number_in_reach_is_used_without_asking(sandbox_graph, browser_for):
    link = OnboardingLinkFactory(redirect_url=None)
    browser = browser_for(str(link.id))
    session = sandbox_dialog_complete("success", "FINISH_ONLY_WABA")
    assert browser.callback({"code": session["code"], "event": "FINISH_ONLY_WABA"}).status_code == 202
    link.refresh_from_db()
    assert link.status == OnboardingLink.Status.COMPLETED
    assert link.phone.meta_phone_number_id == SandboxPhone.objects.get(waba_id=session["data"]["waba_id"]).id


def test_the_number_picker_is_limited_per_client_and_answers_a_wrong_method_in_json(settings):
    settings.SIGNUP_CLIENT_RATE_LIMIT = "3/hour"
    link = OnboardingLinkFactory()
    client = Client()
    wrong = client.delete(f"/signup/{link.id}/phone-numbers", REMOTE_ADDR="203.0.113.9")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
    answers = [client.get(f"/signup/{link.id}/phone-numbers", REMOTE_ADDR="203.0.113.9") for _ in range(4)]
    assert answers[-1].status_code == 429 and answers[-1].json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in answers[-1]
