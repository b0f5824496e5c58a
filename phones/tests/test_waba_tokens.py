"""Business token lifetimes (issue 15): what Meta says is stored, a 190 on any call marks the WABA
for reconnection and disconnects its phones once, a new link reconnects the same rows, and
operators are warned ahead of a known expiry. Through the sandbox over real HTTP."""

import logging
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from links.tests.conftest import Browser
from meta.graph import GraphClient, GraphPermanentError
from phones.health import phone_health_refresh
from phones.models import Phone
from phones.services import waba_lookup_refresh
from phones.tests.helpers import connect_phone
from sandbox.models import SandboxPhone
from sandbox.provisioning import issue_code
from wabas.models import Waba
from wabas.tasks import warn_expiring_tokens
from wabas.tokens import lifetime_from_exchange, lifetime_with_debug, waba_token_reject
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

# Meta's documented shapes (Graph API "Handling Errors", "debug_token", OAuth code exchange).
META_EXPIRED_TOKEN_ERROR = {
    "error": {
        "message": "Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST. "
        "The current time is Wednesday, 02-Dec-26 06:00:00 PST.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "fbtrace_id": "EJplcsCHuLu",
    }
}
META_PASSWORD_CHANGED_ERROR = {
    "error": {
        "message": "Message describing the error",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 460,
        "error_user_title": "A title",
        "error_user_msg": "A message",
        "fbtrace_id": "EJplcsCHuLu",
    }
}
META_EXCHANGE_WITH_EXPIRY = {"access_token": "EAAexample", "token_type": "bearer", "expires_in": 5183944}
META_EXCHANGE_WITHOUT_EXPIRY = {"access_token": "EAAexample", "token_type": "bearer"}
META_DEBUG_TOKEN = {
    "data": {
        "type": "USER",
        "application": "Threads API Test App",
        "data_access_expires_at": 1754846089,
        "expires_at": 1752254132,
        "is_valid": True,
        "issued_at": 1747070132,
        "scopes": ["whatsapp_business_management"],
    }
}


def disconnected_events() -> list[dict]:
    return [e.data for e in Event.objects.filter(type="phone_number.disconnected").order_by("created_at")]


def test_meta_lifetime_shapes_become_absolute_times():
    assert lifetime_from_exchange(META_EXCHANGE_WITHOUT_EXPIRY) == {"token_expires_at": None}
    in_60_days = lifetime_from_exchange(META_EXCHANGE_WITH_EXPIRY)["token_expires_at"]
    assert in_60_days.startswith(str((timezone.now() + timedelta(seconds=5183944)).date()))
    merged = lifetime_with_debug({"token_expires_at": None}, META_DEBUG_TOKEN["data"])
    assert merged == {
        "token_expires_at": "2025-07-11T17:15:32.000Z",
        "data_access_expires_at": "2025-08-10T17:14:49.000Z",
    }
    never = lifetime_with_debug({"token_expires_at": None}, {"expires_at": 0, "data_access_expires_at": 0})
    assert never == {"token_expires_at": None, "data_access_expires_at": None}


def test_expiring_token_lifetime_is_stored_from_exchange_and_debug_token(sandbox_graph, api_client):
    phone = connect_phone(api_client, Browser, outcome="sandbox_token_expiring")

    waba = Waba.objects.get(pk=phone.waba_id)
    assert timedelta(days=2, hours=23) < waba.token_expires_at - timezone.now() <= timedelta(days=3)
    assert timedelta(days=89) < waba.data_access_expires_at - timezone.now() <= timedelta(days=90)
    token = api_client.get(f"/v1/wabas/{waba.id}").json()["data"]["token"]
    assert token["needsReconnection"] is False and token["expiresAt"] and token["dataAccessExpiresAt"]


def test_a_token_without_expiry_stores_none(sandbox_graph, api_client):
    phone = connect_phone(api_client, Browser)
    waba = Waba.objects.get(pk=phone.waba_id)
    assert waba.token_expires_at is None and waba.data_access_expires_at is None and waba.token_sha256


