"""A per-WABA budget for the Graph reads our API triggers, kept in the Django cache.

Meta's WhatsApp Business Management limit is 200 calls per hour per app per WABA (error 80008
beyond it). Reads of `/v1/wabas/{id}/connection`, phone details and health can be bursty, so every
live lookup first takes one unit from a budget well under that limit (100 per clock hour by
default: even a full budget spent at the end of one hour and again at the start of the next stays
at Meta's 200 for any rolling hour). A throttling or server error from Meta also closes the budget
for the time Meta asks (`Retry-After` / the business-use-case header), or a short default.
When the budget says no, callers answer from stored or cached data.
"""

import time

from django.conf import settings
from django.core.cache import cache

from core.metrics import GRAPH_BUDGET_REFUSED
from meta.graph import GraphError

DEFAULT_CALLS_PER_HOUR = 100
# Codes that mean "you are calling too much": back off longer when Meta gives no wait.
THROTTLE_CODES = frozenset({4, 17, 341, 80007, 80008, 130429})
THROTTLE_BACKOFF_SECONDS = 300.0
TRANSIENT_BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 3600.0


def calls_per_hour() -> int:
    return int(getattr(settings, "META_GRAPH_CALLS_PER_WABA_PER_HOUR", DEFAULT_CALLS_PER_HOUR))


def _window_key(meta_waba_id: str) -> str:
    return f"wabas:graph-budget:{meta_waba_id}:{int(time.time() // 3600)}"


def _backoff_key(meta_waba_id: str) -> str:
    return f"wabas:graph-backoff:{meta_waba_id}"


def used(meta_waba_id: str) -> int:
    return int(cache.get(_window_key(meta_waba_id)) or 0)


def remaining(meta_waba_id: str) -> int:
    return max(0, calls_per_hour() - used(meta_waba_id))


def backing_off(meta_waba_id: str) -> bool:
    return cache.get(_backoff_key(meta_waba_id)) is not None


def take(meta_waba_id: str, *, reserve: int = 0) -> bool:
    """Take one call from this hour's budget; False (nothing taken) when it is spent, when fewer
    than `reserve` calls would be left (background jobs leave room for API reads), or while Meta
    asked us to wait."""
    if backing_off(meta_waba_id):
        GRAPH_BUDGET_REFUSED.inc()
        return False
    key = _window_key(meta_waba_id)
    cache.add(key, 0, timeout=3700)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr: a new window
        cache.add(key, 1, timeout=3700)
        count = 1
    if count > calls_per_hour() - reserve:
        cache.decr(key)
        GRAPH_BUDGET_REFUSED.inc()
        return False
    return True


def note_failure(meta_waba_id: str, error: GraphError) -> None:
    """Honour Meta's wait after a transient failure, so the next reads do not call again at once."""
    if not error.transient:
        return
    default = THROTTLE_BACKOFF_SECONDS if error.code in THROTTLE_CODES else TRANSIENT_BACKOFF_SECONDS
    seconds = min(MAX_BACKOFF_SECONDS, max(error.retry_after or 0.0, default))
    cache.set(_backoff_key(meta_waba_id), time.time() + seconds, timeout=int(seconds) + 1)
