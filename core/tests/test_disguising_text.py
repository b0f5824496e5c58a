"""Bidi controls and zero-width characters are refused in link names, branding names and URLs
(issue 13, finding 11): they make the hosted page, the admin or a URL show something else."""

import pytest

from links.models import OnboardingLink
from organizations.models import Organization
from organizations.tests.factories import OrganizationFactory
from webhooks.models import OutgoingWebhook

pytestmark = pytest.mark.django_db

DISGUISES = {
    "right-to-left-override": "\u202e",
    "right-to-left-isolate": "\u2067",
    "left-to-right-mark": "\u200e",
    "arabic-letter-mark": "\u061c",
    "zero-width-space": "\u200b",
    "zero-width-joiner": "\u200d",
    "word-joiner": "\u2060",
    "byte-order-mark": "\ufeff",
}


def refused(response, field: str) -> str:
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "validation_error" and list(error["details"]) == [field]
    return error["details"][field][0]


@pytest.mark.parametrize("char", DISGUISES.values(), ids=DISGUISES.keys())
def test_a_link_name_with_a_disguising_character_is_refused(api_client, char):
    message = refused(api_client.post("/v1/onboarding-links", {"name": f"Acme{char}Bank"}, format="json"), "name")
    assert f"U+{ord(char):04X}" in message
    assert not OnboardingLink.objects.exists()


@pytest.mark.parametrize("char", DISGUISES.values(), ids=DISGUISES.keys())
def test_urls_whose_host_hides_a_disguising_character_are_refused(api_client, char):
    host = f"hooks.exa{char}mple.com"
    link = {"name": "Acme", "redirectUrl": f"https://{host}/done"}
    refused(api_client.post("/v1/onboarding-links", link, format="json"), "redirectUrl")
    link = {"name": "Acme", "webhookUrl": f"https://{host}/h", "webhookEvents": ["message.received"]}
    refused(api_client.post("/v1/onboarding-links", link, format="json"), "webhookUrl")
    webhook = {"url": f"https://{host}/h", "events": ["message.received"]}
    refused(api_client.post("/v1/outgoing-webhooks", webhook, format="json"), "url")
    assert not OnboardingLink.objects.exists() and not OutgoingWebhook.objects.exists()


def test_names_in_other_scripts_and_emoji_are_accepted(api_client):
    for name in ("مطعم الأصدقاء", "Café Zürich", "東京ストア", "Acme 🚀"):
        response = api_client.post("/v1/onboarding-links", {"name": name}, format="json")
        assert response.status_code == 201 and response.json()["data"]["name"] == name


def test_branding_names_with_a_disguising_character_are_refused_in_the_admin(admin_client):
    org = OrganizationFactory(name="Acme")
    url = f"/admin/organizations/organization/{org.pk}/change/"
    form = {"name": "Acme\u202eknaB", "display_name": "Acme\u200bPay", "logo_url": "", "accent_color": "#ffd400"}
    response = admin_client.post(url, form)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"name", "display_name"}
    assert Organization.objects.get(pk=org.pk).display_name == ""
