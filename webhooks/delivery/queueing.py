"""Putting delivery rows on the broker: in batches of one webhook's rows, once the transaction that
created them commits. The rows are the source of truth; a lost message is found again by the
dispatcher (webhooks.delivery.engine.deliveries_dispatch_due)."""

from typing import Any

from django.conf import settings
from django.db import transaction


def batch_size() -> int:
    """The most deliveries one task carries (WEBHOOK_DELIVERY_BATCH_SIZE)."""
    return max(1, int(settings.WEBHOOK_DELIVERY_BATCH_SIZE))


def batches(deliveries: list[tuple[Any, Any]], *, size: int | None = None) -> list[list[str]]:
    """(webhook id, delivery id) pairs as lists of delivery ids, one webhook each (in the order
    given), cut at `size` (`batch_size()`): one task sends a list over one connection."""
    size = max(1, size or batch_size())
    by_webhook: dict[str, list[str]] = {}
    for webhook_id, delivery_id in deliveries:
        by_webhook.setdefault(str(webhook_id), []).append(str(delivery_id))
    return [ids[i : i + size] for ids in by_webhook.values() for i in range(0, len(ids), size)]


def enqueue(deliveries: list[tuple[str, str]]) -> None:
    """Queue the batches of (webhook id, delivery id) pairs over a single broker connection (one
    `.delay()` each would acquire a connection per message: about 20 s for 3,000 messages on the
    benchmark machine)."""
    from webhooks.tasks import deliver_webhooks

    to_queue = batches(deliveries)
    if deliver_webhooks.app.conf.task_always_eager:
        for batch in to_queue:
            deliver_webhooks.delay(batch)
        return
    with deliver_webhooks.app.producer_or_acquire() as producer:
        for batch in to_queue:
            deliver_webhooks.apply_async((batch,), producer=producer)


def enqueue_on_commit(deliveries: list[tuple[Any, Any]]) -> None:
    """Queue (webhook id, delivery id) pairs once the current transaction commits."""
    if not deliveries:
        return
    # robust: a broker outage must not fail the caller's committed work; the dispatcher
    # finds the rows in the database later.
    pairs = [(str(webhook_id), str(delivery_id)) for webhook_id, delivery_id in deliveries]
    transaction.on_commit(lambda: enqueue(pairs), robust=True)
