"""The live Embedded Signup path in headless Chromium: the production signup.js, the sandbox's fake
Facebook SDK and its popup on a second origin, with the production header set (issue 14)."""

import json
from collections.abc import Iterator

import pytest

from links.models import OnboardingLink, SignupAttempt
from links.tests.chromium import Tab
from links.tests.signup_browser import choose, chromium, click_outcome, open_popup, origin  # noqa: F401
from links.tests.test_browser import MY_APP_PAGE, api_link, create_link, page_url, redirect_params, state

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
