"""The round trips of processing Meta's inbound payloads are pinned: one `messages` payload costs a
fixed, small number of queries, and a batch of payloads costs about the same as one (issue 17:
the `inbound` worker fell behind 200 messages/s at ~12 round trips per payload)."""

import json

import factory
import pytest

from phones.inbound_processing import inbound_drain
from phones.models import InboundWebhook
from phones.tests.factories import InboundWebhookFactory, PhoneFactory
from webhooks.models import Delivery, Event
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db


def message_body(meta_phone_id: str, wamid: str) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": meta_phone_id},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": [
            {"from": "16505551234", "id": wamid, "timestamp": "1749416383", "type": "text", "text": {"body": "hi"}}
        ],
    }
    entry = {"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


@pytest.fixture
def phone():
    phone = PhoneFactory()
    OutgoingWebhookFactory(organization=phone.organization, events=["message.received"])
    OutgoingWebhookFactory(organization=phone.organization, events=["message.received"])
    return phone


# In a test, transactions are savepoints: each counts as the BEGIN and COMMIT it is in production.
# Claim (BEGIN, SELECT ... FOR UPDATE SKIP LOCKED, UPDATE, COMMIT), the phones (SELECT), the write
# (BEGIN, the dedupe keys' INSERT, SAVEPOINT, the events' INSERT, the webhooks' SELECT, the
# deliveries' INSERT, RELEASE, the rows' UPDATE, COMMIT). Before issue 17: 14 for one payload,
# 14 more for every other.
QUERIES_PER_BATCH = 14


def test_one_messages_payload_is_processed_in_a_fixed_number_of_queries(phone, django_assert_max_num_queries):
    InboundWebhookFactory(body=message_body(phone.meta_phone_number_id, "wamid.ONE"))

    with django_assert_max_num_queries(QUERIES_PER_BATCH):
        inbound_drain()

    assert Event.objects.get().data["messageId"] == "wamid.ONE"
    assert Delivery.objects.count() == 2
    assert InboundWebhook.objects.get().processed_at is not None


def test_a_batch_of_payloads_costs_the_queries_of_one(phone, django_assert_max_num_queries):
    InboundWebhookFactory.create_batch(
        20, body=factory.Iterator(message_body(phone.meta_phone_number_id, f"wamid.{i}") for i in range(20))
    )

    with django_assert_max_num_queries(QUERIES_PER_BATCH):
        # One drain takes every due payload in one batch.
        inbound_drain()

    assert Event.objects.count() == 20 and Delivery.objects.count() == 40
    assert not InboundWebhook.objects.filter(processed_at__isnull=True).exists()


def test_a_fact_repeated_within_a_batch_or_stored_before_is_published_once(phone):
    InboundWebhookFactory(body=message_body(phone.meta_phone_number_id, "wamid.SEEN"))
    inbound_drain()
    rows = [
        InboundWebhookFactory(body=message_body(phone.meta_phone_number_id, wamid))
        for wamid in ("wamid.SEEN", "wamid.NEW", "wamid.NEW")
    ]

    inbound_drain()

    assert sorted(Event.objects.values_list("data__messageId", flat=True)) == ["wamid.NEW", "wamid.SEEN"]
    results = [InboundWebhook.objects.get(pk=row.pk).result for row in rows]
    assert results == [
        {"duplicates": 1, "unknownPhoneNumberIds": []},
        {"events": 1, "unknownPhoneNumberIds": []},
        {"duplicates": 1, "unknownPhoneNumberIds": []},
    ]


def test_a_batch_records_each_payloads_own_outcome(phone, monkeypatch):
    from phones import inbound_processing

    real = inbound_processing._process_change

    def fails_on_bad(row, change, result, entry):
        if change["value"]["messages"][0]["id"] == "wamid.BAD":
            raise RuntimeError("a bug")
        real(row, change, result, entry)

    monkeypatch.setattr(inbound_processing, "_process_change", fails_on_bad)
    good, bad = (
        InboundWebhookFactory(body=message_body(phone.meta_phone_number_id, w)) for w in ("wamid.OK", "wamid.BAD")
    )
    unknown = InboundWebhookFactory(body=message_body("999999", "wamid.ELSEWHERE"))

    inbound_drain()

    good.refresh_from_db()
    bad.refresh_from_db()
    unknown.refresh_from_db()
    assert (good.processed_at is not None, good.error, good.result["events"]) == (True, "", 1)
    assert (bad.processed_at, bad.error, bad.locked_until) == (None, "RuntimeError: a bug", None)  # the sweep's
    assert unknown.processed_at is not None and unknown.result["unknownPhoneNumberIds"] == ["999999"]
