"""Each kind of Meta webhook change, from Meta's documented example payload, through the real view
(signed POST /webhook/meta), the processing task and an outgoing webhook at a real receiver."""

import pytest

from core.events import EVENT_TYPES
from phones.models import InboundWebhook, Phone
from phones.tests import meta_examples as ex
from phones.tests.helpers import connect_phone
from phones.tests.test_inbound import envelopes, phone_part, post
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(sandbox_graph, api_client, browser_for, receiver) -> Phone:
    """A connected phone whose link's outgoing webhook takes every event type after the connection."""
    return connect_phone(
        api_client,
        browser_for,
        webhook_url=receiver.url("/hooks"),
        events=[t for t in EVENT_TYPES if t not in ("webhook.test", "phone_number.connected")],
    )


def deliver(phone: Phone, example: dict) -> dict:
    body = ex.for_phone(example, phone)
    assert post(body).status_code == 200
    return body


# --- message kinds ------------------------------------------------------------------------------


def test_a_new_message_carries_metas_time(phone, receiver):
    body = deliver(phone, ex.TEXT_MESSAGE)

    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == "message.received"
    assert envelope["data"]["occurredAt"] == "2025-06-08T20:59:43.000Z"  # 1749416383
    assert envelope["data"]["message"] == ex.first_value(body)["messages"][0]


