"""Issue 13, finding 1: endpoints that answer their headers and then trickle a byte a second must
not stall other organizations' webhooks. The webhooks worker runs as the Procfile starts it (thread
pool, its own queue), with a few threads and short timeouts; organization A's endpoints trickle on
a real loopback receiver, organization B's `webhook.test` must arrive within seconds, every
trickling attempt is recorded as a timeout, and no `webhook-id` is sent again while an attempt
with it is still open."""

import time

import pytest

from core.events import MESSAGE_RECEIVED
from core.tests.helpers import Receiver, Reply
from webhooks.delivery.engine import deliveries_dispatch_due
from webhooks.models import Delivery, DeliveryAttempt
from webhooks.publishing import event_publish, webhook_test
from webhooks.tests.factories import OutgoingWebhookFactory
from webhooks.tests.workers import procfile_command

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 4
TIMEOUT = 2  # WEBHOOK_TIMEOUT_SECONDS of the worker under test; a byte comes every second
SLOW_ENDPOINTS = 3
EVENTS_EACH = 2
TIMED_OUT = f"Timed out after {TIMEOUT} s: the endpoint answered 200 but did not finish its body in time."

WORKER_ENV = {
    "WEBHOOK_CONCURRENCY": str(THREADS),
    "WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT),
    "WEBHOOK_BATCH_SECONDS": "4",
    "WEBHOOK_DELIVERY_BATCH_SIZE": "1",  # a task per delivery: more tasks than threads
    "WEBHOOK_ENDPOINT_CONCURRENCY": "1",
    "WEBHOOK_RETRY_DELAYS": "1,1,1,1,1",
}


@pytest.fixture
def trickling_receiver():
    receiver = Receiver()
    receiver.default = Reply(status=200, trickle=1.0)
    receiver.start()
    yield receiver
    receiver.stop()


def _beat_until(predicate, timeout: float) -> bool:
    """Run the dispatcher as beat would (more often: every half second) until `predicate` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        deliveries_dispatch_due()
        time.sleep(0.5)
    return predicate()


def test_trickling_endpoints_of_one_organization_do_not_stall_another_organizations_webhooks(
    real_broker, settings, trickling_receiver, receiver
):
    settings.WEBHOOK_DELIVERY_BATCH_SIZE = 1  # what this process queues, as the worker's setting
    real_broker(command=procfile_command("webhooks", WORKER_ENV), env=WORKER_ENV)
    slow = [OutgoingWebhookFactory(url=trickling_receiver.url("/a0"))]  # organization A
    slow += [
        OutgoingWebhookFactory(organization=slow[0].organization, url=trickling_receiver.url(f"/a{n}"))
        for n in range(1, SLOW_ENDPOINTS)
    ]
    healthy = OutgoingWebhookFactory(url=receiver.url("/b"))  # organization B
    for n in range(EVENTS_EACH):
        event_publish(organization=slow[0].organization, type=MESSAGE_RECEIVED, data={"n": n})
    slow_deliveries = list(Delivery.objects.filter(webhook__in=slow))
    assert len(slow_deliveries) == SLOW_ENDPOINTS * EVENTS_EACH  # more tasks than the worker has threads
    assert trickling_receiver.wait_for(SLOW_ENDPOINTS, timeout=10), "organization A's endpoints got nothing"

    sent_at = time.monotonic()
    delivery = webhook_test(webhook=healthy)
    assert receiver.wait_for(1, timeout=6), "organization B's webhook.test waited behind the trickling endpoints"
    assert receiver.received[0].arrived_at - sent_at < 6
    delivery.refresh_from_db()
    assert _beat_until(lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SUCCEEDED, 5)

    # Every trickling delivery is attempted, and each of its attempts ends as a timeout.
    def all_attempted() -> bool:
        finished = DeliveryAttempt.objects.filter(delivery__in=slow_deliveries, finished_at__isnull=False)
        return finished.values("delivery").distinct().count() == len(slow_deliveries)

    assert _beat_until(all_attempted, 40)
    errors = set(
        DeliveryAttempt.objects.filter(delivery__in=slow_deliveries, finished_at__isnull=False).values_list(
            "error", flat=True
        )
    )
    assert errors == {TIMED_OUT}
    durations = DeliveryAttempt.objects.filter(delivery__in=slow_deliveries, finished_at__isnull=False)
    assert all(TIMEOUT * 1000 <= a.duration_ms < (TIMEOUT + 1) * 1000 for a in durations)

    # No webhook-id was sent to an endpoint again while an earlier request with it was open there,
    # and at most one request per endpoint was open at any time (WEBHOOK_ENDPOINT_CONCURRENCY=1).
    requests = sorted(trickling_receiver.received, key=lambda r: r.arrived_at)
    for key in (lambda r: (r.path, r.headers["webhook-id"]), lambda r: r.path):
        by_key: dict[object, list] = {}
        for request in requests:
            by_key.setdefault(key(request), []).append(request)
        for value, sent in by_key.items():
            for earlier, later in zip(sent, sent[1:], strict=False):
                assert earlier.ended_at is not None and earlier.ended_at <= later.arrived_at, value
    assert len({(r.path, r.headers["webhook-id"]) for r in requests}) == len(slow_deliveries)
