from datetime import datetime

from django.db.models import Prefetch, QuerySet

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
