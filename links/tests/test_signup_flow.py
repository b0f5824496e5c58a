"""The whole signup through the sandbox over real HTTP: callback -> completion -> webhook."""

import base64
import hashlib
import hmac
import json
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from standardwebhooks import Webhook

from core.tests.services_gate import require_postgres
from links.models import OnboardingLink, SignupAttempt
from links.tests.helpers import READ_KEYS
from phones.models import Phone
from sandbox.faults import inject_fault
from sandbox.models import SandboxCode
from wabas.models import Waba
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENT_BODY = {
    "name": "Acme Corp",
    "externalId": "customer-123",
    "metadata": {"customerId": "customer-123", "locationCode": "store-01", "crmAccountId": "crm_789"},
    "redirectUrl": "https://myapp.com/whatsapp/callback",
    "webhookSecret": "whsec_my_secret_key_123",
    "webhookEvents": ["phone_number.connected", "message.received", "message.sent"],
}


def create_link(api_client, receiver, **overrides) -> dict:
    body = {**DOCUMENT_BODY, "webhookUrl": receiver.url("/webhooks/whatsapp"), **overrides}
    response = api_client.post("/v1/onboarding-links", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def plain_hmac_ok(secret: str, headers: dict, body: bytes) -> bool:
    """The README's verification for a customer's own secret (UTF-8 bytes of the whole secret)."""
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(f"v1,{expected}", sig) for sig in headers["webhook-signature"].split())


def test_sandbox_success_completes_the_link_end_to_end(sandbox_graph, api_client, receiver, browser_for):
    link = create_link(api_client, receiver)
    browser = browser_for(link["id"])

    answer = browser.callback_response = browser.finish("success")
    assert answer.status_code == 202
    assert answer.json() == {"status": "processing"}

    data = api_client.get(f"/v1/onboarding-links/{link['id']}").json()["data"]
    assert list(data) == READ_KEYS
    assert data["status"] == "completed" and data["error"] is None
    assert data["metadata"] == DOCUMENT_BODY["metadata"]
    assert data["phoneNumber"].startswith("+1555") and data["phoneNumber"][1:].isdigit()
    assert data["isPhoneRegistered"] is True
    assert data["webhookUrl"] == receiver.url("/webhooks/whatsapp")
    assert data["completedAt"].endswith("Z")
    phone = Phone.objects.get(pk=data["phoneNumberId"])
    waba = Waba.objects.get(pk=data["wabaId"])
    assert phone.waba == waba and phone.metadata == DOCUMENT_BODY["metadata"]
    assert phone.external_id == "customer-123" and phone.pin and phone.is_registered
    assert waba.access_token.startswith("EAA")
    assert str(phone.onboarding_link_id) == link["id"]
    assert data["outgoingWebhookId"] is not None

    # The customer's receiver gets a signed phone_number.connected with the document's data.
    (delivery,) = receiver.wait_for(1)
    envelope = json.loads(delivery.body)
    assert envelope["event"] == "phone_number.connected"
    assert envelope["organizationId"] == str(phone.organization_id)
    assert envelope["data"] == {
        "onboardingLinkId": link["id"],
        "externalId": "customer-123",
        "phoneNumberId": str(phone.id),
        "phoneNumber": data["phoneNumber"],
        "wabaId": str(waba.id),
        "metaWabaId": waba.meta_waba_id,
        "isPhoneRegistered": True,
    }
    assert plain_hmac_ok("whsec_my_secret_key_123", delivery.headers, delivery.body)

    # The page is told where to send the end-user: exactly the document's parameters.
    status = browser.status()
    assert status["status"] == "completed" and status["error"] is None
    redirect = urlsplit(status["redirectTo"])
    assert f"{redirect.scheme}://{redirect.netloc}{redirect.path}" == "https://myapp.com/whatsapp/callback"
    assert parse_qsl(redirect.query) == [
        ("onboarding_link_id", link["id"]),
        ("external_id", "customer-123"),
        ("status", "success"),
    ]
    assert "store-01" not in status["redirectTo"] and "crm_789" not in status["redirectTo"]


def test_generated_secret_is_verified_by_the_standard_webhooks_library(
    sandbox_graph, api_client, receiver, browser_for
):
    link = create_link(api_client, receiver, webhookSecret=None)
    link = api_client.post(
        "/v1/onboarding-links",
        {k: v for k, v in {**DOCUMENT_BODY, "webhookUrl": receiver.url()}.items() if k != "webhookSecret"},
        format="json",
    ).json()["data"]
    assert link["webhookSecret"].startswith("whsec_")
    assert browser_for(link["id"]).finish("success").status_code == 202
    (delivery,) = receiver.wait_for(1)
    payload = Webhook(link["webhookSecret"]).verify(delivery.body, delivery.headers)
    assert payload["event"] == "phone_number.connected"


