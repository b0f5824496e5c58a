"""Sending one webhook's claimed deliveries: in event order over one keep-alive connection while
the endpoint answers quickly; over more connections, up to its free slots, once it answers slowly.

A fast endpoint is best served in order on one connection (and several of its batches run side by
side). A slow one is not: one connection to an endpoint taking 100 ms carries 10 deliveries a
second, whatever the worker's thread count. So `SLOW_ANSWERS_TO_SPREAD` successful answers in a
row that each took `PARALLEL_AFTER_MS` or more spread the batch (one slow answer is as often a
busy machine as a slow endpoint: spread then, a fast endpoint's batches churned claims over lanes
and `webhook_fanout_fast` halved): from then on its rows go out over lanes, one
connection each, as many as the endpoint's and organization's concurrency limits leave free
(`claiming.claims_widen`), each under a claim token of its own, so the limits, counted in the
database, hold as before. A lane is handed at most `LANE_SHARE` rows at a time and asks for more
when it has sent them (`claiming.claims_move`), so lanes that finish early take over the rows that
are left instead of leaving a few connections to carry long shares to the end; while rows are
left, the batch asks for more slots again (other batches of the same endpoint end and free theirs).
A failing endpoint is never widened (it keeps the connections it has), and once it keeps failing
(webhooks.capacity.FAILING_AFTER in a row) a try it leaves unanswered for the timeout ends the
batch: the unsent rows go back to the queue, for its one connection.

Lanes only make HTTP requests; every database write (outcomes, hand-outs, releases) and every log
line is made by the batch's own thread, as the results come back.
"""

import logging
import queue
import threading
import time
import uuid
from collections import deque
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core import logging as log_context
from webhooks import capacity, signing, transport
from webhooks.delivery.claiming import Claim, claims_move, claims_widen
from webhooks.delivery.outcomes import (
    AUTO_DISABLE_AFTER,
    STATUS_GONE,
    Failure,
    fail_unsent,
    not_sent_disabled,
    record_outcomes,
    release_unsent,
)
from webhooks.models import OutgoingWebhook

logger = logging.getLogger(__name__)

NOT_SENT_INACTIVE = "Not sent: the webhook is inactive."
# While a batch runs longer than this (a slow endpoint), it records its successes and checks that
# the webhook is still active this often.
BATCH_CHECK_SECONDS = 5.0
# This many successful answers in a row, each this slow (or slower), spread the rest of the batch
# over more connections; while rows are left to hand out, the batch asks for more slots every
# WIDEN_AGAIN_SECONDS.
PARALLEL_AFTER_MS = 50
SLOW_ANSWERS_TO_SPREAD = 3
WIDEN_AGAIN_SECONDS = 0.2
# The most rows a lane is handed at a time (about half a second of an endpoint taking 100 ms): a
# lane that has sent them gets more, so the last rows never wait behind one long share.
LANE_SHARE = 5
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


_SHARE_SENT = object()  # a lane's report that it has sent its share and waits for another


class _Lane(threading.Thread):
    """One connection of a spread batch, under one claim token: sends each share it is handed, in
    order, and reports each result, then that the share is sent (it waits for the next); ends when
    handed None, told to stop, or out of time, and reports that too (with its unsent rows)."""

    def __init__(
        self, token: uuid.UUID, *, url: str, results: queue.Queue, stop: threading.Event, deadline: float
    ) -> None:
        super().__init__(daemon=True, name="webhook-lane")
        self.token, self.url, self.results, self.stop_event, self.deadline = token, url, results, stop, deadline
        self.inbox: queue.SimpleQueue[list[Claim] | None] = queue.SimpleQueue()
        self.unsent: list[Claim] = []
        self.flushes_seen = 0  # the batch's flush count when this lane's rows last held its slot

    def run(self) -> None:
        share: list[Claim] = []
        index = 0
        try:
            with transport.Sender(url=self.url, timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS)) as sender:
                while (handed := self.inbox.get()) is not None:
                    share, index = handed, 0
                    while index < len(share):
                        if self.stop_event.is_set() or time.monotonic() >= self.deadline:
                            return
                        self.results.put((share[index], _post(sender, share[index])))
                        index += 1
                    self.results.put((self, _SHARE_SENT))
        finally:
            self.unsent = share[index:]
            self.results.put((self, None))


