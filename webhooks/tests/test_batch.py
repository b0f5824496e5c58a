"""Deliveries in batches: one task, one claim and one keep-alive connection for a webhook's rows."""

import json
import logging
import socket
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from core.events import MESSAGE_RECEIVED
from core.logging import JsonFormatter
from core.tests.helpers import Reply
from onboarding_project.celery import app
from webhooks import capacity
from webhooks.delivery import queueing, sending
from webhooks.delivery.engine import REENQUEUE_AFTER, deliveries_dispatch_due, webhook_deliver_batch
from webhooks.models import Delivery, DeliveryAttempt, OutgoingWebhook
from webhooks.publishing import event_publish, events_publish
from webhooks.tasks import deliver_webhooks
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db


def queued_deliveries(webhook: OutgoingWebhook, count: int) -> list[Delivery]:
    """`count` events published one after the other; their tasks never run (nothing commits)."""
    events = [
        event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={"n": n}) for n in range(count)
    ]
    return [event.deliveries.get(webhook=webhook) for event in events]


def ids(deliveries: list[Delivery]) -> list[str]:
    return [str(d.pk) for d in deliveries]


def statuses(deliveries: list[Delivery]) -> list[str]:
    by_id = dict(Delivery.objects.filter(pk__in=ids(deliveries)).values_list("pk", "status"))
    return [by_id[d.pk] for d in deliveries]


@pytest.fixture
def queued_batches(monkeypatch) -> list[list[str]]:
    """The id lists handed to `deliver_webhooks`, instead of running it."""
    batches: list[list[str]] = []
    monkeypatch.setattr(deliver_webhooks, "delay", lambda delivery_ids: batches.append(delivery_ids))
    return batches


def test_batch_sends_in_event_order_over_one_connection(keep_alive_receiver, monkeypatch):
    # A fast endpoint keeps one connection; on a loaded machine the loopback receiver can take the
    # 50 ms that counts as slow (a batch then spreads: test_parallel_lanes), so "fast" is held fast.
    monkeypatch.setattr(sending, "PARALLEL_AFTER_MS", 10_000)
    webhook = OutgoingWebhookFactory(url=keep_alive_receiver.url())
    deliveries = queued_deliveries(webhook, 6)

    deliver_webhooks(list(reversed(ids(deliveries))))  # the order given does not matter

    received = keep_alive_receiver.received
    assert [r.headers["webhook-id"] for r in received] == [str(d.event_id) for d in deliveries]
    for request in received:
        Webhook(webhook.secret).verify(request.body, request.headers)
    assert len(set(keep_alive_receiver.client_ports)) == 1  # one TCP connection for the batch
    assert statuses(deliveries) == [Delivery.Status.SUCCEEDED] * 6
    attempts = DeliveryAttempt.objects.filter(delivery__in=deliveries)
    assert sorted((a.number, a.status_code) for a in attempts) == [(1, 200)] * 6
    assert all(a.finished_at and a.duration_ms is not None and a.response_excerpt == '{"ok":true}' for a in attempts)
    delivery = Delivery.objects.get(pk=deliveries[0].pk)
    assert (delivery.attempts, delivery.last_status_code, delivery.claim_token, delivery.claimed_until) == (
        1,
        200,
        None,
        None,
    )
    assert delivery.completed_at is not None


def test_a_body_too_long_to_read_costs_its_connection_only(keep_alive_receiver):
    keep_alive_receiver.script(Reply(status=200, body=b"x" * 10_000), 200, 200)
    webhook = OutgoingWebhookFactory(url=keep_alive_receiver.url())
    deliveries = queued_deliveries(webhook, 3)

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    assert statuses(deliveries) == [Delivery.Status.SUCCEEDED] * 3
    first, second, third = keep_alive_receiver.client_ports
    assert first != second == third  # the unread rest closed the first connection; the next one is kept
    excerpts = dict(DeliveryAttempt.objects.values_list("delivery_id", "response_excerpt"))
    assert excerpts[deliveries[0].pk] == "x" * 500


