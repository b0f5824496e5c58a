"""The hosted page and its JSON endpoints, without a browser: states, CSRF, validation, outcomes."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from links.models import OnboardingLink, SignupAttempt
from links.tests.factories import OnboardingLinkFactory, completed_link
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def page_of(link) -> str:
    response = Client().get(f"/signup/{link.id}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def browser(browser_for):
    def make(link):
        return browser_for(str(link.id))

    return make


def test_page_shows_the_link_name_escaped_and_the_connect_button():
    link = OnboardingLinkFactory(name='Acme <img src=x onerror="alert(1)">')
    html = page_of(link)
    assert "Acme &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<img src=x onerror="alert(1)">' not in html
    assert 'id="connect-whatsapp"' in html and 'data-state="pending"' in html


@pytest.mark.parametrize(
    ("make", "state"),
    [
        (lambda: OnboardingLinkFactory(), "pending"),
        (lambda: OnboardingLinkFactory(status=OnboardingLink.Status.PROCESSING), "processing"),
        (lambda: completed_link(), "completed"),
        (lambda: OnboardingLinkFactory(status=OnboardingLink.Status.ERROR, error="Meta refused"), "error"),
        (lambda: OnboardingLinkFactory(past_expiry=True), "expired"),
    ],
)
def test_each_status_has_its_page_state(make, state):
    assert f'data-state="{state}"' in page_of(make())


def test_unknown_and_malformed_ids_get_the_404_page():
    for path in ("/signup/550e8400-e29b-41d4-a716-446655440000", "/signup/not-a-uuid"):
        response = Client().get(path)
        assert response.status_code == 404
        assert "This link does not exist" in response.content.decode()


def test_page_security_headers():
    response = Client().get(f"/signup/{OnboardingLinkFactory().id}")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' https://connect.facebook.net" in csp
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_sandbox_mode_has_the_sandbox_dialog_and_live_mode_loads_only_metas_sdk(settings):
    link = OnboardingLinkFactory()
    html = page_of(link)
    assert 'data-sandbox-outcome="success"' in html and "connect.facebook.net" not in html
    settings.META_SANDBOX = False
    settings.META_APP_ID = "1234"
    live = page_of(link)
    assert "sandbox-dialog" not in live
    assert 'src="https://connect.facebook.net/en_US/sdk.js"' in live


def test_callback_without_csrf_token_is_refused_and_changes_nothing():
    link = OnboardingLinkFactory()
    client = Client(enforce_csrf_checks=True)
    client.get(f"/signup/{link.id}")
    response = client.post(f"/signup/{link.id}/callback", {"code": "sandbox_success"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    link.refresh_from_db()
    assert link.status == "pending" and not SignupAttempt.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"code": "x", "cancelled": True}, "body"),
        ({"code": "x", "wabaId": "12ab"}, "wabaId"),
        ({"code": "x", "event": "FINISH_SOMETHING"}, "event"),
        ({"code": "x", "pageIds": ["1", "x"]}, "pageIds.1"),
        ({"code": "x", "wabaID": "1"}, "wabaID"),
        ({"error": "x" * 501}, "error"),
    ],
)
def test_invalid_callbacks_are_400_naming_the_field(browser, body, field):
    link = OnboardingLinkFactory()
    response = browser(link).callback(body)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    link.refresh_from_db()
    assert link.status == "pending"


def test_callback_for_unknown_link_is_404(browser_for):
    link = OnboardingLinkFactory()
    b = browser_for(str(link.id))
    response = b.client.post(
        "/signup/550e8400-e29b-41d4-a716-446655440000/callback",
        {"code": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=b.csrf,
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_callback_for_expired_link_is_409(browser):
    link = OnboardingLinkFactory(past_expiry=True)
    response = browser(link).callback({"code": "sandbox_success"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "link_expired"


def test_callback_for_completed_link_is_409(browser):
    link = completed_link()
    response = browser(link).callback({"code": "sandbox_success"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "link_not_pending"


def test_cancel_keeps_the_link_pending_and_redirects_with_error(browser):
    link = OnboardingLinkFactory(external_id="customer-123")
    response = browser(link).callback({"cancelled": True, "currentStep": "PHONE_NUMBER_SETUP"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "pending" and body["error"] is None
    query = dict(parse_qsl(urlsplit(body["redirectTo"]).query))
    assert query == {
        "onboarding_link_id": str(link.id),
        "external_id": "customer-123",
        "status": "error",
        "error": "Signup was cancelled.",
    }
    link.refresh_from_db()
    assert link.status == "pending"
    assert SignupAttempt.objects.get(link=link).status == "cancelled"


def test_cancel_without_redirect_url_answers_inline(browser):
    link = OnboardingLinkFactory(redirect_url=None)
    body = browser(link).callback({"cancelled": True}).json()
    assert body == {"status": "pending", "redirectTo": None, "error": None}


def test_dialog_error_marks_the_link_error_and_publishes_failed(browser):
    link = OnboardingLinkFactory()
    body = browser(link).callback({"error": "Business can't onboard customers at the moment"}).json()
    assert body["status"] == "error"
    assert "Business can't onboard" in body["error"]
    assert dict(parse_qsl(urlsplit(body["redirectTo"]).query))["status"] == "error"
    link.refresh_from_db()
    assert link.status == "error"
    event = Event.objects.get(type="onboarding_link.failed")
    assert event.data["onboardingLinkId"] == str(link.id)


def test_status_endpoint_shapes(browser):
    pending = OnboardingLinkFactory()
    assert browser(pending).status() == {"status": "pending", "redirectTo": None, "error": None}
    failed = OnboardingLinkFactory(status=OnboardingLink.Status.ERROR, error="Meta refused", redirect_url=None)
    assert browser(failed).status() == {"status": "error", "redirectTo": None, "error": "Meta refused"}
    expired = OnboardingLinkFactory(past_expiry=True)
    assert browser(expired).status()["status"] == "expired"
    assert Client().get("/signup/550e8400-e29b-41d4-a716-446655440000/status").status_code == 404


def test_redirect_keeps_the_customers_own_query_and_omits_metadata(browser):
    link = completed_link(redirect_url="https://myapp.com/cb?tenant=7", metadata={"crm": "secret-ish"})
    redirect = browser(link).status()["redirectTo"]
    assert redirect.startswith("https://myapp.com/cb?tenant=7&onboarding_link_id=")
    assert "crm" not in redirect and "secret-ish" not in redirect
