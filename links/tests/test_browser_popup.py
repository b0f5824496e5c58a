"""The live Embedded Signup path in headless Chromium: the production signup.js, the sandbox's fake
Facebook SDK and its popup on a second origin, with the production header set (issue 14)."""

import json
from collections.abc import Iterator

import pytest

from links.models import OnboardingLink, SignupAttempt
from links.tests.chromium import Tab
from links.tests.signup_browser import choose, chromium, click_outcome, open_popup, origin  # noqa: F401
from links.tests.test_browser import MY_APP_PAGE, api_link, create_link, page_url, redirect_params, state
from phones.models import Phone
from sandbox.models import SandboxCall, SandboxPhone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(chromium, sandbox_graph) -> Iterator[Tab]:  # noqa: F811
    tab = chromium.new_tab(fake_sites={"https://myapp.example/**": MY_APP_PAGE})
    yield tab
    tab.close()


def test_fb_login_opens_a_real_popup_on_another_origin_and_completes(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        seen = {
            "page_origin": page.evaluate("location.origin"),
            "popup_origin": popup.evaluate("location.origin"),
            "has_opener": popup.evaluate("window.opener !== null"),
            "in_page_dialog": page.locator("dialog").count(),
        }
        with page.expect_request("**/callback") as callback, page.expect_navigation(url="https://myapp.example/**"):
            click_outcome(popup, "success")
        seen["callback"] = json.loads(callback.value.post_data)
        seen["final_url"] = page.url
        return seen

    seen = tab.do(flow)
    assert seen["page_origin"] == origin(live_server.url)
    assert seen["popup_origin"] != seen["page_origin"] and seen["has_opener"] is True
    assert seen["in_page_dialog"] == 0
    body = seen["callback"]
    assert body["code"] and body["event"] == "FINISH" and body["phoneNumberId"].isdigit()
    assert redirect_params(seen["final_url"])[2] == ("status", "success")
    assert api_link(api_client, link["id"])["status"] == "completed"
    assert tab.problems() == []


@pytest.mark.parametrize(("policy", "connected"), [("same-origin", False), ("same-origin-allow-popups", True)])
def test_with_cross_origin_opener_policy_same_origin_the_popup_cannot_report_back(
    live_server, tab, api_client, receiver, policy, connected
):
    """The guard: Django's default COOP (same-origin) severs Meta's popup from the page; the
    production policy (same-origin-allow-popups) keeps it, with everything else equal."""
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def force_policy(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "cross-origin-opener-policy": policy})

    def flow(page):
        page.route(url, force_policy)
        # A page answered by the browser has no address space: it may load the loopback SDK only
        # when that is answered by the browser too (Chromium's Local Network Access rules).
        page.route("**/_sandbox/facebook/sdk.js", lambda route: route.fulfill(response=route.fetch()))
        page.goto(url)
        with page.context.expect_page() as popup_info:
            page.locator("#connect-whatsapp").click()
        popup = popup_info.value
        popup.locator("[data-sandbox-outcome=success]").wait_for()
        page.wait_for_timeout(600)  # the SDK looks at the window every 250 ms
        seen = {
            "has_opener": popup.evaluate("window.opener !== null"),
            "warning_shown": popup.locator("#sandbox-no-opener").is_visible(),
            "notice": page.inner_text("#pending-notice"),
            "button_enabled": page.locator("#connect-whatsapp").is_enabled(),
        }
        if not connected:
            popup.locator("[data-sandbox-outcome=success]").click()
            page.wait_for_timeout(500)
        seen["state"] = state(page)
        return seen

    seen = tab.do(flow)
    assert seen["has_opener"] is connected and seen["warning_shown"] is not connected
    assert seen["state"] == "pending"
    if connected:
        assert seen["notice"] == "" and seen["button_enabled"] is False  # waiting for the popup
    else:
        # The severed window looks closed to the SDK at once: FB.login calls back without a code.
        assert "closed or was blocked" in seen["notice"] and seen["button_enabled"] is True
    assert not SignupAttempt.objects.filter(link_id=link["id"]).exists()
    assert OnboardingLink.objects.get(pk=link["id"]).status == "pending"


