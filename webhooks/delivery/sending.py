"""Sending one webhook's claimed deliveries: in event order over one keep-alive connection while
the endpoint answers quickly; over more connections, up to its free slots, once it answers slowly.

A fast endpoint is best served in order on one connection (and several of its batches run side by
side). A slow one is not: one connection to an endpoint taking 100 ms carries 10 deliveries a
second, whatever the worker's thread count. So the first successful answer that took
`PARALLEL_AFTER_MS` or more widens the batch (`claiming.claims_widen`): its unsent rows are shared
out over as many connections as the endpoint's and organization's concurrency limits leave free,
each share under a claim token of its own, so the limits, counted in the database, hold as before.
While its own share still has rows, the batch asks for more slots again (other batches of the same
endpoint end and free theirs).
A failing endpoint is never widened (it keeps the connections it has), and once it keeps failing
(webhooks.capacity.FAILING_AFTER in a row) a try it leaves unanswered for the timeout ends the
batch: the unsent rows go back to the queue, for its one connection.

Helper threads only make HTTP requests; every database write (outcomes, releases) and every log
line is made by the batch's own thread, as the results come back.
"""

import logging
import queue
import threading
import time
import uuid
from collections import deque

from django.conf import settings
from django.utils import timezone

from core import logging as log_context
from webhooks import capacity, signing, transport
from webhooks.delivery.claiming import Claim, claims_widen
from webhooks.delivery.outcomes import fail_unsent, not_sent_disabled, record_failure, record_successes, release_unsent
from webhooks.models import OutgoingWebhook

logger = logging.getLogger(__name__)

NOT_SENT_INACTIVE = "Not sent: the webhook is inactive."
# While a batch runs longer than this (a slow endpoint), it records its successes and checks that
# the webhook is still active this often.
BATCH_CHECK_SECONDS = 5.0
# An answer this slow (or slower) spreads the rest of the batch over more connections; when no
# slot was free, the batch asks again after WIDEN_AGAIN_SECONDS (at its next slow answer).
PARALLEL_AFTER_MS = 50
WIDEN_AGAIN_SECONDS = 0.2
# A batch's log line names at most this many of its successful deliveries (and their events).
LOGGED_IDS = 100


def _headers(*, event_id: uuid.UUID, body: bytes, webhook: OutgoingWebhook) -> dict[str, str]:
    now = timezone.now()
    timestamp = int(now.timestamp())
    msg_id = str(event_id)
    # Two signatures while a rotated secret's grace period lasts (webhooks.rotation).
    secrets = webhook.signing_secrets(now)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(secrets=secrets, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def _post(sender: transport.Sender, claim: Claim) -> transport.AttemptResult:
    body = claim.payload.encode()
    return sender.post(body=body, headers=_headers(event_id=claim.event_id, body=body, webhook=claim.webhook))


def _held_the_thread(result: transport.AttemptResult) -> bool:
    """No answer, after waiting at least half the timeout for one."""
    return result.status_code is None and result.duration_ms >= float(settings.WEBHOOK_TIMEOUT_SECONDS) * 500


class _Lane(threading.Thread):
    """One more connection of a widened batch: sends its share in order until told to stop or
    the batch's time is up; reports each result, then itself, on the batch's queue."""

    def __init__(self, share: list[Claim], *, results: queue.Queue, stop: threading.Event, deadline: float) -> None:
        super().__init__(daemon=True, name="webhook-lane")
        self.share, self.results, self.stop_event, self.deadline = share, results, stop, deadline
        self.unsent: list[Claim] = []

    def run(self) -> None:
        index = 0
        try:
            webhook = self.share[0].webhook
            with transport.Sender(url=webhook.url, timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS)) as sender:
                for index, claim in enumerate(self.share):  # noqa: B007 - read after the loop
                    if self.stop_event.is_set() or time.monotonic() >= self.deadline:
                        break
                    self.results.put((claim, _post(sender, claim)))
                else:
                    index = len(self.share)
        finally:
            self.unsent = self.share[index:]
            self.results.put((self, None))


