"""One Meta number in two organizations (it moved from A to B, or is connected in both): Meta's
statuses for A's message belong to A, whichever of the two phones the webhook's URL or recency
would pick. They travel the real inbound path: the sandbox posts them, signed, to the number's
webhook override, which B's signup pointed at B's own per-phone URL."""

import json

import pytest
from django.utils import timezone

from messaging.tests.helpers import STATUS_EVENTS, events_for, send, wait_status
from phones.models import Phone
from phones.tests.helpers import connect_phone
from sandbox.models import SandboxPhone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phones(sandbox_graph, api_client, other_api_client, browser_for, receiver):
    phone_a = connect_phone(api_client, browser_for, webhook_url=receiver.url("/a"), events=STATUS_EVENTS)
    phone_b = connect_phone(other_api_client, browser_for, webhook_url=receiver.url("/b"), events=STATUS_EVENTS)
    # B now has A's number too, connected more recently; Meta posts the number's webhooks to B's URL.
    Phone.objects.filter(pk=phone_b.pk).update(
        meta_phone_number_id=phone_a.meta_phone_number_id, updated_at=timezone.now()
    )
    phone_b.refresh_from_db()
    SandboxPhone.objects.filter(pk=phone_a.meta_phone_number_id).update(
        webhook_override_uri=phone_b.inbound_webhook_url
    )
    return phone_a, phone_b


def test_statuses_of_a_message_reach_the_organization_that_sent_it(api_client, phones, receiver):
    phone_a, phone_b = phones

    answer = send(api_client, phone_a, {"to": "+5491155551234", "type": "text", "text": {"body": "Hi from A"}})
    assert answer.status_code == 202, answer.content
    message_id = answer.json()["data"]["id"]

    events = events_for(receiver, message_id, 3)
    assert wait_status(message_id, "read").status == "read"
    assert [e["event"] for e in events] == ["message.sent", "message.delivered", "message.read"]
    assert {e["data"]["phoneNumberId"] for e in events} == {str(phone_a.id)}
    status_posts = [r for r in receiver.received if json.loads(r.body)["event"] in STATUS_EVENTS]
    assert {r.path for r in status_posts} == {"/a"}  # B was told nothing about A's recipient