def test_batch_resolves_the_url_once_and_keeps_the_host_header(keep_alive_receiver, receiver_localhost):
    lookups = receiver_localhost
    webhook = OutgoingWebhookFactory(url=f"http://receiver.localhost:{keep_alive_receiver.port}/hooks")
    deliveries = queued_deliveries(webhook, 3)

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    assert lookups == ["receiver.localhost"]  # the policy check, once for the batch
    hosts = {r.headers["host"] for r in keep_alive_receiver.received}
    assert hosts == {f"receiver.localhost:{keep_alive_receiver.port}"}
    assert statuses(deliveries) == [Delivery.Status.SUCCEEDED] * 3


def test_running_a_batch_twice_sends_nothing_twice(receiver):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    deliveries = queued_deliveries(webhook, 3)

    assert len(webhook_deliver_batch(delivery_ids=ids(deliveries))) == 3
    assert webhook_deliver_batch(delivery_ids=ids(deliveries)) == []

    assert len(receiver.received) == 3
    assert DeliveryAttempt.objects.filter(delivery__in=deliveries).count() == 3


def test_batch_skips_a_delivery_another_worker_holds(receiver):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    first, held, last = queued_deliveries(webhook, 3)
    other_token = uuid.uuid4()
    Delivery.objects.filter(pk=held.pk).update(
        status=Delivery.Status.SENDING,
        attempts=1,
        claim_token=other_token,
        claimed_until=timezone.now() + timedelta(minutes=2),
    )

    claimed = webhook_deliver_batch(delivery_ids=ids([first, held, last]))

    assert claimed == [first.pk, last.pk]
    assert [r.headers["webhook-id"] for r in receiver.received] == [str(first.event_id), str(last.event_id)]
    held.refresh_from_db()
    assert (held.status, held.claim_token, held.attempts) == (Delivery.Status.SENDING, other_token, 1)
    assert not held.attempt_log.exists()


