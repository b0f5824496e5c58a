"""The lease of a claim outlasts the longest batch, and the per-endpoint and per-organization
concurrency limits are counted in the database: over a limit, a batch claims nothing and its rows
wait, due, for a slot."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.events import MESSAGE_RECEIVED
from core.tests.helpers import Reply
from webhooks import capacity
from webhooks.delivery.claiming import deliveries_claim
from webhooks.delivery.engine import deliveries_dispatch_due, webhook_deliver
from webhooks.models import Delivery
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db


def publish(webhook) -> Delivery:
    """One event whose task does not run (the test's transaction never commits)."""
    return event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={}).deliveries.get(
        webhook=webhook
    )


def hold_slot(webhook) -> Delivery:
    """A batch of another worker, in flight: a `sending` row under its own token, its lease holding."""
    delivery = publish(webhook)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING,
        claim_token=uuid.uuid4(),
        claimed_until=timezone.now() + timedelta(minutes=1),
        attempts=1,
    )
    return delivery


def test_the_lease_outlasts_the_longest_batch_the_settings_allow(settings):
    settings.WEBHOOK_BATCH_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS = 20.0, 5.0
    assert capacity.batch_max_seconds() == 25.0
    assert capacity.lease() == timedelta(seconds=25 + capacity.LEASE_MARGIN_SECONDS)


def test_a_claim_holds_its_rows_for_the_lease(settings):
    settings.WEBHOOK_BATCH_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS = 20.0, 5.0
    delivery = publish(OutgoingWebhookFactory())

    assert [c.delivery_id for c in deliveries_claim(delivery_ids=[delivery.pk])] == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.claimed_until - delivery.last_attempt_at == timedelta(seconds=25 + capacity.LEASE_MARGIN_SECONDS)


def test_an_endpoint_at_its_limit_sends_nothing_and_its_delivery_waits_due(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 2
    webhook = OutgoingWebhookFactory(url=receiver.url())
    hold_slot(webhook), hold_slot(webhook)
    waiting = publish(webhook)

    assert webhook_deliver(delivery_id=waiting.pk) is None
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts, waiting.enqueued_at) == (Delivery.Status.PENDING, 0, None)
    assert receiver.received == []
    assert not waiting.attempt_log.exists()
    # Unqueued: the dispatcher leaves it while both connections are taken, and queues it once one is free.
    assert deliveries_dispatch_due(webhook_ids=[webhook.pk]) == 0
    Delivery.objects.filter(status=Delivery.Status.SENDING).update(claimed_until=timezone.now())
    assert deliveries_dispatch_due(webhook_ids=[webhook.pk]) == 1


