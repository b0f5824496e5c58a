"""A template send whose list is not cached asks Meta first (up to 20 pages, each with its
timeouts), and only then opens the transaction that stores the message and holds the
Idempotency-Key's row: no database transaction, and no key's lock, waits on Meta."""

import json

import pytest
import responses
from django.db import connection

from core.models import IdempotencyRecord
from messaging.models import OutgoingMessage
from messaging.tests.helpers import send
from phones.tests.factories import PhoneFactory

pytestmark = pytest.mark.django_db(transaction=True)

GRAPH = "https://graph.example.test"
ORDER_UPDATE = {
    "id": "1000000000000002",
    "name": "order_update",
    "language": "en_US",
    "status": "APPROVED",
    "category": "UTILITY",
    "components": [{"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."}],
}


def template(*parameters: str) -> dict:
    body = [{"type": "text", "text": p} for p in parameters]
    components = [{"type": "body", "parameters": body}]
    return {
        "to": "+5491155551234",
        "type": "template",
        "template": {"name": "order_update", "language": {"code": "en_US"}, "components": components},
    }


@pytest.fixture
def phone(organization, settings):
    settings.META_GRAPH_BASE_URL = GRAPH
    # Meta's Graph at another address; the sandbox mode (and so the URLs, read once) is left as it is.
    return PhoneFactory(organization=organization, waba__access_token="EAAtemplate-check-token")


@pytest.fixture
def meta(phone, settings):
    """Meta's template list (noting whether a transaction was open while it was read) and its send."""
    version = settings.META_GRAPH_VERSION
    in_transaction: list[bool] = []

    def templates(request):
        in_transaction.append(connection.in_atomic_block)
        return 200, {}, json.dumps({"data": [ORDER_UPDATE]})

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add_callback(responses.GET, f"{GRAPH}/{version}/{phone.waba.meta_waba_id}/message_templates", templates)
        mocked.post(
            f"{GRAPH}/{version}/{phone.meta_phone_number_id}/messages",
            json={"messaging_product": "whatsapp", "messages": [{"id": "wamid.TEMPLATE1"}]},
        )
        yield in_transaction


@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "order-123-shipped"}], ids=["no-key", "key"])
def test_metas_template_list_is_read_outside_any_transaction(api_client, phone, meta, headers):
    answer = send(api_client, phone, template("Ana", "#123"), **headers)

    assert answer.status_code == 202, answer.content
    assert meta == [False]
    assert OutgoingMessage.objects.get().status in ("accepted", "sent")


def test_a_template_refused_after_metas_read_leaves_no_row_and_frees_the_key(api_client, phone, meta):
    refused = send(api_client, phone, template("Ana"), HTTP_IDEMPOTENCY_KEY="k-1")

    assert refused.status_code == 400 and meta == [False]
    assert refused.json()["error"]["details"] == {
        "template.components": ["The template's body has 2 parameter(s); 1 given."]
    }
    assert not OutgoingMessage.objects.exists() and not IdempotencyRecord.objects.exists()


def test_a_replay_answers_the_first_send_without_asking_meta_again(api_client, phone, meta):
    first = send(api_client, phone, template("Ana", "#123"), HTTP_IDEMPOTENCY_KEY="k-2")
    again = send(api_client, phone, template("Ana", "#123"), HTTP_IDEMPOTENCY_KEY="k-2")

    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert OutgoingMessage.objects.count() == 1 and meta == [False]
