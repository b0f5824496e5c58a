"""`allowedFlows`: which Embedded Signup flows a link's end-user may take (issue 14)."""

import json
import re

import pytest
from django.test import Client

from links.models import OnboardingLink

pytestmark = pytest.mark.django_db
URL = "/v1/onboarding-links"


def create(api_client, **body):
    return api_client.post(URL, {"name": "Acme", **body}, format="json")


def page_config(link_id) -> dict:
    html = Client().get(f"/signup/{link_id}").content.decode()
    return json.loads(re.search(r'<script id="signup-config" type="application/json">(.*?)</script>', html, re.S)[1])


def test_the_default_is_the_cloud_api_flow_only_and_it_is_read_back(api_client):
    created = create(api_client).json()["data"]
    assert created["allowedFlows"] == ["cloud_api"]
    assert api_client.get(f"{URL}/{created['id']}").json()["data"]["allowedFlows"] == ["cloud_api"]
    listed = api_client.get(URL).json()["data"]
    assert [link["allowedFlows"] for link in listed] == [["cloud_api"]]
    flows = page_config(created["id"])["flows"]
    assert [flow["flow"] for flow in flows] == ["cloud_api"]
    assert "featureType" not in flows[0]["loginOptions"]["extras"]


def test_both_flows_are_kept_in_order_without_duplicates_and_offered_on_the_page(api_client):
    created = create(api_client, allowedFlows=["whatsapp_business_app", "cloud_api", "whatsapp_business_app"])
    assert created.status_code == 201, created.content
    link = created.json()["data"]
    assert link["allowedFlows"] == ["whatsapp_business_app", "cloud_api"]
    assert OnboardingLink.objects.get(pk=link["id"]).allowed_flows == ["whatsapp_business_app", "cloud_api"]
    flows = {flow["flow"]: flow["loginOptions"]["extras"] for flow in page_config(link["id"])["flows"]}
    # Meta's documented featureType for onboarding a WhatsApp Business app number (coexistence).
    assert flows["whatsapp_business_app"] == {
        "setup": {},
        "sessionInfoVersion": "3",
        "version": "v4",
        "featureType": "whatsapp_business_app_onboarding",
    }
    assert flows["cloud_api"] == {"setup": {}, "sessionInfoVersion": "3", "version": "v4"}
    html = Client().get(f"/signup/{link['id']}").content.decode()
    assert 'name="signup-flow" value="whatsapp_business_app"' in html


def test_one_flow_asks_nothing(api_client):
    link = create(api_client, allowedFlows=["whatsapp_business_app"]).json()["data"]
    html = Client().get(f"/signup/{link['id']}").content.decode()
    assert "signup-flow" not in html
    (flow,) = page_config(link["id"])["flows"]
    assert flow["loginOptions"]["extras"]["featureType"] == "whatsapp_business_app_onboarding"


@pytest.mark.parametrize("value", [[], ["cloud"], "cloud_api", [1], [None], {"cloud_api": True}, ["x" * 10_000]])
def test_bad_flows_are_refused_with_the_error_envelope_and_nothing_is_created(api_client, value):
    answer = create(api_client, allowedFlows=value)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "validation_error" and "allowedFlows" in error["details"]
    assert len(json.dumps(error)) < 2000
    assert not OnboardingLink.objects.exists()


def test_null_means_the_default(api_client):
    assert create(api_client, allowedFlows=None).json()["data"]["allowedFlows"] == ["cloud_api"]
