import pytest
from django.test import Client

from sandbox.dialog import callback_body, sandbox_dialog_complete


@pytest.fixture
def sandbox_graph(live_server, settings) -> str:
    """The service's Graph client talks to the sandbox over real HTTP (the live test server)."""
    settings.META_GRAPH_BASE_URL = f"{live_server.url}/_sandbox/graph"
    settings.PUBLIC_BASE_URL = live_server.url
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    return live_server.url


class Browser:
    """The hosted page's part: open the page (CSRF cookie), then post the callback with the token."""

    def __init__(self, link_id: str) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.link_id = link_id
        page = self.client.get(f"/signup/{link_id}")
        assert page.status_code == 200
        self.csrf = self.client.cookies["csrftoken"].value

    def callback(self, body: dict):
        return self.client.post(
            f"/signup/{self.link_id}/callback", body, content_type="application/json", HTTP_X_CSRFTOKEN=self.csrf
        )

    def status(self) -> dict:
        return self.client.get(f"/signup/{self.link_id}/status").json()

    def finish(self, outcome: str = "success", event: str = "FINISH"):
        """Click through the sandbox dialog and send what Meta's popup would have given the page."""
        return self.callback(callback_body(sandbox_dialog_complete(outcome, event)))


@pytest.fixture
def browser_for():
    return Browser
