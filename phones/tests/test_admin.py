"""Admin for phones, WABAs and inbound webhooks: read-mostly, secrets never shown, refresh action."""

import pytest

from phones.models import Phone
from phones.tests.factories import InboundWebhookFactory, PhoneFactory
from phones.tests.helpers import connect_phone

PIN = "482913"
TOKEN = "EAAtoken-that-must-never-show-in-the-admin"


@pytest.mark.django_db
def test_phone_pages_never_show_the_pin_and_are_read_only(admin_client):
    phone = PhoneFactory(pin=PIN, metadata={"crmAccountId": "crm_789"})
    phone.waba.access_token = TOKEN
    phone.waba.save()

    listing = admin_client.get("/admin/phones/phone/").content.decode()
    page = admin_client.get(f"/admin/phones/phone/{phone.pk}/change/")

    assert phone.phone_number in listing
    assert page.status_code == 200
    content = page.content.decode()
    assert PIN not in content and TOKEN not in content and "crm_789" in content
    assert "{&quot;crmAccountId&quot;: &quot;crm_789&quot;}" in content  # JSON, not a Python dict
    assert admin_client.post(f"/admin/phones/phone/{phone.pk}/change/", {"status": "x"}).status_code == 403
    assert admin_client.get("/admin/phones/phone/add/").status_code == 403


@pytest.mark.django_db
def test_a_disconnected_phone_shows_why_meta_disconnected_it(admin_client):
    phone = PhoneFactory(status=Phone.Status.DISCONNECTED, disconnected_reason="ACCOUNT_OFFBOARDED")
    content = admin_client.get(f"/admin/phones/phone/{phone.pk}/change/").content.decode()
    assert "Disconnected reason" in content and "ACCOUNT_OFFBOARDED" in content


@pytest.mark.django_db
def test_waba_pages_never_show_the_token(admin_client):
    waba = PhoneFactory().waba
    waba.access_token = TOKEN
    waba.save()
    content = admin_client.get(f"/admin/wabas/waba/{waba.pk}/change/").content.decode()
    assert waba.meta_waba_id in content and TOKEN not in content
    assert admin_client.get("/admin/wabas/waba/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["{phone.meta_phone_number_id}", "{phone.phone_number}", "{phone.id}"])
def test_phones_are_found_by_our_ids_meta_ids_and_number(admin_client, query):
    phone = PhoneFactory()
    other = PhoneFactory()
    content = admin_client.get("/admin/phones/phone/", {"q": query.format(phone=phone)}).content.decode()
    assert f"/admin/phones/phone/{phone.pk}/change/" in content
    assert f"/admin/phones/phone/{other.pk}/change/" not in content


@pytest.mark.django_db
def test_inbound_webhooks_are_listed_with_their_body(admin_client):
    row = InboundWebhookFactory(body=b'{"object":"whatsapp_business_account","entry":[]}')
    content = admin_client.get(f"/admin/phones/inboundwebhook/{row.pk}/change/").content.decode()
    assert "whatsapp_business_account" in content


@pytest.mark.django_db(transaction=True)
def test_refresh_from_meta_goes_through_the_services(sandbox_graph, api_client, browser_for, admin_client):
    phone = connect_phone(api_client, browser_for, outcome="sandbox_limited")

    response = admin_client.post(
        "/admin/phones/phone/", {"action": "refresh_from_meta", "_selected_action": [str(phone.pk)]}, follow=True
    )

    assert "Refreshed from Meta: 1 refreshed" in response.content.decode()
    phone = Phone.objects.get(pk=phone.pk)
    assert phone.health["status"] == "limited" and phone.health_checked_at is not None

    response = admin_client.post(
        "/admin/wabas/waba/", {"action": "refresh_from_meta", "_selected_action": [str(phone.waba_id)]}, follow=True
    )
    assert "Refreshed 1 WABA(s)" in response.content.decode()
