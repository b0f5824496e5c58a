import logging

from celery import shared_task

from phones.inbound_processing import inbound_drain, inbound_pending_ids, inbound_prune
from phones.services import phones_refresh_due_health

logger = logging.getLogger(__name__)


@shared_task(name="phones.tasks.process_inbound_webhook", acks_late=True)
def process_inbound_webhook(inbound_id: str | None = None) -> None:
    """Turn the due stored inbound Meta webhooks into events, in batches, until a batch comes back
    short (phones.inbound_processing), handing over to a new task after DRAIN_SECONDS; with
    `inbound_id` (the sweep), that one only. Safe to run twice (lease + dedupe keys)."""
    _, finished = inbound_drain(inbound_ids=None if inbound_id is None else [inbound_id])
    if not finished:
        process_inbound_webhook.apply_async()


@shared_task(name="phones.tasks.process_pending_inbound")
def process_pending_inbound() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): stored webhooks whose task was lost are queued again;
    old processed payloads and dedupe keys are pruned."""
    ids = inbound_pending_ids()
    for inbound_id in ids:
        process_inbound_webhook.delay(inbound_id)
    pruned = inbound_prune()
    if ids or pruned:
        logger.info("inbound webhooks swept", extra={"requeued": len(ids), "pruned": pruned})
    return len(ids)


@shared_task(name="phones.tasks.refresh_due_phone_health")
def refresh_due_phone_health() -> dict[str, int]:
    """Periodic (every 5 minutes): refresh stale phone health within each WABA's Graph budget."""
    return phones_refresh_due_health()
