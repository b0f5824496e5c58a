"""On PostgreSQL the list's `meta.total` comes from `LinkTotal`, which database triggers keep exact."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.tests.services_gate import require_postgres
from links.models import LinkTotal, OnboardingLink
from links.tests.factories import OnboardingLinkFactory
from links.tests.helpers import URL, minimal, post
from organizations.models import Organization
from organizations.tests.factories import OrganizationFactory


def kept(organization) -> int:
    return LinkTotal.objects.filter(organization=organization).values_list("links", flat=True).first() or 0


def counted(organization) -> int:
    return OnboardingLink.objects.filter(organization=organization).count()


@pytest.mark.django_db
def test_every_way_a_link_comes_or_goes_is_counted(api_client, organization):
    require_postgres()
    other = OrganizationFactory()
    for _ in range(3):
        assert post(api_client, minimal()).status_code == 201
    OnboardingLinkFactory.create_batch(2, organization=organization)
    OnboardingLink.objects.bulk_create(
        [OnboardingLinkFactory.build(organization=organization) for _ in range(4)]
        + [OnboardingLinkFactory.build(organization=other)]
    )
    assert kept(organization) == counted(organization) == 9
    assert kept(other) == counted(other) == 1

    doomed = OnboardingLink.objects.filter(organization=organization).order_by("created_at")
    assert api_client.delete(f"{URL}/{doomed[0].pk}").status_code == 204
    OnboardingLink.objects.filter(pk__in=[link.pk for link in doomed[:2]]).delete()
    moved = OnboardingLink.objects.filter(organization=organization).first()
    moved.organization = other
    moved.save()
    assert kept(organization) == counted(organization) == 5
    assert kept(other) == counted(other) == 2

    Organization.objects.filter(pk=other.pk).delete()  # the cascade takes links and their total
    assert not LinkTotal.objects.filter(organization_id=other.pk).exists()
    assert kept(organization) == 5


@pytest.mark.django_db
def test_the_unfiltered_list_reads_the_kept_total_and_a_filtered_one_counts(api_client, organization):
    require_postgres()
    OnboardingLinkFactory.create_batch(3, organization=organization)
    OnboardingLinkFactory(organization=organization, external_id="wanted")
    OnboardingLinkFactory.create_batch(2)  # another organization's links count for it, not here

    with CaptureQueriesContext(connection) as queries:
        unfiltered = api_client.get(f"{URL}?limit=2").json()["meta"]
    filtered = api_client.get(f"{URL}?externalId=wanted").json()["meta"]

    assert unfiltered == {"page": 1, "limit": 2, "total": 4, "totalPages": 2}
    assert filtered["total"] == 1
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_and_deletes_keep_the_total_exact(issued_key, organization):
    require_postgres()
    barrier = threading.Barrier(8)
    failures: list[int] = []

    def work() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_key.secret}")
        barrier.wait()
        try:
            ids = []
            for _ in range(5):
                response = post(client, minimal())
                if response.status_code != 201:
                    failures.append(response.status_code)
                    continue
                ids.append(response.json()["data"]["id"])
            if client.delete(f"{URL}/{ids[0]}").status_code != 204:
                failures.append(0)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert kept(organization) == counted(organization) == 8 * 4


@pytest.mark.django_db
def test_the_triggers_are_installed_on_postgresql():
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'links_onboardinglink'::regclass AND NOT tgisinternal"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"links_total_inserted", "links_total_deleted", "links_total_moved"}
