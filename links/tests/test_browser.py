"""The hosted signup page in headless Chromium (issue 5): real clicks through the sandbox's
Embedded Signup popup, which the fake Facebook SDK opens on a second origin (issue 14).

The page is served by pytest-django's live server; the Graph client talks to the sandbox over
real HTTP (`sandbox_graph`); the customer's redirect target is answered by Playwright itself, so
no real network is needed. Screenshots of each state go to test-artifacts/screenshots/.
"""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from links.models import OnboardingLink
from links.tests.chromium import Tab
from links.tests.signup_browser import choose, chromium, click_outcome, dialog_ready, open_popup, origin  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REDIRECT_URL = "https://myapp.example/whatsapp/callback"
MY_APP_PAGE = "<!doctype html><title>My app</title><h1>Back in My App</h1>"
SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
XSS_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture
def tab(chromium, sandbox_graph) -> Iterator[Tab]:  # noqa: F811
    tab = chromium.new_tab(fake_sites={"https://myapp.example/**": MY_APP_PAGE})
    yield tab
    tab.close()


def create_link(api_client, receiver, **overrides) -> dict:
    body = {
        "name": "Acme Corp",
        "externalId": "customer-123",
        "metadata": {"customerId": "customer-123", "crmAccountId": "crm_789"},
        "redirectUrl": REDIRECT_URL,
        "webhookUrl": receiver.url("/webhooks/whatsapp"),
        "webhookEvents": ["phone_number.connected"],
        **overrides,
    }
    response = api_client.post("/v1/onboarding-links", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def api_link(api_client, link_id: str) -> dict:
    return api_client.get(f"/v1/onboarding-links/{link_id}").json()["data"]


def page_url(live_server, link: dict) -> str:
    url = f"{live_server.url}/signup/{link['id']}"
    assert link["hostedUrl"] == url
    return url


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def state(page) -> str:
    return page.get_attribute("#signup", "data-state")


def redirect_params(url: str) -> list[tuple[str, str]]:
    """The query of a URL on the customer's redirect target (asserting the target itself)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT_URL
    return parse_qsl(parts.query, keep_blank_values=True)


def test_success_redirects_with_exactly_the_documents_parameters(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link)

    def flow(page):
        held = []  # the callback is held until the processing state has been seen
        page.route("**/signup/*/callback", lambda route: held.append(route))
        page.goto(url)
        seen = {"name": page.inner_text("#link-name"), "requester": page.inner_text(".requester")}
        seen["start_state"] = state(page)
        shot(page, "01-pending")
        popup = open_popup(page)
        seen["popup_origin"] = popup.evaluate("location.origin")
        shot(popup, "02-sandbox-dialog")
        click_outcome(popup, "success")
        page.locator("[data-for=processing]").wait_for(state="visible")
        page.wait_for_timeout(50)  # let the spinner paint
        shot(page, "03-processing")
        seen["popup_closed"] = popup.is_closed()
        page.wait_for_timeout(50)
        assert len(held) == 1
        seen["callback_body"] = json.loads(held[0].request.post_data)
        seen["csrf_header"] = held[0].request.headers.get("x-csrftoken", "")
        with page.expect_navigation(url="https://myapp.example/**"):
            held[0].continue_()
        seen["final_url"] = page.url
        seen["final_heading"] = page.inner_text("h1")
        return seen

    seen = tab.do(flow)
    assert seen["name"] == "Acme Corp"
    assert "asks you to connect a WhatsApp Business number" in seen["requester"]
    assert seen["start_state"] == "pending"
    assert seen["popup_origin"] != origin(url)
    assert seen["popup_closed"] is True
    body = seen["callback_body"]
    assert body["code"] and body["event"] == "FINISH"
    assert body["wabaId"].isdigit() and body["phoneNumberId"].isdigit() and body["businessId"].isdigit()
    assert seen["csrf_header"]
    assert seen["final_heading"] == "Back in My App"
    assert redirect_params(seen["final_url"]) == [
        ("onboarding_link_id", link["id"]),
        ("external_id", "customer-123"),
        ("status", "success"),
    ]
    data = api_link(api_client, link["id"])
    assert data["status"] == "completed" and data["error"] is None
    assert data["phoneNumberId"] and data["isPhoneRegistered"] is True
    (delivery,) = receiver.wait_for(1)
    envelope = json.loads(delivery.body)
    assert envelope["event"] == "phone_number.connected"
    assert envelope["data"]["onboardingLinkId"] == link["id"]
    assert envelope["data"]["phoneNumberId"] == data["phoneNumberId"]
    assert tab.problems() == [] and tab.dialogs == []


def test_cancel_redirects_with_status_error_and_the_link_stays_pending(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        with page.expect_request("**/callback") as callback, page.expect_navigation(url="https://myapp.example/**"):
            click_outcome(popup, "cancel")
        return json.loads(callback.value.post_data), page.url

    body, final_url = tab.do(flow)
    assert body == {"cancelled": True, "currentStep": "PHONE_NUMBER_SETUP"}
    assert redirect_params(final_url) == [
        ("onboarding_link_id", link["id"]),
        ("external_id", "customer-123"),
        ("status", "error"),
        ("error", "Signup was cancelled."),
    ]
    assert api_link(api_client, link["id"])["status"] == "pending"
    assert receiver.received == []
    assert tab.problems() == []


def test_closing_the_popup_leaves_the_link_pending_and_the_button_usable(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link)

    def flow(page):
        callbacks = []
        page.on("request", lambda request: "/callback" in request.url and callbacks.append(request.post_data))
        popup = open_popup(page, url)
        popup.close()  # the end-user closes Facebook's window without finishing
        page.locator("#pending-notice").filter(has_text="closed").wait_for()
        return {
            "callbacks": callbacks,
            "state": state(page),
            "button_enabled": page.locator("#connect-whatsapp").is_enabled(),
            "notice": page.inner_text("#pending-notice"),
            "url": page.url,
        }

    seen = tab.do(flow)
    assert seen["callbacks"] == [] and seen["url"] == url  # nothing happened: no report, no redirect
    assert seen["state"] == "pending" and seen["button_enabled"]
    assert seen["notice"] == "The Facebook window closed or was blocked. Allow pop-ups and try again."
    assert api_link(api_client, link["id"])["status"] == "pending"
    assert tab.problems() == []


def test_a_blocked_popup_leaves_the_link_pending_and_the_button_usable(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link)

    def flow(page):
        page.add_init_script("window.open = function () { return null; };")  # what a popup blocker does
        page.goto(url)
        page.locator("#connect-whatsapp").click()
        page.locator("#pending-notice").filter(has_text="blocked").wait_for()
        return state(page), page.locator("#connect-whatsapp").is_enabled(), len(page.context.pages)

    assert tab.do(flow) == ("pending", True, 1)
    assert api_link(api_client, link["id"])["status"] == "pending"


def test_a_closed_launch_does_not_report_again_on_the_next_cancel(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def flow(page):
        callbacks = []
        page.on("request", lambda request: "/callback" in request.url and callbacks.append(request.post_data))
        open_popup(page, url).close()
        page.locator("#pending-notice").filter(has_text="closed").wait_for()
        popup = open_popup(page)
        choose(popup, step="WABA_PHONE_PROFILE_PICKER")
        with page.expect_response("**/callback"):
            click_outcome(popup, "cancel")
        page.locator("#pending-notice").filter(has_text="cancelled").wait_for()
        page.wait_for_timeout(600)  # room for a second, duplicate report
        return callbacks, page.inner_text("#pending-notice")

    callbacks, notice = tab.do(flow)
    assert [json.loads(body) for body in callbacks] == [{"cancelled": True, "currentStep": "WABA_PHONE_PROFILE_PICKER"}]
    assert notice == "Signup was cancelled. You can start again whenever you are ready."
    assert api_link(api_client, link["id"])["status"] == "pending"


def test_a_dialog_error_redirects_with_the_error_and_marks_the_link(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        with page.expect_navigation(url="https://myapp.example/**"):
            click_outcome(popup, "error")
        return page.url

    params = redirect_params(tab.do(flow))
    assert [key for key, _ in params] == ["onboarding_link_id", "external_id", "status", "error"]
    assert params[:3] == [("onboarding_link_id", link["id"]), ("external_id", "customer-123"), ("status", "error")]
    assert params[3][1] == "The signup dialog reported an error."  # never the dialog's own text
    data = api_link(api_client, link["id"])
    assert data["status"] == "error" and data["error"] == params[3][1]
    assert tab.problems() == []


def test_without_redirect_success_is_shown_inline(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def flow(page):
        click_outcome(open_popup(page, url), "success")
        page.locator("[data-for=completed]").wait_for(state="visible")
        shot(page, "04-completed")
        return {"url": page.url, "text": page.inner_text("[data-for=completed]"), "state": state(page)}

    seen = tab.do(flow)
    assert seen["url"] == url and seen["state"] == "completed"
    assert "Your WhatsApp number is connected" in seen["text"]
    assert api_link(api_client, link["id"])["status"] == "completed"
    assert tab.problems() == []


def test_without_redirect_an_exchange_error_shows_the_error_and_try_again_works(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def fail(page):
        popup = open_popup(page, url)
        choose(popup, scenario="sandbox_exchange_error")
        click_outcome(popup, "success")
        page.locator("[data-for=error]").wait_for(state="visible")
        shot(page, "05-error")
        return {
            "message": page.inner_text("#error-message"),
            "try_again": page.locator("#try-again").is_visible(),
            "label": page.inner_text("#try-again"),
        }

    seen = tab.do(fail)
    assert seen["try_again"] and seen["label"] == "Try again"
    data = api_link(api_client, link["id"])
    assert data["status"] == "error"
    assert seen["message"] == data["error"] and seen["message"]

    def retry(page):
        with page.expect_popup() as popup_info:
            page.locator("#try-again").click()
        popup = dialog_ready(popup_info.value)
        choose(popup, scenario="sandbox_success")
        click_outcome(popup, "success")
        page.locator("[data-for=completed]").wait_for(state="visible")
        return state(page)

    assert tab.do(retry) == "completed"
    assert api_link(api_client, link["id"])["status"] == "completed"
    assert tab.problems() == []


def test_the_only_waba_finish_variant_sends_only_the_waba(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver, redirectUrl=None)
    url = page_url(live_server, link)

    def flow(page):
        popup = open_popup(page, url)
        choose(popup, event="FINISH_ONLY_WABA")
        with page.expect_request("**/callback") as callback:
            click_outcome(popup, "success")
        page.locator("[data-for=completed]").wait_for(state="visible")
        return json.loads(callback.value.post_data)

    body = tab.do(flow)
    assert sorted(body) == ["code", "event", "wabaId"] and body["event"] == "FINISH_ONLY_WABA"
    data = api_link(api_client, link["id"])
    assert data["status"] == "completed" and data["phoneNumberId"]


def test_a_link_opened_while_processing_follows_the_status_to_the_redirect(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    OnboardingLink.objects.filter(pk=link["id"]).update(status=OnboardingLink.Status.PROCESSING)
    url = page_url(live_server, link)

    def open_page(page):
        page.goto(url)
        page.locator("[data-for=processing]").wait_for(state="visible")
        page.wait_for_timeout(1200)  # at least one poll answered "processing"
        return state(page)

    assert tab.do(open_page) == "processing"
    OnboardingLink.objects.filter(pk=link["id"]).update(status=OnboardingLink.Status.COMPLETED)

    def follow(page):
        page.wait_for_url("https://myapp.example/**")
        return page.url

    assert redirect_params(tab.do(follow)) == [
        ("onboarding_link_id", link["id"]),
        ("external_id", "customer-123"),
        ("status", "success"),
    ]
    assert tab.problems() == []


def test_the_dialog_fits_a_phone_screen(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver, name="Example Holdings International Limited, Northern Branch")
    url = page_url(live_server, link)

    def flow(page):
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(url)
        shot(page, "08-mobile-pending")
        popup = open_popup(page)
        popup.set_viewport_size({"width": 360, "height": 740})
        choose(popup, event="FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")
        shot(popup, "09-mobile-dialog")
        box = popup.locator("#sandbox-dialog").bounding_box()
        return box, popup.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")

    box, (scroll_width, inner_width) = tab.do(flow)
    assert scroll_width <= inner_width
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360


def test_an_expired_link_shows_the_expired_state(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    OnboardingLink.objects.filter(pk=link["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    url = page_url(live_server, link)

    def flow(page):
        response = page.goto(url)
        shot(page, "06-expired")
        return {
            "status": response.status,
            "state": state(page),
            "expired_visible": page.locator("[data-for=expired]").is_visible(),
            "button_visible": page.locator("#connect-whatsapp").is_visible(),
            "text": page.inner_text("[data-for=expired]"),
        }

    seen = tab.do(flow)
    assert seen["status"] == 200 and seen["state"] == "expired"
    assert seen["expired_visible"] and not seen["button_visible"]
    assert "This link has expired" in seen["text"]
    assert tab.problems() == []


def test_an_unknown_id_shows_the_not_found_page(live_server, tab):
    def flow(page):
        response = page.goto(f"{live_server.url}/signup/00000000-0000-4000-8000-000000000000")
        shot(page, "07-not-found")
        return {
            "status": response.status,
            "csp": response.headers.get("content-security-policy", ""),
            "heading": page.inner_text("h1"),
            "title": page.title(),
        }

    seen = tab.do(flow)
    assert seen["status"] == 404
    assert "frame-ancestors 'none'" in seen["csp"]
    assert seen["heading"] == "This link does not exist" and seen["title"] == "Link not found"


def test_a_name_with_html_is_shown_as_text(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver, name=XSS_NAME)
    url = page_url(live_server, link)

    def flow(page):
        page.goto(url)
        page.wait_for_timeout(200)  # give a broken image's onerror the time to fire
        return {
            "name": page.inner_text("#link-name"),
            "title": page.title(),
            "images": page.locator("img").count(),
        }

    seen = tab.do(flow)
    assert seen["name"] == XSS_NAME
    assert seen["title"] == f"Connect WhatsApp – {XSS_NAME}"
    assert seen["images"] == 0
    assert tab.dialogs == [] and tab.problems() == []


def test_the_page_sends_the_security_headers(live_server, tab, api_client, receiver):
    link = create_link(api_client, receiver)
    url = page_url(live_server, link)

    def flow(page):
        response = page.goto(url)
        return response.all_headers()

    headers = tab.do(flow)
    directives = {}
    for directive in headers["content-security-policy"].split(";"):
        name, *values = directive.split()
        directives[name] = values
    # Sandbox mode: the fake SDK's origin where live mode has connect.facebook.net (test_signup_live).
    assert directives["script-src"] == ["'self'", origin(url).replace("localhost", "127.0.0.1")]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)
    assert headers["referrer-policy"] == "strict-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin-allow-popups"
    assert headers["x-frame-options"] == "DENY"
    assert "no-store" in headers["cache-control"]
