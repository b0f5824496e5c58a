import logging

from celery import shared_task

from wabas.tokens import tokens_warn_expiring

logger = logging.getLogger(__name__)


@shared_task(name="wabas.tasks.warn_expiring_tokens")
def warn_expiring_tokens() -> int:
    """Periodic (daily, CELERY_BEAT_SCHEDULE): one warning line per business token or data access
    that expires within TOKEN_EXPIRY_WARNING_DAYS."""
    return tokens_warn_expiring()
