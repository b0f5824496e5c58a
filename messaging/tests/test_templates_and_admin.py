"""`GET /v1/wabas/{wabaId}/message-templates` (Meta's list, cached, within the Graph budget), the
out-of-order statuses Meta may send, and the admin's view of a phone's messages."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from messaging.models import OutgoingMessage
from messaging.tests.helpers import send, wait_status
from phones.tests.helpers import connect_phone, signed
from sandbox.models import SandboxCall
from wabas import graph_budget

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(sandbox_graph, api_client, browser_for):
    return connect_phone(api_client, browser_for)


def template_reads() -> int:
    return sum(SandboxCall.objects.filter(kind="GET message_templates").values_list("count", flat=True))


def test_templates_are_read_from_meta_once_then_cached(api_client, phone):
    first = api_client.get(f"/v1/wabas/{phone.waba_id}/message-templates")
    again = api_client.get(f"/v1/wabas/{phone.waba_id}/message-templates?limit=1")

    assert first.status_code == 200, first.content
    names = [(t["name"], t["status"]) for t in first.json()["data"]]
    assert names == [("hello_world", "APPROVED"), ("order_update", "APPROVED"), ("seasonal_promo", "PAUSED")]
    template = first.json()["data"][1]
    assert list(template) == ["id", "name", "language", "status", "category", "components"]
    assert template["components"][0]["text"] == "Hi {{1}}, your order {{2}} has shipped."
    assert again.json()["meta"] == {"page": 1, "limit": 1, "total": 3, "totalPages": 3}
    assert template_reads() == 1


def test_templates_answer_503_when_the_wabas_budget_is_spent(api_client, phone, settings):
    settings.META_GRAPH_CALLS_PER_WABA_PER_HOUR = 0
    assert not graph_budget.take(phone.waba.meta_waba_id)

    answer = api_client.get(f"/v1/wabas/{phone.waba_id}/message-templates")

    assert answer.status_code == 503 and answer.json()["error"]["code"] == "meta_unavailable"
    assert template_reads() == 0


def test_another_organizations_waba_is_404(other_api_client, phone):
    assert other_api_client.get(f"/v1/wabas/{phone.waba_id}/message-templates").status_code == 404


def _status(phone, wamid: str, status: str) -> bytes:
    item = {"id": wamid, "status": status, "timestamp": "1749416400", "recipient_id": "5491155551234"}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": phone.phone_number[1:], "phone_number_id": phone.meta_phone_number_id},
        "statuses": [item],
    }
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()


def test_a_late_delivered_never_undoes_read_and_repeats_record_once(api_client, phone):
    data = send(api_client, phone, {"to": "+5491155551234", "type": "text", "text": {"body": "Hi"}}).json()["data"]
    message = wait_status(data["id"], "read")

    for status in ("delivered", "read", "delivered"):
        body, signature = signed(_status(phone, message.meta_message_id, status))
        answer = Client().post(
            "/webhook/meta", body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
        )
        assert answer.status_code == 200

    message.refresh_from_db()
    assert message.status == "read"
    assert sorted(message.history.values_list("status", flat=True)) == ["accepted", "delivered", "read", "sent"]


def test_the_phone_page_shows_its_recent_messages_with_their_history(api_client, phone):
    data = send(api_client, phone, {"to": "+15550000001", "type": "text", "text": {"body": "Hi"}}).json()["data"]
    wait_status(data["id"], "failed")
    admin = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw-for-tests-only")
    client = Client()
    client.force_login(admin)

    page = client.get(f"/admin/phones/phone/{phone.pk}/change/").content.decode()
    detail = client.get(f"/admin/messaging/outgoingmessage/{data['id']}/change/")

    assert "+15550000001" in page and "failed (131026)" in page
    assert "accepted" in page and "sent" in page
    assert detail.status_code == 200 and "Message undeliverable" in detail.content.decode()
    assert OutgoingMessage.objects.count() == 1
