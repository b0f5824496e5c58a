"""Reads of the phones app: organization-scoped querysets of phones and of WABAs with their phones
(another organization's phone or WABA is a 404)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Prefetch, QuerySet

from core.api.errors import NotFoundError
from organizations.models import Organization
from phones.models import InboundWebhook, Phone
from wabas.models import Waba


def phone_list(
    *, organization: Organization, waba_id: uuid.UUID | None = None, external_id: str | None = None
) -> QuerySet[Phone]:
    """Newest first, with the WABA joined (its facts make `connectedAccount`)."""
    phones = Phone.objects.filter(organization=organization).select_related("waba").order_by("-created_at", "-id")
    if waba_id is not None:
        phones = phones.filter(waba_id=waba_id)
    if external_id is not None:
        phones = phones.filter(external_id=external_id)
    return phones


def phone_get(*, organization: Organization, phone_id: str | uuid.UUID) -> Phone:
    try:
        return phone_list(organization=organization).get(pk=phone_id)
    except (Phone.DoesNotExist, ValidationError, ValueError):
        raise NotFoundError("No phone with this id in your organization.") from None


def waba_list(*, organization: Organization) -> QuerySet[Waba]:
    """Newest first, each with its phones (one extra query for the whole page)."""
    phones = Phone.objects.order_by("-created_at", "-id")
    return (
        Waba.objects.filter(organization=organization)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("phones", queryset=phones))
    )


def waba_get(*, organization: Organization, waba_id: str | uuid.UUID) -> Waba:
    """Another organization's WABA, like a missing one, is a 404."""
    try:
        return waba_list(organization=organization).get(pk=waba_id)
    except (Waba.DoesNotExist, ValidationError, ValueError):
        raise NotFoundError("No WABA with this id in your organization.") from None


@dataclass(frozen=True)
class InboundBacklog:
    """Stored Meta payloads not yet turned into events, and the age of the oldest (0 when none)."""

    pending: int
    oldest_seconds: float


def inbound_backlog(*, now: datetime) -> InboundBacklog:
    """Read through the `inbound_pending_idx` partial index (unprocessed rows only)."""
    found = InboundWebhook.objects.filter(processed_at__isnull=True).aggregate(n=Count("id"), oldest=Min("received_at"))
    oldest = found["oldest"]
    return InboundBacklog(found["n"], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
