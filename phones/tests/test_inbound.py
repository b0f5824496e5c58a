"""Inbound Meta webhooks: Meta-shaped payloads in, stored rows and events at a real receiver out."""

import json

import pytest
from django.test import Client

from phones.models import InboundEventKey, InboundWebhook, Phone
from phones.tasks import process_pending_inbound
from phones.tests.factories import InboundWebhookFactory
from phones.tests.helpers import MESSAGE_EVENTS, connect_phone, signed
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def message_change(phone: Phone, wamid: str = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdBNzY5") -> dict:
    return {
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": phone.phone_number[1:], "phone_number_id": phone.meta_phone_number_id},
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
            "messages": [
                {
                    "from": "16505551234",
                    "id": wamid,
                    "timestamp": "1749416383",
                    "type": "text",
                    "text": {"body": "Does it come in another color?"},
                }
            ],
        },
    }


def status_change(phone: Phone, status: str, wamid: str = "wamid.OUTGOING1") -> dict:
    item = {"id": wamid, "status": status, "timestamp": "1749416400", "recipient_id": "16505551234"}
    if status == "failed":
        item["errors"] = [
            {
                "code": 131049,
                "title": "This message was not delivered to maintain healthy ecosystem engagement.",
                "message": "This message was not delivered to maintain healthy ecosystem engagement.",
                "error_data": {"details": "In order to maintain a healthy ecosystem engagement, the message failed."},
            }
        ]
    return {
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": phone.phone_number[1:], "phone_number_id": phone.meta_phone_number_id},
            "statuses": [item],
        },
    }


def account_update(meta_waba_id: str, event: str = "PARTNER_REMOVED") -> dict:
    return {
        "field": "account_update",
        "value": {
            "event": event,
            "waba_info": {"waba_id": meta_waba_id, "owner_business_id": "2329417887457253"},
        },
    }


def payload(*changes: dict, entry_id: str = "102290129340398") -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": entry_id, "time": 1749416383, "changes": list(changes)}],
    }


def post(body: dict | bytes, path: str = "/webhook/meta", signature: str | None = None):
    raw, good = signed(body)
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature if signature is not None else good}
    return Client().post(path, raw, content_type="application/json", **headers)


def envelopes(receiver, count: int) -> list[dict]:
    return [json.loads(r.body) for r in receiver.wait_for(count)]


@pytest.fixture
def phone(sandbox_graph, api_client, browser_for, receiver) -> Phone:
    """A phone connected by a link whose outgoing webhook (scoped to the WABA) goes to `receiver`."""
    return connect_phone(
        api_client,
        browser_for,
        webhook_url=receiver.url("/hooks"),
        events=[*MESSAGE_EVENTS, "phone_number.disconnected"],
    )


def phone_part(phone: Phone) -> dict:
    return {
        "onboardingLinkId": str(phone.onboarding_link_id),
        "externalId": "customer-123",
        "phoneNumberId": str(phone.id),
        "phoneNumber": phone.phone_number,
        "metaPhoneNumberId": phone.meta_phone_number_id,
        "wabaId": str(phone.waba_id),
        "metaWabaId": phone.waba.meta_waba_id,
    }


# --- verification -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/webhook/meta", "/webhook/phone/00000000-0000-0000-0000-000000000001"])
def test_the_verification_handshake_answers_the_challenge(path, settings):
    settings.META_WEBHOOK_VERIFY_TOKEN = "my-verify-token"
    query = {"hub.mode": "subscribe", "hub.verify_token": "my-verify-token", "hub.challenge": "1158201444"}

    response = Client().get(path, query)

    assert response.status_code == 200
    assert response.content == b"1158201444" and response["Content-Type"].startswith("text/plain")
    assert Client().get(path, {**query, "hub.verify_token": "wrong"}).status_code == 403
    assert Client().get(path, {**query, "hub.mode": "unsubscribe"}).status_code == 403
    assert Client().get(path).status_code == 403


def test_without_a_configured_token_the_signup_fallback_token_verifies(settings):
    from meta.inbound import inbound_verify_token

    settings.META_WEBHOOK_VERIFY_TOKEN = ""
    query = {"hub.mode": "subscribe", "hub.verify_token": inbound_verify_token(), "hub.challenge": "42"}
    assert Client().get("/webhook/meta", query).content == b"42"


# --- signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_a_bad_or_missing_signature_is_a_401_and_nothing_is_stored(signature):
    response = post(payload(), signature=signature)
    assert response.status_code == 401
    assert InboundWebhook.objects.count() == 0


