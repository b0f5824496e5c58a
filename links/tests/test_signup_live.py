"""The hosted page in live mode (a real Meta app) and in sandbox mode: one page, one script, the
same headers; only the SDK URL, the trusted message origins and the CSP's Meta origins differ."""

import json
import re

import pytest
from django.test import Client

from links.tests.factories import OnboardingLinkFactory

pytestmark = pytest.mark.django_db

META_LOGIN_OPTIONS = {
    "config_id": "987654321",
    "response_type": "code",
    "override_default_response_type": True,
    "extras": {"setup": {}, "sessionInfoVersion": "3", "version": "v4"},
}


@pytest.fixture
def live(settings):
    settings.META_SANDBOX = False
    settings.META_APP_ID = "1234567890"
    settings.META_CONFIG_ID = "987654321"
    return settings


def page(link, query: str = ""):
    response = Client().get(f"/signup/{link.id}{query}")
    assert response.status_code == 200
    return response


def page_config(response) -> dict:
    html = response.content.decode()
    match = re.search(r'<script id="signup-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page hands the script its configuration as JSON"
    return json.loads(match.group(1))


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def test_live_page_loads_metas_sdk_and_hands_fb_login_exactly_the_documented_options(live):
    response = page(OnboardingLinkFactory())
    html = response.content.decode()
    assert '<script async defer crossorigin="anonymous" src="https://connect.facebook.net/en_US/sdk.js">' in html
    assert "_sandbox" not in html and "data-sandbox-outcome" not in html
    config = page_config(response)
    assert config["appId"] == "1234567890"
    assert config["messageOrigins"] == ["https://www.facebook.com", "https://web.facebook.com"]
    assert config["flows"] == [{"flow": "cloud_api", "loginOptions": META_LOGIN_OPTIONS}]


def test_live_page_loads_the_sdk_in_the_pages_language(live):
    html = page(OnboardingLinkFactory(), "?lang=pt-br").content.decode()
    assert 'src="https://connect.facebook.net/pt_BR/sdk.js"' in html


def test_live_csp_allows_exactly_metas_sdk_and_frame_origins(live):
    directives = csp(page(OnboardingLinkFactory()))
    assert directives["script-src"] == ["'self'", "https://connect.facebook.net"]
    assert directives["frame-src"] == ["https://*.facebook.com"]
    assert directives["connect-src"] == ["'self'", "https://*.facebook.com", "https://connect.facebook.net"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["default-src"] == ["'self'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


def test_sandbox_csp_allows_exactly_the_sandbox_dialog_origin(settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8123"
    response = page(OnboardingLinkFactory())
    directives = csp(response)
    assert directives["script-src"] == ["'self'", "http://localhost:8123"]
    assert directives["frame-src"] == ["http://localhost:8123"]
    assert directives["connect-src"] == ["'self'", "http://localhost:8123"]
    config = page_config(response)
    assert config["messageOrigins"] == ["http://localhost:8123"]
    assert 'src="http://localhost:8123/_sandbox/facebook/sdk.js"' in response.content.decode()


def test_an_explicit_sandbox_dialog_origin_wins(settings):
    settings.SANDBOX_DIALOG_ORIGIN = "https://dialog.sandbox.example/"
    config = page_config(page(OnboardingLinkFactory()))
    assert config["messageOrigins"] == ["https://dialog.sandbox.example"]


def test_live_and_sandbox_send_the_same_header_set_and_let_the_popup_talk_back(settings):
    link = OnboardingLinkFactory()
    sandbox = page(link)
    settings.META_SANDBOX = False
    settings.META_APP_ID = "1234567890"
    live = page(link)
    assert sorted(sandbox.headers) == sorted(live.headers)
    for response in (sandbox, live):
        # Not Django's default same-origin, which severs Meta's cross-origin popup from the page.
        assert response["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"
        assert response["Referrer-Policy"] == "strict-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "no-store" in response["Cache-Control"]
