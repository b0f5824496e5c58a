"""Managing outgoing webhook endpoints: create, update, delete, redeliver by hand, prune history."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.api.errors import ConflictError, InvalidInputError
from core.events import EVENT_TYPES
from organizations.models import Organization
from wabas.models import Waba
from webhooks import signing
from webhooks.delivery import queueing
from webhooks.models import Delivery, DeliveryAttempt, Event, OutgoingWebhook

_NOT_SET: Any = object()


def _validate_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_TYPES]
    if not events or unknown:
        raise InvalidInputError({"events": ["Must be a non-empty list of known event types."]})
    return list(dict.fromkeys(events))


def _validate_waba(*, organization: Organization, waba_id: uuid.UUID | None) -> Waba | None:
    if waba_id is None:
        return None
    waba = Waba.objects.filter(pk=waba_id, organization=organization).first()
    if waba is None:
        raise InvalidInputError({"wabaId": ["No WABA with this id belongs to your organization."]})
    return waba


@transaction.atomic
def delivery_retry(*, delivery: Delivery) -> Delivery:
    """Manual redelivery: due now, whatever its status, unless a worker is sending it right now."""
    if not delivery.webhook.is_active:
        raise ConflictError("webhook_inactive", "The webhook is inactive; activate it before redelivering.")
    now = timezone.now()
    updated = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(status=Delivery.Status.SENDING, claimed_until__gte=now)
        .update(
            status=Delivery.Status.PENDING,
            next_attempt_at=now,
            enqueued_at=now,
            completed_at=None,
            claimed_until=None,
            claim_token=None,
            updated_at=now,
        )
    )
    if not updated:
        raise ConflictError("delivery_in_progress", "This delivery is being sent right now; try again shortly.")
    queueing.enqueue_on_commit([(delivery.webhook_id, delivery.pk)])
    delivery.refresh_from_db()
    return delivery


@dataclass(frozen=True)
class CreatedWebhook:
    webhook: OutgoingWebhook
    secret: str  # shown once, in the create response


@transaction.atomic
def webhook_create(
    *,
    organization: Organization,
    url: str,
    events: list[str],
    secret: str | None = None,
    waba_id: uuid.UUID | None = None,
    is_active: bool = True,
    description: str = "",
) -> CreatedWebhook:
    secret = secret or signing.secret_generate()
    webhook = OutgoingWebhook.objects.create(
        organization=organization,
        url=url,
        secret=secret,
        events=_validate_events(events),
        waba=_validate_waba(organization=organization, waba_id=waba_id),
        is_active=is_active,
        description=description,
    )
    return CreatedWebhook(webhook=webhook, secret=secret)


@transaction.atomic
def webhook_update(
    *,
    webhook: OutgoingWebhook,
    url: str = _NOT_SET,
    events: list[str] = _NOT_SET,
    secret: str = _NOT_SET,
    waba_id: uuid.UUID | None = _NOT_SET,
    is_active: bool = _NOT_SET,
    description: str = _NOT_SET,
) -> OutgoingWebhook:
    """Change the given fields only. Reactivating clears the failure record and the disable reason."""
    changed: list[str] = []
    for name, value in (("url", url), ("secret", secret), ("description", description)):
        if value is not _NOT_SET:
            setattr(webhook, name, value)
            changed.append(name)
    if secret is not _NOT_SET:  # replaced, not rotated: no grace period, a rotated one's ends
        webhook.previous_secret = webhook.previous_secret_expires_at = None
        changed += ["previous_secret", "previous_secret_expires_at"]
    if events is not _NOT_SET:
        webhook.events = _validate_events(events)
        changed.append("events")
    if waba_id is not _NOT_SET:
        webhook.waba = _validate_waba(organization=webhook.organization, waba_id=waba_id)
        changed.append("waba")
    if is_active is not _NOT_SET and is_active != webhook.is_active:
        webhook.is_active = is_active
        changed.append("is_active")
        if is_active:
            webhook.disabled_reason, webhook.disabled_at = "", None
            webhook.consecutive_failures, webhook.failing_since = 0, None
        else:
            webhook.disabled_reason, webhook.disabled_at = "Deactivated through the API.", timezone.now()
        changed += ["disabled_reason", "disabled_at", "consecutive_failures", "failing_since"]
    if changed:
        webhook.save(update_fields=[*changed, "updated_at"])
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: OutgoingWebhook) -> None:
    """Delete the endpoint and its delivery history; the organization's events are kept."""
    webhook.delete()


@dataclass(frozen=True)
class PruneResult:
    events: int
    deliveries: int
    attempts: int


@transaction.atomic
def webhook_history_prune(*, older_than_days: int, dry_run: bool = False) -> PruneResult:
    """Delete events older than the cutoff with their deliveries and attempts. Events that still
    have a delivery in flight (pending or sending) are kept until it finishes."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    cutoff = timezone.now() - timedelta(days=older_than_days)
    in_flight = Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
    events = Event.objects.filter(created_at__lt=cutoff).exclude(pk__in=in_flight.values("event_id"))
    deliveries = Delivery.objects.filter(event__in=events)
    result = PruneResult(
        events=events.count(),
        deliveries=deliveries.count(),
        attempts=DeliveryAttempt.objects.filter(delivery__in=deliveries).count(),
    )
    if not dry_run:
        events.delete()
    return result
