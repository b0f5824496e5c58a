import logging
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """ "600/minute" -> (600, 60); empty or "0" disables the limit."""
    rate = (rate or "").strip()
    if not rate or rate == "0":
        return None
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip().lower() or "minute"]


def _count(key: str, period: int) -> int:
    # One round trip in the common case: the window's counter exists after its first request.
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request (or its counter was evicted)
        if cache.add(key, 1, timeout=period + 1):
            return 1
        return cache.incr(key)  # another request created it meanwhile


def over_limit(name: str, rate: str) -> float | None:
    """Count one request against `name`'s fixed window of `rate`; the seconds until the window ends
    when that request is over the limit, else None. One counter, atomic in the shared cache (Redis
    when configured), for every limit of the service."""
    parsed = parse_rate(rate)
    if parsed is None:
        return None
    limit, period = parsed
    now = time.time()
    window = int(now // period)
    try:
        count = _count(f"ratelimit:{name}:{window}", period)
    except Exception:  # noqa: BLE001 - the shared cache is down: serve (unlimited) rather than fail
        logger.warning("Rate limit not applied: the shared cache is unavailable")
        return None
    return (window + 1) * period - now if count > limit else None


class ApiKeyRateThrottle(BaseThrottle):
    """A fixed window counter per API key."""

    def allow_request(self, request: Request, view: object) -> bool:
        api_key = getattr(request, "auth", None)
        if api_key is None:
            return True
        self._wait = over_limit(str(api_key.pk), settings.API_RATE_LIMIT)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
