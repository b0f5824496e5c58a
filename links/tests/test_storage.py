import pytest
from django.db import connection

from links.models import OnboardingLink
from links.tests.helpers import post, with_webhook


def _raw_secret_column(link_id: str) -> str:
    pk = OnboardingLink._meta.pk.get_db_prep_value(OnboardingLink(pk=link_id).pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM links_onboardinglink WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_webhook_secret_is_encrypted_at_rest(api_client):
    link_id = post(api_client, with_webhook(webhookSecret="whsec_my_secret_key_123")).json()["data"]["id"]

    raw = _raw_secret_column(link_id)

    assert raw and raw != "whsec_my_secret_key_123"
    assert "my_secret_key" not in raw
    assert OnboardingLink.objects.get(pk=link_id).webhook_secret == "whsec_my_secret_key_123"


@pytest.mark.django_db
def test_generated_secret_is_encrypted_at_rest(api_client):
    data = post(api_client, with_webhook()).json()["data"]

    assert _raw_secret_column(data["id"]) != data["webhookSecret"]
    assert OnboardingLink.objects.get(pk=data["id"]).webhook_secret == data["webhookSecret"]
