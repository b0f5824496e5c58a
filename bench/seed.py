"""Bench data, written straight to the database (bulk_create in large batches, not the API)."""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from links.models import OnboardingLink
from organizations.models import Organization
from organizations.services import api_key_create

BATCH = 5_000


@dataclass(frozen=True)
class Org:
    organization: Organization
    key: str
    links: int
    any_link_id: str = ""


def organization_with_key(name: str) -> tuple[Organization, str]:
    organization = Organization.objects.create(name=name)
    return organization, api_key_create(organization=organization, name="bench").secret


def seed_links(name: str, count: int) -> Org:
    """`count` pending links, one second apart, newest first in the list like real traffic."""
    organization, key = organization_with_key(name)
    now = timezone.now()
    expires = now + timedelta(days=30)
    with transaction.atomic():
        for start in range(0, count, BATCH):
            OnboardingLink.objects.bulk_create(
                [
                    OnboardingLink(
                        organization=organization,
                        name=f"Customer {i}",
                        external_id=f"customer-{i}",
                        metadata={"customerId": f"customer-{i}", "locationCode": f"store-{i % 50:02d}"},
                        redirect_url="https://myapp.com/whatsapp/callback",
                        webhook_url="https://myapp.com/webhooks/whatsapp",
                        webhook_events=["phone_number.connected"],
                        created_at=now - timedelta(seconds=count - i),
                        expires_at=expires,
                    )
                    for i in range(start, min(count, start + BATCH))
                ],
                batch_size=BATCH,
            )
    ids = OnboardingLink.objects.filter(organization=organization).values_list("id", flat=True)
    middle = str(ids[count // 2]) if count else ""
    return Org(organization=organization, key=key, links=count, any_link_id=middle)


def seed_all(big: int, small: int) -> tuple[dict[str, Org], float]:
    started = time.monotonic()
    orgs = {
        "big": seed_links("Bench big", big),
        "small": seed_links("Bench small", small),
        "create": seed_links("Bench create", 0),
    }
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Statistics and the visibility map, as autovacuum gives a settled database (index-only scans).
            cursor.execute("VACUUM (ANALYZE) links_onboardinglink")
    return orgs, time.monotonic() - started
