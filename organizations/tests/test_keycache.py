"""The web process's API key memory (organizations.keycache): fewer database reads, same answers.

A revoked key must answer 401 on the next request in every process; these tests change keys the
ways production does (the service, the admin's save, a deletion, another process) and check it.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.services_gate import require, require_postgres
from organizations import keycache
from organizations.models import ApiKey
from organizations.services import api_key_authenticate, api_key_revoke
from organizations.tests.factories import issue_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]

URL = "/v1/_test/keys"


def key_reads(client, secret: str) -> tuple[int, int]:
    """(status, how many SELECTs of the API key table) of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {secret}")
    reads = [q["sql"] for q in queries if '"organizations_apikey"."hashed_key" = ' in q["sql"]]
    return response.status_code, len(reads)


def test_a_remembered_key_is_not_read_again(anon_client, issued_key):
    assert key_reads(anon_client, issued_key.secret) == (200, 1)
    assert key_reads(anon_client, issued_key.secret) == (200, 0)
    assert key_reads(anon_client, issued_key.secret) == (200, 0)


def test_a_key_revoked_after_it_was_remembered_is_401_at_once(anon_client, issued_key):
    assert key_reads(anon_client, issued_key.secret) == (200, 1)
    api_key_revoke(api_key=ApiKey.objects.get(pk=issued_key.api_key.pk))
    assert key_reads(anon_client, issued_key.secret) == (401, 1)
    assert key_reads(anon_client, issued_key.secret) == (401, 1)  # unknown and revoked keys are never remembered


def test_a_deleted_key_and_a_deleted_organization_are_401_at_once(anon_client, issued_key):
    assert key_reads(anon_client, issued_key.secret)[0] == 200
    ApiKey.objects.get(pk=issued_key.api_key.pk).delete()
    assert key_reads(anon_client, issued_key.secret)[0] == 401

    other = issue_key()
    assert key_reads(anon_client, other.secret)[0] == 200
    other.api_key.organization.delete()
    assert key_reads(anon_client, other.secret)[0] == 401


def revoke_elsewhere(issued_key) -> None:
    """What another process's revocation does here: the row changes, and a new generation reaches
    the shared cache. This process's memory is not told directly."""
    ApiKey.objects.filter(pk=issued_key.api_key.pk).update(revoked_at="2026-01-01T00:00:00Z")
    keycache._generation.write("published-by-another-process")


def test_a_change_published_by_another_process_is_seen_at_the_next_check(anon_client, issued_key, settings):
    settings.API_KEY_CACHE_CHECK_SECONDS = 1.0
    assert key_reads(anon_client, issued_key.secret) == (200, 1)
    revoke_elsewhere(issued_key)
    # Until this process checks the generation again (at most a second), it trusts what it read.
    assert key_reads(anon_client, issued_key.secret) == (200, 0)
    generation, checked_at = keycache._seen
    keycache._seen = (generation, checked_at - 1.0)  # as if a second had passed
    assert key_reads(anon_client, issued_key.secret) == (401, 1)


def test_with_check_seconds_zero_every_request_sees_another_process_change(anon_client, issued_key, settings):
    settings.API_KEY_CACHE_CHECK_SECONDS = 0
    assert key_reads(anon_client, issued_key.secret) == (200, 1)
    assert key_reads(anon_client, issued_key.secret) == (200, 0)
    revoke_elsewhere(issued_key)
    assert key_reads(anon_client, issued_key.secret) == (401, 1)


def test_an_unpublished_change_is_trusted_at_most_api_key_cache_seconds(anon_client, issued_key, settings):
    assert key_reads(anon_client, issued_key.secret) == (200, 1)
    ApiKey.objects.filter(pk=issued_key.api_key.pk).update(revoked_at="2026-01-01T00:00:00Z")  # nothing published
    assert key_reads(anon_client, issued_key.secret) == (200, 0)
    entry = keycache._entries[issued_key.api_key.hashed_key]
    entry.stored_at -= settings.API_KEY_CACHE_SECONDS + 1  # as if that long had passed
    assert key_reads(anon_client, issued_key.secret) == (401, 1)


def test_saving_an_organization_is_seen_by_the_next_request(issued_key):
    assert api_key_authenticate(secret=issued_key.secret).organization.display_name == ""
    organization = issued_key.api_key.organization
    organization.display_name = "Acme Support"
    organization.save()  # the admin's save
    assert api_key_authenticate(secret=issued_key.secret).organization.display_name == "Acme Support"


