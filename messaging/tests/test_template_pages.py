"""The template list's pages over a WABA with more templates than the paginator reads at once
(Meta allows thousands to a verified business): every page of Meta's list, page by page."""

import pytest
import responses

from phones.tests.factories import WabaFactory

pytestmark = pytest.mark.django_db

GRAPH = "https://graph.example.test"
TEMPLATES = 1234


@pytest.fixture
def waba(organization, settings):
    settings.META_GRAPH_BASE_URL = GRAPH
    settings.META_SANDBOX = False
    settings.META_APP_ID, settings.META_APP_SECRET = "1234", "app-secret-for-tests"
    return WabaFactory(organization=organization, access_token="EAAtemplates-token")


@responses.activate
def test_every_page_of_a_long_template_list_is_served(api_client, waba, settings):
    items = [
        {"id": str(10**15 + n), "name": f"t_{n:04d}", "language": "en_US", "status": "APPROVED", "category": "UTILITY"}
        for n in range(TEMPLATES)
    ]
    responses.get(f"{GRAPH}/{settings.META_GRAPH_VERSION}/{waba.meta_waba_id}/message_templates", json={"data": items})

    pages = [api_client.get(f"/v1/wabas/{waba.id}/message-templates?page={page}&limit=100") for page in range(1, 14)]

    assert [page.status_code for page in pages] == [200] * 13, pages[-1].content[:300]
    names = [template["name"] for page in pages for template in page.json()["data"]]
    assert names == [item["name"] for item in items]
    assert pages[-1].json()["meta"] == {"page": 13, "limit": 100, "total": TEMPLATES, "totalPages": 13}
    assert len(responses.calls) == 1  # read once, then from the cache
