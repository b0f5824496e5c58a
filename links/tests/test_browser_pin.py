"""The number's two-step verification PIN in headless Chromium: the production signup.js, the
sandbox's fake SDK and its popup on a second origin (links.pin_step, links.hosted_pin)."""

import json
from collections.abc import Iterator

import pytest

from links.tests.chromium import Tab
from links.tests.signup_browser import choose, chromium, click_outcome, open_popup  # noqa: F401
from links.tests.test_browser import MY_APP_PAGE, api_link, create_link, page_url, redirect_params
from links.tests.test_pin_step import WRONG_PIN, register_calls, same_number_again
from phones.models import Phone
from sandbox.constants import EXISTING_TWO_STEP_PIN
from sandbox.models import SandboxPhone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(chromium, sandbox_graph) -> Iterator[Tab]:  # noqa: F811
    tab = chromium.new_tab(fake_sites={"https://myapp.example/**": MY_APP_PAGE})
    yield tab
    tab.close()


def test_onboarding_the_same_number_twice_ends_registered_with_the_right_pin(live_server, tab, api_client, receiver):
    first = create_link(api_client, receiver)

    def onboard(url, callback_body=None):
        def flow(page):
            if callback_body is not None:
                # Meta's dialog for a number the business onboarded before: the same WABA and number.
                page.route("**/callback", lambda route: route.continue_(post_data=json.dumps(callback_body)))
            popup = open_popup(page, url)
            with page.expect_navigation(url="https://myapp.example/**"):
                click_outcome(popup, "success")
            return page.url

        return tab.do(flow)

    assert redirect_params(onboard(page_url(live_server, first)))[2] == ("status", "success")
    phone = Phone.objects.get()
    pin = phone.pin
    sandbox_phone = SandboxPhone.objects.get(pk=phone.meta_phone_number_id)
    assert len(pin) == 6 and pin == sandbox_phone.pin

    second = create_link(api_client, receiver)
    session = same_number_again(sandbox_phone)
    body = {"code": session["code"], "event": "FINISH", "wabaId": sandbox_phone.waba_id}
    body.update(phoneNumberId=sandbox_phone.id, businessId=sandbox_phone.waba.business_id)
    assert redirect_params(onboard(page_url(live_server, second), body))[2] == ("status", "success")

    data = api_link(api_client, second["id"])
    assert data["status"] == "completed" and data["isPhoneRegistered"] is True
    again = Phone.objects.get()  # the same phone, no duplicate
    assert str(again.id) == data["phoneNumberId"] == str(phone.id)
    assert again.is_registered and again.pin == pin == SandboxPhone.objects.get(pk=sandbox_phone.pk).pin
    assert register_calls() == 2
    assert tab.problems() == []


def test_a_number_with_an_existing_pin_asks_for_it_refuses_a_wrong_one_and_stores_the_right_one(
    live_server, tab, api_client, receiver
):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        choose(popup, scenario="sandbox_existing_pin")
        click_outcome(popup, "success")
        page.locator("[data-for=enter-pin]").wait_for(state="visible")
        seen = {"notice_first": page.inner_text("#pin-notice"), "input_type": page.get_attribute("#pin-input", "type")}
        page.fill("#pin-input", WRONG_PIN)
        with page.expect_response("**/pin") as answer:
            page.locator("#use-pin").click()
        seen["wrong_status"] = answer.value.status
        page.locator("#pin-notice").filter(has_text="not the number's two-step verification PIN").wait_for()
        seen["visible_after_wrong"] = page.locator("[data-for=enter-pin]").is_visible()
        seen["input_after_wrong"] = page.input_value("#pin-input")
        page.fill("#pin-input", EXISTING_TWO_STEP_PIN)
        with page.expect_navigation(url="https://myapp.example/**"):
            page.locator("#use-pin").click()
        seen["final_url"] = page.url
        return seen

    seen = tab.do(flow)
    assert seen["notice_first"] == "" and seen["input_type"] == "password"
    assert seen["wrong_status"] == 202 and seen["visible_after_wrong"] and seen["input_after_wrong"] == ""
    assert redirect_params(seen["final_url"])[2] == ("status", "success")
    data = api_link(api_client, link["id"])
    assert data["status"] == "completed" and data["isPhoneRegistered"] is True
    phone = Phone.objects.get()
    assert phone.pin == EXISTING_TWO_STEP_PIN and phone.is_registered  # decrypted from the stored column
    assert register_calls() == 3
    assert WRONG_PIN not in seen["final_url"] and EXISTING_TWO_STEP_PIN not in seen["final_url"]
    assert tab.problems() == []


def test_the_pin_step_is_translated(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link) + "?lang=es"

    def flow(page):
        popup = open_popup(page, url)
        choose(popup, scenario="sandbox_existing_pin")
        click_outcome(popup, "success")
        page.locator("[data-for=enter-pin]").wait_for(state="visible")
        heading = page.inner_text("#enter-pin-title")
        page.fill("#pin-input", WRONG_PIN)
        page.locator("#use-pin").click()
        page.locator("#pin-notice").filter(has_text="PIN").wait_for()
        return heading, page.inner_text("#pin-notice")

    heading, notice = tab.do(flow)
    assert heading == "Introduce el PIN de verificación en dos pasos de tu número"
    assert notice.startswith("Ese PIN no es el PIN de verificación en dos pasos")