def test_each_request_gets_its_own_instances(issued_key):
    first = api_key_authenticate(secret=issued_key.secret)
    first.organization.name = "changed in memory by one request"
    first.name = "changed too"
    second = api_key_authenticate(secret=issued_key.secret)
    assert second is not first and second.organization is not first.organization
    assert second.organization.name == issued_key.api_key.organization.name
    assert second.name == issued_key.api_key.name
    assert second._state is not first._state and second.organization._state is not first.organization._state
    assert not second._state.adding and second._state.db == "default"
    third = api_key_authenticate(secret=issued_key.secret)
    assert third.organization.name == issued_key.api_key.organization.name  # still unchanged
    assert [
        f.attname
        for f in third._meta.concrete_fields
        if getattr(third, f.attname) != getattr(ApiKey.objects.get(pk=third.pk), f.attname)
    ] in ([], ["last_used_at"])


def test_last_used_at_is_written_at_most_once_a_minute_while_remembered(issued_key, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now()
    clock = {"now": start}
    monkeypatch.setattr("organizations.services.timezone.now", lambda: clock["now"])

    def writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_key_authenticate(secret=issued_key.secret) is not None
        return sum(q["sql"].startswith("UPDATE") for q in queries)

    assert writes() == 1
    clock["now"] = start + timedelta(seconds=30)
    assert writes() == 0
    clock["now"] = start + timedelta(seconds=61)
    assert writes() == 1
    assert writes() == 0
    assert ApiKey.objects.get(pk=issued_key.api_key.pk).last_used_at == start + timedelta(seconds=61)


def test_when_the_shared_cache_fails_keys_are_read_from_the_database(anon_client, issued_key, monkeypatch, caplog):
    class Down:
        def __getattr__(self, name):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(keycache, "_generation", Down())
    assert key_reads(anon_client, issued_key.secret) == (200, 1)
    assert key_reads(anon_client, issued_key.secret) == (200, 1)
    api_key_revoke(api_key=ApiKey.objects.get(pk=issued_key.api_key.pk))
    assert key_reads(anon_client, issued_key.secret) == (401, 1)
    assert caplog.text.count("reading keys from the database") == 1  # once per outage, not per request
    assert issued_key.secret not in caplog.text


def test_an_outage_of_the_shared_cache_is_not_retried_by_every_request(issued_key, monkeypatch):
    calls = []

    class Down:
        def read(self):
            calls.append(1)
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(keycache, "_generation", Down())
    for _ in range(5):
        assert api_key_authenticate(secret=issued_key.secret) is not None
    assert len(calls) == 1  # the next try comes after API_KEY_CACHE_CHECK_SECONDS (at least a second)
    keycache._failed_at -= 5  # as if that long had passed
    assert api_key_authenticate(secret=issued_key.secret) is not None
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("mode", "backend", "remembers"),
    [
        ("auto", "django.core.cache.backends.locmem.LocMemCache", False),  # per process: others' changes unseen
        ("auto", "django.core.cache.backends.redis.RedisCache", True),
        ("off", "django.core.cache.backends.redis.RedisCache", False),
        ("on", "django.core.cache.backends.locmem.LocMemCache", True),
    ],
)
def test_keys_are_remembered_only_with_a_shared_cache_unless_forced(settings, mode, backend, remembers):
    settings.API_KEY_CACHE = mode
    settings.CACHES = {"default": {**settings.CACHES["default"], "BACKEND": backend}}
    assert keycache.enabled() is remembers


def test_api_key_cache_seconds_zero_turns_it_off(anon_client, issued_key, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    assert key_reads(anon_client, issued_key.secret) == (200, 1)
    assert key_reads(anon_client, issued_key.secret) == (200, 1)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_key_revoked_by_another_process_is_401_on_the_next_request(settings):
    """Two real processes over PostgreSQL and Redis: this one remembers the key, `manage.py
    revoke_api_key` in another revokes it, and this one refuses it after its next check."""
    require_postgres()
    cache_url = os.environ.get("CACHE_URL", "")
    require(cache_url.startswith("redis://"), "CACHE_URL is not a Redis URL")
    settings.API_KEY_CACHE = "auto"
    settings.API_KEY_CACHE_CHECK_SECONDS = 0.2
    prefix = f"keycache-{os.getpid()}-"
    redis_cache = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": redis_cache, "LOCATION": cache_url, "KEY_PREFIX": prefix}}
    assert keycache.enabled()

    issued = issue_key()
    assert api_key_authenticate(secret=issued.secret) is not None
    assert keycache._entries  # remembered

    db = connection.settings_dict
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db.get('USER') or 'postgres'}@{host}:{port}/{db['NAME']}",
        "CACHE_URL": cache_url,
        "API_KEY_CACHE": "auto",
    }
    # The other process must write the generation under the same cache key prefix.
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'onboarding_project.settings'); "
        "from django.conf import settings; django.setup(); "
        f"settings.CACHES['default']['KEY_PREFIX'] = {prefix!r}; "
        "from django.core.management import call_command; "
        f"call_command('revoke_api_key', {issued.api_key.prefix!r})"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert keycache._entries  # this process was not told directly...
    time.sleep(0.25)  # (the other process took longer than this to start anyway)
    assert api_key_authenticate(secret=issued.secret) is None  # ...its next check of the generation told it
