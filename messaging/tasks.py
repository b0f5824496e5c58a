import logging

from celery import shared_task

from messaging.services import message_deliver, messages_due

logger = logging.getLogger(__name__)


@shared_task(name="messaging.tasks.send_message", acks_late=True)
def send_message(message_id: str) -> str:
    """Send one accepted message. Safe to run twice (a conditional UPDATE claims it)."""
    return message_deliver(message_id=message_id)


@shared_task(name="messaging.tasks.send_due_messages")
def send_due_messages() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): accepted messages whose task was lost are queued again."""
    ids = messages_due()
    for message_id in ids:
        send_message.delay(message_id)
    if ids:
        logger.info("messages requeued", extra={"requeued": len(ids)})
    return len(ids)
