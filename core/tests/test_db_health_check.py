"""Persistent PostgreSQL connections are health-checked at most once per DB_HEALTH_CHECK_INTERVAL."""

import time

import pytest
from django.db import connection, connections

from core.tests.services_gate import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def checks(monkeypatch) -> list[bool]:
    """Every health check the connection runs (the real `SELECT 1`), with its answer."""
    require_postgres()
    assert connection.settings_dict["ENGINE"] == "core.db_backends.postgresql"
    ran: list[bool] = []
    real = connection.is_usable

    def counted() -> bool:
        ran.append(real())
        return ran[-1]

    monkeypatch.setattr(connection, "is_usable", counted)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    connection.close()
    yield ran
    connection.close()


def request() -> int:
    """What each request does to the connection: Django's start-of-request bookkeeping, then a query."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_requests_within_the_interval_skip_the_round_trip(checks, settings):
    settings.DB_HEALTH_CHECK_INTERVAL = 3600
    pids = {request() for _ in range(5)}
    assert checks == [] and len(pids) == 1  # one connection, verified when it opened


def test_with_no_interval_every_request_is_checked_as_django_does(checks, settings):
    settings.DB_HEALTH_CHECK_INTERVAL = 0
    request()  # opens the connection: nothing to check yet
    for _ in range(3):
        request()
    assert checks == [True, True, True]


def test_a_connection_the_server_dropped_is_replaced_before_the_next_request(checks, settings):
    settings.DB_HEALTH_CHECK_INTERVAL = 0.05
    first = request()
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    finally:
        killer.close()
    time.sleep(0.1)  # past the interval: the next request checks, finds it dead, reconnects

    assert request() != first
    assert checks == [False]
