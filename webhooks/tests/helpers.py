from datetime import timedelta

from django.utils import timezone

from webhooks.models import Delivery
from webhooks.services import webhook_deliver


def make_due(delivery: Delivery) -> None:
    """Advance the clock for one row: its scheduled retry is due now."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def deliver_due(delivery: Delivery) -> Delivery:
    make_due(delivery)
    result = webhook_deliver(delivery_id=delivery.pk)
    assert result is not None, "the delivery was not claimable"
    return result
