"""Sending through the API over real HTTP: the sandbox plays Meta (its Graph API answers the send,
then posts the statuses to the service's own inbound webhook, signed), and the customer's
endpoint receives `message.sent`, `message.delivered` and `message.read` with both ids."""

import pytest

from messaging.models import OutgoingMessage
from messaging.tests.helpers import STATUS_EVENTS, events_for, graph_sends, send, wait_status
from phones.tests.helpers import connect_phone

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE_KEYS = [
    "id",
    "phoneNumberId",
    "to",
    "type",
    "status",
    "metaMessageId",
    "content",
    "context",
    "error",
    "statusHistory",
    "createdAt",
    "updatedAt",
]

BODIES = {
    "text": {"text": {"body": "Your order has shipped!", "previewUrl": False}},
    "template": {
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "#123"}]}
            ],
        }
    },
    "image": {"image": {"link": "https://example.com/photo.jpg", "caption": "The photo"}},
    "document": {"document": {"link": "https://example.com/invoice.pdf", "caption": "Invoice", "filename": "inv.pdf"}},
    "audio": {"audio": {"link": "https://example.com/note.ogg"}},
    "video": {"video": {"link": "https://example.com/clip.mp4", "caption": "Clip"}},
}


@pytest.fixture
def phone(sandbox_graph, api_client, browser_for, receiver):
    return connect_phone(api_client, browser_for, webhook_url=receiver.url("/hooks"), events=STATUS_EVENTS)


@pytest.mark.parametrize("kind", list(BODIES))
def test_each_type_is_sent_and_followed_to_read_at_the_customers_endpoint(api_client, phone, receiver, kind):
    answer = send(api_client, phone, {"to": "+5491155551234", "type": kind, **BODIES[kind]})

    assert answer.status_code == 202, answer.content
    data = answer.json()["data"]
    assert list(data) == MESSAGE_KEYS
    assert data["phoneNumberId"] == str(phone.id) and data["to"] == "+5491155551234" and data["type"] == kind
    assert data["status"] == "accepted" and data["metaMessageId"] is None and data["error"] is None
    assert [h["status"] for h in data["statusHistory"]] == ["accepted"]
    assert data["createdAt"].endswith("Z")

    events = events_for(receiver, data["id"], 3)
    message = OutgoingMessage.objects.get(pk=data["id"])
    assert message.meta_message_id.startswith("wamid.")
    assert [e["event"] for e in events] == ["message.sent", "message.delivered", "message.read"]
    for event in events:
        assert event["data"]["outgoingMessageId"] == data["id"]
        assert event["data"]["messageId"] == message.meta_message_id
        assert event["data"]["phoneNumberId"] == str(phone.id)

    shown = api_client.get(f"/v1/phones/{phone.id}/messages/{data['id']}").json()["data"]
    assert shown["status"] == "read" and shown["metaMessageId"] == message.meta_message_id
    assert [h["status"] for h in shown["statusHistory"]] == ["accepted", "sent", "delivered", "read"]


def test_a_reply_and_a_reaction_name_our_message_and_meta_gets_its_wamid(api_client, phone, receiver):
    first = send(api_client, phone, {"to": "+5491155551234", "type": "text", "text": {"body": "Hi"}}).json()["data"]
    sent = wait_status(first["id"], "read")

    reply = send(
        api_client,
        phone,
        {
            "to": "+5491155551234",
            "type": "text",
            "text": {"body": "Still there?"},
            "context": {"messageId": first["id"]},
        },
    )
    reaction = send(
        api_client,
        phone,
        {"to": "+5491155551234", "type": "reaction", "reaction": {"messageId": first["id"], "emoji": "👍"}},
    )

    assert reply.status_code == 202 and reaction.status_code == 202, (reply.content, reaction.content)
    assert reply.json()["data"]["context"] == {"messageId": sent.meta_message_id}
    assert wait_status(reply.json()["data"]["id"], "read").context_meta_message_id == sent.meta_message_id
    assert wait_status(reaction.json()["data"]["id"], "read").status == "read"


def test_a_reply_to_a_wamid_is_passed_to_meta_as_given(api_client, phone):
    answer = send(
        api_client,
        phone,
        {"to": "+5491155551234", "type": "text", "text": {"body": "Yes"}, "context": {"messageId": "wamid.ABC"}},
    )

    assert answer.status_code == 202
    assert answer.json()["data"]["context"] == {"messageId": "wamid.ABC"}


def test_the_same_idempotency_key_sends_once(api_client, phone):
    body = {"to": "+5491155551234", "type": "text", "text": {"body": "Once"}}

    first = send(api_client, phone, body, HTTP_IDEMPOTENCY_KEY="order-123-shipped")
    again = send(api_client, phone, body, HTTP_IDEMPOTENCY_KEY="order-123-shipped")
    other = send(api_client, phone, {**body, "text": {"body": "Twice"}}, HTTP_IDEMPOTENCY_KEY="order-123-shipped")

    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
    wait_status(first.json()["data"]["id"], "read")
    assert OutgoingMessage.objects.count() == 1
    assert graph_sends() == 1


def test_the_list_pages_and_filters_by_status(api_client, phone):
    ids = [
        send(api_client, phone, {"to": to, "type": "text", "text": {"body": "Hi"}}).json()["data"]["id"]
        for to in ("+5491155551234", "+15550000001")
    ]
    wait_status(ids[1], "failed")

    page = api_client.get(f"/v1/phones/{phone.id}/messages?limit=1&page=1").json()
    failed = api_client.get(f"/v1/phones/{phone.id}/messages?status=failed").json()

    assert page["meta"] == {"page": 1, "limit": 1, "total": 2, "totalPages": 2}
    assert [m["id"] for m in page["data"]] == [ids[1]]
    assert [m["id"] for m in failed["data"]] == [ids[1]]
    assert api_client.get(f"/v1/phones/{phone.id}/messages?status=lost").status_code == 400
