"""Each phone sends at most `MESSAGES_PER_SECOND_PER_PHONE` messages a second (Meta's default
throughput is 80), counted per clock second in the Django cache (Redis in production, so every
worker shares the count). A send over the rate is not refused: it is given the time of a later
second, one second further for each full second of sends already waiting."""

import random
import time
import uuid

from django.conf import settings
from django.core.cache import cache


def per_second() -> int:
    return int(settings.MESSAGES_PER_SECOND_PER_PHONE)


def take(phone_id: uuid.UUID | str) -> float:
    """0 when the phone may send now (the send is counted), else the seconds to wait."""
    now = time.time()
    second = int(now)
    key = f"messaging:rate:{phone_id}:{second}"
    cache.add(key, 0, timeout=10)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=10)
        count = 1
    rate = per_second()
    if count <= rate:
        return 0.0
    seconds_ahead = (count - rate - 1) // rate
    # Spread within the target second, so the waiting sends do not all wake at its first instant.
    return (second + 1 - now) + seconds_ahead + random.uniform(0, 0.9)  # noqa: S311 - not a secret
