"""How fast messages go out, counted per clock second in the Django cache (Redis in production, so
every worker shares the counts), with one rule for two scopes:

- each phone sends at most `MESSAGES_PER_SECOND_PER_PHONE` messages a second (Meta's default
  throughput is 80), counted when its send starts;
- each organization has at most `MESSAGES_PER_SECOND_PER_ORGANIZATION` of its messages queued for
  sending a second, counted when the message is accepted. The send workers are shared by every
  organization: a burst from one organization is given later seconds and waits in the database
  (an `accepted` row with its `next_attempt_at`), not in the broker ahead of everyone else's.

A count over the rate is not refused: it is given the time of a later second, one second further
for each full second already waiting."""

import random
import time
import uuid

from django.conf import settings
from django.core.cache import cache


def _take(scope: str, key: uuid.UUID | str, rate: int) -> float:
    """0 when one more fits in this second for `key` (it is counted), else the seconds to wait."""
    now = time.time()
    second = int(now)
    counter = f"messaging:rate:{scope}:{key}:{second}"
    cache.add(counter, 0, timeout=10)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.add(counter, 1, timeout=10)
        count = 1
    if count <= rate:
        return 0.0
    seconds_ahead = (count - rate - 1) // rate
    # Spread within the target second, so the waiting sends do not all wake at its first instant.
    return (second + 1 - now) + seconds_ahead + random.uniform(0, 0.9)  # noqa: S311 - not a secret


def take(phone_id: uuid.UUID | str) -> float:
    """The phone's rate: 0 when it may send now (the send is counted), else the seconds to wait."""
    return _take("phone", phone_id, int(settings.MESSAGES_PER_SECOND_PER_PHONE))


def take_for_organization(organization_id: uuid.UUID | str) -> float:
    """The organization's rate: 0 when its message may be queued now, else the seconds until its turn."""
    return _take("organization", organization_id, int(settings.MESSAGES_PER_SECOND_PER_ORGANIZATION))
