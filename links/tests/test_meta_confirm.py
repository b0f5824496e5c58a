"""Meta's account_update `PARTNER_ADDED` / `PARTNER_APP_INSTALLED` (Meta's documented payload:
`waba_info` with `waba_id` and `owner_business_id`) confirms a signup whose session-info event never
arrived, through the signed POST /webhook/meta and the processing task (links.meta_confirm)."""

import secrets

import pytest

from links.models import OnboardingLink, SignupAttempt
from links.tests.factories import OnboardingLinkFactory
from phones.models import InboundWebhook
from phones.tests import meta_examples as ex
from phones.tests.test_inbound import post
from sandbox.dialog import sandbox_dialog_complete
from sandbox.models import SandboxPhone, SandboxWaba

pytestmark = pytest.mark.django_db(transaction=True)


def partner_event(event: str, waba: SandboxWaba) -> dict:
    """Meta's account_update syntax for PARTNER_* events (webhooks/reference/account_update): the
    customer's `waba_id` and `owner_business_id`, plus `partner_app_id` for PARTNER_APP_INSTALLED."""
    info = {"waba_id": waba.id, "owner_business_id": waba.business_id}
    if event == "PARTNER_APP_INSTALLED":
        info["partner_app_id"] = "1234567890123456"
    body = ex.account_update(event, waba_info=info)
    body["entry"][0]["id"] = waba.id
    return body


def second_waba(first: SandboxWaba) -> SandboxWaba:
    """Another account of the same business (the token reaches both), with one number."""
    other = SandboxWaba.objects.create(
        id=str(secrets.randbelow(10**14) + 8 * 10**14),
        business=first.business,
        name="Second account",
        message_template_namespace="ns2",
    )
    SandboxPhone.objects.create(
        id=str(secrets.randbelow(10**14) + 8 * 10**14),
        waba=other,
        display_phone_number="+1 555-010-9999",
        verified_name="Two",
    )
    return other


@pytest.fixture
def waiting(sandbox_graph, browser_for):
    """A signup that sent only the code: two accounts in reach (2 numbers and 1), none named."""
    link = OnboardingLinkFactory(redirect_url=None)
    session = sandbox_dialog_complete("success", "FINISH", phones=2)
    first = SandboxWaba.objects.get(pk=session["data"]["waba_id"])
    other = second_waba(first)
    browser = browser_for(str(link.id))
    assert browser.callback({"code": session["code"]}).status_code == 202
    attempt = SignupAttempt.objects.get(link=link)
    assert attempt.status == "awaiting_phone" and len(attempt.state["phone_choices"]) == 3
    return link, attempt, first, other


@pytest.mark.parametrize("event", ["PARTNER_ADDED", "PARTNER_APP_INSTALLED"])
def test_meta_naming_an_account_with_one_number_completes_the_waiting_signup(waiting, event):
    link, attempt, _first, other = waiting

    assert post(partner_event(event, other)).status_code == 200

    link.refresh_from_db()
    assert link.status == OnboardingLink.Status.COMPLETED and link.is_phone_registered is True
    assert link.phone.meta_phone_number_id == other.phones.get().id
    assert link.waba.meta_waba_id == other.id
    attempt.refresh_from_db()
    assert attempt.status == "succeeded"
    assert [s["step"] for s in attempt.steps].count("meta_confirmed") == 1
    assert InboundWebhook.objects.get().result["signupsConfirmed"] == 1

    # Meta repeats webhooks: the completed signup's timeline keeps one confirmation.
    assert post(partner_event(event, other)).status_code == 200
    attempt.refresh_from_db()
    assert [s["step"] for s in attempt.steps].count("meta_confirmed") == 1


def test_meta_naming_an_account_with_several_numbers_narrows_the_pick(waiting):
    link, attempt, first, _other = waiting

    assert post(partner_event("PARTNER_ADDED", first)).status_code == 200

    attempt.refresh_from_db()
    assert attempt.status == "awaiting_phone" and attempt.steps[-1]["step"] == "meta_confirmed"
    assert sorted(c["id"] for c in attempt.state["phone_choices"]) == sorted(p.id for p in first.phones.all())
    link.refresh_from_db()
    assert link.status == OnboardingLink.Status.PROCESSING


def test_an_account_the_signup_did_not_reach_changes_nothing(waiting):
    link, attempt, _first, _other = waiting
    stranger = sandbox_dialog_complete("success", "FINISH")["data"]["waba_id"]

    assert post(partner_event("PARTNER_ADDED", SandboxWaba.objects.get(pk=stranger))).status_code == 200

    attempt.refresh_from_db()
    assert attempt.status == "awaiting_phone" and len(attempt.state["phone_choices"]) == 3
    assert InboundWebhook.objects.get().result == {"ignored": 1, "unknownPhoneNumberIds": []}
