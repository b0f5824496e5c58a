"""Waking the `inbound` worker: one drain task per short window of arrivals, not one per payload.

Every stored payload needs a task that runs after its row is committed. One task per payload (the
first design) gave the `inbound` worker a Celery task for each, most of which found their row
already taken by another task's batch: at 200 payloads a second its two prefork processes spent
their time on empty tasks and fell minutes behind (`make bench`, `inbound_to_customer`).

Now the payloads stored within one `WINDOW_SECONDS` share a drain: the first of them queues it
(`cache.add`, one SET NX on a shared cache), with an ETA just past the window's end, so the drain
claims after every row of the window was committed; the others find the window's key and queue
nothing (a process remembers the last window it saw queued, so most of them do not even ask
the cache). The drain takes every due row, oldest first, in batches
(`phones.inbound_processing.inbound_drain`).

The cache only saves tasks, it is never needed for correctness: with a per-process cache
(development's default), another key prefix, or the cache down (`cache.add` raising), payloads get
more drains, never none. Hosts' clocks must agree within `ETA_MARGIN_SECONDS` (NTP does far better);
whatever is left behind, the sweep (`phones.tasks.process_pending_inbound`) takes after a minute.
"""

import contextlib
import logging
import math
import time
from datetime import UTC, datetime

from django.core.cache import cache

logger = logging.getLogger(__name__)

# 0.2 s, not 0.1: each drain publishes one batch of deliveries per customer, so the window sets how
# many claims the `webhooks` worker makes. At 0.1 s the `make bench` streams ran the 2-CPU machine
# out of CPU (Meta's POSTs waiting seconds for their answer) in most runs, at 0.2 s in one run of
# three; it costs 0.1 s more on a message's median wait (docs/performance.md, "The drain window").
WINDOW_SECONDS = 0.2
ETA_MARGIN_SECONDS = 0.05
KEY_PREFIX = "phones:inbound:drain:"
# The last window this process saw a drain queued for: its next payloads in that window skip the
# cache's round trip too (threads racing here each ask the cache, which is harmless).
_window_seen: int | None = None


def inbound_wake() -> None:
    """Make sure a drain runs after this moment's window: call once the payload's row is committed."""
    from phones.tasks import process_inbound_webhook

    global _window_seen
    if process_inbound_webhook.app.conf.task_always_eager:
        # An eager task (tests, CELERY_TASK_ALWAYS_EAGER) runs now, not after the window: one each.
        process_inbound_webhook.apply_async()
        return
    now = time.time()
    window = math.floor(now / WINDOW_SECONDS)
    if window == _window_seen:
        return  # this process already saw the window's drain queued (by itself or another)
    try:
        first = cache.add(f"{KEY_PREFIX}{window}", 1, timeout=10)
    except Exception:
        logger.warning("inbound wake-up: the cache failed; queuing a drain anyway", exc_info=True)
        first = True
    if first:
        eta = (window + 1) * WINDOW_SECONDS + ETA_MARGIN_SECONDS
        try:
            process_inbound_webhook.apply_async(eta=datetime.fromtimestamp(eta, tz=UTC))
        except Exception:
            # The broker refused it: the window's next payload (here or on another host) tries again.
            with contextlib.suppress(Exception):
                cache.delete(f"{KEY_PREFIX}{window}")
            raise
    _window_seen = window
