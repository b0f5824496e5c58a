"""How PostgreSQL finds the rows a batch claims: by primary key, never through the due queue's index.

The due queue's partial index (`delivery_due`) holds every pending or sending delivery, and until
vacuum also every one that finished since. A claim knows its rows' ids; read through that index it
reads all of it. PostgreSQL picks that plan when the index looks empty in its statistics (taken
when nothing was pending), which in the benchmark made one stream's claims read 50 million index
entries.
"""

import pytest
from django.db import connection
from django.utils import timezone

from core.events import MESSAGE_RECEIVED
from core.tests.services_gate import require_postgres
from webhooks.delivery.claiming import deliveries_claim
from webhooks.models import Delivery, Event
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db


def plans_of_delivery_statements(run) -> list[str]:
    """The plans PostgreSQL chose for each statement on the deliveries' table while `run()` ran."""
    plans: list[str] = []

    def explain(execute, sql, params, many, context):
        if not many and "webhooks_delivery" in sql and sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
            with connection.cursor() as cursor:
                # EXPLAIN without ANALYZE: the plan only, nothing runs twice.
                cursor.cursor.execute("EXPLAIN " + sql, params)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        run()
    return plans


def test_a_claim_reads_its_rows_by_primary_key_when_the_due_index_looks_empty(monkeypatch):
    require_postgres()
    monkeypatch.setattr("webhooks.delivery.queueing.enqueue_on_commit", lambda pairs: None)
    webhook = OutgoingWebhookFactory()
    # A history of finished deliveries, analyzed while nothing was pending: the due index looks empty.
    now = timezone.now()
    events = Event.objects.bulk_create(
        Event(organization=webhook.organization, type=MESSAGE_RECEIVED, payload="{}", created_at=now)
        for _ in range(3000)
    )
    Delivery.objects.bulk_create(
        Delivery(event=event, webhook=webhook, status=Delivery.Status.SUCCEEDED, completed_at=now) for event in events
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE webhooks_delivery")
    deliveries = [
        event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={"n": n}).deliveries.get()
        for n in range(30)
    ]

    claims: list = []
    plans = plans_of_delivery_statements(
        lambda: claims.extend(deliveries_claim(delivery_ids=[d.pk for d in deliveries[:3]]))
    )

    assert [c.delivery_id for c in claims] == [d.pk for d in deliveries[:3]]
    assert set(Delivery.objects.filter(pk__in=[d.pk for d in deliveries[:3]]).values_list("status", flat=True)) == {
        Delivery.Status.SENDING
    }
    assert plans, "no statement on the deliveries' table was seen"
    assert not [plan for plan in plans if "delivery_due" in plan]