def test_a_body_signed_with_another_secret_is_refused():
    raw, signature = signed(payload(), secret="someone-elses-secret")
    response = Client().post("/webhook/meta", raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)
    assert response.status_code == 401 and InboundWebhook.objects.count() == 0


def test_the_signature_is_checked_on_the_raw_bytes():
    raw = b'{"object":"whatsapp_business_account","entry":[],"note":"caf\\u00e9"}'
    assert post(raw).status_code == 200
    assert bytes(InboundWebhook.objects.get().body) == raw


def test_only_get_and_post_are_allowed():
    assert Client().put("/webhook/meta").status_code == 405


# --- messages and statuses ----------------------------------------------------------------------


def test_a_message_becomes_one_message_received_event(phone, receiver):
    body = payload(message_change(phone))

    response = post(body)

    assert response.status_code == 200
    row = InboundWebhook.objects.get()
    assert json.loads(bytes(row.body)) == body and row.endpoint == "meta"
    assert row.processed_at is not None and row.error == ""
    assert row.result == {"events": 1, "unknownPhoneNumberIds": []}
    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == "message.received"
    assert envelope["data"] == {
        **phone_part(phone),
        "messageId": "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdBNzY5",
        "occurredAt": "2025-06-08T20:59:43.000Z",
        "contact": {"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"},
        "message": body["entry"][0]["changes"][0]["value"]["messages"][0],
    }


@pytest.mark.parametrize("status", ["sent", "delivered", "read", "failed"])
def test_each_status_becomes_its_event(phone, receiver, status):
    body = payload(status_change(phone, status))

    assert post(body).status_code == 200

    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == f"message.{status}"
    assert envelope["data"] == {
        **phone_part(phone),
        "messageId": "wamid.OUTGOING1",
        "outgoingMessageId": None,  # not sent through POST /v1/phones/{id}/messages
        "occurredAt": "2025-06-08T21:00:00.000Z",
        "status": body["entry"][0]["changes"][0]["value"]["statuses"][0],
    }


def test_a_duplicate_delivery_from_meta_becomes_no_second_event(phone, receiver):
    body = payload(message_change(phone), status_change(phone, "delivered"))

    assert post(body).status_code == 200
    assert post(body).status_code == 200
    assert post(payload(status_change(phone, "delivered"))).status_code == 200

    assert InboundWebhook.objects.count() == 3
    assert Event.objects.filter(type__startswith="message.").count() == 2
    assert InboundEventKey.objects.count() == 2
    assert InboundWebhook.objects.order_by("received_at").last().result == {
        "duplicates": 1,
        "unknownPhoneNumberIds": [],
    }
    assert len(receiver.wait_for(2)) == 2
    # A new status of the same message is a new fact.
    assert post(payload(status_change(phone, "read"))).status_code == 200
    assert [e["event"] for e in envelopes(receiver, 3)][-1] == "message.read"


def test_a_batch_with_several_entries_and_changes_publishes_each(phone, receiver):
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "1", "changes": [message_change(phone, "wamid.A"), status_change(phone, "sent", "wamid.B")]},
            {"id": "2", "changes": [message_change(phone, "wamid.C"), status_change(phone, "read", "wamid.B")]},
        ],
    }

    assert post(body).status_code == 200

    events = envelopes(receiver, 4)
    assert sorted((e["event"], e["data"]["messageId"]) for e in events) == [
        ("message.read", "wamid.B"),
        ("message.received", "wamid.A"),
        ("message.received", "wamid.C"),
        ("message.sent", "wamid.B"),
    ]
    assert InboundWebhook.objects.get().result["events"] == 4


def test_an_unknown_phone_still_gets_200_and_publishes_nothing(phone, receiver):
    change = message_change(phone)
    change["value"]["metadata"]["phone_number_id"] = "999999999999999"

    assert post(payload(change)).status_code == 200

    row = InboundWebhook.objects.get()
    assert row.processed_at is not None
    assert row.result == {"unknownPhoneNumberIds": ["999999999999999"]}
    assert not Event.objects.filter(type__startswith="message.").exists()


def test_the_per_phone_endpoint_routes_to_its_phone(phone, receiver):
    response = post(payload(message_change(phone)), path=f"/webhook/phone/{phone.id}")

    assert response.status_code == 200
    row = InboundWebhook.objects.get()
    assert row.endpoint == "phone" and row.url_phone_id == phone.id
    assert envelopes(receiver, 1)[0]["data"]["phoneNumberId"] == str(phone.id)


def test_a_per_phone_url_of_an_unknown_phone_is_stored_and_answered(db):
    assert post(payload(), path="/webhook/phone/00000000-0000-0000-0000-000000000002").status_code == 200
    assert InboundWebhook.objects.get().processed_at is not None


