from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.timefmt import isoformat_ms
from links.models import OnboardingLink
from links.tests.factories import OnboardingLinkFactory, completed_link, waiting_link
from links.tests.helpers import READ_KEYS, URL, post, with_webhook
from organizations.tests.factories import OrganizationFactory


@pytest.mark.django_db
def test_get_returns_the_link_without_its_secret(api_client):
    created = post(api_client, with_webhook(webhookSecret="whsec_my_secret_key_123")).json()["data"]

    response = api_client.get(f"{URL}/{created['id']}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == READ_KEYS
    assert {key: value for key, value in created.items() if key != "webhookSecret"} == data
    assert "whsec_my_secret_key_123" not in response.content.decode()


@pytest.mark.django_db
def test_list_never_returns_the_secret(api_client):
    post(api_client, with_webhook(webhookSecret="whsec_my_secret_key_123"))

    response = api_client.get(URL)

    assert list(response.json()["data"][0]) == READ_KEYS
    assert "whsec_my_secret_key_123" not in response.content.decode()


@pytest.mark.django_db
def test_completed_link_is_enriched_with_our_phone_and_waba_ids(api_client, organization, settings):
    link = completed_link(organization=organization, external_id="customer-123")

    data = api_client.get(f"{URL}/{link.id}").json()["data"]

    assert data["status"] == "completed"
    assert data["phoneNumberId"] == str(link.phone_id)
    assert data["phoneNumber"] == "+5491155551234"
    assert data["wabaId"] == str(link.waba_id)
    assert data["isPhoneRegistered"] is True
    assert data["completedAt"] == isoformat_ms(link.completed_at)
    assert data["hostedUrl"] == f"{settings.PUBLIC_BASE_URL}/signup/{link.id}"


@pytest.mark.django_db
def test_reading_links_never_reads_the_phones_pin_or_the_webhook_secret(api_client, organization, monkeypatch):
    """Answers show neither: a `GET` or a page reads the phone's number, not the rest of its row,
    so no secret is decrypted for an answer that never shows it."""
    from core import crypto

    link = completed_link(organization=organization, webhook_secret="whsec_never_read")
    link.phone.pin = "123456"
    link.phone.save()
    api_client.get(f"{URL}/{link.id}")  # the key's first request also records its last use
    decrypted: list[str] = []
    real_decrypt = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda value: decrypted.append(value) or real_decrypt(value))

    with CaptureQueriesContext(connection) as queries:
        one = api_client.get(f"{URL}/{link.id}").json()["data"]
        page = api_client.get(URL).json()["data"]

    assert one["phoneNumber"] == page[0]["phoneNumber"] == "+5491155551234"
    assert decrypted == []
    assert len(queries) == 5  # the key, the link; the key, the kept total (or count), the page
    for query in queries:
        assert '"pin"' not in query["sql"] and '"webhook_secret"' not in query["sql"], query["sql"]