@pytest.mark.parametrize(
    ("example", "event", "extra"),
    [
        (
            ex.EDITED_MESSAGE,
            "message.edited",
            {"originalMessageId": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
        ),
        (
            ex.REVOKED_MESSAGE,
            "message.deleted",
            {"originalMessageId": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
        ),
        (ex.SYSTEM_NUMBER_CHANGE, "message.system", {"systemType": "user_changed_number"}),
        (ex.CALL_PERMISSION_REPLY, "call_permission.reply", {"response": "accept"}),
    ],
    ids=["edit", "revoke", "system", "call_permission_reply"],
)
def test_a_message_that_is_not_new_gets_its_own_event(phone, receiver, example, event, extra):
    body = deliver(phone, example)

    (envelope,) = envelopes(receiver, 1)
    message = ex.first_value(body)["messages"][0]
    assert envelope["event"] == event
    data = envelope["data"]
    assert {k: data[k] for k in extra} == extra
    assert data["messageId"] == message["id"] and data["message"] == message
    assert data["occurredAt"] is not None
    assert not Event.objects.filter(type="message.received").exists()
    if event in ("message.edited", "message.deleted"):
        assert data["source"] == "user"


def test_top_level_errors_reach_the_customer(phone, receiver):
    body = deliver(phone, ex.VALUE_ERRORS)
    post(ex.for_phone(ex.VALUE_ERRORS, phone))  # Meta's retry

    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == "message.errors"
    assert envelope["data"] == {**phone_part(phone), "errors": ex.first_value(body)["errors"]}
    assert Event.objects.filter(type="message.errors").count() == 1


def test_statuses_carry_metas_time(phone, receiver):
    from phones.tests.test_inbound import payload, status_change

    assert post(payload(status_change(phone, "delivered"))).status_code == 200

    (envelope,) = envelopes(receiver, 1)
    assert envelope["data"]["occurredAt"] == "2025-06-08T21:00:00.000Z"  # 1749416400


# --- coexistence ---------------------------------------------------------------------------------


def test_an_echo_of_a_message_sent_from_the_business_app_reaches_the_customer(phone, receiver):
    body = deliver(phone, ex.ECHO_TEXT)
    deliver(phone, ex.ECHO_TEXT)  # Meta's retry

    (envelope,) = envelopes(receiver, 1)
    echo = ex.first_value(body)["message_echoes"][0]
    assert envelope["event"] == "message.echo"
    assert envelope["data"] == {
        **phone_part(phone),
        "messageId": echo["id"],
        "occurredAt": "2025-02-12T00:43:44.000Z",
        "to": "16505551234",
        "message": echo,
    }
    assert Event.objects.filter(type="message.echo").count() == 1


@pytest.mark.parametrize(("example", "event"), [(ex.ECHO_EDIT, "message.edited"), (ex.ECHO_REVOKE, "message.deleted")])
def test_an_edit_or_deletion_made_in_the_business_app_is_not_a_new_message(phone, receiver, example, event):
    deliver(phone, example)

    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == event
    assert envelope["data"]["source"] == "business_app"
    assert envelope["data"]["originalMessageId"] == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="


def test_a_history_chunk_is_relayed(phone, receiver):
    body = deliver(phone, ex.HISTORY_CHUNK)
    deliver(phone, ex.HISTORY_CHUNK)

    (envelope,) = envelopes(receiver, 1)
    chunk = ex.first_value(body)["history"][0]
    assert envelope["event"] == "history.synced"
    assert envelope["data"] == {
        **phone_part(phone),
        "phase": 0,
        "chunkOrder": 1,
        "progress": 55,
        "threads": chunk["threads"],
        "errors": [],
    }


def test_a_declined_history_is_relayed_with_metas_error(phone, receiver):
    deliver(phone, ex.HISTORY_DECLINED)

    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == "history.synced"
    assert envelope["data"]["threads"] == [] and envelope["data"]["errors"][0]["code"] == 2593109


def test_the_app_contacts_sync_is_relayed(phone, receiver):
    body = deliver(phone, ex.APP_STATE_SYNC)

    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == "app_state.synced"
    assert envelope["data"] == {**phone_part(phone), "stateSync": ex.first_value(body)["state_sync"]}


# --- account_update ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "example",
    [ex.ACCOUNT_DELETED, ex.ACCOUNT_OFFBOARDED, ex.PARTNER_REMOVED_COEXISTENCE],
    ids=lambda e: e["entry"][0]["changes"][0]["value"]["event"],
)
def test_disconnecting_account_updates_without_waba_info_disconnect(phone, receiver, api_client, example):
    event = example["entry"][0]["changes"][0]["value"]["event"]
    deliver(phone, example)
    deliver(phone, example)

    phone.refresh_from_db()
    assert phone.status == "disconnected" and phone.disconnected_reason == event
    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == "phone_number.disconnected" and envelope["data"]["reason"] == event
    assert api_client.get(f"/v1/phones/{phone.id}").json()["data"]["status"] == "disconnected"


def test_account_reconnected_undoes_an_offboarding(phone, receiver, api_client):
    deliver(phone, ex.ACCOUNT_OFFBOARDED)
    deliver(phone, ex.ACCOUNT_RECONNECTED)
    deliver(phone, ex.ACCOUNT_RECONNECTED)

    phone.refresh_from_db()
    assert phone.status == "connected" and phone.disconnected_at is None and phone.disconnected_reason == ""
    events = envelopes(receiver, 2)
    assert [e["event"] for e in events] == ["phone_number.disconnected", "phone_number.reconnected"]
    assert events[1]["data"] == {
        **phone_part(phone),
        "reason": "ACCOUNT_RECONNECTED",
        "reconnectedAt": events[1]["data"]["reconnectedAt"],
    }
    assert api_client.get(f"/v1/phones/{phone.id}").json()["data"]["status"] == "connected"


def test_account_reconnected_leaves_a_removed_partner_disconnected(phone):
    deliver(phone, ex.ACCOUNT_DELETED)
    deliver(phone, ex.ACCOUNT_RECONNECTED)

    phone.refresh_from_db()
    assert phone.status == "disconnected"
    assert not Event.objects.filter(type="phone_number.reconnected").exists()


@pytest.mark.parametrize(
    ("example", "info_key"), [(ex.DISABLED_UPDATE, "ban_info"), (ex.ACCOUNT_RESTRICTION, "restriction_info")]
)
def test_standing_updates_reach_the_customer_and_refresh_health(phone, receiver, api_client, example, info_key):
    assert api_client.get(f"/v1/phones/{phone.id}/health").status_code == 200  # stored, fresh
    phone.refresh_from_db()
    assert phone.health_checked_at is not None

    deliver(phone, example)
    deliver(phone, example)

    value = ex.first_value(ex.for_phone(example, phone))
    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == "account.updated"
    assert envelope["data"] == {
        "wabaId": str(phone.waba_id),
        "metaWabaId": phone.waba.meta_waba_id,
        "event": value["event"],
        "occurredAt": "2025-02-12T00:43:44.000Z",
        "info": {info_key: value[info_key]},
    }
    phone.refresh_from_db()
    assert phone.status == "connected" and phone.health_checked_at is None  # the next read asks Meta


def test_an_account_update_for_an_unknown_waba_is_ignored(db):
    assert post(ex.account_update("PARTNER_ADDED")).status_code == 200
    assert InboundWebhook.objects.get().result == {"ignored": 1, "unknownPhoneNumberIds": []}


def test_odd_but_signed_shapes_of_every_field_never_fail(db):
    odd_values = [
        {"metadata": [], "messages": [{"id": "wamid.X"}]},
        {"metadata": {"phone_number_id": "1"}, "message_echoes": [1, None, "x"]},
        {"metadata": {"phone_number_id": "1"}, "history": "x"},
        {"metadata": {"phone_number_id": "1"}, "state_sync": {"type": "contact"}},
        {"event": ["ACCOUNT_DELETED"]},
        {"event": "ACCOUNT_DELETED", "waba_info": "x"},
    ]
    fields = ["messages", "smb_message_echoes", "history", "smb_app_state_sync", "account_update", "account_update"]
    for field, value in zip(fields, odd_values, strict=True):
        assert post({"entry": [{"id": 5, "changes": [{"field": field, "value": value}]}]}).status_code == 200
    assert InboundWebhook.objects.filter(processed_at__isnull=False, error="").count() == len(odd_values)
