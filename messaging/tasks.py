import logging

from celery import shared_task

from messaging.dispatch import dispatch_run, messages_sweep
from messaging.services import message_deliver

logger = logging.getLogger(__name__)


@shared_task(name="messaging.tasks.send_message", acks_late=True)
def send_message(message_id: str) -> str:
    """Send one accepted message. Safe to run twice (a conditional UPDATE claims it)."""
    return message_deliver(message_id=message_id)


@shared_task(name="messaging.tasks.dispatch_messages")
def dispatch_messages(organization_id: str) -> float | None:
    """Queue the organization's messages whose turn has come (its rate), and schedule the next run."""
    return dispatch_run(organization_id=organization_id)


@shared_task(name="messaging.tasks.send_due_messages")
def send_due_messages() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): sends whose task was lost are queued again, and
    organizations whose dispatch run was lost get one."""
    requeued, runs = messages_sweep()
    if requeued or runs:
        logger.info("messages requeued", extra={"requeued": requeued, "dispatch_runs": runs})
    return requeued + runs