def test_a_500_schedules_only_that_delivery_for_retry(receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = [60, 600]
    receiver.script(200, 500, 200)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    deliveries = queued_deliveries(webhook, 3)

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    assert statuses(deliveries) == [Delivery.Status.SUCCEEDED, Delivery.Status.PENDING, Delivery.Status.SUCCEEDED]
    failed = Delivery.objects.get(pk=deliveries[1].pk)
    assert failed.last_status_code == 500
    assert failed.claim_token is None
    attempt = failed.attempt_log.get()
    assert attempt.status_code == 500
    # 60 s with 10 % jitter, from the attempt's end
    assert 54 <= (failed.next_attempt_at - attempt.finished_at).total_seconds() <= 66
    # Outcomes in the order they happened: the last one, a success, cleared the failure record.
    webhook.refresh_from_db()
    assert (webhook.consecutive_failures, webhook.failing_since) == (0, None)


def test_answered_failures_are_written_together_with_the_batch(receiver, settings, django_assert_max_num_queries):
    """An endpoint answering 500 to every delivery of a batch: one transaction writes the outcomes
    (a transaction of five statements per failure made a failing endpoint cost a worker three
    times what a healthy one does), each with its own retry, and the failure record counts them all."""
    settings.WEBHOOK_RETRY_DELAYS = [60, 600]
    receiver.default = Reply(status=500)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    deliveries = queued_deliveries(webhook, 20)

    # The claim (7), one UPDATE per failed delivery (20) and the record (2), with room for the
    # batch's own reads; a transaction per failure took over 120.
    with django_assert_max_num_queries(40) as queries:
        webhook_deliver_batch(delivery_ids=ids(deliveries))
    # The failure record: one UPDATE (the count, and its start if it had none), then one read.
    record_writes = [q["sql"] for q in queries.captured_queries if 'outgoingwebhook" SET' in q["sql"]]
    assert len(record_writes) == 1, record_writes

    assert len(receiver.received) == 20
    rows = list(Delivery.objects.filter(pk__in=ids(deliveries)))
    assert {(d.status, d.last_status_code, d.attempts, d.claim_token) for d in rows} == {
        (Delivery.Status.PENDING, 500, 1, None)
    }
    ended = dict(DeliveryAttempt.objects.filter(delivery__in=rows).values_list("delivery_id", "finished_at"))
    assert all(54 <= (d.next_attempt_at - ended[d.pk]).total_seconds() <= 66 for d in rows)
    assert DeliveryAttempt.objects.filter(delivery__in=rows, status_code=500, finished_at__isnull=False).count() == 20
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 20
    assert webhook.failing_since is not None


def test_a_failures_retry_counts_from_its_attempt_not_from_when_the_batch_writes_it(receiver, settings):
    """Answered failures are written when the batch ends; the first one's retry must not move later
    by the time the rest of the batch took (here a second request of 3 s)."""
    settings.WEBHOOK_RETRY_DELAYS, settings.WEBHOOK_TIMEOUT_SECONDS = [10, 600], 10.0
    receiver.script(Reply(status=500), Reply(status=500, sleep=3.0))
    webhook = OutgoingWebhookFactory(url=receiver.url())
    first, second = queued_deliveries(webhook, 2)

    webhook_deliver_batch(delivery_ids=ids([first, second]))

    first_attempt = DeliveryAttempt.objects.get(delivery=first)
    second_attempt = DeliveryAttempt.objects.get(delivery=second)
    assert (second_attempt.finished_at - first_attempt.finished_at).total_seconds() >= 2.9
    first.refresh_from_db()
    # 10 s, give or take its 10% jitter, after the first attempt ended (not after the batch did).
    assert 9.0 <= (first.next_attempt_at - first_attempt.finished_at).total_seconds() <= 11.0


def test_a_batch_stops_at_the_failure_that_disables_its_endpoint(receiver):
    """An endpoint failing for AUTO_DISABLE_AFTER: the first failure of the batch disables it, and
    the rest of the batch is not sent (its failures are written one by one, not at the end)."""
    from webhooks.delivery.outcomes import AUTO_DISABLE_AFTER

    receiver.default = Reply(status=502)
    webhook = OutgoingWebhookFactory(
        url=receiver.url(), consecutive_failures=40, failing_since=timezone.now() - AUTO_DISABLE_AFTER
    )
    deliveries = queued_deliveries(webhook, 5)

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    assert len(receiver.received) == 1
    webhook.refresh_from_db()
    assert not webhook.is_active
    assert statuses(deliveries) == [Delivery.Status.FAILED] * 5


def test_failures_after_a_success_start_the_failure_record_again(receiver):
    receiver.script(500, 200, 500, 500)
    webhook = OutgoingWebhookFactory(
        url=receiver.url(), consecutive_failures=7, failing_since=timezone.now() - timedelta(days=2)
    )
    deliveries = queued_deliveries(webhook, 4)

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 2
    assert webhook.failing_since > timezone.now() - timedelta(minutes=1)


def test_410_mid_batch_disables_the_webhook_and_fails_the_rest_unsent(receiver):
    receiver.script(200, 410)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    deliveries = queued_deliveries(webhook, 4)
    waiting = queued_deliveries(webhook, 1)[0]  # queued for a later batch

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    assert len(receiver.received) == 2
    webhook.refresh_from_db()
    assert not webhook.is_active and "410 Gone" in webhook.disabled_reason
    assert statuses(deliveries) == [Delivery.Status.SUCCEEDED] + [Delivery.Status.FAILED] * 3
    gone, *unsent = Delivery.objects.filter(pk__in=ids(deliveries[1:])).order_by("event__created_at")
    assert gone.last_status_code == 410
    waiting.refresh_from_db()
    expected = f"Not sent: the webhook was disabled. {webhook.disabled_reason}"
    assert waiting.last_error == expected  # the single path's text, for what was still queued
    for delivery in unsent:
        assert (delivery.last_error, delivery.last_status_code, delivery.claim_token) == (expected, None, None)
        attempt = delivery.attempt_log.get()
        assert (attempt.error, attempt.status_code, attempt.duration_ms) == (expected, None, 0)
        assert attempt.finished_at is not None


def test_inactive_webhook_fails_the_whole_batch_unsent(receiver):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    deliveries = queued_deliveries(webhook, 3)
    OutgoingWebhook.objects.filter(pk=webhook.pk).update(is_active=False)

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    assert receiver.received == []
    for delivery in Delivery.objects.filter(pk__in=ids(deliveries)):
        assert (delivery.status, delivery.last_error) == (Delivery.Status.FAILED, "Not sent: the webhook is inactive.")
        assert delivery.attempt_log.get().error == "Not sent: the webhook is inactive."


def test_time_budget_releases_the_unsent_rest_and_queues_it_again(
    receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_BATCH_SECONDS = 0.05
    receiver.default = Reply(status=200, sleep=0.2)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    deliveries = queued_deliveries(webhook, 4)
    requeued: list[list[tuple[str, str]]] = []
    monkeypatch.setattr(queueing, "enqueue", requeued.append)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_deliver_batch(delivery_ids=ids(deliveries))

    assert len(receiver.received) == 1  # the first request always starts; then the budget is spent
    assert statuses(deliveries) == [Delivery.Status.SUCCEEDED] + [Delivery.Status.PENDING] * 3
    for delivery in Delivery.objects.filter(pk__in=ids(deliveries[1:])):
        assert (delivery.attempts, delivery.claim_token, delivery.claimed_until) == (0, None, None)
        assert delivery.last_attempt_at is None
        assert delivery.next_attempt_at <= timezone.now()
        assert not delivery.attempt_log.exists()
    assert requeued == [[(str(webhook.pk), d) for d in ids(deliveries[1:])]]


def test_enqueue_groups_by_webhook_and_chunks_by_batch_size(
    settings, queued_batches, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DELIVERY_BATCH_SIZE = 2
    first = OutgoingWebhookFactory()
    second = OutgoingWebhookFactory(organization=first.organization)

    with django_capture_on_commit_callbacks(execute=True):
        events_publish(type=MESSAGE_RECEIVED, items=[(first.organization, {"n": n}, None) for n in range(3)])

    by_webhook = {}
    for webhook_id, delivery_id in Delivery.objects.values_list("webhook_id", "pk"):
        by_webhook[str(delivery_id)] = webhook_id
    assert [len(batch) for batch in queued_batches] == [2, 1, 2, 1]
    for batch in queued_batches:
        assert len({by_webhook[d] for d in batch}) == 1
    assert {d for batch in queued_batches for d in batch} == set(by_webhook)
    assert {by_webhook[batch[0]] for batch in queued_batches} == {first.pk, second.pk}


def test_dispatcher_queues_due_deliveries_in_batches_per_webhook(settings, queued_batches):
    settings.WEBHOOK_DELIVERY_BATCH_SIZE = 2
    first = OutgoingWebhookFactory()
    second = OutgoingWebhookFactory()
    lost = queued_deliveries(first, 3) + queued_deliveries(second, 1)
    Delivery.objects.update(enqueued_at=timezone.now() - REENQUEUE_AFTER)

    assert deliveries_dispatch_due() == 4
    assert deliveries_dispatch_due() == 0  # just queued: a second dispatcher leaves them alone

    assert sorted(len(batch) for batch in queued_batches) == [1, 1, 2]
    webhook_of = {str(d.pk): d.webhook_id for d in lost}
    for batch in queued_batches:
        assert len({webhook_of[d] for d in batch}) == 1
    assert sorted(d for batch in queued_batches for d in batch) == sorted(ids(lost))


def test_dispatcher_queues_only_the_rows_it_marked(settings, queued_batches, monkeypatch):
    webhook = OutgoingWebhookFactory()
    deliveries = queued_deliveries(webhook, 3)
    Delivery.objects.update(enqueued_at=None)
    real_batches = queueing.batches

    def another_dispatcher_in_between(candidates, **options):
        # Another dispatcher queued one of the rows after this one read its candidates.
        Delivery.objects.filter(pk=deliveries[1].pk).update(enqueued_at=timezone.now())
        return real_batches(candidates, **options)

    monkeypatch.setattr(queueing, "batches", another_dispatcher_in_between)

    assert deliveries_dispatch_due() == 2
    assert queued_batches == [[str(deliveries[0].pk), str(deliveries[2].pk)]]


def test_a_batch_is_logged_once_and_each_failed_attempt_on_its_own(receiver, caplog):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    deliveries = queued_deliveries(webhook, 3)
    receiver.replies = [Reply(200), Reply(503), Reply(200)]

    with caplog.at_level(logging.INFO, logger="webhooks.delivery.sending"):
        webhook_deliver_batch(delivery_ids=ids(deliveries))

    [failed] = [r for r in caplog.records if r.getMessage() == "webhook delivery attempt failed"]
    assert str(failed.delivery_id) == ids(deliveries)[1] and str(failed.event_id) == str(deliveries[1].event_id)
    assert (str(failed.webhook_id), failed.attempt, failed.status_code) == (str(webhook.pk), 1, 503)
    assert isinstance(failed.duration_ms, int)
    [sent] = [r for r in caplog.records if r.getMessage() == "webhook deliveries sent"]
    line = json.loads(JsonFormatter().format(sent))  # as the JSON log line shows it
    assert line["webhook_id"] == str(webhook.pk)
    assert (line["sent"], line["succeeded"], line["failed"]) == (3, 2, 1)
    assert line["succeeded_ids"] == [ids(deliveries)[0], ids(deliveries)[2]]
    assert line["succeeded_event_ids"] == [str(deliveries[0].event_id), str(deliveries[2].event_id)]
    assert isinstance(line["slowest_ms"], int)


def test_deliveries_are_routed_to_their_own_queue(settings):
    for task in ("webhooks.tasks.deliver_webhooks", "webhooks.tasks.deliver_webhook"):
        assert app.amqp.router.route({}, task)["queue"].name == settings.WEBHOOK_QUEUE


def test_a_failing_endpoint_that_stops_answering_gets_the_rest_of_the_batch_back_unsent(
    receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.default = Reply(status=200, sleep=2)  # answers far too late
    webhook = OutgoingWebhookFactory(url=receiver.url(), consecutive_failures=capacity.FAILING_AFTER - 1)
    deliveries = queued_deliveries(webhook, 4)
    requeued: list[list[tuple[str, str]]] = []
    monkeypatch.setattr(queueing, "enqueue", requeued.append)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_deliver_batch(delivery_ids=ids(deliveries))

    # One try timed out: it counts, and waits for its retry. The others were not sent: no attempt
    # counted, due now and queued again, for the endpoint's one connection.
    assert len(receiver.received) == 1
    timed_out, *rest = Delivery.objects.filter(pk__in=ids(deliveries)).order_by("event__created_at")
    assert (timed_out.status, timed_out.attempts, timed_out.last_status_code) == (Delivery.Status.PENDING, 1, None)
    assert timed_out.next_attempt_at > timezone.now()
    for delivery in rest:
        assert (delivery.status, delivery.attempts, delivery.claim_token) == (Delivery.Status.PENDING, 0, None)
        assert delivery.next_attempt_at <= timezone.now()
        assert not delivery.attempt_log.exists()
    assert requeued == [[(str(webhook.pk), d) for d in ids(deliveries[1:])]]


def test_a_failing_endpoint_that_refuses_connections_is_still_sent_the_whole_batch(settings):
    with socket.socket() as unused:  # a port nothing listens on: refused at once
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/hook"
    webhook = OutgoingWebhookFactory(url=url, consecutive_failures=capacity.FAILING_AFTER)
    deliveries = queued_deliveries(webhook, 3)

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    # Each refusal took a moment, not a thread for the timeout: every delivery had its attempt.
    assert {(d.attempts, d.last_status_code) for d in Delivery.objects.filter(pk__in=ids(deliveries))} == {(1, None)}


def test_an_endpoint_that_fails_with_an_answer_is_still_sent_the_whole_batch(receiver):
    receiver.default = Reply(status=500)  # a quick answer: no thread is held by trying the rest
    webhook = OutgoingWebhookFactory(url=receiver.url(), consecutive_failures=capacity.FAILING_AFTER)
    deliveries = queued_deliveries(webhook, 3)

    webhook_deliver_batch(delivery_ids=ids(deliveries))

    assert len(receiver.received) == 3
    assert {d.attempts for d in Delivery.objects.filter(pk__in=ids(deliveries))} == {1}