@pytest.mark.parametrize(
    ("scenario", "status", "registered"),
    [
        ("sandbox_success", "completed", True),
        ("sandbox_flaky", "completed", True),
        ("sandbox_register_error", "completed", False),
        ("sandbox_limited", "completed", True),
        ("sandbox_blocked", "completed", True),
        ("sandbox_exchange_error", "error", None),
    ],
)
def test_every_magic_code_gives_the_contracts_outcome(
    sandbox_graph, api_client, receiver, browser_for, scenario, status, registered
):
    link = create_link(api_client, receiver)
    assert browser_for(link["id"]).finish(scenario).status_code == 202
    data = api_client.get(f"/v1/onboarding-links/{link['id']}").json()["data"]
    assert data["status"] == status
    assert data["isPhoneRegistered"] is registered
    if status == "error":
        assert data["error"] and "EAA" not in data["error"] and "sandbox_exchange_error" not in data["error"]
        assert data["phoneNumberId"] is None


def test_an_invalid_code_is_a_permanent_error_without_retries(sandbox_graph, api_client, receiver, browser_for):
    link = create_link(api_client, receiver)
    answer = browser_for(link["id"]).callback({"code": "not-a-real-code"})
    assert answer.status_code == 202
    link_row = OnboardingLink.objects.get(pk=link["id"])
    assert link_row.status == "error"
    attempt = SignupAttempt.objects.get(link=link_row)
    assert attempt.tries == 1 and attempt.error_code == 100
    events = Event.objects.filter(type="onboarding_link.failed")
    assert events.count() == 1 and events.get().data["onboardingLinkId"] == link["id"]


def test_the_code_exchange_is_never_retried_after_meta_answered(sandbox_graph, api_client, receiver, browser_for):
    inject_fault("server_error", count=5, path_contains="oauth/access_token")
    link = create_link(api_client, receiver)
    browser_for(link["id"]).finish("success")
    code = SandboxCode.objects.get()
    assert code.exchange_count == 0  # the 500 answered before the sandbox saw the code
    attempt = SignupAttempt.objects.get(link_id=link["id"])
    assert attempt.tries == 1
    assert OnboardingLink.objects.get(pk=link["id"]).status == "error"


def test_a_brief_transient_graph_failure_is_retried_in_place(sandbox_graph, api_client, receiver, browser_for):
    inject_fault("server_error", count=2, path_contains="subscribed_apps")
    inject_fault("rate_limit", count=1, path_contains="register", retry_after=0)
    link = create_link(api_client, receiver)
    browser_for(link["id"]).finish("success")
    assert OnboardingLink.objects.get(pk=link["id"]).status == "completed"
    assert SignupAttempt.objects.get(link_id=link["id"]).tries == 1


def test_a_lasting_transient_failure_goes_back_to_the_task_and_completes(
    sandbox_graph, api_client, receiver, browser_for
):
    inject_fault("server_error", count=5, path_contains="subscribed_apps")
    link = create_link(api_client, receiver)
    browser_for(link["id"]).finish("success")
    assert OnboardingLink.objects.get(pk=link["id"]).status == "completed"
    assert SignupAttempt.objects.get(link_id=link["id"]).tries == 2


def test_a_permanent_graph_failure_is_not_retried(sandbox_graph, api_client, receiver, browser_for):
    inject_fault(
        "graph_error",
        count=3,
        path_contains="subscribed_apps",
        status=403,
        code=200,
        message="(#200) Permissions error",
    )
    link = create_link(api_client, receiver)
    browser_for(link["id"]).finish("success")
    link_row = OnboardingLink.objects.get(pk=link["id"])
    assert link_row.status == "error"
    attempt = SignupAttempt.objects.get(link=link_row)
    assert attempt.tries == 1 and attempt.error_code == 200 and attempt.fbtrace_id
    assert [s["step"] for s in attempt.steps][-2:] == ["read", "failed"]  # one refusal, no retry


@pytest.mark.parametrize("event", ["FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"])
def test_finish_variants_resolve_the_phone_from_the_waba(sandbox_graph, api_client, receiver, browser_for, event):
    link = create_link(api_client, receiver)
    browser_for(link["id"]).finish("success", event=event)
    data = api_client.get(f"/v1/onboarding-links/{link['id']}").json()["data"]
    assert data["status"] == "completed"
    phone = Phone.objects.get(pk=data["phoneNumberId"])
    attempt = SignupAttempt.objects.get(link_id=link["id"])
    steps = [entry["step"] for entry in attempt.steps]
    if event == "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING":
        assert phone.is_on_biz_app and "coexistence_sync" in steps
        assert "skipped" in next(e["detail"] for e in attempt.steps if e["step"] == "register")
    else:
        assert "coexistence_sync" not in steps


