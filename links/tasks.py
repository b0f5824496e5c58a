import logging
import random

from celery import shared_task

from links.completion import attempt_release, attempts_resume_stalled, link_complete, link_fail
from links.models import SignupAttempt
from links.services import deleted_links_prune, links_expire_due
from meta.graph import GraphTransientError

logger = logging.getLogger(__name__)

# Transient Graph failures are retried with exponential backoff for about 20 minutes in all,
# then the link goes to `error` (the end-user can try again from the hosted page).
MAX_TRIES = 10
BASE_DELAY = 1.0
MAX_DELAY = 300.0


def backoff(tries: int) -> float:
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, tries - 1))
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 (jitter, not security)


@shared_task(name="links.tasks.expire_links")
def expire_links() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): mark pending links past their expiry as expired."""
    return links_expire_due()


@shared_task(name="links.tasks.prune_deleted_links")
def prune_deleted_links() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): forget deleted links past their retention."""
    return deleted_links_prune()


@shared_task(bind=True, name="links.tasks.complete_link", acks_late=True, max_retries=None)
def complete_link(self, attempt_id: str) -> None:
    """Run (or resume) one signup completion. Safe to run twice: finished steps are skipped and
    a second worker cannot claim an attempt while the first holds its lease."""
    try:
        link_complete(attempt_id=attempt_id)
    except GraphTransientError as exc:
        attempt = SignupAttempt.objects.get(pk=attempt_id)
        if attempt.tries >= MAX_TRIES:
            link_fail(attempt=attempt, message="Meta is not answering right now. Try again later.", graph_error=exc)
            return
        delay = max(exc.retry_after or 0.0, backoff(attempt.tries))
        attempt_release(attempt=attempt, retry_in=delay)
        logger.warning(
            "transient Graph error; completion retried", extra={"retry_in_s": round(delay, 1), "graph_code": exc.code}
        )
        raise self.retry(countdown=delay) from None


@shared_task(name="links.tasks.resume_stalled_signups")
def resume_stalled_signups() -> int:
    """Periodic: completions whose worker died or whose queued message was lost run again."""
    ids = attempts_resume_stalled()
    for attempt_id in ids:
        complete_link.delay(attempt_id)
    return len(ids)