def test_invalidated_token_on_health_refresh_disconnects_once_and_a_new_link_reconnects(sandbox_graph, api_client):
    phone = connect_phone(api_client, Browser, outcome="sandbox_token_invalidated")
    assert phone.status == Phone.Status.CONNECTED

    # Meta answers 190/463 to the health read: the client's error path marks WABA and phone.
    assert phone_health_refresh(phone=phone).outcome == "failed"
    phone.refresh_from_db()
    waba = Waba.objects.get(pk=phone.waba_id)
    assert phone.status == Phone.Status.DISCONNECTED and phone.disconnected_reason == "TOKEN_EXPIRED"
    assert waba.token_invalid_reason == "TOKEN_EXPIRED" and waba.token_invalid_at
    [event] = disconnected_events()
    assert event["reason"] == "TOKEN_EXPIRED" and event["phoneNumberId"] == str(phone.id)
    assert event["disconnectionInfo"]["code"] == 190 and event["disconnectionInfo"]["subcode"] == 463
    assert "EAA" not in str(event)

    # A second rejected call (the connection lookups) publishes nothing more.
    waba.phones.update(status=Phone.Status.CONNECTED)  # force a lookup with the dead token
    waba_lookup_refresh(waba=waba, force=True)
    assert len(disconnected_events()) == 1
    waba.phones.update(status=Phone.Status.DISCONNECTED)

    shown = api_client.get(f"/v1/phones/{phone.id}").json()["data"]
    assert shown["status"] == "disconnected" and shown["disconnectedReason"] == "TOKEN_EXPIRED"
    assert api_client.get(f"/v1/wabas/{waba.id}").json()["data"]["token"]["needsReconnection"] is True

    # The customer sends a new onboarding link; the end-user signs up the same number again.
    sandbox_phone = SandboxPhone.objects.select_related("waba__business").get(pk=phone.meta_phone_number_id)
    created = api_client.post(
        "/v1/onboarding-links", {"name": "Acme Corp", "redirectUrl": "https://myapp.com/cb"}, format="json"
    )
    link_id = created.json()["data"]["id"]
    code = issue_code(scenario="sandbox_success", business=sandbox_phone.waba.business).code
    answer = Browser(link_id).callback(
        {
            "code": code,
            "event": "FINISH",
            "wabaId": str(sandbox_phone.waba_id),
            "phoneNumberId": str(sandbox_phone.pk),
            "businessId": str(sandbox_phone.waba.business_id),
        }
    )
    assert answer.status_code == 202, answer.content

    assert Phone.objects.count() == 1 and Waba.objects.count() == 1
    phone.refresh_from_db()
    waba.refresh_from_db()
    assert phone.status == Phone.Status.CONNECTED and phone.disconnected_reason == ""
    assert str(phone.onboarding_link_id) == link_id
    assert waba.token_invalid_reason == "" and waba.token_invalid_at is None
    connected = Event.objects.filter(type="phone_number.connected").order_by("-created_at").first()
    assert connected.data["phoneNumberId"] == str(phone.id) and connected.data["onboardingLinkId"] == link_id
    assert phone_health_refresh(phone=phone).outcome == "refreshed"  # the new token works
    shown = api_client.get(f"/v1/phones/{phone.id}").json()["data"]
    assert shown["status"] == "connected" and shown["disconnectedReason"] is None


@responses.activate
def test_any_190_subcode_from_the_client_error_path_marks_the_waba_token_invalid(organization):
    from phones.tests.factories import PhoneFactory, WabaFactory
    from wabas.tokens import token_sha256

    waba = WabaFactory(
        organization=organization, access_token="EAAstoredtoken123", token_sha256=token_sha256("EAAstoredtoken123")
    )
    phone = PhoneFactory(organization=organization, waba=waba)
    client = GraphClient(base_url="https://graph.example", version="v23.0", app_id="1", app_secret="s")
    responses.get(
        f"https://graph.example/v23.0/{phone.meta_phone_number_id}", json=META_PASSWORD_CHANGED_ERROR, status=400
    )

    with pytest.raises(GraphPermanentError):
        client.get_phone_number(phone.meta_phone_number_id, "EAAstoredtoken123")

    phone.refresh_from_db()
    waba.refresh_from_db()
    assert phone.disconnected_reason == "TOKEN_INVALID" and waba.token_invalid_reason == "TOKEN_INVALID"
    assert [e["reason"] for e in disconnected_events()] == ["TOKEN_INVALID"]


def test_a_190_for_an_unknown_token_changes_nothing(organization):
    from phones.tests.factories import PhoneFactory

    PhoneFactory(organization=organization)
    error = GraphPermanentError("expired", 190, 463)
    assert waba_token_reject(token="EAAnotstored12345", error=error) == []
    assert Phone.objects.filter(status=Phone.Status.DISCONNECTED).count() == 0 and not disconnected_events()


def test_warning_job_logs_one_line_per_token_expiring_within_the_window(organization, settings, caplog):
    from phones.tests.factories import WabaFactory

    settings.TOKEN_EXPIRY_WARNING_DAYS = 7
    now = timezone.now()
    soon = WabaFactory(organization=organization, token_sha256="a" * 64, token_expires_at=now + timedelta(days=3))
    data = WabaFactory(organization=organization, token_sha256="b" * 64, data_access_expires_at=now + timedelta(days=6))
    WabaFactory(organization=organization, token_sha256="c" * 64, token_expires_at=now + timedelta(days=30))
    WabaFactory(organization=organization, token_sha256="d" * 64)  # never expires
    WabaFactory(
        organization=organization, token_sha256="e" * 64, token_expires_at=now, token_invalid_reason="TOKEN_EXPIRED"
    )

    with caplog.at_level(logging.WARNING, logger="wabas.tokens"):
        assert warn_expiring_tokens.apply().get() == 2

    warned = [r for r in caplog.records if r.getMessage().startswith("business token expires soon")]
    assert sorted(r.waba_id for r in warned) == sorted([str(soon.pk), str(data.pk)])
    assert all("EAA" not in str(r.__dict__) for r in warned)


def test_admin_lists_tokens_needing_reconnection_and_expiring_soon(admin_client, organization):
    from phones.tests.factories import WabaFactory

    now = timezone.now()
    WabaFactory(organization=organization, name="Dead", token_sha256="a" * 64, token_invalid_reason="TOKEN_EXPIRED")
    WabaFactory(organization=organization, name="Soon", token_sha256="b" * 64, token_expires_at=now + timedelta(days=2))
    WabaFactory(organization=organization, name="Fine", token_sha256="c" * 64)

    listing = admin_client.get("/admin/wabas/waba/").content.decode()
    assert "needs reconnection (TOKEN_EXPIRED)" in listing and "expires soon (" in listing
    assert "valid, no expiry" in listing
    expiring = admin_client.get("/admin/wabas/waba/?token=expiring").content.decode()
    assert "Soon" in expiring and "Dead" not in expiring and "Fine" not in expiring
    assert "b" * 64 not in listing


def test_beat_runs_the_warning_job(settings):
    assert settings.CELERY_BEAT_SCHEDULE["warn-expiring-tokens"]["task"] == warn_expiring_tokens.name
