"""Shared fixtures: organizations with keys, authenticated API clients, and service gates."""

import fcntl
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.tests.helpers import Receiver

# The client libraries' tests run in their own environment (`make clients-test`, docs/clients.md).
collect_ignore = ["clients"]


@pytest.fixture(autouse=True)
def _test_defaults(settings) -> Iterator[None]:
    """Unit tests run Celery tasks inline (integration tests start a real worker and turn this
    off); the API and hosted page rate limits are out of the way unless a test sets one."""
    from celery._state import _set_task_join_will_block

    from core import urlpolicy
    from onboarding_project.celery import app

    urlpolicy._create_time_dns.clear()

    settings.API_RATE_LIMIT = "100000/minute"
    settings.SIGNUP_CALLBACK_RATE_LIMIT = settings.SIGNUP_CLIENT_RATE_LIMIT = "100000/minute"
    settings.SIGNUP_START_RATE_LIMIT = "100000/minute"
    # A key prefix of its own per test: a shared Redis cache (CI) carries nothing between tests
    # or between parallel workers.
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    # Eager tasks run at once in several threads (the live server's, when the sandbox posts Meta's
    # statuses) can leave Celery's process-wide "inside a task" flag set: each test starts without it.
    _set_task_join_will_block(False)
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP endpoint on 127.0.0.1 recording what it is sent (see core.tests.helpers)."""
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def organization(db):
    from organizations.tests.factories import OrganizationFactory

    return OrganizationFactory()


@pytest.fixture
def issued_key(organization):
    from organizations.tests.factories import issue_key

    return issue_key(organization)


def _client_for(secret: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api_client(issued_key):
    """An API client authenticated as `organization`."""
    return _client_for(issued_key.secret)


@pytest.fixture
def other_api_client(db):
    """An API client of a second organization, for isolation checks."""
    from organizations.tests.factories import issue_key

    return _client_for(issue_key().secret)


@pytest.fixture
def anon_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def one_worker_at_a_time() -> Iterator[None]:
    """Parallel test processes (xdist) share the broker's queues but not the test database: a
    worker started by one would take (or purge) the other's tasks and find no rows. Every test
    that starts a Celery worker on the shared broker takes this lock: one such test at a time."""
    lock_path = Path(tempfile.gettempdir()) / "onboarding-webhooks-worker-tests.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