class _Batch:
    """The outcomes of one webhook's batch, written (and logged) by the batch's own thread.

    Outcomes are written together (`record_outcomes`), when the batch or one of its lanes ends, every
    BATCH_CHECK_SECONDS, and at once after a failure that got no answer or a `410 Gone` (what the
    batch does next depends on it). A failed attempt is logged on its own line; successes are
    logged once per batch, with their delivery ids: a line per success made the delivery threads
    queue for the log handler's lock (a fifth of a worker's time in `webhook_fanout_fast`), and
    every attempt is a `DeliveryAttempt` row anyway."""

    def __init__(self, claims: list[Claim]) -> None:
        self.webhook = claims[0].webhook
        self.outcomes: list[tuple[Claim, transport.AttemptResult]] = []  # not written yet, in order
        self.stop_error: str | None = None  # set: nothing more is sent, the unsent rows fail with it
        self.paused = False  # set: nothing more is sent, the unsent rows go back to the queue
        self.sent = 0
        self.succeeded: list[tuple[uuid.UUID, uuid.UUID]] = []  # (delivery id, event id = webhook-id)
        self.failed = 0
        self.slowest_ms = 0
        self.flushes = 0  # writes of outcomes so far (each write may free a lane's slot)
        # An endpoint about to be disabled for its days of failures has each failure written at
        # once, so that the one that disables it stops the batch there, as it would have.
        failing_since = self.webhook.failing_since
        self.failures_at_once = failing_since is not None and timezone.now() - failing_since >= (
            AUTO_DISABLE_AFTER - timedelta(seconds=capacity.batch_max_seconds())
        )

    def record(self, claim: Claim, result: transport.AttemptResult) -> None:
        self.sent += 1
        self.slowest_ms = max(self.slowest_ms, result.duration_ms)
        self.outcomes.append((claim, result))
        if result.ok:
            self.succeeded.append((claim.delivery_id, claim.event_id))
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
        if result.status_code is not None and result.status_code != STATUS_GONE and not self.failures_at_once:
            return  # answered: written with the batch's other outcomes
        failure = self.flush()
        if not self.stop_error and failure.in_a_row >= capacity.FAILING_AFTER and _held_the_thread(result):
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

    def flush(self) -> Failure:
        """Write the outcomes not written yet; a webhook they disabled stops the batch."""
        if not self.outcomes:
            return Failure()
        failure = record_outcomes(self.outcomes)
        self.outcomes = []
        self.flushes += 1
        if failure.disabled and self.stop_error is None:
            self.stop_error = not_sent_disabled(failure.disabled)
        return failure

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
    next_check = time.monotonic() + BATCH_CHECK_SECONDS
    # With one connection per endpoint (or organization) the batch holds the only slot: asking for more
    # (a lock on the organization's row and a count of its batches) could never succeed, and 64
    # batches asking five times a second made that count most of PostgreSQL's work (`two_nodes`,
    # 3,200 deliveries: 48 deliveries/s with two worker nodes against 206 with one).
    may_widen = min(int(settings.WEBHOOK_ENDPOINT_CONCURRENCY), int(settings.WEBHOOK_ORGANIZATION_CONCURRENCY)) > 1
    spread = False
    slow_in_a_row = 0
    try:
        with transport.Sender(url=batch.webhook.url, timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS)) as sender:
            while own and not batch.stopped:
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
                slow_in_a_row = slow_in_a_row + 1 if slow else 0
                slow_endpoint = slow_in_a_row >= SLOW_ANSWERS_TO_SPREAD
                if may_widen and slow_endpoint and len(own) > 1 and time.monotonic() < deadline:
                    spread = True
                    break
        if spread and not batch.stopped:
            _send_spread(batch, own, deadline=deadline, next_check=next_check)
        batch.give_back(list(own))
    finally:
        try:
            batch.flush()
        finally:
            batch.log()
    return batch.sent


def _send_spread(batch: _Batch, own: deque[Claim], *, deadline: float, next_check: float) -> None:
    """The rest of a slow endpoint's batch over lanes: the batch's own connection becomes a lane
    (under the batch's token), more lanes open on the free slots, and each lane is handed
    `LANE_SHARE` rows at a time from `own` until none are left. This thread only hands out, asks
    for more slots while rows are left, and writes what comes back. Returns with every lane ended;
    rows never handed out stay in `own`."""
    results: queue.Queue = queue.Queue()
    stop = threading.Event()
    lanes: list[_Lane] = []
    token = own[0].token  # the batch's

    def take(size: int = LANE_SHARE) -> list[Claim]:
        return [own.popleft() for _ in range(min(size, len(own)))]

    def open_lane(lane_token: uuid.UUID, share: list[Claim]) -> None:
        lane = _Lane(lane_token, url=batch.webhook.url, results=results, stop=stop, deadline=deadline)
        lane.flushes_seen = batch.flushes
        lanes.append(lane)
        lane.start()
        lane.inbox.put(share)

    def widen() -> int:
        """Lanes on the free slots; returns the size of their shares (LANE_SHARE if none opened)."""
        shares = claims_widen(list(own), most=LANE_SHARE)
        handed = {claim.delivery_id for share in shares for claim in share}
        kept = [claim for claim in own if claim.delivery_id not in handed]
        own.clear()
        own.extend(kept)
        for share in shares:
            open_lane(share[0].token, share)
        return len(shares[0]) if shares else LANE_SHARE

    def hand_out(lane: _Lane) -> None:
        """More rows for a lane that has sent its share, or None: it ends."""
        share: list[Claim] = []
        if own and not batch.stopped and time.monotonic() < deadline:
            share = take()
            if lane.token != token:
                # A write since its last share may have marked all its rows done: then no row held
                # its slot, and another batch may have taken it.
                moved = claims_move(share, token=lane.token, count_again=batch.flushes != lane.flushes_seen)
                if not moved:
                    own.extendleft(reversed(share))
                share = moved
        if share:
            lane.flushes_seen = batch.flushes
            lane.inbox.put(share)
        else:
            lane.inbox.put(None)

    try:
        open_lane(token, take(widen()))  # the batch's own connection takes a share as large as the others'
        next_widen = time.monotonic() + WIDEN_AGAIN_SECONDS
        while lanes:
            try:
                source, result = results.get(timeout=WIDEN_AGAIN_SECONDS)
            except queue.Empty:
                source = result = None
            if source is None:
                pass
            elif result is None:  # a lane ended
                lanes.remove(source)
                batch.give_back(source.unsent)
                # Its rows written now, so its slot is free for the endpoint's other batches at once.
                batch.flush()
            elif result is _SHARE_SENT:
                hand_out(source)
            else:
                batch.record(source, result)
            if batch.stopped:
                stop.set()
            clock = time.monotonic()
            if clock >= next_check:
                batch.check_active()
                next_check = time.monotonic() + BATCH_CHECK_SECONDS
                if batch.stopped:
                    stop.set()
            if own and not batch.stopped and next_widen <= clock < deadline:
                widen()
                next_widen = clock + WIDEN_AGAIN_SECONDS
    finally:
        stop.set()
        for lane in lanes:
            lane.inbox.put(None)
