"""How long a claimed batch holds its rows, and how many delivery threads one endpoint and one
organization may hold at once.

A batch holds its claim (the lease) longer than it can possibly run: it starts no request after
WEBHOOK_BATCH_SECONDS and each request ends by WEBHOOK_TIMEOUT_SECONDS (a true deadline, see
`webhooks.deadline`), so a second attempt of a delivery never starts while its first is open; only
a worker that really died lets its lease run out.

The concurrency limits are counted in the database, across every worker process: a batch in flight
is one claim token among the webhook's `sending` rows whose lease holds. The claim locks the
organization's row while it counts, so two workers cannot both take the last slot. A batch over
a limit claims nothing and leaves its rows due, unqueued, and a batch that ends queues its
webhook's waiting rows at once (the dispatcher, on a run that finds a connection free, is the last
resort: it gives each webhook at most a batch per free connection). So a slow endpoint holds
at most WEBHOOK_ENDPOINT_CONCURRENCY threads, an organization at most WEBHOOK_ORGANIZATION_CONCURRENCY,
and everyone else's deliveries keep flowing.

An endpoint whose last FAILING_AFTER attempts all failed is served over one connection until an
attempt succeeds again: an endpoint that times out would otherwise hold its WEBHOOK_ENDPOINT_CONCURRENCY
threads for the whole timeout of every delivery, taken from everyone else's deliveries.

A slot is one connection: a batch that widens onto more connections (`claiming.claims_widen`, for
an endpoint that answers slowly) gives each its own claim token, within the free slots counted here.
"""

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from organizations.models import Organization
from webhooks.models import Delivery, OutgoingWebhook

# Room for the batch's own database writes after its last request.
LEASE_MARGIN_SECONDS = 30
# This many failed attempts in a row (OutgoingWebhook.consecutive_failures) and an endpoint is
# served one connection at a time.
FAILING_AFTER = 3


def endpoint_limit(*, consecutive_failures: int) -> int:
    """How many batches (connections) one endpoint may hold at once."""
    return 1 if consecutive_failures >= FAILING_AFTER else int(settings.WEBHOOK_ENDPOINT_CONCURRENCY)


def batch_max_seconds() -> float:
    """The longest a batch can send: its last request starts by WEBHOOK_BATCH_SECONDS and ends by
    WEBHOOK_TIMEOUT_SECONDS later."""
    return float(settings.WEBHOOK_BATCH_SECONDS) + float(settings.WEBHOOK_TIMEOUT_SECONDS)


def lease() -> timedelta:
    return timedelta(seconds=batch_max_seconds() + LEASE_MARGIN_SECONDS)


def _in_flight(now: datetime) -> Q:
    return Q(status=Delivery.Status.SENDING, claimed_until__gte=now)


def organization_limit() -> int:
    """How many batches (connections) one organization's webhooks may hold at once."""
    return int(settings.WEBHOOK_ORGANIZATION_CONCURRENCY)


def batches_in_flight(*, now: datetime, org_ids: Iterable[uuid.UUID] | None = None) -> tuple[Counter, Counter]:
    """The batches in flight (of these organizations' webhooks, or of all), counted per webhook and
    per organization, from one read of the `sending` rows whose lease holds (at most the
    deployment's delivery threads' worth of claim tokens)."""
    rows = Delivery.objects.filter(_in_flight(now))
    if org_ids is not None:
        rows = rows.filter(webhook__organization_id__in=org_ids)
    # (webhook, organization, claim token): both limits are counted from the one read.
    batches = set(rows.order_by().values_list("webhook_id", "webhook__organization_id", "claim_token").distinct())
    per_webhook = Counter(webhook_id for webhook_id, _, _ in batches)
    # (One batch may hold rows of several of an organization's webhooks: it is one connection.)
    per_org = Counter(org_id for org_id, _ in {(org_id, token) for _, org_id, token in batches})
    return per_webhook, per_org


def free_slots(
    *, pairs: Iterable[tuple[uuid.UUID, uuid.UUID]], now: datetime, failures: Mapping[uuid.UUID, int] | None = None
) -> dict[uuid.UUID, int]:
    """Of the (webhook id, organization id) pairs, how many more batches (connections) each webhook
    may hold now without going over either limit (`endpoint_limit` of its failed attempts in a row,
    `failures`, where given). Call it inside the claim's transaction: it locks the organizations' rows
    until the claim commits."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    org_ids = sorted({org_id for _, org_id in pairs})
    # FOR NO KEY UPDATE: claims of one organization wait for each other, while inserts that only
    # reference the organization (events, deliveries) do not wait for the claims.
    list(Organization.objects.select_for_update(no_key=True).filter(pk__in=org_ids).order_by("pk").values_list("pk"))
    per_webhook, per_org = batches_in_flight(now=now, org_ids=org_ids)
    org_limit = organization_limit()
    failures = failures or {}
    return {
        webhook_id: max(
            0,
            min(
                endpoint_limit(consecutive_failures=failures.get(webhook_id, 0)) - per_webhook.get(webhook_id, 0),
                org_limit - per_org.get(org_id, 0),
            ),
        )
        for webhook_id, org_id in pairs
    }


def waiting_for_their_connection(*, webhooks: Iterable[OutgoingWebhook], now: datetime) -> set[uuid.UUID]:
    """Of these webhooks, those on one connection (`endpoint_limit`: a failing endpoint, or any under
    WEBHOOK_ENDPOINT_CONCURRENCY=1) whose connection is taken by a batch in flight. A task for their
    new deliveries would only be claimed and deferred again while it is (each such claim locks the
    organization's row, in the way of its healthy endpoints' claims): the rows wait, unqueued, and
    the batch in flight queues them when it ends (`engine._queue_waiting`), or the dispatcher does
    on its next run. One read, and only when such a webhook is among them."""
    failing = [w.pk for w in webhooks if endpoint_limit(consecutive_failures=w.consecutive_failures) == 1]
    if not failing:
        return set()
    return set(
        Delivery.objects.filter(_in_flight(now), webhook_id__in=failing)
        .order_by()
        .values_list("webhook_id", flat=True)
        .distinct()
    )


def admitted_webhooks(
    *, pairs: Iterable[tuple[uuid.UUID, uuid.UUID]], now: datetime, failures: Mapping[uuid.UUID, int] | None = None
) -> set[uuid.UUID]:
    """Of the (webhook id, organization id) pairs a batch wants to send to, the webhooks it may
    serve now (this batch would be one more, for the webhook and for its organization)."""
    return {webhook_id for webhook_id, free in free_slots(pairs=pairs, now=now, failures=failures).items() if free > 0}
