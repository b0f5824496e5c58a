"""Writes of the messaging app: accepting a message (a row first), sending it (the Celery task's
work: the phone's rate, one Graph call, the outcome), and recording Meta's statuses.

What "sent" means here: Meta accepted the send call and gave the message its id (wamid); the
`sent`, `delivered`, `read` and `failed` events come from Meta's status webhooks
(`phones.inbound_events`, which calls `message_status_record` through `phones.signals`). A send
Meta refuses outright never gets a webhook, so its `message.failed` is published here, in the
same shape (`phones.services.message_status_event_data`).
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone

from core.api.errors import ApplicationError, ConflictError, InvalidInputError
from core.events import MESSAGE_FAILED
from core.timefmt import isoformat_ms
from messaging import outcomes, throughput
from messaging.models import MessageStatusChange, OutgoingMessage
from messaging.selectors import message_by_reference
from messaging.templates import parameter_problems, template_find, templates_cached, templates_read
from meta.graph import GraphError, graph_client
from organizations.models import Organization
from phones.models import Phone
from phones.services import message_status_event_data
from webhooks.publishing import event_publish

logger = logging.getLogger(__name__)

Status = OutgoingMessage.Status
Type = OutgoingMessage.Type
# A claimed send holds its message this long (longer than the Graph client's timeouts).
LEASE = timedelta(seconds=60)
# The sweep leaves a message this long to its queued task before sending it itself.
SWEEP_GRACE = timedelta(seconds=30)
RANK = {Status.ACCEPTED: 0, Status.SENT: 1, Status.DELIVERED: 2, Status.READ: 3}


def phone_not_ready_reason(phone: Phone) -> str | None:
    """Why the phone cannot send now, or None."""
    if phone.status != Phone.Status.CONNECTED:
        return f"disconnected ({phone.disconnected_reason})" if phone.disconnected_reason else "disconnected"
    if phone.waba.token_invalid_reason or not phone.waba.access_token:
        return "token_invalid"
    if not phone.is_registered and not phone.is_on_biz_app:
        return "not_registered"
    return None


def _reference(phone: Phone, reference: str, field: str) -> str:
    """Meta's id of the message `reference` names (our id or a wamid)."""
    try:
        uuid.UUID(reference)
    except ValueError:
        return reference  # a wamid: Meta checks it
    message = message_by_reference(phone=phone, reference=reference)
    if message is None or not message.meta_message_id:
        problem = "No message with this id on this phone." if message is None else "This message is not sent yet."
        raise InvalidInputError({field: [problem]})
    return message.meta_message_id


def _check_template(phone: Phone, content: dict[str, Any]) -> None:
    """Count the parameters against the template when it is known (cached, else read within budget)."""
    try:
        templates = templates_cached(phone.waba) or templates_read(phone.waba)
    except ApplicationError:
        return  # unknown now: Meta checks it (132000 / 132001 end the message `failed`)
    template = template_find(templates, name=content["name"], language=content["language"]["code"])
    if template is None:
        raise InvalidInputError({"template.name": ["No template with this name and language on the phone's WABA."]})
    if problems := parameter_problems(template, content.get("components") or []):
        raise InvalidInputError({"template.components": problems})


@transaction.atomic
def message_send(
    *,
    organization: Organization,
    phone: Phone,
    to: str,
    type: str,
    content: dict[str, Any],
    context_message_id: str | None = None,
) -> OutgoingMessage:
    """Accept a message for `phone`: checked, stored `accepted` (with its first history row) and
    queued for sending once the transaction commits."""
    if phone.organization_id != organization.pk:
        raise ValueError("the phone belongs to another organization")
    if reason := phone_not_ready_reason(phone):
        raise ConflictError(
            "phone_not_ready", f"This phone cannot send messages now: {reason}.", details={"reason": [reason]}
        )
    target = ""
    if type == Type.REACTION:
        target = _reference(phone, content["messageId"], "reaction.messageId")
    elif context_message_id:
        target = _reference(phone, context_message_id, "context.messageId")
    if type == Type.TEMPLATE:
        _check_template(phone, content)
    now = timezone.now()
    message = OutgoingMessage.objects.create(
        organization=organization,
        phone=phone,
        to=to,
        type=type,
        content=content,
        context_meta_message_id=target,
        next_attempt_at=now,
    )
    MessageStatusChange.objects.create(message=message, status=Status.ACCEPTED, occurred_at=now)
    # Read now, inside the transaction: the message is presented as accepted, whatever the send
    # (queued on commit) has done by the time the answer is rendered.
    prefetch_related_objects([message], "history")
    _enqueue(message.pk)
    return message


