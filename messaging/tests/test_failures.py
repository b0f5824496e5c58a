"""Meta's send errors, through the sandbox's magic recipients (docs/meta.md): each ends as
documented, transient ones retried, permanent ones `failed` with Meta's code, never in a loop."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import OutgoingMessage
from messaging.tests.helpers import STATUS_EVENTS, events_for, graph_sends, send, wait_status
from phones.models import Phone
from phones.tests.helpers import connect_phone
from sandbox.models import SandboxToken

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = {"type": "text", "text": {"body": "Hello"}}


@pytest.fixture
def phone(sandbox_graph, api_client, browser_for, receiver):
    events = [*STATUS_EVENTS, "phone_number.disconnected"]
    return connect_phone(api_client, browser_for, webhook_url=receiver.url("/hooks"), events=events)


@pytest.mark.parametrize(
    ("to", "code", "title"),
    [
        ("+15550000001", 131026, "Message undeliverable"),
        ("+15550000002", 131047, "Re-engagement message"),
    ],
)
def test_a_failure_meta_reports_later_ends_failed_with_its_code(api_client, phone, receiver, to, code, title):
    data = send(api_client, phone, {"to": to, **TEXT}).json()["data"]

    message = wait_status(data["id"], "failed")
    (event,) = events_for(receiver, data["id"], 1)

    assert message.meta_message_id.startswith("wamid.") and message.error_code == code
    assert message.error_title == title
    assert event["event"] == "message.failed"
    assert event["data"]["messageId"] == message.meta_message_id and event["data"]["outgoingMessageId"] == data["id"]
    assert event["data"]["status"]["errors"][0]["code"] == code
    shown = api_client.get(f"/v1/phones/{phone.id}/messages/{data['id']}").json()["data"]
    assert shown["status"] == "failed" and shown["error"]["code"] == code and shown["error"]["title"] == title
    assert [h["status"] for h in shown["statusHistory"]] == ["accepted", "sent", "failed"]
    assert shown["statusHistory"][-1]["error"]["code"] == code


def test_outside_the_window_says_a_template_is_needed(api_client, phone):
    data = send(api_client, phone, {"to": "+15550000002", **TEXT}).json()["data"]

    assert "template" in wait_status(data["id"], "failed").error_details


@pytest.mark.parametrize("to", ["+15550000003", "+15550000004"])
def test_rate_limits_are_retried_with_backoff_until_meta_accepts(api_client, phone, receiver, to):
    data = send(api_client, phone, {"to": to, **TEXT}).json()["data"]

    message = wait_status(data["id"], "read")

    assert message.attempts == 3 and message.error_code is None
    assert graph_sends() == 3
    assert [e["event"] for e in events_for(receiver, data["id"], 3)] == [
        "message.sent",
        "message.delivered",
        "message.read",
    ]


def test_retries_stop_when_the_schedule_is_spent(api_client, phone, settings):
    settings.MESSAGE_RETRY_DELAYS = [0.01]  # one retry; the sandbox refuses the first two sends

    data = send(api_client, phone, {"to": "+15550000003", **TEXT}).json()["data"]

    message = wait_status(data["id"], "failed")
    assert message.attempts == 2 and message.error_code == 131056
    assert graph_sends() == 2


@pytest.mark.parametrize(
    ("to", "code", "title"),
    [("+15550000005", 132001, "Template does not exist"), ("+15550000006", 132015, "Template is paused")],
)
def test_a_send_meta_refuses_fails_at_once_and_is_published(api_client, phone, receiver, to, code, title):
    data = send(api_client, phone, {"to": to, **TEXT}).json()["data"]

    message = wait_status(data["id"], "failed")
    (event,) = events_for(receiver, data["id"], 1)

    assert message.attempts == 1 and graph_sends() == 1
    assert message.error_code == code and message.error_title == title and message.meta_message_id == ""
    assert event["event"] == "message.failed"
    assert event["data"]["messageId"] is None and event["data"]["outgoingMessageId"] == data["id"]
    assert event["data"]["status"]["status"] == "failed"
    assert event["data"]["status"]["errors"][0]["code"] == code


def test_a_rejected_token_fails_the_message_and_disconnects_the_phone(api_client, phone, receiver):
    SandboxToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    data = send(api_client, phone, {"to": "+5491155551234", **TEXT}).json()["data"]

    message = wait_status(data["id"], "failed")
    assert message.error_code == 190 and graph_sends() == 0
    phone.refresh_from_db()
    assert phone.status == Phone.Status.DISCONNECTED and phone.disconnected_reason == "TOKEN_EXPIRED"
    again = send(api_client, phone, {"to": "+5491155551234", **TEXT})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "phone_not_ready"
    assert again.json()["error"]["details"] == {"reason": ["disconnected (TOKEN_EXPIRED)"]}
    assert OutgoingMessage.objects.count() == 1
