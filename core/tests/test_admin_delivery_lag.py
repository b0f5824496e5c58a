"""The operator dashboard shows delivery lag: p50/p95 from an event's creation to its delivery over
the last hour's successes, and how long the oldest due delivery has waited for a worker."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.tests.factories import OrganizationFactory
from webhooks.models import Delivery, Event
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db


def _delivery(webhook, *, created_ago: float, completed_ago: float | None, status: str) -> Delivery:
    now = timezone.now()
    event = Event.objects.create(
        organization=webhook.organization,
        type="message.received",
        payload="{}",
        created_at=now - timedelta(seconds=created_ago),
    )
    return Delivery.objects.create(
        event=event,
        webhook=webhook,
        status=status,
        next_attempt_at=None if completed_ago is not None else event.created_at,
        completed_at=None if completed_ago is None else now - timedelta(seconds=completed_ago),
    )


def _row(html: str, row_id: str) -> str:
    start = html.index(f'id="{row_id}"')
    return re.sub(r"\s+", " ", html[start : html.index("</tr>", start)])


def test_dashboard_shows_p50_and_p95_delivery_lag_and_the_oldest_due_delivery(admin_client):
    webhook = OutgoingWebhookFactory(organization=OrganizationFactory())
    for lag in range(1, 21):  # 1 s .. 20 s from the event to its delivery, within the last hour
        _delivery(webhook, created_ago=600 + lag, completed_ago=600, status="succeeded")
    _delivery(webhook, created_ago=7300, completed_ago=7200, status="succeeded")  # two hours ago: not counted
    _delivery(webhook, created_ago=125, completed_ago=None, status="pending")  # due, nobody took it

    html = admin_client.get(reverse("admin:console_dashboard")).content.decode()

    lag = _row(html, "delivery-lag")
    assert "p50 10.0 s, p95 19.0 s" in lag and "last 20 successful deliveries" in lag
    oldest = _row(html, "oldest-due-delivery")
    waited = int(re.search(r'<td class="num">(\d+) s', oldest).group(1))
    assert 120 <= waited <= 180 and "1 due now" in oldest


def test_dashboard_says_when_no_delivery_succeeded_in_the_last_hour(admin_client):
    html = admin_client.get(reverse("admin:console_dashboard")).content.decode()
    assert "no delivery succeeded in the last hour" in _row(html, "delivery-lag")
    assert '<td class="num">0 s</td>' in _row(html, "oldest-due-delivery")
