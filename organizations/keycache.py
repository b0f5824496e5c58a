"""A web process's memory of the API keys it has seen, so most requests skip the key's database read.

Every API request authenticates its key. The database lookup was a third of a
`GET /v1/onboarding-links/{id}` on the benchmark machine (one of its two round trips to PostgreSQL).
This module keeps the rows of recently used keys in the process, and trusts one only while
the shared cache says nothing changed since it was read:

- The shared cache (`CACHE_URL`, Redis) holds a **generation**: a random token. A process reads it
  at most once per `API_KEY_CACHE_CHECK_SECONDS` (1 s), and uses a remembered key only if the key
  was remembered under the generation it read last. (Reading it on every request cost as much
  CPU under load as the database lookup it replaced: any blocking round trip does.)
- Anything that can change what a key authenticates replaces the generation once its transaction
  commits: revoking a key, saving or deleting a key or an organization (the API, the admin,
  management commands). The process that made the change forgets its keys at once; every other
  process at its first request after its next check. So a revoked key answers 401 at once where
  it was revoked, and everywhere within `API_KEY_CACHE_CHECK_SECONDS`; with 0, every request
  checks and revocation is immediate everywhere.
- Nothing is trusted for longer than `API_KEY_CACHE_SECONDS` (60 s), even under an unchanged
  generation. It bounds the one case the generation cannot cover: a change that could not
  publish a new generation because the shared cache was unreachable just then (logged as a
  warning).
- Without a shared cache (the default in-process cache, or `API_KEY_CACHE_SECONDS=0`), nothing is
  remembered and every request reads its key from the database: a process-local generation
  could not see another process's revocation. When the shared cache fails, requests read the
  database until it answers again.

Unknown and revoked keys are never remembered. Every request gets its own copies of the remembered
`ApiKey` and `Organization`, so nothing one request changes on them leaks into another's.

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
from django.db.models.base import ModelState

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
    template: Any  # the ApiKey as read (its organization cached on it); never handed out, only copied
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


class _Generation:
    """The generation's reads and writes: straight through the Redis client under Django's
    RedisCache (a GET costs about 70 µs of CPU there, 200 µs through the cache API), else through
    the cache API (Memcached, or a process-local cache when forced on)."""

    def _redis(self) -> Any:
        backend = getattr(cache, "_cache", None)  # RedisCache's client wrapper
        if backend is None or not hasattr(backend, "_get_connection_pool"):
            return None
        client = getattr(backend, "_api_key_generation_client", None)
        if client is None:  # kept on the backend object, so a new CACHES setting gets its own
            client = backend._api_key_generation_client = backend.get_client(write=True)
        return client

    def read(self) -> str | None:
        redis = self._redis()
        if redis is None:
            return cache.get(GENERATION_KEY)
        value = redis.get(cache.make_and_validate_key(GENERATION_KEY))
        return None if value is None else value.decode("latin-1")  # any bytes: only compared for equality

    def add(self, value: str) -> bool:
        redis = self._redis()
        if redis is None:
            return cache.add(GENERATION_KEY, value, timeout=None)
        return bool(redis.set(cache.make_and_validate_key(GENERATION_KEY), value, nx=True))

    def write(self, value: str) -> None:
        redis = self._redis()
        if redis is None:
            cache.set(GENERATION_KEY, value, timeout=None)
        else:
            redis.set(cache.make_and_validate_key(GENERATION_KEY), value)


_generation = _Generation()
# The generation this process read last, and when (time.monotonic()); None: read it on the next request.
_seen: tuple[str, float] | None = None
# When reading it last failed (time.monotonic()); None while the shared cache answers.
_failed_at: float | None = None


def current_generation() -> str | None:
    """The shared generation (created if missing) as of at most API_KEY_CACHE_CHECK_SECONDS ago;
    None when disabled or the shared cache fails."""
    global _seen
    if not enabled():
        return None
    global _failed_at
    seen, now = _seen, time.monotonic()
    if seen is not None and now - seen[1] < settings.API_KEY_CACHE_CHECK_SECONDS:
        return seen[0]
    _seen = None
    if _failed_at is not None and now - _failed_at < max(settings.API_KEY_CACHE_CHECK_SECONDS, 1.0):
        return None  # failed a moment ago: not every request of an outage waits on the shared cache again
    try:
        generation = _generation.read()
        if generation is None:  # first use, or evicted / lost with a Redis restart: nothing remembered holds
            fresh = secrets.token_hex(8)
            generation = fresh if _generation.add(fresh) else _generation.read()
    except Exception as exc:  # noqa: BLE001 - any cache failure: read the database instead, never fail the request
        if _failed_at is None:  # once per outage, not once per request
            logger.warning(
                "API key cache: the shared cache is unavailable (%s); reading keys from the database until it "
                "answers again",
                type(exc).__name__,
            )
        _failed_at = now
        return None
    if _failed_at is not None:
        logger.info("API key cache: the shared cache answers again")
        _failed_at = None
    _seen = (generation, now)
    return generation


def get(hashed_key: str, generation: str) -> Entry | None:
    entry = _entries.get(hashed_key)
    if entry is None:
        return None
    if entry.generation != generation or time.monotonic() - entry.stored_at > settings.API_KEY_CACHE_SECONDS:
        _entries.pop(hashed_key, None)
        return None
    return entry


def put(hashed_key: str, generation: str, api_key: Any, last_used_at: datetime | None) -> Entry:
    """Remember a key read from the database; `api_key` is copied, the caller keeps its own."""
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    entry = Entry(
        generation=generation, stored_at=time.monotonic(), template=fresh_copy(api_key), last_used_at=last_used_at
    )
    _entries[hashed_key] = entry
    return entry


def _copy(instance: Any) -> Any:
    copy = object.__new__(type(instance))
    copy.__dict__.update(instance.__dict__)  # the field values (str, UUID, datetime: immutable)
    copy._state = ModelState()  # its own state: saved, in the same database, nothing cached yet
    copy._state.db = instance._state.db
    copy._state.adding = False
    return copy


def fresh_copy(api_key: Any) -> Any:
    """A new ApiKey and a new Organization with the same values: what a request may change stays
    its own. Copying costs a fraction of building them from the row again."""
    copy = _copy(api_key)
    organization = api_key._state.fields_cache.get("organization")
    if organization is not None:
        copy._state.fields_cache["organization"] = _copy(organization)
    return copy


def invalidate() -> None:
    """Forget every remembered key: here at once, in every other process at its next check (after commit)."""
    global _seen
    _entries.clear()
    _seen = None
    transaction.on_commit(_publish, robust=True)


def _publish() -> None:
    global _seen
    _entries.clear()
    _seen = None
    if not enabled():
        return
    try:
        _generation.write(secrets.token_hex(8))
    except Exception as exc:  # noqa: BLE001 - the change itself is committed; say how long others may lag
        logger.warning(
            "API key cache: could not publish a key or organization change to the shared cache (%s); other "
            "processes may accept keys they remembered for up to API_KEY_CACHE_SECONDS (%s s)",
            type(exc).__name__,
            settings.API_KEY_CACHE_SECONDS,
        )


def clear_local() -> None:
    """This process's entries and last read generation only (tests)."""
    global _seen, _failed_at
    _entries.clear()
    _seen = None
    _failed_at = None
