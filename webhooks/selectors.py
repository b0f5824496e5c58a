import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from organizations.models import Organization
from webhooks.models import Delivery, DeliveryAttempt, Event, OutgoingWebhook


def webhook_list(*, organization: Organization) -> QuerySet[OutgoingWebhook]:
    return OutgoingWebhook.objects.filter(organization=organization).order_by("-created_at", "-id")


def delivery_list(*, webhook: OutgoingWebhook, status: str | None = None) -> QuerySet[Delivery]:
    deliveries = (
        Delivery.objects.filter(webhook=webhook)
        .select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number", "id")))
        .order_by("-created_at", "-id")
    )
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def delivery_get(*, organization: Organization, delivery_id: object) -> Delivery | None:
    return (
        Delivery.objects.select_related("event", "webhook")
        .filter(pk=delivery_id, webhook__organization=organization)
        .first()
    )


def event_list(
    *, organization: Organization, type: str | None = None, since: datetime | None = None
) -> QuerySet[Event]:
    events = Event.objects.filter(organization=organization).order_by("-created_at", "-id")
    if type:
        events = events.filter(type=type)
    if since is not None:
        events = events.filter(created_at__gte=since)
    return events


# ---- the delivery pipeline, for operators (the admin dashboard and /metrics read the same) --------

# Delivery lag is measured over the most recent successes within this window, at most this many:
# bounded reads of the `delivery_succeeded_recent` index, however busy the hour was.
LAG_WINDOW = timedelta(hours=1)
LAG_SAMPLE = 1000


@dataclass(frozen=True)
class DeliveryLag:
    """From an event's creation to its delivery's success (retries included): quantiles, in seconds,
    of the last `sample` successes within `LAG_WINDOW`; None when there were none."""

    sample: int
    p50: float | None
    p95: float | None
    p99: float | None


def _quantile(ordered: list[float], q: float) -> float | None:
    """Nearest rank: the smallest value with at least q of the sample at or below it."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def delivery_lag(*, now: datetime) -> DeliveryLag:
    rows = (
        Delivery.objects.filter(status=Delivery.Status.SUCCEEDED, completed_at__gte=now - LAG_WINDOW)
        .order_by("-completed_at")
        .values_list("completed_at", "event__created_at")[:LAG_SAMPLE]
    )
    lags = sorted(max(0.0, (completed - created).total_seconds()) for completed, created in rows)
    return DeliveryLag(len(lags), _quantile(lags, 0.5), _quantile(lags, 0.95), _quantile(lags, 0.99))


@dataclass(frozen=True)
class DeliveryBacklog:
    """Unfinished deliveries (the dispatcher's partial index): due now, scheduled for a later retry,
    being sent; and how long the oldest due one has waited past its due time (0 when none is due)."""

    due: int
    scheduled: int
    sending: int
    oldest_due_seconds: float


def delivery_backlog(*, now: datetime) -> DeliveryBacklog:
    pending = Q(status=Delivery.Status.PENDING)
    counts = Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]).aggregate(
        due=Count("id", filter=pending & Q(next_attempt_at__lte=now)),
        scheduled=Count("id", filter=pending & Q(next_attempt_at__gt=now)),
        sending=Count("id", filter=Q(status=Delivery.Status.SENDING)),
        oldest_due=Min("next_attempt_at", filter=pending & Q(next_attempt_at__lte=now)),
    )
    oldest = counts["oldest_due"]
    return DeliveryBacklog(
        due=counts["due"],
        scheduled=counts["scheduled"],
        sending=counts["sending"],
        oldest_due_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
    )
