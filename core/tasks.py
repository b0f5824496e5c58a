from celery import shared_task

from core.api.idempotency import prune_expired


@shared_task
def prune_idempotency_keys() -> int:
    return prune_expired()
