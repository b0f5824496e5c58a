"""The number's two-step verification PIN over HTTP, against the sandbox's Graph API (which
answers Meta's documented `133005` envelope, see meta/tests/test_sandbox_graph.py): the stored PIN
on re-onboarding, the end-user's PIN when Meta refuses ours (links.pin_step, links.hosted_pin)."""

import json
import logging

import pytest

from links.models import OnboardingLink, SignupAttempt
from links.pin_step import BUDGET_SPENT, MAX_PIN_TRIES, REGISTER_BUDGET, TOO_MANY_TRIES
from links.tests.factories import OnboardingLinkFactory
from phones.models import Phone
from sandbox.constants import EXISTING_TWO_STEP_PIN
from sandbox.dialog import callback_body, sandbox_dialog_complete
from sandbox.models import SandboxCall, SandboxPhone
from sandbox.provisioning import issue_code

pytestmark = pytest.mark.django_db(transaction=True)
WRONG_PIN = "654321"


def send_pin(browser, body, **headers):
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return browser.client.post(
        f"/signup/{browser.link_id}/pin",
        raw,
        content_type=headers.pop("content_type", "application/json"),
        HTTP_X_CSRFTOKEN=headers.pop("csrf", browser.csrf),
        **headers,
    )


def register_calls() -> int:
    return sum(SandboxCall.objects.filter(kind="POST register").values_list("count", flat=True))


def onboard(browser_for, link, session):
    browser = browser_for(str(link.id))
    assert browser.callback(callback_body(session)).status_code == 202
    return browser


