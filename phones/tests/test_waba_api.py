"""`GET /v1/wabas` and `GET /v1/wabas/{id}`: shape, phones with their links' metadata, isolation."""

import pytest

from phones.tests.factories import PhoneFactory, WabaFactory

WABA_KEYS = [
    "id",
    "metaWabaId",
    "name",
    "currency",
    "ownerBusiness",
    "datasetId",
    "pageId",
    "isAppSubscribed",
    "token",
    "phones",
    "connectedAt",
    "createdAt",
    "updatedAt",
]
PHONE_KEYS = [
    "id",
    "phoneNumber",
    "displayName",
    "metaPhoneNumberId",
    "status",
    "disconnectedReason",
    "externalId",
    "onboardingLinkId",
    "metadata",
]


@pytest.mark.django_db
def test_detail_shows_the_waba_and_its_phones_metadata(api_client, organization):
    waba = WabaFactory(organization=organization)
    phone = PhoneFactory(organization=organization, waba=waba, metadata={"crmAccountId": "crm_789", "tier": 2})

    response = api_client.get(f"/v1/wabas/{waba.id}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == WABA_KEYS
    assert data["id"] == str(waba.id) and data["metaWabaId"] == waba.meta_waba_id
    assert data["name"] == "Acme WhatsApp Business Account" and data["currency"] == "USD"
    assert data["ownerBusiness"] == {"id": waba.owner_business_id, "name": "Acme Business Portfolio"}
    assert data["datasetId"] == "901234567890123" and data["pageId"] == "789012345678901"
    assert data["isAppSubscribed"] is True
    (shown,) = data["phones"]
    assert list(shown) == PHONE_KEYS
    assert shown["id"] == str(phone.id) and shown["externalId"] == phone.external_id
    assert shown["metadata"] == {"crmAccountId": "crm_789", "tier": 2}


@pytest.mark.django_db
def test_list_is_newest_first_with_phones(api_client, organization):
    older = WabaFactory(organization=organization)
    newer = WabaFactory(organization=organization)
    PhoneFactory(organization=organization, waba=newer)

    body = api_client.get("/v1/wabas").json()

    assert [w["id"] for w in body["data"]] == [str(newer.id), str(older.id)]
    assert body["meta"] == {"page": 1, "limit": 50, "total": 2, "totalPages": 1}
    assert len(body["data"][0]["phones"]) == 1 and body["data"][1]["phones"] == []
    assert body["data"][0]["phones"][0]["metadata"] == {"customerId": "customer-123", "locationCode": "store-01"}


@pytest.mark.django_db
def test_a_waba_without_optional_facts_shows_nulls(api_client, organization):
    waba = WabaFactory(
        organization=organization,
        name="",
        currency="",
        owner_business_id="",
        owner_business_name="",
        page_ids=[],
        pages=[],
        dataset_ids=[],
    )
    data = api_client.get(f"/v1/wabas/{waba.id}").json()["data"]
    assert data["name"] is None and data["currency"] is None
    assert data["ownerBusiness"] == {"id": None, "name": None}
    assert data["datasetId"] is None and data["pageId"] is None


@pytest.mark.django_db
def test_list_costs_the_same_queries_for_2_or_20_wabas(api_client, organization, django_assert_max_num_queries):
    for _ in range(2):
        PhoneFactory(organization=organization)
    with django_assert_max_num_queries(20) as few:
        assert api_client.get("/v1/wabas").status_code == 200
    for _ in range(18):
        PhoneFactory(organization=organization)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api_client.get("/v1/wabas").json()["data"]) == 20


@pytest.mark.django_db
def test_another_organizations_waba_is_a_404_everywhere(api_client, other_api_client, organization):
    waba = PhoneFactory(organization=organization).waba

    for path in (f"/v1/wabas/{waba.id}", f"/v1/wabas/{waba.id}/connection"):
        response = other_api_client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert other_api_client.get("/v1/wabas").json()["data"] == []


@pytest.mark.django_db
def test_connection_of_a_waba_without_a_token_answers_from_stored_facts(api_client, organization):
    """No token (or no connected phone): no live lookup, the stored facts as captured."""
    phone = PhoneFactory(organization=organization)
    data = api_client.get(f"/v1/wabas/{phone.waba_id}/connection").json()["data"]
    account = data["connectedAccount"]
    assert account["graphLookupErrors"] == []
    assert account["pages"] == [
        {"id": "789012345678901", "name": "Acme Facebook Page", "isFromOnboarding": True, "isSelectedForCapi": True}
    ]
    assert account["marketingMessagesOnboardingStatus"] == {"status": "COMPLETED"}
    assert [p["id"] for p in data["phones"]] == [str(phone.id)]
    assert "connectedAccount" not in data["phones"][0]