def graph_calls() -> set[str]:
    """The kinds of Graph calls the service made to the sandbox ("POST register", ...)."""
    return set(SandboxCall.objects.values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("event", "registers", "overrides_webhook"),
    [
        ("FINISH", True, True),
        ("FINISH_ONLY_WABA", True, True),
        ("FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", False, True),  # the number stays on the app
        ("FINISH_OBO_MIGRATION", False, True),  # already registered with the previous partner
        ("FINISH_GRANT_ONLY_API_ACCESS", False, False),  # the business keeps its own integration
    ],
)
def test_each_finish_type_completes_as_meta_describes_it(
    live_server, tab, api_client, receiver, event, registers, overrides_webhook
):
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        choose(popup, event=event)
        with page.expect_request("**/callback") as callback:
            click_outcome(popup, "success")
        page.locator("[data-for=completed]").wait_for(state="visible")
        return json.loads(callback.value.post_data)

    body = tab.do(flow)
    assert body["event"] == event and body["code"] and body["wabaId"]
    data = api_link(api_client, link["id"])
    assert data["status"] == "completed" and data["isPhoneRegistered"] is True
    calls = graph_calls()
    assert ("POST register" in calls) is registers, calls
    phone = Phone.objects.get(pk=data["phoneNumberId"])
    assert phone.inbound_webhook_configured is overrides_webhook
    assert phone.is_on_biz_app is (event == "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")
    assert tab.problems() == []


@pytest.mark.parametrize("timing", ["before", "after", "never"])
def test_the_session_event_may_come_before_the_code_after_it_or_never(live_server, tab, api_client, receiver, timing):
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        choose(popup, session=timing)
        with page.expect_request("**/callback", timeout=8000) as callback:
            click_outcome(popup, "success")
        page.locator("[data-for=completed]").wait_for(state="visible")
        return json.loads(callback.value.post_data)

    body = tab.do(flow)
    if timing == "never":
        assert sorted(body) == ["code"]  # nothing guessed by the page: the server resolves the number
    else:
        assert body["event"] == "FINISH" and body["phoneNumberId"].isdigit()
    data = api_link(api_client, link["id"])
    assert data["status"] == "completed" and data["isPhoneRegistered"] is True
    if timing != "never":
        assert Phone.objects.get(pk=data["phoneNumberId"]).meta_phone_number_id == body["phoneNumberId"]
    assert tab.problems() == []


@pytest.mark.parametrize(("event", "timing"), [("FINISH", "never"), ("FINISH_ONLY_WABA", "before")])
def test_with_several_numbers_and_none_named_the_end_user_picks_one(
    live_server, tab, api_client, receiver, event, timing
):
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        choose(popup, event=event, session=timing, phones=3)
        click_outcome(popup, "success")
        page.locator("[data-for=choose-phone]").wait_for(state="visible")
        options = page.locator("#phone-choices label")
        seen = {
            "choices": [options.nth(i).inner_text() for i in range(options.count())],
            "button_before": page.locator("#use-phone").is_enabled(),
        }
        page.locator("#phone-choices label").nth(2).click()
        seen["picked"] = page.locator("#phone-choices input").nth(2).get_attribute("value")
        with page.expect_response("**/phone-numbers") as answer:
            page.locator("#use-phone").click()
        seen["pick_status"] = answer.value.status
        page.locator("[data-for=completed]").wait_for(state="visible")
        return seen

    seen = tab.do(flow)
    assert len(seen["choices"]) == 3 and seen["button_before"] is False
    names = [SandboxPhone.objects.get(id=phone_id).verified_name for phone_id in [seen["picked"]]]
    assert any(names[0] in choice for choice in seen["choices"])
    assert all("+1 555-0" in choice for choice in seen["choices"])
    assert seen["pick_status"] == 202
    data = api_link(api_client, link["id"])
    assert data["status"] == "completed"
    # The number the end-user picked (the third), not the WABA's first one.
    assert Phone.objects.get(pk=data["phoneNumberId"]).meta_phone_number_id == seen["picked"]
    assert SandboxPhone.objects.get(id=seen["picked"]).registered is True
    assert SandboxPhone.objects.filter(waba__phones__id=seen["picked"]).count() == 3  # one WABA, three numbers
    assert SandboxPhone.objects.filter(registered=True).count() == 1  # only the picked one was registered
    assert tab.problems() == []