def test_a_signed_body_that_is_not_json_is_stored_and_marked(db):
    assert post(b"not json at all").status_code == 200
    row = InboundWebhook.objects.get()
    assert row.processed_at is not None and row.error.startswith("The body is not JSON.")


def test_odd_but_signed_shapes_never_fail(db):
    for body in ([1, 2], {"entry": "x"}, {"entry": [{"changes": [None, {"field": "messages", "value": []}]}]}):
        assert post(body).status_code == 200
    assert InboundWebhook.objects.filter(processed_at__isnull=False, error="").count() == 3


# --- account_update -----------------------------------------------------------------------------


@pytest.mark.parametrize("event", ["PARTNER_APP_UNINSTALLED", "PARTNER_REMOVED"])
def test_partner_removal_disconnects_the_phone_once(phone, receiver, api_client, event):
    body = payload(account_update(phone.waba.meta_waba_id, event), entry_id="2949482758682047")

    assert post(body).status_code == 200
    assert post(body).status_code == 200  # Meta's retry

    phone.refresh_from_db()
    assert phone.status == "disconnected" and phone.disconnected_at is not None
    phone.waba.refresh_from_db()
    assert phone.waba.is_app_subscribed is False
    (envelope,) = envelopes(receiver, 1)
    assert envelope["event"] == "phone_number.disconnected"
    assert envelope["data"] == {
        **phone_part(phone),
        "reason": event,
        "disconnectionInfo": None,
        "disconnectedAt": envelope["data"]["disconnectedAt"],
    }
    assert Event.objects.filter(type="phone_number.disconnected").count() == 1
    assert api_client.get(f"/v1/phones/{phone.id}").json()["data"]["status"] == "disconnected"
    assert api_client.get(f"/v1/phones/{phone.id}/health").json()["data"]["status"] == "blocked"


def test_other_account_updates_are_relayed_and_change_nothing(phone):
    assert post(payload(account_update(phone.waba.meta_waba_id, "PARTNER_ADDED"))).status_code == 200
    phone.refresh_from_db()
    assert phone.status == "connected"
    # The phone's completed signup records Meta's confirmation on its timeline (links.meta_confirm).
    assert InboundWebhook.objects.get().result == {"signupsConfirmed": 1, "events": 1, "unknownPhoneNumberIds": []}
    assert Event.objects.get(type="account.updated").data["event"] == "PARTNER_ADDED"


# --- lost messages ------------------------------------------------------------------------------


def test_the_sweep_processes_rows_whose_task_was_lost(phone, receiver):
    from datetime import timedelta

    from django.utils import timezone

    raw, _ = signed(payload(message_change(phone, "wamid.LOST")))
    row = InboundWebhookFactory(body=raw)
    InboundWebhook.objects.filter(pk=row.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    fresh = InboundWebhookFactory(body=raw)  # its own task may still be on its way: left alone

    assert process_pending_inbound.delay().get() == 1

    row.refresh_from_db()
    fresh.refresh_from_db()
    assert row.processed_at is not None and fresh.processed_at is None
    assert envelopes(receiver, 1)[0]["data"]["messageId"] == "wamid.LOST"


def test_processing_twice_publishes_once(phone, receiver):
    from phones.inbound_processing import inbound_drain

    assert post(payload(message_change(phone))).status_code == 200
    row = InboundWebhook.objects.get()
    InboundWebhook.objects.filter(pk=row.pk).update(processed_at=None)

    inbound_drain()

    assert Event.objects.filter(type="message.received").count() == 1


def test_signup_sets_the_phone_override_after_metas_verification_reaches_it(sandbox_graph, api_client, browser_for):
    from sandbox.models import SandboxPhone

    phone = connect_phone(api_client, browser_for)

    assert phone.inbound_webhook_configured is True
    sandbox_phone = SandboxPhone.objects.get(pk=phone.meta_phone_number_id)
    assert sandbox_phone.webhook_override_uri == phone.inbound_webhook_url


def test_an_override_meta_cannot_verify_is_not_set_and_the_signup_still_completes(
    sandbox_graph, api_client, browser_for, settings
):
    from sandbox.models import SandboxPhone

    settings.PUBLIC_BASE_URL = sandbox_graph + "/not-the-service"  # the verification GET finds a 404

    phone = connect_phone(api_client, browser_for)

    assert phone.status == "connected" and phone.inbound_webhook_configured is False
    assert SandboxPhone.objects.get(pk=phone.meta_phone_number_id).webhook_override_uri == ""
