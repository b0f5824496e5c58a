from celery import shared_task

from links.services import links_expire_due


@shared_task(name="links.tasks.expire_links")
def expire_links() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): mark pending links past their expiry as expired."""
    return links_expire_due()
