"""The sandbox's fake Facebook SDK and Embedded Signup window (sandbox.popup)."""

import json
import re

import pytest
from django.test import Client

from sandbox.models import SandboxPhone

pytestmark = pytest.mark.django_db


def test_the_sdk_and_the_dialog_exist_only_in_sandbox_mode(settings):
    client = Client()
    for path in ("/_sandbox/facebook/sdk.js", "/_sandbox/facebook/dialog", "/_sandbox/facebook/dialog.js"):
        assert client.get(path).status_code == 200
    settings.META_SANDBOX = False
    settings.META_APP_ID = "1234567890"
    for path in ("/_sandbox/facebook/sdk.js", "/_sandbox/facebook/dialog", "/_sandbox/facebook/dialog.js"):
        assert client.get(path).status_code == 404


def test_the_sdk_is_served_like_metas_to_a_crossorigin_script_tag():
    response = Client().get("/_sandbox/facebook/sdk.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_dialog_keeps_its_opener_and_posts_only_to_a_plain_origin():
    ok = Client().get("/_sandbox/facebook/dialog", {"origin": "http://127.0.0.1:8000", "feature_type": ""})
    # Any other policy would sever the cross-origin popup from the page that opened it.
    assert ok["Cross-Origin-Opener-Policy"] == "unsafe-none"
    config = json.loads(re.search(r'id="sandbox-dialog-config" type="application/json">(.*?)<', ok.content.decode())[1])
    assert config["openerOrigin"] == "http://127.0.0.1:8000"
    for bad in ("javascript:alert(1)", "*", "http://a.example/path", "x" * 300):
        page = Client().get("/_sandbox/facebook/dialog", {"origin": bad}).content.decode()
        config = json.loads(re.search(r'id="sandbox-dialog-config" type="application/json">(.*?)<', page)[1])
        assert config["openerOrigin"] == ""


def test_dialog_complete_creates_the_asked_number_of_phones_and_names_the_first():
    answer = Client().post(
        "/_sandbox/dialog/complete", {"outcome": "success", "phones": 3}, content_type="application/json"
    )
    assert answer.status_code == 200
    data = answer.json()["data"]
    phones = SandboxPhone.objects.filter(waba_id=data["waba_id"]).order_by("created_at", "id")
    assert phones.count() == 3 and data["phone_number_id"] == phones[0].id


@pytest.mark.parametrize("phones", [0, 6, "many", None])
def test_dialog_complete_refuses_a_bad_phone_count(phones):
    body = {"outcome": "success", "phones": phones}
    answer = Client().post("/_sandbox/dialog/complete", body, content_type="application/json")
    if phones is None:  # absent means one
        assert answer.status_code == 200
        return
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("event", ["FINISH_OBO_MIGRATION", "FINISH_GRANT_ONLY_API_ACCESS"])
def test_obo_migration_and_api_access_finishes_name_an_already_registered_number(event):
    answer = Client().post("/_sandbox/dialog/complete", {"event": event}, content_type="application/json").json()
    assert answer["event"] == event and answer["version"] == 3
    assert set(answer["data"]) == {"waba_id", "phone_number_id", "business_id"}
    assert SandboxPhone.objects.get(pk=answer["data"]["phone_number_id"]).registered is True
