"""An expired or deleted link's hosted URL in headless Chromium sends the end-user back to the
customer's refreshUrl (issue 19), where the customer creates a fresh link.

The customer's page is a real HTTP server on 127.0.0.1: the browser follows the hosted page's 302
itself, and Playwright's request routing does not see the requests a redirect makes.
"""

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from links.models import OnboardingLink
from links.tests.chromium import Tab
from links.tests.signup_browser import chromium  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MY_APP_PAGE = b"<!doctype html><title>My app</title><h1>Making you a fresh link</h1>"


class MyAppPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(MY_APP_PAGE)))
        self.end_headers()
        self.wfile.write(MY_APP_PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def my_app() -> Iterator[str]:
    """The customer's refresh page: its URL (with a query of its own, which must be kept)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), MyAppPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/whatsapp/refresh?tenant=acme"
    server.shutdown()
    server.server_close()


@pytest.fixture
def tab(chromium, sandbox_graph) -> Iterator[Tab]:  # noqa: F811
    tab = chromium.new_tab()
    yield tab
    tab.close()


@pytest.fixture
def create_link(api_client, my_app):
    def create(**overrides) -> dict:
        body = {"name": "Acme Corp", "externalId": "customer-123", "refreshUrl": my_app, **overrides}
        response = api_client.post("/v1/onboarding-links", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()["data"]

    return create


def landing(tab: Tab, url: str) -> tuple[str, str]:
    def flow(page):
        page.goto(url)
        return page.url, page.inner_text("h1")

    return tab.do(flow)


def query(url: str, my_app: str) -> list[tuple[str, str]]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == my_app.split("?")[0]
    return parse_qsl(parts.query)


def test_an_expired_link_sends_the_end_user_to_the_refresh_url(tab, create_link, my_app):
    link = create_link()
    OnboardingLink.objects.filter(pk=link["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))

    final_url, heading = landing(tab, link["hostedUrl"])

    assert heading == "Making you a fresh link"
    assert query(final_url, my_app) == [
        ("tenant", "acme"),
        ("onboarding_link_id", link["id"]),
        ("external_id", "customer-123"),
        ("reason", "expired"),
    ]
    assert tab.problems() == []


def test_a_deleted_link_sends_the_end_user_to_the_refresh_url(tab, api_client, create_link, my_app):
    link = create_link()
    assert api_client.delete(f"/v1/onboarding-links/{link['id']}").status_code == 204

    final_url, heading = landing(tab, link["hostedUrl"])

    assert heading == "Making you a fresh link"
    assert query(final_url, my_app)[-1] == ("reason", "deleted")


def test_a_link_still_pending_shows_the_signup_page(tab, create_link):
    link = create_link()

    def flow(page):
        page.goto(link["hostedUrl"])
        return page.url, page.get_attribute("#signup", "data-state")

    final_url, state = tab.do(flow)
    assert final_url == link["hostedUrl"] and state == "pending"
