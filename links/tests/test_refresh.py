"""A link's refreshUrl (issue 19): validated like redirectUrl, shown by GET and list, and the
hosted page of an expired or deleted link sends the end-user there."""

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from links.models import DeletedLink, OnboardingLink
from links.tests.factories import OnboardingLinkFactory

pytestmark = pytest.mark.django_db

REFRESH_URL = "https://myapp.example/whatsapp/refresh?tenant=acme"


def create(api_client, **fields):
    return api_client.post("/v1/onboarding-links", {"name": "Acme Corp", **fields}, format="json")


def expire(link_id) -> None:
    OnboardingLink.objects.filter(pk=link_id).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_refresh_url_is_stored_and_shown_by_get_and_list(api_client):
    created = create(api_client, externalId="customer-123", refreshUrl=REFRESH_URL)
    assert created.status_code == 201
    link_id = created.json()["data"]["id"]
    assert created.json()["data"]["refreshUrl"] == REFRESH_URL
    assert api_client.get(f"/v1/onboarding-links/{link_id}").json()["data"]["refreshUrl"] == REFRESH_URL
    assert api_client.get("/v1/onboarding-links").json()["data"][0]["refreshUrl"] == REFRESH_URL
    assert create(api_client).json()["data"]["refreshUrl"] is None


@pytest.mark.parametrize(
    "url",
    [
        "http://myapp.example/refresh",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://user:pass@myapp.example/refresh",
        "/relative",
        "https://",
        "ftp://myapp.example/x",
        42,
        "https://myapp\x7f.example/refresh",  # DEL: browsers cannot parse the host
        "https://myapp.example/\x80refresh",  # a C1 control
    ],
)
def test_refresh_url_follows_the_redirect_url_rules(api_client, url):
    for field in ("redirectUrl", "refreshUrl"):
        response = create(api_client, **{field: url})
        assert response.status_code == 400, (field, url)
        assert field in response.json()["error"]["details"]
    assert not OnboardingLink.objects.exists()


def test_the_page_of_an_expired_link_redirects_to_the_refresh_url(client, api_client):
    link_id = create(api_client, externalId="customer-123", refreshUrl=REFRESH_URL).json()["data"]["id"]
    expire(link_id)

    response = client.get(f"/signup/{link_id}")

    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://myapp.example/whatsapp/refresh"
    assert parse_qsl(parts.query) == [
        ("tenant", "acme"),
        ("onboarding_link_id", link_id),
        ("external_id", "customer-123"),
        ("reason", "expired"),
    ]
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "strict-origin"


def test_a_link_expired_by_the_job_redirects_too_and_without_external_id_none_is_sent(client, organization):
    link = OnboardingLinkFactory(
        organization=organization, external_id=None, refresh_url=REFRESH_URL, status=OnboardingLink.Status.EXPIRED
    )
    location = client.get(f"/signup/{link.pk}")["Location"]
    assert parse_qsl(urlsplit(location).query) == [
        ("tenant", "acme"),
        ("onboarding_link_id", str(link.pk)),
        ("reason", "expired"),
    ]


def test_without_refresh_url_an_expired_link_keeps_its_page(client, organization):
    link = OnboardingLinkFactory(organization=organization, past_expiry=True)
    response = client.get(f"/signup/{link.pk}")
    assert response.status_code == 200
    assert b'data-state="expired"' in response.content


@pytest.mark.parametrize(
    "status", [OnboardingLink.Status.PENDING, OnboardingLink.Status.COMPLETED, OnboardingLink.Status.ERROR]
)
def test_a_link_that_has_not_expired_keeps_its_page(client, organization, status):
    link = OnboardingLinkFactory(organization=organization, refresh_url=REFRESH_URL, status=status)
    response = client.get(f"/signup/{link.pk}")
    assert response.status_code == 200
    assert f'data-state="{status}"'.encode() in response.content


def test_a_completed_link_past_its_expiry_still_shows_success(client, organization):
    link = OnboardingLinkFactory(
        organization=organization, refresh_url=REFRESH_URL, status=OnboardingLink.Status.COMPLETED, past_expiry=True
    )
    response = client.get(f"/signup/{link.pk}")
    assert response.status_code == 200
    assert b'data-state="completed"' in response.content


def test_the_page_of_a_deleted_link_redirects_with_reason_deleted(client, api_client):
    link_id = create(api_client, externalId="customer-123", refreshUrl=REFRESH_URL).json()["data"]["id"]
    assert api_client.delete(f"/v1/onboarding-links/{link_id}").status_code == 204

    response = client.get(f"/signup/{link_id}")

    assert response.status_code == 302
    assert parse_qsl(urlsplit(response["Location"]).query) == [
        ("tenant", "acme"),
        ("onboarding_link_id", link_id),
        ("external_id", "customer-123"),
        ("reason", "deleted"),
    ]
    # Deleted for the API all the same.
    assert api_client.get(f"/v1/onboarding-links/{link_id}").status_code == 404


def test_a_deleted_link_without_refresh_url_is_the_not_found_page(client, api_client):
    link_id = create(api_client).json()["data"]["id"]
    api_client.delete(f"/v1/onboarding-links/{link_id}")
    assert client.get(f"/signup/{link_id}").status_code == 404
    assert not DeletedLink.objects.exists()


def test_a_refused_delete_keeps_no_deleted_link(api_client, organization):
    link = OnboardingLinkFactory(organization=organization, refresh_url=REFRESH_URL, status="completed")
    assert api_client.delete(f"/v1/onboarding-links/{link.pk}").status_code == 409
    assert not DeletedLink.objects.exists()


def test_the_schema_describes_refresh_url(api_client):
    schemas = api_client.get("/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["OnboardingLinkCreateRequest"]["properties"]["refreshUrl"]["format"] == "uri"
    assert "refreshUrl" in schemas["OnboardingLink"]["properties"]


def test_a_deleted_link_is_forgotten_after_its_retention(client, api_client, settings):
    from links.tasks import prune_deleted_links

    settings.DELETED_LINK_RETENTION_DAYS = 30
    old, recent = (create(api_client, refreshUrl=REFRESH_URL).json()["data"]["id"] for _ in range(2))
    for link_id in (old, recent):
        api_client.delete(f"/v1/onboarding-links/{link_id}")
    DeletedLink.objects.filter(pk=old).update(deleted_at=timezone.now() - timedelta(days=31))

    assert prune_deleted_links.delay().get() == 1

    assert client.get(f"/signup/{old}").status_code == 404
    assert client.get(f"/signup/{recent}").status_code == 302