class _Batch:
    """The outcomes of one webhook's batch, written (and logged) by the batch's own thread.

    A failed attempt is logged on its own line; successes are logged once per batch, with their
    delivery ids: a line per success made the delivery threads queue for the log handler's lock
    (a fifth of a worker's time in `webhook_fanout_fast`), and every attempt is a `DeliveryAttempt`
    row anyway."""

    def __init__(self, claims: list[Claim]) -> None:
        self.webhook = claims[0].webhook
        self.successes: list[tuple[Claim, transport.AttemptResult]] = []
        self.stop_error: str | None = None  # set: nothing more is sent, the unsent rows fail with it
        self.paused = False  # set: nothing more is sent, the unsent rows go back to the queue
        self.sent = 0
        self.succeeded: list[tuple[uuid.UUID, uuid.UUID]] = []  # (delivery id, event id = webhook-id)
        self.failed = 0
        self.slowest_ms = 0

    def record(self, claim: Claim, result: transport.AttemptResult) -> None:
        self.sent += 1
        self.slowest_ms = max(self.slowest_ms, result.duration_ms)
        if result.ok:
            self.succeeded.append((claim.delivery_id, claim.event_id))
            self.successes.append((claim, result))
            return
        self.failed += 1
        logger.info(
            "webhook delivery attempt failed",
            # UUIDs, not text: the JSON line shows them the same, and the redaction filter only scans text.
            extra={
                "delivery_id": claim.delivery_id,
                "event_id": claim.event_id,
                "webhook_id": self.webhook.pk,
                "attempt": claim.attempt_number,
                "status_code": result.status_code,
                "duration_ms": result.duration_ms,
            },
        )
        # Successes first, so the webhook's failure record keeps the order of the outcomes.
        self.flush()
        failure = record_failure(claim, result)
        if failure.disabled:
            self.stop_error = not_sent_disabled(failure.disabled)
        elif failure.in_a_row >= capacity.FAILING_AFTER and _held_the_thread(result):
            # No answer within the time a try may take, from an endpoint that keeps failing: each
            # further try would hold this thread as long again. The rest go back to the queue
            # unsent, for the endpoint's one connection (webhooks.capacity). (A refused connection
            # fails at once: trying the rest costs little, and pausing would only churn claims.)
            self.paused = True

    @property
    def stopped(self) -> bool:
        return self.stop_error is not None or self.paused

    def log(self) -> None:
        if self.sent:
            logger.info(
                "webhook deliveries sent",
                extra={
                    "webhook_id": self.webhook.pk,
                    "sent": self.sent,
                    "succeeded": len(self.succeeded),
                    "failed": self.failed,
                    "slowest_ms": self.slowest_ms,
                    # At most LOGGED_IDS of each: a line stays a few kilobytes whatever the batch size.
                    "succeeded_ids": [delivery_id for delivery_id, _ in self.succeeded[:LOGGED_IDS]],
                    "succeeded_event_ids": [event_id for _, event_id in self.succeeded[:LOGGED_IDS]],
                },
            )

    def flush(self) -> None:
        record_successes(self.successes)
        self.successes = []

    def check_active(self) -> None:
        self.flush()
        # Another worker's 410, or a deactivation through the API.
        if self.stop_error is None and not OutgoingWebhook.objects.filter(pk=self.webhook.pk, is_active=True).exists():
            self.stop_error = NOT_SENT_INACTIVE

    def give_back(self, unsent: list[Claim]) -> None:
        """Rows claimed and not sent: failed when the webhook stopped, else back to the queue."""
        if unsent:
            fail_unsent(unsent, error=self.stop_error) if self.stop_error else release_unsent(unsent)


def webhook_send(claims: list[Claim], *, deadline: float, may_stop: bool) -> int:
    """Send one webhook's claimed deliveries; returns how many were sent. With `may_stop`,
    nothing more is started once `deadline` (monotonic) has passed; without it, at least one is."""
    batch = _Batch(claims)
    log_context.bind(organization_id=batch.webhook.organization_id)
    if not batch.webhook.is_active:
        fail_unsent(claims, error=NOT_SENT_INACTIVE)
        return 0
    own = deque(claims)
    lanes: list[_Lane] = []
    results: queue.Queue = queue.Queue()
    stop = threading.Event()
    next_check = time.monotonic() + BATCH_CHECK_SECONDS
    next_widen = 0.0
    # With one connection per endpoint (or organization) the batch holds the only slot: asking for more
    # (a lock on the organization's row and a count of its batches) could never succeed, and 64
    # batches asking five times a second made that count most of PostgreSQL's work (`two_nodes`,
    # 3,200 deliveries: 48 deliveries/s with two worker nodes against 206 with one).
    may_widen = min(int(settings.WEBHOOK_ENDPOINT_CONCURRENCY), int(settings.WEBHOOK_ORGANIZATION_CONCURRENCY)) > 1

    def drain(block: bool) -> None:
        while True:
            try:
                claim, result = results.get(block=block, timeout=BATCH_CHECK_SECONDS if block else None)
            except queue.Empty:
                return
            if result is None:  # a lane ended
                lanes.remove(claim)
                batch.give_back(claim.unsent)
            else:
                batch.record(claim, result)
            if batch.stopped:
                stop.set()
            if block:
                return

    try:
        with transport.Sender(url=batch.webhook.url, timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS)) as sender:
            while own and not batch.stopped:
                drain(block=False)
                clock = time.monotonic()
                if (may_stop or batch.sent) and clock >= deadline:
                    break
                if clock >= next_check:
                    batch.check_active()
                    next_check = clock + BATCH_CHECK_SECONDS
                    continue
                claim = own.popleft()
                result = _post(sender, claim)
                batch.record(claim, result)
                slow = result.ok and result.duration_ms >= PARALLEL_AFTER_MS
                clock = time.monotonic()
                if may_widen and slow and len(own) > 1 and next_widen <= clock < deadline:
                    batch.flush()  # recorded under the batch's token before the rows move
                    own_share, *shares = claims_widen(list(own))
                    own = deque(own_share)
                    # Again later if no slot was free (another batch of the endpoint held them all).
                    next_widen = clock + WIDEN_AGAIN_SECONDS
                    for share in shares:
                        lane = _Lane(share, results=results, stop=stop, deadline=deadline)
                        lanes.append(lane)
                        lane.start()
            if batch.stopped:
                stop.set()
            batch.give_back(list(own))
            while lanes:
                drain(block=True)
                if time.monotonic() >= next_check:
                    batch.check_active()
                    next_check = time.monotonic() + BATCH_CHECK_SECONDS
                    if batch.stopped:
                        stop.set()
    finally:
        stop.set()
        try:
            batch.flush()
        finally:
            batch.log()
    return batch.sent