def test_another_endpoint_of_the_organization_is_not_held_up(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 1
    busy = OutgoingWebhookFactory(url=receiver.url("/busy"))
    hold_slot(busy)
    other = OutgoingWebhookFactory(organization=busy.organization, url=receiver.url("/other"))

    assert webhook_deliver(delivery_id=publish(other).pk).status == Delivery.Status.SUCCEEDED
    assert [r.path for r in receiver.received] == ["/other"]


def test_an_organization_at_its_limit_waits_while_another_organization_is_served(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY, settings.WEBHOOK_ORGANIZATION_CONCURRENCY = 4, 2
    first = OutgoingWebhookFactory(url=receiver.url("/a1"))
    second = OutgoingWebhookFactory(organization=first.organization, url=receiver.url("/a2"))
    hold_slot(first), hold_slot(second)
    third = OutgoingWebhookFactory(organization=first.organization, url=receiver.url("/a3"))
    elsewhere = OutgoingWebhookFactory(url=receiver.url("/b"))

    assert webhook_deliver(delivery_id=publish(third).pk) is None
    assert webhook_deliver(delivery_id=publish(elsewhere).pk).status == Delivery.Status.SUCCEEDED
    assert [r.path for r in receiver.received] == ["/b"]


def test_an_expired_lease_frees_its_slot(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 1
    webhook = OutgoingWebhookFactory(url=receiver.url())
    held = hold_slot(webhook)
    Delivery.objects.filter(pk=held.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))

    assert webhook_deliver(delivery_id=publish(webhook).pk).status == Delivery.Status.SUCCEEDED


def test_a_batch_that_ends_sends_the_webhooks_waiting_deliveries(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 1
    webhook = OutgoingWebhookFactory(url=receiver.url())
    held = hold_slot(webhook)
    waiting = publish(webhook)
    assert webhook_deliver(delivery_id=waiting.pk) is None  # deferred while the slot is taken
    Delivery.objects.filter(pk=held.pk).update(status=Delivery.Status.SUCCEEDED, claim_token=None)

    # The next batch of the webhook runs, and at its end queues (here: runs) the one that waited.
    assert webhook_deliver(delivery_id=publish(webhook).pk).status == Delivery.Status.SUCCEEDED
    waiting.refresh_from_db()
    assert waiting.status == Delivery.Status.SUCCEEDED
    assert len(receiver.received) == 2


def test_a_batch_that_ends_queues_a_share_of_the_waiting_rows_not_all_of_them(receiver, settings, monkeypatch):
    from webhooks.tasks import deliver_webhooks

    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 2
    webhook = OutgoingWebhookFactory(url=receiver.url())
    hold_slot(webhook)  # the other slot's batch, in flight
    waiting = [publish(webhook) for _ in range(5)]
    Delivery.objects.filter(pk__in=[d.pk for d in waiting]).update(enqueued_at=None)  # deferred
    queued: list[list[str]] = []
    monkeypatch.setattr(deliver_webhooks, "delay", lambda delivery_ids: queued.append(delivery_ids))

    assert webhook_deliver(delivery_id=publish(webhook).pk).status == Delivery.Status.SUCCEEDED
    # Five waiting over two slots: this slot takes three; the other slot's batch takes the rest.
    assert [len(batch) for batch in queued] == [3]


def test_a_batch_that_ends_queues_a_share_for_every_free_slot(receiver, settings, monkeypatch):
    """An endpoint that succeeds again after failing has all its slots back while one batch runs:
    its backlog goes out over all of them at once, not a share each time that one batch ends."""
    from webhooks.tasks import deliver_webhooks

    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 4
    webhook = OutgoingWebhookFactory(url=receiver.url(), consecutive_failures=capacity.FAILING_AFTER)
    waiting = [publish(webhook) for _ in range(12)]
    Delivery.objects.filter(pk__in=[d.pk for d in waiting]).update(enqueued_at=None)  # deferred
    queued: list[list[str]] = []
    monkeypatch.setattr(deliver_webhooks, "delay", lambda delivery_ids: queued.append(delivery_ids))

    # Its one connection's batch succeeds: four slots again, all free when the batch ends.
    assert webhook_deliver(delivery_id=publish(webhook).pk).status == Delivery.Status.SUCCEEDED
    assert [len(batch) for batch in queued] == [3, 3, 3, 3]
    assert sorted(d for batch in queued for d in batch) == sorted(str(d.pk) for d in waiting)


def test_a_failing_endpoints_batch_that_ends_queues_all_its_waiting_rows(receiver, settings, monkeypatch):
    """A failing endpoint has one slot: the batch that held it queues every waiting row (up to a
    batch) for it, not an eighth that would leave the rest to be claimed and deferred again."""
    from webhooks.tasks import deliver_webhooks

    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 8
    receiver.default = Reply(status=500)
    webhook = OutgoingWebhookFactory(url=receiver.url(), consecutive_failures=capacity.FAILING_AFTER)
    waiting = [publish(webhook) for _ in range(5)]
    Delivery.objects.filter(pk__in=[d.pk for d in waiting]).update(enqueued_at=None)  # deferred
    queued: list[list[str]] = []
    monkeypatch.setattr(deliver_webhooks, "delay", lambda delivery_ids: queued.append(delivery_ids))

    assert webhook_deliver(delivery_id=publish(webhook).pk).status == Delivery.Status.PENDING  # its retry
    assert [len(batch) for batch in queued] == [5]


def test_a_failing_endpoints_batch_end_queues_its_waiting_rows_without_counting_batches_again(
    receiver, settings, monkeypatch
):
    """The batch that ends held the failing endpoint's one connection: its waiting rows go out as one
    batch, read and marked, with no share to work out (the batches in flight were read by the
    claim, and the next claim reads them again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from webhooks.tasks import deliver_webhooks

    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 8
    receiver.default = Reply(status=500)
    webhook = OutgoingWebhookFactory(url=receiver.url(), consecutive_failures=capacity.FAILING_AFTER)
    waiting = [publish(webhook) for _ in range(5)]
    Delivery.objects.filter(pk__in=[d.pk for d in waiting]).update(enqueued_at=None)  # retries come due
    queued: list[list[str]] = []
    monkeypatch.setattr(deliver_webhooks, "delay", lambda delivery_ids: queued.append(delivery_ids))

    delivery = publish(webhook)
    with CaptureQueriesContext(connection) as queries:
        webhook_deliver(delivery_id=delivery.pk)

    assert sorted(d for batch in queued for d in batch) == sorted(str(d.pk) for d in waiting)
    in_flight_reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT DISTINCT")]
    assert len(in_flight_reads) == 1  # the claim's


def test_an_endpoint_that_keeps_failing_is_served_one_connection_at_a_time(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 8
    failing = OutgoingWebhookFactory(url=receiver.url("/failing"), consecutive_failures=capacity.FAILING_AFTER)
    hold_slot(failing)
    waiting = publish(failing)

    assert webhook_deliver(delivery_id=waiting.pk) is None
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts, waiting.enqueued_at) == (Delivery.Status.PENDING, 0, None)

    # One failure short of it, the endpoint still has its eight connections.
    almost = OutgoingWebhookFactory(url=receiver.url("/almost"), consecutive_failures=capacity.FAILING_AFTER - 1)
    hold_slot(almost)
    assert webhook_deliver(delivery_id=publish(almost).pk).status == Delivery.Status.SUCCEEDED
    assert [r.path for r in receiver.received] == ["/almost"]


def test_a_success_gives_a_failing_endpoint_its_connections_back(receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 8
    webhook = OutgoingWebhookFactory(url=receiver.url(), consecutive_failures=capacity.FAILING_AFTER)

    assert webhook_deliver(delivery_id=publish(webhook).pk).status == Delivery.Status.SUCCEEDED
    hold_slot(webhook)
    assert webhook_deliver(delivery_id=publish(webhook).pk).status == Delivery.Status.SUCCEEDED


def test_a_failing_endpoints_new_delivery_waits_unqueued_while_its_connection_is_taken(
    django_capture_on_commit_callbacks, monkeypatch
):
    """A task for it would only be claimed and deferred again (one per event, under the
    organization's lock, in the way of its healthy endpoints' claims): the batch in flight, or the
    dispatcher, queues it. The organization's healthy endpoint is queued at once."""
    queued: list[list[tuple[str, str]]] = []
    monkeypatch.setattr("webhooks.delivery.queueing.enqueue", queued.append)
    failing = OutgoingWebhookFactory(consecutive_failures=capacity.FAILING_AFTER)
    healthy = OutgoingWebhookFactory(organization=failing.organization)
    hold_slot(failing)
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        event = event_publish(organization=failing.organization, type=MESSAGE_RECEIVED, data={})

    to_failing, to_healthy = event.deliveries.get(webhook=failing), event.deliveries.get(webhook=healthy)
    assert queued == [[(str(healthy.pk), str(to_healthy.pk))]]
    assert (to_failing.status, to_failing.enqueued_at) == (Delivery.Status.PENDING, None)
    assert deliveries_dispatch_due(webhook_ids=[failing.pk]) == 0  # its connection is still taken
    Delivery.objects.filter(status=Delivery.Status.SENDING).update(claimed_until=timezone.now())
    assert deliveries_dispatch_due(webhook_ids=[failing.pk]) == 1


def test_a_failing_endpoint_with_its_connection_free_has_its_delivery_queued(
    django_capture_on_commit_callbacks, monkeypatch
):
    queued: list[list[tuple[str, str]]] = []
    monkeypatch.setattr("webhooks.delivery.queueing.enqueue", queued.append)
    failing = OutgoingWebhookFactory(consecutive_failures=capacity.FAILING_AFTER)
    held = hold_slot(failing)
    Delivery.objects.filter(pk=held.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))  # worker died

    with django_capture_on_commit_callbacks(execute=True):
        delivery = publish(failing)

    assert queued == [[(str(failing.pk), str(delivery.pk))]]
    assert delivery.enqueued_at is not None


def test_a_delivery_held_back_while_its_endpoints_batch_ended_meanwhile_is_queued_after_the_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    """The batch in flight ended before the publish committed: its end could not see the new row,
    so the publish's own look after the commit queues it."""
    from webhooks.tasks import deliver_webhooks

    queued: list[list[str]] = []
    monkeypatch.setattr(deliver_webhooks, "delay", lambda delivery_ids: queued.append(delivery_ids))
    failing = OutgoingWebhookFactory(consecutive_failures=capacity.FAILING_AFTER)
    held = hold_slot(failing)

    with django_capture_on_commit_callbacks() as callbacks:
        delivery = publish(failing)
    assert delivery.enqueued_at is None
    # The batch in flight ends (its slot is free) before the publish's transaction commits.
    Delivery.objects.filter(pk=held.pk).update(status=Delivery.Status.SUCCEEDED, claim_token=None)
    for callback in callbacks:
        callback()

    assert queued == [[str(delivery.pk)]]
    delivery.refresh_from_db()
    assert delivery.enqueued_at is not None


@pytest.fixture
def queued(monkeypatch) -> list[list[str]]:
    """The id lists handed to `deliver_webhooks`, instead of running it."""
    from webhooks.tasks import deliver_webhooks

    batches: list[list[str]] = []
    monkeypatch.setattr(deliver_webhooks, "delay", lambda delivery_ids: batches.append(delivery_ids))
    return batches


def backlog(webhook, count: int, *, minutes_ago: int) -> list[Delivery]:
    """`count` deliveries due since `minutes_ago`, deferred (unqueued)."""
    deliveries = [publish(webhook) for _ in range(count)]
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        enqueued_at=None, next_attempt_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return deliveries


@pytest.mark.parametrize("hung_endpoints", [1, 25])
def test_endpoints_whose_connection_is_taken_do_not_use_up_the_dispatchers_run(settings, queued, hung_endpoints):
    """An endpoint that never answers holds its one connection, and its older backlog is deferred
    again and again: the dispatcher, taking the oldest due rows, spent every run on them while
    another organization's retry that came due waited behind them. Many such endpoints, each
    backlog older than the next, must not use up the run's reads either."""
    settings.WEBHOOK_DELIVERY_BATCH_SIZE = 1
    for age in range(hung_endpoints):
        hung = OutgoingWebhookFactory(consecutive_failures=capacity.FAILING_AFTER)
        hold_slot(hung)
        backlog(hung, 3, minutes_ago=100 - age)
    retry = backlog(OutgoingWebhookFactory(), 1, minutes_ago=1)

    assert deliveries_dispatch_due(limit=3) == 1
    assert queued == [[str(retry[0].pk)]]


def test_the_dispatcher_queues_a_batch_per_free_connection_of_each_webhook(settings, queued):
    settings.WEBHOOK_DELIVERY_BATCH_SIZE = 2
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 2
    failing = OutgoingWebhookFactory(consecutive_failures=capacity.FAILING_AFTER)  # one connection, free
    busy = OutgoingWebhookFactory()  # two connections, one taken
    hold_slot(busy)
    idle = OutgoingWebhookFactory()  # two connections, both free
    rows = {webhook: backlog(webhook, 5, minutes_ago=10 - n) for n, webhook in enumerate((failing, busy, idle))}
    later = backlog(OutgoingWebhookFactory(), 1, minutes_ago=1)

    assert deliveries_dispatch_due() == 2 + 2 + 4 + 1
    by_webhook = {webhook.pk: {str(d.pk) for d in deliveries} for webhook, deliveries in rows.items()}
    sizes = {
        webhook_id: sorted(len(batch) for batch in queued if set(batch) <= ids)
        for webhook_id, ids in by_webhook.items()
    }
    assert sizes == {failing.pk: [2], busy.pk: [2], idle.pk: [2, 2]}
    assert [str(later[0].pk)] in queued


def test_an_organizations_limit_is_shared_by_its_webhooks_in_one_dispatch(settings, queued):
    settings.WEBHOOK_DELIVERY_BATCH_SIZE = 1
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 2
    settings.WEBHOOK_ORGANIZATION_CONCURRENCY = 2
    first = OutgoingWebhookFactory()
    second = OutgoingWebhookFactory(organization=first.organization)
    backlog(first, 2, minutes_ago=2)
    backlog(second, 2, minutes_ago=1)

    # Two connections for the organization: two batches, not two per webhook.
    assert deliveries_dispatch_due() == 2
    assert len(queued) == 2