def _enqueue(message_id: uuid.UUID, countdown: float = 0.0) -> None:
    from messaging.tasks import send_message

    # robust: a broker outage must not fail the request; the sweep sends what was not queued.
    transaction.on_commit(
        lambda: send_message.apply_async((str(message_id),), countdown=countdown or None), robust=True
    )


def meta_message(message: OutgoingMessage) -> dict[str, Any]:
    """The message as Meta's `POST /{phone-id}/messages` takes it (without `messaging_product`)."""
    content = message.content
    body: dict[str, Any] = {"to": message.to, "type": message.type}
    if message.type == Type.TEXT:
        body["text"] = {"body": content["body"], "preview_url": bool(content.get("previewUrl"))}
    elif message.type == Type.TEMPLATE:
        body["template"] = {"name": content["name"], "language": {"code": content["language"]["code"]}}
        if content.get("components"):
            body["template"]["components"] = content["components"]
    elif message.type == Type.REACTION:
        body["reaction"] = {"message_id": message.context_meta_message_id, "emoji": content["emoji"]}
    else:
        body[message.type] = {key: content[key] for key in ("link", "caption", "filename") if key in content}
    if message.context_meta_message_id and message.type != Type.REACTION:
        body["context"] = {"message_id": message.context_meta_message_id}
    return body


def _claim(message_id: uuid.UUID | str) -> OutgoingMessage | None:
    now = timezone.now()
    claimed = (
        OutgoingMessage.objects.filter(pk=message_id, status=Status.ACCEPTED)
        .exclude(locked_until__gt=now)
        .update(locked_until=now + LEASE, attempts=F("attempts") + 1, updated_at=now)
    )
    if not claimed:
        return None
    return OutgoingMessage.objects.select_related("phone__waba", "phone__organization").get(pk=message_id)


def message_deliver(*, message_id: uuid.UUID | str) -> str:
    """Send one accepted message (the task's work; safe to run twice). Returns what happened:
    `sent`, `queued` (over the phone's rate: sent later), `retry`, `failed` or `skipped`."""
    waiting = OutgoingMessage.objects.filter(pk=message_id, status=Status.ACCEPTED).values_list("phone_id", flat=True)
    phone_id = waiting.first()
    if phone_id is None:
        return "skipped"
    wait = throughput.take(phone_id)
    if wait > 0:
        with transaction.atomic():
            due = timezone.now() + timedelta(seconds=wait)
            OutgoingMessage.objects.filter(pk=message_id, status=Status.ACCEPTED).update(next_attempt_at=due)
            _enqueue(uuid.UUID(str(message_id)), countdown=wait)
        return "queued"
    message = _claim(message_id)
    if message is None:
        return "skipped"
    phone = message.phone
    if reason := phone_not_ready_reason(phone):
        _fail(message, outcomes.Failure(code=None, title="Phone not ready", details=f"The phone is {reason}."))
        return "failed"
    try:
        answer = graph_client().send_message(phone.meta_phone_number_id, phone.waba.access_token, meta_message(message))
    except GraphError as exc:
        delay = outcomes.retry_delay(exc, attempts=message.attempts)
        if delay is None:
            _fail(message, outcomes.failure_from(exc))
            return "failed"
        with transaction.atomic():
            due = timezone.now() + timedelta(seconds=delay)
            OutgoingMessage.objects.filter(pk=message.pk).update(next_attempt_at=due, locked_until=None)
            _enqueue(message.pk, countdown=delay)
        logger.info("message send retried", extra={"message_id": str(message.pk), "graph_code": exc.code})
        return "retry"
    wamid = next((str(m.get("id")) for m in answer.get("messages") or [] if isinstance(m, dict) and m.get("id")), "")
    _sent(message, wamid)
    return "sent"


