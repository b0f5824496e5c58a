"""Queueing accepted messages for the send workers, fairly between organizations.

The send workers (the `messages` queue) are shared by every organization, and the broker is a
FIFO: what is queued first is sent first. So a message is queued only within its organization's
rate (`messaging.throughput.take_for_organization`); one over it stays an `accepted` row, due at
its `next_attempt_at`, and is queued by its organization's dispatch run when its turn comes. The
database is the source of truth: `queued_at` says when the row's send task was last queued, and a
row due later than that (or never queued) waits for its turn. A burst of thousands from one
organization is at most a second's worth of its messages in the broker at a time; another
organization's message is queued behind those, not behind the burst.

One dispatch run per organization is pending at a time (its time kept in the cache): each run
queues the due rows its rate allows, oldest first, and schedules the next for when more are due.
A lost run is replaced by the next accepted message or the `send-due-messages` sweep.
"""

import time
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from messaging import throughput
from messaging.models import OutgoingMessage

# The sweep leaves a queued send task this long before queueing its message again.
SWEEP_GRACE = timedelta(seconds=30)
# A run with nothing due soon looks again at most this much later (rows due far later: retries).
MAX_PAUSE_SECONDS = 60.0
MIN_PAUSE_SECONDS = 0.05


def enqueue(message_ids: Iterable[uuid.UUID | str], countdown: float = 0.0) -> None:
    """Queue the send tasks once the transaction commits."""
    from messaging.tasks import send_message

    ids = [str(message_id) for message_id in message_ids]
    # robust: a broker outage must not fail the request; the sweep sends what was not queued.
    transaction.on_commit(
        lambda: [send_message.apply_async((i,), countdown=countdown or None) for i in ids], robust=True
    )


def message_queue(message: OutgoingMessage) -> None:
    """A message just accepted: queued now if its organization's rate allows, else left due at its
    turn (a dispatch run queues it then). Inside the transaction that stored it."""
    wait = throughput.take_for_organization(message.organization_id)
    now = timezone.now()
    if wait <= 0:
        OutgoingMessage.objects.filter(pk=message.pk).update(queued_at=now)
        enqueue([message.pk])
        return
    OutgoingMessage.objects.filter(pk=message.pk).update(next_attempt_at=now + timedelta(seconds=wait))
    dispatch_soon(message.organization_id, wait)


# Accepted messages not queued since they became due (never queued, or due again later).
UNQUEUED = Q(status=OutgoingMessage.Status.ACCEPTED) & (
    Q(queued_at__isnull=True) | Q(queued_at__lt=F("next_attempt_at"))
)


def _waiting(organization_id: uuid.UUID | str) -> QuerySet[OutgoingMessage]:
    return OutgoingMessage.objects.filter(UNQUEUED, organization_id=organization_id)


def messages_dispatch(*, organization_id: uuid.UUID | str) -> float | None:
    """Queue the organization's due messages that its rate allows now, oldest due first. Returns
    the seconds until the next run should look again, or None when nothing waits."""
    now = timezone.now()
    wait = 0.0
    with transaction.atomic():
        due = (
            _waiting(organization_id)
            .filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        queued = []
        for message_id in due[: int(settings.MESSAGES_PER_SECOND_PER_ORGANIZATION)]:
            wait = throughput.take_for_organization(organization_id)
            if wait > 0:
                break
            queued.append(message_id)
        OutgoingMessage.objects.filter(pk__in=queued).update(queued_at=now)
        enqueue(queued)
    if wait > 0:
        return wait  # due rows are left: the next second
    upcoming = (
        _waiting(organization_id)
        .filter(next_attempt_at__gt=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if upcoming is None:
        return None
    return min(max((upcoming - timezone.now()).total_seconds(), MIN_PAUSE_SECONDS), MAX_PAUSE_SECONDS)


def _key(organization_id: uuid.UUID | str) -> str:
    return f"messaging:dispatch:{organization_id}"


def dispatch_soon(organization_id: uuid.UUID | str, delay: float) -> None:
    """Make sure the organization's dispatch run comes within `delay` seconds (one pending run: a
    sooner one than the pending one's time is scheduled too)."""
    from messaging.tasks import dispatch_messages

    at = time.time() + delay
    pending = cache.get(_key(organization_id))
    if pending is not None and pending <= at + MIN_PAUSE_SECONDS:
        return
    cache.set(_key(organization_id), at, timeout=int(delay) + 10)
    transaction.on_commit(lambda: dispatch_messages.apply_async((str(organization_id),), countdown=delay), robust=True)


def dispatch_run(*, organization_id: uuid.UUID | str) -> float | None:
    """The dispatch task's work: queue what is due, then schedule the next run. Returns the pause
    before it (None: nothing waits, the chain ends)."""
    cache.delete(_key(organization_id))
    pause = messages_dispatch(organization_id=organization_id)
    if pause is not None:
        dispatch_soon(organization_id, pause)
    return pause


def messages_sweep(*, limit: int = 500) -> tuple[int, int]:
    """The periodic sweep (`send-due-messages`): a send task queued more than SWEEP_GRACE ago whose
    message is still waiting was lost (broker restart, killed worker): queued again. An
    organization with messages waiting unqueued past their turn by as long lost its dispatch run:
    one is started. Returns (messages queued again, dispatch runs started)."""
    now = timezone.now()
    stale = now - SWEEP_GRACE
    with transaction.atomic():
        lost = list(
            OutgoingMessage.objects.filter(
                status=OutgoingMessage.Status.ACCEPTED, queued_at__lte=stale, queued_at__gte=F("next_attempt_at")
            )
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        OutgoingMessage.objects.filter(pk__in=lost).update(queued_at=now)
        enqueue(lost)
    waiting = (
        OutgoingMessage.objects.filter(UNQUEUED, next_attempt_at__lte=stale)
        .values_list("organization_id", flat=True)
        .distinct()
        .order_by()
    )
    organizations = list(waiting[:limit])
    for organization_id in organizations:
        dispatch_soon(organization_id, 0.0)
    return len(lost), len(organizations)
