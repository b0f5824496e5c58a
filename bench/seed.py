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


def seed_history(count: int) -> None:
    """What a service that carries traffic has in its queue tables: `count` events of yesterday,
    each delivered once (one attempt), for an organization of their own. The streams are measured
    on these tables, not on empty ones: PostgreSQL plans a statement on a table's size when it
    first runs on a connection (and a foreign key's check for as long as the connection lives), and
    a plan made on an empty table reads the whole table once it has grown."""
    from webhooks.endpoints import webhook_create
    from webhooks.models import Delivery, DeliveryAttempt, Event

    organization = Organization.objects.create(name="Bench history")
    webhook = webhook_create(
        organization=organization, url="https://example.com/history", events=["message.received"]
    ).webhook
    then = timezone.now() - timedelta(days=1)
    with transaction.atomic():
        for start in range(0, count, BATCH):
            events = Event.objects.bulk_create(
                Event(organization=organization, type="message.received", payload="{}", created_at=then)
                for _ in range(start, min(count, start + BATCH))
            )
            deliveries = Delivery.objects.bulk_create(
                Delivery(
                    event=event,
                    webhook=webhook,
                    status=Delivery.Status.SUCCEEDED,
                    attempts=1,
                    last_status_code=204,
                    last_attempt_at=then,
                    completed_at=then,
                )
                for event in events
            )
            DeliveryAttempt.objects.bulk_create(
                DeliveryAttempt(delivery=delivery, number=1, status_code=204, duration_ms=5, finished_at=then)
                for delivery in deliveries
            )


def seed_all(big: int, small: int, history: int) -> tuple[dict[str, Org], float]:
    started = time.monotonic()
    orgs = {
        "big": seed_links("Bench big", big),
        "small": seed_links("Bench small", small),
        "create": seed_links("Bench create", 0),
    }
    seed_history(history)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Statistics and the visibility map, as autovacuum gives a settled database (index-only scans).
            for table in ("links_onboardinglink", "webhooks_event", "webhooks_delivery", "webhooks_deliveryattempt"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")  # our own table names
    return orgs, time.monotonic() - started