@transaction.atomic
def _sent(message: OutgoingMessage, wamid: str) -> None:
    now = timezone.now()
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=Status.SENT, meta_message_id=wamid[:128], sent_at=now, locked_until=None, updated_at=now
    )
    _history(message, Status.SENT, now)


@transaction.atomic
def _fail(message: OutgoingMessage, failure: outcomes.Failure) -> None:
    """End the message `failed` and publish `message.failed` (Meta will send no status for it)."""
    now = timezone.now()
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED,
        error_code=failure.code,
        error_title=failure.title,
        error_details=failure.details,
        locked_until=None,
        updated_at=now,
    )
    _history(message, Status.FAILED, now, failure)
    error = {
        "code": failure.code,
        "title": failure.title,
        "message": failure.title,
        "error_data": {"details": failure.details},
    }
    status = {
        "id": None,
        "status": "failed",
        "timestamp": str(int(now.timestamp())),
        "recipient_id": message.to.lstrip("+"),
        "errors": [error],
    }
    phone = message.phone
    data = message_status_event_data(
        phone, status=status, occurred_at=isoformat_ms(now), outgoing_message_id=str(message.pk)
    )
    event_publish(organization=phone.organization, type=MESSAGE_FAILED, data=data, waba=phone.waba)
    logger.info("message failed", extra={"message_id": str(message.pk), "graph_code": failure.code})


def _history(message: OutgoingMessage, status: str, at: datetime, failure: outcomes.Failure | None = None) -> bool:
    """Record that the message reached `status` (once: Meta repeats statuses). True when new."""
    try:
        with transaction.atomic():
            MessageStatusChange.objects.create(
                message=message,
                status=status,
                occurred_at=at,
                error_code=failure.code if failure else None,
                error_title=failure.title if failure else "",
                error_details=failure.details if failure else "",
            )
    except IntegrityError:
        return False
    return True


def _meta_time(timestamp: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(str(timestamp)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


@transaction.atomic
def message_status_record(*, phone: Phone, status: dict[str, Any]) -> OutgoingMessage | None:
    """Meta's status for one of the phone's messages: a history row (once), and the message's
    status when it moves forward (`read` is never undone by a late `delivered`). None when the
    message was not sent through the API."""
    meta_id = str(status.get("id") or "")
    new = str(status.get("status") or "")
    if not meta_id or new not in (Status.SENT, Status.DELIVERED, Status.READ, Status.FAILED):
        return None
    message = OutgoingMessage.objects.filter(phone=phone, meta_message_id=meta_id).first()
    if message is None:
        return None
    failure = None
    if new == Status.FAILED:
        errors = status.get("errors") if isinstance(status.get("errors"), list) else []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        code = first.get("code") if isinstance(first.get("code"), int) else None
        title, hint = outcomes.TITLES.get(code or 0, (str(first.get("title") or "Message failed"), ""))
        details = (first.get("error_data") or {}).get("details") if isinstance(first.get("error_data"), dict) else None
        failure = outcomes.Failure(
            code=code,
            title=title[:255],
            details=" ".join(p for p in (str(details or first.get("message") or ""), hint) if p),
        )
    _history(message, new, _meta_time(status.get("timestamp")), failure)
    now = timezone.now()
    if new == Status.FAILED:
        OutgoingMessage.objects.filter(pk=message.pk).exclude(status__in=[Status.READ, Status.FAILED]).update(
            status=new,
            error_code=failure.code,
            error_title=failure.title,
            error_details=failure.details,
            updated_at=now,
        )
    else:
        earlier = [s for s, rank in RANK.items() if rank < RANK[new]]
        OutgoingMessage.objects.filter(pk=message.pk, status__in=earlier).update(status=new, updated_at=now)
    return message


def messages_due(*, limit: int = 500) -> list[str]:
    """Accepted messages whose task was lost (broker restart, killed worker): due again."""
    now = timezone.now()
    due = (
        OutgoingMessage.objects.filter(status=Status.ACCEPTED, next_attempt_at__lte=now - SWEEP_GRACE)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .order_by("next_attempt_at")
    )
    return [str(pk) for pk in due.values_list("pk", flat=True)[:limit]]
