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


class ApiKeyRateThrottle(BaseThrottle):
    """A fixed window counter per API key, atomic in the shared cache (Redis when configured)."""

    def allow_request(self, request: Request, view: object) -> bool:
        parsed = parse_rate(settings.API_RATE_LIMIT)
        api_key = getattr(request, "auth", None)
        if parsed is None or api_key is None:
            return True
        limit, period = parsed
        now = time.time()
        window = int(now // period)
        key = f"ratelimit:{api_key.pk}:{window}"
        self._wait = (window + 1) * period - now
        try:
            count = _count(key, period)
        except Exception:  # noqa: BLE001 - the shared cache is down: serve (unlimited) rather than fail
            logger.warning("Rate limit not applied: the shared cache is unavailable")
            return True
        return count <= limit

    def wait(self) -> float:
        return self._wait
