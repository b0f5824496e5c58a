"""Which app secrets an inbound Meta webhook may be signed with: a set META_APP_SECRET is never
silently overridden, in sandbox mode as in live mode."""

import pytest
from django.test import Client

from phones.models import InboundWebhook
from phones.tests.helpers import signed
from sandbox.constants import SANDBOX_APP_SECRET

pytestmark = pytest.mark.django_db

BODY = {"object": "whatsapp_business_account", "entry": []}


def status_signed_with(secret: str) -> int:
    raw, signature = signed(BODY, secret=secret)
    return Client().post("/webhook/meta", raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)


@pytest.mark.parametrize("meta_app_id", ["", "1234567890"])
def test_in_sandbox_mode_a_set_app_secret_and_the_sandbox_secret_are_both_accepted(settings, meta_app_id):
    settings.META_SANDBOX, settings.META_APP_ID, settings.META_APP_SECRET = True, meta_app_id, "my-real-app-secret"
    assert status_signed_with("my-real-app-secret").status_code == 200
    assert status_signed_with(SANDBOX_APP_SECRET).status_code == 200
    assert status_signed_with("someone-elses-secret").status_code == 401
    assert InboundWebhook.objects.count() == 2


def test_in_live_mode_only_the_app_secret_is_accepted(settings):
    settings.META_SANDBOX, settings.META_APP_ID, settings.META_APP_SECRET = False, "1234567890", "my-real-app-secret"
    assert status_signed_with("my-real-app-secret").status_code == 200
    assert status_signed_with(SANDBOX_APP_SECRET).status_code == 401


def test_in_sandbox_mode_without_an_app_secret_the_sandbox_secret_is_accepted(settings):
    settings.META_SANDBOX, settings.META_APP_ID, settings.META_APP_SECRET = True, "", ""
    assert status_signed_with(SANDBOX_APP_SECRET).status_code == 200
    assert status_signed_with("").status_code == 401
