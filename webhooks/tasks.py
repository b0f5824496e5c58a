"""Thin Celery tasks: they take ids, call one service and are safe to run twice."""

from celery import shared_task

from webhooks.delivery.engine import deliveries_dispatch_due, webhook_deliver, webhook_deliver_batch
from webhooks.rotation import webhook_secrets_destroy_expired


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhooks(delivery_ids: list[str]) -> None:
    # Every outcome, failures included, is recorded by the service and retried from the
    # database on schedule; the task itself never retries, so a broken endpoint cannot make
    # the broker hold a growing pile of countdown messages.
    webhook_deliver_batch(delivery_ids=delivery_ids)


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: str) -> None:
    # One delivery: what was queued before deliveries travelled in batches (messages still on the
    # broker after an upgrade).
    webhook_deliver(delivery_id=delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def dispatch_due_deliveries() -> int:
    return deliveries_dispatch_due()


@shared_task(ignore_result=True)
def destroy_expired_webhook_secrets() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): null the previous secrets whose grace period has ended."""
    return webhook_secrets_destroy_expired()