def same_number_again(sandbox_phone: SandboxPhone) -> dict:
    """What Meta's dialog hands the page when the end-user onboards the same number once more."""
    business = sandbox_phone.waba.business
    code = issue_code(scenario="sandbox_success", business=business)
    data = {"waba_id": sandbox_phone.waba_id, "phone_number_id": sandbox_phone.id, "business_id": business.id}
    return {"code": code.code, "type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "version": 3, "data": data}


@pytest.fixture
def waiting(sandbox_graph, browser_for):
    """A signup of a number that already has a two-step PIN: Meta refused our random one."""
    link = OnboardingLinkFactory(redirect_url=None)
    session = sandbox_dialog_complete("sandbox_existing_pin")
    return onboard(browser_for, link, session), link, session


def test_a_fresh_number_stores_the_pin_meta_accepted(sandbox_graph, browser_for):
    link = OnboardingLinkFactory(redirect_url=None)
    session = sandbox_dialog_complete("success")
    onboard(browser_for, link, session)
    phone = Phone.objects.get()
    sandbox_phone = SandboxPhone.objects.get(pk=session["data"]["phone_number_id"])
    assert phone.is_registered and sandbox_phone.registered
    assert phone.pin == sandbox_phone.pin and len(phone.pin) == 6


def test_re_onboarding_a_number_registers_with_the_stored_pin(sandbox_graph, browser_for):
    first = OnboardingLinkFactory(redirect_url=None)
    session = sandbox_dialog_complete("success")
    onboard(browser_for, first, session)
    pin = Phone.objects.get().pin
    sandbox_phone = SandboxPhone.objects.get(pk=session["data"]["phone_number_id"])

    second = OnboardingLinkFactory(organization=first.organization, redirect_url=None)
    onboard(browser_for, second, same_number_again(sandbox_phone))
    second.refresh_from_db()
    assert second.status == OnboardingLink.Status.COMPLETED and second.is_phone_registered is True
    phone = Phone.objects.get()  # the same phone, reconnected: no duplicate
    assert phone.is_registered and phone.pin == pin == SandboxPhone.objects.get(pk=sandbox_phone.pk).pin
    assert register_calls() == 2  # one each: the stored PIN is what Meta has


def test_a_number_with_an_existing_pin_asks_the_end_user_and_refuses_a_wrong_one(waiting, caplog):
    browser, link, session = waiting
    caplog.set_level(logging.DEBUG)
    status = browser.status()
    assert status["status"] == "processing" and status["enterPin"] is True and status["pinRejected"] is False
    attempt = SignupAttempt.objects.get(link=link)
    assert attempt.status == "awaiting_pin" and attempt.pin == ""
    assert not Phone.objects.exists()

    answer = send_pin(browser, {"pin": WRONG_PIN})
    assert answer.status_code == 202 and answer.json() == {"status": "processing"}
    assert browser.status()["enterPin"] is True and browser.status()["pinRejected"] is True
    attempt.refresh_from_db()
    assert attempt.status == "awaiting_pin" and attempt.pin == "" and WRONG_PIN not in json.dumps(attempt.state)

    assert send_pin(browser, {"pin": EXISTING_TWO_STEP_PIN}).status_code == 202
    link.refresh_from_db()
    assert link.status == OnboardingLink.Status.COMPLETED and link.is_phone_registered is True
    phone = Phone.objects.get()
    assert phone.pin == EXISTING_TWO_STEP_PIN and phone.is_registered
    assert SandboxPhone.objects.get(pk=session["data"]["phone_number_id"]).pin == EXISTING_TWO_STEP_PIN
    assert register_calls() == 3  # ours, the wrong one, the right one: never a retry of a refused PIN
    assert WRONG_PIN not in caplog.text and EXISTING_TWO_STEP_PIN not in caplog.text
    assert send_pin(browser, {"pin": EXISTING_TWO_STEP_PIN}).status_code == 409


def test_wrong_pins_stop_before_metas_registration_limit(waiting):
    browser, link, session = waiting
    for _ in range(MAX_PIN_TRIES):
        assert send_pin(browser, {"pin": WRONG_PIN}).status_code == 202
    link.refresh_from_db()
    assert link.status == OnboardingLink.Status.COMPLETED and link.is_phone_registered is False
    phone = Phone.objects.get()
    assert phone.pin == "" and phone.registration_error == TOO_MANY_TRIES
    assert register_calls() == 1 + MAX_PIN_TRIES  # well below Meta's 10 per 72 hours
    assert send_pin(browser, {"pin": EXISTING_TWO_STEP_PIN}).status_code == 409
    assert SandboxPhone.objects.get(pk=session["data"]["phone_number_id"]).registered is False


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ("{not json", {}, 400, "validation_error"),
        ('{"pin": "123456", "pin": "123456"}', {}, 400, "validation_error"),
        ({"pin": "12345"}, {}, 400, "validation_error"),
        ({"pin": "12a456"}, {}, 400, "validation_error"),
        ({"pin": 123456}, {}, 400, "validation_error"),
        ({"pin": "123456", "extra": 1}, {}, 400, "validation_error"),
        ([], {}, 400, "validation_error"),
        ({"pin": "1" * 400}, {}, 413, "payload_too_large"),
        ("pin=123456", {"content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ],
)
def test_bad_pin_input_is_refused_in_the_error_format_and_changes_nothing(waiting, body, headers, status, code):
    browser, link, _session = waiting
    calls = register_calls()
    answer = send_pin(browser, body, **headers)
    assert answer.status_code == status and answer.json()["error"]["code"] == code
    assert "123456" not in answer.content.decode()
    assert SignupAttempt.objects.get(link=link).status == "awaiting_pin" and register_calls() == calls


def test_the_pin_endpoint_needs_the_csrf_token_and_a_waiting_link(waiting, browser_for):
    browser, _link, _session = waiting
    assert send_pin(browser, {"pin": "123456"}, csrf="wrong").status_code == 403
    other = browser_for(str(OnboardingLinkFactory().id))
    answer = send_pin(other, {"pin": "123456"})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "no_pin_needed"
    assert browser.client.get(f"/signup/{browser.link_id}/pin").status_code == 405


def test_a_stored_pin_meta_refuses_is_kept_until_the_end_users_pin_is_accepted(sandbox_graph, browser_for):
    first = OnboardingLinkFactory(redirect_url=None)
    session = sandbox_dialog_complete("success")
    onboard(browser_for, first, session)
    old_pin = Phone.objects.get().pin
    sandbox_phone = SandboxPhone.objects.get(pk=session["data"]["phone_number_id"])
    SandboxPhone.objects.filter(pk=sandbox_phone.pk).update(pin="111111")  # reset in WhatsApp Manager

    second = OnboardingLinkFactory(organization=first.organization, redirect_url=None)
    browser = onboard(browser_for, second, same_number_again(sandbox_phone))
    assert browser.status()["enterPin"] is True
    assert Phone.objects.get().pin == old_pin  # not overwritten by a guess
    assert send_pin(browser, {"pin": "111111"}).status_code == 202
    second.refresh_from_db()
    assert second.is_phone_registered is True and Phone.objects.get().pin == "111111"


def test_no_registration_is_sent_once_the_number_spent_its_budget_of_metas_72_hour_limit(sandbox_graph, browser_for):
    first = OnboardingLinkFactory(redirect_url=None)
    session = sandbox_dialog_complete("success")
    onboard(browser_for, first, session)
    earlier = SignupAttempt.objects.get(link=first)
    earlier.state["register_requests"] = REGISTER_BUDGET  # e.g. several links' PIN tries this week
    earlier.save(update_fields=["state"])
    sandbox_phone = SandboxPhone.objects.get(pk=session["data"]["phone_number_id"])

    second = OnboardingLinkFactory(organization=first.organization, redirect_url=None)
    onboard(browser_for, second, same_number_again(sandbox_phone))
    second.refresh_from_db()
    assert second.status == OnboardingLink.Status.COMPLETED and second.is_phone_registered is False
    assert Phone.objects.get().registration_error == BUDGET_SPENT
    assert register_calls() == 1  # only the first onboarding's