@pytest.mark.django_db
def test_error_link_shows_its_message(api_client, organization):
    link = OnboardingLinkFactory(organization=organization, status="error", error="The code has expired.")

    data = api_client.get(f"{URL}/{link.id}").json()["data"]

    assert data["status"] == "error"
    assert data["error"] == "The code has expired."


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "delete"])
def test_another_organizations_link_is_404(api_client, other_api_client, method):
    link_id = post(other_api_client, with_webhook()).json()["data"]["id"]

    response = getattr(api_client, method)(f"{URL}/{link_id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert OnboardingLink.objects.filter(pk=link_id).exists()


@pytest.mark.django_db
def test_another_organizations_links_are_not_listed(api_client, other_api_client):
    post(other_api_client, with_webhook())

    body = api_client.get(URL).json()

    assert body["data"] == []
    assert body["meta"]["total"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize(
    "link_id", ["not-a-uuid", "550e8400-e29b-41d4-a716-446655440000", "1", "550e8400e29b41d4a716446655440000x"]
)
def test_unknown_or_malformed_id_is_404(api_client, method, link_id):
    response = getattr(api_client, method)(f"{URL}/{link_id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch"])
def test_links_cannot_be_updated(api_client, organization, method):
    link = OnboardingLinkFactory(organization=organization)

    response = getattr(api_client, method)(f"{URL}/{link.id}", data={}, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_trailing_slash_is_optional(api_client, organization):
    link = OnboardingLinkFactory(organization=organization)

    assert api_client.get(f"{URL}/").status_code == 200
    assert api_client.get(f"{URL}/{link.id}/").status_code == 200


@pytest.mark.django_db
def test_list_is_newest_first(api_client, organization):
    now = timezone.now()
    old = OnboardingLinkFactory(organization=organization, created_at=now - timedelta(days=2))
    new = OnboardingLinkFactory(organization=organization, created_at=now)
    middle = OnboardingLinkFactory(organization=organization, created_at=now - timedelta(days=1))

    ids = [item["id"] for item in api_client.get(URL).json()["data"]]

    assert ids == [str(new.id), str(middle.id), str(old.id)]


@pytest.mark.django_db
def test_pages_and_meta(api_client, organization):
    now = timezone.now()
    links = [OnboardingLinkFactory(organization=organization, created_at=now - timedelta(seconds=i)) for i in range(7)]

    first = api_client.get(URL, {"page": 1, "limit": 3}).json()
    third = api_client.get(URL, {"page": 3, "limit": 3}).json()
    beyond = api_client.get(URL, {"page": 4, "limit": 3}).json()

    assert [item["id"] for item in first["data"]] == [str(link.id) for link in links[:3]]
    assert first["meta"] == {"page": 1, "limit": 3, "total": 7, "totalPages": 3}
    assert [item["id"] for item in third["data"]] == [str(links[6].id)]
    assert beyond["data"] == []
    assert beyond["meta"] == {"page": 4, "limit": 3, "total": 7, "totalPages": 3}


@pytest.mark.django_db
def test_default_page_is_50(api_client, organization):
    OnboardingLinkFactory.create_batch(51, organization=organization)

    body = api_client.get(URL).json()

    assert len(body["data"]) == 50
    assert body["meta"] == {"page": 1, "limit": 50, "total": 51, "totalPages": 2}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [({"page": 0}, "page"), ({"limit": 101}, "limit"), ({"limit": "x"}, "limit"), ({"status": "done"}, "status")],
)
def test_bad_list_parameters_are_400(api_client, params, field):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "processing", "completed", "error", "expired"])
def test_filter_by_status(api_client, organization, status):
    by_status = {s: OnboardingLinkFactory(organization=organization, status=s) for s in OnboardingLink.Status.values}

    data = api_client.get(URL, {"status": status}).json()["data"]

    assert [item["id"] for item in data] == [str(by_status[status].id)]
    assert data[0]["status"] == status


@pytest.mark.django_db
def test_filter_by_external_id(api_client, organization):
    OnboardingLinkFactory(organization=organization, external_id="customer-1")
    wanted = OnboardingLinkFactory(organization=organization, external_id="customer-123")
    OnboardingLinkFactory(organization=organization, external_id="customer-1234")

    body = api_client.get(URL, {"externalId": "customer-123"}).json()

    assert [item["id"] for item in body["data"]] == [str(wanted.id)]
    assert body["meta"]["total"] == 1


@pytest.mark.django_db
def test_filters_combine(api_client, organization):
    OnboardingLinkFactory(organization=organization, external_id="customer-1", status="completed")
    wanted = OnboardingLinkFactory(organization=organization, external_id="customer-1")
    OnboardingLinkFactory(organization=organization, external_id="customer-2")

    data = api_client.get(URL, {"externalId": "customer-1", "status": "pending"}).json()["data"]

    assert [item["id"] for item in data] == [str(wanted.id)]


def _list_queries(client, limit: int) -> int:
    client.get(URL, {"limit": limit})  # the first request of a key also records its last use
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"limit": limit})
    assert len(response.json()["data"]) == limit
    return len(queries)


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_whatever_its_size(api_client, organization, django_assert_max_num_queries):
    OnboardingLinkFactory.create_batch(25, organization=organization)
    for _ in range(25):  # the newest: both pages show phones
        completed_link(organization=organization)

    small = _list_queries(api_client, 5)
    large = _list_queries(api_client, 50)

    assert small == large
    with django_assert_max_num_queries(4):  # the API key, the kept total, the page, the page's phones
        api_client.get(URL, {"limit": 50})


