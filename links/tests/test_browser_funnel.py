"""The signup funnel from a real browser (issue 19): opening the page, opening Meta's window (the
start beacon, sent after the popup is open) and cancelling in it are each recorded."""

import json
from collections.abc import Iterator

import pytest

from links.models import OnboardingLink
from links.tests.chromium import Tab
from links.tests.signup_browser import chromium, click_outcome, open_popup  # noqa: F401
from webhooks.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(chromium, sandbox_graph) -> Iterator[Tab]:  # noqa: F811
    tab = chromium.new_tab()
    yield tab
    tab.close()


def test_open_start_and_cancel_are_recorded(live_server, tab, api_client):
    link = api_client.post("/v1/onboarding-links", {"name": "Acme Corp"}, format="json").json()["data"]

    def flow(page):
        popup = open_popup(page, link["hostedUrl"])
        with page.expect_response("**/callback"):
            click_outcome(popup, "cancel")
        page.wait_for_function("() => document.querySelector('#connect-whatsapp').disabled === false")
        return True

    tab.do(flow)
    row = OnboardingLink.objects.get(pk=link["id"])
    assert row.open_count == 1 and row.opened_at is not None
    assert row.start_count == 1 and row.started_at >= row.opened_at
    assert row.finished_at is None
    (cancelled,) = Event.objects.filter(type="onboarding_link.cancelled")
    assert json.loads(cancelled.payload)["data"]["step"] == "PHONE_NUMBER_SETUP"
    assert Event.objects.filter(type="onboarding_link.opened").count() == 1
    assert tab.problems() == []
