"""`GET /v1/wabas/{id}/connection` against the document's example, over the sandbox."""

import pytest
from django.core.cache import cache

from phones.tests.helpers import DOCUMENT_METADATA, connect_phone
from sandbox.faults import inject_fault
from sandbox.models import SandboxCall
from wabas import graph_budget

pytestmark = pytest.mark.django_db(transaction=True)

# The document's example, key by key and in its order.
WABA_KEYS = ["id", "metaWabaId", "name", "currency", "ownerBusiness", "datasetId", "pageId", "token"]
ACCOUNT_KEYS = [
    "source",
    "business",
    "waba",
    "pageIds",
    "selectedPageId",
    "pages",
    "datasetIds",
    "selectedDatasetId",
    "catalogIds",
    "instagramAccountIds",
    "marketingMessagesOnboardingStatus",
    "graphLookupErrors",
]
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
    "createdAt",
    "updatedAt",
]
SESSION = {"datasetIds": ["901234567890123"], "catalogIds": ["345678901234567"], "instagramAccountIds": ["17841400"]}


def graph_calls(kind: str) -> int:
    return sum(SandboxCall.objects.filter(kind=kind).values_list("count", flat=True))


def test_connection_has_the_documents_keys_nesting_and_values(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for, session=SESSION)
    waba = phone.waba
    page_id = waba.page_ids[0]

    response = api_client.get(f"/v1/wabas/{waba.id}/connection")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data"] and list(body["data"]) == ["waba", "connectedAccount", "phones"]
    data = body["data"]
    assert list(data["waba"]) == WABA_KEYS
    assert data["waba"] == {
        "id": str(waba.id),
        "metaWabaId": waba.meta_waba_id,
        "name": waba.name,
        "currency": "USD",
        "ownerBusiness": {"id": waba.owner_business_id, "name": waba.owner_business_name},
        "datasetId": "901234567890123",
        "pageId": page_id,
        "token": {
            "needsReconnection": False,
            "invalidReason": None,
            "invalidAt": None,
            "expiresAt": None,
            "dataAccessExpiresAt": None,
        },
    }
    assert waba.name.endswith("WhatsApp") and waba.owner_business_name
    account = data["connectedAccount"]
    assert list(account) == ACCOUNT_KEYS
    assert account["source"] == "embedded_signup"
    assert account["business"] == data["waba"]["ownerBusiness"]
    assert list(account["waba"]) == ["id", "metaWabaId", "name", "currency"]
    assert account["waba"] == {
        "id": str(waba.id),
        "metaWabaId": waba.meta_waba_id,
        "name": waba.name,
        "currency": "USD",
    }
    assert account["pageIds"] == [page_id] and account["selectedPageId"] == page_id
    assert account["pages"] == [
        {"id": page_id, "name": f"{waba.owner_business_name} Page", "isFromOnboarding": True, "isSelectedForCapi": True}
    ]
    assert account["datasetIds"] == ["901234567890123"] and account["selectedDatasetId"] == "901234567890123"
    assert account["catalogIds"] == ["345678901234567"]
    assert account["instagramAccountIds"] == ["17841400"]
    assert account["marketingMessagesOnboardingStatus"] == {"status": "ELIGIBLE"}
    assert account["graphLookupErrors"] == []
    (shown,) = data["phones"]
    assert list(shown) == PHONE_KEYS
    assert shown["id"] == str(phone.id) and shown["metadata"] == DOCUMENT_METADATA
    assert list(shown["metadata"]) == list(DOCUMENT_METADATA)
    assert shown["externalId"] == "customer-123"


def test_a_failed_waba_lookup_is_reported_and_stored_ids_still_come_back(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for, session=SESSION)
    waba = phone.waba
    inject_fault(
        "graph_error",
        count=1,
        method="GET",
        path_contains=f"{waba.meta_waba_id}",
        status=400,
        code=200,
        message="(#200) Permissions error",
    )

    account = api_client.get(f"/v1/wabas/{waba.id}/connection").json()["data"]["connectedAccount"]

    assert account["graphLookupErrors"][0] == {"lookup": "waba", "code": 200, "message": "(#200) Permissions error"}
    assert account["waba"]["metaWabaId"] == waba.meta_waba_id and account["waba"]["name"] == waba.name
    assert account["business"]["id"] == waba.owner_business_id
    assert account["pageIds"] == waba.page_ids and account["datasetIds"] == ["901234567890123"]


def test_the_phone_detail_carries_the_same_connected_account(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for, session=SESSION)
    connection = api_client.get(f"/v1/wabas/{phone.waba_id}/connection").json()["data"]
    detail = api_client.get(f"/v1/phones/{phone.id}").json()["data"]
    assert detail["connectedAccount"] == connection["connectedAccount"]


def test_a_burst_of_reads_makes_one_lookup_per_ttl(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    before = graph_calls("GET waba")

    for _ in range(20):
        assert api_client.get(f"/v1/wabas/{phone.waba_id}/connection").status_code == 200
        assert api_client.get(f"/v1/phones/{phone.id}").status_code == 200

    assert graph_calls("GET waba") - before == 1


def test_lookups_stop_at_the_per_waba_budget(sandbox_graph, api_client, browser_for, settings, monkeypatch):
    settings.META_GRAPH_CALLS_PER_WABA_PER_HOUR = 5
    # The budget is per clock hour: hold the hour still, so a run across hh:00 cannot start a new
    # window halfway (that made this test fail at the top of the hour).
    monkeypatch.setattr(graph_budget, "_window_key", lambda meta_waba_id: f"wabas:graph-budget:{meta_waba_id}:test")
    phone = connect_phone(api_client, browser_for)
    before = graph_calls("GET waba") + graph_calls("GET business")

    for _ in range(10):
        cache.delete(f"wabas:lookup:{phone.waba_id}")  # as if the lookup cache had expired each time
        response = api_client.get(f"/v1/wabas/{phone.waba_id}/connection")
        assert response.status_code == 200
        assert response.json()["data"]["waba"]["metaWabaId"] == phone.waba.meta_waba_id

    assert graph_budget.remaining(phone.waba.meta_waba_id) == 0
    # Each refresh takes one unit per lookup (WABA node, page); the sandbox counts calls on the
    # nodes it serves, so the WABA reads it saw are at most the budget.
    assert graph_calls("GET waba") + graph_calls("GET business") - before <= 5


def test_meta_asking_to_wait_stops_lookups_until_then(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    inject_fault("rate_limit", count=1, path_contains=phone.waba.meta_waba_id, retry_after=120)

    first = api_client.get(f"/v1/wabas/{phone.waba_id}/connection").json()["data"]["connectedAccount"]
    assert first["graphLookupErrors"][0]["lookup"] == "waba"
    assert first["graphLookupErrors"][0]["code"] == 80008
    assert graph_budget.backing_off(phone.waba.meta_waba_id)

    calls = graph_calls("GET waba")
    cache.delete(f"wabas:lookup:{phone.waba_id}")
    second = api_client.get(f"/v1/wabas/{phone.waba_id}/connection").json()["data"]
    assert graph_calls("GET waba") == calls
    assert second["waba"]["name"] == phone.waba.name  # stored data


def test_another_organizations_connection_is_a_404(sandbox_graph, api_client, other_api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    response = other_api_client.get(f"/v1/wabas/{phone.waba_id}/connection")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
