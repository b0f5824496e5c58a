"""Reads of the messaging app, scoped to the caller's organization (another's message is a 404)."""

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from core.api.errors import NotFoundError
from messaging.models import MessageStatusChange, OutgoingMessage
from phones.models import Phone

# A message reaches each status once; its history reads in the lifecycle's order (Meta's
# timestamps are whole seconds, so a `delivered` can carry an earlier time than our `sent`).
LIFECYCLE = Case(
    *(When(status=status, then=Value(rank)) for rank, status in enumerate(OutgoingMessage.Status.values)),
    output_field=IntegerField(),
)


def message_list(*, phone: Phone, status: str | None = None) -> QuerySet[OutgoingMessage]:
    """The phone's messages, newest first, each with its status history (one query per page)."""
    messages = (
        OutgoingMessage.objects.filter(phone=phone)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("history", queryset=MessageStatusChange.objects.order_by(LIFECYCLE, "id")))
    )
    return messages.filter(status=status) if status else messages


def message_get(*, phone: Phone, message_id: str | uuid.UUID) -> OutgoingMessage:
    try:
        return message_list(phone=phone).get(pk=message_id)
    except (OutgoingMessage.DoesNotExist, ValidationError, ValueError):
        raise NotFoundError("No message with this id on this phone.") from None


def message_by_reference(*, phone: Phone, reference: str) -> OutgoingMessage | None:
    """The phone's message a reply or reaction names: by our id, or by Meta's wamid."""
    try:
        return OutgoingMessage.objects.filter(phone=phone, pk=uuid.UUID(reference)).first()
    except ValueError:
        return OutgoingMessage.objects.filter(phone=phone, meta_message_id=reference).first()
