"""A web process's memory of the API keys it has seen, so most requests skip the key's database read.

Every API request authenticates its key. The database lookup was a third of a
`GET /v1/onboarding-links/{id}` on the benchmark machine (one of its two round trips to PostgreSQL).
This module keeps the rows of recently used keys in the process, and trusts one only while
the shared cache says nothing changed since it was read:

- The shared cache (`CACHE_URL`, Redis) holds a **generation**: a random token. Each request reads
  it (one Redis round trip instead of one PostgreSQL query) and uses a remembered key only if the
  key was remembered under that same generation.
- Anything that can change what a key authenticates replaces the generation once its transaction
  commits: revoking a key, saving or deleting a key or an organization (the API, the admin,
  management commands). Every process then forgets its keys at its next request. So a revoked
  key answers 401 on the very next request, in every process.
- Nothing is trusted for longer than `API_KEY_CACHE_SECONDS` (60 s), even under an unchanged
  generation. It bounds the one case the generation cannot cover: a change that could not
  publish a new generation because the shared cache was unreachable just then (logged as a
  warning).
- Without a shared cache (the default in-process cache, or `API_KEY_CACHE_SECONDS=0`), nothing is
  remembered and every request reads its key from the database: a process-local generation
  could not see another process's revocation. When the shared cache fails, requests read the
  database until it answers again.

Unknown and revoked keys are never remembered. Instances are built fresh from the remembered row
for every request, so nothing one request changes on its `ApiKey` or `Organization` leaks into
another's.

Code that changes keys or organizations without `save()`/`delete()` (a queryset `update()`, raw SQL)
must call `invalidate()` after it commits.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "apikeys:generation"
# Enough for every active key of a large deployment; a full table is emptied and refilled.
MAX_ENTRIES = 10_000
# Process-local backends: a generation kept there is not seen by other processes.
_LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@dataclass(slots=True)
class Entry:
    generation: str
    stored_at: float  # time.monotonic()
    row: tuple[Any, ...]
    last_used_at: datetime | None  # what this process last wrote (or read), for the once-a-minute touch


_entries: dict[str, Entry] = {}


def enabled() -> bool:
    """Remember keys only with a shared cache (`API_KEY_CACHE=auto`), or when forced (`on`, tests)."""
    mode = settings.API_KEY_CACHE
    if mode == "off" or settings.API_KEY_CACHE_SECONDS <= 0:
        return False
    if mode == "on":
        return True
    return settings.CACHES["default"]["BACKEND"] not in _LOCAL_BACKENDS


def current_generation() -> str | None:
    """The shared generation, created if missing; None when disabled or the shared cache fails."""
    if not enabled():
        return None
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:  # first use, or evicted / lost with a Redis restart: nothing remembered holds
            fresh = secrets.token_hex(8)
            generation = fresh if cache.add(GENERATION_KEY, fresh, timeout=None) else cache.get(GENERATION_KEY)
    except Exception:  # noqa: BLE001 - any cache failure: read the database instead, never fail the request
        logger.warning("API key cache: the shared cache is unavailable; reading keys from the database")
        return None
    return generation


def get(hashed_key: str, generation: str) -> Entry | None:
    entry = _entries.get(hashed_key)
    if entry is None:
        return None
    if entry.generation != generation or time.monotonic() - entry.stored_at > settings.API_KEY_CACHE_SECONDS:
        _entries.pop(hashed_key, None)
        return None
    return entry


def put(hashed_key: str, generation: str, row: tuple[Any, ...], last_used_at: datetime | None) -> Entry:
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    entry = Entry(generation=generation, stored_at=time.monotonic(), row=row, last_used_at=last_used_at)
    _entries[hashed_key] = entry
    return entry


def invalidate() -> None:
    """Forget every remembered key, here now and in every process at its next request (after commit)."""
    _entries.clear()
    transaction.on_commit(_publish, robust=True)


def _publish() -> None:
    _entries.clear()
    if not enabled():
        return
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # noqa: BLE001 - the change itself is committed; say how long others may lag
        logger.warning(
            "API key cache: could not publish a key or organization change to the shared cache; other "
            "processes may accept keys they remembered for up to API_KEY_CACHE_SECONDS (%s s)",
            settings.API_KEY_CACHE_SECONDS,
        )


def clear_local() -> None:
    """This process's entries only (tests)."""
    _entries.clear()