def waiting_links(**kwargs: object) -> list[OnboardingLink]:
    """Processing links waiting for a PIN, for a pick, and for nothing (the attempt runs)."""
    return [waiting_link(status, **kwargs) for status in ("awaiting_pin", "awaiting_phone", "running")]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [None, "pending"])
def test_pages_read_from_either_end_list_every_link_once_in_order(api_client, organization, status):
    OnboardingLinkFactory.create_batch(7, organization=organization)
    query = {"status": status} if status else {}
    everything = [item["id"] for item in api_client.get(URL, {**query, "limit": 100}).json()["data"]]

    pages = [api_client.get(URL, {**query, "limit": 2, "page": page}).json() for page in (1, 2, 3, 4, 5)]

    assert [item["id"] for page in pages for item in page["data"]] == everything
    assert [len(page["data"]) for page in pages] == [2, 2, 2, 1, 0]
    assert {page["meta"]["total"] for page in pages} == {7}


@pytest.mark.django_db
def test_the_unfiltered_list_reads_the_kept_total_and_equals_the_filtered_path(api_client, organization):
    """On PostgreSQL the unfiltered list reads its total from LinkTotal (no COUNT); every page of it
    equals what the filtered path answers (`status=pending` here matches every link)."""
    from core.tests.services_gate import require_postgres

    require_postgres()
    now = timezone.now()
    for i in range(9):
        OnboardingLinkFactory(organization=organization, created_at=now - timedelta(seconds=i))
    OnboardingLinkFactory(organization=OrganizationFactory())  # another organization's: never counted
    api_client.get(URL)

    for limit in (1, 2, 4, 9, 50):
        for page in range(1, -(-9 // limit) + 2):  # every page, and one past the end
            with CaptureQueriesContext(connection) as queries:
                fast = api_client.get(URL, {"limit": limit, "page": page})
            # The API key's read (every request, so revocation is immediate), the kept total, the page
            # (none past the end).
            assert len(queries) == (3 if page <= -(-9 // limit) else 2), [q["sql"][:80] for q in queries]
            assert not any("COUNT(" in q["sql"] for q in queries)
            general = api_client.get(URL, {"limit": limit, "page": page, "status": "pending"})
            assert fast.status_code == general.status_code == 200
            assert fast.json() == general.json()
            assert fast.json()["meta"]["total"] == 9


@pytest.mark.django_db
def test_get_answers_the_presenters_json_keeping_metadata_order_and_escaping_line_separators(api_client, organization):
    """A GET answers the presenter's JSON byte for byte, for links in every state: metadata keys in
    the order sent, U+2028 and U+2029 escaped (JavaScript string literals cannot hold them)."""
    from rest_framework.renderers import JSONRenderer

    from links.presenters import link_json

    odd_time = timezone.now().replace(microsecond=999999)
    links = [
        OnboardingLinkFactory(
            organization=organization,
            name='Line\u2028sep \u2029 «ü» "quoted"',
            created_at=odd_time,
            metadata={"zeta": 1.5, "alpha": "ünï", "none": None, "flag": False, "big": 12345678901234567890},
        ),
        OnboardingLinkFactory(organization=organization, past_expiry=True, external_id=None, redirect_url=None),
        OnboardingLinkFactory(
            organization=organization, with_webhook=True, status=OnboardingLink.Status.ERROR, error="No."
        ),
        completed_link(organization=organization, with_webhook=True),
    ]
    nameless = completed_link(organization=organization)
    nameless.phone.phone_number = ""
    nameless.phone.save()
    links.append(nameless)
    links.extend(waiting_links(organization=organization))
    for link in links:
        response = api_client.get(f"{URL}/{link.id}")
        link = OnboardingLink.objects.select_related("phone").get(pk=link.pk)
        expected = {"data": link_json(link)}
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.json() == expected
        assert list(response.json()["data"]) == list(expected["data"])
        assert list(response.json()["data"]["metadata"]) == list(expected["data"]["metadata"])
        assert "\u2028" not in response.content.decode() and "\u2029" not in response.content.decode()
        assert response.content == JSONRenderer().render(expected)
