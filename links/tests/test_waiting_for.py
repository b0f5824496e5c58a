"""`waitingFor` over the HTTP API: a processing link says what the end-user must do on the hosted
page (links.waiting), in the GET, the list (both of PostgreSQL's statements and the rows path) and
create's answer, while `status` stays the product document's `processing`."""

import pytest

from conftest import _client_for
from links.models import OnboardingLink
from links.tests.factories import OnboardingLinkFactory, completed_link
from organizations.tests.factories import OrganizationFactory, issue_key
from sandbox.constants import EXISTING_TWO_STEP_PIN
from sandbox.dialog import callback_body, sandbox_dialog_complete

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/v1/onboarding-links"


def shown(client, link: OnboardingLink) -> list[tuple[str, str | None]]:
    """(status, waitingFor) of the link as GET, the unfiltered list and the filtered list show it."""
    one = client.get(f"{URL}/{link.id}").json()["data"]
    listed = [item for item in client.get(URL).json()["data"] if item["id"] == str(link.id)]
    filtered = client.get(URL, {"status": one["status"]}).json()["data"]
    filtered = [item for item in filtered if item["id"] == str(link.id)]
    return [(item["status"], item["waitingFor"]) for item in (one, *listed, *filtered)]


def test_links_show_what_their_signup_waits_for(sandbox_graph, browser_for):
    organization = OrganizationFactory()
    client = _client_for(issue_key(organization).secret)

    pin_link = OnboardingLinkFactory(organization=organization, redirect_url=None)
    pin_browser = browser_for(str(pin_link.id))
    assert pin_browser.callback(callback_body(sandbox_dialog_complete("sandbox_existing_pin"))).status_code == 202

    choice_link = OnboardingLinkFactory(organization=organization, redirect_url=None)
    several = sandbox_dialog_complete("success", "FINISH", phones=3)
    assert browser_for(str(choice_link.id)).callback({"code": several["code"]}).status_code == 202

    done = completed_link(organization=organization)
    pending = OnboardingLinkFactory(organization=organization)

    assert shown(client, pin_link) == [("processing", "pin")] * 3
    assert shown(client, choice_link) == [("processing", "phone_choice")] * 3
    assert shown(client, done) == [("completed", None)] * 3
    assert shown(client, pending) == [("pending", None)] * 3

    # The PIN Meta accepts completes the signup: the link waits for nothing any more.
    pin_browser.client.post(
        f"/signup/{pin_link.id}/pin",
        {"pin": EXISTING_TWO_STEP_PIN},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=pin_browser.csrf,
    )
    assert shown(client, pin_link) == [("completed", None)] * 3


def test_a_created_link_waits_for_nothing(api_client):
    answer = api_client.post(URL, {"name": "Acme"}, format="json")
    assert answer.status_code == 201
    assert answer.json()["data"]["waitingFor"] is None