def test_cancel_at_a_step_and_an_error_keep_metas_details_for_support(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        choose(popup, step="PHONE_NUMBER_VERIFICATION")
        with page.expect_response("**/callback"):
            click_outcome(popup, "cancel")
        page.locator("#pending-notice").filter(has_text="cancelled").wait_for()
        with page.expect_request("**/callback") as callback:
            click_outcome(open_popup(page), "error")
        page.locator("[data-for=error]").wait_for(state="visible")
        return json.loads(callback.value.post_data)

    error_body = tab.do(flow)
    assert error_body["errorCode"] == "524126" and error_body["sessionId"]
    cancelled, failed = SignupAttempt.objects.filter(link_id=link["id"]).order_by("created_at")
    assert cancelled.steps[0]["detail"] == "cancelled at PHONE_NUMBER_VERIFICATION"
    assert failed.error_code == 524126
    assert f"Meta session id {error_body['sessionId']}" in failed.steps[0]["detail"]
    assert api_link(api_client, link["id"])["status"] == "error"


def test_with_both_flows_allowed_the_page_asks_and_launches_coexistence_with_metas_feature_type(
    live_server, tab, api_client, receiver
):
    link = create_link(api_client, receiver, redirectUrl=None, allowedFlows=["cloud_api", "whatsapp_business_app"])
    url = page_url(live_server, link)

    def flow(page):
        page.goto(url)
        page.locator("#connect-whatsapp").click()  # no answer yet: no popup, a short question
        seen = {"notice": page.inner_text("#pending-notice"), "pages": len(page.context.pages)}
        page.get_by_label("A number I already use on the WhatsApp Business app").check()
        popup = open_popup(page)
        seen["popup_url"] = popup.url
        seen["request"] = popup.inner_text("#sandbox-request")
        seen["default_event"] = popup.input_value("#sandbox-event")
        choose(popup, session="never")  # the page still knows which flow it launched
        with page.expect_request("**/callback", timeout=8000) as callback:
            click_outcome(popup, "success")
        page.locator("[data-for=completed]").wait_for(state="visible")
        seen["callback"] = json.loads(callback.value.post_data)
        return seen

    seen = tab.do(flow)
    assert seen["notice"] == "Tell us first which kind of number you are connecting." and seen["pages"] == 1
    assert "feature_type=whatsapp_business_app_onboarding" in seen["popup_url"]
    assert "coexistence" in seen["request"] and seen["default_event"] == "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"
    assert sorted(seen["callback"]) == ["code", "event"]
    assert seen["callback"]["event"] == "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"
    data = api_link(api_client, link["id"])
    assert data["status"] == "completed"
    assert Phone.objects.get(pk=data["phoneNumberId"]).is_on_biz_app is True
    assert "POST register" not in graph_calls()
    assert tab.problems() == []


def test_a_wrong_fb_login_call_fails_loudly_without_a_popup(live_server, tab, api_client, receiver):
    """The fake SDK checks the call as Meta documents it, so a regression in signup.js shows here."""
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def flow(page):
        page.goto(url)
        page.evaluate("window.FB.login(function () {}, {config_id: '1', response_type: 'token', extras: {}})")
        page.wait_for_timeout(300)
        return len(page.context.pages)

    assert tab.do(flow) == 1
    assert [p for p in tab.problems() if "FB (sandbox SDK)" in p] == [
        'console.error: FB (sandbox SDK): response_type must be "code".'
    ]


# Records what the page hands Meta's SDK (live mode; the network is closed, the browser answers).
RECORDING_SDK = """
window.FB = {
  init: function (options) { window.__fbInit = options; },
  login: function (callback, options) { window.__fbLogin = options; window.__fbCallback = callback; },
};
window.fbAsyncInit();
"""


def test_live_mode_loads_metas_sdk_and_calls_fb_login_with_exactly_the_documented_options(
    live_server, tab, api_client, receiver, settings
):
    settings.META_SANDBOX = False
    settings.META_APP_ID = "1234567890"
    settings.META_CONFIG_ID = "987654321"
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def sdk(route):
        route.fulfill(
            status=200, content_type="text/javascript", body=RECORDING_SDK, headers={"access-control-allow-origin": "*"}
        )

    def flow(page):
        sdk_requests = []
        page.route(
            "https://connect.facebook.net/**", lambda route: (sdk_requests.append(route.request.url), sdk(route))
        )
        page.goto(url)
        page.locator("#connect-whatsapp").click()
        # A session event from any origin but Meta's is ignored by the page.
        page.evaluate(
            "window.postMessage(JSON.stringify({type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: {}}), '*')"
        )
        page.wait_for_timeout(300)
        return {
            "sdk": sdk_requests,
            "init": page.evaluate("window.__fbInit"),
            "login": page.evaluate("window.__fbLogin"),
            "state": state(page),
            "button_enabled": page.locator("#connect-whatsapp").is_enabled(),
        }

    seen = tab.do(flow)
    assert seen["sdk"] == ["https://connect.facebook.net/en_US/sdk.js"]
    assert seen["init"] == {"appId": "1234567890", "autoLogAppEvents": True, "xfbml": False, "version": "v25.0"}
    assert seen["login"] == {
        "config_id": "987654321",
        "response_type": "code",
        "override_default_response_type": True,
        "extras": {"setup": {}, "sessionInfoVersion": "3", "version": "v4"},
    }
    assert seen["state"] == "pending" and seen["button_enabled"] is False  # still waiting for Meta
    assert not SignupAttempt.objects.exists()
    assert tab.problems() == []
