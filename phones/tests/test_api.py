"""`GET /v1/phones` and `GET /v1/phones/{id}`: the contract's fields, filters, paging, isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phones.models import Phone
from phones.tests.factories import PhoneFactory, WabaFactory
from phones.tests.helpers import DOCUMENT_METADATA, connect_phone

PHONE_KEYS = [
    "id",
    "phoneNumber",
    "displayName",
    "metaPhoneNumberId",
    "wabaId",
    "metaWabaId",
    "isRegistered",
    "qualityRating",
    "status",
    "disconnectedReason",
    "metadata",
    "externalId",
    "onboardingLinkId",
    "inboundWebhookUrl",
    "connectedAccount",
    "createdAt",
    "updatedAt",
]


@pytest.mark.django_db(transaction=True)
def test_detail_of_a_signed_up_phone_has_every_contract_field(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)

    response = api_client.get(f"/v1/phones/{phone.id}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == PHONE_KEYS
    assert data["id"] == str(phone.id)
    assert data["phoneNumber"].startswith("+1555") and data["phoneNumber"][1:].isdigit()
    assert data["displayName"] == phone.display_name and data["displayName"]
    assert data["metaPhoneNumberId"] == phone.meta_phone_number_id
    assert data["wabaId"] == str(phone.waba_id) and data["metaWabaId"] == phone.waba.meta_waba_id
    assert data["isRegistered"] is True and data["qualityRating"] == "GREEN" and data["status"] == "connected"
    assert data["metadata"] == DOCUMENT_METADATA and list(data["metadata"]) == list(DOCUMENT_METADATA)
    assert data["externalId"] == "customer-123"
    assert data["onboardingLinkId"] == str(phone.onboarding_link_id)
    assert data["inboundWebhookUrl"] == f"{sandbox_graph}/webhook/phone/{phone.id}"
    assert data["connectedAccount"]["waba"]["id"] == str(phone.waba_id)
    assert data["createdAt"].endswith("Z") and data["updatedAt"].endswith("Z")


@pytest.mark.django_db
def test_list_is_newest_first_and_paginated(api_client, organization):
    now = timezone.now()
    phones = [PhoneFactory(organization=organization) for _ in range(3)]
    for age, phone in enumerate(phones):
        Phone.objects.filter(pk=phone.pk).update(created_at=now - timedelta(minutes=age))

    body = api_client.get("/v1/phones?limit=2").json()

    assert [p["id"] for p in body["data"]] == [str(phones[0].id), str(phones[1].id)]
    assert body["meta"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
    assert list(body["data"][0]) == PHONE_KEYS
    assert body["data"][0]["metadata"] == {"customerId": "customer-123", "locationCode": "store-01"}
    assert api_client.get("/v1/phones?page=2&limit=2").json()["data"][0]["id"] == str(phones[2].id)


@pytest.mark.django_db
def test_list_filters_by_waba_and_external_id(api_client, organization):
    waba = WabaFactory(organization=organization)
    mine = PhoneFactory(organization=organization, waba=waba, external_id="customer-9")
    PhoneFactory(organization=organization)

    by_waba = api_client.get(f"/v1/phones?wabaId={waba.id}").json()["data"]
    by_external = api_client.get("/v1/phones?externalId=customer-9").json()["data"]

    assert [p["id"] for p in by_waba] == [str(mine.id)]
    assert [p["id"] for p in by_external] == [str(mine.id)]
    assert api_client.get("/v1/phones?externalId=nobody").json()["data"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["wabaId=not-a-uuid", "limit=0", "page=abc", "limit=101"])
def test_bad_list_parameters_are_a_400(api_client, query):
    response = api_client.get(f"/v1/phones?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db
def test_list_costs_the_same_queries_for_3_or_30_phones(api_client, organization, django_assert_max_num_queries):
    for _ in range(3):
        PhoneFactory(organization=organization)
    with django_assert_max_num_queries(20) as few:
        assert api_client.get("/v1/phones").status_code == 200
    for _ in range(27):
        PhoneFactory(organization=organization, waba=WabaFactory(organization=organization))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api_client.get("/v1/phones").json()["data"]) == 30


@pytest.mark.django_db
def test_another_organizations_phone_is_a_404_everywhere(api_client, other_api_client, organization):
    phone = PhoneFactory(organization=organization)

    for path in (f"/v1/phones/{phone.id}", f"/v1/phones/{phone.id}/health"):
        response = other_api_client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert other_api_client.get("/v1/phones").json()["data"] == []
    assert other_api_client.get(f"/v1/phones?wabaId={phone.waba_id}").json()["data"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/v1/phones/not-a-uuid", "/v1/phones/00000000-0000-0000-0000-000000000000/health"])
def test_unknown_ids_are_a_json_404(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_the_api_needs_a_key(anon_client, organization):
    phone = PhoneFactory(organization=organization)
    for path in ("/v1/phones", f"/v1/phones/{phone.id}", f"/v1/phones/{phone.id}/health"):
        assert anon_client.get(path).status_code == 401


@pytest.mark.django_db
def test_trailing_slash_is_optional(api_client, organization):
    phone = PhoneFactory(organization=organization)
    assert api_client.get("/v1/phones/").status_code == 200
    assert api_client.get(f"/v1/phones/{phone.id}/").status_code == 200


@pytest.mark.django_db
def test_openapi_documents_the_phone_and_waba_endpoints(api_client):
    schema = api_client.get("/v1/openapi.json").json()
    for path in ("/v1/phones", "/v1/phones/{id}", "/v1/phones/{id}/health", "/v1/wabas", "/v1/wabas/{id}"):
        assert path in schema["paths"], path
    assert "/v1/wabas/{id}/connection" in schema["paths"]
    detail = schema["components"]["schemas"]["Phone"]["properties"]
    assert list(detail) == PHONE_KEYS