def test_a_second_link_for_the_same_number_reconnects_the_phone(sandbox_graph, api_client, receiver, browser_for):
    from sandbox.provisioning import issue_code

    first = create_link(api_client, receiver, externalId="first")
    browser_for(first["id"]).finish("success")
    phone = Phone.objects.get()
    second = create_link(api_client, receiver, externalId="second", metadata={"plan": "pro"})
    code = issue_code(scenario="sandbox_success", business=SandboxCode.objects.get().business)
    browser_for(second["id"]).callback({"code": code.code})
    data = api_client.get(f"/v1/onboarding-links/{second['id']}").json()["data"]
    assert data["status"] == "completed" and data["phoneNumberId"] == str(phone.id)
    assert Phone.objects.count() == 1 and Waba.objects.count() == 1
    phone.refresh_from_db()
    assert phone.metadata == {"plan": "pro"} and phone.external_id == "second"


def test_a_crash_between_steps_resumes_without_duplicates(
    sandbox_graph, api_client, receiver, browser_for, monkeypatch
):
    from links import completion
    from links.tasks import complete_link

    real_steps = list(completion.STEPS)

    def crash(attempt, graph):
        raise KeyboardInterrupt("worker killed")

    monkeypatch.setattr(completion, "STEPS", [*real_steps[:4], ("register", crash), *real_steps[5:]])
    link = create_link(api_client, receiver)
    with pytest.raises(KeyboardInterrupt):
        browser_for(link["id"]).finish("success")
    attempt = SignupAttempt.objects.get(link_id=link["id"])
    assert [s["step"] for s in attempt.steps] == ["callback", "exchange", "resolve", "read", "subscribe"]
    assert OnboardingLink.objects.get(pk=link["id"]).status == "processing"

    # The lease of the dead worker runs out; the periodic job hands the attempt to a new worker.
    monkeypatch.setattr(completion, "STEPS", real_steps)
    SignupAttempt.objects.filter(pk=attempt.pk).update(lease_until=None, next_try_at="2000-01-01T00:00:00Z")
    assert completion.attempts_resume_stalled() == [str(attempt.pk)]
    complete_link.delay(str(attempt.pk))

    assert OnboardingLink.objects.get(pk=link["id"]).status == "completed"
    attempt.refresh_from_db()
    assert [s["step"] for s in attempt.steps].count("exchange") == 1
    assert SandboxCode.objects.get().exchange_count == 1
    assert Phone.objects.count() == 1
    assert Event.objects.filter(type="phone_number.connected").count() == 1
    assert len(receiver.wait_for(1)) == 1


def test_concurrent_callbacks_start_exactly_one_completion(sandbox_graph, api_client, receiver, browser_for):
    require_postgres()
    link = create_link(api_client, receiver)
    browsers = [browser_for(link["id"]) for _ in range(8)]
    sessions = [b for b in browsers]
    barrier = threading.Barrier(8)
    answers = []

    def send(browser):
        barrier.wait()
        try:
            answers.append(browser.callback({"code": "sandbox_success"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(b,)) for b in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [202] + [409] * 7
    assert OnboardingLink.objects.get(pk=link["id"]).status == "completed"
    assert Phone.objects.count() == 1
    assert Event.objects.filter(type="phone_number.connected").count() == 1


def test_a_link_in_error_can_be_retried_by_the_end_user(sandbox_graph, api_client, receiver, browser_for):
    link = create_link(api_client, receiver)
    browser = browser_for(link["id"])
    browser.finish("sandbox_exchange_error")
    assert browser.status()["status"] == "error"
    assert browser.finish("success").status_code == 202
    data = api_client.get(f"/v1/onboarding-links/{link['id']}").json()["data"]
    assert data["status"] == "completed" and data["error"] is None
    assert SignupAttempt.objects.filter(link_id=link["id"]).count() == 2


def test_an_exchange_cut_short_by_a_dead_worker_is_not_sent_again(
    sandbox_graph, api_client, receiver, browser_for, monkeypatch
):
    from links import completion
    from links.tasks import complete_link
    from meta.graph import GraphClient

    real_exchange = GraphClient.exchange_code

    def exchange_then_die(self, code):
        real_exchange(self, code)  # Meta answered and consumed the code...
        raise KeyboardInterrupt("worker killed")  # ...but the worker died before storing the token

    monkeypatch.setattr(GraphClient, "exchange_code", exchange_then_die)
    link = create_link(api_client, receiver)
    with pytest.raises(KeyboardInterrupt):
        browser_for(link["id"]).finish("success")
    monkeypatch.setattr(GraphClient, "exchange_code", real_exchange)

    attempt = SignupAttempt.objects.get(link_id=link["id"])
    SignupAttempt.objects.filter(pk=attempt.pk).update(lease_until=None, next_try_at="2000-01-01T00:00:00Z")
    assert completion.attempts_resume_stalled() == [str(attempt.pk)]
    complete_link.delay(str(attempt.pk))

    link_row = OnboardingLink.objects.get(pk=link["id"])
    assert link_row.status == "error" and "authorization code" in link_row.error
    assert SandboxCode.objects.get().exchange_count == 1
    assert not Phone.objects.exists()
